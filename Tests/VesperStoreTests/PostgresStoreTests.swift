import Foundation
import PostgresNIO
import Synchronization
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// What only the PostgreSQL store has to show: several nodes on one database.
@Suite("PostgreSQL store")
struct PostgresStoreTests {
    @Test func migrationsAreIdempotentAndSafeWhenNodesStartTogether() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            try await withRunningStores(4, settings) { stores in
                // Four nodes migrate a fresh database at once; the advisory lock serialises them.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for store in stores { group.addTask { try await store.migrate() } }
                    try await group.waitForAll()
                }
                try await stores[0].migrate()
                let versions = try await stores[0].client.query("SELECT version FROM vesper_migrations ORDER BY version")
                var applied: [Int] = []
                for try await version in versions.decode(Int.self) { applied.append(version) }
                #expect(applied == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
                try await stores[1].add(testJob())
                #expect(try await stores[2].listJobs(JobQuery(now: testEpoch)).count == 1)
            }
        }
    }

    @Test func enqueueOnOneNodeWakesTheListenerOnAnother() async throws {
        try await whileSecondNodeListens { stores, wakes in
            try await enqueue(on: stores[0], until: "a notification to wake the listener") { wakes.value > 0 }
        }
    }

    @Test func listenerReconnectsAfterItsConnectionIsKilled() async throws {
        try await whileSecondNodeListens { stores, wakes in
            try await enqueue(on: stores[0], until: "the first wake") { wakes.value > 0 }
            // Kill the listener's backend, as a server restart or a network cut would.
            try await stores[0].client.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vesper-listener' AND datname = current_database()"
            ).drainRows()
            let before = wakes.value
            try await enqueue(on: stores[0], until: "a wake after reconnecting") { wakes.value > before }
        }
    }

    /// Two nodes on a fresh database; `body` runs while the second listens for new jobs.
    private func whileSecondNodeListens(_ body: ([PostgresJobStore], WakeCounter) async throws -> Void) async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            try await withRunningStores(2, settings) { stores in
                try await stores[0].migrate()
                let wakes = WakeCounter()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await stores[1].listenForNewJobs { wakes.increment() }
                    }
                    try await body(stores, wakes)
                    group.cancelAll()
                }
            }
        }
    }

    /// LISTEN takes effect asynchronously: keep enqueueing until `condition` holds, so the test does
    /// not depend on how long the listener takes to (re)connect.
    private func enqueue(on store: PostgresJobStore, until description: String, _ condition: @escaping @Sendable () -> Bool) async throws {
        try await waitUntil(timeout: .seconds(30), every: .milliseconds(200), description) {
            try await store.add(testJob())
            return condition()
        }
    }

    @Test func concurrentClaimersOnTwoNodesNeverShareAJob() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            try await withRunningStores(2, settings) { stores in
                try await stores[0].migrate()
                var ids: [UUID] = []
                for _ in 0..<2 {
                    let batch = (0..<1_000).map { _ in testJob() }
                    ids += batch.map(\.id)
                    _ = try await stores[0].enqueue(batch, now: testEpoch)
                }
                let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                    for worker in 0..<8 {
                        let store = stores[worker % 2]
                        group.addTask {
                            var mine: [UUID] = []
                            while true {
                                let batch = try await store.claim(25, worker: "node\(worker % 2)-w\(worker)")
                                if batch.isEmpty { return mine }
                                mine += batch.map(\.id)
                            }
                        }
                    }
                    return try await group.reduce(into: [UUID]()) { $0 += $1 }
                }
                #expect(claimed.count == 2_000)
                #expect(Set(claimed) == Set(ids))
                let processing = try await stores[1].listJobs(JobQuery(status: .processing, limit: 5_000, now: testEpoch))
                #expect(processing.count == 2_000)
                #expect(processing.allSatisfy { $0.attempt == 1 })
            }
        }
    }

    @Test func driverErrorsBecomeUnavailableWithoutThePassword() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            var withPassword = settings
            withPassword.password = "hunter2-secret"  // the test server trusts local users and ignores it
            let store = try PostgresJobStore(settings: withPassword, logger: PostgresTestServer.logger)
            #expect(!store.displayName.contains("hunter2"))
            try await store.withRunning {
                // Not migrated: the server answers "relation \"jobs\" does not exist".
                do {
                    _ = try await store.job(id: UUID())
                    Issue.record("reading from an unmigrated database must fail")
                } catch let error as VesperError {
                    #expect(error.code == .unavailable)
                    #expect(error.message.contains("does not exist"))
                    #expect(!error.message.contains("hunter2"))
                }
            }
        }
    }
}

/// Runs `count` store instances (as separate nodes would) on one database for the duration of `body`.
func withRunningStores<T>(_ count: Int, _ settings: PostgresSettings, _ body: ([PostgresJobStore]) async throws -> T) async throws -> T {
    func nest(_ stores: [PostgresJobStore]) async throws -> T {
        if stores.count == count { return try await body(stores) }
        let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
        return try await store.withRunning { try await nest(stores + [store]) }
    }
    return try await nest([])
}

extension PostgresRowSequence {
    func drainRows() async throws {
        for try await _ in self {}
    }
}

/// Counts listener wake-ups across tasks.
final class WakeCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
