import Foundation
import Vesper

/// The stock binary's consumers, in development and test only (`APP_ENV`): a catch-all that logs
/// and succeeds, plus reserved `demo.*` types for trying the failure paths and load. In production
/// the stock binary registers none, so it never marks done a job it did not run: it is an API node.
enum DemoHandlers {
    struct SleepPayload: Decodable {
        var ms: Int
    }

    struct ProgressPayload: Decodable {
        var steps: Int
        var ms: Int
    }

    static func register(on vesper: Vesper) {
        let logger = vesper.logger
        let environment = vesper.configuration.appEnvironment
        logger.warning(
            "APP_ENV=\(environment): demo handlers are on; a catch-all consumer marks every job type without a handler done after logging it. Set APP_ENV=production to run no demo handlers.")
        vesper.registerConsumer { job in
            logger.info("processing job", metadata: [LogKey.jobID: "\(job.id.lowercaseText)", LogKey.jobType: "\(job.type)", LogKey.priority: "\(job.priority)"])
        }
        vesper.register("demo.noop") { _ in }
        vesper.register("demo.sleep") { job in
            let payload = try? job.decodePayload(as: SleepPayload.self)
            guard let ms = payload?.ms, ms >= 0 else {
                throw JobError.permanent("demo.sleep needs a payload like {\"ms\": 500}")
            }
            try await Task.sleep(for: .milliseconds(ms))
        }
        // Returns its payload, byte for byte, as the job's result.
        vesper.registerResultHandler("demo.echo") { job in JobResult(json: job.payload) }
        // Reports progress `steps` times, `ms` apart.
        vesper.register("demo.progress") { job in
            let payload = try? job.decodePayload(as: ProgressPayload.self)
            guard let payload, (1...10_000).contains(payload.steps), payload.ms >= 0 else {
                throw JobError.permanent("demo.progress needs a payload like {\"steps\": 10, \"ms\": 500} (1 to 10000 steps)")
            }
            for step in 1...payload.steps {
                try await Task.sleep(for: .milliseconds(payload.ms))
                JobProgressReporter.report(percent: step * 100 / payload.steps, message: "step \(step) of \(payload.steps)")
            }
        }
        vesper.register("demo.fail") { job in
            throw JobError.retryable("demo.fail always fails (attempt \(job.attempt))")
        }
    }
}
