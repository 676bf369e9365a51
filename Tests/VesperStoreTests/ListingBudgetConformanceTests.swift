import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// A page stops before its payloads add up to more than the query's budget, so one request cannot
/// make a node read `limit` of the largest payloads into memory.
@Suite("Listing payload budget conformance")
struct ListingBudgetConformanceTests {
    /// A JSON string payload of exactly `bytes` bytes.
    static func payload(bytes: Int) -> String {
        "\"" + String(repeating: "p", count: bytes - 2) + "\""
    }

    @Test(arguments: StoreKind.allCases)
    func pagesStopAtTheBudgetAndCoverEveryJobOnce(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // Ten jobs of 1,000 payload bytes, newest first: j9 ... j0.
            for index in 0..<10 {
                try await store.add(testJob("j\(index)", payload: Self.payload(bytes: 1000)))
            }
            var query = JobQuery(limit: 1000, now: testEpoch)
            query.payloadBudget = 2500
            var seen: [String] = []
            var pages: [[String]] = []
            while true {
                let page = try await store.listJobs(query)
                pages.append(page.map(\.type))
                seen += page.map(\.type)
                guard query.hasMore(after: page) else { break }
                query.before = page.last?.sequence
            }
            // Earlier payloads of 0, 1,000 and 2,000 bytes stay under 2,500: three jobs a page.
            #expect(pages == [["j9", "j8", "j7"], ["j6", "j5", "j4"], ["j3", "j2", "j1"], ["j0"]])
            #expect(seen == (0..<10).reversed().map { "j\($0)" })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aJobLargerThanTheBudgetStillComesAlone(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.add(testJob("small", payload: Self.payload(bytes: 10)))
            try await store.add(testJob("large", payload: Self.payload(bytes: 5000)))
            var query = JobQuery(limit: 50, now: testEpoch)
            query.payloadBudget = 1000
            let first = try await store.listJobs(query)
            #expect(first.map(\.type) == ["large"])
            #expect(first.first?.payload.utf8.count == 5000)
            #expect(query.hasMore(after: first))
            query.before = first.last?.sequence
            let second = try await store.listJobs(query)
            #expect(second.map(\.type) == ["small"])
            #expect(!query.hasMore(after: second))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func budgetCountsBytesNotCharacters(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // "é" is two bytes: each payload is 2 + 2 * 300 = 602 bytes but 302 characters.
            for index in 0..<3 {
                try await store.add(testJob("u\(index)", payload: "\"" + String(repeating: "é", count: 300) + "\""))
            }
            var query = JobQuery(limit: 50, now: testEpoch)
            query.payloadBudget = 700
            #expect(try await store.listJobs(query).map(\.type) == ["u2", "u1"])
        }
    }
}
