import Foundation
import VesperCore
import VesperPostgres

/// A primary and a streaming standby of a test's own, with synchronous replication: a commit the
/// primary acknowledges is on the standby too. The test may kill the primary and promote the
/// standby (failover tests). Each server listens on a Unix socket in its own directory.
public final class ReplicatedPostgresServers: Sendable {
    /// The primary's socket directory (port 5432).
    public let primaryDirectory: String
    /// The standby's socket directory (port 5432).
    public let standbyDirectory: String
    private let binaries: String
    private let prefix: [String]

    /// Creates and starts both servers: `initdb` and start the primary (`synchronous_standby_names = '*'`),
    /// `pg_basebackup -R` into the standby's directory, start the standby, and wait until it streams
    /// synchronously.
    public init() async throws {
        binaries = try ThrowawayServer.findBinaries()
        let runAs = try ThrowawayServer.userPrefix()
        prefix = runAs.prefix
        primaryDirectory = try ThrowawayServer.makeDirectory(owner: runAs.owner)
        standbyDirectory = try ThrowawayServer.makeDirectory(owner: runAs.owner)
        for directory in [primaryDirectory, standbyDirectory] {
            Cleanup.startWatchdog(stopCommand: prefix + ["\(binaries)/pg_ctl", "-D", "\(directory)/data", "stop", "-m", "immediate"], directory: directory)
        }
        try await ThrowawayServer.run(
            prefix + [
                "\(binaries)/initdb", "-D", "\(primaryDirectory)/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
            ],
            log: "\(primaryDirectory)/initdb.log", what: "initdb")
        try await start(primaryDirectory, extra: "-c synchronous_standby_names='*' -c synchronous_commit=on")
        try await ThrowawayServer.run(
            prefix + [
                "\(binaries)/pg_basebackup", "-D", "\(standbyDirectory)/data", "-h", primaryDirectory, "-p", "5432", "-U", "postgres", "-R",
                "-X", "stream", "--no-sync",
            ],
            log: "\(standbyDirectory)/basebackup.log", what: "pg_basebackup")
        try await start(standbyDirectory, extra: "")
        try await waitUntil(timeout: .seconds(60), every: .milliseconds(100), "the standby to stream synchronously") {
            let (status, output) = try await self.psql(self.primaryDirectory, "SELECT sync_state FROM pg_stat_replication")
            return status == 0 && output.contains("sync")
        }
    }

    /// Settings for the `postgres` database on the server in `directory`.
    public func settings(_ directory: String) -> PostgresSettings {
        var settings = PostgresSettings(host: "localhost")
        settings.unixSocketPath = directory
        settings.port = 5432
        settings.user = "postgres"
        settings.database = "postgres"
        return settings
    }

    /// Kills the primary (`pg_ctl stop -m immediate`: every connection dropped, like a crash).
    public func killPrimary() async throws {
        try await ThrowawayServer.run(
            prefix + ["\(binaries)/pg_ctl", "-D", "\(primaryDirectory)/data", "stop", "-m", "immediate", "-w"],
            log: "\(primaryDirectory)/pg_ctl-stop.log", what: "pg_ctl stop")
    }

    /// Promotes the standby to primary and waits until it accepts writes.
    public func promoteStandby() async throws {
        try await ThrowawayServer.run(
            prefix + ["\(binaries)/pg_ctl", "-D", "\(standbyDirectory)/data", "promote", "-w", "-t", "120"],
            log: "\(standbyDirectory)/pg_ctl-promote.log", what: "pg_ctl promote")
    }

    /// Stops both servers and removes their files.
    public func destroy() async {
        for directory in [primaryDirectory, standbyDirectory] {
            try? await ThrowawayServer.run(
                prefix + ["\(binaries)/pg_ctl", "-D", "\(directory)/data", "stop", "-m", "immediate", "-w"],
                log: "\(directory)/pg_ctl-destroy.log", what: "pg_ctl stop")
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    private func start(_ directory: String, extra: String) async throws {
        let options = "-c listen_addresses='' -k \(directory) -p 5432 -c fsync=off -c max_connections=100 \(extra)"
        try await ThrowawayServer.run(
            prefix + ["\(binaries)/pg_ctl", "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "120", "-o", options, "start"],
            log: "\(directory)/pg_ctl.log", what: "pg_ctl start")
    }

    /// Runs one query with `psql` against the server in `directory`; returns exit status and output.
    private func psql(_ directory: String, _ query: String) async throws -> (Int32, String) {
        let log = "\(directory)/psql-\(UUID().uuidString.prefix(8)).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        do {
            try await ThrowawayServer.run(
                prefix + ["\(binaries)/psql", "-h", directory, "-p", "5432", "-U", "postgres", "-d", "postgres", "-Atc", query], log: log, what: "psql")
            return (0, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        } catch {
            return (1, "\(error)")
        }
    }
}
