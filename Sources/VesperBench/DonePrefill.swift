import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Vesper

/// `--prefill-done N`: N finished jobs in the table before a run, as retention keeps them on a busy
/// queue. A second node on the bench's database enqueues them in batches and works them off with
/// a no-op handler, then stops, so the measured node starts on a table that already holds them.
enum DonePrefill {
    static let type = "bench.prefill"

    static func run(_ count: Int, configuration: VesperConfiguration, logger: Logger) async throws {
        guard count > 0 else { return }
        var configuration = configuration
        configuration.nodeName = "bench-prefill"
        let node = try await Vesper(configuration: configuration, logger: logger)
        let ran = Counter()
        node.registerConsumer { _ in ran.add(1) }
        var next = 0
        while next < count {
            let batch = (next..<min(count, next + 5_000)).map { node.queue.newJob(type: type, payloadJSON: #"{"n":\#($0)}"#) }
            _ = try await node.queue.enqueueBatch(batch)
            next += batch.count
        }
        let group = ServiceGroup(services: [Runner(vesper: node)], logger: logger)
        let task = Task { try await group.run() }
        let check = CorrectnessCheck(queue: node.queue)
        let deadline = ContinuousClock.now + .seconds(3_600)
        while ran.value < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let settled = try await check.waitUntilSettled(timeout: .seconds(120))
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        guard ran.value >= count, settled else { throw BenchFailure("--prefill-done: only \(ran.value) of \(count) jobs finished") }
    }

    private struct Runner: Service {
        let vesper: Vesper

        func run() async throws { try await vesper.run() }
    }
}
