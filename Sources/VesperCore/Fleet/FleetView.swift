/// The fleet as `GET /workers` and `vesper workers` show it: totals, machines, nodes.
public struct FleetView: Sendable, Equatable {
    public struct Machine: Sendable, Equatable {
        public var hostname: String
        public var nodes: Int
        public var workers: Int
        public var busy: Int
    }

    public var totalWorkers: Int
    public var busyWorkers: Int
    /// One entry per host name, sorted by name.
    public var machines: [Machine]
    /// Every node, sorted by host name then start time.
    public var nodes: [NodeInfo]

    public init(nodes: [NodeInfo]) {
        let sorted = nodes.sorted { ($0.hostname, $0.startedAt, $0.id) < ($1.hostname, $1.startedAt, $1.id) }
        self.nodes = sorted
        totalWorkers = nodes.reduce(0) { $0 + $1.workers }
        busyWorkers = nodes.reduce(0) { $0 + $1.busy }
        var machines: [String: Machine] = [:]
        for node in nodes {
            machines[node.hostname, default: Machine(hostname: node.hostname, nodes: 0, workers: 0, busy: 0)].nodes += 1
            machines[node.hostname]!.workers += node.workers
            machines[node.hostname]!.busy += node.busy
        }
        self.machines = machines.values.sorted { $0.hostname < $1.hostname }
    }
}
