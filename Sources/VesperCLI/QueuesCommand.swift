import ArgumentParser

/// `vesper queues [list|pause NAME|resume NAME]`.
struct QueuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues", abstract: "Show queues, or pause and resume one fleet-wide.",
        subcommands: [List.self, Pause.self, Resume.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every queue with its depth and whether it is paused.")
        @OptionGroup var server: ServerOption

        func run() async throws {
            try printReply(try await server.client.send(.GET, "/queues"))
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every node from claiming jobs of a queue.")
        @Argument(help: "The queue name.") var name: String
        @OptionGroup var server: ServerOption

        func run() async throws {
            try printReply(try await server.client.send(.POST, "/queues/\(pathComponent(name))/pause"))
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let nodes claim jobs of a paused queue again.")
        @Argument(help: "The queue name.") var name: String
        @OptionGroup var server: ServerOption

        func run() async throws {
            try printReply(try await server.client.send(.POST, "/queues/\(pathComponent(name))/resume"))
        }
    }
}
