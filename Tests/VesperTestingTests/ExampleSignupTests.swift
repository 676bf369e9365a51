import Hummingbird
import HummingbirdTesting
import Testing
import VesperEmbeddedExampleApp
import VesperTesting

@Suite("The example app's sign-up")
struct ExampleSignupTests {
    @Test func signupEnqueuesAWelcomeEmailThatTheHandlerSends() async throws {
        let queue = try await VesperTestQueue()                 // a throwaway SQLite queue
        let mailer = RecordingMailer()
        registerJobs(on: queue, mailer: mailer)                  // the app's own registration
        let app = Application(router: buildRouter(queue: queue.queue))
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/signup", method: .post, body: ByteBuffer(string: #"{"email":"ada@example.com","name":"Ada"}"#))
            #expect(response.status == .accepted)
        }
        #expect(try await queue.enqueued(SendWelcomeEmail.self) == [SendWelcomeEmail(to: "ada@example.com", name: "Ada")])

        let ran = try await queue.drain()                        // runs everything due, until idle
        #expect(ran.map(\.outcome) == [.done])
        #expect(mailer.sent == ["ada@example.com: Welcome, Ada!"])
        try await queue.close()
    }
}
