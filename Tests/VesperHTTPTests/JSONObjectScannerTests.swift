import Foundation
import Testing
import VesperTestSupport

@testable import VesperHTTP

@Suite("JSONObjectScanner")
struct JSONObjectScannerTests {
    /// A body and whether the scanner must accept it as an object.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var accepted: Bool
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ accepted: Bool) {
            self.init(name, Array(text.utf8), accepted)
        }

        init(_ name: String, _ bytes: [UInt8], _ accepted: Bool) {
            self.name = name
            self.bytes = bytes
            self.accepted = accepted
        }
    }

    static func nested(_ levels: Int) -> String {
        // The outer object is one level: `{"a":` + (levels - 1) arrays.
        "{\"a\":" + String(repeating: "[", count: levels - 1) + String(repeating: "]", count: levels - 1) + "}"
    }

    static let cases: [Case] = [
        Case("empty body", "", false),
        Case("whitespace only", " \t\r\n", false),
        Case("empty object", "{}", true),
        Case("object in whitespace", " \n{ }\t\r\n", true),
        Case("top-level array", "[]", false),
        Case("top-level string", "\"a\"", false),
        Case("depth at the limit", nested(JSONObjectScanner.maxDepth), true),
        Case("depth past the limit", nested(JSONObjectScanner.maxDepth + 1), false),
        Case("deep nesting, far past the limit", "{\"a\":" + String(repeating: "[", count: 100_000), false),
        Case("all simple escapes", #"{"a":"\"\\\/\b\f\n\r\t"}"#, true),
        Case("unknown escape", #"{"a":"\x41"}"#, false),
        Case(#"short \u escape"#, #"{"a":"\u41"}"#, false),
        Case(#"non-hex \u escape"#, #"{"a":"\u00G1"}"#, false),
        Case("surrogate pair", #"{"a":"\ud83d\ude00"}"#, true),
        Case("lone high surrogate", #"{"a":"\ud83d"}"#, false),
        Case("high surrogate then letter", #"{"a":"\ud83dx"}"#, false),
        Case("high surrogate then non-surrogate escape", #"{"a":"\ud83d\u0041"}"#, false),
        Case("high surrogate then simple escape", #"{"a":"\ud83d\n"}"#, false),
        Case("lone low surrogate", #"{"a":"\ude00"}"#, false),
        Case("lone surrogate in key", #"{"\ud800":1}"#, false),
        Case("escaped NUL", #"{"a":"\u0000","\u0000":1}"#, true),
        Case("raw NUL in string", Array(#"{"a":""#.utf8) + [0] + Array(#""}"#.utf8), false),
        Case("raw NUL after object", Array("{}".utf8) + [0], false),
        Case("raw control character", "{\"a\":\"\u{1F}\"}", false),
        Case("DEL is allowed", "{\"a\":\"\u{7F}\"}", true),
        Case("minus zero", #"{"a":-0}"#, true),
        Case("minus zero fraction", #"{"a":-0.0e+0}"#, true),
        Case("huge exponent, kept as written", #"{"a":1e999}"#, true),
        Case("leading zero", #"{"a":01}"#, false),
        Case("minus leading zero", #"{"a":-01}"#, false),
        Case("lone minus", #"{"a":-}"#, false),
        Case("plus sign", #"{"a":+1}"#, false),
        Case("bare fraction", #"{"a":.5}"#, false),
        Case("dot without digits", #"{"a":1.}"#, false),
        Case("exponent without digits", #"{"a":1e}"#, false),
        Case("exponent sign without digits", #"{"a":1e+}"#, false),
        Case("hex number", #"{"a":0x10}"#, false),
        Case("NaN", #"{"a":NaN}"#, false),
        Case("Infinity", #"{"a":Infinity}"#, false),
        Case("trailing comma in object", #"{"a":1,}"#, false),
        Case("trailing comma in array", #"{"a":[1,]}"#, false),
        Case("trailing comma in nested object", #"{"a":{"b":1,}}"#, false),
        Case("missing comma", #"{"a":1 "b":2}"#, false),
        Case("duplicate top-level key", #"{"a":1,"a":2}"#, false),
        Case("duplicate key through an escape", #"{"a":1,"\u0061":2}"#, false),
        Case("duplicate key in a nested object", #"{"a":{"b":1,"b":2}}"#, true),
        Case("single quotes", "{'a':1}", false),
        Case("unquoted key", "{a:1}", false),
        Case("comment", "{/* c */}", false),
        Case("truncated literal", #"{"a":tru}"#, false),
        Case("literal with tail", #"{"a":truex}"#, false),
        Case("capitalised literal", #"{"a":True}"#, false),
        Case("truncated object", #"{"a":1"#, false),
        Case("truncated string", #"{"a":"abc"#, false),
        Case("truncated escape", #"{"a":"\"#, false),
        Case("truncated key", #"{"a"#, false),
        Case("UTF-8 BOM", [0xEF, 0xBB, 0xBF] + Array("{}".utf8), false),
        Case("UTF-16 body", [0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], false),
        Case("trailing garbage", "{}x", false),
        Case("two objects", "{}{}", false),
        Case("valid multi-byte UTF-8", "{\"é😀\":\"ß中𝄞\"}", true),
        Case("invalid UTF-8 byte in value", Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8), false),
        Case("invalid UTF-8 byte in key", Array(#"{""#.utf8) + [0xFE] + Array(#"":1}"#.utf8), false),
        Case("lone continuation byte", Array(#"{"a":""#.utf8) + [0x80] + Array(#""}"#.utf8), false),
        Case("overlong slash", Array(#"{"a":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), false),
        Case("overlong three bytes", Array(#"{"a":""#.utf8) + [0xE0, 0x80, 0xAF] + Array(#""}"#.utf8), false),
        Case("UTF-8 encoded surrogate", Array(#"{"a":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), false),
        Case("beyond U+10FFFF", Array(#"{"a":""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), false),
        Case("truncated sequence before the quote", Array(#"{"a":""#.utf8) + [0xE2, 0x82] + Array(#""}"#.utf8), false),
        Case("truncated sequence at the end", Array(#"{"a":""#.utf8) + [0xF0, 0x9F], false),
        Case("invalid UTF-8 in nested array", Array(#"{"a":[""#.utf8) + [0xC3] + Array(#""]}"#.utf8), false),
        Case("invalid UTF-8 outside strings", Array(#"{"a":"#.utf8) + [0xC3, 0xA9] + Array("}".utf8), false),
    ]

    @Test(arguments: cases)
    func edgeCase(_ testCase: Case) throws {
        let members = try? JSONObjectScanner.members(of: testCase.bytes)
        #expect((members != nil) == testCase.accepted)
        // Whatever happens, the invariants against JSONSerialization hold.
        #expect(JSONScannerOracle.violation(testCase.bytes) == nil)
    }

    @Test func payloadBytesAreKeptExactly() throws {
        let payload = #"{ "b" : [1, 2.50, -0, 1e999, "\u00e9"] ,"c":{}}"#
        let body = Array(#"{"type":"x",   "payload":  "#.utf8) + Array(payload.utf8) + Array("\n}".utf8)
        let members = try JSONObjectScanner.members(of: body)
        #expect(members.map(\.key) == ["type", "payload"])
        #expect(members[1].value.kind == .object)
        #expect(members[1].value.text == payload)
        #expect(try JSONObjectScanner.string(members[0].value) == "x")
    }

    @Test func batchArrayCountsItsOwnLevel() throws {
        let deepest = JSONObjectScanner.maxDepth - 2  // the array and each object are one level each
        let inner = String(repeating: "[", count: deepest) + String(repeating: "]", count: deepest)
        #expect(try JSONObjectScanner.arrayOfObjects(Array("[{\"a\":\(inner)}]".utf8)).count == 1)
        #expect(throws: JSONObjectScanner.SyntaxError.self) {
            try JSONObjectScanner.arrayOfObjects(Array("[{\"a\":[\(inner)]}]".utf8))
        }
        #expect(throws: JSONObjectScanner.SyntaxError.self) { try JSONObjectScanner.arrayOfObjects(Array("[{},]".utf8)) }
    }

    @Test func decodesEscapedKeysAndStrings() throws {
        let members = try JSONObjectScanner.members(of: Array(#"{"k\u00e9\ud83d\ude00":"a\tb\u0000c"}"#.utf8))
        #expect(members[0].key == "ké😀")
        #expect(try JSONObjectScanner.string(members[0].value) == "a\tb\u{0}c")
    }

    // MARK: In-process fuzzing

    /// Random and mutated bodies: the scanner never crashes, never accepts what JSONSerialization
    /// rejects, and keeps every accepted member's bytes. `VESPER_FUZZ_SEED` replays a run.
    @Test func randomAndMutatedInputsKeepTheInvariants() throws {
        let seed = SeededRandom.seedFromEnvironment()
        print("JSONObjectScanner fuzz loop: seed \(seed) (replay with VESPER_FUZZ_SEED=\(seed))")
        var random = SeededRandom(seed: seed)
        var accepted = 0
        for iteration in 0..<20_000 {
            let valid = Array(JSONGenerator.object(depth: 0, random: &random).utf8)
            let input = iteration % 4 == 0 ? valid : JSONGenerator.mutate(valid, random: &random)
            if let problem = JSONScannerOracle.violation(input) {
                Issue.record("seed \(seed) iteration \(iteration): \(problem)\ninput: \(escapedBytes(input))")
                return
            }
            if iteration % 4 == 0 {
                // Generated objects are valid JSON without duplicate keys: all must be accepted.
                #expect(throws: Never.self, "seed \(seed): \(escapedBytes(input))") { try JSONObjectScanner.members(of: input) }
            }
            if (try? JSONObjectScanner.members(of: input)) != nil { accepted += 1 }
        }
        #expect(accepted > 5_000, "the generator should mostly produce accepted bodies")
    }
}

/// Random valid JSON objects and byte-level mutations of them.
enum JSONGenerator {
    static func object(depth: Int, random: inout SeededRandom) -> String {
        let count = Int.random(in: 0...(depth > 3 ? 1 : 5), using: &random)
        var keys = Set<String>()
        var members: [String] = []
        for _ in 0..<count {
            let key = string(random: &random)
            guard keys.insert(key).inserted else { continue }
            members.append(quoted(key) + ws(&random) + ":" + ws(&random) + value(depth: depth + 1, random: &random))
        }
        return "{" + ws(&random) + members.joined(separator: ws(&random) + "," + ws(&random)) + ws(&random) + "}"
    }

    static func value(depth: Int, random: inout SeededRandom) -> String {
        let choice = Int.random(in: 0..<(depth > 4 ? 5 : 7), using: &random)
        switch choice {
        case 0: return quoted(string(random: &random))
        case 1: return number(random: &random)
        case 2: return ["true", "false", "null"].randomElement(using: &random)!
        case 3: return escapedString(random: &random)
        case 4: return number(random: &random)
        case 5: return object(depth: depth, random: &random)
        default:
            let count = Int.random(in: 0...4, using: &random)
            return "[" + (0..<count).map { _ in value(depth: depth + 1, random: &random) }.joined(separator: ",") + "]"
        }
    }

    static func string(random: inout SeededRandom) -> String {
        let alphabet: [String] = ["a", "b", "type", "payload", "é", "😀", " ", "中", "\u{7F}", "x", "0"]
        return (0..<Int.random(in: 0...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
    }

    static func escapedString(random: inout SeededRandom) -> String {
        let pieces = [#"\n"#, #"\""#, #"\\"#, #"\/"#, #"\u0000"#, #"\u00e9"#, #"\ud83d\ude00"#, #"\uFFFF"#, "a", #"\t"#]
        return "\"" + (0..<Int.random(in: 1...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() + "\""
    }

    static func number(random: inout SeededRandom) -> String {
        [
            "0", "-0", "1", "-1", "42", "3.25", "-0.5", "1e10", "1E-7", "2.5e+3", "9007199254740993", "-9223372036854775809",
            "1e308", "123456789012345678901234567890", "0.000001",
        ].randomElement(using: &random)!
    }

    static func ws(_ random: inout SeededRandom) -> String {
        [" ", "", "", "", "\n", "\t", "\r\n "].randomElement(using: &random)!
    }

    static func quoted(_ text: String) -> String { "\"" + text + "\"" }

    /// Tokens and bytes that tend to break parsers.
    static let interesting: [[UInt8]] = [
        [0], [0xFF], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF], [0xE2, 0x82],
        Array(#"\ud800"#.utf8), Array(#"\udc00"#.utf8), Array(#"\u"#.utf8), Array(#"\"#.utf8), Array("\"".utf8),
        Array("{".utf8), Array("}".utf8), Array("[".utf8), Array("]".utf8), Array(",".utf8), Array(":".utf8),
        Array("1e999".utf8), Array("-".utf8), Array("01".utf8), Array(".".utf8), Array("e".utf8), Array("true".utf8),
        Array("nul".utf8), Array(#""a":1,"#.utf8), Array(String(repeating: "[", count: 600).utf8), [0x1F], [0x7F],
    ]

    static func mutate(_ input: [UInt8], random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: interesting.randomElement(using: &random)!, at: position)
            case 2 where position < bytes.count:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &random)))
            case 3: bytes = Array(bytes[..<position])
            case 4 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &random))
            default:
                if position < bytes.count { bytes[position] = interesting.randomElement(using: &random)!.first ?? 0 }
            }
        }
        return bytes
    }
}
