/// Runs `vesper bench` workloads. The CLI and the smoke tests call ``run(_:)`` alike.
public enum Bench {
    /// Runs one workload and checks its correctness. The report's ``BenchReport/isCorrect`` says
    /// whether every acknowledged job reached its expected state exactly once.
    ///
    /// - Throws: ``BenchFailure`` (or a store error) when the run could not be carried out.
    public static func run(_ options: BenchOptions) async throws -> BenchReport {
        guard options.prefillDone >= 0 else { throw BenchFailure("--prefill-done must be 0 or more") }
        if options.findMax, options.mode != .steady { throw BenchFailure("--find-max applies to steady only") }
        guard options.jobs > 0 || options.mode == .latency || options.mode == .steady else { throw BenchFailure("--jobs must be at least 1") }
        switch options.mode {
        case .burst: return try await BurstBench.run(options)
        case .drain: return try await DrainBench.run(options)
        case .enqueue: return try await EnqueueBench.run(options)
        case .latency: return try await LatencyBench.run(options)
        case .steady: return try await SteadyBench.run(options)
        }
    }
}
