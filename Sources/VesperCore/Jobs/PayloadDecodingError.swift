import Foundation

/// A payload that does not decode as its ``VesperJob`` type. The attempt fails permanently (no
/// retry can fix the payload) with this text, which names the field: `payload does not decode as
/// SendEmail: field "to" is missing`.
enum PayloadDecodingError {
    /// Decodes `payload` as `J`, turning a decoding error into a permanent ``JobError``.
    static func decode<J: Decodable>(_ type: J.Type, from payload: String, decoder: JSONDecoder) throws -> J {
        do {
            return try decoder.decode(J.self, from: Data(payload.utf8))
        } catch let error as DecodingError {
            throw JobError.permanent("payload does not decode as \(J.self): \(describe(error))")
        }
    }

    /// The field and what is wrong with it, in words.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "field \(path(context.codingPath + [key])) is missing"
        case .valueNotFound(let type, let context):
            return "field \(path(context.codingPath)) is null, expected \(type)"
        case .typeMismatch(let type, let context):
            return "field \(path(context.codingPath)) is not \(article(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "field \(path(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// `"to"`, `"items[2].sku"`; the payload itself is `(payload)`.
    static func path(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "(payload)" }
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return "\"\(text)\""
    }

    private static func article(_ type: Any.Type) -> String {
        let name = "\(type)"
        switch name {
        case "Dictionary<String, Any>": return "an object"
        case "Array<Any>": return "an array"
        default: return "a\("AEIOU".contains(name.first ?? "x") ? "n" : "") \(name)"
        }
    }
}
