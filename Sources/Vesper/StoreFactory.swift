import Logging
import VesperCore
import VesperPostgres
import VesperSQLite

/// Opens the store a configuration names and migrates it.
enum StoreFactory {
    static func open(_ database: VesperConfiguration.Database, logger: Logger, migrate: Bool = true) async throws -> any VesperStore {
        switch database {
        case .sqlite(let path):
            let store = try SQLiteJobStore(path: path)
            if migrate { try await store.migrate() }
            return store
        case .postgres(let settings):
            // The pool runs from now until `close()`, so the queue works before `Vesper.run()`.
            let store = try PostgresJobStore(settings: settings, logger: logger)
            store.startInBackground()
            if migrate {
                do {
                    try await store.migrate()
                } catch {
                    try? await store.close()
                    throw error
                }
            }
            return store
        }
    }
}
