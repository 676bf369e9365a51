import Foundation
import Testing
import Vesper
import VesperTestSupport

@Suite("Vesper facade")
struct VesperFacadeTests {
    @Test(arguments: [["REQUIRE_CONSUMER": "1"], ["REQUIRE_CONSUMER": "1", "APP_ENV": "production"]])
    func refusesToRunWithoutAConsumerWhenOneIsRequired(environment: [String: String]) async throws {
        try await withTemporaryDirectory { directory in
            var environment = environment
            environment["DB_PATH"] = directory.file("vesper.db")
            environment["API_ADDR"] = "127.0.0.1:0"
            let vesper = try await Vesper(configuration: .fromEnvironment(environment, dotEnvPath: nil))
            do {
                try await vesper.run()
                Issue.record("run() must refuse to start")
            } catch let error as ConfigurationError {
                #expect(error.variable == "REQUIRE_CONSUMER")
                #expect(error.description.contains("no job handler is registered"))
            }
            try await vesper.close()
        }
    }

    struct Resize: Codable, Sendable, Equatable {
        var image_url: String
        var width: Int
    }

    @Test func enqueueFromCodeAndDecodeTypedPayloads() async throws {
        try await withTemporaryDirectory { directory in
            var configuration = VesperConfiguration()
            configuration.database = .sqlite(path: directory.file("vesper.db"))
            let vesper = try await Vesper(configuration: configuration)
            let job = try await vesper.enqueue(type: "resize_image", priority: 7, payload: Resize(image_url: "cat.png", width: 640))
            #expect(try job.decodePayload(as: Resize.self) == Resize(image_url: "cat.png", width: 640))
            let stored = try #require(try await vesper.queue.job(id: job.id))
            #expect(stored.priority == 7)
            #expect(try stored.decodePayload(as: Resize.self).width == 640)

            let again = try await vesper.enqueue(type: "resize_image", payload: ["a": 1], idempotencyKey: "k")
            #expect(try await vesper.enqueue(type: "resize_image", payload: ["a": 1], idempotencyKey: "k").id == again.id)
            await #expect(throws: VesperError.self) {
                try await vesper.enqueue(type: "resize_image", payload: ["a": 2], idempotencyKey: "k")
            }
            await #expect(throws: ValidationError.self) {
                try await vesper.enqueue(type: "resize_image", priority: 11)
            }
            try await vesper.close()
        }
    }

    @Test func enqueueWorksBeforeRunOnPostgres() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            var configuration = VesperConfiguration()
            configuration.database = .postgres(settings)
            let vesper = try await Vesper(configuration: configuration)
            // No run(): a worker app may enqueue while setting up.
            let job = try await vesper.enqueue(type: "early", payload: ["n": 1])
            #expect(try await vesper.queue.job(id: job.id)?.type == "early")
            try await vesper.close()
        }
    }
}
