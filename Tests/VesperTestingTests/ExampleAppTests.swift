import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VesperEmbeddedExampleApp
import VesperTesting

/// A ``Mailer`` that records what it sends, and can be told to answer "rate limited" first.
final class RecordingMailer: Mailer {
    private let state = Mutex<(sent: [String], limitedCalls: Int)>(([], 0))

    init(rateLimitedCalls: Int = 0) {
        state.withLock { $0.limitedCalls = rateLimitedCalls }
    }

    func send(to address: String, subject: String) async throws {
        try state.withLock { state in
            if state.limitedCalls > 0 {
                state.limitedCalls -= 1
                throw MailerRateLimited(retryAfter: .zero)
            }
            state.sent.append("\(address): \(subject)")
        }
    }

    var sent: [String] { state.withLock { $0.sent } }
}

@Suite("The embedded example app, tested through VesperTesting")
struct ExampleAppTests {
    @Test func aRateLimitedMailerSnoozesTheJobWithoutUsingARetry() async throws {
        let queue = try await VesperTestQueue()
        let mailer = RecordingMailer(rateLimitedCalls: 2)
        registerJobs(on: queue, mailer: mailer)
        try await queue.enqueue(SendWelcomeEmail(to: "lin@example.com", name: "Lin"))
        let ran = try await queue.drain()
        #expect(ran.map(\.outcome) == [.snoozed, .snoozed, .done])
        let job = try #require(try await queue.jobs(SendWelcomeEmail.self).first)
        #expect(job.retries == 0)
        #expect(job.attempt == 3)
        #expect(mailer.sent == ["lin@example.com: Welcome, Lin!"])
        try await queue.close()
    }
}
