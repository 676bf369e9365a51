import Foundation
import VesperCore

/// Reads the database after a run and checks every acknowledged job: each must be in the expected
/// state with the expected attempt number, and (when a ledger is given) its handler must have run
/// exactly once.
struct CorrectnessCheck {
    /// What a job should look like at the end.
    enum Expectation {
        /// Ran once and finished: `done` with no failed attempt, its handler run once.
        case doneOnce
        /// Stored and never claimed: `pending`, attempt 0.
        case pendingUnclaimed
    }

    struct Verdict {
        var errors = 0
        var lost = 0
        var duplicates = 0
        var problems: [String] = []

        mutating func note(_ problem: String) {
            if problems.count < 10 { problems.append(problem) }
        }
    }

    let queue: JobQueue

    /// Waits until no job is `pending` or `processing` any more (results are written in batches
    /// after the handlers return), or until `timeout`.
    func waitUntilSettled(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let now = queue.now()
            if try await queue.list(JobQuery(status: .processing, limit: 1, now: now)).isEmpty,
                try await queue.list(JobQuery(status: .pending, limit: 1, now: now)).isEmpty
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    /// Pages through the stored jobs, newest first, until every `expected` one is found (or the
    /// jobs run out), and checks them. A run's own jobs are the newest, so on a table that holds
    /// millions of finished jobs from earlier runs the check reads little more than the run itself.
    func verify(expected: [UUID], _ expectation: Expectation, ledger: InvocationLedger?) async throws -> Verdict {
        var verdict = Verdict()
        let wanted = Set(expected)
        if wanted.count != expected.count {
            verdict.errors += expected.count - wanted.count
            verdict.note("\(expected.count - wanted.count) job ids were acknowledged twice")
        }
        var found: [UUID: (status: JobStatus, attempt: Int, retries: Int)] = [:]
        found.reserveCapacity(wanted.count)
        var cursor: Int64?
        while true {
            // Straight from the store: pages of 5,000, past the API's limit of 1,000.
            let query = JobQuery(limit: 5_000, before: cursor, now: queue.now())
            let page = try await queue.store.listJobs(query)
            for job in page where wanted.contains(job.id) {
                found[job.id] = (job.storedStatus, job.attempt, job.retries)
            }
            guard found.count < wanted.count, query.hasMore(after: page), let last = page.last else { break }
            cursor = last.sequence
        }
        let counts = ledger?.snapshot ?? [:]
        for id in wanted {
            guard let (status, attempt, retries) = found[id] else {
                verdict.lost += 1
                verdict.note("job \(id.lowercaseText) was acknowledged but is not in the database")
                continue
            }
            switch expectation {
            case .doneOnce:
                if status != .done {
                    verdict.lost += 1
                    verdict.note("job \(id.lowercaseText) is \(status.rawValue), not done")
                } else if retries != 0 {
                    // Not `attempt`: a prefetched job handed back unrun (outranked, or at shutdown)
                    // is claimed again with the next attempt number without having failed.
                    verdict.errors += 1
                    verdict.note("job \(id.lowercaseText) is done after \(retries) failed attempts, not 0")
                }
                if ledger != nil {
                    let runs = counts[id] ?? 0
                    if runs > 1 {
                        verdict.duplicates += 1
                        verdict.errors += 1
                        verdict.note("job \(id.lowercaseText) ran \(runs) times")
                    } else if runs == 0 && status == .done {
                        verdict.errors += 1
                        verdict.note("job \(id.lowercaseText) is done but its handler never ran here")
                    }
                }
            case .pendingUnclaimed:
                if status != .pending || attempt != 0 {
                    verdict.errors += 1
                    verdict.note("job \(id.lowercaseText) is \(status.rawValue) at attempt \(attempt), not pending at 0")
                }
            }
        }
        let strays = counts.keys.filter { !wanted.contains($0) }.count
        if strays > 0 {
            verdict.errors += strays
            verdict.note("\(strays) handler runs were for jobs this run did not submit")
        }
        return verdict
    }
}
