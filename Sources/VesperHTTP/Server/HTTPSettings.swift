import VesperCore

/// A host and port to listen on; port 0 picks a free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// HTTP server settings.
public struct HTTPSettings: Sendable, Equatable {
    /// Time allowed to receive a request's headers. Defaults to 5s.
    public var readHeaderTimeout: Duration = .seconds(5)
    /// Time allowed to receive a whole request. Defaults to 30s.
    public var readTimeout: Duration = .seconds(30)
    /// Time allowed to produce and send a response. Defaults to 30s.
    public var writeTimeout: Duration = .seconds(30)
    /// Time an idle keep-alive connection stays open. Defaults to 120s.
    public var idleTimeout: Duration = .seconds(120)
    /// Largest accepted request body. Defaults to 1 MiB.
    public var maxBodyBytes: Int = 1 << 20

    public init() {}
}

extension ListenAddress {
    /// Parses `:8080`, `127.0.0.1:8080`, `localhost:0` or `[::1]:8080`.
    public static func parse(_ text: String, variable: String) throws(ConfigurationError) -> ListenAddress {
        let invalid = ConfigurationError(variable: variable, message: "'\(text)' is not an address like :8080 or 127.0.0.1:8080")
        guard let colon = text.lastIndex(of: ":") else { throw invalid }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { throw invalid }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        guard !host.contains(where: { $0 == " " || $0 == "/" }) else { throw invalid }
        return ListenAddress(host: host, port: port)
    }
}
