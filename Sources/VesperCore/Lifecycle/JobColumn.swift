/// The stored columns the lifecycle rules name. Both stores use these names; each renders them
/// into its own dialect.
public enum JobColumn: String, Sendable, CaseIterable {
    case sequence = "seq"
    case status
    case type
    case queue
    case priority
    case retries
    case error
    case runAt = "run_at"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
    case finishedAt = "finished_at"
    case workerID = "worker_id"
    case leaseUntil = "lease_until"
    case partition = "partition_key"
    case fairTag = "fair_tag"

    /// The column's name in both schemas.
    public var name: String { rawValue }
}
