import Foundation
import VesperCore

/// `vesper bench drain`: enqueue N jobs first (batch inserts, not timed), then time one node with
/// W slots working them all off. Latency is each job's wait, from enqueue to handler start.
enum DrainBench {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let waits = LatencyRecorder()
        let node = try await BenchNode(options: options, expectedJobs: options.jobs) { job in
            waits.record(seconds: Date().timeIntervalSince(job.createdAt))
        }
        do {
            let report = try await measure(options, node: node, waits: waits)
            await node.stop()
            return report
        } catch {
            await node.stop()
            throw error
        }
    }

    private static func measure(_ options: BenchOptions, node: BenchNode, waits: LatencyRecorder) async throws -> BenchReport {
        let queue = node.vesper.queue
        var ids: [UUID] = []
        ids.reserveCapacity(options.jobs)
        var next = 0
        while next < options.jobs {
            let jobs = (next..<min(options.jobs, next + max(1, options.batch))).map { JobMix.newJob($0, client: queue) }
            for case .created(let job) in try await queue.enqueueBatch(jobs) { ids.append(job.id) }
            next += jobs.count
        }
        let check = CorrectnessCheck(queue: queue)
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await node.start()
        let ledger = node.ledger
        let expected = ids.count
        let ran = try await ProgressLine.whileRunning(enabled: options.progress, { "\(ledger.distinct) of \(expected) run" }) {
            await ledger.wait(forDistinct: expected, timeout: options.finishTimeout)
        }
        let settled = ran ? try await check.waitUntilSettled(timeout: .seconds(60)) : false
        let seconds = (clock.now - start).secondsDouble
        var verdict = try await check.verify(expected: ids, .doneOnce, ledger: ledger)
        if !settled { verdict.note("jobs were still pending or processing at the deadline") }
        let memory = MemoryUsage.residentMiB()
        return BenchReport(
            mode: .drain, jobs: ids.count, seconds: seconds, latencyName: "wait (enqueue to start)", latency: waits.summary,
            errors: verdict.errors + (options.jobs - ids.count), lost: verdict.lost, duplicates: verdict.duplicates,
            rssMiB: memory.current, peakRSSMiB: memory.peak, store: node.vesper.databaseName, problems: verdict.problems)
    }
}
