import Foundation

/// When to try a failed job again: exponential backoff with full jitter.
///
/// The delay before retry `n` (0-based) is a random value in `0...min(maxDelay, baseDelay * 2^n)`,
/// which spreads a burst of failures out instead of retrying them in lockstep.
public struct RetryPolicy: Sendable {
    /// The first ceiling. Defaults to 1 second.
    public var baseDelay: Duration
    /// The highest ceiling. Defaults to 1 hour.
    public var maxDelay: Duration
    /// Returns a value in `0..<1`; injectable so that tests are deterministic.
    public var random: @Sendable () -> Double

    public init(baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(3600), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
    }

    /// The ceiling for the delay after `retries` failed attempts so far.
    public func ceiling(afterRetries retries: Int) -> Duration {
        let base = baseDelay.secondsDouble
        let exponent = min(max(retries, 0), 62)
        let raw = base * pow(2, Double(exponent))
        return .secondsDouble(min(raw, maxDelay.secondsDouble))
    }

    /// The delay before the next attempt, given the failed attempts so far.
    public func delay(afterRetries retries: Int) -> Duration {
        .secondsDouble(ceiling(afterRetries: retries).secondsDouble * random())
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var secondsDouble: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A duration from a floating-point number of seconds, saturating at about ±292 years
    /// (what 64-bit nanoseconds hold); NaN is zero. Inputs are range-checked where they enter, so
    /// saturation only guards against a trap.
    public static func secondsDouble(_ value: Double) -> Duration {
        let nanoseconds = (value * 1e9).rounded()
        guard nanoseconds.isFinite else { return nanoseconds.isNaN ? .zero : (nanoseconds > 0 ? .nanoseconds(Int64.max) : .nanoseconds(Int64.min)) }
        guard nanoseconds < 9.2e18, nanoseconds > -9.2e18 else { return .nanoseconds(nanoseconds > 0 ? Int64.max : Int64.min) }
        return .nanoseconds(Int64(nanoseconds))
    }
}
