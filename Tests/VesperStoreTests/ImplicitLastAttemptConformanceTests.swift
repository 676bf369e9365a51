import Foundation
import PostgresNIO
import Testing
import VesperCore
import VesperPostgres
@testable import VesperSQLite
import VesperTestSupport

/// A finished job's last attempt is not stored but read from its row (`ImplicitLastAttempt`):
/// the stored history holds only attempts after which the job went on, readers see every attempt,
/// and taking a finished job back to the queue writes the record before the row changes.
@Suite("Implicit last attempt conformance")
struct ImplicitLastAttemptConformanceTests {
    private func token(_ job: Job) -> LeaseToken { LeaseToken(id: job.id, attempt: job.attempt) }

    @Test(arguments: StoreKind.allCases)
    func aFinishStoresNoRecordButReadersSeeTheLastAttempt(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for (outcome, status) in [(Completion.Outcome.done, JobStatus.done), (.failed(error: "bad input"), .failed), (.deadLetter(error: "gave up"), .dlq)] {
                let job = try await store.add(testJob())
                let claimed = try #require(try await store.claim(1, worker: "node-a").first)
                let finishedAt = testEpoch.addingTimeInterval(2)
                let applied = try await store.finish(
                    [Completion(token: token(claimed), outcome: outcome, startedAt: testEpoch.addingTimeInterval(1))], now: finishedAt)
                #expect(applied.count == 1)
                #expect(try await storedHistory(of: job, in: store).isEmpty, "\(status)")

                let read = try #require(try await store.job(id: job.id))
                #expect(read.storedStatus == status)
                let last = try #require(read.attempts?.last)
                #expect(read.attempts?.count == 1)
                #expect(last.attempt == 1)
                #expect(last.node == "node-a")
                #expect(last.outcome == CompletionEffect.of(outcome.kind).recordedOutcome)
                #expect(last.error == (outcome.error ?? ""))
                #expect(last.startedAt == testEpoch.addingTimeInterval(1))
                #expect(last.finishedAt == finishedAt)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRetryOfADeadLetteredJobRecordsItsLastAttemptFirst(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob(maxRetries: 0))
            let first = try #require(try await store.claim(1, worker: "node-a").first)
            try await store.finish(
                [Completion(token: token(first), outcome: .deadLetter(error: "gave up"), startedAt: testEpoch)], now: testEpoch.addingTimeInterval(1))

            let retryAt = testEpoch.addingTimeInterval(10)
            let retried = try await store.retry(id: job.id, now: retryAt)
            #expect(retried.storedStatus == .pending && retried.finishedAt == nil && retried.workerID == nil)
            let stored = try await storedHistory(of: job, in: store)
            #expect(stored.map(\.outcome) == ["dlq"])
            #expect(stored.map(\.node) == ["node-a"])
            #expect(stored.map(\.error) == ["gave up"])
            #expect(stored.first?.startedAt == testEpoch)
            #expect(stored.first?.finishedAt == testEpoch.addingTimeInterval(1))
            #expect(try await store.job(id: job.id)?.attempts == stored)

            let second = try #require(try await store.claim(1, worker: "node-b", now: retryAt).first)
            try await store.finish([Completion(token: token(second), outcome: .done, startedAt: retryAt)], now: retryAt.addingTimeInterval(1))
            let read = try #require(try await store.job(id: job.id)?.attempts)
            #expect(read.map(\.attempt) == [1, 2])
            #expect(read.map(\.outcome) == ["dlq", "done"])
            #expect(read.map(\.node) == ["node-a", "node-b"])
            #expect(read.map(\.error) == ["gave up", ""])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aBulkRetryRecordsTheLastAttemptOfEveryJobItTakesBack(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let admin = try #require(StoreCapabilities(of: store).administration)
            var jobs: [Job] = []
            for outcome in [Completion.Outcome.failed(error: "no"), .deadLetter(error: "gave up")] {
                let job = try await store.add(testJob("bulk", maxRetries: 0))
                let claimed = try #require(try await store.claim(1, worker: "node-a").first)
                try await store.finish([Completion(token: token(claimed), outcome: outcome)], now: testEpoch.addingTimeInterval(1))
                jobs.append(job)
            }
            var query = JobQuery(now: testEpoch)
            query.type = "bulk"
            let batch = try await admin.apply(.retry, toBatchOf: JobFilter(query), now: testEpoch.addingTimeInterval(5))
            #expect(batch.acted == 2)
            #expect(try await storedHistory(of: jobs[0], in: store).map(\.outcome) == ["failed"])
            #expect(try await storedHistory(of: jobs[1], in: store).map(\.outcome) == ["dlq"])
            #expect(try await storedHistory(of: jobs[1], in: store).map(\.error) == ["gave up"])
            #expect(try await store.job(id: jobs[1].id)?.attempts?.map(\.outcome) == ["dlq"])
        }
    }

    /// A lost attempt's record is stored (its outcome and node are not on the row), so neither a
    /// read nor a retry adds a second one for it.
    @Test(arguments: StoreKind.allCases)
    func aJobDeadLetteredByALostLeaseKeepsOneRecord(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob(maxRetries: 0))
            _ = try await store.claim(1, worker: "node-a")
            #expect(try await store.recoverExpiredLeases(now: testEpoch.addingTimeInterval(60)) == 1)
            let lost = try #require(try await store.job(id: job.id))
            #expect(lost.storedStatus == .dlq)
            #expect(lost.attempts?.map(\.outcome) == ["lost"])
            #expect(lost.attempts?.map(\.error) == ["lease expired"])

            _ = try await store.retry(id: job.id, now: testEpoch.addingTimeInterval(61))
            #expect(try await storedHistory(of: job, in: store).map(\.outcome) == ["lost"])
            let second = try #require(try await store.claim(1, worker: "node-b", now: testEpoch.addingTimeInterval(61)).first)
            try await store.finish([Completion(token: token(second), outcome: .done)], now: testEpoch.addingTimeInterval(62))
            #expect(try await store.job(id: job.id)?.attempts?.map(\.outcome) == ["lost", "done"])
        }
    }

    /// A history written before the last attempt became implicit ends with that attempt: it reads
    /// as it was stored, without a second record.
    @Test(arguments: StoreKind.allCases)
    func aHistoryThatRecordsTheLastAttemptReadsWithoutADuplicate(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob())
            let claimed = try #require(try await store.claim(1, worker: "node-a").first)
            try await store.finish([Completion(token: token(claimed), outcome: .done)], now: testEpoch.addingTimeInterval(1))
            let finishedMicros = Int64((testEpoch.timeIntervalSince1970 + 1) * 1_000_000)
            let record = #"[{"attempt":1,"node":"node-a","started_at_us":null,"finished_at_us":\#(finishedMicros),"outcome":"done","error":""}]"#
            // On PostgreSQL the done job has moved to `finished_jobs`.
            let table = kind == .postgres ? "finished_jobs" : "jobs"
            try await executeSQL("UPDATE \(table) SET attempts = '\(record)' WHERE seq = \(job.sequence)", on: store)
            #expect(try await storedHistory(of: job, in: store).map(\.outcome) == ["done"], "the record is planted")
            let read = try #require(try await store.job(id: job.id)?.attempts)
            #expect(read.map(\.outcome) == ["done"])
            #expect(read.map(\.attempt) == [1])
        }
    }

    /// The `attempts` column as stored, without the implicit last attempt.
    private func storedHistory(of job: Job, in store: any VesperStore) async throws -> [AttemptRecord] {
        let text: String
        switch store {
        case let store as SQLiteJobStore:
            text = try await store.pool.read { db in
                try String.fetchOne(db, sql: "SELECT attempts FROM jobs WHERE seq = ?", arguments: [job.sequence]) ?? ""
            }
        case let store as PostgresJobStore:
            // A done job is in `finished_jobs`.
            let rows = try await store.client.query(
                "SELECT attempts::text FROM jobs WHERE seq = \(job.sequence) UNION ALL SELECT attempts::text FROM finished_jobs WHERE seq = \(job.sequence)")
            var found = ""
            for try await value in rows.decode(String.self) { found = value }
            text = found
        default:
            Issue.record("unknown store \(store.displayName)")
            return []
        }
        return try AttemptRecord.fromStored(text, sequence: job.sequence, id: job.id)
    }

}
