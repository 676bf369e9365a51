import Logging

/// Metadata keys, in one place and with one prefix, so log shippers can index them.
public enum LogKey {
    public static let jobID = "vesper_job_id"
    public static let jobType = "vesper_job_type"
    public static let priority = "vesper_priority"
    public static let attempt = "vesper_attempt"
    public static let outcome = "vesper_outcome"
    public static let waitMs = "vesper_wait_ms"
    public static let runMs = "vesper_run_ms"
    public static let error = "vesper_error"
    public static let nodeID = "vesper_node_id"
    public static let count = "vesper_count"
    /// How many lines like this one a rate-limited log held back since its last line.
    public static let suppressed = "vesper_suppressed"
    public static let schedule = "vesper_schedule"
    public static let queue = "vesper_queue"
    /// The W3C trace id of the producer's trace, on a job's lines when the job carries one.
    public static let traceID = "vesper_trace_id"
}
