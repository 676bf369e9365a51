/// A strict JSON reader for request bodies that keeps each top-level value's exact bytes.
///
/// Vesper stores a job's payload exactly as the producer wrote it, so the body is validated
/// (RFC 8259) and split into top-level members without building an object tree and re-encoding.
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
    private static let maxDepth = 512

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
                    _ = try hex4()
                default:
                    throw error("invalid escape")
                }
            case 0..<0x20:
                throw error("control character in string")
            default:
                index += 1
            }
        }
        throw error("unterminated string")
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
