/// How many jobs a node should lease ahead of its free slots.
///
/// To keep every slot busy a node needs jobs on hand for as long as its next claim takes:
/// slots × claim time ÷ run time. That is the most it asks for; it also asks for no more than
/// twice what it actually finished in that time (plus one per slot, so a starved node's claims
/// still double each round), which keeps the buffer honest when something other than the handlers
/// (the CPU, the database) sets the pace. Jobs that run long compared with a claim get no prefetch
/// at all, so idle nodes can take them instead.
struct PrefetchSizer {
    /// Moving averages, in seconds; `nil` until the first sample.
    private(set) var runSeconds: Double?
    private(set) var claimSeconds: Double?
    /// Attempts finished per second over the last complete window of ``window``.
    private(set) var finishedPerSecond = 0.0
    private let window: Duration
    private var windowStart: ContinuousClock.Instant
    private var finishedInWindow = 0

    init(window: Duration = .milliseconds(100), now: ContinuousClock.Instant = .now) {
        self.window = window
        self.windowStart = now
    }

    mutating func recordRun(_ seconds: Double, at now: ContinuousClock.Instant) {
        runSeconds = Self.average(runSeconds, seconds, weight: 0.05)
        roll(now)
        finishedInWindow += 1
    }

    mutating func recordClaim(_ seconds: Double) {
        claimSeconds = Self.average(claimSeconds, seconds, weight: 0.2)
    }

    /// Jobs to hold beyond the free slots, covering `horizon` or two claims, whichever is longer.
    mutating func target(slots: Int, limit: Int, horizon: Duration, now: ContinuousClock.Instant) -> Int {
        guard let run = runSeconds, limit > 0 else { return 0 }
        roll(now)
        let cover = max(horizon.secondsDouble, 2 * (claimSeconds ?? 0))
        let potential = Double(slots) * cover / max(run, 1e-7)
        let paced = 2 * finishedPerSecond * cover + Double(slots)
        let jobs = min(potential, paced)
        return jobs >= Double(limit) ? limit : Int(jobs)
    }

    private mutating func roll(_ now: ContinuousClock.Instant) {
        let elapsed = now - windowStart
        guard elapsed >= window else { return }
        finishedPerSecond = Double(finishedInWindow) / elapsed.secondsDouble
        finishedInWindow = 0
        windowStart = now
    }

    private static func average(_ current: Double?, _ sample: Double, weight: Double) -> Double {
        guard let current else { return sample }
        return current + weight * (sample - current)
    }
}
