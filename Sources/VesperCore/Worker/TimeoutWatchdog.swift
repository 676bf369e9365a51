import Synchronization

/// Cancels handlers that run past their job's timeout: one task per node, which sleeps until the
/// earliest deadline (at most a second) and is woken when a job with an earlier one starts.
///
/// A sleeping timer task per job would be simpler, but a cancelled `Task.sleep` stays in the
/// executor's timer queue until its deadline: with the default 5-minute `JOB_TIMEOUT` that held
/// hundreds of bytes per finished job for five minutes, and memory grew with throughput.
final class TimeoutWatchdog: Sendable {
    private struct Watched {
        var deadline: ContinuousClock.Instant
        var cancel: @Sendable () -> Void
    }

    private struct State {
        var watched: [LeaseToken: Watched] = [:]
        /// Attempts whose handler was cancelled for running past its timeout.
        var timedOut: Set<LeaseToken> = []
        /// When the watchdog will next look, so an earlier deadline can wake it.
        var wakesAt: ContinuousClock.Instant?
        var stopped = false
    }

    private let state = Mutex(State())
    private let wakeup = Wakeup()

    /// Watches an attempt whose handler must return by `deadline`; `cancel` stops it.
    func watch(_ token: LeaseToken, until deadline: ContinuousClock.Instant, cancel: @escaping @Sendable () -> Void) {
        let wake = state.withLock { state -> Bool in
            state.watched[token] = Watched(deadline: deadline, cancel: cancel)
            guard let wakesAt = state.wakesAt else { return true }
            return deadline < wakesAt
        }
        if wake { wakeup.signal() }
    }

    /// Stops watching an attempt; returns whether its handler was cancelled for its timeout.
    func unwatch(_ token: LeaseToken) -> Bool {
        state.withLock { state in
            state.watched[token] = nil
            return state.timedOut.remove(token) != nil
        }
    }

    /// Runs until ``stop()``, calling `tick` at every look (at least once a second).
    func run(tick: @Sendable () -> Void) async {
        while true {
            let now = ContinuousClock.now
            let (expired, wakesAt, stopped) = state.withLock { state in
                var expired: [@Sendable () -> Void] = []
                var next = now + .seconds(1)
                for (token, watched) in state.watched {
                    if watched.deadline <= now {
                        if state.timedOut.insert(token).inserted { expired.append(watched.cancel) }
                    } else {
                        next = min(next, watched.deadline)
                    }
                }
                state.wakesAt = next
                return (expired, next, state.stopped)
            }
            if stopped || Task.isCancelled { return }
            tick()
            for cancel in expired { cancel() }
            await wakeup.wait(timeout: max(.milliseconds(1), wakesAt - ContinuousClock.now))
        }
    }

    func stop() {
        state.withLock { $0.stopped = true }
        wakeup.signal()
    }
}
