import Foundation
import VesperCore

extension VesperDashboard {
    /// Bulk retry from the jobs page: the first POST counts the matches and asks to confirm; the
    /// confirmation (`confirm=1`) retries them through ``JobQueue/retryAll(matching:batchSize:)``,
    /// the operation behind `POST /jobs/retry`.
    func bulkRetry(_ viewer: Viewer, form: FormData) async throws -> ActionResult {
        let filter = JobFilter(form)
        let now = sources.queue.now()
        let query = try filter.query(now: now)
        if form["confirm"] == "1" {
            let result = try await sources.queue.retryAll(matching: query)
            return .redirect(
                "/ui/jobs?" + filter.queryString(extra: [("notice", "bulk"), ("retried", String(result.retried)), ("skipped", String(result.skipped))]))
        }
        let (matches, retryable, capped) = try await countMatches(query)
        let summary = describe(filter)
        let body: HTML = """
            <h1>Retry every match?</h1>
            <p>Filter: <strong id="bulk-filter">\(summary)</strong></p>
            <p><span id="bulk-count">\(Format.number(matches))\(capped ? "+" : "")</span> jobs match; \
            <span id="bulk-retryable">\(Format.number(retryable))\(capped ? "+" : "")</span> of them are dlq or failed and will go back to pending \
            (the others are skipped).</p>
            <form method="post" action="/ui/jobs/retry" id="bulk-confirm-form"><input type="hidden" name="csrf" value="\(viewer.csrf)">\
            <input type="hidden" name="confirm" value="1">\(filter.hiddenInputs)
            <button type="submit" class="danger" id="bulk-confirm">Retry \(Format.number(retryable))\(capped ? "+" : "") jobs</button> \
            <a href="/ui/jobs?\(filter.queryString())">Cancel</a></form>
            """
        return .page(Layout.page(title: "Confirm bulk retry", active: "/ui/jobs", viewer: viewer, body: body), .ok)
    }

    /// Counts matches page by page through the listing indexes, up to `cap`.
    private func countMatches(_ query: JobQuery, cap: Int = 100_000) async throws -> (matches: Int, retryable: Int, capped: Bool) {
        var page = query
        page.limit = 1000
        page.before = nil
        var matches = 0
        var retryable = 0
        while matches < cap {
            let jobs = try await sources.queue.list(page)
            matches += jobs.count
            retryable += jobs.filter { [JobStatus.dlq, .failed].contains($0.status(at: page.now)) }.count
            guard page.hasMore(after: jobs), let last = jobs.last else { return (matches, retryable, false) }
            page.before = last.sequence
        }
        return (matches, retryable, true)
    }

    private func describe(_ filter: JobFilter) -> String {
        let parts = JobFilter.names.compactMap { name in filter.fields[name].map { "\(name)=\($0)" } }
        return parts.isEmpty ? "every job" : parts.joined(separator: ", ")
    }
}
