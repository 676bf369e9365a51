import Configuration
import Foundation
import SystemPackage
import VesperCore
import VesperHTTP
#if PostgreSQL
import VesperPostgres
#endif

extension VesperConfiguration {
    /// Reads the configuration from environment variables, then from a `.env` file for anything
    /// the environment does not set (process environment wins, as with every dotenv loader).
    /// This is the one place Vesper reads its environment, adapters' variables included.
    ///
    /// - Throws: ``ConfigurationError`` naming the first variable with an unusable value.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnvPath: String? = ".env"
    ) async throws -> VesperConfiguration {
        var dotEnv: DotEnvFile?
        if let dotEnvPath, let text = try? String(contentsOfFile: dotEnvPath, encoding: .utf8) {
            do {
                dotEnv = try DotEnvFile(parsing: text)
            } catch {
                throw ConfigurationError(variable: ".env", message: error.description)
            }
        }
        var providers = [EnvironmentVariablesProvider(environmentVariables: environment)]
        if let dotEnv { providers.append(EnvironmentVariablesProvider(environmentVariables: dotEnv.values)) }
        do {
            var configuration = try VesperConfiguration(reading: EnvironmentReader(providers: providers))
            configuration.warnings = EnvironmentCheck.unknownVariables(environment: environment, dotEnv: dotEnv)
                + EnvironmentCheck.contradictions(configuration)
            return configuration
        } catch {
            // Say where a bad value came from when it was the .env file, not the environment.
            if environment[error.variable] == nil, let line = dotEnv?.line(of: error.variable) {
                throw ConfigurationError(variable: error.variable, message: "\(error.message) (set in .env line \(line))")
            }
            throw error
        }
    }

    init(reading env: EnvironmentReader) throws(ConfigurationError) {
        self.init()
        if env["DB_HOST"] != nil || env["DATABASE_URL"] != nil {
            #if PostgreSQL
            database = .postgres(try PostgresSettings(reading: env))
            #else
            throw ConfigurationError(
                variable: env["DB_HOST"] != nil ? "DB_HOST" : "DATABASE_URL",
                message: "this build has no PostgreSQL store (Vesper was built without its PostgreSQL trait)")
            #endif
        } else if let path = env["DB_PATH"] {
            guard !path.isEmpty else { throw ConfigurationError(variable: "DB_PATH", message: "must not be empty") }
            database = .sqlite(path: path)
        }
        autoMigrate = try env.boolean("AUTO_MIGRATE") ?? autoMigrate
        workers = try env.integer("WORKERS", in: 0...10_000) ?? workers
        prefetch = try env.integer("PREFETCH", in: 0...10_000) ?? prefetch
        if let address = env["API_ADDR"] {
            apiAddress = try ListenAddress.parse(address, variable: "API_ADDR")
        }
        appEnvironment = try env.oneOf("APP_ENV", ["development", "production", "test"]) ?? appEnvironment
        requireConsumer = try env.boolean("REQUIRE_CONSUMER") ?? requireConsumer
        demoConsumer = try env.boolean("DEMO_CONSUMER") ?? demoConsumer
        if let name = try env.oneOf("ROLE", VesperRole.allCases.map(\.rawValue)) { role = VesperRole(rawValue: name)! }
        http.readHeaderTimeout = try env.duration("HTTP_READ_HEADER_TIMEOUT") ?? http.readHeaderTimeout
        http.readTimeout = try env.duration("HTTP_READ_TIMEOUT") ?? http.readTimeout
        http.writeTimeout = try env.duration("HTTP_WRITE_TIMEOUT") ?? http.writeTimeout
        http.idleTimeout = try env.duration("HTTP_IDLE_TIMEOUT") ?? http.idleTimeout
        http.maxBodyBytes = try env.integer("MAX_BODY_BYTES", in: 1...(1 << 30)) ?? http.maxBodyBytes
        limits.maxPayloadBytes = try env.integer("MAX_PAYLOAD_BYTES", in: 2...(1 << 30)) ?? http.maxBodyBytes
        defaultMaxRetries = try env.integer("MAX_RETRIES", in: 0...limits.maxRetriesCeiling) ?? defaultMaxRetries
        defaultJobTimeout = try env.duration("JOB_TIMEOUT", positive: true) ?? defaultJobTimeout
        maxResultBytes = try env.integer("MAX_RESULT_BYTES", in: 2...(1 << 30)) ?? maxResultBytes
        retryBaseDelay = try env.duration("RETRY_BASE_DELAY") ?? retryBaseDelay
        retryMaxDelay = try env.duration("RETRY_MAX_DELAY") ?? retryMaxDelay
        leaseDuration = try env.duration("LEASE_DURATION", positive: true) ?? leaseDuration
        pollInterval = try env.duration("POLL_INTERVAL", positive: true) ?? pollInterval
        shutdownTimeout = try env.duration("SHUTDOWN_TIMEOUT") ?? shutdownTimeout
        heartbeatInterval = try env.duration("HEARTBEAT_INTERVAL", positive: true) ?? heartbeatInterval
        nodeTimeout = try env.duration("NODE_TIMEOUT", positive: true) ?? nodeTimeout
        if let list = env["API_TOKENS"], !list.isEmpty {
            apiTokens += try APIToken.parse(list.split(separator: ",").map(String.init), variable: "API_TOKENS", entryName: "entry")
        }
        if let path = env["API_TOKENS_FILE"], !path.isEmpty {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(variable: "API_TOKENS_FILE", message: "cannot read \(path)")
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let entries = lines.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            apiTokens += try APIToken.parse(entries, variable: "API_TOKENS_FILE", entryName: "token line")
        }
        metricsRequireToken = try env.boolean("METRICS_REQUIRE_TOKEN") ?? metricsRequireToken
        dashboard.enabled = try env.boolean("UI_ENABLED") ?? dashboard.enabled
        if let url = env["GRAFANA_URL"], !url.isEmpty {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ConfigurationError(variable: "GRAFANA_URL", message: "must be an http:// or https:// URL")
            }
            dashboard.grafanaURL = url
        }
        maxBatch = try env.integer("MAX_BATCH", in: 1...100_000) ?? maxBatch
        metricsSampleInterval = try env.duration("METRICS_SAMPLE_INTERVAL", positive: true) ?? metricsSampleInterval
        metricsMaxTypes = try env.integer("METRICS_MAX_TYPES", in: 0...10_000) ?? metricsMaxTypes
        statsLogInterval = try env.duration("STATS_LOG_INTERVAL") ?? statsLogInterval
        if let name = env["NODE_NAME"], !name.isEmpty { nodeName = name }
        if let name = env["REGION"] {
            do {
                try NewJob.validateName(name.trimmingCharacters(in: .whitespaces), field: "region")
            } catch {
                throw ConfigurationError(variable: "REGION", message: "'\(name)': \(error.message)")
            }
            region = name.trimmingCharacters(in: .whitespaces)
        }
        if let text = env["REGION_FAILOVER_AFTER"], !["", "off", "0"].contains(text.trimmingCharacters(in: .whitespaces)) {
            regionFailoverAfter = try env.duration("REGION_FAILOVER_AFTER", positive: true)
        }
        queues = try env.queueList("QUEUES") ?? queues
        queueConcurrency = try env.queueLimits("QUEUE_CONCURRENCY") ?? queueConcurrency
        retention = try env.retention("RETENTION") ?? retention
        retentionFailed = try env.retention("RETENTION_FAILED") ?? retentionFailed
        retentionBatchSize = try env.integer("RETENTION_BATCH", in: 1...100_000) ?? retentionBatchSize
        retentionInterval = try env.duration("RETENTION_INTERVAL", positive: true) ?? retentionInterval
        if let text = env["CRON_JOBS"] {
            periodicJobs += try PeriodicJob.parseList(text, variable: "CRON_JOBS")
        }
        if let path = env["CRON_JOBS_FILE"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(variable: "CRON_JOBS_FILE", message: "cannot read \(path)")
            }
            periodicJobs += try PeriodicJob.parseList(text, variable: "CRON_JOBS_FILE")
        }
        cronCatchUp = try env.duration("CRON_CATCH_UP") ?? cronCatchUp
        logLevel = try env.oneOf("LOG_LEVEL", ["trace", "debug", "info", "notice", "warning", "error", "critical"], caseInsensitive: true) ?? logLevel
        logFormat = try env.oneOf("LOG_FORMAT", ["text", "json"]) ?? logFormat
    }
}

#if PostgreSQL
extension PostgresSettings {
    /// `DATABASE_URL` first, then the `DB_*` variables on top of it.
    init(reading env: EnvironmentReader) throws(ConfigurationError) {
        self.init(host: "localhost")
        if let url = env["DATABASE_URL"] {
            try apply(url: url)
        }
        if let host = env["DB_HOST"] {
            guard !host.isEmpty else { throw ConfigurationError(variable: "DB_HOST", message: "must not be empty") }
            self.host = host
        }
        port = try env.integer("DB_PORT", in: 1...65535) ?? port
        user = env["DB_USER"] ?? user
        password = env["DB_PASSWORD"] ?? password
        database = env["DB_NAME"] ?? database
        if let mode = try env.oneOf("DB_SSLMODE", SSLMode.allCases.map(\.rawValue)) {
            sslMode = SSLMode(rawValue: mode)!
        }
        timeZone = env["DB_TIMEZONE"] ?? timeZone
        maxConnections = try env.integer("DB_MAX_CONNECTIONS", in: 1...1000) ?? maxConnections
        operationTimeout = try env.duration("DB_TIMEOUT", positive: true) ?? operationTimeout
        let endpoints: [PostgresEndpoint]
        do {
            endpoints = try PostgresEndpoint.parseList(host, defaultPort: port)
        } catch {
            throw ConfigurationError(variable: env["DB_HOST"] != nil ? "DB_HOST" : "DATABASE_URL", message: error.message)
        }
        if endpoints.count == 1, host.hasPrefix("/") {
            unixSocketPath = host
        }
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=...`.
    ///
    /// The host part may list several servers (`postgres://u:p@pg-a:5432,pg-b:5432/vesper`), as
    /// libpq's URIs do; they are kept in `host` as written.
    mutating func apply(url: String) throws(ConfigurationError) {
        // URLComponents reads one host: parse the URL with a stand-in host, keep the list as written.
        var url = url
        var hostList: String?
        if let schemeEnd = url.range(of: "://") {
            let authorityEnd = url[schemeEnd.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? url.endIndex
            let authority = url[schemeEnd.upperBound..<authorityEnd]
            let hostStart = authority.lastIndex(of: "@").map { url.index(after: $0) } ?? schemeEnd.upperBound
            let hosts = String(url[hostStart..<authorityEnd])
            if hosts.contains(",") {
                hostList = hosts
                url.replaceSubrange(hostStart..<authorityEnd, with: "multiple-hosts")
            }
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql", let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError(variable: "DATABASE_URL", message: "expected postgres://user:password@host:port/database")
        }
        self.host = hostList ?? host
        if let port = components.port { self.port = port }
        if let user = components.user, !user.isEmpty { self.user = user }
        if let password = components.password { self.password = password }
        let name = components.path.drop { $0 == "/" }
        if !name.isEmpty { database = String(name) }
        if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
            guard let parsed = SSLMode(rawValue: mode) else {
                throw ConfigurationError(variable: "DATABASE_URL", message: "sslmode must be one of disable, require, verify-full")
            }
            sslMode = parsed
        }
    }
}

#endif

/// Looks variables up by their exact names, in provider order.
struct EnvironmentReader {
    let providers: [EnvironmentVariablesProvider]

    subscript(name: String) -> String? {
        for provider in providers {
            if let value = try? provider.environmentValue(forName: name) { return value }
        }
        return nil
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let text = self[name] else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw ConfigurationError(variable: name, message: "'\(text)' is not an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func duration(_ name: String, positive: Bool = false) throws(ConfigurationError) -> Duration? {
        guard let text = self[name] else { return nil }
        guard let value = DurationParser.parse(text), !(positive && value <= .zero) else {
            throw ConfigurationError(
                variable: name, message: "'\(text)' is not a\(positive ? " positive" : "") duration like 5s, 250ms or 1m30s")
        }
        return value
    }

    /// `critical,default`: queue names separated by commas.
    func queueList(_ name: String) throws(ConfigurationError) -> [String]? {
        guard let text = self[name] else { return nil }
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ConfigurationError(variable: name, message: "must list at least one queue, like critical,default") }
        for queue in names {
            do {
                try NewJob.validateQueueName(queue)
            } catch {
                throw ConfigurationError(variable: name, message: "'\(queue)': \(error.message)")
            }
        }
        return names
    }

    /// `critical:10,default:5`: `queue:limit` pairs separated by commas.
    func queueLimits(_ name: String) throws(ConfigurationError) -> [String: Int]? {
        guard let text = self[name] else { return nil }
        var limits: [String: Int] = [:]
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 2, let limit = Int(parts.last!), (1...10_000).contains(limit) else {
                throw ConfigurationError(variable: name, message: "'\(entry)' is not queue:limit with a limit from 1 to 10000, like critical:10")
            }
            let queue = parts.dropLast().joined(separator: ":")
            do {
                try NewJob.validateQueueName(queue)
            } catch {
                throw ConfigurationError(variable: name, message: "'\(queue)': \(error.message)")
            }
            limits[queue] = limit
        }
        return limits
    }

    /// A retention period: a positive duration like `7d`, or `off` (also `0`, `never`) to keep forever.
    /// Returns `.some(nil)` for off.
    func retention(_ name: String) throws(ConfigurationError) -> Duration?? {
        guard let text = self[name] else { return nil }
        if ["off", "never", "0"].contains(text.trimmingCharacters(in: .whitespaces).lowercased()) { return .some(nil) }
        // A zero duration (`0s`, `0d`) means off too.
        if DurationParser.parse(text) == .zero { return .some(nil) }
        guard let value = DurationParser.parse(text), value > .zero else {
            throw ConfigurationError(variable: name, message: "'\(text)' is not a positive duration like 7d or 12h, or off")
        }
        return .some(value)
    }

    func boolean(_ name: String) throws(ConfigurationError) -> Bool? {
        guard let text = self[name] else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw ConfigurationError(variable: name, message: "'\(text)' is not a boolean (1/0, true/false)")
        }
    }

    func oneOf(_ name: String, _ allowed: [String], caseInsensitive: Bool = false) throws(ConfigurationError) -> String? {
        guard var text = self[name] else { return nil }
        if caseInsensitive { text = text.lowercased() }
        guard allowed.contains(text) else {
            throw ConfigurationError(variable: name, message: "'\(text)' is not one of \(allowed.joined(separator: ", "))")
        }
        return text
    }
}
