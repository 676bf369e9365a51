import Logging
import VesperCore
#if PostgreSQL
import VesperPostgres
#endif
import VesperSQLite

/// Opens the store a configuration names and migrates it.
enum StoreFactory {
    static func open(_ database: VesperConfiguration.Database, logger: Logger, migrate: Bool = true) async throws -> any VesperStore {
        switch database {
        case .sqlite(let path):
            let store = try SQLiteJobStore(path: path)
            try await prepare(store, migrate: migrate)
            return store
        #if PostgreSQL
        case .postgres(let settings):
            // The pool runs from now until `close()`, so the queue works before `Vesper.run()`.
            let store = try PostgresJobStore(settings: settings, logger: logger)
            // One line naming the server within DB_TIMEOUT, before the pool starts retrying.
            try await store.checkConnection()
            store.startInBackground()
            try await prepare(store, migrate: migrate)
            return store
        #endif
        }
    }

    /// Migrates, or (with `AUTO_MIGRATE=0`) checks that nothing is left to migrate; closes the
    /// store on failure.
    private static func prepare(_ store: any VesperStore, migrate: Bool) async throws {
        do {
            if migrate {
                try await store.migrate()
                return
            }
            let pending = try await store.pendingMigrations()
            guard pending.isEmpty else {
                throw ConfigurationError(
                    variable: "AUTO_MIGRATE",
                    message: "the database schema is not up to date (missing \(pending.joined(separator: ", "))); run `vesper migrate`")
            }
        } catch {
            try? await store.close()
            throw error
        }
    }
}
