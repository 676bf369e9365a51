import Foundation
import VesperCore

/// What one `vesper bench` run measures and how. Every property has a default suited to a quick run.
public struct BenchOptions: Sendable {
    /// The four workloads of `vesper bench`.
    public enum Mode: String, Sendable, CaseIterable {
        /// N `POST /jobs` over keep-alive connections with C requests in flight.
        case burst
        /// N jobs enqueued up front, then timed while one node works them off.
        case drain
        /// Bulk enqueue through the Swift API, no workers.
        case enqueue
        /// A steady trickle on an idle node: enqueue-to-start latency.
        case latency
        /// `POST /jobs` at an open-loop rate while the node works the jobs, as in production.
        case steady
    }

    /// Which store an in-process node uses.
    public enum Store: String, Sendable, CaseIterable {
        /// A SQLite file in a fresh temporary directory.
        case sqlite
        /// The PostgreSQL server named by `DATABASE_URL` or the `DB_*` variables.
        case postgres
    }

    public var mode: Mode
    /// Jobs to submit or enqueue. Defaults to 10,000.
    public var jobs: Int = 10_000
    /// Requests in flight for `burst`. Defaults to 25.
    public var concurrency: Int = 25
    /// Worker slots of the in-process node. Defaults to 16.
    public var workers: Int = 16
    /// Jobs per `enqueueBatch` call for `enqueue` and for `drain`'s set-up. Defaults to 1,000.
    public var batch: Int = 1_000
    /// Jobs per second for `latency` and `steady` (where `findMax` starts from it). Defaults to 200.
    public var rate: Int = 200
    /// `steady`: search for the highest rate whose enqueue-to-start p99 stays under
    /// ``SteadyBench/maxStartP99``, one fresh node per rate tried. Defaults to false.
    public var findMax: Bool = false
    /// Finished jobs put in the table before the run (`drain`, `burst`, `steady`). Defaults to 0.
    public var prefillDone: Int = 0
    /// How long `latency` and `steady` run. Defaults to 10s.
    public var duration: Duration = .seconds(10)
    /// `latency`: enqueue through a second node on the same database, never run, instead of the
    /// worker node itself. Defaults to false.
    public var acrossNodes: Bool = false
    /// Defaults to SQLite.
    public var store: Store = .sqlite
    /// The environment `--store postgres` reads its connection settings from.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// A running node for `burst`; `nil` starts one in this process on 127.0.0.1, port 0.
    public var serverURL: String?
    /// How long to wait for every job to finish before declaring the rest lost. Defaults to 5 minutes.
    public var finishTimeout: Duration = .seconds(300)
    /// Prints a progress line on standard error about once a second. Defaults to false.
    public var progress: Bool = false

    public init(mode: Mode) {
        self.mode = mode
    }
}
