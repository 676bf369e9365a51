import Foundation
import Vesper

/// A welcome email for a new user: a typed job with its own queue, retries and timeout.
public struct SendWelcomeEmail: VesperJob, Equatable {
    public static let type = "send_welcome_email"
    public static let defaults = JobTypeDefaults(queue: "mail", maxRetries: 5, timeout: .seconds(30))

    public var to: String
    public var name: String

    public init(to: String, name: String) {
        self.to = to
        self.name = name
    }
}

/// Registers the shop's handlers and middleware, on a node or on a test queue alike.
public func registerJobs(on workers: some JobRegistrar, mailer: some Mailer) {
    workers.use(SlowJobWarning(threshold: .seconds(5)))

    workers.register(SendWelcomeEmail.self) { email, context in
        do {
            try await mailer.send(to: email.to, subject: "Welcome, \(email.name)!")
            context.logger.info("welcome email sent")
        } catch let limited as MailerRateLimited {
            throw JobSnooze(for: limited.retryAfter)  // run again later; not a failed attempt
        }
    }
}

/// Middleware: a warning for every attempt that ran longer than `threshold`.
public struct SlowJobWarning: JobMiddleware {
    public var threshold: Duration

    public func run(_ context: JobContext, next: (JobContext) async throws -> Void) async throws {
        let start = ContinuousClock.now
        defer {
            let took = ContinuousClock.now - start
            if took > threshold { context.logger.warning("slow job", metadata: ["took": "\(took)"]) }
        }
        try await next(context)
    }
}
