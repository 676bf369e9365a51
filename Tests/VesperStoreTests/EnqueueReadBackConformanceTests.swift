import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// The job an enqueue returns is assembled from the request and the few values the database
/// assigns (the sequence), not read back, so it must equal what the store reads back later,
/// timestamps included (SQLite keeps microseconds rounded, PostgreSQL microseconds truncated).
@Suite("Enqueue read-back conformance")
struct EnqueueReadBackConformanceTests {
    /// Instants with sub-microsecond parts, so any difference in how a store maps them shows.
    static let now = Date(timeIntervalSince1970: 1_800_000_000.123_456_789)
    static let later = Date(timeIntervalSince1970: 1_800_000_300.987_654_321)

    static func jobs() -> [NewJob] {
        [
            NewJob(type: "plain", maxRetries: 3, timeoutSeconds: 300),
            NewJob(
                type: "scheduled.with-key", queue: "media", priority: 10, payloadJSON: #"{"é":"☃","n":[1,2]}"#, maxRetries: 0,
                runAt: later, timeoutSeconds: 0.0015, idempotencyKey: "key-1"),
            // A run time in the past is stored as `now`.
            NewJob(type: "overdue", priority: 5, payloadJSON: "", maxRetries: 100, runAt: now.addingTimeInterval(-60), timeoutSeconds: 12.3456),
        ]
    }

    @Test(arguments: StoreKind.allCases)
    func createdJobsEqualWhatIsReadBack(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let outcomes = try await store.enqueue(Self.jobs(), now: Self.now)
            try await Self.expectReadBack(outcomes, count: 3, store: store)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func atomicBatchCreatedJobsEqualWhatIsReadBack(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let atomic = try #require(store as? any AtomicBatchEnqueue)
            let outcomes = try await atomic.enqueueAll(Self.jobs(), now: Self.now)
            try await Self.expectReadBack(outcomes, count: 3, store: store)
        }
    }

    static func expectReadBack(_ outcomes: [EnqueueOutcome], count: Int, store: any JobStore) async throws {
        #expect(outcomes.count == count)
        var sequences: [Int64] = []
        for outcome in outcomes {
            guard case .created(let created) = outcome else {
                Issue.record("not created: \(outcome)")
                continue
            }
            var read = try #require(try await store.job(id: created.id))
            // A new job has an empty history; only a single job's read returns it.
            #expect(read.attempts == [])
            read.attempts = nil
            #expect(created == read)
            sequences.append(created.sequence)
        }
        // FIFO within the batch: sequences grow in request order.
        #expect(sequences == sequences.sorted())
        #expect(Set(sequences).count == sequences.count)
    }
}
