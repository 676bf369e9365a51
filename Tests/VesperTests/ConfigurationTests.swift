import Foundation
import Testing
import Vesper
import VesperTestSupport

@Suite struct ConfigurationTests {
    @Test func defaultsMatchTheREADME() async throws {
        let configuration = try await VesperConfiguration.fromEnvironment([:], dotEnvPath: nil)
        #expect(configuration.database == .sqlite(path: "vesper.db"))
        #expect(configuration.workers == 5)
        #expect(configuration.apiAddress == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(configuration.http.maxBodyBytes == 1 << 20)
        #expect(configuration.defaultMaxRetries == 3)
        #expect(configuration.leaseDuration == .seconds(30))
        #expect(!configuration.consumerRequired)
    }

    @Test func readsTheSeedVariables() async throws {
        let configuration = try await VesperConfiguration.fromEnvironment(
            [
                "WORKERS": "12", "API_ADDR": "127.0.0.1:9000", "DB_PATH": "/tmp/q.db", "HTTP_READ_TIMEOUT": "250ms",
                "HTTP_IDLE_TIMEOUT": "1m30s", "APP_ENV": "production", "MAX_RETRIES": "7",
            ], dotEnvPath: nil)
        #expect(configuration.workers == 12)
        #expect(configuration.apiAddress == ListenAddress(host: "127.0.0.1", port: 9000))
        #expect(configuration.database == .sqlite(path: "/tmp/q.db"))
        #expect(configuration.http.readTimeout == .milliseconds(250))
        #expect(configuration.http.idleTimeout == .seconds(90))
        #expect(!configuration.consumerRequired, "production alone no longer requires a consumer: such a node serves the API")
        #expect(!configuration.demoHandlersEnabled)
        #expect(configuration.defaultMaxRetries == 7)
    }

    @Test(arguments: [
        ("WORKERS", "abc"), ("WORKERS", "-1"), ("API_ADDR", "nonsense"), ("API_ADDR", ":99999"), ("HTTP_READ_TIMEOUT", "soon"),
        ("APP_ENV", "staging"), ("REQUIRE_CONSUMER", "maybe"), ("DB_PORT", "x"), ("MAX_RETRIES", "-1"), ("LOG_FORMAT", "xml"),
        ("QUEUES", ","), ("QUEUES", "good,bad name"), ("QUEUE_CONCURRENCY", "critical"), ("QUEUE_CONCURRENCY", "critical:0"),
        ("QUEUE_CONCURRENCY", "bad name:3"), ("RETENTION", "forever"), ("RETENTION_FAILED", "-1d"), ("RETENTION_BATCH", "0"),
        ("CRON_JOBS", "[{}]"), ("CRON_JOBS_FILE", "/nonexistent/cron.json"), ("CRON_CATCH_UP", "soon"),
    ])
    func invalidValuesNameTheVariable(variable: String, value: String) async throws {
        var environment = ["DB_HOST": "db.internal"]
        environment[variable] = value
        do {
            _ = try await VesperConfiguration.fromEnvironment(environment, dotEnvPath: nil)
            Issue.record("\(variable)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == variable)
            #expect(error.description.contains(variable))
        }
    }

    @Test func readsQueueRetentionAndCronSettings() async throws {
        let defaults = try await VesperConfiguration.fromEnvironment([:], dotEnvPath: nil)
        #expect(defaults.queues == nil)
        #expect(defaults.queueConcurrency.isEmpty)
        #expect(defaults.retention == .seconds(7 * 86_400))
        #expect(defaults.retentionFailed == nil)
        #expect(defaults.retentionBatchSize == 1000)
        #expect(defaults.cronCatchUp == .seconds(3600))
        let configuration = try await VesperConfiguration.fromEnvironment(
            [
                "QUEUES": "critical, default", "QUEUE_CONCURRENCY": "critical:10,default:5", "RETENTION": "off",
                "RETENTION_FAILED": "30d", "RETENTION_BATCH": "500", "RETENTION_INTERVAL": "10s",
            ], dotEnvPath: nil)
        #expect(configuration.queues == ["critical", "default"])
        #expect(configuration.queueConcurrency == ["critical": 10, "default": 5])
        #expect(configuration.retention == nil)
        #expect(configuration.retentionFailed == .seconds(30 * 86_400))
        #expect(configuration.retentionBatchSize == 500)
        #expect(configuration.retentionInterval == .seconds(10))
        #expect(DurationParser.parse("1d12h") == .seconds(36 * 3600))
    }

    @Test func regionFailoverIsOffUnlessSet() async throws {
        #expect(try await VesperConfiguration.fromEnvironment([:], dotEnvPath: nil).regionFailoverAfter == nil)
        #expect(try await VesperConfiguration.fromEnvironment(["REGION_FAILOVER_AFTER": "off"], dotEnvPath: nil).regionFailoverAfter == nil)
        let set = try await VesperConfiguration.fromEnvironment(["REGION_FAILOVER_AFTER": "5m", "REGION": "eu"], dotEnvPath: nil)
        #expect(set.regionFailoverAfter == .seconds(300))
        #expect(set.region == "eu")
        await #expect(throws: ConfigurationError.self) {
            try await VesperConfiguration.fromEnvironment(["REGION_FAILOVER_AFTER": "soon"], dotEnvPath: nil)
        }
    }

    @Test func dotEnvFillsInWhatTheEnvironmentLeavesOut() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file(".env")
            try "WORKERS=9\n# a comment\nAPI_ADDR=:7000\n".write(toFile: path, atomically: true, encoding: .utf8)
            let configuration = try await VesperConfiguration.fromEnvironment(["API_ADDR": ":7100"], dotEnvPath: path)
            #expect(configuration.workers == 9)
            #expect(configuration.apiAddress.port == 7100)
        }
    }

    @Test func postgresSettingsNeverShowThePassword() async throws {
        let configuration = try await VesperConfiguration.fromEnvironment(
            ["DB_HOST": "db.internal", "DB_USER": "vesper", "DB_PASSWORD": "hunter2", "DB_NAME": "jobs", "DB_SSLMODE": "require"],
            dotEnvPath: nil)
        guard case .postgres(let settings) = configuration.database else {
            Issue.record("DB_HOST must select PostgreSQL")
            return
        }
        #expect(settings.password == "hunter2")
        #expect(settings.sslMode == .require)
        #expect(!settings.description.contains("hunter2"))
        #expect(!"\(configuration)".contains("hunter2"))
    }

    @Test func databaseURLIsUnderstood() async throws {
        let configuration = try await VesperConfiguration.fromEnvironment(
            ["DATABASE_URL": "postgres://app:pw@db.example:6543/queue?sslmode=verify-full"], dotEnvPath: nil)
        guard case .postgres(let settings) = configuration.database else {
            Issue.record("DATABASE_URL must select PostgreSQL")
            return
        }
        #expect(settings.host == "db.example")
        #expect(settings.port == 6543)
        #expect(settings.user == "app")
        #expect(settings.database == "queue")
        #expect(settings.sslMode == .verifyFull)
    }

    @Test func severalHostsAreReadFromDBHostAndDatabaseURL() async throws {
        let fromHost = try await VesperConfiguration.fromEnvironment(["DB_HOST": "pg-a, pg-b:5433,[::1]:6000", "DB_PORT": "6432"], dotEnvPath: nil)
        guard case .postgres(let settings) = fromHost.database else {
            Issue.record("DB_HOST must select PostgreSQL")
            return
        }
        #expect(
            settings.endpoints == [
                PostgresEndpoint(host: "pg-a", port: 6432), PostgresEndpoint(host: "pg-b", port: 5433), PostgresEndpoint(host: "::1", port: 6000),
            ])
        #expect(settings.unixSocketPath == nil)

        let fromURL = try await VesperConfiguration.fromEnvironment(
            ["DATABASE_URL": "postgres://app:s3cret@pg-eu:5432,pg-us:5433/queue?sslmode=require"], dotEnvPath: nil)
        guard case .postgres(let url) = fromURL.database else {
            Issue.record("DATABASE_URL must select PostgreSQL")
            return
        }
        #expect(url.endpoints == [PostgresEndpoint(host: "pg-eu", port: 5432), PostgresEndpoint(host: "pg-us", port: 5433)])
        #expect(url.user == "app")
        #expect(url.password == "s3cret")
        #expect(url.database == "queue")
        #expect(url.sslMode == .require)
        #expect(!url.description.contains("s3cret"))

        let sockets = try await VesperConfiguration.fromEnvironment(["DB_HOST": "/run/a,/run/b"], dotEnvPath: nil)
        guard case .postgres(let socketSettings) = sockets.database else { return }
        #expect(socketSettings.endpoints.map(\.isUnixSocket) == [true, true])
        #expect(socketSettings.unixSocketPath == nil)
    }

    @Test(arguments: [
        ["DB_HOST": "pg-a,,pg-b"], ["DB_HOST": "pg-a:99999"], ["DB_HOST": "pg-a:x"], ["DB_HOST": "[::1"],
        ["DATABASE_URL": "postgres://u@pg-a:5432,:5433/db"],
    ])
    func badHostListsAreRejected(environment: [String: String]) async throws {
        do {
            _ = try await VesperConfiguration.fromEnvironment(environment, dotEnvPath: nil)
            Issue.record("\(environment) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == environment.keys.first)
        }
    }

    @Test func apiTokensFromTheVariableAndAFile() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.file("tokens")
            try "# operators\nreader:r3ad-0nly-token\n\nproducer:pr0ducer-token\n".write(toFile: file, atomically: true, encoding: .utf8)
            let configuration = try await VesperConfiguration.fromEnvironment(
                ["API_TOKENS": "admin:s3cret-admin-token", "API_TOKENS_FILE": file, "METRICS_REQUIRE_TOKEN": "0"], dotEnvPath: nil)
            #expect(configuration.apiTokens.map(\.role) == [.admin, .reader, .producer])
            #expect(configuration.apiTokens[0].token == "s3cret-admin-token")
            #expect(!configuration.metricsRequireToken)
            #expect(!"\(configuration.apiTokens)".contains("s3cret"))
        }
    }

    @Test(arguments: ["writer:s3cret-token-value", "admin", "admin:short", "admin:has space in it"])
    func badTokensAreRejectedWithoutEchoingThem(entry: String) async throws {
        do {
            _ = try await VesperConfiguration.fromEnvironment(["API_TOKENS": entry], dotEnvPath: nil)
            Issue.record("\(entry) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == "API_TOKENS")
            let secret = entry.split(separator: ":").dropFirst().first.map(String.init) ?? "@@none@@"
            #expect(!error.description.contains(secret))
        }
    }

    @Test(arguments: [
        ("5s", 5.0), ("250ms", 0.25), ("1m30s", 90.0), ("2h", 7200.0), ("1.5s", 1.5), ("0", 0.0), ("36500d", 3_153_600_000.0),
        ("876000h", 3_153_600_000.0),
    ])
    func parsesDurations(text: String, seconds: Double) {
        #expect(DurationParser.parse(text) == .secondsDouble(seconds))
    }

    /// Past the 100-year limit, a duration once trapped converting to nanoseconds (`106752d`).
    @Test(arguments: [
        "", "5", "s", "5x", "-1s", "1.2.3s", "36500d1s", "106752d", "2562048h", "9223372037s", "999999d",
        String(repeating: "9", count: 400) + "s", "1e5s", "١٢s", "nan s", "infs",
    ])
    func rejectsBadDurations(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }

    @Test func durationsFromTheEnvironmentAreRangeChecked() async throws {
        do {
            _ = try await VesperConfiguration.fromEnvironment(["LEASE_DURATION": "106752d"], dotEnvPath: nil)
            Issue.record("106752d was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == "LEASE_DURATION")
        }
    }
}
