import Foundation
import Hummingbird
import Vesper

/// A sign-up: the request body of `POST /signup`.
public struct Signup: Codable, Sendable {
    public var email: String
    public var name: String
}

/// The answer to a sign-up: the id of the welcome email's job.
public struct SignupAccepted: ResponseCodable {
    public var job: String
}

/// The shop's own routes; they enqueue typed jobs through `queue`.
public func buildRouter(queue: JobQueue) -> Router<BasicRequestContext> {
    let router = Router()
    router.post("signup") { request, context -> EditedResponse<SignupAccepted> in
        let signup = try await request.decode(as: Signup.self, context: context)
        let job = try await queue.enqueue(SendWelcomeEmail(to: signup.email, name: signup.name))
        return EditedResponse(status: .accepted, response: SignupAccepted(job: job.id.lowercaseText))
    }
    return router
}
