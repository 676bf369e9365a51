/// A strict JSON reader for request bodies that keeps each top-level value's exact bytes.
///
/// Vesper stores a job's payload exactly as the producer wrote it, so the body is validated
/// (RFC 8259) and split into top-level members without building an object tree and re-encoding.
///
/// Whatever it accepts, Foundation's `JSONSerialization` accepts too (a fuzz target checks this,
/// see docs/DESIGN-NOTES.md "Fuzzing"), except numbers beyond `Double`'s range (`1e999`), which
/// are kept as written. It is stricter in places: no duplicate keys, no trailing commas, no
/// byte-order mark. Every string must be well-formed UTF-8 and every `\u` surrogate paired, so a
/// stored payload is valid text for both stores and reads back byte for byte.
struct JSONObjectScanner {
    /// One top-level member: its kind and its raw bytes.
    struct Value {
        enum Kind: Equatable { case object, array, string, number, bool, null }
        var kind: Kind
        var bytes: ArraySlice<UInt8>

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "malformed JSON at byte \(offset): \(reason)" }
    }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// Containers nested deeper than this are an error; the outermost object or array counts as
    /// one level, as in `JSONSerialization`, so both draw the line at the same place.
    static let maxDepth = 512

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a JSON object; members in document order (duplicate keys are an error).
    static func members(of bytes: [UInt8]) throws -> [(key: String, value: Value)] {
        var scanner = JSONObjectScanner(bytes)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw scanner.error(scanner.index < bytes.count ? "expected a JSON object" : "empty body")
        }
        let members = try scanner.topLevelObject()
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw scanner.error("unexpected data after the JSON object") }
        return members
    }

    /// Parses a JSON array of objects, each split into members (batch requests).
    static func arrayOfObjects(_ bytes: [UInt8]) throws -> [[(key: String, value: Value)]] {
        var scanner = JSONObjectScanner(bytes)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "[") else { throw scanner.error("expected a JSON array") }
        scanner.index += 1
        scanner.depth = 1
        var result: [[(key: String, value: Value)]] = []
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "]") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("expected a JSON object") }
                result.append(try scanner.topLevelObject())
                scanner.skipWhitespace()
                if scanner.consume(UInt8(ascii: ",")) { continue }
                guard scanner.consume(UInt8(ascii: "]")) else { throw scanner.error("expected ',' or ']'") }
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw scanner.error("unexpected data after the JSON array") }
        return result
    }

    /// Decodes a string member's text (escapes resolved).
    static func string(_ value: Value) throws -> String {
        var scanner = JSONObjectScanner(Array(value.bytes))
        return try scanner.decodeString()
    }

    // MARK: Grammar

    private mutating func topLevelObject() throws -> [(key: String, value: Value)] {
        depth += 1
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        defer { depth -= 1 }
        index += 1  // {
        var members: [(key: String, value: Value)] = []
        var seen = Set<String>()
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return members }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try decodeString()
            guard seen.insert(key).inserted else { throw error("duplicate key \"\(key)\"") }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw error("expected ':' after key \"\(key)\"") }
            skipWhitespace()
            let start = index
            let kind = try skipValue()
            members.append((key, Value(kind: kind, bytes: bytes[start..<index])))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "}")) else { throw error("expected ',' or '}'") }
            return members
        }
    }

    private mutating func skipValue() throws -> Value.Kind {
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"):
            try nested { scanner in
                scanner.skipWhitespace()
                if scanner.consume(UInt8(ascii: "}")) { return }
                while true {
                    scanner.skipWhitespace()
                    guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("expected a string key") }
                    try scanner.skipString()
                    scanner.skipWhitespace()
                    guard scanner.consume(UInt8(ascii: ":")) else { throw scanner.error("expected ':'") }
                    scanner.skipWhitespace()
                    _ = try scanner.skipValue()
                    scanner.skipWhitespace()
                    if scanner.consume(UInt8(ascii: ",")) { continue }
                    guard scanner.consume(UInt8(ascii: "}")) else { throw scanner.error("expected ',' or '}'") }
                    return
                }
            }
            return .object
        case UInt8(ascii: "["):
            try nested { scanner in
                scanner.skipWhitespace()
                if scanner.consume(UInt8(ascii: "]")) { return }
                while true {
                    scanner.skipWhitespace()
                    _ = try scanner.skipValue()
                    scanner.skipWhitespace()
                    if scanner.consume(UInt8(ascii: ",")) { continue }
                    guard scanner.consume(UInt8(ascii: "]")) else { throw scanner.error("expected ',' or ']'") }
                    return
                }
            }
            return .array
        case UInt8(ascii: "\""):
            try skipString()
            return .string
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
            return .number
        default:
            throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func nested(_ body: (inout JSONObjectScanner) throws -> Void) throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        index += 1
        try body(&self)
        depth -= 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    private mutating func skipNumber() throws {
        _ = consume(UInt8(ascii: "-"))
        guard let first = peek(), isDigit(first) else { throw error("invalid number") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if consume(UInt8(ascii: ".")) {
            guard let digit = peek(), isDigit(digit) else { throw error("invalid number") }
            skipDigits()
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), isDigit(digit) else { throw error("invalid number") }
            skipDigits()
        }
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipString() throws {
        index += 1  // opening quote
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = peek() else { throw error("unterminated string") }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    try skipUnicodeEscape()
                default:
                    throw error("invalid escape")
                }
            case 0..<0x20:
                throw error("control character in string")
            case 0x20..<0x80:
                index += 1
            default:
                try skipUTF8Sequence()
            }
        }
        throw error("unterminated string")
    }

    /// Skips the four hex digits after `\u`, and the low half when they are a high surrogate.
    /// An unpaired surrogate is no character: JSONSerialization rejects it, and it has no UTF-8 form.
    private mutating func skipUnicodeEscape() throws {
        let unit = try hex4()
        if (0xDC00..<0xE000).contains(unit) { throw error("unpaired surrogate in \\u escape") }
        if (0xD800..<0xDC00).contains(unit) {
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), (0xDC00..<0xE000).contains(try hex4()) else {
                throw error("unpaired surrogate in \\u escape")
            }
        }
    }

    /// Skips one multi-byte UTF-8 sequence starting at `index`, rejecting ill-formed ones
    /// (overlong forms, encoded surrogates, beyond U+10FFFF, truncated): the well-formed table of
    /// the Unicode standard, section 3.9.
    private mutating func skipUTF8Sequence() throws {
        let lead = bytes[index]
        let count: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: count = 2
        case 0xE0: count = 3; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: count = 3
        case 0xED: count = 3; second = 0x80...0x9F
        case 0xF0: count = 4; second = 0x90...0xBF
        case 0xF1...0xF3: count = 4
        case 0xF4: count = 4; second = 0x80...0x8F
        default: throw error("invalid UTF-8 in string")
        }
        guard index + count <= bytes.count, second.contains(bytes[index + 1]) else { throw error("invalid UTF-8 in string") }
        for offset in 2..<count where !(0x80...0xBF).contains(bytes[index + offset]) {
            throw error("invalid UTF-8 in string")
        }
        index += count
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Reads a string at `index`, resolving escapes. Invalid UTF-8 is an error.
    private mutating func decodeString() throws -> String {
        let start = index
        try skipString()
        let raw = bytes[(start + 1)..<(index - 1)]
        if !raw.contains(UInt8(ascii: "\\")) {
            guard let text = String(validating: raw, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
            return text
        }
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var cursor = JSONObjectScanner(Array(raw))
        while let byte = cursor.peek() {
            cursor.index += 1
            guard byte == UInt8(ascii: "\\"), let escaped = cursor.peek() else {
                output.append(byte)
                continue
            }
            cursor.index += 1
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try cursor.hex4()
                if (0xD800..<0xDC00).contains(scalar), cursor.consume(UInt8(ascii: "\\")), cursor.consume(UInt8(ascii: "u")) {
                    let low = try cursor.hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                output.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: output.append(escaped)
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
        return text
    }

    // MARK: Cursor

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private func error(_ reason: String) -> SyntaxError { SyntaxError(offset: index, reason: reason) }
}
