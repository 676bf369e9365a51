import Synchronization

/// Reads of the best claimable rank, shared by the slots that need one at the same time.
///
/// A read vouches for every slot that asked before it began (its snapshot is younger than their
/// freeing), so slots that free together share one read instead of sending one each. The
/// leader/follower hand-off of ``EnqueueBatcher``, for reads, with no background task: the first
/// caller reads for everyone waiting; callers that arrive during a read wait for the next one,
/// which the first of them leads.
final class RankProbe: Sendable {
    typealias Check = DispatchStateMachine.RankCheck

    private enum Signal {
        case result(Check)
        case lead
    }

    private struct State {
        var reading = false
        var waiting: [CheckedContinuation<Signal, Never>] = []
    }

    private let state = Mutex(State())

    /// The result of a read that began after this call: `read` if this caller leads one.
    func check(read: @Sendable () async -> Check) async -> Check {
        let signal = await withCheckedContinuation { (continuation: CheckedContinuation<Signal, Never>) in
            let leads = state.withLock { state in
                if state.reading {
                    state.waiting.append(continuation)
                    return false
                }
                state.reading = true
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        if case .result(let check) = signal { return check }
        // Everyone waiting now asked before this read begins.
        let followers = state.withLock { state in
            defer { state.waiting = [] }
            return state.waiting
        }
        let check = await read()
        let next = state.withLock { state -> CheckedContinuation<Signal, Never>? in
            if state.waiting.isEmpty {
                state.reading = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: .lead)
        for follower in followers { follower.resume(returning: .result(check)) }
        return check
    }
}
