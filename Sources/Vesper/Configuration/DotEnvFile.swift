/// A `.env` file read the way common dotenv loaders read it.
///
/// Each line is `NAME=value`, optionally after `export `. Blank lines and lines starting with `#`
/// are skipped. A value in double quotes may use `\n`, `\t`, `\"` and `\\`; one in single quotes
/// is taken literally; either may be followed by a `# comment`. An unquoted value ends at a `#`
/// that follows white space, and is trimmed. So `WORKERS="9"` is `9` and `DB_PATH=x.db # the db`
/// is `x.db`.
struct DotEnvFile: Equatable {
    struct Entry: Equatable {
        var name: String
        var value: String
        /// 1-based, for messages.
        var line: Int
    }

    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { ".env line \(line): \(reason)" }
    }

    var entries: [Entry]

    /// The last value given for each name (a later line wins, as in a shell).
    var values: [String: String] { Dictionary(entries.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }) }

    /// The line that set `name` last.
    func line(of name: String) -> Int? { entries.last { $0.name == name }?.line }

    init(parsing text: String) throws(SyntaxError) {
        var entries: [Entry] = []
        // `\r\n` is one Character in Swift, a newline like `\n`.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            var line = rawLine
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") { line = line.dropFirst(7).drop { $0 == " " || $0 == "\t" } }
            guard let equals = line.firstIndex(of: "=") else {
                throw SyntaxError(line: number, reason: "expected NAME=value")
            }
            let name = String(line[..<equals]).trimmingCharacters(in: [" ", "\t"])
            guard let first = name.first, first == "_" || first.isLetter, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
            else {
                throw SyntaxError(line: number, reason: "'\(name)' is not a variable name")
            }
            let value = try Self.value(line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }, line: number)
            entries.append(Entry(name: name, value: value, line: number))
        }
        self.entries = entries
    }

    private static func value(_ text: Substring, line: Int) throws(SyntaxError) -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            // Unquoted: up to a comment, trimmed.
            var end = text.endIndex
            var previous: Character = " "
            for index in text.indices {
                if text[index] == "#" && (previous == " " || previous == "\t") {
                    end = index
                    break
                }
                previous = text[index]
            }
            return String(text[..<end]).trimmingCharacters(in: [" ", "\t"])
        }
        var result = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == quote {
                let rest = text[text.index(after: index)...].drop { $0 == " " || $0 == "\t" }
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw SyntaxError(line: line, reason: "unexpected text after the closing quote")
                }
                return result
            }
            if quote == "\"", character == "\\", text.index(after: index) < text.endIndex {
                index = text.index(after: index)
                switch text[index] {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                default: result.append(text[index])
                }
            } else {
                result.append(character)
            }
            index = text.index(after: index)
        }
        throw SyntaxError(line: line, reason: "a quoted value is not closed")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
