import Foundation
import Hummingbird
import VesperCore
import VesperHTTP

extension VesperDashboard {
    /// The filters of a jobs page, as read from its URL (the same as `GET /jobs`).
    struct JobFilter: Sendable {
        var fields: FormData

        static let names = ["status", "type", "queue", "partition", "priority", "created_after", "created_before"]

        init(_ form: FormData) {
            var kept = FormData()
            for name in Self.names { kept[name] = form.value(name) }
            fields = kept
        }

        func query(now: Date) throws -> JobQuery {
            try JobFilterParameters.query(fields.fields, now: now)
        }

        /// The filters as a query string, optionally with one changed.
        func queryString(setting name: String? = nil, to value: String? = nil, extra: [(String, String?)] = []) -> String {
            var pairs: [(String, String?)] = Self.names.map { ($0, $0 == name ? value : fields[$0]) }
            pairs += extra
            return FormData.query(pairs)
        }

        /// No filter set: the page lists every job.
        var isEmpty: Bool { Self.names.allSatisfy { fields[$0] == nil } }

        var hiddenInputs: HTML {
            Self.names.compactMap { name -> HTML? in
                fields[name].map { "<input type=\"hidden\" name=\"\(name)\" value=\"\($0)\">" }
            }.joined()
        }
    }

    static func notice(_ form: FormData) -> String? {
        switch form["notice"] ?? "" {
        case "retried": "The job was put back to pending."
        case "cancelled": "The job was cancelled."
        case "enqueued": "The job was enqueued."
        case "paused": "The queue is paused: no node claims from it."
        case "resumed": "The queue is resumed."
        case "deleted": "The job was deleted."
        case "run": "The job is due now: the next claim can take it."
        case "bulk-retry": "Retried \(Int(form["acted"] ?? "") ?? 0) jobs; skipped \(Int(form["skipped"] ?? "") ?? 0)."
        case "bulk-delete": "Deleted \(Int(form["acted"] ?? "") ?? 0) jobs; skipped \(Int(form["skipped"] ?? "") ?? 0)."
        default: nil
        }
    }

    /// `/ui/jobs`: one tab per status with its count, the filters of `GET /jobs`, cursor paging,
    /// retry per row and bulk retry of every match.
    func jobs(_ viewer: Viewer, request: Request) async throws -> HTML {
        let url = FormData(encoded: Substring(request.uri.query ?? ""))
        let filter = JobFilter(url)
        let now = sources.queue.now()
        var query = try filter.query(now: now)
        query.limit = 50
        if let cursor = url.value("cursor") {
            guard let value = Int64(cursor), value > 0 else { throw ValidationError(field: "cursor", message: "cursor must be the cursor of a previous page") }
            query.before = value
        }
        let jobs = try await sources.queue.list(query)
        let statistics = try await sources.statistics?.latest(now: now)
        let current = filter.fields["status"]
        var tabs: [HTML] = [tab(name: "all", status: nil, count: statistics.map { $0.counts.values.reduce(0, +) }, current: current, filter: filter)]
        for status in JobStatus.allCases {
            tabs.append(tab(name: status.rawValue, status: status.rawValue, count: statistics.map { $0.counts[status] ?? 0 }, current: current, filter: filter))
        }
        let rows = jobs.map { job -> HTML in
            let status = job.status(at: now)
            let retry: HTML =
                viewer.canAdmin && (status == .dlq || status == .failed)
                ? """
                <form method="post" action="/ui/jobs/\(job.id.lowercaseText)/retry" class="inline">\
                <input type="hidden" name="csrf" value="\(viewer.csrf)"><input type="hidden" name="back" value="list">\
                <button type="submit" class="secondary" data-action="retry">Retry</button></form>
                """ : ""
            return """
                <tr data-job-id="\(job.id.lowercaseText)"><td><a href="/ui/jobs/\(job.id.lowercaseText)"><code>\(job.id.lowercaseText)</code></a></td>\
                <td class="type">\(job.type)</td><td>\(job.queue)</td><td class="num">\(job.priority)</td>\
                <td><span class="status \(status.rawValue)">\(status.rawValue)</span></td><td class="num">\(job.retries)/\(job.maxRetries)</td>\
                <td>\(Format.time(job.createdAt))</td><td class="error" title="\(job.error)">\(String(job.error.prefix(200)))</td><td>\(retry)</td></tr>
                """
        }
        let next: HTML =
            query.hasMore(after: jobs)
            ? "<a id=\"next-page\" href=\"/ui/jobs?\(filter.queryString(extra: [("cursor", jobs.last.map { String($0.sequence) })]))\">Next page →</a>"
            : ""
        let first: HTML = query.before != nil ? "<a href=\"/ui/jobs?\(filter.queryString())\">← First page</a>" : ""
        let priorityOptions: [HTML] = [option("", "any", selected: filter.fields["priority"])] + JobLimits.priorities.map { option(String($0), String($0), selected: filter.fields["priority"]) }
        let bulkRetry: HTML =
            viewer.canAdmin
            ? """
            <form method="post" action="/ui/jobs/retry" class="inline" id="bulk-retry-form"><input type="hidden" name="csrf" value="\(viewer.csrf)">\
            \(filter.hiddenInputs)<button type="submit" class="danger" id="bulk-retry">Retry every match…</button></form>
            """ : ""
        // Only with a filter: a bulk delete of every job is refused (JobQueue.deleteAll).
        let bulkDelete: HTML =
            viewer.canAdmin && !filter.isEmpty
            ? """
            <form method="post" action="/ui/jobs/delete" class="inline" id="bulk-delete-form"><input type="hidden" name="csrf" value="\(viewer.csrf)">\
            \(filter.hiddenInputs)<button type="submit" class="danger" id="bulk-delete">Delete every match…</button></form>
            """ : ""
        let bulk: HTML = bulkRetry + bulkDelete
        let statusInput: HTML = current.map { "<input type=\"hidden\" name=\"status\" value=\"\($0)\">" } ?? ""
        let body: HTML = """
            <h1>Jobs</h1>
            <nav class="tabs" id="status-tabs" data-live>\(tabs)</nav>
            <form method="get" action="/ui/jobs" class="filters">\(statusInput)
            <label>type <input name="type" value="\(filter.fields["type"] ?? "")" size="16"></label>
            <label>queue <input name="queue" value="\(filter.fields["queue"] ?? "")" size="12"></label>
            <label>partition <input name="partition" value="\(filter.fields["partition"] ?? "")" size="12"></label>
            <label>priority <select name="priority">\(priorityOptions)</select></label>
            <label>created after <input name="created_after" value="\(filter.fields["created_after"] ?? "")" placeholder="2026-01-02T15:04:05Z" size="22"></label>
            <label>created before <input name="created_before" value="\(filter.fields["created_before"] ?? "")" placeholder="RFC 3339" size="22"></label>
            <button type="submit" id="apply-filters">Filter</button> <a href="/ui/jobs\(current.map { "?status=" + $0 } ?? "")">clear</a>
            </form>
            <div class="actions">\(bulk)</div>
            <table id="jobs-table"><thead><tr><th>id</th><th>type</th><th>queue</th><th class="num">priority</th><th>status</th>\
            <th class="num">retries</th><th>created</th><th>error</th><th></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(jobs.isEmpty ? "<p class=\"muted\" id=\"no-jobs\">No jobs match.</p>" as HTML : "")
            <div class="paging">\(first)\(next)</div>
            """
        return Layout.page(title: "Jobs", active: "/ui/jobs", viewer: viewer, notice: Self.notice(url), body: body)
    }

    private func tab(name: String, status: String?, count: Int?, current: String?, filter: JobFilter) -> HTML {
        let selected: HTML = status == current ? " aria-current=\"page\"" : ""
        let countHTML: HTML = count.map { "<span class=\"count\" id=\"tab-count-\(name)\">\(Format.number($0))</span>" } ?? ""
        return "<a href=\"/ui/jobs?\(filter.queryString(setting: "status", to: status))\"\(selected) id=\"tab-\(name)\">\(name)\(countHTML)</a>"
    }

    private func option(_ value: String, _ label: String, selected: String?) -> HTML {
        let mark: HTML = (selected ?? "") == value ? " selected" : ""
        return "<option value=\"\(value)\"\(mark)>\(label)</option>"
    }
}
