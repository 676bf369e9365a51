/// Checks that a text is exactly one JSON value, with the API's own strict reader, for clients
/// (the CLI) that place a user's JSON into a request body and must not let it add fields.
public enum JSONValueCheck {
    /// Where and why `text` is not exactly one JSON value, or `nil` when it is. The offset counts
    /// bytes of `text` itself.
    public static func problem(in text: String) -> (offset: Int, reason: String)? {
        // The reader parses objects; a one-member object around the value reuses it exactly.
        let prefix = Array(#"{"v":"#.utf8)
        let bytes = prefix + Array(text.utf8) + [UInt8(ascii: "}")]
        do {
            let members = try JSONObjectScanner.members(of: bytes)
            guard members.count == 1, let value = members.first?.value else {
                let end = members.first?.value.bytes.endIndex ?? prefix.count
                return (max(0, end - prefix.count), "unexpected text after the JSON value")
            }
            _ = value
            return nil
        } catch let error as JSONObjectScanner.SyntaxError {
            return (min(max(0, error.offset - prefix.count), text.utf8.count), error.reason)
        } catch {
            return (0, "\(error)")
        }
    }
}
