import Logging
import VesperCore
import VesperSQLite

/// Opens the store a configuration names and migrates it.
enum StoreFactory {
    static func open(_ database: VesperConfiguration.Database, logger: Logger, migrate: Bool = true) async throws -> any VesperStore {
        switch database {
        case .sqlite(let path):
            let store = try SQLiteJobStore(path: path)
            if migrate { try await store.migrate() }
            return store
        case .postgres:
            throw ConfigurationError(variable: "DB_HOST", message: "the PostgreSQL store is not available in this build yet")
        }
    }
}
