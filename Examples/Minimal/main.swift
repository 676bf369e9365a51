import Foundation
import Vesper

struct ResizeRequest: Codable, Sendable {
    var image_url: String
    var width: Int
}

do {
    let vesper = try await Vesper(configuration: .fromEnvironment())  // reads env and .env; /metrics works

    vesper.register("resize_image") { job in                           // one type
        let request = try job.decodePayload(as: ResizeRequest.self)
        vesper.logger.info("resizing \(request.image_url) to \(request.width)px")
        // Follow-up work is just another job.
        try await vesper.enqueue(type: "send_email", priority: 3, payload: ["to": "owner@example.com"])
    }

    vesper.registerConsumer { job in                                   // every other type
        vesper.logger.info("processing \(job.type) job \(job.id)")
    }

    try await vesper.run()                                             // API + workers until SIGTERM
} catch {
    // A configuration or start-up error is one line and a non-zero exit, not a crash.
    FileHandle.standardError.write(Data("worker: \(error)\n".utf8))
    exit(1)
}
