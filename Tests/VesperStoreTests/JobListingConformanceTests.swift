import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Listing filters beyond status/type/queue: priority and a created-at range, with cursor paging.
@Suite("Job listing conformance")
struct JobListingConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func filtersByPriorityAndCreatedRange(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // Six jobs created a minute apart, priorities alternating 0 and 5, queues alternating.
            for index in 0..<6 {
                try await store.add(
                    testJob("t\(index)", priority: index.isMultiple(of: 2) ? 0 : 5, queue: index < 3 ? "default" : "critical"),
                    now: testEpoch.addingTimeInterval(Double(index) * 60))
            }
            let now = testEpoch.addingTimeInterval(3600)
            #expect(try await store.listJobs(JobQuery(priority: 5, now: now)).map(\.type) == ["t5", "t3", "t1"])
            #expect(try await store.listJobs(JobQuery(priority: 7, now: now)).isEmpty)
            // created_after is inclusive, created_before exclusive.
            let range = JobQuery(createdAfter: testEpoch.addingTimeInterval(60), createdBefore: testEpoch.addingTimeInterval(240), now: now)
            #expect(try await store.listJobs(range).map(\.type) == ["t3", "t2", "t1"])
            let combined = JobQuery(
                queue: "critical", priority: 5, createdAfter: testEpoch.addingTimeInterval(120), now: now)
            #expect(try await store.listJobs(combined).map(\.type) == ["t5", "t3"])
            // Paging with a filter keeps the filter on every page.
            var query = JobQuery(createdAfter: testEpoch.addingTimeInterval(60), limit: 2, now: now)
            let page1 = try await store.listJobs(query)
            query.before = page1.last?.sequence
            let page2 = try await store.listJobs(query)
            query.before = page2.last?.sequence
            let page3 = try await store.listJobs(query)
            #expect(page1.map(\.type) == ["t5", "t4"])
            #expect(page2.map(\.type) == ["t3", "t2"])
            #expect(page3.map(\.type) == ["t1"])
        }
    }
}
