import Synchronization
@testable import Providers

/// A monotonic clock that only moves when the code under test sleeps, so pacing
/// is checked exactly and instantly.
final class FakeClock: Sendable {
    private let state: Mutex<(now: Double, sleeps: [Double])>

    init(start: Double) { state = Mutex((start, [])) }

    var now: Double { state.withLock { $0.now } }
    var sleeps: [Double] { state.withLock { $0.sleeps } }

    func sleep(_ seconds: Double) {
        state.withLock { state in
            state.sleeps.append(seconds)
            // A real clock always moves on; a sleep too short to change a Double
            // must not spin the limiter forever.
            let next = state.now + max(seconds, 0)
            state.now = next > state.now ? next : state.now.nextUp
        }
    }

    /// A limiter that reads and sleeps on this clock.
    func limiter() -> RateLimiter {
        RateLimiter(clock: { self.now }, sleep: { self.sleep($0) })
    }
}
