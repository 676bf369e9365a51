import Foundation

/// `application/x-www-form-urlencoded` fields (a form's body or a URL's query): `+` is a space,
/// `%XX` a byte; a repeated name keeps its last value.
struct FormData: Sendable {
    private(set) var fields: [String: String] = [:]

    init(_ fields: [String: String] = [:]) {
        self.fields = fields
    }

    init(encoded text: Substring) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty else { continue }
            fields[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    subscript(name: String) -> String? {
        get { fields[name] }
        set { fields[name] = newValue }
    }

    /// The value with surrounding whitespace removed, or `nil` when absent or empty.
    func value(_ name: String) -> String? {
        guard let text = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Percent-encodes a value for a query string.
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// Encodes `fields` (in the given order) as a query string, skipping empty values.
    static func query(_ fields: [(String, String?)]) -> String {
        fields.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return name + "=" + encode(value)
        }.joined(separator: "&")
    }
}
