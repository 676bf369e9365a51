import Foundation
import Logging
import PostgresNIO
import Synchronization
import VesperCore
import VesperPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the test PostgreSQL server could not be provided. The message says how to fix it.
public struct PostgresTestServerError: Error, CustomStringConvertible {
    public var description: String
}

/// The PostgreSQL server the tests of one process share, each test in its own database.
///
/// With `TEST_DATABASE_URL` set (`postgres://user:password@host:port/db`) that server is used.
/// Otherwise the first test to ask starts a throwaway server: `initdb` into a fresh temp
/// directory, `pg_ctl start` listening only on a Unix socket in that directory, `fsync=off`. When
/// running as root the server runs as the `postgres` OS user, as PostgreSQL requires. The server
/// is stopped (`pg_ctl stop -m immediate`) and its directory removed at process exit; a small
/// watchdog shell does the same if the test process dies without running exit handlers.
public final class PostgresTestServer: Sendable {
    /// Settings for the server's maintenance database; ``createDatabase()`` derives per-test ones.
    public let settings: PostgresSettings

    private init(settings: PostgresSettings) {
        self.settings = settings
    }

    /// The process-wide server, started on first use. Concurrent callers share one start-up.
    public static func shared() async throws -> PostgresTestServer {
        try await sharedStart.value
    }

    // A static `let` is initialised exactly once, thread-safely: one start-up per process.
    private static let sharedStart = Task { try await PostgresTestServer.start() }

    /// A logger for stores under test: warnings and worse only, so test output stays readable.
    public static let logger: Logger = {
        var logger = Logger(label: "vesper.test.postgres")
        logger.logLevel = .warning
        return logger
    }()

    // MARK: Databases

    /// Creates an empty database with a random name and returns settings that point at it.
    public func createDatabase() async throws -> PostgresSettings {
        let name = "vesper_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        // Identifiers cannot be bind parameters; `name` is only [a-z0-9_] and built here.
        try await admin("CREATE DATABASE \(unescaped: name)")
        var database = settings
        database.database = name
        return database
    }

    /// Drops a database made by ``createDatabase()``, disconnecting anyone still on it.
    public func dropDatabase(_ name: String) async throws {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw PostgresTestServerError(description: "refusing to drop database with unexpected name \(name)")
        }
        try await admin("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
    }

    /// Runs `body` with a fresh database, dropped afterwards.
    public func withDatabase<T>(_ body: (PostgresSettings) async throws -> T) async throws -> T {
        let database = try await createDatabase()
        do {
            let result = try await body(database)
            try? await dropDatabase(database.database)
            return result
        } catch {
            try? await dropDatabase(database.database)
            throw error
        }
    }

    /// Runs one statement on the maintenance database over a short-lived connection.
    private func admin(_ query: PostgresQuery) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: Self.connectionConfiguration(settings), id: 0, logger: Self.logger)
        do {
            try await connection.query(query, logger: Self.logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw PostgresTestServerError(description: "test database setup failed: \(String(reflecting: error))")
        }
    }

    static func connectionConfiguration(_ settings: PostgresSettings) throws -> PostgresConnection.Configuration {
        if let directory = settings.unixSocketPath {
            return PostgresConnection.Configuration(
                unixSocketPath: "\(directory)/.s.PGSQL.\(settings.port)", username: settings.user, password: settings.password,
                database: settings.database)
        }
        var tls = PostgresConnection.Configuration.TLS.disable
        if settings.sslMode != .disable {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if settings.sslMode == .require { configuration.certificateVerification = .none }
            tls = .require(try NIOSSLContext(configuration: configuration))
        }
        return PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: tls)
    }

    // MARK: Start-up

    private static func start() async throws -> PostgresTestServer {
        if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
            return PostgresTestServer(settings: try settings(fromURL: url))
        }
        return PostgresTestServer(settings: try await ThrowawayServer.start())
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=...`.
    static func settings(fromURL url: String) throws -> PostgresSettings {
        guard let components = URLComponents(string: url), components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw PostgresTestServerError(description: "TEST_DATABASE_URL must look like postgres://user:password@host:5432/postgres")
        }
        var settings = PostgresSettings(host: host)
        if let port = components.port { settings.port = port }
        if let user = components.user, !user.isEmpty { settings.user = user }
        settings.password = components.password
        let name = components.path.drop { $0 == "/" }
        settings.database = name.isEmpty ? "postgres" : String(name)
        if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
            guard let parsed = PostgresSettings.SSLMode(rawValue: mode) else {
                throw PostgresTestServerError(description: "TEST_DATABASE_URL sslmode must be disable, require or verify-full")
            }
            settings.sslMode = parsed
        }
        return settings
    }
}

/// Starts and stops the per-process server. See ``PostgresTestServer``.
enum ThrowawayServer {
    static let port = 5432

    static func start() async throws -> PostgresSettings {
        let binaries = try findBinaries()
        let runAs = try userPrefix()
        let directory = try makeDirectory(owner: runAs.owner)
        let data = "\(directory)/data"
        let pgCtl = "\(binaries)/pg_ctl"

        // Registered before anything is started, so a failing start-up still cleans up.
        Cleanup.register(stopCommand: runAs.prefix + [pgCtl, "-D", data, "stop", "-m", "immediate"], directory: directory)

        try await run(
            runAs.prefix + ["\(binaries)/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            log: "\(directory)/initdb.log", what: "initdb")
        let options = [
            "-c listen_addresses=''", "-k \(directory)", "-p \(port)", "-c fsync=off", "-c synchronous_commit=off",
            "-c full_page_writes=off", "-c max_connections=300",
        ].joined(separator: " ")
        try await run(
            runAs.prefix + [pgCtl, "-D", data, "-l", "\(directory)/server.log", "-w", "-t", "120", "-o", options, "start"],
            log: "\(directory)/pg_ctl.log", what: "pg_ctl start")

        var settings = PostgresSettings(host: "localhost")
        settings.unixSocketPath = directory
        settings.port = port
        settings.user = "postgres"
        settings.database = "postgres"
        settings.maxConnections = 8
        // A test's own store shares this machine with every other suite running in parallel: give
        // an operation time to queue for a busy server and for a serialised limited claim.
        settings.operationTimeout = .seconds(30)
        return settings
    }

    /// The directory holding `initdb`, `pg_ctl` and `postgres`.
    static func findBinaries() throws -> String {
        var candidates: [String] = []
        if let bindir = try? capture(["pg_config", "--bindir"]) { candidates.append(bindir) }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        candidates += versions.map { "\(root)/\($0)/bin" }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(directory))
        }
        for directory in candidates
        where ["initdb", "pg_ctl", "postgres"].allSatisfy({ FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }) {
            return directory
        }
        throw PostgresTestServerError(
            description: """
                PostgreSQL server binaries (initdb, pg_ctl, postgres) not found via pg_config, /usr/lib/postgresql/*/bin \
                or PATH. Install them (Debian/Ubuntu: apt-get install postgresql) or point TEST_DATABASE_URL at a server \
                (postgres://user:password@host:5432/postgres).
                """)
    }

    /// How to run server commands: directly, or as the `postgres` user when we are root.
    static func userPrefix() throws -> (prefix: [String], owner: (uid_t, gid_t)?) {
        guard getuid() == 0 else { return ([], nil) }
        guard let entry = getpwnam("postgres") else {
            throw PostgresTestServerError(
                description: """
                    Tests run as root, and PostgreSQL refuses to run as root, but there is no 'postgres' OS user to run it as. \
                    Install the server package (apt-get install postgresql creates the user), run the tests as a normal user, \
                    or set TEST_DATABASE_URL.
                    """)
        }
        guard let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first(where: FileManager.default.isExecutableFile)
        else {
            throw PostgresTestServerError(description: "running as root needs runuser (util-linux) to start PostgreSQL as 'postgres'")
        }
        return ([runuser, "-u", "postgres", "--"], (entry.pointee.pw_uid, entry.pointee.pw_gid))
    }

    /// A fresh private directory for data, socket and logs, owned by the server's user.
    static func makeDirectory(owner: (uid_t, gid_t)?) throws -> String {
        var base = FileManager.default.temporaryDirectory.path
        // A Unix socket path must fit in 107 bytes.
        if base.utf8.count > 60 { base = "/tmp" }
        let directory = "\(base)/vesper-pg-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let (uid, gid) = owner, chown(directory, uid, gid) != 0 {
            throw PostgresTestServerError(description: "cannot hand \(directory) to the postgres user: errno \(errno)")
        }
        return directory
    }

    /// Runs a command to completion with its output in `log`; throws with the log's tail on failure.
    static func run(_ arguments: [String], log: String, what: String) async throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        let process = Process()
        // Through a shell that closes every inherited descriptor above stderr before `exec`: Foundation
        // learns that a child ended when a descriptor the child inherited closes, and `pg_ctl start`
        // leaves the server running with everything it inherited. Without this the server would
        // hold that descriptor open and `pg_ctl` would never be seen to finish.
        // bash, not sh: dash only redirects descriptors 0-9.
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/bin/bash") ? "/bin/bash" : "/bin/sh")
        process.arguments = [
            "-c",
            #"for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-"; fi; done; exec "$@""#,
            "sh",
        ] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw PostgresTestServerError(description: "\(what) failed with status \(status):\n\(text.suffix(2000))")
        }
    }

    /// Runs a short command found on PATH and returns its trimmed standard output.
    static func capture(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PostgresTestServerError(description: "\(arguments[0]) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Stops the throwaway server when the test process ends.
enum Cleanup {
    private struct Registration: Sendable {
        var stopCommand: [String]
        var directory: String
    }

    private static let registration = Mutex<Registration?>(nil)

    static func register(stopCommand: [String], directory: String) {
        registration.withLock { $0 = Registration(stopCommand: stopCommand, directory: directory) }
        atexit { Cleanup.runAtExit() }
        startWatchdog(stopCommand: stopCommand, directory: directory)
    }

    /// Normal exit: stop the server now and remove its files.
    private static func runAtExit() {
        guard let registration = registration.withLock({ value -> Registration? in
            defer { value = nil }
            return value
        }) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: registration.stopCommand[0])
        process.arguments = Array(registration.stopCommand.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) != nil { process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: registration.directory)
    }

    /// Crash safety: a detached shell that waits for this process to disappear (even after
    /// `kill -9`, when no exit handler runs), then stops the server and removes its directory.
    /// A zombie counts as gone: in containers PID 1 often never reaps orphans.
    static func startWatchdog(stopCommand: [String], directory: String) {
        let quoted = stopCommand.map { "'\($0)'" }.joined(separator: " ")
        let script = """
            alive() {
                if [ -r /proc/\(getpid())/status ]; then ! grep -q '^State:.*Z' /proc/\(getpid())/status 2>/dev/null
                else kill -0 \(getpid()) 2>/dev/null; fi
            }
            while alive; do sleep 1; done
            if [ -d '\(directory)/data' ]; then \(quoted) >/dev/null 2>&1; fi
            rm -rf '\(directory)'
            """
        let process = Process()
        // bash, not sh: dash only redirects descriptors 0-9.
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/bin/bash") ? "/bin/bash" : "/bin/sh")
        process.arguments = ["-c", script]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}
