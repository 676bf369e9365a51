import Logging
import VesperCore
import Synchronization

/// Writes a recurring log line at most once per interval, with how many were held back since.
///
/// A client can cause some lines at will (a slow body that hits the read timeout, a connection
/// dropped mid-request): one line per event would let it fill an operator's logs.
final class RateLimitedLog: Sendable {
    private struct State {
        var lastWritten: ContinuousClock.Instant?
        var suppressed = 0
    }

    private let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    func log(_ logger: Logger, level: Logger.Level, _ message: Logger.Message, metadata: Logger.Metadata = [:]) {
        guard let suppressed = admit(at: .now) else { return }
        var metadata = metadata
        if suppressed > 0 { metadata[LogKey.suppressed] = "\(suppressed)" }
        logger.log(level: level, message, metadata: metadata)
    }

    /// Whether a line may be written at `now`: `nil` if not (it is counted), otherwise how many
    /// were held back before it.
    func admit(at now: ContinuousClock.Instant) -> Int? {
        state.withLock { state -> Int? in
            if let last = state.lastWritten, now - last < interval {
                state.suppressed += 1
                return nil
            }
            defer { state.suppressed = 0 }
            state.lastWritten = now
            return state.suppressed
        }
    }
}
