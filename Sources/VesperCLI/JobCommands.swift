import ArgumentParser
import Foundation
import VesperHTTP

/// `vesper enqueue`: submit one job through a node's API.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enqueue", abstract: "Submit a job to a running node.")

    @Option(help: "The job type (handler name).") var type: String
    @Option(help: "Priority from 0 to 10; higher runs first.") var priority: Int = 0
    @Option(help: "The payload, as JSON.") var payload: String = "{}"
    @Option(help: "The named queue.") var queue: String = "default"
    @Option(name: .customLong("max-retries"), help: "Retries before the dead-letter queue.") var maxRetries: Int?
    @Option(help: "Run after this delay, like 30s or 5m.") var delay: String?
    @Option(name: .customLong("idempotency-key"), help: "Submitting the same key twice creates one job.") var idempotencyKey: String?
    @Option(help: "The tenant whose fair share of the queue the job counts against.") var partition: String?
    @Option(name: .customLong("unique-key"), help: "While a job with this key is unfinished, return it instead of creating one.")
    var uniqueKey: String?
    @Option(name: .customLong("unique-for"), help: "Make the job unique for this long, like 10m (the key defaults to type and payload).")
    var uniqueFor: String?
    @OptionGroup var server: ServerOption
    @OptionGroup var output: OutputOption

    func run() async throws {
        if let problem = JSONValueCheck.problem(in: payload) {
            throw CLIError("--payload is not one JSON value: \(problem.reason) at byte \(problem.offset) of the payload")
        }
        // Every field but the payload is encoded here; the payload goes in as the one JSON value
        // just checked, byte for byte (the API stores it exactly as sent), so it cannot add fields.
        var fields = [("type", quoted(type)), ("priority", String(priority)), ("queue", quoted(queue))]
        if let maxRetries { fields.append(("max_retries", String(maxRetries))) }
        if let delay { fields.append(("delay", quoted(delay))) }
        if let partition { fields.append(("partition", quoted(partition))) }
        if uniqueKey != nil || uniqueFor != nil {
            let members = [uniqueKey.map { "\"key\":" + quoted($0) }, uniqueFor.map { "\"for\":" + quoted($0) }].compactMap { $0 }
            fields.append(("unique", "{" + members.joined(separator: ",") + "}"))
        }
        fields.append(("payload", payload))
        let body = "{" + fields.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        let headers = idempotencyKey.map { [("Idempotency-Key", $0)] } ?? []
        let reply = try await server.client.send(.POST, "/jobs", json: body, headers: headers)
        try output.print(reply) { JobText.summary($0) }
    }
}

/// `vesper job get|retry|cancel|delete|run ID`.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Inspect or act on one job.", subcommands: [Get.self, Retry.self, Cancel.self, Delete.self, Run.self])

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job.")
        @Argument(help: "The job id.") var id: String
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.GET, "/jobs/\(pathComponent(id))")) { JobText.detail($0) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a dlq or failed job back to pending.")
        @Argument(help: "The job id.") var id: String
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.POST, "/jobs/\(pathComponent(id))/retry")) { JobText.summary($0) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a pending or scheduled job, or ask a running one to stop.")
        @Argument(help: "The job id.") var id: String
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.POST, "/jobs/\(pathComponent(id))/cancel")) { JobText.summary($0) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a job that is not running (admin).")
        @Argument(help: "The job id.") var id: String
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.DELETE, "/jobs/\(pathComponent(id))")) { "deleted " + JobText.summary($0) }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a scheduled job (or one waiting to retry) due now (admin).")
        @Argument(help: "The job id.") var id: String
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            try output.print(try await server.client.send(.POST, "/jobs/\(pathComponent(id))/run")) { JobText.summary($0) }
        }
    }
}

/// `vesper jobs list|retry|delete`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List jobs, or retry or delete every job a filter matches (`vesper jobs --status dlq` is `vesper jobs list --status dlq`).",
        subcommands: [List.self, Retry.self, Delete.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var filter: JobFilterOptions
        @Option(help: "At most this many.") var limit: Int = 50
        @Option(help: "The next_cursor of a previous page.") var cursor: String?
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            var items = [URLQueryItem(name: "limit", value: String(limit))] + filter.queryItems
            if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
            try output.print(try await server.client.send(.GET, "/jobs" + JobFilterOptions.queryString(items))) { JobText.list($0) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put every dlq or failed job matching the filters back to pending (admin); other matches are skipped.")
        @OptionGroup var filter: JobFilterOptions
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func run() async throws {
            let reply = try await server.client.send(.POST, "/jobs/retry" + JobFilterOptions.queryString(filter.queryItems))
            try output.print(reply) { JobText.bulk($0, action: "retried") }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete every job matching the filters that is not running (admin); needs at least one filter.")
        @OptionGroup var filter: JobFilterOptions
        @OptionGroup var server: ServerOption
        @OptionGroup var output: OutputOption

        func validate() throws {
            // The node refuses it too; saying so here saves a round trip and names the flags.
            guard !filter.queryItems.isEmpty else {
                throw ArgumentParser.ValidationError("give at least one filter (--status, --type, --queue, --priority, --created-after, --created-before)")
            }
        }

        func run() async throws {
            let reply = try await server.client.send(.POST, "/jobs/delete" + JobFilterOptions.queryString(filter.queryItems))
            try output.print(reply) { JobText.bulk($0, action: "deleted") }
        }
    }
}

/// The filters of `GET /jobs`, shared by `vesper jobs list`, `retry` and `delete`.
struct JobFilterOptions: ParsableArguments {
    @Option(help: "Only jobs in this state (pending, scheduled, processing, done, failed, dlq, cancelled).") var status: String?
    @Option(help: "Only jobs of this type.") var type: String?
    @Option(help: "Only jobs in this queue.") var queue: String?
    @Option(help: "Only jobs of this fair-share partition.") var partition: String?
    @Option(help: "Only jobs of this priority (0-10).") var priority: Int?
    @Option(name: .customLong("created-after"), help: "Only jobs created at or after this RFC 3339 time.") var createdAfter: String?
    @Option(name: .customLong("created-before"), help: "Only jobs created before this RFC 3339 time.") var createdBefore: String?

    /// The filters given, as the API's query parameters.
    var queryItems: [URLQueryItem] {
        var items: [URLQueryItem] = []
        if let status { items.append(URLQueryItem(name: "status", value: status)) }
        if let type { items.append(URLQueryItem(name: "type", value: type)) }
        if let queue { items.append(URLQueryItem(name: "queue", value: queue)) }
        if let partition { items.append(URLQueryItem(name: "partition", value: partition)) }
        if let priority { items.append(URLQueryItem(name: "priority", value: String(priority))) }
        if let createdAfter { items.append(URLQueryItem(name: "created_after", value: createdAfter)) }
        if let createdBefore { items.append(URLQueryItem(name: "created_before", value: createdBefore)) }
        return items
    }

    /// `?a=b&...`, or nothing for no items. `+` is escaped too: URLComponents leaves it, and a
    /// server reads it as a space (an RFC 3339 offset like `+02:00` would break).
    static func queryString(_ items: [URLQueryItem]) -> String {
        guard !items.isEmpty else { return "" }
        var components = URLComponents()
        components.queryItems = items
        return (components.percentEncodedQuery.map { "?" + $0.replacingOccurrences(of: "+", with: "%2B") }) ?? ""
    }
}

func quoted(_ text: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [text], options: [])) ?? Data("[\"\"]".utf8)
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
}

func pathComponent(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
}
