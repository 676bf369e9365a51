import ArgumentParser
import Foundation

/// `vesper workers`: the fleet as a table.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers", abstract: "Show every node in the fleet.")

    @OptionGroup var server: ServerOption
    @OptionGroup var output: OutputOption

    func run() async throws {
        try output.print(try await server.client.send(.GET, "/workers")) { Self.table($0) }
    }

    static func table(_ fleet: [String: Any]) -> String {
        let nodes = fleet["nodes"] as? [[String: Any]] ?? []
        var rows = [["HOSTNAME", "NODE", "REGION", "PID", "API", "WORKERS", "BUSY", "DONE", "FAILED", "LAST HEARTBEAT"]]
        for node in nodes {
            rows.append(
                ["hostname", "id", "region", "pid", "api_addr", "workers", "busy", "jobs_done", "jobs_failed", "last_heartbeat"].map {
                    node[$0].map { "\($0)" } ?? ""
                })
        }
        var lines = [Table.render(rows)]
        let machines = (fleet["machines"] as? [Any])?.count ?? 0
        lines.append("")
        lines.append("\(nodes.count) nodes on \(machines) machines · \(fleet["total_workers"] ?? 0) workers, \(fleet["busy_workers"] ?? 0) busy")
        let regions = fleet["regions"] as? [[String: Any]] ?? []
        if regions.count > 1 {
            lines.append(
                "regions: "
                    + regions.map { "\($0["name"] ?? "?") \($0["nodes"] ?? 0) nodes, \($0["slots"] ?? 0) slots, \($0["busy"] ?? 0) busy" }
                    .joined(separator: " · "))
        }
        return lines.joined(separator: "\n")
    }
}
