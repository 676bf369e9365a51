import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// A measurement, not a test: claim+finish throughput of each store. Runs only with
/// `VESPER_MEASURE=1` and asserts nothing about speed; it prints jobs/s.
@Suite("Claim throughput measurement", .enabled(if: ProcessInfo.processInfo.environment["VESPER_MEASURE"] == "1"))
struct ClaimThroughputMeasurement {
    @Test(arguments: StoreKind.allCases)
    func claimAndFinish(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let total = 20_000
            let enqueueStart = ContinuousClock.now
            for _ in 0..<(total / 1_000) {
                _ = try await store.enqueue((0..<1_000).map { _ in testJob(payload: #"{"n":1}"#) }, now: testEpoch)
            }
            let enqueueTime = ContinuousClock.now - enqueueStart
            let start = ContinuousClock.now
            var processed = 0
            while true {
                let jobs = try await store.claim(100)
                if jobs.isEmpty { break }
                let completions = jobs.map { Completion(token: LeaseToken(id: $0.id, attempt: $0.attempt), outcome: .done) }
                processed += try await store.finish(completions, now: testEpoch).count
            }
            let elapsed = ContinuousClock.now - start
            #expect(processed == total)
            let rate = Double(processed) / elapsed.secondsDouble
            let enqueueRate = Double(total) / enqueueTime.secondsDouble
            print("MEASURE \(kind): enqueue \(Int(enqueueRate)) jobs/s; claim(100)+finish(100) \(Int(rate)) jobs/s over \(processed) jobs")
        }
    }
}
