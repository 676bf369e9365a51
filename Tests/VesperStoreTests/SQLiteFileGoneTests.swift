import Foundation
import Testing
import VesperCore
import VesperSQLite
import VesperTestSupport

/// Deleting or replacing the database file under a running node once left it answering 201 for
/// jobs written to an unlinked file, and `/ready` 200. Now every operation notices.
@Suite("SQLite file removed under a running store")
struct SQLiteFileGoneTests {
    @Test func deletedFileFailsPingAndEnqueue() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("vesper.db")
            let store = try SQLiteJobStore(path: path)
            try await store.migrate()
            try await store.add(testJob("before"))
            try await store.ping()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            await #expect(throws: VesperError.self) { try await store.ping() }
            let error = await #expect(throws: VesperError.self) { try await store.enqueue([testJob("after")], now: testEpoch) }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("deleted or replaced") == true)
            try? await store.close()
        }
    }

    @Test func replacedFileFailsToo() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("vesper.db")
            let store = try SQLiteJobStore(path: path)
            try await store.migrate()
            try FileManager.default.moveItem(atPath: path, toPath: path + ".moved")
            _ = FileManager.default.createFile(atPath: path, contents: Data())
            let error = await #expect(throws: VesperError.self) { _ = try await store.claim(10) }
            #expect(error?.code == .unavailable)
            try? await store.close()
        }
    }
}
