import Foundation
import Logging

/// Built-in middleware: one log line per finished attempt (`job done`, `job retried`, ...), at
/// `info` for done, `notice` for released, snoozed or cancelled, `warning` for retried or a lost lease and
/// `error` otherwise, with the job's id, type, priority, attempt, wait, run time, outcome and error,
/// and the producer's W3C trace id when the job carries one (``JobTraceContext/traceID``).
public struct JobLogMiddleware: JobMiddleware {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func finished(_ attempt: FinishedAttempt) {
        let level: Logger.Level
        switch attempt.outcome {
        case .done: level = .info
        case .released, .snoozed, .cancelled: level = .notice
        case .retried, .lostLease: level = .warning
        default: level = .error
        }
        // Building the metadata costs more than a no-op job: only build it when the line is written.
        guard logger.logLevel <= level else { return }
        let job = attempt.job
        var metadata: Logger.Metadata = [
            LogKey.jobID: "\(job.id.uuidString.lowercased())",
            LogKey.jobType: "\(job.type)",
            LogKey.priority: "\(job.priority)",
            LogKey.attempt: "\(job.attempt)",
            LogKey.waitMs: "\(Int((attempt.wait * 1000).rounded()))",
            LogKey.runMs: "\(Int((attempt.run * 1000).rounded()))",
            LogKey.outcome: "\(attempt.outcome.name)",
        ]
        if let error = attempt.completion.error { metadata[LogKey.error] = "\(error)" }
        if let traceID = job.traceContext?.traceID { metadata[LogKey.traceID] = "\(traceID)" }
        logger.log(level: level, "job \(attempt.outcome.name)", metadata: metadata)
    }
}
