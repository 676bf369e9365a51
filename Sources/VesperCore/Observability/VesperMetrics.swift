import CoreMetrics
import Foundation
import Synchronization

/// The queue's metrics, through swift-metrics: the backend (Prometheus in the `vesper` binary) is
/// chosen by whoever bootstraps `MetricsSystem`. Handles are created once per label set and cached.
///
/// Names follow Prometheus conventions: a `vesper_` prefix, `_total` for counters, `_seconds` for
/// durations.
public final class VesperMetrics: Sendable {
    /// A default instance for a worker pool built without one. The facade creates one instance
    /// and hands it to every part of a node; nothing else in Vesper reads this.
    public static let shared = VesperMetrics()

    // Rare events: handles by a key built from label and dimensions.
    private let counters = KeyedMetricHandles<String, Counter>()
    private let timers = KeyedMetricHandles<String, CoreMetrics.Timer>()
    private let gauges = KeyedMetricHandles<String, Gauge>()
    // Hot-path events: handles by their label values, hashed in place.
    private let enqueued = KeyedMetricHandles<JobLabels, Counter>()
    private let finished = KeyedMetricHandles<FinishLabels, FinishHandles>()
    private let waits = KeyedMetricHandles<String, CoreMetrics.Timer>()
    private let typeLabels = JobTypeLabels()
    /// Every region the fleet gauges have shown.
    private let fleetRegions = Mutex<Set<String>>([])
    /// Queues ever reported as held back by a limit, so each keeps a series that can drop to zero.
    private let limitedQueuesSeen = Mutex<Set<String>>([])

    private struct JobLabels: Hashable, Sendable {
        var type: String
        var priority: Int
    }

    private struct FinishLabels: Hashable, Sendable {
        var type: String
        var outcome: String
    }

    private struct FinishHandles: Sendable {
        var finished: Counter
        var run: CoreMetrics.Timer
    }

    public init() {}

    /// One-line descriptions, emitted as `# HELP` lines by the `/metrics` endpoint.
    public static let help: [String: String] = [
        "vesper_jobs_enqueued_total": "Jobs stored, by type and priority.",
        "vesper_jobs_finished_total": "Finished attempts, by type and outcome (done, retried, failed, dlq, released, snoozed, cancelled).",
        "vesper_job_run_duration_seconds": "Handler run time of an attempt, by type.",
        "vesper_job_wait_duration_seconds": "Queue wait from when a job became due to its first start, by type.",
        "vesper_jobs_running": "Jobs running on this node.",
        "vesper_worker_slots": "Worker slots on this node.",
        "vesper_worker_slots_busy": "Worker slots running a job on this node.",
        "vesper_lease_recoveries_total": "Jobs whose lease expired and were returned to the queue by this node.",
        "vesper_nodes_reaped_total": "Silent nodes removed from the fleet by this node.",
        "vesper_jobs_released_from_dead_nodes_total": "Jobs released when their node was reaped.",
        "vesper_queue_jobs": "Jobs in the queue by status (sampled from the database).",
        "vesper_queue_pending_jobs": "Claimable jobs by priority (sampled from the database).",
        "vesper_queue_oldest_pending_age_seconds": "Age of the oldest claimable job since it became due (sampled).",
        "vesper_queue_limited": "Due jobs a fleet-wide concurrency or rate limit holds back, by queue (sampled from the database).",
        "vesper_fleet_nodes": "Nodes in the fleet, by region (sampled).",
        "vesper_fleet_workers": "Worker slots across the fleet, by region (sampled).",
        "vesper_fleet_workers_busy": "Busy worker slots across the fleet, by region (sampled).",
    ]

    /// Bounds the `type` label of job metrics: the types this node has handlers for keep theirs, and
    /// so do the first `maxOtherTypes` other types seen; later ones are counted as `(other)`.
    /// Defaults to no handled types and 100 others.
    public func limitTypeLabels(handledTypes: some Sequence<String>, maxOtherTypes: Int) {
        typeLabels.configure(handledTypes: handledTypes, maxOtherTypes: maxOtherTypes)
    }

    /// Creates the metrics that exist from the start (zero-valued counters, slot gauges), so
    /// dashboards and alerts see them before the first event.
    public func prepare(slots: Int) {
        counter("vesper_lease_recoveries_total", []).increment(by: 0)
        counter("vesper_nodes_reaped_total", []).increment(by: 0)
        counter("vesper_jobs_released_from_dead_nodes_total", []).increment(by: 0)
        workerSlots(total: slots, busy: 0)
    }

    // MARK: Jobs

    /// A job was stored.
    public func jobEnqueued(type: String, priority: Int) {
        enqueuedCounter(JobLabels(type: typeLabels.label(for: type), priority: priority)).increment()
    }

    /// The jobs a batch created, counted once per type and priority rather than once per job.
    public func jobsEnqueued(_ outcomes: [EnqueueOutcome]) {
        var counts: [JobLabels: Int] = [:]
        for case .created(let job) in outcomes {
            counts[JobLabels(type: typeLabels.label(for: job.type), priority: job.priority), default: 0] += 1
        }
        for (labels, count) in counts {
            enqueuedCounter(labels).increment(by: count)
        }
    }

    private func enqueuedCounter(_ labels: JobLabels) -> Counter {
        enqueued.handles(labels) { labels in
            counter("vesper_jobs_enqueued_total", [("type", labels.type), ("priority", String(labels.priority))])
        }
    }

    /// An attempt ended. `outcome` is an ``AttemptOutcome`` name: `done`, `retried`, `failed`, `dlq`
    /// or `released` (never `lost_lease`: a result the store rejected is not counted).
    public func jobFinished(type: String, outcome: String, run: Duration, wait: Duration?) {
        let type = typeLabels.label(for: type)
        let handles = finished.handles(FinishLabels(type: type, outcome: outcome)) { labels in
            FinishHandles(
                finished: counter("vesper_jobs_finished_total", [("type", labels.type), ("outcome", labels.outcome)]),
                run: timer("vesper_job_run_duration_seconds", [("type", labels.type)]))
        }
        handles.finished.increment()
        handles.run.recordNanoseconds(run.nanoseconds)
        if let wait {
            waits.handles(type) { timer("vesper_job_wait_duration_seconds", [("type", $0)]) }.recordNanoseconds(max(0, wait.nanoseconds))
        }
    }

    /// Jobs running on this node, and its slots.
    public func workerSlots(total: Int, busy: Int) {
        gauge("vesper_worker_slots", []).record(total)
        gauge("vesper_worker_slots_busy", []).record(busy)
        gauge("vesper_jobs_running", []).record(busy)
    }

    /// Jobs whose expired lease was recovered.
    public func leasesRecovered(_ count: Int) {
        counter("vesper_lease_recoveries_total", []).increment(by: count)
    }

    /// Silent nodes removed, and the jobs released with them.
    public func nodesReaped(_ nodes: Int, releasedJobs: Int) {
        counter("vesper_nodes_reaped_total", []).increment(by: nodes)
        counter("vesper_jobs_released_from_dead_nodes_total", []).increment(by: releasedJobs)
    }

    // MARK: Queue and fleet, sampled from the store

    /// Publishes a statistics sample as gauges.
    public func record(_ statistics: QueueStatistics) {
        for status in JobStatus.allCases {
            gauge("vesper_queue_jobs", [("status", status.rawValue)]).record(statistics.counts[status] ?? 0)
        }
        for priority in JobLimits.priorities {
            gauge("vesper_queue_pending_jobs", [("priority", String(priority))]).record(statistics.pendingByPriority[priority] ?? 0)
        }
        gauge("vesper_queue_oldest_pending_age_seconds", []).record(statistics.oldestPendingAge ?? 0)
        // A queue no longer held back drops to zero rather than keeping its last value.
        let limitedQueues = limitedQueuesSeen.withLock { seen in
            seen.formUnion(statistics.limitedByQueue.keys)
            return seen.sorted()
        }
        for queue in limitedQueues {
            gauge("vesper_queue_limited", [("queue", queue)]).record(statistics.limitedByQueue[queue] ?? 0)
        }
        // One series per region; a region whose last node left drops to zero rather than keeping
        // its last value.
        let regions = fleetRegions.withLock { seen in
            seen.formUnion(statistics.fleetByRegion.keys)
            return seen.sorted()
        }
        for region in regions {
            let figures = statistics.fleetByRegion[region] ?? FleetFigures(nodes: 0, slots: 0, busy: 0)
            gauge("vesper_fleet_nodes", [("region", region)]).record(figures.nodes)
            gauge("vesper_fleet_workers", [("region", region)]).record(figures.slots)
            gauge("vesper_fleet_workers_busy", [("region", region)]).record(figures.busy)
        }
    }

    // MARK: Handle cache

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        counters.handles(Self.key(label, dimensions)) { _ in Counter(label: label, dimensions: dimensions) }
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        timers.handles(Self.key(label, dimensions)) { _ in CoreMetrics.Timer(label: label, dimensions: dimensions) }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> Gauge {
        gauges.handles(Self.key(label, dimensions)) { _ in Gauge(label: label, dimensions: dimensions) }
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        dimensions.reduce(label) { $0 + "\u{1F}" + $1.0 + "=" + $1.1 }
    }
}

extension Duration {
    /// The whole duration in nanoseconds, saturating.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}
