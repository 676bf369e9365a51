import Foundation
import VesperCore

/// `vesper bench enqueue`: bulk enqueue through the Swift API in batches, no workers running.
/// Latency is per `enqueueBatch` call.
enum EnqueueBench {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let node = try await BenchNode(options: options, expectedJobs: 0)
        do {
            let report = try await measure(options, node: node)
            await node.stop()
            return report
        } catch {
            await node.stop()
            throw error
        }
    }

    private static func measure(_ options: BenchOptions, node: BenchNode) async throws -> BenchReport {
        let queue = node.vesper.queue
        let batch = max(1, options.batch)
        let latencies = LatencyRecorder()
        var ids: [UUID] = []
        ids.reserveCapacity(options.jobs)
        let clock = ContinuousClock()
        let start = clock.now
        var errors = 0
        let done = Counter()
        try await ProgressLine.whileRunning(enabled: options.progress, { "\(done.value) of \(options.jobs) enqueued" }) {
            var next = 0
            while next < options.jobs {
                let jobs = (next..<min(options.jobs, next + batch)).map { JobMix.newJob($0, client: queue) }
                let began = clock.now
                let outcomes = try await queue.enqueueBatch(jobs)
                latencies.record(seconds: (clock.now - began).secondsDouble)
                for outcome in outcomes {
                    if case .created(let job) = outcome { ids.append(job.id) } else { errors += 1 }
                }
                next += jobs.count
                done.set(next)
            }
        }
        let seconds = (clock.now - start).secondsDouble
        let verdict = try await CorrectnessCheck(queue: queue).verify(expected: ids, .pendingUnclaimed, ledger: nil)
        let memory = MemoryUsage.residentMiB()
        return BenchReport(
            mode: .enqueue, jobs: options.jobs, seconds: seconds, latencyName: "batch of \(batch)", latency: latencies.summary,
            errors: errors + verdict.errors, lost: verdict.lost + (options.jobs - ids.count - errors), duplicates: 0,
            rssMiB: memory.current, peakRSSMiB: memory.peak, store: node.vesper.databaseName, problems: verdict.problems)
    }
}
