import Foundation
import Testing
import VesperBench

/// Each `vesper bench` mode on a small run: correctness only (nothing lost, nothing failed, every
/// handler ran once). No timing is asserted.
@Suite("vesper bench smoke runs", .serialized)
struct BenchSmokeTests {
    @Test(arguments: BenchOptions.Mode.allCases)
    func smallRunIsCorrect(mode: BenchOptions.Mode) async throws {
        var options = BenchOptions(mode: mode)
        options.jobs = 200
        options.concurrency = 10
        options.workers = 4
        options.batch = 50
        options.rate = 100
        options.duration = .seconds(1)
        options.finishTimeout = .seconds(120)
        let report = try await Bench.run(options)
        #expect(report.lost == 0, "\(report.problems)")
        #expect(report.errors == 0, "\(report.problems)")
        #expect(report.duplicates == 0)
        #expect(report.jobs == (mode == .latency || mode == .steady ? 100 : 200))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        #expect(json["mode"] as? String == mode.rawValue)
        #expect(json["lost"] as? Int == 0)
        #expect(json["errors"] as? Int == 0)
        #expect((json["latency_ms"] as? [String: Any])?["p99"] as? Double != nil)
    }

    @Test func latencyAcrossNodesIsCorrect() async throws {
        var options = BenchOptions(mode: .latency)
        options.workers = 4
        options.rate = 100
        options.duration = .seconds(1)
        options.acrossNodes = true
        options.finishTimeout = .seconds(120)
        let report = try await Bench.run(options)
        #expect(report.lost == 0, "\(report.problems)")
        #expect(report.errors == 0, "\(report.problems)")
        #expect(report.duplicates == 0)
        #expect(report.jobs == 100)
        #expect(report.json.contains("enqueued by another node"))
    }

    @Test func steadyReportsBothLatencies() async throws {
        var options = BenchOptions(mode: .steady)
        options.workers = 4
        options.rate = 100
        options.duration = .seconds(1)
        options.finishTimeout = .seconds(120)
        let report = try await Bench.run(options)
        #expect(report.isCorrect, "\(report.problems)")
        #expect(report.moreLatencies.map(\.key) == ["enqueue"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        #expect((json["enqueue_latency_ms"] as? [String: Any])?["p99"] as? Double != nil)
    }

    @Test(arguments: [BenchOptions.Mode.drain, .burst])
    func prefilledDoneJobsStayOutOfTheCount(mode: BenchOptions.Mode) async throws {
        var options = BenchOptions(mode: mode)
        options.jobs = 100
        options.workers = 4
        options.prefillDone = 300
        options.finishTimeout = .seconds(120)
        let report = try await Bench.run(options)
        #expect(report.isCorrect, "\(report.problems)")
        #expect(report.jobs == 100)
    }

    @Test func findMaxIsRejectedOutsideSteady() async throws {
        var options = BenchOptions(mode: .drain)
        options.findMax = true
        await #expect(throws: BenchFailure.self) { try await Bench.run(options) }
    }
}
