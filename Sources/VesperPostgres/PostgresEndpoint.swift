import Foundation

/// One server a node may connect to: a host and port, or a Unix socket directory.
///
/// `DB_HOST` (and the host part of `DATABASE_URL`) may list several, separated by commas
/// (`pg-a,pg-b:5433`): the node uses the one that accepts writes, as libpq does with
/// `target_session_attrs=read-write`, and finds it again after a failover.
public struct PostgresEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A host name or address, or a Unix socket directory (starting with `/`).
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Whether `host` names a Unix socket directory rather than a network host.
    public var isUnixSocket: Bool { host.hasPrefix("/") }

    public var description: String { isUnixSocket ? host : (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)") }

    /// Why a host list cannot be read.
    public struct ListError: Error, Sendable {
        public var message: String
    }

    /// Reads `host[:port]` entries separated by commas; an entry without a port gets `defaultPort`.
    /// IPv6 addresses with a port are written in brackets (`[::1]:5432`); a Unix socket directory
    /// (`/run/postgresql`) takes no port.
    public static func parseList(_ text: String, defaultPort: Int) throws(ListError) -> [PostgresEndpoint] {
        var endpoints: [PostgresEndpoint] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { throw ListError(message: "'\(text)' has an empty host entry") }
            let endpoint = try parse(entry, defaultPort: defaultPort)
            if !endpoints.contains(endpoint) { endpoints.append(endpoint) }
        }
        return endpoints
    }

    private static func parse(_ entry: String, defaultPort: Int) throws(ListError) -> PostgresEndpoint {
        if entry.hasPrefix("/") { return PostgresEndpoint(host: entry, port: defaultPort) }
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { throw ListError(message: "'\(entry)' has no closing ]") }
            let host = String(entry[entry.index(after: entry.startIndex)..<close])
            let rest = entry[entry.index(after: close)...]
            guard !host.isEmpty else { throw ListError(message: "'\(entry)' has an empty host") }
            if rest.isEmpty { return PostgresEndpoint(host: host, port: defaultPort) }
            guard rest.hasPrefix(":") else { throw ListError(message: "'\(entry)': expected :port after ]") }
            return PostgresEndpoint(host: host, port: try port(String(rest.dropFirst()), in: entry))
        }
        let colons = entry.filter { $0 == ":" }.count
        // A bare IPv6 address (two or more colons) has no port.
        guard colons == 1, let colon = entry.firstIndex(of: ":") else { return PostgresEndpoint(host: entry, port: defaultPort) }
        let host = String(entry[..<colon])
        guard !host.isEmpty else { throw ListError(message: "'\(entry)' has an empty host") }
        return PostgresEndpoint(host: host, port: try port(String(entry[entry.index(after: colon)...]), in: entry))
    }

    private static func port(_ text: String, in entry: String) throws(ListError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw ListError(message: "'\(entry)': port must be an integer from 1 to 65535")
        }
        return port
    }
}
