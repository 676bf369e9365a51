import Foundation
import Hummingbird
import VesperCore

extension VesperDashboard {
    /// `/ui/jobs/{id}`: every field of one job, its payload pretty-printed, and its actions.
    func job(_ viewer: Viewer, id text: String, request: Request) async throws -> HTML {
        guard let id = UUID(uuidString: text) else {
            throw ValidationError(field: "job_id", message: "job id \"\(text.prefix(100))\" is not a UUID")
        }
        guard let job = try await sources.queue.job(id: id) else { throw VesperError.notFound(id.lowercaseText) }
        let now = sources.queue.now()
        let status = job.status(at: now)
        var actions: [HTML] = []
        if viewer.canAdmin && (status == .dlq || status == .failed) {
            actions.append(actionButton("/ui/jobs/\(job.id.lowercaseText)/retry", label: "Retry", id: "retry-job", viewer: viewer))
        }
        if viewer.canAdmin && status == .scheduled {
            actions.append(actionButton("/ui/jobs/\(job.id.lowercaseText)/run", label: "Run now", id: "run-job", viewer: viewer))
        }
        if viewer.canAdmin && (status == .pending || status == .scheduled || (status == .processing && !job.cancelRequested)) {
            actions.append(actionButton("/ui/jobs/\(job.id.lowercaseText)/cancel", label: "Cancel", id: "cancel-job", viewer: viewer, style: "danger"))
        }
        if viewer.canAdmin && BulkAction.delete.appliesTo.contains(job.storedStatus) {
            actions.append(actionButton("/ui/jobs/\(job.id.lowercaseText)/delete", label: "Delete", id: "delete-job", viewer: viewer, style: "danger"))
        }
        let fields: [(String, String)] = [
            ("id", job.id.lowercaseText), ("type", job.type), ("queue", job.queue), ("partition", job.partition ?? "—"),
            ("priority", String(job.priority)),
            ("retries", "\(job.retries) of \(job.maxRetries)"), ("attempt", String(job.attempt)),
            ("lease owner", job.workerID ?? "—"), ("lease until", Format.time(job.leaseUntil)),
            ("idempotency key", job.idempotencyKey ?? "—"), ("unique key", job.uniqueKey ?? "—"), ("timeout", "\(job.timeoutSeconds)s"),
            ("run at", Format.time(job.runAt)), ("created", Format.time(job.createdAt)), ("updated", Format.time(job.updatedAt)),
            ("started", Format.time(job.startedAt)), ("finished", Format.time(job.finishedAt)), ("sequence", String(job.sequence)),
        ]
        let rows = fields.map { name, value -> HTML in
            "<dt>\(name)</dt><dd id=\"field-\(name.replacingOccurrences(of: " ", with: "-"))\">\(value)</dd>"
        }
        let error: HTML = job.error.isEmpty ? "<p class=\"muted\">No error.</p>" : "<pre id=\"job-error\">\(job.error)</pre>"
        let running = Self.runningSection(job, status: status)
        let result: HTML = job.result.map { "<h2>Result</h2><pre id=\"job-result\">\(Format.prettyJSON($0))</pre>" } ?? ""
        let body: HTML = """
            <h1>Job <code>\(job.id.lowercaseText)</code></h1>
            <section id="job-state" data-live>
            <p>Status: <span class="status \(status.rawValue)" id="job-status">\(status.rawValue)</span></p>
            <div class="actions">\(actions)</div>
            <dl class="fields">\(rows)</dl>
            \(running)
            <h2>Error</h2>\(error)
            \(result)
            \(Self.attemptsTable(job.attempts ?? []))
            </section>
            <h2>Payload</h2>
            <pre id="job-payload">\(Format.prettyJSON(job.payload))</pre>
            <p><a href="/ui/jobs?status=\(status.rawValue)">All \(status.rawValue) jobs</a></p>
            """
        let url = FormData(encoded: Substring(request.uri.query ?? ""))
        return Layout.page(title: "Job \(job.id.lowercaseText.suffix(12))", active: "/ui/jobs", viewer: viewer, notice: Self.notice(url), body: body)
    }

    /// A running job's last progress report and whether a cancel was asked for.
    static func runningSection(_ job: Job, status: JobStatus) -> HTML {
        guard status == .processing else { return "" }
        var parts: [HTML] = []
        if job.cancelRequested { parts.append("<p id=\"job-cancel-requested\"><strong>Cancel requested</strong>: the node running it stops it at its next heartbeat.</p>") }
        if let progress = job.progress, progress.attempt == job.attempt {
            parts.append(
                """
                <p id="job-progress"><progress max="100" value="\(String(progress.percent))"></progress> \(String(progress.percent))% \
                \(progress.message) <span class="muted">(\(Format.time(progress.updatedAt)))</span></p>
                """)
        }
        return "\(parts)"
    }

    /// Every attempt so far: number, node, start, finish, outcome and error.
    static func attemptsTable(_ attempts: [AttemptRecord]) -> HTML {
        guard !attempts.isEmpty else { return "" }
        let rows = attempts.map { attempt -> HTML in
            """
            <tr><td>\(String(attempt.attempt))</td><td>\(attempt.node ?? "—")</td><td>\(Format.time(attempt.startedAt))</td>\
            <td>\(Format.time(attempt.finishedAt))</td><td>\(attempt.outcome)</td><td>\(attempt.error)</td></tr>
            """
        }
        return """
            <h2>Attempts</h2>
            <table id="job-attempts"><thead><tr><th>#</th><th>node</th><th>started</th><th>finished</th><th>outcome</th><th>error</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }

    func actionButton(_ path: String, label: String, id: String, viewer: Viewer, style: String = "") -> HTML {
        """
        <form method="post" action="\(path)" class="inline"><input type="hidden" name="csrf" value="\(viewer.csrf)">\
        <button type="submit" id="\(id)" class="\(style)">\(label)</button></form>
        """
    }

    func retryJob(id text: String) async throws -> ActionResult {
        guard let id = UUID(uuidString: text) else { throw ValidationError(field: "job_id", message: "job id is not a UUID") }
        _ = try await sources.queue.retry(id: id)
        return .redirect("/ui/jobs/\(id.lowercaseText)?notice=retried")
    }

    /// Deletes through ``JobQueue/delete(id:)`` (as `DELETE /jobs/{id}`), then shows the jobs of the state it was in.
    func deleteJob(id text: String) async throws -> ActionResult {
        guard let id = UUID(uuidString: text) else { throw ValidationError(field: "job_id", message: "job id is not a UUID") }
        let job = try await sources.queue.delete(id: id)
        return .redirect("/ui/jobs?" + FormData.query([("status", job.status(at: sources.queue.now()).rawValue), ("notice", "deleted")]))
    }

    /// Makes a scheduled job due now through ``JobQueue/runNow(id:)`` (as `POST /jobs/{id}/run`).
    func runJobNow(id text: String) async throws -> ActionResult {
        guard let id = UUID(uuidString: text) else { throw ValidationError(field: "job_id", message: "job id is not a UUID") }
        _ = try await sources.queue.runNow(id: id)
        return .redirect("/ui/jobs/\(id.lowercaseText)?notice=run")
    }

    func cancelJob(id text: String) async throws -> ActionResult {
        guard let id = UUID(uuidString: text) else { throw ValidationError(field: "job_id", message: "job id is not a UUID") }
        _ = try await sources.queue.cancel(id: id)
        return .redirect("/ui/jobs/\(id.lowercaseText)?notice=cancelled")
    }
}
