import Foundation

extension JobQuery {
    /// Valid page sizes.
    public static let limits: ClosedRange<Int> = 1...1000

    /// Checks every filter a caller controls, naming the first one that is wrong, before it reaches
    /// a store (where a far-future time or a NUL byte would trap or fail as a database error).
    public func validate() throws(ValidationError) {
        if let type { try NewJob.validateName(type, field: "type") }
        if let queue { try NewJob.validateName(queue, field: "queue") }
        if let partition { try NewJob.validatePartition(partition) }
        if let priority, !JobLimits.priorities.contains(priority) {
            throw ValidationError(field: "priority", message: "priority must be an integer from 0 to 10")
        }
        for (field, date) in [("created_after", createdAfter), ("created_before", createdBefore)] {
            if let date, !JobLimits.timestamps.contains(date) {
                throw ValidationError(field: field, message: "\(field) must be \(JobLimits.timestampsText)")
            }
        }
        guard Self.limits.contains(limit) else {
            throw ValidationError(field: "limit", message: "limit must be an integer from 1 to 1000")
        }
        if let before, before <= 0 {
            throw ValidationError(field: "cursor", message: "cursor must be the next_cursor of a previous page")
        }
        guard payloadBudget > 0 else {
            throw ValidationError(field: "payload_budget", message: "the page's payload budget must be positive")
        }
    }

    /// Whether a page read with this query may have more after it: it is full, or it stopped at the
    /// payload budget (a page that stopped short of both was the last).
    public func hasMore(after page: [Job]) -> Bool {
        guard !page.isEmpty else { return false }
        if page.count >= limit { return true }
        var bytes = 0
        for job in page { bytes += job.payload.utf8.count }
        return bytes >= payloadBudget
    }
}
