import Foundation
import Synchronization
import VesperCore

/// `vesper bench latency`: a steady trickle of single enqueues on an otherwise idle node. Latency is
/// from the moment `enqueue` returned (the job is durable) to the moment its handler started: the
/// wake-up path, not polling. With `--across-nodes` a second node enqueues, so the wake-up crosses
/// the database.
enum LatencyBench {
    /// When each job was acknowledged and when it started, in `ContinuousClock` time.
    private final class Timeline: Sendable {
        let events = Mutex<(acknowledged: [UUID: ContinuousClock.Instant], started: [UUID: ContinuousClock.Instant])>(([:], [:]))

        func acknowledged(_ id: UUID, at instant: ContinuousClock.Instant) {
            events.withLock { $0.acknowledged[id] = instant }
        }

        func started(_ id: UUID) {
            let now = ContinuousClock.now
            events.withLock { $0.started[id] = $0.started[id] ?? now }
        }
    }

    static func run(_ options: BenchOptions) async throws -> BenchReport {
        let timeline = Timeline()
        let node = try await BenchNode(options: options, expectedJobs: 0) { job in timeline.started(job.id) }
        do {
            let report = try await measure(options, node: node, timeline: timeline)
            await node.stop()
            return report
        } catch {
            await node.stop()
            throw error
        }
    }

    private static func measure(_ options: BenchOptions, node: BenchNode, timeline: Timeline) async throws -> BenchReport {
        _ = try await node.start()
        let producer = options.acrossNodes ? try await node.makeProducer() : nil
        do {
            let report = try await measure(options, node: node, queue: producer?.queue ?? node.vesper.queue, timeline: timeline)
            try? await producer?.close()
            return report
        } catch {
            try? await producer?.close()
            throw error
        }
    }

    private static func measure(_ options: BenchOptions, node: BenchNode, queue: JobQueue, timeline: Timeline) async throws -> BenchReport {
        let total = max(1, Int((Double(options.rate) * options.duration.secondsDouble).rounded()))
        let interval = Duration.secondsDouble(1 / Double(max(1, options.rate)))
        let clock = ContinuousClock()
        let start = clock.now
        let errors = Counter()
        let submitted = Counter()
        let ledger = node.ledger
        // One task per tick, so a slow enqueue does not delay the next ones (no coordinated omission).
        try await ProgressLine.whileRunning(enabled: options.progress, { "\(submitted.value) of \(total) enqueued, \(ledger.distinct) started" }) {
            await withDiscardingTaskGroup { group in
                for index in 0..<total {
                    try? await clock.sleep(until: start + interval * index)
                    group.addTask {
                        do {
                            if case .created(let job) = try await queue.enqueue(JobMix.newJob(index, client: queue)) {
                                timeline.acknowledged(job.id, at: clock.now)
                            } else {
                                errors.add(1)
                            }
                        } catch {
                            errors.add(1)
                        }
                        submitted.add(1)
                    }
                }
            }
        }
        let ids = timeline.events.withLock { Array($0.acknowledged.keys) }
        let ran = await ledger.wait(forDistinct: ids.count, timeout: options.finishTimeout)
        let check = CorrectnessCheck(queue: queue)
        let settled = ran ? try await check.waitUntilSettled(timeout: .seconds(60)) : false
        let seconds = (clock.now - start).secondsDouble
        let latencies = LatencyRecorder()
        timeline.events.withLock { events in
            for (id, acknowledged) in events.acknowledged {
                if let started = events.started[id] { latencies.record(seconds: (started - acknowledged).secondsDouble) }
            }
        }
        var verdict = try await check.verify(expected: ids, .doneOnce, ledger: ledger)
        if !settled { verdict.note("jobs were still pending or processing at the deadline") }
        let memory = MemoryUsage.residentMiB()
        return BenchReport(
            mode: .latency, jobs: total, seconds: seconds,
            latencyName: options.acrossNodes ? "enqueue-to-start, enqueued by another node" : "enqueue-to-start", latency: latencies.summary,
            errors: verdict.errors + errors.value, lost: verdict.lost, duplicates: verdict.duplicates,
            rssMiB: memory.current, peakRSSMiB: memory.peak, store: node.vesper.databaseName, problems: verdict.problems)
    }
}
