import GRDB
import GRDBSQLite
import Testing
import VesperTestSupport

@testable import VesperSQLite

/// A `201` must survive a power cut: the connection that commits has to fsync every commit.
@Suite("SQLite durability")
struct SQLiteDurabilityTests {
    @Test func theWriterSyncsEveryCommit() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteJobStore(path: directory.file("durable.db"))
            try await store.migrate()
            // 2 is FULL; GRDB's WAL set-up would otherwise leave the writer at NORMAL (1).
            let mode = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(mode == 2)
            let journal = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(journal == "wal")
            try await store.close()
        }
    }

    /// SQLite's memory statistics take a process-wide mutex on every allocation; the store turns
    /// them off before its first connection opens, so SQLite stops counting its memory.
    @Test func sqliteKeepsNoMemoryStatistics() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteJobStore(path: directory.file("modes.db"))
            try await store.migrate()
            #expect(SQLiteJobStore.memoryStatistics == SQLITE_OK, "SQLite was initialised in this process before the first store")
            try await store.add(testJob())
            #expect(sqlite3_memory_used() == 0)
            try await store.close()
        }
    }
}
