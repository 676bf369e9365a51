/// Where a finished job lives: how PostgreSQL keeps finished jobs out of the hot path.
///
/// On PostgreSQL a completion that ends a job `done` moves the row from `jobs` to `finished_jobs`
/// in the statement that finishes it, so `jobs` holds only live work and the few finished jobs an
/// operator may still act on (its updates leave dead index entries that claims would walk).
/// SQLite finishes `done` jobs in place: its UPDATE removes old index entries at once, and the
/// move cost 19% of its drain; its `finished_jobs` stays empty. On both stores every read that can
/// return a finished job (by id, listings, statistics, throughput, retention, deletes) reads both
/// tables.
///
/// Two kinds of finished rows stay in `jobs`: those an operator can retry (`dlq`, `failed`) or that
/// an operator ended (`cancelled`, rare and off the hot path), and `done` jobs with an idempotency
/// key, whose key must keep deduplicating through retention: the partial unique index on
/// `jobs (idempotency_key)` is what makes a concurrent enqueue of the same key safe.
public enum FinishedJobs {
    /// The archive table, with the same columns as `jobs`.
    public static let table = "finished_jobs"

    /// The only state the archive holds.
    public static let status: JobStatus = .done

    /// The completion kinds whose finish moves the row on PostgreSQL (those whose effect is ``status``).
    public static let movingKinds: [Completion.Outcome.Kind] = Completion.Outcome.Kind.allCases.filter {
        CompletionEffect.of($0).status == status
    }

    /// The stored column whose being set keeps a `done` job in `jobs`.
    public static let keepsInPlace = "idempotency_key"

    /// Whether rows `filter` selects may be in the archive: not when it names another state, so a
    /// listing of `dlq` jobs never walks the archive.
    public static func mayHold(_ filter: JobFilter) -> Bool {
        filter.conditions.allSatisfy { condition in
            guard condition.column == .status, case .status(let named) = condition.value else { return true }
            return named == status
        }
    }
}
