import Foundation
import Synchronization

/// Lets a running handler report its progress: `JobProgressReporter.report(percent: 40, message: "resizing")`
/// from anywhere inside the handler (the current job is a task-local, so the handler's signature
/// does not change, and typed APIs can wrap it).
///
/// Reports are kept in memory and the latest one per job rides on the node's next lease renewal
/// (``JobStore/renewLeases(_:)``): persisted at most about once a second per job, however often
/// the handler reports, and at no extra round trip.
public struct JobProgressReporter: Sendable {
    /// The attempt reporting.
    public let token: LeaseToken
    let board: ProgressBoard
    let clock: WallClock

    /// The reporter of the job whose handler is running in this task, `nil` outside handlers.
    @TaskLocal public static var current: JobProgressReporter?

    /// Records progress for the current job: `percent` is clamped to 0-100, `message` cut to
    /// ``JobProgress/maxMessageBytes``. Does nothing outside a handler.
    public static func report(percent: Int, message: String = "") {
        current?.report(percent: percent, message: message)
    }

    /// Records progress for this reporter's job.
    public func report(percent: Int, message: String = "") {
        board.post(JobProgress(percent: percent, message: message, updatedAt: clock.now(), attempt: token.attempt), for: token)
    }
}

/// The latest unsent progress report of each running attempt on a node; the lease keeper takes
/// them on each beat.
final class ProgressBoard: Sendable {
    private let pending = Mutex<[LeaseToken: JobProgress]>([:])

    init() {}

    func post(_ progress: JobProgress, for token: LeaseToken) {
        pending.withLock { $0[token] = progress }
    }

    var hasPending: Bool { pending.withLock { !$0.isEmpty } }

    /// Takes every unsent report.
    func take() -> [LeaseToken: JobProgress] {
        pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
    }

    /// Puts back reports a failed renewal did not store, unless newer ones came meanwhile.
    func putBack(_ reports: [LeaseToken: JobProgress]) {
        pending.withLock { pending in pending.merge(reports) { newer, _ in newer } }
    }

    /// Forgets an attempt that ended.
    func remove(_ token: LeaseToken) {
        pending.withLock { _ = $0.removeValue(forKey: token) }
    }
}
