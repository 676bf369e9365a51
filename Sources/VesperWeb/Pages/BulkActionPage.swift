import Foundation
import VesperCore

extension VesperDashboard {
    /// Bulk retry or delete from the jobs page: the first POST counts the matches and asks to
    /// confirm; the confirmation (`confirm=1`) acts through ``JobQueue/retryAll(matching:batchSize:)``
    /// or ``JobQueue/deleteAll(matching:batchSize:)``, the operations behind `POST /jobs/retry` and
    /// `POST /jobs/delete`.
    func bulk(_ action: BulkAction, _ viewer: Viewer, form: FormData) async throws -> ActionResult {
        let filter = JobFilter(form)
        let now = sources.queue.now()
        let query = try filter.query(now: now)
        let verb = action == .retry ? "Retry" : "Delete"
        if form["confirm"] == "1" {
            let counts: (acted: Int, skipped: Int)
            switch action {
            case .retry:
                let result = try await sources.queue.retryAll(matching: query)
                counts = (result.retried, result.skipped)
            case .delete:
                let result = try await sources.queue.deleteAll(matching: query)
                counts = (result.deleted, result.skipped)
            }
            return .redirect(
                "/ui/jobs?"
                    + filter.queryString(extra: [("notice", "bulk-\(action.rawValue)"), ("acted", String(counts.acted)), ("skipped", String(counts.skipped))]))
        }
        let (matches, applicable, capped) = try await countMatches(query, applicable: action.appliesTo)
        let plus: HTML = capped ? "+" : ""
        let consequence: HTML =
            action == .retry
            ? "of them are dlq or failed and will go back to pending (the others are skipped)."
            : "of them are not running and will be deleted for good (running jobs are skipped)."
        let body: HTML = """
            <h1>\(verb) every match?</h1>
            <p>Filter: <strong id="bulk-filter">\(describe(filter))</strong></p>
            <p><span id="bulk-count">\(Format.number(matches))\(plus)</span> jobs match; \
            <span id="bulk-applicable">\(Format.number(applicable))\(plus)</span> \(consequence)</p>
            <form method="post" action="/ui/jobs/\(action.rawValue)" id="bulk-confirm-form"><input type="hidden" name="csrf" value="\(viewer.csrf)">\
            <input type="hidden" name="confirm" value="1">\(filter.hiddenInputs)
            <button type="submit" class="danger" id="bulk-confirm">\(verb) \(Format.number(applicable))\(plus) jobs</button> \
            <a href="/ui/jobs?\(filter.queryString())">Cancel</a></form>
            """
        return .page(Layout.page(title: "Confirm bulk \(action.rawValue)", active: "/ui/jobs", viewer: viewer, body: body), .ok)
    }

    /// Counts matches page by page through the listing indexes, up to `cap`, and those of them in
    /// a state in `applicable` (stored states).
    private func countMatches(_ query: JobQuery, applicable: [JobStatus], cap: Int = 100_000) async throws -> (matches: Int, applicable: Int, capped: Bool) {
        var page = query
        page.limit = 1000
        page.before = nil
        var matches = 0
        var count = 0
        while matches < cap {
            let jobs = try await sources.queue.list(page)
            matches += jobs.count
            count += jobs.filter { applicable.contains($0.storedStatus) }.count
            guard page.hasMore(after: jobs), let last = jobs.last else { return (matches, count, false) }
            page.before = last.sequence
        }
        return (matches, count, true)
    }

    private func describe(_ filter: JobFilter) -> String {
        let parts = JobFilter.names.compactMap { name in filter.fields[name].map { "\(name)=\($0)" } }
        return parts.isEmpty ? "every job" : parts.joined(separator: ", ")
    }
}
