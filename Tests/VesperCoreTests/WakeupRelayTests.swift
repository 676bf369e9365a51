import Synchronization
import Testing
import VesperCore

@Suite struct WakeupRelayTests {
    @Test func signalsReachTheTargetOnceConnected() {
        let relay = WakeupRelay()
        let wakes = Atomic<Int>(0)
        relay.signal()  // nothing connected yet: dropped
        relay.connect { wakes.add(1, ordering: .relaxed) }
        relay.signal()
        relay.signal()
        #expect(wakes.load(ordering: .relaxed) == 2)
    }
}
