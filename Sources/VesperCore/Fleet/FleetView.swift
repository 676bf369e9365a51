/// The fleet as `GET /workers` and `vesper workers` show it: totals, machines, regions, nodes.
public struct FleetView: Sendable, Equatable {
    public struct Machine: Sendable, Equatable {
        public var hostname: String
        public var nodes: Int
        public var workers: Int
        public var busy: Int
    }

    /// The nodes of one region (`REGION`) and their slots.
    public struct Region: Sendable, Equatable {
        public var name: String
        public var nodes: Int
        /// Slots (`WORKERS`) of its nodes.
        public var slots: Int
        public var busy: Int

        public init(name: String, nodes: Int, slots: Int, busy: Int) {
            self.name = name
            self.nodes = nodes
            self.slots = slots
            self.busy = busy
        }
    }

    public var totalWorkers: Int
    public var busyWorkers: Int
    /// One entry per host name, sorted by name.
    public var machines: [Machine]
    /// One entry per region that has a node, sorted by name.
    public var regions: [Region]
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
        var regions: [String: Region] = [:]
        for node in nodes {
            regions[node.region, default: Region(name: node.region, nodes: 0, slots: 0, busy: 0)].nodes += 1
            regions[node.region]!.slots += node.workers
            regions[node.region]!.busy += node.busy
        }
        self.regions = regions.values.sorted { $0.name < $1.name }
    }
}
