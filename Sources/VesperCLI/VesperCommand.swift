import ArgumentParser

/// `vesper`: run a node, manage the schema, and talk to a running node's API.
@main
struct VesperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vesper",
        abstract: "A durable job queue: run a node, submit and inspect jobs.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, EnqueueCommand.self, JobCommand.self, JobsCommand.self, WorkersCommand.self,
            QueuesCommand.self, BenchCommand.self,
        ]
    )
}
