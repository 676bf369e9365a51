import ArgumentParser

/// `vesper queues [list|pause NAME|resume NAME]`.
struct QueuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues", abstract: "Show queues, or pause and resume one fleet-wide.",
        subcommands: [List.self, Pause.self, Resume.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every queue with its depth and whether it is paused.")
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.GET, "/queues")) { overview in
                let queues = overview["queues"] as? [[String: Any]] ?? []
                var rows = [["QUEUE", "PENDING", "SCHEDULED", "PROCESSING", "PAUSED"]]
                for queue in queues {
                    rows.append(["name", "pending", "scheduled", "processing", "paused"].map { JobText.text(queue[$0]) })
                }
                return queues.isEmpty ? "no queues" : Table.render(rows)
            }
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
}
