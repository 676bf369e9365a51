import VesperCore
import VesperPostgres

extension PostgresSettings {
    /// The `DB_*` variables that point a `vesper` process at this server.
    public var environment: [String: String] {
        var variables = ["DB_HOST": unixSocketPath ?? host, "DB_PORT": String(port), "DB_USER": user, "DB_NAME": database]
        if let password { variables["DB_PASSWORD"] = password }
        return variables
    }
}
