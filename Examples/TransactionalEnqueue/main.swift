import Foundation
import Logging
import PostgresNIO
import Vesper
import VesperPostgres

// Your application's PostgreSQL, which Vesper shares (DB_HOST or DATABASE_URL).
do {
    let configuration = try await VesperConfiguration.fromEnvironment()
    guard case .postgres(let settings) = configuration.database else {
        throw ConfigurationError(variable: "DB_HOST", message: "transactional enqueue needs PostgreSQL")
    }
    let logger = Logger(label: "shop")
    let store = try PostgresJobStore(settings: settings, logger: logger)
    try await store.withRunning {
        try await store.migrate()
        let queue = JobQueue(store: store)
        // The order and its receipt job commit together, or neither does.
        try await store.client.withTransaction(logger: logger) { connection in
            try await connection.query("CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, total int)", logger: logger)
            try await connection.query("INSERT INTO orders (total) VALUES (4200)", logger: logger)
            _ = try await store.enqueue([queue.newJob(type: "send_receipt")], on: connection)
        }
    }
} catch {
    FileHandle.standardError.write(Data("shop: \(error)\n".utf8))
    exit(1)
}
