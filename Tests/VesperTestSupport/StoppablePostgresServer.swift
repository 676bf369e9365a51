import Foundation
import VesperCore
import VesperPostgres

/// A PostgreSQL server of a test's own, which the test may stop and start again (outage tests).
/// The shared server of ``PostgresTestServer`` must never be stopped; this one is private.
public final class StoppablePostgresServer: Sendable {
    public let settings: PostgresSettings
    private let pgCtl: [String]
    private let directory: String

    /// Creates and starts a server with a `vesper` database, on a Unix socket in a fresh directory.
    public init() async throws {
        let binaries = try ThrowawayServer.findBinaries()
        let runAs = try ThrowawayServer.userPrefix()
        directory = try ThrowawayServer.makeDirectory(owner: runAs.owner)
        let data = "\(directory)/data"
        pgCtl = runAs.prefix + ["\(binaries)/pg_ctl", "-D", data]
        // Stops the server and removes its files when the test process ends, however it ends: a
        // test that fails before `destroy()` must not leave a server running.
        Cleanup.startWatchdog(stopCommand: pgCtl + ["stop", "-m", "immediate"], directory: directory)
        try await ThrowawayServer.run(
            runAs.prefix + ["\(binaries)/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            log: "\(directory)/initdb.log", what: "initdb")
        var settings = PostgresSettings(host: "localhost")
        settings.unixSocketPath = directory
        settings.port = 5432
        settings.user = "postgres"
        settings.database = "postgres"
        self.settings = settings
        try await start()
    }

    /// Starts (or restarts) the server and waits until it accepts connections.
    public func start() async throws {
        let options = "-c listen_addresses='' -k \(directory) -p 5432 -c fsync=off -c max_connections=100"
        try await ThrowawayServer.run(
            pgCtl + ["-l", "\(directory)/server.log", "-w", "-t", "120", "-o", options, "start"], log: "\(directory)/pg_ctl.log",
            what: "pg_ctl start")
    }

    /// Stops the server at once, dropping every connection (`-m immediate`: like a crash).
    public func stop() async throws {
        try await ThrowawayServer.run(pgCtl + ["stop", "-m", "immediate", "-w"], log: "\(directory)/pg_ctl-stop.log", what: "pg_ctl stop")
    }

    /// Stops the server if it runs and removes its files.
    public func destroy() async {
        try? await stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
