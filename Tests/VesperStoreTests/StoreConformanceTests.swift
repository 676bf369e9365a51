import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// The behaviour every `JobStore` must have, run against each real database.
@Suite("Store conformance")
struct StoreConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func enqueueThenReadBack(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let created = try await store.add(testJob("resize_image", priority: 7, payload: #"{"image_url":"cat.png","width":640}"#))
            let read = try #require(try await store.job(id: created.id))
            #expect(read.type == "resize_image")
            #expect(read.priority == 7)
            #expect(read.payload == #"{"image_url":"cat.png","width":640}"#)
            #expect(read.storedStatus == .pending)
            #expect(read.retries == 0)
            #expect(read.maxRetries == 3)
            #expect(read.attempt == 0)
            #expect(read.createdAt == testEpoch)
            #expect(read.sequence == created.sequence)
            #expect(try await store.job(id: UUID()) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func claimsHighestPriorityFirstThenFIFO(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var expected: [String] = []
            let plan = [(0, "a"), (7, "b"), (3, "c"), (10, "d"), (7, "e"), (0, "f"), (10, "g")]
            for (priority, name) in plan {
                try await store.add(testJob(priority: priority, payload: #"{"n":"\#(name)"}"#))
            }
            expected = ["d", "g", "b", "e", "c", "a", "f"]
            var order: [String] = []
            while let job = try await store.claim(1).first {
                order.append(String(job.payload.dropFirst(6).dropLast(2)))
            }
            #expect(order == expected)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func batchClaimReturnsJobsInOrderAndLeasesThem(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for priority in [1, 5, 5, 9] { try await store.add(testJob(priority: priority)) }
            let claimed = try await store.claim(3, worker: "node-a")
            #expect(claimed.map(\.priority) == [9, 5, 5])
            #expect(claimed[1].sequence < claimed[2].sequence)
            for job in claimed {
                #expect(job.storedStatus == .processing)
                #expect(job.attempt == 1)
                #expect(job.workerID == "node-a")
                #expect(job.leaseUntil == testEpoch.addingTimeInterval(30))
                #expect(job.startedAt == testEpoch)
            }
            #expect(try await store.claim(10).map(\.priority) == [1])
            #expect(try await store.claim(10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func claimSkipsFutureJobsAndOtherTypes(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.add(testJob("later", runAt: testEpoch.addingTimeInterval(60)))
            try await store.add(testJob("email"))
            try await store.add(testJob("sms"))
            #expect(try await store.claim(10, types: ["sms"]).map(\.type) == ["sms"])
            #expect(try await store.claim(10, types: ["later", "email"]).map(\.type) == ["email"])
            #expect(try await store.claim(10).isEmpty)
            #expect(try await store.claim(10, now: testEpoch.addingTimeInterval(61)).map(\.type) == ["later"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentClaimsNeverShareAJob(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let jobs = (0..<500).map { _ in testJob() }
            _ = try await store.enqueue(jobs, now: testEpoch)
            let claimedIDs = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [UUID] = []
                        while true {
                            let batch = try await store.claim(7, worker: "w\(worker)")
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimedIDs.count == 500)
            #expect(Set(claimedIDs) == Set(jobs.map(\.id)))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func finishIsFencedByAttempt(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob())
            let first = try #require(try await store.claim(1).first)
            // The lease expires and another worker takes the job.
            #expect(try await store.recoverExpiredLeases(now: testEpoch.addingTimeInterval(31)) == 1)
            let second = try #require(try await store.claim(1, worker: "w2", now: testEpoch.addingTimeInterval(32)).first)
            #expect(second.attempt == first.attempt + 1)
            // The stale worker's result is rejected; the new owner's is applied.
            let stale = Completion(token: LeaseToken(id: job.id, attempt: first.attempt), outcome: .done)
            #expect(try await store.finish([stale], now: testEpoch.addingTimeInterval(33)).isEmpty)
            #expect(try await store.job(id: job.id)?.storedStatus == .processing)
            let current = Completion(token: LeaseToken(id: job.id, attempt: second.attempt), outcome: .failed(error: "boom"))
            #expect(try await store.finish([current], now: testEpoch.addingTimeInterval(34)) == [current.token])
            let final = try #require(try await store.job(id: job.id))
            #expect(final.storedStatus == .failed)
            #expect(final.error == "boom")
            #expect(final.retries == 2)  // the lease loss and the failure
            #expect(final.finishedAt == testEpoch.addingTimeInterval(34))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func finishAppliesEveryOutcome(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for _ in 0..<5 { try await store.add(testJob()) }
            let jobs = try await store.claim(5)
            let later = testEpoch.addingTimeInterval(10)
            let outcomes: [Completion.Outcome] = [
                .done, .retry(error: "try again", runAt: later), .deadLetter(error: "gave up"), .failed(error: "bad input"), .release,
            ]
            let completions = zip(jobs, outcomes).map { Completion(token: LeaseToken(id: $0.id, attempt: $0.attempt), outcome: $1) }
            #expect(try await store.finish(completions, now: testEpoch.addingTimeInterval(1)) == Set(completions.map(\.token)))
            let read = try await jobs.asyncMap { try #require(try await store.job(id: $0.id)) }
            #expect(read.map(\.storedStatus) == [.done, .pending, .dlq, .failed, .pending])
            #expect(read.map(\.retries) == [0, 1, 1, 1, 0])
            #expect(read[1].runAt == later)
            #expect(read[1].status(at: testEpoch.addingTimeInterval(1)) == .scheduled)
            #expect(read[1].error == "try again")
            #expect(read[2].error == "gave up")
            #expect(read[4].runAt == testEpoch.addingTimeInterval(1))
            #expect(read[0].finishedAt == testEpoch.addingTimeInterval(1))
            #expect(read[1].finishedAt == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func leasesExtendOnlyForTheCurrentAttempt(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob())
            let claimed = try #require(try await store.claim(1).first)
            let token = LeaseToken(id: job.id, attempt: claimed.attempt)
            let until = testEpoch.addingTimeInterval(120)
            #expect(try await store.extendLeases([token], until: until, now: testEpoch.addingTimeInterval(20)) == [job.id])
            #expect(try await store.recoverExpiredLeases(now: testEpoch.addingTimeInterval(60)) == 0)
            #expect(try await store.job(id: job.id)?.leaseUntil == until)
            let stale = LeaseToken(id: job.id, attempt: claimed.attempt + 1)
            #expect(try await store.extendLeases([stale], until: until, now: testEpoch).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiredLeaseCountsAsAnAttemptAndDeadLettersWhenExhausted(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob(maxRetries: 1))
            var now = testEpoch
            for expected in [JobStatus.pending, .dlq] {
                #expect(try await store.claim(1, now: now).count == 1)
                now = now.addingTimeInterval(31)
                #expect(try await store.recoverExpiredLeases(now: now) == 1)
                let read = try #require(try await store.job(id: job.id))
                #expect(read.storedStatus == expected)
                #expect(read.error == "lease expired")
            }
            #expect(try await store.job(id: job.id)?.retries == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func idempotencyKeyReturnsExistingOrConflicts(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.enqueue([testJob(payload: #"{"a":1}"#, idempotencyKey: "k1")], now: testEpoch)
            guard case .created(let created) = first[0] else { Issue.record("not created"); return }
            let again = try await store.enqueue(
                [testJob(payload: #"{"a":1}"#, idempotencyKey: "k1"), testJob(payload: #"{"a":2}"#, idempotencyKey: "k1")], now: testEpoch)
            #expect(again[0] == .existing(created))
            #expect(again[1] == .conflict(key: "k1", existing: created))
            // Two new jobs with one key in one batch: the second sees the first.
            let pair = try await store.enqueue([testJob(idempotencyKey: "k2"), testJob(idempotencyKey: "k2")], now: testEpoch)
            guard case .created(let k2) = pair[0] else { Issue.record("not created"); return }
            #expect(pair[1] == .existing(k2))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retryAndCancelGuardTheirStates(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let dead = try await store.add(testJob(maxRetries: 0))
            let waiting = try await store.add(testJob(runAt: testEpoch.addingTimeInterval(300)))
            let claimed = try #require(try await store.claim(1).first)
            #expect(claimed.id == dead.id)
            try await store.finish(
                [Completion(token: LeaseToken(id: dead.id, attempt: 1), outcome: .deadLetter(error: "x"))], now: testEpoch)

            await #expect(throws: VesperError.self) { try await store.cancel(id: dead.id, now: testEpoch) }
            let retried = try await store.retry(id: dead.id, now: testEpoch.addingTimeInterval(1))
            #expect(retried.storedStatus == .pending)
            #expect(retried.retries == 0)
            #expect(retried.runAt == testEpoch.addingTimeInterval(1))

            let cancelled = try await store.cancel(id: waiting.id, now: testEpoch)
            #expect(cancelled.storedStatus == .cancelled)
            do {
                _ = try await store.retry(id: waiting.id, now: testEpoch)
                Issue.record("retrying a cancelled job must fail")
            } catch let error as VesperError {
                #expect(error.code == .invalidState)
            }
            do {
                _ = try await store.cancel(id: UUID(), now: testEpoch)
                Issue.record("cancelling an unknown job must fail")
            } catch let error as VesperError {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func cancelRacingClaimHasOneWinner(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let jobs = (0..<50).map { _ in testJob() }
            _ = try await store.enqueue(jobs, now: testEpoch)
            async let claimed = store.claim(50)
            let answered = await jobs.asyncCompactMap { job in try? await store.cancel(id: job.id, now: testEpoch) }
            let claimedIDs = Set(try await claimed.map(\.id))
            // A job the claim took first is only asked to stop (it is processing).
            let cancelled = answered.filter { $0.storedStatus == .cancelled }
            let requested = answered.filter { $0.storedStatus == .processing }
            #expect(requested.allSatisfy { $0.cancelRequested })
            #expect(Set(requested.map(\.id)).isSubset(of: claimedIDs))
            let cancelledIDs = Set(cancelled.map(\.id))
            #expect(claimedIDs.isDisjoint(with: cancelledIDs))
            #expect(claimedIDs.count + cancelledIDs.count == 50)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listsNewestFirstWithFiltersAndCursor(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for index in 0..<5 { try await store.add(testJob(index.isMultiple(of: 2) ? "even" : "odd")) }
            try await store.add(testJob("later", runAt: testEpoch.addingTimeInterval(60)))
            let all = try await store.listJobs(JobQuery(limit: 10, now: testEpoch))
            #expect(all.count == 6)
            #expect(all.map(\.sequence) == all.map(\.sequence).sorted(by: >))
            #expect(try await store.listJobs(JobQuery(status: .scheduled, now: testEpoch)).map(\.type) == ["later"])
            #expect(try await store.listJobs(JobQuery(status: .pending, now: testEpoch)).count == 5)
            #expect(try await store.listJobs(JobQuery(type: "even", now: testEpoch)).count == 3)
            let page1 = try await store.listJobs(JobQuery(limit: 4, now: testEpoch))
            let page2 = try await store.listJobs(JobQuery(limit: 4, before: page1.last?.sequence, now: testEpoch))
            #expect(page1.count == 4)
            #expect(page2.count == 2)
            #expect(Set(page1.map(\.id)).isDisjoint(with: page2.map(\.id)))
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }

    func asyncCompactMap<T>(_ transform: (Element) async -> T?) async -> [T] {
        var result: [T] = []
        for element in self { if let value = await transform(element) { result.append(value) } }
        return result
    }
}

/// `finishAndClaim`: the dispatcher's one-commit round.
@Suite("Store conformance: finish and claim")
struct FinishAndClaimConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func finishesTheBatchThenClaimsTheNextJobs(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var ids: [UUID] = []
            for priority in [9, 8, 7, 6] { ids.append(try await store.add(testJob("fc", priority: priority)).id) }
            let first = try await store.claim(2)
            #expect(first.map(\.id) == Array(ids.prefix(2)))
            let completions = [
                Completion(token: LeaseToken(id: first[0].id, attempt: first[0].attempt), outcome: .done),
                Completion(token: LeaseToken(id: first[1].id, attempt: first[1].attempt), outcome: .release),
                Completion(token: LeaseToken(id: ids[2], attempt: 7), outcome: .done),  // stale: never claimed
            ]
            let now = testEpoch.addingTimeInterval(5)
            let (finished, claimed) = try await store.finishAndClaim(
                completions, ClaimRequest(limit: 10, types: nil, workerID: "w2", leaseUntil: now.addingTimeInterval(30), now: now))
            #expect(finished == Set(completions.prefix(2).map(\.token)))  // not the stale one
            // The released job is claimable again in the same round, in priority order with the rest.
            #expect(claimed.map(\.id) == [ids[1], ids[2], ids[3]])
            #expect(claimed.allSatisfy { $0.workerID == "w2" && $0.storedStatus == .processing })
            let done = try #require(try await store.job(id: ids[0]))
            #expect(done.storedStatus == .done)
            #expect(done.finishedAt == now)
            #expect(try await store.job(id: ids[1])?.attempt == 2)
            #expect(try await store.job(id: ids[1])?.retries == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anEmptyRoundChangesNothing(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob("fc"))
            let (finished, claimed) = try await store.finishAndClaim(
                [], ClaimRequest(limit: 5, types: [], workerID: "w1", leaseUntil: testEpoch.addingTimeInterval(30), now: testEpoch))
            #expect(finished.isEmpty)
            #expect(claimed.isEmpty)
            #expect(try await store.job(id: job.id)?.storedStatus == .pending)
        }
    }
}

/// A claim builds part of each job it returns from the request (SQLite returns only the columns
/// it did not set); what it returns must be what the store holds.
@Suite("Store conformance: claimed jobs")
struct ClaimedJobConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func claimedJobsEqualWhatIsStored(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // Sub-microsecond parts, so any difference in rounding would show.
            let enqueuedAt = testEpoch.addingTimeInterval(0.000_000_4)
            try await store.add(testJob("a", priority: 5, payload: #"{"n":1}"#, idempotencyKey: "key-1"), now: enqueuedAt)
            let retried = try await store.add(testJob("b", priority: 9), now: enqueuedAt)
            let first = try await store.claim(1, now: enqueuedAt.addingTimeInterval(1))
            #expect(first.map(\.id) == [retried.id])
            try await store.finish(
                [Completion(token: LeaseToken(id: retried.id, attempt: 1), outcome: .retry(error: "try again", runAt: enqueuedAt))],
                now: enqueuedAt.addingTimeInterval(1))
            let now = testEpoch.addingTimeInterval(2.123_456_7)
            let claimed = try await store.claim(
                ClaimRequest(limit: 5, types: nil, workerID: "node-7", leaseUntil: now.addingTimeInterval(30.000_000_3), now: now))
            #expect(claimed.count == 2)
            for job in claimed {
                var stored = try #require(try await store.job(id: job.id))
                // A claim does not read the attempt history (only a single job's read does).
                #expect(stored.attempts?.count == job.attempt - 1)
                stored.attempts = nil
                #expect(job == stored)
            }
            #expect(claimed.first?.error == "try again")
            #expect(claimed.first?.retries == 1)
            #expect(claimed.last?.idempotencyKey == "key-1")
        }
    }
}
