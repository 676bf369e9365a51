/// Where a job is in its life.
///
/// `scheduled` is not stored: a `pending` job whose `run_at` is still in the future is reported as
/// `scheduled`, so a job becomes claimable by the passage of time alone, without a promoter.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    /// Claimable now.
    case pending
    /// Waiting for its `run_at` (a delay, a retry backoff or a schedule).
    case scheduled
    /// Leased by one node.
    case processing
    /// Finished successfully.
    case done
    /// Failed permanently: the handler asked not to retry.
    case failed
    /// Dead-letter queue: every retry was used up.
    case dlq
    /// Cancelled before it ran.
    case cancelled

    /// States a job never leaves by itself.
    public var isFinal: Bool {
        switch self {
        case .done, .failed, .dlq, .cancelled: true
        case .pending, .scheduled, .processing: false
        }
    }
}
