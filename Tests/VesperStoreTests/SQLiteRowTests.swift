import Foundation
import Testing

@testable import VesperSQLite

/// The stored text form of job ids, written and parsed by hand on the hot path.
@Suite("SQLite id text")
struct SQLiteRowTests {
    @Test func idsRoundTripThroughTheirStoredText() {
        for _ in 0..<1_000 {
            let id = UUID()
            let text = SQLiteRow.id(id)
            #expect(text == id.uuidString.lowercased())
            #expect(SQLiteRow.uuid(text) == id)
            #expect(SQLiteRow.uuid(id.uuidString) == id)
        }
    }

    @Test func malformedTextIsRejected() {
        let good = "01a228b7-598e-7ee6-ab74-303cb5090abd"
        #expect(SQLiteRow.uuid(good) != nil)
        #expect(SQLiteRow.uuid(String(good.dropLast())) == nil)
        #expect(SQLiteRow.uuid(good + "0") == nil)
        #expect(SQLiteRow.uuid(good.replacingOccurrences(of: "-", with: "x")) == nil)
        #expect(SQLiteRow.uuid("01a228b7-598e-7ee6-ab74-303cb5090abg") == nil)
        #expect(SQLiteRow.uuid("01a228b7598e-7ee6-ab74-303cb5090abd-") == nil)
        #expect(SQLiteRow.uuid("") == nil)
    }
}
