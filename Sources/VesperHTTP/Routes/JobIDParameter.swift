import Foundation
import Hummingbird
import VesperCore

extension RequestContext {
    /// The `{id}` of a `/jobs/{id}` route as a UUID, or a 400 naming the text that is not one.
    func jobID() throws(ValidationError) -> UUID {
        let text = parameters.get("id") ?? ""
        guard let id = UUID(uuidString: text) else {
            throw ValidationError(field: "job_id", message: "job id \"\(text.prefix(100))\" is not a UUID")
        }
        return id
    }
}
