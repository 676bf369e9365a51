// The invariants `JSONObjectScanner` must keep, checked against Foundation's JSONSerialization.
//
// Shared by the in-process fuzz loop (JSONObjectScannerTests) and the libFuzzer target
// (Fuzz/JSONObjectScanner, built by scripts/fuzz-json-scanner.sh from this file, the scanner's
// source and an entry point, without the package: hence the conditional import).
import Foundation

#if canImport(VesperHTTP)
    @testable import VesperHTTP
#endif

enum JSONScannerOracle {
    /// Checks every invariant for `input`; returns what was violated, or nil.
    ///
    /// 1. Whatever the scanner accepts (`members(of:)`, `arrayOfObjects`), JSONSerialization
    ///    accepts too, as an object (or an array of objects). The one documented exception:
    ///    numbers out of `Double`'s range (`1e999`, 400 digits) that JSONSerialization cannot
    ///    represent and the scanner keeps as written; see ``normalizingNumbers(_:)``.
    /// 2. Each member's bytes are an exact, trimmed slice of the input, in document order, and
    ///    parse on their own to the same value JSONSerialization gives that key.
    /// 3. Keys are the same set, each once; string members decode to JSONSerialization's string.
    ///
    ///    Documented exception 2: JSONSerialization on Linux drops a raw U+FEFF (bytes EF BB BF)
    ///    inside strings, while the scanner keeps it (it is a character like any other), so strings
    ///    and keys are compared without U+FEFF.
    ///
    /// The scanner may reject what JSONSerialization accepts (it is stricter on purpose):
    /// duplicate keys (also keys that are equal as Swift strings, `"é"` and `"e\u0301"`), trailing
    /// commas, a byte-order mark, UTF-16/32 input, top-level scalars.
    static func violation(_ input: [UInt8]) -> String? {
        if let members = try? JSONObjectScanner.members(of: input) {
            if let problem = checkAccepted([members], input: input, isArray: false) { return "members(of:): \(problem)" }
        }
        if let objects = try? JSONObjectScanner.arrayOfObjects(input) {
            if let problem = checkAccepted(objects, input: input, isArray: true) { return "arrayOfObjects: \(problem)" }
        }
        return nil
    }

    private static func checkAccepted(
        _ objects: [[(key: String, value: JSONObjectScanner.Value)]], input: [UInt8], isArray: Bool
    ) -> String? {
        let reference: [[String: Any]]
        var compareValues = true
        if let parsed = parse(input, isArray: isArray) {
            reference = parsed
        } else if let parsed = parse(normalizingNumbers(input), isArray: isArray) {
            // Documented exception 1: out-of-range numbers. The structure is still checked.
            reference = parsed
            compareValues = false
        } else {
            return "scanner accepted input JSONSerialization rejects"
        }
        guard reference.count == objects.count else { return "\(objects.count) objects, JSONSerialization sees \(reference.count)" }
        var previousEnd = 0
        for (members, object) in zip(objects, reference) {
            guard Set(members.map(\.key)).count == members.count else { return "a key came back twice" }
            guard Set(members.map { withoutFEFF($0.key) }) == Set(object.keys.map(withoutFEFF)) else {
                return "keys \(members.map(\.key).sorted()) differ from JSONSerialization's \(object.keys.sorted())"
            }
            for (key, value) in members {
                let slice = value.bytes
                guard slice.startIndex >= previousEnd, slice.endIndex <= input.count, !slice.isEmpty else {
                    return "member \"\(key)\" bytes \(slice.startIndex)..<\(slice.endIndex) are not an ordered slice of the input"
                }
                guard Array(slice) == Array(input[slice.startIndex..<slice.endIndex]) else { return "member \"\(key)\" bytes differ from the input" }
                guard !isWhitespace(slice.first!), !isWhitespace(slice.last!) else { return "member \"\(key)\" bytes are not trimmed" }
                previousEnd = slice.endIndex
                guard compareValues else { continue }
                guard let alone = try? JSONSerialization.jsonObject(with: Data(slice), options: [.fragmentsAllowed]) else {
                    return "member \"\(key)\" bytes do not parse on their own"
                }
                guard let expected = object[key] ?? object.first(where: { withoutFEFF($0.key) == withoutFEFF(key) })?.value,
                    canonical(alone) == canonical(expected)
                else {
                    return "member \"\(key)\" value differs from JSONSerialization's"
                }
                guard kind(of: alone, firstByte: slice.first!) == value.kind else { return "member \"\(key)\" kind \(value.kind) is wrong" }
                if value.kind == .string {
                    guard let decoded = try? JSONObjectScanner.string(value), let reference = expected as? String,
                        withoutFEFF(decoded) == withoutFEFF(reference)
                    else {
                        let scalars = { (text: String?) in text.map { $0.unicodeScalars.map { String($0.value, radix: 16) } } ?? [] }
                        return "member \"\(key)\" string decodes to \(scalars(try? JSONObjectScanner.string(value))), "
                            + "JSONSerialization's is \(scalars(expected as? String))"
                    }
                }
            }
        }
        return nil
    }

    private static func parse(_ input: [UInt8], isArray: Bool) -> [[String: Any]]? {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(input)) else { return nil }
        if isArray { return parsed as? [[String: Any]] }
        return (parsed as? [String: Any]).map { [$0] }
    }

    /// The same document with every number kept in `Double`'s range, and valid exactly when the
    /// input is: outside strings, exponent digits become `0` and other digit runs are cut to 15.
    /// (A run that starts with `0` keeps a digit after it, so a leading zero stays an error.)
    static func normalizingNumbers(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        var inString = false
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        while index < input.count {
            let byte = input[index]
            if inString {
                output.append(byte)
                if byte == UInt8(ascii: "\\"), index + 1 < input.count {
                    output.append(input[index + 1])
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                output.append(byte)
                index += 1
            } else if isDigit(byte) {
                var end = index
                while end < input.count, isDigit(input[end]) { end += 1 }
                // A digit right after `e`, `E`, `e+` or `e-` starts an exponent (after the literals
                // `true`/`false` a digit is an error either way).
                func isE(_ byte: UInt8?) -> Bool { byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") }
                let previous = output.last
                let isSign = previous == UInt8(ascii: "+") || previous == UInt8(ascii: "-")
                let isExponent = isE(previous) || (isSign && output.count >= 2 && isE(output[output.count - 2]))
                if isExponent {
                    output.append(UInt8(ascii: "0"))
                } else {
                    output.append(contentsOf: input[index..<min(end, index + 15)])
                }
                index = end
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func withoutFEFF(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\u{FEFF}" }))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    /// The kind a JSONSerialization value has; its NSNumbers are told apart by the first byte.
    private static func kind(of value: Any, firstByte: UInt8) -> JSONObjectScanner.Value.Kind {
        switch value {
        case is [String: Any]: return .object
        case is [Any]: return .array
        case is String: return .string
        case is NSNull: return .null
        default: return firstByte == UInt8(ascii: "t") || firstByte == UInt8(ascii: "f") ? .bool : .number
        }
    }

    /// A comparable form of a JSONSerialization value: serialised with sorted keys.
    private static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed])
    }
}
