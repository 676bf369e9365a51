import ArgumentParser
import Foundation

/// `--json`: the API's reply as it came, for scripts; without it, text for people.
struct OutputOption: ParsableArguments {
    @Flag(help: "Print the API's JSON reply unchanged (for scripts).") var json = false

    /// Prints a reply: its JSON with `--json` or when it is an error, otherwise `render` of it.
    /// Fails with exit code 1 on an error status.
    func print(_ reply: APIClient.Reply, render: ([String: Any]) -> String) throws {
        guard reply.status < 400 else {
            FileHandle.standardError.write(Data((Self.errorLine(reply) + "\n").utf8))
            throw ExitCode(1)
        }
        guard !json, let object = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [String: Any] else {
            Swift.print(reply.body)
            return
        }
        Swift.print(render(object))
    }

    /// `error: <message> (<code>, HTTP <status>)` from the API's error shape, or the raw body.
    static func errorLine(_ reply: APIClient.Reply) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [String: Any]
        guard let error = object?["error"] as? [String: Any], let message = error["message"] as? String else {
            return "error: HTTP \(reply.status): \(reply.body)"
        }
        let code = error["code"] as? String ?? "error"
        return "error: \(message) (\(code), HTTP \(reply.status))"
    }
}

/// Columns padded to their widest cell.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

/// Jobs as people read them.
enum JobText {
    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: ""
        case let string as String: string
        default: "\(value!)"
        }
    }

    /// One line: what was stored.
    static func summary(_ job: [String: Any]) -> String {
        "job \(text(job["job_id"])) \(text(job["status"])) · type \(text(job["type"])) · queue \(text(job["queue"])) · "
            + "priority \(text(job["priority"])) · run at \(text(job["run_at"]))"
    }

    /// Every field, one per line, the payload last.
    static func detail(_ job: [String: Any]) -> String {
        let order = [
            "job_id", "type", "queue", "priority", "status", "attempt", "retries", "max_retries", "error", "run_at", "created_at",
            "started_at", "finished_at", "updated_at", "timeout_seconds", "idempotency_key",
        ]
        var rows = order.filter { job[$0] != nil }.map { [$0 + ":", text(job[$0])] }
        for key in job.keys.sorted() where !order.contains(key) && key != "payload" { rows.append([key + ":", text(job[key])]) }
        var lines = [Table.render(rows)]
        if let payload = job["payload"],
            let data = try? JSONSerialization.data(withJSONObject: payload, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])
        {
            lines.append("payload:")
            lines.append(String(decoding: data, as: UTF8.self))
        }
        return lines.joined(separator: "\n")
    }

    /// What a bulk action answered (`{"retried": 5, "skipped": 2}`), as one line.
    static func bulk(_ reply: [String: Any], action: String) -> String {
        "\(action) \(text(reply[action])) jobs · skipped \(text(reply["skipped"])) (not in a state \(action == "retried" ? "retry" : "delete") applies to)"
    }

    /// A page of jobs as a table, with the cursor of the next page.
    static func list(_ page: [String: Any]) -> String {
        let jobs = page["jobs"] as? [[String: Any]] ?? []
        var rows = [["ID", "TYPE", "QUEUE", "PRI", "STATUS", "ATTEMPT", "CREATED", "ERROR"]]
        for job in jobs {
            let error = text(job["error"])
            rows.append([
                text(job["job_id"]), text(job["type"]), text(job["queue"]), text(job["priority"]), text(job["status"]),
                text(job["attempt"]), text(job["created_at"]), error.count > 40 ? String(error.prefix(39)) + "…" : error,
            ])
        }
        var lines = [Table.render(rows), ""]
        let cursor = text(page["next_cursor"])
        lines.append(jobs.isEmpty ? "no jobs" : "\(jobs.count) jobs" + (cursor.isEmpty ? "" : " · next page: --cursor \(cursor)"))
        return lines.joined(separator: "\n")
    }
}

/// A usage problem that is not about the command line's shape: printed as one `Error:` line, exit 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
