import ArgumentParser
import Foundation
import VesperBench
import VesperCore

/// `vesper bench MODE`: measure throughput and latency, and check that every job ran exactly once.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the queue: burst (HTTP submits), drain (working off a backlog), enqueue (bulk API), latency (idle wake-up), steady (open-loop HTTP rate).",
        discussion: """
            Without --server, bench starts a node in this process on 127.0.0.1 (port 0) with a temporary SQLite
            database (or PostgreSQL with --store postgres, configured by DATABASE_URL or DB_*). Every run checks
            that each acknowledged job reached `done` exactly once and exits non-zero otherwise.
            """)

    @Argument(help: "burst, drain, enqueue, latency or steady.") var mode: String
    @Option(help: "Jobs to submit or enqueue.") var jobs: Int?
    @Option(help: "Requests in flight (burst).") var concurrency: Int = 25
    @Option(help: "Worker slots of the in-process node.") var workers: Int = 16
    @Option(help: "Jobs per batch (enqueue, and drain's set-up).") var batch: Int = 1_000
    @Option(help: "Jobs per second (latency, steady; where --find-max starts).") var rate: Int = 200
    @Option(help: "How long to run (latency, steady), like 10s.") var duration: String = "10s"
    @Flag(name: .customLong("find-max"), help: "Search for the highest rate whose enqueue-to-start p99 stays under 100 ms (steady).") var findMax = false
    @Option(name: .customLong("prefill-done"), help: "Finished jobs to put in the table before the run.") var prefillDone: Int = 0
    @Option(help: "sqlite or postgres (for the in-process node).") var store: String = "sqlite"
    @Option(help: "Burst against this running node instead of starting one.") var server: String?
    @Flag(name: .customLong("across-nodes"), help: "Enqueue through a second node on the same database (latency).") var acrossNodes = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .customLong("no-progress"), help: "No progress line on standard error.") var noProgress = false

    func run() async throws {
        guard let mode = BenchOptions.Mode(rawValue: mode) else {
            throw ArgumentParser.ValidationError("mode must be one of burst, drain, enqueue, latency, steady")
        }
        guard let store = BenchOptions.Store(rawValue: store) else { throw ArgumentParser.ValidationError("--store must be sqlite or postgres") }
        guard let duration = DurationParser.parse(duration), duration > .zero else { throw ArgumentParser.ValidationError("--duration must be like 10s") }
        if server != nil && mode != .burst { throw ArgumentParser.ValidationError("--server applies to burst only") }
        if findMax && mode != .steady { throw ArgumentParser.ValidationError("--find-max applies to steady only") }
        if prefillDone < 0 { throw ArgumentParser.ValidationError("--prefill-done must be 0 or more") }
        if prefillDone > 0 && server != nil { throw ArgumentParser.ValidationError("--prefill-done needs the in-process node, not --server") }
        if rate < 1 { throw ArgumentParser.ValidationError("--rate must be at least 1") }
        var options = BenchOptions(mode: mode)
        options.jobs = jobs ?? Self.defaultJobs[mode] ?? 10_000
        options.concurrency = concurrency
        options.workers = workers
        options.batch = batch
        options.rate = rate
        options.findMax = findMax
        options.prefillDone = prefillDone
        options.duration = duration
        options.store = store
        options.serverURL = server
        options.acrossNodes = acrossNodes
        options.progress = !noProgress
        let report: BenchReport
        do {
            report = try await Bench.run(options)
        } catch {
            FileHandle.standardError.write(Data("vesper bench: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(json ? report.json : report.text)
        if !report.isCorrect {
            FileHandle.standardError.write(
                Data("vesper bench: CORRECTNESS CHECK FAILED: \(report.lost) lost, \(report.errors) errors, \(report.duplicates) duplicates\n".utf8))
            throw ExitCode(1)
        }
    }

    static let defaultJobs: [BenchOptions.Mode: Int] = [.burst: 10_000, .drain: 100_000, .enqueue: 200_000]
}
