/// What is not an error in the environment but is probably a mistake: a variable that looks like
/// one of Vesper's but is not (`WORKER=10`), and settings that contradict each other. Each finding
/// is one sentence, logged as a warning at start-up.
enum EnvironmentCheck {
    /// Every variable a node reads (the README's Configuration and PostgreSQL tables), plus the
    /// CLI's client settings.
    static let knownVariables: Set<String> = [
        "DB_PATH", "AUTO_MIGRATE", "WORKERS", "PREFETCH", "API_ADDR", "APP_ENV", "ROLE", "REQUIRE_CONSUMER", "DEMO_CONSUMER", "HTTP_READ_HEADER_TIMEOUT",
        "HTTP_READ_TIMEOUT", "HTTP_WRITE_TIMEOUT", "HTTP_IDLE_TIMEOUT", "MAX_BODY_BYTES", "MAX_PAYLOAD_BYTES", "MAX_RESULT_BYTES",
        "MAX_RETRIES",
        "JOB_TIMEOUT", "RETRY_BASE_DELAY", "RETRY_MAX_DELAY", "LEASE_DURATION", "HEARTBEAT_INTERVAL", "POLL_INTERVAL",
        "SHUTDOWN_TIMEOUT", "NODE_NAME", "NODE_TIMEOUT", "REGION", "REGION_FAILOVER_AFTER", "QUEUES", "QUEUE_CONCURRENCY", "RETENTION", "RETENTION_FAILED",
        "RETENTION_BATCH", "RETENTION_INTERVAL", "CRON_JOBS", "CRON_JOBS_FILE", "CRON_CATCH_UP", "LOG_LEVEL", "LOG_FORMAT",
        "METRICS_SAMPLE_INTERVAL", "METRICS_MAX_TYPES", "STATS_LOG_INTERVAL", "API_TOKENS", "API_TOKENS_FILE",
        "METRICS_REQUIRE_TOKEN", "MAX_BATCH", "DATABASE_URL", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME",
        "DB_SSLMODE", "DB_TIMEZONE", "DB_MAX_CONNECTIONS", "DB_TIMEOUT", "VESPER_URL", "VESPER_TOKEN", "UI_ENABLED", "GRAFANA_URL",
    ]

    /// Unknown variables: every one a `.env` file sets (the file is Vesper's), and those of the
    /// process environment that start with `VESPER_` or are one or two edits from a known name.
    static func unknownVariables(environment: [String: String], dotEnv: DotEnvFile?) -> [String] {
        var findings: [String] = []
        for entry in dotEnv?.entries ?? [] where !knownVariables.contains(entry.name) {
            findings.append("\(entry.name) (.env line \(entry.line)) is not a Vesper variable\(suggestion(for: entry.name)); it is ignored")
        }
        for name in environment.keys.sorted() where !knownVariables.contains(name) {
            let close = closest(to: name)
            guard name.hasPrefix("VESPER_") || close != nil else { continue }
            findings.append("\(name) is not a Vesper variable\(suggestion(for: name)); it is ignored")
        }
        return findings
    }

    /// Settings the README says must not be combined.
    static func contradictions(_ configuration: VesperConfiguration) -> [String] {
        var findings: [String] = []
        if configuration.heartbeatInterval * 3 > configuration.leaseDuration {
            findings.append(
                "HEARTBEAT_INTERVAL (\(configuration.heartbeatInterval)) is more than a third of LEASE_DURATION "
                    + "(\(configuration.leaseDuration)): a busy node may lose the leases of jobs it is running")
        }
        if configuration.retryBaseDelay > configuration.retryMaxDelay {
            findings.append(
                "RETRY_BASE_DELAY (\(configuration.retryBaseDelay)) is above RETRY_MAX_DELAY (\(configuration.retryMaxDelay)): "
                    + "every retry waits up to RETRY_MAX_DELAY")
        }
        return findings
    }

    private static func suggestion(for name: String) -> String {
        closest(to: name).map { " (did you mean \($0)?)" } ?? ""
    }

    /// The known name one or two edits away (one for short names), if there is one.
    private static func closest(to name: String) -> String? {
        guard name.count >= 5 else { return nil }
        let limit = name.count >= 8 ? 2 : 1
        var best: (name: String, distance: Int)?
        for known in knownVariables.sorted() {
            let edits = distance(name, known)
            if edits <= limit && edits < (best?.distance ?? Int.max) { best = (known, edits) }
        }
        return best?.name
    }

    /// Levenshtein distance.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
