import Foundation
import VesperCore

/// Reads a job's `"unique"` member: `{"key": "sync:42", "for": "10m", "states": ["pending", ...]}`,
/// every member optional, naming the member of any problem (`unique.for`, `unique.states[1]`).
enum UniqueRequest {
    static let fields: Set<String> = ["key", "for", "states"]

    /// The states a `states` list may name: every job state.
    static var stateNames: String { JobStatus.allCases.map(\.rawValue).joined(separator: ", ") }

    /// The options in `value` (a JSON object), or a ``ValidationError`` whose field is relative to
    /// the job (`unique.key`); the caller adds a batch's prefix.
    static func decode(_ value: JSONObjectScanner.Value) throws(ValidationError) -> UniqueOptions {
        guard value.kind == .object, let members = try? JSONObjectScanner.members(of: Array(value.bytes)) else {
            throw ValidationError(
                field: "unique", message: "unique must be an object like {\"key\": \"sync:42\", \"for\": \"10m\", \"states\": [\"pending\"]}")
        }
        var options = UniqueOptions()
        for (name, member) in members {
            guard fields.contains(name) else {
                throw ValidationError(field: "unique.\(name)", message: "unknown field \"unique.\(name)\"; unique takes key, for and states")
            }
            if member.kind == .null { continue }
            switch name {
            case "key":
                guard member.kind == .string, let key = try? JSONObjectScanner.string(member) else {
                    throw ValidationError(field: "unique.key", message: "unique.key must be a string")
                }
                // Checked in full (length, NUL) with the job, by `NewJob.validate`.
                options.key = key
            case "for":
                guard member.kind == .string, let text = try? JSONObjectScanner.string(member), let period = DurationParser.parse(text),
                    period > .zero
                else {
                    throw ValidationError(
                        field: "unique.for",
                        message: "unique.for must be a duration above 0 like 30s, 10m or 1h30m, at most \(DurationParser.maximumText)")
                }
                options.period = period
            default:
                options.states = try states(member)
            }
        }
        return options
    }

    private static func states(_ value: JSONObjectScanner.Value) throws(ValidationError) -> Set<JobStatus> {
        guard value.kind == .array, let list = try? JSONSerialization.jsonObject(with: Data(value.bytes)) as? [Any] else {
            throw ValidationError(field: "unique.states", message: "unique.states must be an array of job states (\(stateNames))")
        }
        guard !list.isEmpty else {
            throw ValidationError(field: "unique.states", message: "unique.states must name at least one state (\(stateNames))")
        }
        var states: Set<JobStatus> = []
        for (index, element) in list.enumerated() {
            guard let name = element as? String, let state = JobStatus(rawValue: name) else {
                let shown = (element as? String).map { "\"\($0)\"" } ?? "a value that is not a string"
                throw ValidationError(
                    field: "unique.states[\(index)]", message: "unique.states[\(index)] is \(shown), not a job state (\(stateNames))")
            }
            states.insert(state)
        }
        return states
    }
}
