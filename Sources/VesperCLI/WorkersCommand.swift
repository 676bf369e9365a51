import ArgumentParser
import Foundation

/// `vesper workers`: the fleet as a table.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers", abstract: "Show every node in the fleet.")

    @Flag(help: "Print the raw JSON of GET /workers.") var json = false
    @OptionGroup var server: ServerOption

    func run() async throws {
        let reply = try await server.client.send(.GET, "/workers")
        guard reply.status == 200, !json else { return try printReply(reply) }
        guard let fleet = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] else {
            throw ValidationError("unexpected reply: \(reply.body)")
        }
        print(Self.table(fleet))
    }

    static func table(_ fleet: [String: Any]) -> String {
        let nodes = fleet["nodes"] as? [[String: Any]] ?? []
        var rows = [["HOSTNAME", "NODE", "PID", "API", "WORKERS", "BUSY", "DONE", "FAILED", "LAST HEARTBEAT"]]
        for node in nodes {
            rows.append(
                ["hostname", "id", "pid", "api_addr", "workers", "busy", "jobs_done", "jobs_failed", "last_heartbeat"].map {
                    node[$0].map { "\($0)" } ?? ""
                })
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        let machines = (fleet["machines"] as? [Any])?.count ?? 0
        lines.append("")
        lines.append("\(nodes.count) nodes on \(machines) machines · \(fleet["total_workers"] ?? 0) workers, \(fleet["busy_workers"] ?? 0) busy")
        return lines.joined(separator: "\n")
    }
}
