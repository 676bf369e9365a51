import Foundation

/// One Vesper process in the fleet, as registered in the store.
public struct NodeInfo: Sendable, Equatable {
    /// Unique per process start.
    public var id: String
    /// The machine's name (or `NODE_NAME`); nodes are grouped by it.
    public var hostname: String
    public var pid: Int
    /// Where its HTTP API listens.
    public var apiAddress: String
    /// The region it runs in (`REGION`, `default` unless set).
    public var region: String
    /// Slots (`WORKERS`): jobs this node runs at once. The name stays `workers` on the wire.
    public var workers: Int
    /// Slots running a job at the last heartbeat.
    public var busy: Int
    public var version: String
    /// The job types it runs, or `["*"]` with a catch-all consumer.
    public var types: [String]
    public var startedAt: Date
    public var lastHeartbeat: Date
    /// Attempts that succeeded since start.
    public var jobsDone: Int
    /// Attempts that failed since start.
    public var jobsFailed: Int

    public init(
        id: String, hostname: String, pid: Int, apiAddress: String, workers: Int, busy: Int = 0, version: String = VesperVersion.current,
        types: [String], startedAt: Date, lastHeartbeat: Date, jobsDone: Int = 0, jobsFailed: Int = 0,
        region: String = NodeInfo.defaultRegion
    ) {
        self.id = id
        self.region = region
        self.hostname = hostname
        self.pid = pid
        self.apiAddress = apiAddress
        self.workers = workers
        self.busy = busy
        self.version = version
        self.types = types
        self.startedAt = startedAt
        self.lastHeartbeat = lastHeartbeat
        self.jobsDone = jobsDone
        self.jobsFailed = jobsFailed
    }
}

extension NodeInfo {
    /// The region of a node that names none.
    public static let defaultRegion = "default"
}

/// The live figures a node reports with each heartbeat.
public struct NodeHeartbeat: Sendable, Equatable {
    public var apiAddress: String
    public var busy: Int
    public var jobsDone: Int
    public var jobsFailed: Int

    public init(apiAddress: String, busy: Int, jobsDone: Int, jobsFailed: Int) {
        self.apiAddress = apiAddress
        self.busy = busy
        self.jobsDone = jobsDone
        self.jobsFailed = jobsFailed
    }
}

/// What one reaping pass did.
public struct ReapResult: Sendable, Equatable {
    /// Nodes removed for silence.
    public var nodes: [String]
    /// Their leased jobs, released at once.
    public var releasedJobs: Int

    public init(nodes: [String], releasedJobs: Int) {
        self.nodes = nodes
        self.releasedJobs = releasedJobs
    }
}

/// Vesper's version, reported by every node.
public enum VesperVersion {
    public static let current = "0.1.0"
}
