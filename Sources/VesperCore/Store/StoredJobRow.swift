import Foundation

extension VesperError.Code {
    /// A stored row holds a value this build cannot read (a bad id or an unknown state).
    public static let corruptRow = VesperError.Code(raw: "corrupt_row")
}

/// Checks for the values of a stored job row that the database itself cannot vouch for.
///
/// A row that cannot be read is an error naming it (column, value, `seq`, id), never a default: a
/// made-up id or a guessed state would turn it into a different job.
public enum StoredJobRow {
    /// The job id stored as `text` in the row with this `seq`.
    public static func id(_ text: String, sequence: Int64) throws -> UUID {
        guard let id = UUID(text: text) else {
            throw corrupt(column: "id", value: text, sequence: sequence, id: nil)
        }
        return id
    }

    /// The state stored as `text` in the row with this `seq` and id.
    public static func status(_ text: String, sequence: Int64, id: UUID) throws -> JobStatus {
        // `scheduled` is reported, never stored.
        guard let status = JobStatus(rawValue: text), status != .scheduled else {
            throw corrupt(column: "status", value: text, sequence: sequence, id: id)
        }
        return status
    }

    /// The error for a value of `column` that cannot be read.
    public static func corrupt(column: String, value: String, sequence: Int64, id: UUID?) -> VesperError {
        let shown = value.count > 64 ? String(value.prefix(64)) + "…" : value
        let row = id.map { "seq \(sequence), id \($0.lowercaseText)" } ?? "seq \(sequence)"
        return VesperError(.corruptRow, "stored job row (\(row)) has an unreadable \(column): \"\(shown)\"")
    }
}
