/// What a handler throws to run the job again later without using a retry:
/// `throw JobSnooze(for: .seconds(30))`.
///
/// The job goes back to `pending` with `run_at` moved on by the delay; `retries` and the last error
/// stay as they were, and the next claim is a new attempt (its `attempt` number goes up). A job
/// that snoozes forever runs forever: bound it in the handler (for example with `context.attempt`).
public struct JobSnooze: Error, Sendable, CustomStringConvertible {
    /// How long from the end of this attempt until the job is due again.
    public var delay: Duration

    public init(for delay: Duration) {
        self.delay = delay
    }

    public var description: String { "snoozed for \(delay)" }
}
