import VesperCore

/// Where a finished job lives on PostgreSQL: done jobs leave the table claims walk.
///
/// A completion that ends a job `done` moves the row from `jobs` to `finished_jobs` in the
/// statement that finishes it (migration 13), so `jobs` holds live work and the few finished jobs
/// an operator may still act on: PostgreSQL's updates leave dead index entries that claims walk
/// until vacuum, and a week of retention in `jobs` made that walk long. Every read that can return
/// a finished job (by id, listings, statistics, throughput, retention, deletes) reads both tables.
///
/// Two kinds of finished rows stay in `jobs`: those an operator can retry (`dlq`, `failed`) or that
/// an operator ended (`cancelled`, rare and off the hot path), and `done` jobs with an idempotency
/// key, whose key must keep deduplicating through retention: the partial unique index on
/// `jobs (idempotency_key)` is what makes a concurrent enqueue of the same key safe.
///
/// SQLite has no such table and finishes `done` jobs in place: its `UPDATE` removes the old index
/// entries at once, and the move, measured there, cost 19% of its drain.
enum PostgresFinishedJobs {
    /// The archive table, with the same columns as `jobs`.
    static let table = "finished_jobs"

    /// The only state the archive holds.
    static let status: JobStatus = .done

    /// The completion kinds whose finish moves the row (those whose effect is ``status``).
    static let movingKinds: [Completion.Outcome.Kind] = Completion.Outcome.Kind.allCases.filter {
        CompletionEffect.of($0).status == status
    }

    /// The stored column whose being set keeps a `done` job in `jobs`.
    static let keepsInPlace = "idempotency_key"

    /// Whether rows `filter` selects may be in the archive: not when it names another state, so a
    /// listing of `dlq` jobs never walks the archive.
    static func mayHold(_ filter: JobFilter) -> Bool {
        filter.conditions.allSatisfy { condition in
            guard condition.column == .status, case .status(let named) = condition.value else { return true }
            return named == status
        }
    }
}
