import ArgumentParser
import Foundation
import Vesper

/// `vesper serve`: the API and workers on the configured database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a node: HTTP API and workers, configured by environment variables and .env.",
        discussion: ServeHelp.discussion
    )

    func run() async throws {
        let configuration = try await loadConfiguration()
        let logger = LogSetup.bootstrap(configuration)
        PrometheusMetrics.bootstrap()
        let vesper = try await exitOnConfigurationError { try await Vesper(configuration: configuration, logger: logger) }
        if configuration.demoHandlersEnabled { DemoHandlers.register(on: vesper) }
        try await exitOnConfigurationError { try await vesper.run() }
    }
}

/// `vesper migrate`: create or upgrade the schema, then exit.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema, then exit.")

    func run() async throws {
        var configuration = try await loadConfiguration()
        configuration.autoMigrate = true  // `vesper migrate` migrates, whatever AUTO_MIGRATE says
        let logger = LogSetup.bootstrap(configuration)
        let vesper = try await exitOnConfigurationError { try await Vesper(configuration: configuration, logger: logger) }
        try await vesper.close()
        print("schema of \(vesper.databaseName) is up to date")
    }
}

/// Reads the configuration, turning a bad value into a one-line message and exit code 2.
func loadConfiguration() async throws -> VesperConfiguration {
    try await exitOnConfigurationError { try await VesperConfiguration.fromEnvironment() }
}

func exitOnConfigurationError<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ConfigurationError {
        FileHandle.standardError.write(Data("vesper: \(error)\n".utf8))
        throw ExitCode(2)
    } catch let error as VesperError {
        FileHandle.standardError.write(Data("vesper: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
