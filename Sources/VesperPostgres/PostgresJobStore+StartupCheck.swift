import Logging
import PostgresNIO
import VesperCore

extension PostgresJobStore {
    /// Opens one connection outside the pool and closes it, within `DB_TIMEOUT`.
    ///
    /// A node starting while PostgreSQL is down or refuses it learns so at once, in one line that
    /// names the server, instead of after the pool's circuit breaker (about a minute of driver
    /// errors ending in `connectionCreationCircuitBreakerTripped`).
    ///
    /// - Throws: ``VesperError`` (`unavailable`) naming host, port, database, user and the cause.
    public func checkConnection() async throws {
        let settings = self.settings
        let place = "\(settings.description) (DB_HOST/DATABASE_URL)"
        var quiet = Logger(label: "vesper.postgres.startup")
        quiet.logLevel = .critical
        let logger = quiet
        if settings.endpoints.count > 1 {
            try await checkHosts()
            return
        }
        do {
            let configuration = try settings.connectionConfiguration()
            try await Deadline.run(settings.operationTimeout) {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                try await connection.close()
            }
        } catch let error as Deadline.Exceeded {
            throw VesperError(.unavailable, "cannot reach PostgreSQL at \(place): \(error) (DB_TIMEOUT)")
        } catch {
            let cause = PostgresErrorText.describe(error)
            let short = cause.contains("Connection refused") ? "connection refused" : cause
            throw VesperError(.unavailable, "cannot reach PostgreSQL at \(place): \(short)")
        }
    }

    /// With several hosts: at least one must accept writes (libpq's `target_session_attrs=read-write`).
    /// The error names each host and what it was found to be.
    private func checkHosts() async throws {
        var findings: [String] = []
        for endpoint in settings.endpoints {
            let (role, connection) = await Self.probe(endpoint, reusing: nil, settings: settings, logger: logger)
            try? await connection?.close()
            if role == .primary { return }
            switch role {
            case .readOnly: findings.append("\(endpoint) is read-only")
            case .unreachable(let cause):
                findings.append("\(endpoint): \(cause.contains("Connection refused") ? "connection refused" : cause)")
            case .primary: break
            }
        }
        throw VesperError(
            .unavailable,
            "no PostgreSQL host accepts writes (DB_HOST/DATABASE_URL, user \(settings.user), database \(settings.database)): "
                + findings.joined(separator: "; "))
    }
}
