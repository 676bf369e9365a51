import Foundation
import Histogram
import Synchronization
import VesperCore

/// `vesper bench burst`: N `POST /jobs` with C in flight over keep-alive connections, against an
/// in-process node or `--server`. Latency is each request's submit time, until its `201` arrived.
enum BurstBench {
    static func run(_ options: BenchOptions) async throws -> BenchReport {
        if let server = options.serverURL {
            return try await measure(options, baseURL: server, node: nil)
        }
        let node = try await BenchNode(options: options, expectedJobs: options.jobs)
        do {
            let port = try await node.start()
            let report = try await measure(options, baseURL: "http://127.0.0.1:\(port)", node: node)
            await node.stop()
            return report
        } catch {
            await node.stop()
            throw error
        }
    }

    private struct Submissions: Sendable {
        var ids: [UUID] = []
        var errors = 0
        var problems: [String] = []
        var histogram = LatencyRecorder.makeHistogram()
    }

    private static func measure(_ options: BenchOptions, baseURL: String, node: BenchNode?) async throws -> BenchReport {
        let concurrency = max(1, min(options.concurrency, options.jobs))
        let client = try BurstClient(baseURL: baseURL)
        return try await measure(options, concurrency: concurrency, client: client, node: node)
    }

    private static func measure(_ options: BenchOptions, concurrency: Int, client: BurstClient, node: BenchNode?) async throws -> BenchReport {
        let nextIndex = Counter()
        let sent = Counter()
        let latencies = LatencyRecorder()
        let clock = ContinuousClock()
        // One keep-alive connection per slot, all opened (and used once) before the clock starts:
        // the figures are about submitting jobs, not about C simultaneous connection set-ups.
        let opened = await client.connect(concurrency)
        let start = clock.now
        let all = try await ProgressLine.whileRunning(enabled: options.progress, { "\(sent.value) of \(options.jobs) submitted" }) {
            await withTaskGroup(of: Submissions.self) { group in
                for slot in 0..<concurrency {
                    group.addTask {
                        var mine = Submissions()
                        var connection = opened[slot]
                        while true {
                            let index = nextIndex.next()
                            guard index < options.jobs else { break }
                            let request = JobMix.requestBodyBuffer(index)
                            let began = clock.now
                            do {
                                let (status, body) = try await client.send(.POST, "/jobs", json: request, on: &connection).parts
                                _ = mine.histogram.record(UInt64(max(0, (clock.now - began).secondsDouble * 1_000_000)))
                                if status == 201, let id = BurstClient.jobID(in: body) {
                                    mine.ids.append(id)
                                } else {
                                    mine.errors += 1
                                    if mine.problems.count < 3 { mine.problems.append("POST /jobs answered \(status): \(String(buffer: body).prefix(200))") }
                                }
                            } catch {
                                mine.errors += 1
                                if mine.problems.count < 3 { mine.problems.append("POST /jobs failed: \(error)") }
                            }
                            sent.add(1)
                        }
                        await connection?.close()
                        return mine
                    }
                }
                var all = Submissions()
                for await part in group {
                    all.ids += part.ids
                    all.errors += part.errors
                    all.problems += part.problems.prefix(max(0, 10 - all.problems.count))
                    latencies.add(part.histogram)
                }
                return all
            }
        }
        let seconds = (clock.now - start).secondsDouble
        var verdict: CorrectnessCheck.Verdict
        if let node {
            let ran = await node.ledger.wait(forDistinct: all.ids.count, timeout: options.finishTimeout)
            let check = CorrectnessCheck(queue: node.vesper.queue)
            let settled = ran ? try await check.waitUntilSettled(timeout: .seconds(60)) : false
            verdict = try await check.verify(expected: all.ids, .doneOnce, ledger: node.ledger)
            if !settled { verdict.note("jobs were still pending or processing at the deadline") }
        } else {
            verdict = await verifyOverHTTP(all.ids, client: client, concurrency: concurrency, timeout: options.finishTimeout)
        }
        let memory = MemoryUsage.residentMiB()
        return BenchReport(
            mode: .burst, jobs: options.jobs, seconds: seconds, latencyName: "submit (POST /jobs to 201)", latency: latencies.summary,
            errors: all.errors + verdict.errors, lost: verdict.lost, duplicates: verdict.duplicates,
            rssMiB: memory.current, peakRSSMiB: memory.peak, store: node?.vesper.databaseName ?? client.baseURL,
            problems: all.problems + verdict.problems)
    }

    /// Against a remote node handler runs cannot be counted: each job must reach `done` with no failed attempt.
    private static func verifyOverHTTP(_ ids: [UUID], client: BurstClient, concurrency: Int, timeout: Duration) async -> CorrectnessCheck.Verdict {
        let deadline = ContinuousClock.now + timeout
        let next = Counter()
        return await withTaskGroup(of: CorrectnessCheck.Verdict.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var verdict = CorrectnessCheck.Verdict()
                    var connection: HTTP1Connection?
                    while true {
                        let index = next.next()
                        guard index < ids.count else {
                            await connection?.close()
                            return verdict
                        }
                        let id = ids[index].lowercaseText
                        while true {
                            let reply = try? await client.send(.GET, "/jobs/\(id)", on: &connection)
                            let state = reply.flatMap { BurstClient.statusAndRetries(in: $0.body) }
                            if let (status, retries) = state, status == "done" {
                                if retries != 0 {
                                    verdict.errors += 1
                                    verdict.note("job \(id) is done after \(retries) failed attempts, not 0")
                                }
                                break
                            }
                            if let (status, _) = state, ["failed", "dlq", "cancelled"].contains(status) || ContinuousClock.now > deadline {
                                verdict.lost += 1
                                verdict.note("job \(id) is \(status), not done")
                                break
                            }
                            if ContinuousClock.now > deadline {
                                verdict.lost += 1
                                verdict.note("job \(id) could not be read: \(reply.map { "status \($0.status)" } ?? "no answer")")
                                break
                            }
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            }
            var total = CorrectnessCheck.Verdict()
            for await part in group {
                total.errors += part.errors
                total.lost += part.lost
                for problem in part.problems { total.note(problem) }
            }
            return total
        }
    }
}
