import Testing
import VesperCore
import VesperTestSupport

/// Both stores offer every optional capability, found once by `StoreCapabilities`.
@Suite("Store capabilities")
struct StoreCapabilitiesTests {
    @Test(arguments: StoreKind.allCases)
    func bothStoresOfferEveryCapability(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let capabilities = StoreCapabilities(of: store)
            #expect(capabilities.atomicBatch != nil)
            #expect(capabilities.queueControl != nil)
            #expect(capabilities.statistics != nil)
            #expect(capabilities.pruning != nil)
            #expect(capabilities.notifications != nil)
            #expect(capabilities.administration != nil)
        }
    }
}
