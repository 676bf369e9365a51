import Foundation
import Testing
import VesperCore
import VesperSQLite
import VesperTestSupport

/// Guarantees that hold when processes die: nothing acknowledged is lost, nothing stays
/// `processing` forever, and an interrupted job runs exactly once more.
@Suite("Crash and shutdown recovery", .serialized)
struct CrashRecoveryTests {
    @Test func killDashNineThenRestartFinishesEveryJob() async throws {
        try await withTemporaryDirectory { directory in
            // Node reaping would release the jobs too; a long NODE_TIMEOUT leaves lease expiry alone on
            // trial here (the fleet tests cover reaping).
            let environment = [
                "WORKERS": "4", "LEASE_DURATION": "2s", "HEARTBEAT_INTERVAL": "500ms", "NODE_TIMEOUT": "10m", "POLL_INTERVAL": "100ms",
            ]
            let first = try await VesperProcess(environment: environment, directory: directory.path)
            defer { first.stop() }
            let node = Node(baseURL: first.baseURL)
            var ids: [UUID] = []
            for _ in 0..<8 { ids.append(try await node.submit(#"{"type":"demo.sleep","payload":{"ms":3000}}"#)) }

            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            defer { Task { try? await store.close() } }
            try await waitUntil("four jobs to be running") {
                try await store.listJobs(JobQuery(status: .processing, now: Date())).count == 4
            }
            first.send(SIGKILL)
            try await first.waitForExit()
            // Read once the node is dead, so no job can finish between this read and the kill.
            let interrupted = Set(try await store.listJobs(JobQuery(status: .processing, now: Date())).map(\.id))
            #expect(!interrupted.isEmpty)

            let second = try await VesperProcess(environment: environment, directory: directory.path)
            defer { second.stop() }
            try await waitUntil(timeout: .seconds(90), "every job to be done") {
                try await ids.asyncAllSatisfy { try await store.job(id: $0)?.storedStatus == .done }
            }
            for id in ids {
                let job = try #require(try await store.job(id: id))
                if interrupted.contains(id) {
                    #expect(job.attempt == 2, "an interrupted job runs exactly once more")
                    #expect(job.retries == 1, "the expired lease counted as a failed attempt")
                    #expect(job.error == "", "a done job carries no error from an earlier attempt")
                } else {
                    #expect(job.attempt == 1)
                    #expect(job.retries == 0)
                }
            }
            #expect(try await store.listJobs(JobQuery(status: .processing, now: Date())).isEmpty)
            second.send(SIGTERM)
            #expect(try await second.waitForExit() == 0)
        }
    }

    @Test func sigtermDuringLoadDrainsAndReleasesTheRest() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(
                environment: ["WORKERS": "5", "SHUTDOWN_TIMEOUT": "1s"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            var ids: [UUID] = []
            for _ in 0..<2 { ids.append(try await node.submit(#"{"type":"demo.sleep","priority":10,"payload":{"ms":60000}}"#)) }
            for _ in 0..<30 { ids.append(try await node.submit(#"{"type":"demo.sleep","payload":{"ms":200}}"#)) }

            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            defer { Task { try? await store.close() } }
            try await waitUntil("some short jobs to finish") {
                try await store.listJobs(JobQuery(status: .done, now: Date())).count >= 3
            }
            vesper.send(SIGTERM)
            #expect(try await vesper.waitForExit(timeout: .seconds(30)) == 0)

            let jobs = try await ids.asyncMap { try #require(try await store.job(id: $0)) }
            #expect(jobs.count == 32, "nothing acknowledged is lost")
            #expect(jobs.allSatisfy { $0.storedStatus == .done || $0.storedStatus == .pending })
            // The two long jobs outlived the shutdown timeout: released, not counted as failures.
            for job in jobs.prefix(2) {
                #expect(job.storedStatus == .pending)
                #expect(job.retries == 0)
                #expect(job.workerID == nil)
            }
        }
    }
}

extension Array {
    func asyncAllSatisfy(_ predicate: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where try await !predicate(element) { return false }
        return true
    }

    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
