import Foundation
import Testing

/// The README's Swift snippets are the example targets, which the build compiles: a snippet that
/// drifts from its file fails here.
@Suite("README snippets")
struct ReadmeSnippetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")

    @Test(arguments: [
        "Examples/Minimal/main.swift", "Examples/TransactionalEnqueue/main.swift", "Examples/Embedded/App/Jobs.swift",
        "Examples/Embedded/Main/main.swift", "Tests/VesperTestingTests/ExampleSignupTests.swift",
    ])
    func snippetIsTheExampleFile(path: String) throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
        let snippets = readme.components(separatedBy: "```swift\n").dropFirst().map { block in
            // Undo the list indentation of snippets inside bullet points.
            let body = block.components(separatedBy: "```")[0]
            let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
            let indented = lines.allSatisfy { $0.isEmpty || $0.hasPrefix("  ") }
            return lines.map { indented && !$0.isEmpty ? String($0.dropFirst(2)) : String($0) }.joined(separator: "\n")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(snippets.contains(example.trimmingCharacters(in: .whitespacesAndNewlines)), "the README has no snippet equal to \(path)")
    }
}
