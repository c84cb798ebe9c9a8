public import Providers
internal import Synchronization

/// A monotonic clock that only moves when the code under test sleeps, so pacing and
/// retry waits are checked exactly and instantly.
public final class FakeClock: Sendable {
    private let state: Mutex<(now: Double, sleeps: [Double])>

    public init(start: Double = 1_000) { state = Mutex((start, [])) }

    public var now: Double { state.withLock { $0.now } }
    /// Every sleep asked for, in order.
    public var sleeps: [Double] { state.withLock { $0.sleeps } }
    /// Seconds slept in all.
    public var slept: Double { sleeps.reduce(0, +) }

    public func sleep(_ seconds: Double) {
        state.withLock { state in
            state.sleeps.append(seconds)
            // A real clock always moves on; a sleep too short to change a Double
            // must not spin the limiter forever.
            let next = state.now + max(seconds, 0)
            state.now = next > state.now ? next : state.now.nextUp
        }
    }

    /// Moves time on without a sleep (time the code under test spent elsewhere).
    public func advance(_ seconds: Double) {
        state.withLock { $0.now += seconds }
    }

    /// A limiter that reads and sleeps on this clock.
    public func limiter() -> RateLimiter {
        RateLimiter(clock: { self.now }, sleep: { self.sleep($0) })
    }
}
