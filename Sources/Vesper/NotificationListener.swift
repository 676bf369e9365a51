import Logging
import ServiceLifecycle
import VesperCore

/// Wakes the local dispatcher (and waiting remote-worker claims) whenever the store announces new
/// work from any node.
struct NotificationListener: Service {
    let source: any JobNotifications
    let wake: @Sendable () -> Void
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            do {
                try await source.listenForNewJobs { [wake] in wake() }
            } catch is CancellationError {
            } catch {
                logger.warning("job notifications stopped; falling back to polling", metadata: [LogKey.error: "\(error)"])
            }
        }
    }
}
