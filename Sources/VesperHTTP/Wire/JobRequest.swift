import Foundation
import VesperCore

/// Turns a `POST /jobs` body into a ``NewJob``, naming the field of any problem.
///
/// Accepted members: `type` (required), `queue`, `priority`, `payload`, `max_retries`,
/// `timeout_seconds`, `run_at` (RFC 3339) or `delay` (`"30s"`), `idempotency_key`, `region`,
/// `region_strict`, `partition`, `concurrency` (`{"key": "customer:42", "limit": 2}`),
/// `unique` (``UniqueRequest``).
/// Unknown members are rejected so that a typo (`"priorty"`) is not silently ignored.
struct JobRequest {
    static let fields: Set<String> = [
        "type", "queue", "priority", "payload", "max_retries", "timeout_seconds", "run_at", "delay", "idempotency_key",
        "region", "region_strict", "partition", "concurrency", "unique",
    ]

    /// Decodes one job object, leaving what it does not say to `client`'s defaults
    /// (``JobQueue/newJob(type:queue:priority:payloadJSON:maxRetries:runAt:timeoutSeconds:idempotencyKey:)``).
    /// `headerKey` is the `Idempotency-Key` header; a body that names a different
    /// `idempotency_key` is an error rather than one of them silently winning.
    static func decode(
        _ members: [(key: String, value: JSONObjectScanner.Value)], client: JobQueue, now: Date, headerKey: String?,
        fieldPrefix: String = ""
    ) throws(ValidationError) -> NewJob {
        func fail(_ field: String, _ message: String) -> ValidationError {
            ValidationError(field: fieldPrefix + field, message: fieldPrefix.isEmpty ? message : "\(fieldPrefix.dropLast()): \(message)")
        }
        var values: [String: JSONObjectScanner.Value] = [:]
        var payloadValue: JSONObjectScanner.Value?
        for (key, value) in members {
            guard fields.contains(key) else { throw fail(key, "unknown field \"\(key)\"") }
            // `null` means "not given" for every field but the payload, where it is a JSON value like any other.
            if key == "payload" { payloadValue = value } else if value.kind != .null { values[key] = value }
        }
        func string(_ field: String) throws(ValidationError) -> String? {
            guard let value = values[field] else { return nil }
            guard value.kind == .string, let text = try? JSONObjectScanner.string(value) else {
                throw fail(field, "\(field) must be a string")
            }
            return text
        }
        func integer(_ field: String) throws(ValidationError) -> Int? {
            guard let value = values[field] else { return nil }
            guard value.kind == .number, let number = Int(value.text) else {
                throw fail(field, "\(field) must be an integer")
            }
            return number
        }
        guard let type = try string("type") else { throw fail("type", "type is required") }
        let priority = try integer("priority") ?? 0
        let maxRetries = try integer("max_retries")
        var timeout: Double?
        if let value = values["timeout_seconds"] {
            guard value.kind == .number, let seconds = Double(value.text) else {
                throw fail("timeout_seconds", "timeout_seconds must be a number from 0.001 to 604800")
            }
            timeout = seconds
        }
        var runAt: Date?
        if let text = try string("run_at") {
            guard let date = RFC3339.parse(text) else {
                throw fail("run_at", "run_at must be an RFC 3339 time like 2026-01-02T15:04:05Z, \(JobLimits.timestampsText)")
            }
            runAt = date
        }
        if let text = try string("delay") {
            guard runAt == nil else { throw fail("delay", "give run_at or delay, not both") }
            guard let delay = DurationParser.parse(text), delay >= .zero else {
                throw fail("delay", "delay must be a duration like 30s, 5m or 1h30m, at most \(DurationParser.maximumText)")
            }
            runAt = now.addingTimeInterval(delay.secondsDouble)
        }
        let bodyKey = try string("idempotency_key")
        if let headerKey, let bodyKey, headerKey != bodyKey {
            throw fail("idempotency_key", "the Idempotency-Key header and the body's idempotency_key differ; send one of them")
        }
        var regionStrict = false
        if let value = values["region_strict"] {
            guard value.kind == .bool else { throw fail("region_strict", "region_strict must be true or false") }
            regionStrict = value.text == "true"
        }
        var concurrency: JobConcurrency?
        if let value = values["concurrency"] {
            do {
                concurrency = try JobConcurrencyWire.decode(value)
            } catch {
                throw fail(error.field, error.message)
            }
        }
        let payload = payloadValue?.text ?? "{}"
        var unique: UniqueOptions?
        if let value = values["unique"] {
            do {
                unique = try UniqueRequest.decode(value)
            } catch {
                throw fail(error.field, error.message)
            }
        }
        var job = client.newJob(
            type: type, queue: try string("queue") ?? NewJob.defaultQueue, priority: priority, payloadJSON: payload,
            maxRetries: maxRetries, runAt: runAt, timeoutSeconds: timeout, idempotencyKey: headerKey ?? bodyKey,
            region: try string("region"), regionStrict: regionStrict
        )
        job.partition = try string("partition")
        job.concurrency = concurrency
        job.unique = unique?.constraint(type: job.type, payloadJSON: job.payloadJSON)
        do {
            try job.validate(limits: client.defaults.limits)
        } catch {
            throw fail(error.field, error.message)
        }
        return job
    }
}
