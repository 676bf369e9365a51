import Foundation
import VesperCore

/// What a token may do.
public enum APIRole: String, Sendable, CaseIterable {
    /// Everything, including retry, cancel and queue control.
    case admin
    /// Submit jobs and read.
    case producer
    /// Read only.
    case reader
    /// A worker outside the node: the worker protocol (`POST /claims`, heartbeat, complete, fail) and read.
    case worker
}

/// A bearer token and its role. `description` never shows the token.
public struct APIToken: Sendable, Equatable, CustomStringConvertible {
    public var role: APIRole
    public var token: String

    public init(role: APIRole, token: String) {
        self.role = role
        self.token = token
    }

    public var description: String { "\(role.rawValue):<redacted>" }

    /// Parses `role:token` entries. Errors name the entry by position, never by its token.
    package static func parse(_ entries: [String], variable: String, entryName: String) throws(ConfigurationError) -> [APIToken] {
        var tokens: [APIToken] = []
        for (index, entry) in entries.enumerated() {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw ConfigurationError(variable: variable, message: "\(entryName) \(index + 1) is not role:token")
            }
            let roleName = String(trimmed[..<colon])
            let token = String(trimmed[trimmed.index(after: colon)...])
            guard let role = APIRole(rawValue: roleName) else {
                throw ConfigurationError(
                    variable: variable,
                    message: "\(entryName) \(index + 1) has an unknown role; roles are \(APIRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard token.count >= 8, !token.contains(where: { $0 == " " || $0 == "," }) else {
                throw ConfigurationError(variable: variable, message: "\(entryName) \(index + 1): tokens need at least 8 characters and no spaces or commas")
            }
            tokens.append(APIToken(role: role, token: token))
        }
        return tokens
    }
}

extension APIToken {
    /// The role of the token in `tokens` that equals `presented`, or `nil`. Every configured token
    /// is compared in full, in time that does not depend on where (or whether) `presented` differs.
    public static func role(of presented: String, among tokens: [APIToken]) -> APIRole? {
        var match: APIRole?
        for token in tokens where constantTimeEquals(token.token, presented) { match = token.role }
        return match
    }

    /// Compares secrets (tokens, CSRF values) in time that does not depend on where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        let length = max(left.count, right.count, 1)
        for index in 0..<length {
            let x = left.isEmpty ? 0 : left[index % left.count]
            let y = right.isEmpty ? 0 : right[index % right.count]
            difference |= x ^ y
        }
        return difference == 0
    }
}
