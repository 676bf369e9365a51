/// Builds JSON text directly: fast, and able to embed a job's payload verbatim.
struct JSONWriter {
    private(set) var output = ""
    private var needsComma: [Bool] = []

    init(capacity: Int = 256) {
        output.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        separator()
        output.append("{")
        needsComma.append(false)
    }

    mutating func endObject() {
        output.append("}")
        needsComma.removeLast()
    }

    mutating func beginArray(_ key: String) {
        self.key(key)
        output.append("[")
        needsComma.append(false)
    }

    mutating func beginArray() {
        separator()
        output.append("[")
        needsComma.append(false)
    }

    mutating func endArray() {
        output.append("]")
        needsComma.removeLast()
    }

    mutating func beginObject(_ key: String) {
        self.key(key)
        output.append("{")
        needsComma.append(false)
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

    private mutating func separator() {
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] { output.append(",") }
        needsComma[needsComma.count - 1] = true
    }

    static func appendQuoted(_ value: String, to output: inout String) {
        output.append("\"")
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
