import Foundation
import Synchronization
import Testing
import VesperCore
import VesperTestSupport

/// A real worker pool on each store: a backlog posted while every slot is busy starts in claim
/// order (priority descending, then FIFO) even when part of it was prefetched before better jobs
/// arrived, and a job's `started_at` and wait are its handler's start, not its claim.
@Suite("Dispatch order and start times on a real store")
struct DispatchOrderConformanceTests {
    /// Slots and `PREFETCH` of one case.
    struct Setup: Sendable, CustomStringConvertible {
        var slots: Int
        /// `nil`: the default.
        var prefetch: Int?

        var description: String { "\(slots) slot(s), PREFETCH=\(prefetch.map(String.init) ?? "default")" }

        static let all = [Setup(slots: 1, prefetch: nil), Setup(slots: 1, prefetch: 0), Setup(slots: 8, prefetch: nil), Setup(slots: 8, prefetch: 0)]
    }

    /// `warm` does nothing; `block` holds its slot until `release()`; `rec` records its payload
    /// and start time, then runs for `recRun`.
    struct Start: Sendable {
        var name: String
        var id: UUID
        var at: Date
    }

    final class Handlers: Sendable {
        let registry: HandlerRegistry
        let blocked = Recorder<UUID>()
        let started = Recorder<Start>()
        private let open: AsyncStream<Void>.Continuation

        init(recRun: Duration) {
            let (gate, open) = AsyncStream<Void>.makeStream()
            self.open = open
            var registry = HandlerRegistry()
            registry.register("warm") { _ in }
            let blocked = blocked
            registry.register("block") { job in
                blocked.append(job.id)
                for await _ in gate { break }
            }
            let started = started
            registry.register("rec") { job in
                started.append(Start(name: job.payload, id: job.id, at: Date()))
                try await Task.sleep(for: recRun)
            }
            self.registry = registry
        }

        func release() { open.finish() }
    }

    static func rec(_ name: String, priority: Int) -> NewJob { testJob("rec", priority: priority, payload: #""\#(name)""#) }

    /// Runs quick jobs so the pool knows its handlers are fast (and prefetches), then fills every
    /// slot with a blocker and waits until all of them run.
    static func fillSlots(_ slots: Int, store: any JobStore, pool: WorkerPool, handlers: Handlers) async throws {
        let warm = (0..<(2 * slots)).map { _ in testJob("warm") }
        _ = try await store.enqueue(warm, now: Date())
        pool.wake()
        for job in warm { try await store.waitFor(job.id, status: .done) }
        _ = try await store.enqueue((0..<slots).map { _ in testJob("block", priority: 100) }, now: Date())
        pool.wake()
        try await waitUntil("every slot to hold a blocker") { handlers.blocked.count == slots }
    }

    static func post(_ jobs: [NewJob], store: any JobStore, pool: WorkerPool) async throws -> [Job] {
        var posted: [Job] = []
        for job in jobs {
            posted.append(try await store.add(job, now: Date()))
            pool.wake()
        }
        return posted
    }

    @Test(arguments: StoreKind.allCases, Setup.all)
    func aBacklogPostedWhileSlotsAreBusyStartsInClaimOrder(kind: StoreKind, setup: Setup) async throws {
        let slots = setup.slots
        // Long enough that the waves of eight slots do not overlap.
        let handlers = Handlers(recRun: slots == 1 ? .milliseconds(5) : .milliseconds(300))
        try await withStore(kind) { store in
            let order = try await withWorkerPool(
                store: store, registry: handlers.registry, slots: slots,
                configure: {
                    if let prefetch = setup.prefetch { $0.prefetchLimit = prefetch }
                    $0.prefetchHold = .seconds(30)
                    // Every job here is announced (`wake()`), so order must hold by arrivals alone,
                    // however long a claim or read is taken to vouch.
                    $0.orderRecheckInterval = .seconds(3_600)
                }
            ) { pool in
                try await Self.fillSlots(slots, store: store, pool: pool, handlers: handlers)
                // Posted first, while every slot is busy: a node that prefetches leases these now.
                let early = (0..<slots).map { Self.rec("early\($0)", priority: 0) }
                var posted = try await Self.post(early, store: store, pool: pool)
                try await Task.sleep(for: .milliseconds(300))
                // Then better jobs (and more of the same), one after another.
                let priorities = slots == 1 ? [3, 7, 10, 3, 10, 0, 7] : [3, 7, 10, 3, 10, 0, 7, 5, 3, 7, 10, 3, 10, 0, 7, 5]
                let late = priorities.enumerated().map { Self.rec("late\($0.offset)", priority: $0.element) }
                posted += try await Self.post(late, store: store, pool: pool)
                try await Task.sleep(for: .milliseconds(200))
                handlers.release()
                for job in posted { try await store.waitFor(job.id, status: .done) }
                return (expected: ClaimOrder.sorted(posted).map(\.payload), started: handlers.started.all.map(\.name))
            }
            if slots == 1 {
                #expect(order.started == order.expected)
            } else {
                // Slots that free together choose at the same moment, so their starts may come in
                // any order among themselves, and a slow machine blurs one wave into the next. What
                // must hold however the starts interleave: a job starts after at most `slots - 1`
                // jobs that rank below it (those chosen beside it). A prefetched early job run ahead
                // of the better backlog breaks this by the whole backlog.
                #expect(order.started.count == order.expected.count)
                let rank = Dictionary(uniqueKeysWithValues: order.expected.enumerated().map { ($0.element, $0.offset) })
                for (index, name) in order.started.enumerated() {
                    let startedBeforeButRankBelow = order.started[..<index].filter { rank[$0]! > rank[name]! }
                    #expect(startedBeforeButRankBelow.count <= slots - 1, "\(name) started after \(startedBeforeButRankBelow)")
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aJobThatWaitedInTheBufferStartsWhenItsHandlerDoes(kind: StoreKind) async throws {
        let handlers = Handlers(recRun: .milliseconds(1))
        let observer = RecordingObserver()
        try await withStore(kind) { store in
            let job = try await withWorkerPool(
                store: store, registry: handlers.registry, slots: 1, observer: observer, configure: { $0.prefetchHold = .seconds(30) }
            ) { pool in
                try await Self.fillSlots(1, store: store, pool: pool, handlers: handlers)
                let posted = try await Self.post([Self.rec("held", priority: 0)], store: store, pool: pool)[0]
                // Leased into the buffer (or still pending): either way not started.
                try await Task.sleep(for: .milliseconds(500))
                let waiting = try #require(try await store.job(id: posted.id))
                #expect(waiting.startedAt == nil)
                handlers.release()
                let done = try await store.waitFor(posted.id, status: .done)
                try await waitUntil("the attempt to be reported") { observer.attempts.all.contains { $0.job.id == posted.id } }
                return done
            }
            let handlerStart = try #require(handlers.started.all.first { $0.id == job.id }).at
            let startedAt = try #require(job.startedAt)
            // Recorded just before the handler ran (never after it), and after the half second the
            // job spent held: not the claim time. No upper bound on the gap, which is scheduling.
            #expect(startedAt <= handlerStart.addingTimeInterval(0.001), "started_at \(startedAt), handler \(handlerStart)")
            #expect(startedAt.timeIntervalSince(job.createdAt) >= 0.5, "started_at \(startedAt), created \(job.createdAt)")
            let attempt = try #require(observer.attempts.all.first { $0.job.id == job.id })
            let realWait = handlerStart.timeIntervalSince(job.createdAt)
            #expect(attempt.wait >= 0.5 && attempt.wait <= realWait + 0.001, "wait \(attempt.wait), real \(realWait)")
        }
    }
}
