import Foundation
import Testing
import VesperCore
import VesperPostgres
import VesperSQLite
import VesperTestSupport

/// `pendingMigrations()`, which lets a node started with `AUTO_MIGRATE=0` refuse an old schema.
@Suite("Migration state")
struct MigrationStateTests {
    @Test func sqliteReportsWhatIsLeftToMigrate() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteJobStore(path: directory.file("fresh.db"))
            let before = try await store.pendingMigrations()
            #expect(before.first == "v1-jobs")
            #expect(before.count >= 4)
            try await store.migrate()
            #expect(try await store.pendingMigrations().isEmpty)
            try await store.close()
        }
    }

    @Test func postgresReportsWhatIsLeftToMigrate() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                let before = try await store.pendingMigrations()
                #expect(before.first == "1-jobs")
                #expect(before.count >= 4)
                try await store.migrate()
                #expect(try await store.pendingMigrations().isEmpty)
            }
        }
    }
}
