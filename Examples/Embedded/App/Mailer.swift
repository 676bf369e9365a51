import Logging

/// Sends email. The example logs instead; its tests record what was sent.
public protocol Mailer: Sendable {
    func send(to address: String, subject: String) async throws
}

/// What a mail provider answers when it wants the caller to come back later.
public struct MailerRateLimited: Error {
    public var retryAfter: Duration

    public init(retryAfter: Duration) {
        self.retryAfter = retryAfter
    }
}

/// A ``Mailer`` that writes each email to the log.
public struct LogMailer: Mailer {
    public var logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func send(to address: String, subject: String) async throws {
        logger.info("email to \(address): \(subject)")
    }
}
