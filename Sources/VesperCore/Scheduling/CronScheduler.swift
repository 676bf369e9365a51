import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Enqueues periodic jobs when their cron ticks come due.
///
/// Every node runs its own scheduler and there is no leader: each tick is enqueued with the
/// idempotency key `cron:<name>:<tick>`, so whichever node comes first creates the job and the
/// others find it (`existing`). A tick is enqueued once across the fleet for as long as its job is
/// stored (retention frees the key later, long after the tick is past).
///
/// Missed ticks are not replayed in a flood: when a scheduler falls behind (start-up, a suspended
/// machine, a database outage) it enqueues only the most recent due tick of each schedule, and at
/// start-up only when that tick is at most ``Options/catchUpWindow`` old. So after a fleet-wide
/// outage, each schedule runs at most once to catch up.
public final class CronScheduler: Service, Sendable {
    public struct Options: Sendable {
        /// At start-up, the most recent tick this recent is enqueued (unless some node already did).
        /// Zero enqueues only ticks that come due after start. Defaults to 1 hour.
        public var catchUpWindow: Duration = .seconds(3600)
        /// Longest sleep between checks, so wall-clock jumps are noticed. Defaults to 30s.
        public var maxSleep: Duration = .seconds(30)
        /// Pause after a failed enqueue before trying again. Defaults to 1s.
        public var retryDelay: Duration = .seconds(1)

        public init() {}
    }

    /// One tick handled by ``runDue(now:)``.
    public struct Tick: Sendable, Equatable {
        public var name: String
        public var tick: Date
        /// True when this scheduler created the job; false when another node had already.
        public var created: Bool
        public var jobID: UUID
    }

    let jobs: [PeriodicJob]
    /// The queue client the ticks are enqueued through.
    let client: JobQueue
    let options: Options
    let clock: WallClock
    let logger: Logger
    /// The next tick to enqueue, per schedule name; absent until the first ``runDue(now:)``.
    private let nextTicks = Mutex<[String: Date]>([:])

    public init(jobs: [PeriodicJob], client: JobQueue, options: Options = Options(), clock: WallClock = .system, logger: Logger) {
        self.jobs = jobs
        self.client = client
        self.options = options
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown {
            let (_, wake) = await self.runDue(now: self.clock.now())
            return .secondsDouble(min(max(wake.timeIntervalSince(self.clock.now()), 0.005), self.options.maxSleep.secondsDouble))
        }
    }

    /// Enqueues every tick due at `now` (at most one per schedule: the most recent) and returns
    /// them with the time of the next tick of any schedule. A failed enqueue is retried next time.
    public func runDue(now: Date) async -> (ticks: [Tick], nextWake: Date) {
        var handled: [Tick] = []
        var wake = now.addingTimeInterval(options.maxSleep.secondsDouble)
        for job in jobs {
            let stored = nextTicks.withLock { $0[job.name] }
            let start = now.addingTimeInterval(-options.catchUpWindow.secondsDouble)
            guard var due = stored ?? job.schedule.next(after: start.addingTimeInterval(-0.001), in: job.timeZone) else { continue }
            if due > now {
                nextTicks.withLock { $0[job.name] = due }
                wake = min(wake, due)
                continue
            }
            // Fell behind: skip to the most recent due tick (bounded, in case of a long suspension).
            var following = job.schedule.next(after: due, in: job.timeZone)
            var skipped = 0
            while let candidate = following, candidate <= now {
                due = candidate
                following = job.schedule.next(after: candidate, in: job.timeZone)
                skipped += 1
                if skipped > 10_000, let recent = job.schedule.next(after: now.addingTimeInterval(-60), in: job.timeZone), recent <= now {
                    due = recent
                    following = job.schedule.next(after: recent, in: job.timeZone)
                    break
                }
            }
            do {
                let tick = try await enqueue(job, tick: due)
                handled.append(tick)
                nextTicks.withLock { $0[job.name] = following ?? .distantFuture }
                if let following { wake = min(wake, following) }
            } catch {
                logger.warning(
                    "could not enqueue periodic job, will retry",
                    metadata: [LogKey.schedule: "\(job.name)", LogKey.error: "\(error)"])
                nextTicks.withLock { $0[job.name] = due }
                wake = min(wake, now.addingTimeInterval(options.retryDelay.secondsDouble))
            }
        }
        return (handled, wake)
    }

    private func enqueue(_ job: PeriodicJob, tick: Date) async throws -> Tick {
        let newJob = client.newJob(
            type: job.type, queue: job.queue, priority: job.priority, payloadJSON: job.payloadJSON, maxRetries: job.maxRetries,
            runAt: tick, idempotencyKey: job.key(for: tick), region: job.region, regionStrict: job.regionStrict)
        switch try await client.enqueue(newJob) {
        case .created(let created):
            logger.debug("enqueued periodic job", metadata: [LogKey.schedule: "\(job.name)", LogKey.jobID: "\(created.id.lowercaseText)"])
            return Tick(name: job.name, tick: tick, created: true, jobID: created.id)
        case .existing(let existing), .duplicate(let existing):
            return Tick(name: job.name, tick: tick, created: false, jobID: existing.id)
        case .conflict(_, let existing):
            // Another node enqueued this tick from a different definition (a deploy in progress).
            logger.notice(
                "periodic job tick was enqueued by a node with a different definition",
                metadata: [LogKey.schedule: "\(job.name)", LogKey.jobID: "\(existing.id.lowercaseText)"])
            return Tick(name: job.name, tick: tick, created: false, jobID: existing.id)
        }
    }
}
