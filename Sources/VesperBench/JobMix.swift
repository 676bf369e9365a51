import Foundation
import NIOCore
import VesperCore

/// The jobs a bench submits: mixed priorities (0/3/7/10) and types, small payloads.
enum JobMix {
    static let priorities = [0, 3, 7, 10]
    static let types = ["demo.noop", "bench.email", "bench.resize"]

    static func type(_ index: Int) -> String { types[index % types.count] }
    static func priority(_ index: Int) -> Int { priorities[index % priorities.count] }
    static func payload(_ index: Int) -> String { #"{"n":\#(index)}"# }

    /// The `POST /jobs` body of job `index`.
    static func requestBody(_ index: Int) -> String {
        #"{"type":"\#(type(index))","priority":\#(priority(index)),"payload":\#(payload(index))}"#
    }

    /// ``requestBody(_:)`` written straight into a buffer, without building a `String` first.
    static func requestBodyBuffer(_ index: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(96)
        buffer.writeStaticString(#"{"type":""#)
        buffer.writeString(type(index))
        buffer.writeStaticString(#"","priority":"#)
        buffer.writeString(String(priority(index)))
        buffer.writeStaticString(#","payload":{"n":"#)
        buffer.writeString(String(index))
        buffer.writeStaticString("}}")
        return buffer
    }

    /// Job `index` built with `client`'s defaults.
    static func newJob(_ index: Int, client: JobQueue) -> NewJob {
        client.newJob(type: type(index), priority: priority(index), payloadJSON: payload(index))
    }
}
