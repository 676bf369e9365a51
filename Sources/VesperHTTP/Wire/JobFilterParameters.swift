import Foundation
import VesperCore

/// The filters of `GET /jobs` read from query parameters, shared by `GET /jobs`-style endpoints
/// (`POST /jobs/retry`) and the dashboard, so every one names a bad value the same way.
public enum JobFilterParameters {
    /// The filters (what `GET /jobs` takes besides `limit` and `cursor`).
    public static let filterNames = ["status", "type", "queue", "partition", "priority", "created_after", "created_before"]

    /// Refuses a parameter not in `allowed`, as unknown body fields are: a misspelled filter must
    /// not silently act on everything. `endpoint` names the request in the message.
    public static func rejectUnknown(_ parameters: [String: String], allowed: [String], endpoint: String) throws(ValidationError) {
        for name in parameters.keys.sorted() where !allowed.contains(name) {
            throw ValidationError(
                field: String(name.prefix(64)),
                message: "unknown query parameter \"\(name.prefix(64))\"; \(endpoint) takes \(allowed.joined(separator: ", "))")
        }
    }

    /// A ``JobQuery`` for `status`, `type`, `queue`, `partition`, `priority`, `created_after`, `created_before`,
    /// `limit` and `cursor`. With `blankIsAbsent` (an HTML form sends every field) empty values
    /// count as absent and values are trimmed; otherwise a value is taken exactly as sent.
    ///
    /// - Throws: ``ValidationError`` naming the parameter.
    public static func query(_ parameters: [String: String], now: Date, blankIsAbsent: Bool = true) throws(ValidationError) -> JobQuery {
        func value(_ name: String) -> String? {
            guard blankIsAbsent else { return parameters[name] }
            guard let text = parameters[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        var query = JobQuery(now: now)
        if let status = value("status") {
            guard let parsed = JobStatus(rawValue: status) else {
                throw ValidationError(field: "status", message: "status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.status = parsed
        }
        query.type = value("type")
        query.queue = value("queue")
        query.partition = value("partition")
        if let priority = value("priority") {
            guard let number = Int(priority) else { throw ValidationError(field: "priority", message: "priority must be an integer from 0 to 10") }
            query.priority = number
        }
        for (name, keyPath) in [("created_after", \JobQuery.createdAfter), ("created_before", \JobQuery.createdBefore)] {
            guard let text = value(name) else { continue }
            guard let date = RFC3339.parse(text) else {
                throw ValidationError(field: name, message: "\(name) must be an RFC 3339 time such as 2026-01-02T15:04:05Z, \(JobLimits.timestampsText)")
            }
            query[keyPath: keyPath] = date
        }
        if let limit = value("limit") {
            guard let number = Int(limit) else { throw ValidationError(field: "limit", message: "limit must be an integer from 1 to 1000") }
            query.limit = number
        }
        if let cursor = value("cursor") {
            guard let number = Int64(cursor), number > 0 else {
                throw ValidationError(field: "cursor", message: "cursor must be the next_cursor of a previous page")
            }
            query.before = number
        }
        return query
    }
}
