import Foundation
import Synchronization
import VesperCore

/// `vesper bench steady`: producers `POST /jobs` at an open-loop rate R for the duration while
/// the node works the jobs, as in production. Reports each request's latency (sent to `201`) and
/// enqueue-to-start: from when the request was due to be sent (so a slow server cannot hide its
/// backlog by slowing the producer down) to when its handler started. With `--find-max`, runs a
/// fresh node per rate and searches for the highest rate whose enqueue-to-start p99 stays under
/// ``maxStartP99``.
enum SteadyBench {
    /// The target `--find-max` searches against.
    static let maxStartP99: Double = 100

    static func run(_ options: BenchOptions) async throws -> BenchReport {
        guard options.rate > 0 else { throw BenchFailure("--rate must be at least 1") }
        guard options.findMax else { return try await trial(options, rate: options.rate) }
        return try await findMax(options)
    }

    /// Doubles the rate from `--rate` while the target holds (halves it while it does not), then
    /// bisects between the last rate that held and the first that did not, to within 5%.
    private static func findMax(_ options: BenchOptions) async throws -> BenchReport {
        var trials: [String] = []
        var best: BenchReport?
        var bestRate = 0
        var failedRate: Int?
        func attempt(_ rate: Int) async throws -> Bool {
            let report = try await trial(options, rate: rate)
            let start = report.latency.p99
            let met = report.isCorrect && start < maxStartP99
            trials.append(String(format: "%d/s p99 %.1f ms %@", rate, start, met ? "met" : "missed"))
            if met, rate > bestRate {
                bestRate = rate
                best = report
            } else if !met {
                failedRate = min(failedRate ?? rate, rate)
            }
            return met
        }
        var rate = options.rate
        if try await attempt(rate) {
            while failedRate == nil, rate < 10_000_000 {
                rate *= 2
                _ = try await attempt(rate)
            }
        } else {
            while bestRate == 0, rate > 1 {
                rate /= 2
                _ = try await attempt(rate)
            }
        }
        while let high = failedRate, bestRate > 0, Double(high - bestRate) > 0.05 * Double(bestRate), high - bestRate > 1 {
            _ = try await attempt((bestRate + high) / 2)
        }
        guard var report = best else {
            throw BenchFailure("steady --find-max: no rate met enqueue-to-start p99 < \(Int(maxStartP99)) ms (tried: \(trials.joined(separator: "; ")))")
        }
        report.maxRate = bestRate
        report.trials = trials
        return report
    }

    private struct Sent: Sendable {
        var due: ContinuousClock.Instant
        var acknowledged: ContinuousClock.Instant
    }

    /// What one trial records, shared by its request tasks and the node's handler.
    private final class Record: Sendable {
        let started = Mutex<[UUID: ContinuousClock.Instant]>([:])
        let sent = Mutex<(jobs: [UUID: Sent], errors: Int, problems: [String])>(([:], 0, []))
        /// Idle keep-alive connections: a request takes one (or opens a new one) and puts it back.
        let idle = Mutex<[HTTP1Connection]>([])

        func failed(_ problem: String) {
            sent.withLock { state in
                state.errors += 1
                if state.problems.count < 3 { state.problems.append(problem) }
            }
        }
    }

    /// One run at `rate` on a fresh node.
    private static func trial(_ options: BenchOptions, rate: Int) async throws -> BenchReport {
        let record = Record()
        let node = try await BenchNode(options: options, expectedJobs: 0) { job in
            let now = ContinuousClock.now
            record.started.withLock { $0[job.id] = $0[job.id] ?? now }
        }
        do {
            let port = try await node.start()
            let report = try await measure(options, rate: rate, client: try BurstClient(baseURL: "http://127.0.0.1:\(port)"), node: node, record: record)
            await node.stop()
            return report
        } catch {
            await node.stop()
            throw error
        }
    }

    private static func measure(
        _ options: BenchOptions, rate: Int, client: BurstClient, node: BenchNode, record: Record
    ) async throws -> BenchReport {
        let total = max(1, Int((Double(rate) * options.duration.secondsDouble).rounded()))
        let interval = Duration.secondsDouble(1 / Double(rate))
        let clock = ContinuousClock()
        let opened = await client.connect(8).compactMap { $0 }
        record.idle.withLock { $0 = opened }
        let submitted = Counter()
        let ledger = node.ledger
        let start = clock.now
        try await ProgressLine.whileRunning(enabled: options.progress, { "\(submitted.value) of \(total) posted at \(rate)/s, \(ledger.distinct) started" }) {
            await withDiscardingTaskGroup { group in
                for index in 0..<total {
                    let due = start + interval * index
                    try? await clock.sleep(until: due)
                    // One task per tick: a slow request does not delay the next ones (no coordinated omission).
                    group.addTask {
                        var connection: HTTP1Connection? = record.idle.withLock { $0.popLast() }
                        do {
                            let (status, body) = try await client.send(.POST, "/jobs", json: JobMix.requestBodyBuffer(index), on: &connection).parts
                            let acknowledged = clock.now
                            if status == 201, let id = BurstClient.jobID(in: body) {
                                record.sent.withLock { $0.jobs[id] = Sent(due: due, acknowledged: acknowledged) }
                            } else {
                                record.failed("POST /jobs answered \(status): \(String(buffer: body).prefix(200))")
                            }
                        } catch {
                            record.failed("POST /jobs failed: \(error)")
                        }
                        if let connection { record.idle.withLock { $0.append(connection) } }
                        submitted.add(1)
                    }
                }
            }
        }
        let seconds = (clock.now - start).secondsDouble
        for connection in record.idle.withLock({ $0 }) { await connection.close() }
        let (jobs, errors, problems) = record.sent.withLock { ($0.jobs, $0.errors, $0.problems) }
        let ids = Array(jobs.keys)
        let ran = await ledger.wait(forDistinct: ids.count, timeout: options.finishTimeout)
        let check = CorrectnessCheck(queue: node.vesper.queue)
        let settled = ran ? try await check.waitUntilSettled(timeout: .seconds(60)) : false
        var verdict = try await check.verify(expected: ids, .doneOnce, ledger: ledger)
        if !settled { verdict.note("jobs were still pending or processing at the deadline") }
        let toStart = LatencyRecorder()
        let enqueue = LatencyRecorder()
        let starts = record.started.withLock { $0 }
        for (id, job) in jobs {
            enqueue.record(seconds: (job.acknowledged - job.due).secondsDouble)
            if let start = starts[id] { toStart.record(seconds: (start - job.due).secondsDouble) }
        }
        let memory = MemoryUsage.residentMiB()
        var report = BenchReport(
            mode: .steady, jobs: total, seconds: seconds, latencyName: "enqueue-to-start (request due to handler start)", latency: toStart.summary,
            errors: errors + verdict.errors, lost: verdict.lost, duplicates: verdict.duplicates,
            rssMiB: memory.current, peakRSSMiB: memory.peak, store: node.vesper.databaseName, problems: problems + verdict.problems)
        report.moreLatencies = [BenchReport.NamedLatency(key: "enqueue", name: "enqueue (request due to 201)", latency: enqueue.summary)]
        return report
    }
}
