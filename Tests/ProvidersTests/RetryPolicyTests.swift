import Testing
@testable import Providers

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()  // 0.5 s base, 30 s cap

    @Test(arguments: [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 16.0), (7, 30.0), (8, 30.0), (64, 30.0), (Int.max, 30.0)])
    func ceilingDoublesThenCaps(attempt: Int, ceiling: Double) {
        #expect(policy.backoffCeiling(afterAttempt: attempt) == ceiling)
    }

    @Test func ceilingHonoursCustomSettings() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelaySeconds: 2, maxDelaySeconds: 5)
        #expect([1, 2, 3, 4].map(policy.backoffCeiling(afterAttempt:)) == [2, 4, 5, 5])
    }

    @Test(arguments: [0.0, 0.25, 0.5, 1.0])
    func jitterScalesTheCeiling(random: Double) {
        #expect(policy.backoff(afterAttempt: 4, random: random) == 4 * random)
    }

    // Full jitter: every draw lies in [0, ceiling].
    @Test(arguments: 1...10)
    func defaultJitterStaysWithinTheCeiling(attempt: Int) {
        let ceiling = policy.backoffCeiling(afterAttempt: attempt)
        for _ in 0..<200 {
            let delay = policy.backoff(afterAttempt: attempt)
            #expect(delay >= 0 && delay <= ceiling)
        }
    }

    @Test(arguments: [("3", 3.0), (" 10 ", 10.0), ("0", 0.0), ("120", 120.0), ("  7", 7.0)] as [(String, Double)])
    func retryAfterSeconds(header: String, seconds: Double) {
        #expect(RetryPolicy.retryAfterSeconds(header) == seconds)
    }

    // An HTTP-date and garbage give nil: the caller falls back to its own backoff.
    @Test(arguments: ["-1", "Wed, 21 Oct 2015 07:28:00 GMT", "", "   ", "soon", "nan", "3 s", nil] as [String?])
    func unusableRetryAfterIsNil(header: String?) {
        #expect(RetryPolicy.retryAfterSeconds(header) == nil)
    }

    // ProviderHTTP formats the value with `Int(after)`, and Int(Double) traps on
    // infinity or anything past Int.max: such a Retry-After must never come back.
    @Test(arguments: ["inf", "infinity", "1e400", "99999999999999999999"])
    func retryAfterIsAlwaysConvertibleToWholeSeconds(header: String) {
        let seconds = RetryPolicy.retryAfterSeconds(header)
        #expect(seconds == nil || (seconds!.isFinite && seconds! < Double(Int.max)))
    }
}
