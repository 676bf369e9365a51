import Testing
import VesperCore

@Suite struct RetryPolicyTests {
    @Test func ceilingDoublesFromTheBaseUpToTheCap() {
        let policy = RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(60), random: { 0.5 })
        #expect((0...7).map { policy.ceiling(afterRetries: $0) } == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(policy.ceiling(afterRetries: 10_000) == .seconds(60))
    }

    @Test func delayIsFullJitterBelowTheCeiling() {
        let low = RetryPolicy(baseDelay: .seconds(2), maxDelay: .seconds(3600), random: { 0 })
        let mid = RetryPolicy(baseDelay: .seconds(2), maxDelay: .seconds(3600), random: { 0.25 })
        #expect(low.delay(afterRetries: 3) == .zero)
        #expect(mid.delay(afterRetries: 3) == .seconds(4))  // 2 * 2^3 * 0.25
    }
}
