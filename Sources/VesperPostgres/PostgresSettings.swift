import VesperCore

/// How to reach PostgreSQL. `description` never shows the password.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, require
        case verifyFull = "verify-full"
    }

    /// One host, or several separated by commas (`pg-a,pg-b:5433`, see ``endpoints``).
    public var host: String
    /// The port of hosts that name none. Defaults to 5432.
    public var port: Int = 5432
    public var user: String = "postgres"
    public var password: String? = nil
    public var database: String = "vesper"
    public var sslMode: SSLMode = .disable
    /// Session time zone. Defaults to UTC.
    public var timeZone: String = "UTC"
    /// Connection pool size. Defaults to 10.
    public var maxConnections: Int = 10
    /// How long an operation may wait for the server before it fails as unavailable. Defaults to 10s.
    public var operationTimeout: Duration = .seconds(10)
    /// Unix socket directory, used instead of host/port when set (tests).
    public var unixSocketPath: String? = nil

    public init(host: String) {
        self.host = host
    }

    /// The servers to connect to, in the order they are tried: `unixSocketPath` alone when set,
    /// else the entries of `host`. With more than one the store connects to the one that accepts
    /// writes and follows it through failovers (``PostgresJobStore``).
    public var endpoints: [PostgresEndpoint] {
        if let unixSocketPath { return [PostgresEndpoint(host: unixSocketPath, port: port)] }
        let list = (try? PostgresEndpoint.parseList(host, defaultPort: port)) ?? []
        return list.isEmpty ? [PostgresEndpoint(host: host, port: port)] : list
    }

    public var description: String {
        if let unixSocketPath { return "postgres \(user)@\(unixSocketPath)/\(database)" }
        return "postgres \(user)@\(endpoints.map(\.description).joined(separator: ","))/\(database)"
    }
}
