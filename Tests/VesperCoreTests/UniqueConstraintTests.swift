import Foundation
import Testing
import VesperCore

@Suite("Unique constraints")
struct UniqueConstraintTests {
    @Test(arguments: [
        (#"{"b":2,"a":1}"#, #"{"a":1,"b":2}"#),
        (" { \"a\" : [ 1 , true , null , \"x\" ] } ", #"{"a":[1,true,null,"x"]}"#),
        (#"{"k":"\u00e9\/\n"}"#, "{\"k\":\"é/\\u000a\"}"),
        (#"{"z":{"y":1,"x":{}},"a":[]}"#, #"{"a":[],"z":{"x":{},"y":1}}"#),
        (#""😀""#, #""😀""#),
        (#""\ud83d\ude00""#, #""😀""#),
        ("1.50", "1.50"),
    ])
    func canonicalTextSortsMembersAndDropsWhitespace(input: String, canonical: String) {
        #expect(CanonicalJSON.text(input) == canonical)
    }

    @Test(arguments: ["", "{", #"{"a":}"#, "[1,]", "tru", #""\ud800""#, "01x", "{} {}"])
    func notJSONHasNoCanonicalText(input: String) {
        #expect(CanonicalJSON.text(input) == nil)
    }

    /// The default key is compared across nodes and versions: its digest must never change.
    @Test func defaultKeyIsStable() {
        #expect(UniqueConstraint.defaultKey(type: "sync", payloadJSON: #"{"account":42}"#) == "sync:" + CanonicalJSON.digest(#"{"account":42}"#))
        #expect(CanonicalJSON.digest(#"{"account":42}"#) == "536597089ab8451c01734a60708e39ef")
        #expect(
            UniqueConstraint.defaultKey(type: "sync", payloadJSON: #"{ "b": 1, "a": 2 }"#)
                == UniqueConstraint.defaultKey(type: "sync", payloadJSON: #"{"a":2,"b":1}"#))
        #expect(UniqueConstraint.defaultKey(type: "a", payloadJSON: "{}") != UniqueConstraint.defaultKey(type: "b", payloadJSON: "{}"))
    }

    @Test func heldOnlyInTheStatesAndWithinThePeriod() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let unique = UniqueConstraint(key: "k", period: .seconds(60))
        #expect(unique.isHeld(by: .pending, runAt: now, createdAt: now.addingTimeInterval(-59), now: now))
        #expect(!unique.isHeld(by: .pending, runAt: now, createdAt: now.addingTimeInterval(-60), now: now))
        #expect(unique.isHeld(by: .processing, runAt: now, createdAt: now, now: now))
        #expect(!unique.isHeld(by: .done, runAt: now, createdAt: now, now: now))
        // A pending job not yet due is `scheduled`.
        let pendingOnly = UniqueConstraint(key: "k", states: [.pending])
        #expect(!pendingOnly.isHeld(by: .pending, runAt: now.addingTimeInterval(1), createdAt: now, now: now))
        #expect(pendingOnly.isHeld(by: .pending, runAt: now, createdAt: .distantPast, now: now))
    }

    @Test func validationNamesTheField() {
        func field(_ unique: UniqueConstraint) -> String? {
            var job = NewJob(type: "t", maxRetries: 0, timeoutSeconds: 1)
            job.unique = unique
            do {
                try job.validate()
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field(UniqueConstraint(key: "")) == "unique.key")
        #expect(field(UniqueConstraint(key: String(repeating: "k", count: 256))) == "unique.key")
        #expect(field(UniqueConstraint(key: String(repeating: "k", count: 255))) == nil)
        #expect(field(UniqueConstraint(key: "k", period: .zero)) == "unique.for")
        #expect(field(UniqueConstraint(key: "k", states: [])) == "unique.states")
    }
}
