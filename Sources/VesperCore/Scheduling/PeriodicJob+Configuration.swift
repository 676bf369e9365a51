import Foundation

extension PeriodicJob {
    /// Reads periodic jobs from a JSON array (the `CRON_JOBS` variable or the `CRON_JOBS_FILE` file):
    ///
    /// ```json
    /// [{"name": "cleanup", "schedule": "*/5 * * * *", "type": "cleanup", "payload": {"days": 7},
    ///   "timezone": "Europe/Berlin", "queue": "default", "priority": 0, "max_retries": 3,
    ///   "region": "eu", "region_strict": false}]
    /// ```
    ///
    /// `schedule` and `type` are required; `name` defaults to `type`.
    ///
    /// - Throws: ``ConfigurationError`` for `variable`, naming the entry and field at fault.
    public static func parseList(_ text: String, variable: String) throws(ConfigurationError) -> [PeriodicJob] {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(variable: variable, message: message) }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let entries = parsed as? [Any] else {
            throw fail(#"expected a JSON array like [{"schedule":"*/5 * * * *","type":"cleanup"}]"#)
        }
        let known: Set<String> = [
            "name", "schedule", "type", "payload", "timezone", "queue", "priority", "max_retries", "region", "region_strict",
        ]
        var jobs: [PeriodicJob] = []
        for (index, entry) in entries.enumerated() {
            guard let object = entry as? [String: Any] else { throw fail("entry \(index) is not an object") }
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw fail("entry \(index): unknown field \"\(unknown)\"")
            }
            guard let type = object["type"] as? String else { throw fail("entry \(index): \"type\" (a string) is required") }
            guard let scheduleText = object["schedule"] as? String else {
                throw fail("entry \(index): \"schedule\" (a cron expression) is required")
            }
            let schedule: CronExpression
            do {
                schedule = try CronExpression(scheduleText)
            } catch {
                throw fail("entry \(index): schedule \"\(scheduleText)\": \(error)")
            }
            var job = PeriodicJob(name: object["name"] as? String ?? type, schedule: schedule, type: type)
            if let zone = object["timezone"] {
                guard let identifier = zone as? String, let timeZone = TimeZone(identifier: identifier) else {
                    throw fail("entry \(index): timezone \"\(zone)\" is not a time zone name like Europe/Berlin or UTC")
                }
                job.timeZone = timeZone
            }
            if let queue = object["queue"] {
                guard let name = queue as? String else { throw fail("entry \(index): \"queue\" must be a string") }
                job.queue = name
            }
            if let priority = object["priority"] {
                guard let value = priority as? Int else { throw fail("entry \(index): \"priority\" must be an integer") }
                job.priority = value
            }
            if let retries = object["max_retries"] {
                guard let value = retries as? Int else { throw fail("entry \(index): \"max_retries\" must be an integer") }
                job.maxRetries = value
            }
            if let region = object["region"] {
                guard let name = region as? String else { throw fail("entry \(index): \"region\" must be a string") }
                job.region = name
            }
            if let strict = object["region_strict"] {
                guard let value = strict as? Bool else {
                    throw fail("entry \(index): \"region_strict\" must be true or false")
                }
                job.regionStrict = value
            }
            if let payload = object["payload"] {
                guard let data = try? JSONSerialization.data(withJSONObject: payload, options: [.fragmentsAllowed, .sortedKeys]) else {
                    throw fail("entry \(index): payload is not JSON")
                }
                job.payloadJSON = String(decoding: data, as: UTF8.self)
            }
            do {
                try job.validate()
            } catch {
                throw fail("entry \(index): \(error.message)")
            }
            guard !jobs.contains(where: { $0.name == job.name }) else {
                throw fail("entry \(index): a schedule named \"\(job.name)\" is already defined; give each a unique \"name\"")
            }
            jobs.append(job)
        }
        return jobs
    }

    /// Checks name, type, queue and priority the way an enqueue would.
    public func validate() throws(ValidationError) {
        try NewJob.validateName(name, field: "name")
        try NewJob(
            type: type, queue: queue, priority: priority, payloadJSON: payloadJSON, maxRetries: maxRetries ?? 0, timeoutSeconds: 1,
            region: region, regionStrict: regionStrict
        ).validate()
    }
}
