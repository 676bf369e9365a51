import ArgumentParser
import Foundation
import VesperBench
import VesperCore

/// `vesper bench MODE`: measure throughput and latency, and check that every job ran exactly once.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the queue: burst (HTTP submits), drain (working off a backlog), enqueue (bulk API), latency (idle wake-up).",
        discussion: """
            Without --server, bench starts a node in this process on 127.0.0.1 (port 0) with a temporary SQLite
            database (or PostgreSQL with --store postgres, configured by DATABASE_URL or DB_*). Every run checks
            that each acknowledged job reached `done` exactly once and exits non-zero otherwise.
            """)

    @Argument(help: "burst, drain, enqueue or latency.") var mode: String
    @Option(help: "Jobs to submit or enqueue.") var jobs: Int?
    @Option(help: "Requests in flight (burst).") var concurrency: Int = 25
    @Option(help: "Worker slots of the in-process node.") var workers: Int = 16
    @Option(help: "Jobs per batch (enqueue, and drain's set-up).") var batch: Int = 1_000
    @Option(help: "Jobs per second (latency).") var rate: Int = 200
    @Option(help: "How long to run (latency), like 10s.") var duration: String = "10s"
    @Option(help: "sqlite or postgres (for the in-process node).") var store: String = "sqlite"
    @Option(help: "Burst against this running node instead of starting one.") var server: String?
    @Flag(name: .customLong("across-nodes"), help: "Enqueue through a second node on the same database (latency).") var acrossNodes = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .customLong("no-progress"), help: "No progress line on standard error.") var noProgress = false

    func run() async throws {
        guard let mode = BenchOptions.Mode(rawValue: mode) else {
            throw ArgumentParser.ValidationError("mode must be one of burst, drain, enqueue, latency")
        }
        guard let store = BenchOptions.Store(rawValue: store) else { throw ArgumentParser.ValidationError("--store must be sqlite or postgres") }
        guard let duration = DurationParser.parse(duration), duration > .zero else { throw ArgumentParser.ValidationError("--duration must be like 10s") }
        if server != nil && mode != .burst { throw ArgumentParser.ValidationError("--server applies to burst only") }
        var options = BenchOptions(mode: mode)
        options.jobs = jobs ?? Self.defaultJobs[mode] ?? 10_000
        options.concurrency = concurrency
        options.workers = workers
        options.batch = batch
        options.rate = rate
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
