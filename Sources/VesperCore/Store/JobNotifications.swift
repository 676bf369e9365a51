/// An optional store capability: pushes "new work" signals across processes (PostgreSQL
/// LISTEN/NOTIFY), so a job posted to one machine starts on another without waiting for a poll.
///
/// Stores without it are polled; polling stays as the fallback everywhere.
public protocol JobNotifications: Sendable {
    /// Listens until cancelled, calling `onWake` for each signal. Reconnects by itself after a
    /// dropped connection; returns only on cancellation.
    func listenForNewJobs(onWake: @escaping @Sendable () -> Void) async throws
}
