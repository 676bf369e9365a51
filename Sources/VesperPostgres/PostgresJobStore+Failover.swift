import Foundation
import Logging
import PostgresNIO
import VesperCore

/// The pool a store uses: the server it connects to, and whether that server is known to accept writes.
struct ActivePool: Sendable {
    var endpoint: PostgresEndpoint
    var client: PostgresClient
    var writable: Bool
}

/// What a probe found a server to be.
enum ServerRole: Sendable, Equatable {
    /// Accepts writes: not in recovery and not `default_transaction_read_only`.
    case primary
    /// Answers, but read-only (a standby, or a server set read-only).
    case readOnly
    /// Did not answer (refused, timed out, failed to authenticate).
    case unreachable(String)
}

extension PostgresJobStore {
    /// How often the primary is probed, and the pause between scans while there is none.
    static let primaryProbeInterval: Duration = .seconds(1)

    /// Finds and follows the primary among several hosts, for as long as the store runs.
    ///
    /// postgres-nio's pool connects to one host, so host selection is done here, around it: each
    /// host is probed in the configured order over a connection of its own, and the first that
    /// accepts writes (libpq's `target_session_attrs=read-write`: not in recovery, not read-only)
    /// gets a pool. The primary is probed every second; when it stops answering or turns read-only
    /// the store stops using it (operations wait for a primary within `DB_TIMEOUT`, then fail as
    /// `unavailable`, so `POST /jobs` answers 503 and `/ready` 503) and scans the hosts again
    /// until one accepts writes: after a failover tool promoted a standby, the node finds it by
    /// itself. A pool to a server that is no longer used is shut down.
    func followPrimary() async {
        await withTaskGroup(of: Void.self) { group in
            var running: (endpoint: PostgresEndpoint, stop: AsyncStream<Void>.Continuation)?
            var probe: (endpoint: PostgresEndpoint, connection: PostgresConnection)?
            var lostLogged = false
            defer { running?.stop.finish() }
            while !Task.isCancelled {
                // Probe the current primary first; only a scan may change it.
                if let current = running, active.withLock({ $0.writable }) {
                    let (role, connection) = await Self.probe(
                        current.endpoint, reusing: probe?.connection, settings: settings, logger: logger)
                    probe = connection.map { (current.endpoint, $0) }
                    if role == .primary {
                        try? await Task.sleep(for: Self.primaryProbeInterval)
                        continue
                    }
                    active.withLock { $0.writable = false }
                    logger.warning(
                        "PostgreSQL primary lost; looking for a new one",
                        metadata: ["vesper_db_host": "\(current.endpoint)", "vesper_db_role": "\(role)"])
                    lostLogged = true
                }
                if let old = probe?.connection {
                    try? await old.close()
                    probe = nil
                }
                var roles: [String] = []
                var found: PostgresEndpoint?
                for endpoint in settings.endpoints {
                    let (role, connection) = await Self.probe(endpoint, reusing: nil, settings: settings, logger: logger)
                    roles.append("\(endpoint): \(role)")
                    if role == .primary {
                        found = endpoint
                        probe = connection.map { (endpoint, $0) }
                        break
                    }
                    try? await connection?.close()
                }
                guard let found else {
                    if !lostLogged {
                        logger.warning("no PostgreSQL host accepts writes yet", metadata: ["vesper_db_hosts": "\(roles.joined(separator: "; "))"])
                        lostLogged = true
                    }
                    try? await Task.sleep(for: Self.primaryProbeInterval)
                    continue
                }
                if running?.endpoint != found {
                    running?.stop.finish()
                    let client: PostgresClient
                    if active.withLock({ $0.endpoint == found }) && running == nil {
                        // The pool made in `init` already points at it and has not run yet.
                        client = self.client
                    } else {
                        do {
                            client = PostgresClient(configuration: try settings.clientConfiguration(endpoint: found), backgroundLogger: logger)
                        } catch {
                            logger.error("cannot configure a pool for \(found): \(PostgresErrorText.describe(error))")
                            try? await Task.sleep(for: Self.primaryProbeInterval)
                            continue
                        }
                    }
                    let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
                    group.addTask {
                        await withTaskGroup(of: Void.self) { pool in
                            pool.addTask { await client.run() }
                            pool.addTask { for await _ in stopped {} }
                            await pool.next()
                            pool.cancelAll()
                        }
                    }
                    running = (found, stop)
                    active.withLock { $0 = ActivePool(endpoint: found, client: client, writable: true) }
                } else {
                    active.withLock { $0.writable = true }
                }
                lostLogged = false
                logger.notice("using PostgreSQL primary", metadata: ["vesper_db_host": "\(found)"])
            }
            if let connection = probe?.connection { try? await connection.close() }
            group.cancelAll()
        }
    }

    /// Waits until the store uses a server known to accept writes. Returns at once with one host.
    /// Runs inside ``perform(timeout:_:)``'s deadline, which cancels it.
    func waitForPrimary() async throws {
        while !active.withLock({ $0.writable }) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Asks `endpoint` whether it accepts writes, over `connection` when given (it is kept between
    /// probes of the same server), else over a new one. Returns the connection to keep, if any.
    static func probe(
        _ endpoint: PostgresEndpoint, reusing kept: PostgresConnection?, settings: PostgresSettings, logger: Logger
    ) async -> (ServerRole, PostgresConnection?) {
        var quiet = logger
        quiet.logLevel = .critical
        let probeLogger = quiet
        let limit = min(settings.operationTimeout, .seconds(2))
        do {
            let connection: PostgresConnection
            if let kept {
                connection = kept
            } else {
                var configuration = try settings.connectionConfiguration(endpoint: endpoint, applicationName: "vesper-probe")
                // The driver's own connect timeout, not a `Deadline`: a connection that arrived after
                // the deadline would be dropped unclosed.
                configuration.options.connectTimeout = .milliseconds(max(100, Int64(limit / .milliseconds(1))))
                connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: probeLogger)
            }
            do {
                let writable = try await Deadline.run(limit) {
                    let rows = try await connection.query(
                        "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'", logger: probeLogger)
                    var writable = false
                    for try await value in rows.decode(Bool.self) { writable = value }
                    return writable
                }
                return (writable ? .primary : .readOnly, connection)
            } catch {
                try? await connection.close()
                throw error
            }
        } catch let error as Deadline.Exceeded {
            return (.unreachable("\(error)"), nil)
        } catch {
            return (.unreachable(PostgresErrorText.describe(error)), nil)
        }
    }
}
