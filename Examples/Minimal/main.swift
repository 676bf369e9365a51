// The smallest useful Vesper worker.
//
//     swift run vesper-example
//     curl -X POST localhost:8080/jobs -H 'Content-Type: application/json' \
//          -d '{"type":"resize_image","priority":7,"payload":{"image_url":"cat.png","width":640}}'
import Vesper

struct ResizeRequest: Codable, Sendable {
    var image_url: String
    var width: Int
}

PrometheusMetrics.bootstrap()                                     // GET /metrics
let vesper = try await Vesper(configuration: .fromEnvironment())  // reads env and .env

vesper.register("resize_image") { job in
    let request = try job.decodePayload(as: ResizeRequest.self)
    vesper.logger.info("resizing \(request.image_url) to \(request.width)px")
    // Follow-up work is just another job.
    try await vesper.enqueue(type: "send_email", priority: 3, payload: ["to": "owner@example.com", "subject": "resized"])
}

vesper.registerConsumer { job in  // every other type
    vesper.logger.info("processing \(job.type) job \(job.id)")
}

try await vesper.run()  // API + workers until SIGTERM
