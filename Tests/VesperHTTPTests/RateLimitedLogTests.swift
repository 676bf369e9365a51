import Testing

@testable import VesperHTTP

@Suite("Rate-limited log lines")
struct RateLimitedLogTests {
    /// A slow-body attack once wrote one error line per connection (2,000 lines).
    @Test func oneLinePerIntervalCountingTheRest() {
        let log = RateLimitedLog(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(log.admit(at: start) == 0)
        for offset in 1...1999 {
            #expect(log.admit(at: start + .milliseconds(offset)) == nil)
        }
        #expect(log.admit(at: start + .seconds(10)) == 1999)
        #expect(log.admit(at: start + .seconds(11)) == nil)
        #expect(log.admit(at: start + .seconds(25)) == 1)
    }
}
