import Foundation
import Vesper

/// The stock binary's consumers, in development and test only (`APP_ENV`): reserved `demo.*` types
/// for trying the failure paths and load, plus, with `DEMO_CONSUMER=1`, a catch-all that logs and
/// succeeds. Without it a stock node claims only `demo.*` jobs, so it never takes (and marks done)
/// jobs that remote workers ask for. In production the stock binary registers none: it is an API node.
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
        if vesper.configuration.demoConsumerEnabled {
            logger.warning(
                "APP_ENV=\(environment), DEMO_CONSUMER=1: demo handlers are on; a catch-all consumer marks every job type without a handler done after logging it. Set APP_ENV=production to run no demo handlers.")
            vesper.registerConsumer { job in
                logger.info("processing job", metadata: [LogKey.jobID: "\(job.id.lowercaseText)", LogKey.jobType: "\(job.type)", LogKey.priority: "\(job.priority)"])
            }
        } else {
            logger.notice("APP_ENV=\(environment): the demo.* job types run here; DEMO_CONSUMER=1 would also mark every other type done")
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
