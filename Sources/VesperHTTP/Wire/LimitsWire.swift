import Foundation
import VesperCore

/// A job's `concurrency` member: `{"key": "customer:42", "limit": 2}`.
enum JobConcurrencyWire {
    static func decode(_ value: JSONObjectScanner.Value) throws(ValidationError) -> JobConcurrency {
        let example = "concurrency must be an object like {\"key\": \"customer:42\", \"limit\": 2}"
        guard value.kind == .object, let members = try? JSONObjectScanner.members(of: Array(value.bytes)) else {
            throw ValidationError(field: "concurrency", message: example)
        }
        guard let object = try? ProtocolBody(members, allowed: ["key", "limit"]) else {
            throw ValidationError(field: "concurrency", message: "concurrency has only the fields key and limit")
        }
        guard let key = try? object.string("key") else {
            throw ValidationError(field: "concurrency.key", message: "concurrency.key is required and must be a string")
        }
        guard let limit = try? object.integer("limit") else {
            throw ValidationError(field: "concurrency.limit", message: "concurrency.limit is required and must be an integer")
        }
        let concurrency = JobConcurrency(key: key, limit: limit)
        try concurrency.validate()
        return concurrency
    }

    static func write(_ concurrency: JobConcurrency?, to writer: inout JSONWriter) {
        guard let concurrency else {
            writer.rawField("concurrency", "null")
            return
        }
        writer.beginObject("concurrency")
        writer.field("key", concurrency.key)
        writer.field("limit", concurrency.limit)
        writer.endObject()
    }
}

/// The body of `PUT /queues/{name}`: `{"concurrency": 50, "rate": {"limit": 100, "period": "1s"}}`.
/// Each member absent or `null` clears that limit, so the body states the queue's whole limits.
enum QueueLimitsWire {
    static func decode(_ members: [(key: String, value: JSONObjectScanner.Value)]) throws(ValidationError) -> QueueLimits {
        let body = try ProtocolBody(members, allowed: ["concurrency", "rate"])
        var limits = QueueLimits()
        limits.concurrency = try body.integer("concurrency")
        if let rate = body.json("rate") {
            limits.rate = try decodeRate(rate)
        }
        try limits.validate()
        return limits
    }

    private static func decodeRate(_ text: String) throws(ValidationError) -> RateLimit {
        let example = "rate must be an object like {\"limit\": 100, \"period\": \"1s\"}"
        guard let members = try? JSONObjectScanner.members(of: Array(text.utf8)) else {
            throw ValidationError(field: "rate", message: example)
        }
        guard let object = try? ProtocolBody(members, allowed: ["limit", "period"]) else {
            throw ValidationError(field: "rate", message: "rate has only the fields limit and period")
        }
        guard let limit = try? object.integer("limit") else {
            throw ValidationError(field: "rate.limit", message: "rate.limit must be an integer from 1 to \(RateLimit.maximumLimit)")
        }
        guard let periodText = try? object.string("period"), let period = DurationParser.parse(periodText) else {
            throw ValidationError(field: "rate.period", message: "rate.period must be a duration like 1s or 500ms, from 1ms to 24h")
        }
        return RateLimit(limit: limit, period: period)
    }

    static func write(_ limits: QueueLimits, to writer: inout JSONWriter) {
        if let concurrency = limits.concurrency { writer.field("concurrency", concurrency) } else { writer.rawField("concurrency", "null") }
        if let rate = limits.rate {
            writer.beginObject("rate")
            writer.field("limit", rate.limit)
            writer.field("period", DurationText.format(rate.period))
            writer.endObject()
        } else {
            writer.rawField("rate", "null")
        }
    }
}

/// A duration as the shortest text `DurationParser` reads back: `1s`, `500ms`, `1m30s`.
enum DurationText {
    static func format(_ duration: Duration) -> String {
        var milliseconds = RateLimit(limit: 1, period: duration).periodMilliseconds
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        var seconds = milliseconds / 1000
        milliseconds = 0
        var text = ""
        if seconds >= 3600 {
            text += "\(seconds / 3600)h"
            seconds %= 3600
        }
        if seconds >= 60 {
            text += "\(seconds / 60)m"
            seconds %= 60
        }
        if seconds > 0 || text.isEmpty { text += "\(seconds)s" }
        return text
    }
}
