import Foundation
import VesperCore

/// The frame around every page: head, navigation, and the viewer's sign-out button.
enum Layout {
    static let sections: [(path: String, name: String)] = [
        ("/ui", "Overview"), ("/ui/jobs", "Jobs"), ("/ui/queues", "Queues"), ("/ui/fleet", "Fleet"), ("/ui/cron", "Cron"),
    ]

    static func page(title: String, active: String, viewer: Viewer, notice: String? = nil, body: HTML) -> HTML {
        var links: [HTML] = sections.map { section in
            let current: HTML = section.path == active ? " aria-current=\"page\"" : ""
            return "<a href=\"\(section.path)\"\(current)>\(section.name)</a>"
        }
        if viewer.canSubmit {
            let current: HTML = active == "/ui/enqueue" ? " aria-current=\"page\"" : ""
            links.append("<a href=\"/ui/enqueue\"\(current)>Enqueue</a>")
        }
        let account: HTML =
            viewer.signedIn
            ? """
            <form method="post" action="/ui/logout" class="inline"><input type="hidden" name="csrf" value="\(viewer.csrf)">\
            <span class="role" id="viewer-role">\(viewer.role.rawValue)</span> <button type="submit">Sign out</button></form>
            """
            : ""
        let noticeHTML: HTML = notice.map { "<p class=\"notice\" id=\"notice\" role=\"status\">\($0)</p>" } ?? ""
        return document(
            title: title,
            body: """
                <header><a class="brand" href="/ui">Vesper</a><nav>\(links)</nav><div class="account">\(account)</div></header>
                <main>\(noticeHTML)\(body)</main>
                """)
    }

    /// A page without navigation (sign-in, errors before sign-in).
    static func bare(title: String, body: HTML) -> HTML {
        document(title: title, body: "<main class=\"narrow\">\(body)</main>")
    }

    private static func document(title: String, body: HTML) -> HTML {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Vesper</title>
        <link rel="stylesheet" href="/ui/assets/app.css">
        <script src="/ui/assets/app.js" defer></script>
        </head>
        <body>
        \(body)
        </body>
        </html>
        """
    }
}

/// Small text formats shared by the pages.
enum Format {
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }

    /// `3m 12s`, `2h 5m`, `4d 1h`.
    static func age(_ seconds: Double) -> String {
        let total = Int(max(0, seconds.rounded(.down)))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(total % 60)s" }
        if total < 86_400 { return "\(total / 3600)h \(total % 3600 / 60)m" }
        return "\(total / 86_400)d \(total % 86_400 / 3600)h"
    }

    static func number(_ value: Int) -> String {
        value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
    }

    /// A JSON text re-indented by two spaces per level, every token kept as it was (no re-encoding:
    /// numbers, escapes and key order stay exactly as stored).
    static func prettyJSON(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        var emptyContainer = false
        let scalars = Array(text.unicodeScalars)
        func newline() {
            output += "\n" + String(repeating: "  ", count: max(depth, 0))
        }
        for (index, scalar) in scalars.enumerated() {
            if inString {
                output.unicodeScalars.append(scalar)
                if escaped {
                    escaped = false
                } else if scalar == "\\" {
                    escaped = true
                } else if scalar == "\"" {
                    inString = false
                }
                continue
            }
            switch scalar {
            case " ", "\t", "\n", "\r":
                continue
            case "\"":
                inString = true
                output.unicodeScalars.append(scalar)
            case "{", "[":
                output.unicodeScalars.append(scalar)
                let next = scalars[(index + 1)...].first { !" \t\n\r".unicodeScalars.contains($0) }
                if next == "}" || next == "]" {
                    emptyContainer = true
                } else {
                    depth += 1
                    newline()
                }
            case "}", "]":
                if emptyContainer {
                    emptyContainer = false
                } else {
                    depth -= 1
                    newline()
                }
                output.unicodeScalars.append(scalar)
            case ",":
                output += ","
                newline()
            case ":":
                output += ": "
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
