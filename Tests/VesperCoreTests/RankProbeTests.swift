import Synchronization
import Testing
import VesperTestSupport

@testable import VesperCore

@Suite("Shared reads of the best claimable rank")
struct RankProbeTests {
    /// Each read answers its own number as the priority and waits for `finish()` when told to.
    final class Reads: Sendable {
        let count = Mutex(0)
        let started = Recorder<Int>()
        private let gates = Mutex<[Int: AsyncStream<Void>.Continuation]>([:])
        private let streams = Mutex<[Int: AsyncStream<Void>]>([:])

        init(gated: [Int]) {
            for n in gated {
                let (stream, continuation) = AsyncStream<Void>.makeStream()
                streams.withLock { $0[n] = stream }
                gates.withLock { $0[n] = continuation }
            }
        }

        func read() async -> RankProbe.Check {
            let n = count.withLock { count in
                count += 1
                return count
            }
            started.append(n)
            if let stream = streams.withLock({ $0[n] }) {
                for await _ in stream { break }
            }
            return RankProbeTests.best(n)
        }

        func finish(_ n: Int) { _ = gates.withLock { $0[n]?.finish() } }
    }

    static let since = ContinuousClock.now

    static func best(_ n: Int) -> RankProbe.Check { .best(JobRank(priority: n, sequence: 0), since: since, arrivals: 0) }

    @Test func aCallerAloneGetsARead() async {
        let reads = Reads(gated: [])
        let probe = RankProbe()
        #expect(await probe.check { await reads.read() } == Self.best(1))
        #expect(await probe.check { await reads.read() } == Self.best(2))
    }

    @Test func callersThatArriveDuringAReadShareTheNextOne() async throws {
        let reads = Reads(gated: [1])
        let probe = RankProbe()
        try await withThrowingTaskGroup(of: (String, RankProbe.Check).self) { group in
            group.addTask { ("first", await probe.check { await reads.read() }) }
            try await waitUntil("the first read to start") { reads.started.count == 1 }
            for name in ["a", "b", "c"] { group.addTask { (name, await probe.check { await reads.read() }) } }
            // Give the three time to queue behind the read in flight, which must not answer them.
            try await Task.sleep(for: .milliseconds(100))
            reads.finish(1)
            var results: [String: RankProbe.Check] = [:]
            for try await (name, check) in group { results[name] = check }
            #expect(results["first"] == Self.best(1))
            for name in ["a", "b", "c"] { #expect(results[name] == Self.best(2), "\(name)") }
        }
        #expect(reads.count.withLock { $0 } == 2)
    }
}
