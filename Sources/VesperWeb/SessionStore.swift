import Foundation
import Synchronization
import VesperCore
import VesperHTTP

/// Signed-in dashboard users, in memory: a random id (the cookie) maps to a role, a CSRF token and
/// an expiry. A node restart signs everyone out; behind a load balancer, pin a user to a node
/// (sessions are not shared between nodes).
final class SessionStore: Sendable {
    struct Session: Sendable {
        var role: APIRole
        /// Every state-changing form of this session must carry it.
        var csrf: String
        var expires: ContinuousClock.Instant
    }

    private let sessions = Mutex<[String: Session]>([:])
    let lifetime: Duration
    /// At most this many sessions are kept; creating one more drops expired ones, then the oldest.
    let capacity: Int

    init(lifetime: Duration, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Opens a session for `role` and returns its id.
    func create(role: APIRole) -> (id: String, session: Session) {
        let id = Self.randomToken()
        let session = Session(role: role, csrf: Self.randomToken(), expires: .now + lifetime)
        sessions.withLock { sessions in
            if sessions.count >= capacity {
                let now = ContinuousClock.now
                sessions = sessions.filter { $0.value.expires > now }
                if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.expires < $1.value.expires }) {
                    sessions[oldest.key] = nil
                }
            }
            sessions[id] = session
        }
        return (id, session)
    }

    /// The live session with this id; an expired one is removed.
    func session(id: String) -> Session? {
        sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expires > .now else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    func remove(id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    var count: Int { sessions.withLock { $0.count } }

    /// 32 bytes from the system's cryptographic generator (`getrandom` on Linux), as hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(64)
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            text += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return text
    }

    /// Compares in time that does not depend on where the strings differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
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
