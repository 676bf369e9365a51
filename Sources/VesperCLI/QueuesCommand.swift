import ArgumentParser
import Foundation

/// `vesper queues [list|pause NAME|resume NAME|limit NAME [--concurrency N] [--rate N/PERIOD]]`.
struct QueuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues", abstract: "Show queues, or pause and resume one fleet-wide.",
        subcommands: [List.self, Pause.self, Resume.self, Limit.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every queue with its depth, whether it is paused, and its fleet-wide limits with their use.")
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.GET, "/queues")) { overview in
                let queues = overview["queues"] as? [[String: Any]] ?? []
                var rows = [["QUEUE", "PENDING", "SCHEDULED", "PROCESSING", "PAUSED", "CONCURRENCY", "RATE", "LIMITED"]]
                for queue in queues {
                    var row = ["name", "pending", "scheduled", "processing", "paused"].map { JobText.text(queue[$0]) }
                    row += Self.limitColumns(queue)
                    rows.append(row)
                }
                return queues.isEmpty ? "no queues" : Table.render(rows)
            }
        }

        /// `processing/limit` for a concurrency limit, `starts/limit per period` for a rate, and
        /// the due jobs a limit holds back; `-` where there is no limit.
        static func limitColumns(_ queue: [String: Any]) -> [String] {
            let concurrency = (queue["concurrency"] as? Int).map { "\(JobText.text(queue["processing"]))/\($0)" } ?? "-"
            var rate = "-"
            if let limits = queue["rate"] as? [String: Any] {
                rate = "\(JobText.text(queue["starts_in_window"]))/\(JobText.text(limits["limit"])) per \(JobText.text(limits["period"]))"
            }
            return [concurrency, rate, JobText.text(queue["limited"])]
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every node from claiming jobs of a queue.")
        @Argument(help: "The queue name.") var name: String
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.POST, "/queues/\(pathComponent(name))/pause")) { _ in "queue \(name) paused" }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let nodes claim jobs of a paused queue again.")
        @Argument(help: "The queue name.") var name: String
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.POST, "/queues/\(pathComponent(name))/resume")) { _ in "queue \(name) resumed" }
        }
    }

    struct Limit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a queue's fleet-wide limits; a limit not given is cleared.",
            discussion: "Example: vesper queues limit emails --concurrency 50 --rate 100/1s")
        @Argument(help: "The queue name.") var name: String
        @Option(help: "At most this many of its jobs leased at once across the fleet.") var concurrency: Int?
        @Option(help: "At most LIMIT job starts per PERIOD across the fleet, e.g. 100/1s.") var rate: String?
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            var members: [String] = []
            if let concurrency { members.append("\"concurrency\": \(concurrency)") }
            if let rate {
                let parts = rate.split(separator: "/", maxSplits: 1)
                guard parts.count == 2, let limit = Int(parts[0]) else {
                    throw ValidationError("--rate must look like 100/1s (starts per period)")
                }
                members.append("\"rate\": {\"limit\": \(limit), \"period\": \(jsonString(String(parts[1])))}")
            }
            let body = "{" + members.joined(separator: ", ") + "}"
            try output.print(try await server.client.send(.PUT, "/queues/\(pathComponent(name))", json: body)) { _ in
                "queue \(name) limits: concurrency \(concurrency.map(String.init) ?? "none"), rate \(rate ?? "none")"
            }
        }

        private func jsonString(_ text: String) -> String {
            let data = try? JSONSerialization.data(withJSONObject: [text], options: [])
            return data.map { String(decoding: $0, as: UTF8.self).dropFirst().dropLast() }.map(String.init) ?? "\"\""
        }
    }
}
