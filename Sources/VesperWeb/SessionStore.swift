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
}
