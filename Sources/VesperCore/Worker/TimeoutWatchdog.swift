import Synchronization

/// Cancels handlers that run past their job's timeout: one task per node, which sleeps until the
/// earliest deadline (at most a second) and is woken when a job with an earlier one starts. Also
/// the place a cancel requested by an operator reaches a running handler (``requestCancel(_:)``).
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
        /// Attempts an operator cancelled (the store already ended them `cancelled`): cancelled
        /// when watched, or as soon as they are.
        var cancelRequested: Set<LeaseToken> = []
        /// When the watchdog will next look, so an earlier deadline can wake it.
        var wakesAt: ContinuousClock.Instant?
        var stopped = false
    }

    private let state = Mutex(State())
    private let wakeup = Wakeup()

    /// Why a watched handler returned.
    enum Ending: Equatable {
        case returned
        case timedOut
        case cancelledByRequest
    }

    /// Watches an attempt whose handler must return by `deadline`; `cancel` stops it.
    func watch(_ token: LeaseToken, until deadline: ContinuousClock.Instant, cancel: @escaping @Sendable () -> Void) {
        let (wake, cancelNow) = state.withLock { state -> (Bool, Bool) in
            state.watched[token] = Watched(deadline: deadline, cancel: cancel)
            let cancelNow = state.cancelRequested.contains(token)
            guard let wakesAt = state.wakesAt else { return (true, cancelNow) }
            return (deadline < wakesAt, cancelNow)
        }
        if cancelNow { cancel() }
        if wake { wakeup.signal() }
    }

    /// Stops watching an attempt; says whether its handler was cancelled, and why.
    func unwatch(_ token: LeaseToken) -> Ending {
        state.withLock { state in
            state.watched[token] = nil
            let timedOut = state.timedOut.remove(token) != nil
            if state.cancelRequested.remove(token) != nil { return .cancelledByRequest }
            return timedOut ? .timedOut : .returned
        }
    }

    /// Cancels the handlers of these attempts, which the store has ended `cancelled` at an
    /// operator's request; one that is not watched yet (its slot is just starting it) is
    /// cancelled as soon as it is.
    func requestCancel(_ tokens: some Sequence<LeaseToken>) {
        let cancels = state.withLock { state in
            tokens.compactMap { token -> (@Sendable () -> Void)? in
                state.cancelRequested.insert(token)
                return state.watched[token]?.cancel
            }
        }
        for cancel in cancels { cancel() }
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
