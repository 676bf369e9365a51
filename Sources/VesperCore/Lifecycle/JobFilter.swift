import Foundation

/// A listing's row conditions, derived once from a ``JobQuery``; each store renders them.
///
/// Rows come newest first (`seq` descending), at most ``limit``. A status condition is meant to be
/// rendered as a literal, not a parameter: a planner picks a partial index (`jobs_dlq`, ...) only
/// when the query names the state it covers. `pending` and `scheduled` are both stored as
/// `pending` and told apart by `run_at` against the query's `now`.
public struct JobFilter: Sendable, Equatable {
    public enum Comparison: String, Sendable {
        case equal = "="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="

        /// The operator in SQL.
        public var symbol: String { rawValue }
    }

    public enum Value: Sendable, Equatable {
        /// A stored state, to be written as a literal.
        case status(JobStatus)
        case text(String)
        case integer(Int64)
        case time(Date)
    }

    public struct Condition: Sendable, Equatable {
        public var column: JobColumn
        public var comparison: Comparison
        public var value: Value

        public init(column: JobColumn, comparison: Comparison, value: Value) {
            self.column = column
            self.comparison = comparison
            self.value = value
        }
    }

    /// All must hold.
    public var conditions: [Condition]
    /// At most this many rows (never negative).
    public var limit: Int
    /// The page ends before its payloads add up to more than this many bytes, but holds at
    /// least one row (``JobQuery/payloadBudget``).
    public var payloadBudget: Int

    public init(_ query: JobQuery) {
        var conditions: [Condition] = []
        func add(_ column: JobColumn, _ comparison: Comparison, _ value: Value) {
            conditions.append(Condition(column: column, comparison: comparison, value: value))
        }
        switch query.status {
        case .pending?:
            add(.status, .equal, .status(.pending))
            add(.runAt, .lessOrEqual, .time(query.now))
        case .scheduled?:
            add(.status, .equal, .status(.pending))
            add(.runAt, .greater, .time(query.now))
        case let status?:
            add(.status, .equal, .status(status))
        case nil:
            break
        }
        if let type = query.type { add(.type, .equal, .text(type)) }
        if let queue = query.queue { add(.queue, .equal, .text(queue)) }
        if let partition = query.partition { add(.partition, .equal, .text(partition)) }
        if let priority = query.priority { add(.priority, .equal, .integer(Int64(priority))) }
        if let after = query.createdAfter { add(.createdAt, .greaterOrEqual, .time(after)) }
        if let before = query.createdBefore { add(.createdAt, .less, .time(before)) }
        if let cursor = query.before { add(.sequence, .less, .integer(cursor)) }
        self.conditions = conditions
        self.limit = max(0, query.limit)
        self.payloadBudget = max(1, query.payloadBudget)
    }

    /// Whether `job` meets every condition (what a store's `WHERE` clause selects).
    public func matches(_ job: Job) -> Bool {
        conditions.allSatisfy { condition in
            let order: ComparisonResult
            switch (condition.column, condition.value) {
            case (.status, .status(let status)): order = job.storedStatus == status ? .orderedSame : .orderedAscending
            case (.type, .text(let text)): order = Self.compare(job.type, text)
            case (.queue, .text(let text)): order = Self.compare(job.queue, text)
            case (.partition, .text(let text)):
                guard let partition = job.partition else { return false }
                order = Self.compare(partition, text)
            case (.priority, .integer(let value)): order = Self.compare(Int64(job.priority), value)
            case (.sequence, .integer(let value)): order = Self.compare(job.sequence, value)
            case (.runAt, .time(let time)): order = Self.compare(job.runAt, time)
            case (.createdAt, .time(let time)): order = Self.compare(job.createdAt, time)
            default: return false
            }
            switch condition.comparison {
            case .equal: return order == .orderedSame
            case .less: return order == .orderedAscending
            case .lessOrEqual: return order != .orderedDescending
            case .greater: return order == .orderedDescending
            case .greaterOrEqual: return order != .orderedAscending
            }
        }
    }

    private static func compare<T: Comparable>(_ left: T, _ right: T) -> ComparisonResult {
        left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
    }
}
