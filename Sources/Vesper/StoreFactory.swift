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
            // The node's store is driven by its ServiceGroup once `run()` starts (queries made
            // before then wait for it). Migrations cannot wait, so a short-lived store runs them now.
            if migrate {
                let migrator = try PostgresJobStore(settings: settings, logger: logger)
                try await migrator.withRunning { try await migrator.migrate() }
            }
            return try PostgresJobStore(settings: settings, logger: logger)
        }
    }
}
