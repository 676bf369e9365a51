import Foundation

/// One attempt in a job's history (`attempts` in `GET /jobs/{id}`): which node ran it, when, and
/// how it ended. Stores append one in the same statement that ends the attempt when the job goes
/// on (a retry, a snooze, a lost lease) or is cancelled, so keeping the history costs no extra
/// write; the last attempt of a job that a finish ended `done`, `failed` or `dlq` is not stored but
/// read from its row (``ImplicitLastAttempt``). Hand-backs of jobs that never ran (shutdown, a
/// prefetch held too long) are not attempts and are not recorded.
public struct AttemptRecord: Sendable, Equatable, Decodable {
    /// The job's `attempt` number (claim count) for this try.
    public var attempt: Int
    /// The node that held it.
    public var node: String?
    public var startedAt: Date?
    public var finishedAt: Date
    /// What happened, in ``AttemptOutcome`` names: `done`, `retried`, `dlq`, `failed`,
    /// `cancelled`, or `lost` (the node stopped extending the lease or was reaped; see `error`).
    public var outcome: String
    /// The error text, empty when none.
    public var error: String

    public init(attempt: Int, node: String?, startedAt: Date?, finishedAt: Date, outcome: String, error: String) {
        self.attempt = attempt
        self.node = node
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.error = error
    }

    /// The outcome name of an attempt lost with its node (lease expired, node reaped).
    public static let lostOutcome = "lost"

    private enum CodingKeys: String, CodingKey {
        case attempt, node, outcome, error
        case startedAt = "started_at_us"
        case finishedAt = "finished_at_us"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ micros: Int64) -> Date { Date(timeIntervalSince1970: Double(micros) / 1_000_000) }
        attempt = try container.decode(Int.self, forKey: .attempt)
        node = try container.decodeIfPresent(String.self, forKey: .node)
        startedAt = try container.decodeIfPresent(Int64.self, forKey: .startedAt).map(date)
        finishedAt = date(try container.decode(Int64.self, forKey: .finishedAt))
        outcome = try container.decode(String.self, forKey: .outcome)
        error = try container.decodeIfPresent(String.self, forKey: .error) ?? ""
    }

    /// The JSON keys the stores write for each attempt (times in microseconds since 1970).
    public enum StoredKey {
        public static let attempt = "attempt"
        public static let node = "node"
        public static let startedAt = "started_at_us"
        public static let finishedAt = "finished_at_us"
        public static let outcome = "outcome"
        public static let error = "error"
    }

    /// Reads a stored history (a JSON array); an unreadable one is a `corrupt_row` error.
    public static func fromStored(_ text: String, sequence: Int64, id: UUID) throws -> [AttemptRecord] {
        do {
            return try JSONDecoder().decode([AttemptRecord].self, from: Data(text.utf8))
        } catch {
            throw StoredJobRow.corrupt(column: "attempts", value: text, sequence: sequence, id: id)
        }
    }
}
