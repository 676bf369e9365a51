import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore {
    /// Inserts the whole batch, and notifies listeners once, with one statement: atomic on its own,
    /// so no explicit transaction (one round trip per batch).
    ///
    /// Jobs whose idempotency key is taken are skipped by `ON CONFLICT ... DO NOTHING` (including a
    /// later job in the same batch that repeats an earlier one's key) and answered from the stored
    /// row, read after the insert: `.existing` when its fingerprint matches, `.conflict` otherwise,
    /// as the SQLite store does.
    ///
    /// A batch with unique jobs runs in a transaction instead: their keys are taken first
    /// (``PostgresUniqueLocks``), and the lock rows and the jobs commit together.
    public func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueOutcome] {
        try await perform {
            if jobs.contains(where: { $0.unique != nil }) {
                return try await self.client.withTransaction(logger: self.logger) { connection in
                    try await self.insert(jobs, now: now, on: connection, rejectConflicts: false)
                }
            }
            return try await self.client.withConnection { connection in
                try await self.insert(jobs, now: now, on: connection, rejectConflicts: false)
            }
        }
    }

    /// Inserts jobs inside the caller's own transaction on `connection` (transactional enqueue, as
    /// River and Oban offer): the jobs exist exactly when the caller's transaction commits, and
    /// workers are notified at that commit. `connection` must be in a transaction the caller owns
    /// (READ COMMITTED, the default), which unique jobs rely on.
    public func enqueue(_ jobs: [NewJob], now: Date = Date(), on connection: PostgresConnection) async throws -> [EnqueueOutcome] {
        try await insert(jobs, now: now, on: connection, rejectConflicts: false)
    }

    /// Inserts every job on `connection`; with `rejectConflicts`, an idempotency conflict throws
    /// (so the surrounding transaction rolls back) instead of being reported as an outcome.
    func insert(_ jobs: [NewJob], now: Date, on connection: PostgresConnection, rejectConflicts: Bool) async throws -> [EnqueueOutcome] {
        if jobs.isEmpty { return [] }
        guard jobs.contains(where: { $0.unique != nil }) else {
            return try await insertKeyed(jobs, now: now, on: connection, rejectConflicts: rejectConflicts)
        }
        // Unique jobs whose key is held are not inserted; the rest are, as usual.
        let holders = try await PostgresUniqueLocks.acquire(jobs, now: now, on: connection, logger: logger)
        let inserted = jobs.indices.filter { holders[$0] == nil }
        let insertedOutcomes = try await insertKeyed(inserted.map { jobs[$0] }, now: now, on: connection, rejectConflicts: rejectConflicts)
        var outcomes: [EnqueueOutcome?] = Array(repeating: nil, count: jobs.count)
        for (position, index) in inserted.enumerated() { outcomes[index] = insertedOutcomes[position] }
        for (index, holder) in holders {
            switch holder {
            case .stored(let job): outcomes[index] = .duplicate(job)
            case .batch(let earlier): outcomes[index] = .duplicate(outcomes[earlier]!.job)
            }
        }
        return outcomes.map { $0! }
    }

    /// Inserts `jobs` (unique keys already taken), answering known idempotency keys.
    private func insertKeyed(_ jobs: [NewJob], now: Date, on connection: PostgresConnection, rejectConflicts: Bool) async throws
        -> [EnqueueOutcome]
    {
        if jobs.isEmpty { return [] }
        let batch = PostgresEnqueueStatements.Batch(now: now, jobs: jobs)
        let sequences = try await insertedSequences(batch, on: connection)
        var existing: [String: (job: Job, fingerprint: String)] = [:]
        let skippedKeys = sequences.count == jobs.count ? [] : jobs.filter { sequences[$0.id] == nil }.compactMap(\.idempotencyKey)
        if !skippedKeys.isEmpty {
            let rows = try await connection.query(
                """
                SELECT \(unescaped: PostgresJobRow.columns()), jobs.fingerprint FROM jobs
                WHERE idempotency_key = ANY(\(skippedKeys)::text[])
                """, logger: self.logger)
            for try await row in rows {
                let job = try PostgresJobRow.job(row)
                let fingerprint = try row.makeRandomAccess()[PostgresJobRow.columnCount].decode(String.self)
                if let key = job.idempotencyKey { existing[key] = (job, fingerprint) }
            }
        }
        let clock = PostgresInsertedJob.Clock(now: now)
        let outcomes = try jobs.map { job -> EnqueueOutcome in
            if let assigned = sequences[job.id] {
                return .created(PostgresInsertedJob.job(job, sequence: assigned.sequence, fairTag: assigned.fairTag, clock: clock))
            }
            guard let key = job.idempotencyKey, let stored = existing[key] else {
                throw VesperError(.invalidState, "job \(job.id.lowercaseText) was not inserted")
            }
            return stored.fingerprint == job.fingerprint ? .existing(stored.job) : .conflict(key: key, existing: stored.job)
        }
        if rejectConflicts, let conflict = BatchConflict.first(in: outcomes) { throw conflict }
        return outcomes
    }
}

extension PostgresJobStore {
    /// Runs the leanest insert statement for `batch`: `ON CONFLICT` only when some job has a key,
    /// the `trace_context` and region arrays only when some job has a context or a region, the
    /// key arrays only when some job has a concurrency key or is unique, the fair-share tags only
    /// when some job has a partition. Returns `seq` and `fair_tag` by inserted id.
    private func insertedSequences(_ batch: PostgresEnqueueStatements.Batch, on connection: PostgresConnection) async throws
        -> [UUID: PostgresInsertedJob.Assigned]
    {
        typealias Statements = PostgresEnqueueStatements
        if batch.hasConcurrencyKeys { limitsMayApply() }
        if batch.hasPartitions {
            var assigned: [UUID: PostgresInsertedJob.Assigned] = [:]
            assigned.reserveCapacity(batch.jobs.count)
            let statement = Statements.PartitionedInsert(batch: batch)
            for try await (id, sequence, tag) in try await connection.execute(statement, logger: self.logger) {
                assigned[id] = PostgresInsertedJob.Assigned(sequence: sequence, fairTag: tag)
            }
            return assigned
        }
        if batch.hasConcurrencyKeys || batch.hasUniqueKeys {
            return try await insertedSequences(Statements.Insert<Statements.Extended>(batch: batch), on: connection)
        }
        switch (batch.hasKeys, batch.hasTraceContexts) {
        case (false, false): return try await insertedSequences(Statements.Insert<Statements.Plain>(batch: batch), on: connection)
        case (true, false): return try await insertedSequences(Statements.Insert<Statements.SkippingKnownKeys>(batch: batch), on: connection)
        case (false, true): return try await insertedSequences(Statements.Insert<Statements.Traced>(batch: batch), on: connection)
        case (true, true):
            return try await insertedSequences(Statements.Insert<Statements.TracedSkippingKnownKeys>(batch: batch), on: connection)
        }
    }

    private func insertedSequences<V>(_ statement: PostgresEnqueueStatements.Insert<V>, on connection: PostgresConnection) async throws
        -> [UUID: PostgresInsertedJob.Assigned]
    {
        var sequences: [UUID: PostgresInsertedJob.Assigned] = [:]
        sequences.reserveCapacity(statement.batch.jobs.count)
        for try await (id, sequence) in try await connection.execute(statement, logger: self.logger) {
            sequences[id] = PostgresInsertedJob.Assigned(sequence: sequence, fairTag: 0)
        }
        return sequences
    }
}

extension PostgresJobStore: AtomicBatchEnqueue {
    public func enqueueAll(_ jobs: [NewJob], now: Date) async throws -> [EnqueueOutcome] {
        try await perform {
            try await self.client.withTransaction(logger: self.logger) { connection in
                try await self.insert(jobs, now: now, on: connection, rejectConflicts: true)
            }
        }
    }
}
