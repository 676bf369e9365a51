/// Builds JSON text directly: fast, and able to embed a job's payload verbatim.
///
/// Every `POST /jobs` answer is written with it, so it avoids per-call allocations: open
/// containers are tracked as bits of an integer rather than an array, and strings that need no
/// escaping (nearly all of them) are appended whole instead of scalar by scalar.
struct JSONWriter {
    private(set) var output = ""
    /// One bit per open container, innermost lowest: set once it holds a member or element.
    private var commaBits: UInt64 = 0
    private var depth = 0

    init(capacity: Int = 256) {
        output.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        separator()
        output.append("{")
        push()
    }

    mutating func endObject() {
        output.append("}")
        pop()
    }

    mutating func beginArray(_ key: String) {
        self.key(key)
        output.append("[")
        push()
    }

    mutating func beginArray() {
        separator()
        output.append("[")
        push()
    }

    mutating func endArray() {
        output.append("]")
        pop()
    }

    mutating func beginObject(_ key: String) {
        self.key(key)
        output.append("{")
        push()
    }

    mutating func field(_ key: String, _ value: String) {
        self.key(key)
        Self.appendQuoted(value, to: &output)
    }

    mutating func field(_ key: String, _ value: String?) {
        guard let value else { return rawField(key, "null") }
        field(key, value)
    }

    mutating func field(_ key: String, _ value: Int) {
        rawField(key, String(value))
    }

    mutating func field(_ key: String, _ value: Double) {
        rawField(key, value.isFinite ? "\(value)" : "null")
    }

    mutating func field(_ key: String, _ value: Bool) {
        rawField(key, value ? "true" : "false")
    }

    /// Writes a string element of the current array.
    mutating func element(_ value: String) {
        separator()
        Self.appendQuoted(value, to: &output)
    }

    /// Writes `json`, which must already be valid JSON text, as the value of `key`.
    mutating func rawField(_ key: String, _ json: String) {
        self.key(key)
        output.append(json)
    }

    private mutating func key(_ key: String) {
        separator()
        Self.appendQuoted(key, to: &output)
        output.append(":")
    }

    private mutating func push() {
        precondition(depth < UInt64.bitWidth, "JSONWriter nests at most 64 containers")
        commaBits <<= 1
        depth += 1
    }

    private mutating func pop() {
        commaBits >>= 1
        depth -= 1
    }

    private mutating func separator() {
        guard depth > 0 else { return }
        if commaBits & 1 != 0 { output.append(",") }
        commaBits |= 1
    }

    static func appendQuoted(_ value: String, to output: inout String) {
        output.append("\"")
        if !value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
            output.append(value)
            output.append("\"")
            return
        }
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escape = nil
            }
            if let escape {
                output.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                output.append(escape)
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        output.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
        output.append("\"")
    }
}
