import Foundation
import PostgresNIO
import VesperCore

extension PostgresSettings {
    /// The socket file to connect to when `endpoint` is a Unix socket directory.
    ///
    /// The setting names a directory, as libpq's `host=/dir` does; PostgreSQL names the socket inside
    /// it `.s.PGSQL.<port>`. A path that already names the socket file is used as is.
    static func socketFilePath(_ endpoint: PostgresEndpoint) -> String? {
        guard endpoint.isUnixSocket else { return nil }
        let path = endpoint.host
        if (path as NSString).lastPathComponent.hasPrefix(".s.PGSQL.") { return path }
        return (path as NSString).appendingPathComponent(".s.PGSQL.\(endpoint.port)")
    }

    /// The pool configuration for `PostgresClient` to `endpoint` (the first of ``endpoints`` by
    /// default): credentials, TLS and pool size.
    ///
    /// The pool's sessions run with bitmap scans off. Every statement of the store is written to
    /// walk one index in order (claims and rank reads walk `jobs_claimable` and stop at their
    /// limit), and on a table whose statistics are missing or stale, as in a burst on a new or
    /// long-idle queue, the planner guesses that almost no job is pending and instead reads every
    /// pending job through a bitmap and sorts them: 3-10 ms a claim at a few thousand pending jobs,
    /// and half the drain rate (BENCHMARKS.md, "Claims that sort the backlog").
    ///
    /// They also run with JIT compilation off. The planner's costs grow with the tables, not with
    /// the rows a statement reads, so once `finished_jobs` holds millions of rows a listing page
    /// that reads a few index entries is costed past `jit_above_cost`: a 50-job page took 26 ms
    /// with JIT and 0.5 ms without. No statement of the store runs long enough to gain from it.
    func clientConfiguration(endpoint: PostgresEndpoint? = nil) throws -> PostgresClient.Configuration {
        let endpoint = endpoint ?? endpoints[0]
        var configuration: PostgresClient.Configuration
        if let socket = Self.socketFilePath(endpoint) {
            configuration = PostgresClient.Configuration(
                unixSocketPath: socket, username: user, password: password, database: database)
        } else {
            configuration = PostgresClient.Configuration(
                host: endpoint.host, port: endpoint.port, username: user, password: password, database: database, tls: try clientTLS())
        }
        configuration.options.maximumConnections = maxConnections
        configuration.options.additionalStartupParameters = [
            ("TimeZone", timeZone), ("application_name", "vesper"), ("enable_bitmapscan", "off"),
            ("jit", "off"),
        ]
        return configuration
    }

    /// The single-connection configuration used by the LISTEN connection, which lives outside the pool
    /// so a long-lived listener never holds one of the pool's slots; also the probes that find the
    /// primary among several hosts.
    func connectionConfiguration(
        endpoint: PostgresEndpoint? = nil, applicationName: String = "vesper-listener"
    ) throws -> PostgresConnection.Configuration {
        let endpoint = endpoint ?? endpoints[0]
        var configuration: PostgresConnection.Configuration
        if let socket = Self.socketFilePath(endpoint) {
            configuration = PostgresConnection.Configuration(
                unixSocketPath: socket, username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch sslMode {
            case .disable: tls = .disable
            case .require, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration()))
            }
            configuration = PostgresConnection.Configuration(
                host: endpoint.host, port: endpoint.port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.additionalStartupParameters = [("TimeZone", timeZone), ("application_name", applicationName)]
        return configuration
    }

    /// `disable`: plain TCP. `require`: TLS without certificate checks (libpq's meaning).
    /// `verify-full`: TLS with the system trust roots and a host name check.
    private func clientTLS() throws -> PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .require, .verifyFull: .require(tlsConfiguration())
        }
    }

    private func tlsConfiguration() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if sslMode == .require {
            tls.certificateVerification = .none
        } else {
            tls.certificateVerification = .fullVerification
        }
        return tls
    }
}
