import Foundation
import Synchronization
import Testing

@testable import VesperCore

@Suite("Wake-up relay")
struct WakeupRelayTests {
    /// A relay that re-wrapped its closure on every signal made each call deeper than the last:
    /// the call stack of the millionth signal held a million thunks. Count how deep it is instead
    /// of timing it: the stack depth at the target must not grow with the number of signals.
    @Test func signallingDoesNotWrapTheTargetAgainAndAgain() {
        let relay = WakeupRelay()
        let depths = Mutex<[Int]>([])
        relay.connect {
            let depth = Thread.callStackReturnAddresses.count
            depths.withLock { $0.append(depth) }
        }
        for _ in 0..<2_000 { relay.signal() }
        let seen = depths.withLock { $0 }
        #expect(seen.count == 2_000)
        #expect(seen.last == seen.first, "the stack grew from \(seen.first ?? 0) to \(seen.last ?? 0) frames")
    }

    @Test func aSignalBeforeConnectIsDropped() {
        let relay = WakeupRelay()
        relay.signal()
        let count = Mutex(0)
        relay.connect { count.withLock { $0 += 1 } }
        relay.signal()
        #expect(count.withLock { $0 } == 1)
    }
}
