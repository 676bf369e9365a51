import Foundation

/// A canonical text for a JSON value, so that two payloads that mean the same thing share a
/// unique key: object members sorted by key (UTF-8 byte order), no whitespace, strings written
/// with the shortest escapes. Numbers keep their text as written (`1` and `1.0` differ), which is
/// what makes the form stable: no float formatting is involved.
public enum CanonicalJSON {
    /// The canonical text of `json`, or `nil` when it is not one JSON value.
    public static func text(_ json: String) -> String? {
        var parser = Parser(bytes: Array(json.utf8))
        guard let value = parser.parseDocument() else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(json.utf8.count)
        value.write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// 128 bits of FNV-1a (two differently seeded 64-bit passes) as 32 lowercase hex digits.
    /// Not cryptographic: a producer that wants a guarantee names its own key.
    public static func digest(_ text: String) -> String {
        var first = FNV1a64()
        var second = FNV1a64(seed: 0x6c62_272e_07bb_0142)
        for byte in text.utf8 {
            first.combine(byte)
            second.combine(byte)
        }
        return first.hexDigest + second.hexDigest
    }

    indirect enum Value {
        case literal([UInt8])
        case string([UInt8])
        case array([Value])
        case object([(key: [UInt8], value: Value)])

        func write(to output: inout [UInt8]) {
            switch self {
            case .literal(let bytes): output += bytes
            case .string(let bytes): Self.writeString(bytes, to: &output)
            case .array(let values):
                output.append(UInt8(ascii: "["))
                for (index, value) in values.enumerated() {
                    if index > 0 { output.append(UInt8(ascii: ",")) }
                    value.write(to: &output)
                }
                output.append(UInt8(ascii: "]"))
            case .object(let members):
                output.append(UInt8(ascii: "{"))
                let sorted = members.enumerated().sorted { lhs, rhs in
                    lhs.element.key.lexicographicallyPrecedes(rhs.element.key) || (lhs.element.key == rhs.element.key && lhs.offset < rhs.offset)
                }
                for (index, member) in sorted.enumerated() {
                    if index > 0 { output.append(UInt8(ascii: ",")) }
                    Self.writeString(member.element.key, to: &output)
                    output.append(UInt8(ascii: ":"))
                    member.element.value.write(to: &output)
                }
                output.append(UInt8(ascii: "}"))
            }
        }

        /// Decoded UTF-8 bytes as a JSON string: `"` `\` and control characters escaped, nothing else.
        static func writeString(_ bytes: [UInt8], to output: inout [UInt8]) {
            output.append(UInt8(ascii: "\""))
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                default: output.append(byte)
                }
            }
            output.append(UInt8(ascii: "\""))
        }
    }

    /// A small recursive-descent JSON parser (RFC 8259), depth-limited.
    struct Parser {
        let bytes: [UInt8]
        var index = 0
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func parseDocument() -> Value? {
            guard let value = parseValue() else { return nil }
            skipWhitespace()
            return index == bytes.count ? value : nil
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func parseValue() -> Value? {
            skipWhitespace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"): return nested { $0.parseObject() }
            case UInt8(ascii: "["): return nested { $0.parseArray() }
            case UInt8(ascii: "\""): return parseString().map(Value.string)
            default: return parseLiteral()
            }
        }

        mutating func nested(_ body: (inout Parser) -> Value?) -> Value? {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 512 else { return nil }
            return body(&self)
        }

        mutating func parseObject() -> Value? {
            index += 1
            var members: [(key: [UInt8], value: Value)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = parseString() else { return nil }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let value = parseValue() else { return nil }
                members.append((key, value))
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    return nil
                }
            }
        }

        mutating func parseArray() -> Value? {
            index += 1
            var values: [Value] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            while true {
                guard let value = parseValue() else { return nil }
                values.append(value)
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(values)
                } else {
                    return nil
                }
            }
        }

        /// A number, `true`, `false` or `null`, kept as written.
        mutating func parseLiteral() -> Value? {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                let isPart =
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "E")
                guard isPart else { break }
                index += 1
            }
            let text = Array(bytes[start..<index])
            if text == Array("true".utf8) || text == Array("false".utf8) || text == Array("null".utf8) { return .literal(text) }
            guard let first = text.first, first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
                Double(String(decoding: text, as: UTF8.self)) != nil
            else { return nil }
            return .literal(text)
        }

        /// A string's decoded UTF-8 bytes; the cursor is on its opening quote.
        mutating func parseString() -> [UInt8]? {
            index += 1
            var output: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return output
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
                    case UInt8(ascii: "b"): output.append(0x08)
                    case UInt8(ascii: "f"): output.append(0x0C)
                    case UInt8(ascii: "n"): output.append(0x0A)
                    case UInt8(ascii: "r"): output.append(0x0D)
                    case UInt8(ascii: "t"): output.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                return nil
                            }
                            index += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        output += Array(String(Character(unicode)).utf8)
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: output.append(byte)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                return nil
            }
            index += 4
            return value
        }
    }
}
