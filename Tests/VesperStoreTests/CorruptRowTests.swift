import Foundation
import PostgresNIO
import Testing
import VesperCore
import VesperPostgres
@testable import VesperSQLite
import VesperTestSupport

/// A row that cannot be read surfaces as an error naming it; it never becomes a different job.
@Suite("Corrupt rows")
struct CorruptRowTests {
    @Test(arguments: StoreKind.allCases)
    func anUnknownStatusIsAnErrorNamingTheRow(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob())
            if kind == .postgres { try await executeSQL("ALTER TABLE jobs DROP CONSTRAINT jobs_status_check", on: store) }
            try await executeSQL("UPDATE jobs SET status = 'bogus' WHERE seq = \(job.sequence)", on: store)

            let error = try #require(await #expect(throws: VesperError.self) { try await store.job(id: job.id) })
            #expect(error.code == .corruptRow)
            #expect(error.message.contains("status"))
            #expect(error.message.contains("\"bogus\""))
            #expect(error.message.contains("seq \(job.sequence)"))
            #expect(error.message.contains(job.id.lowercaseText))
            await #expect(throws: VesperError.self) { try await store.listJobs(JobQuery(now: testEpoch)) }
        }
    }

    /// PostgreSQL stores ids as `uuid`, so only SQLite can hold an unreadable one.
    @Test func anUnreadableIdIsAnErrorNamingTheRow() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob())
            try await executeSQL("UPDATE jobs SET id = 'not-a-uuid' WHERE seq = \(job.sequence)", on: store)

            let error = try #require(await #expect(throws: VesperError.self) { try await store.listJobs(JobQuery(now: testEpoch)) })
            #expect(error.code == .corruptRow)
            #expect(error.message.contains("id: \"not-a-uuid\""))
            #expect(error.message.contains("seq \(job.sequence)"))
            // A claim reads the id too: the job is not handed out under a made-up id.
            await #expect(throws: VesperError.self) { try await store.claim(1) }
        }
    }

}
