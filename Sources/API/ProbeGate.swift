internal import Synchronization

/// How many of this process's workers may be busy with source tests at once. A test
/// waits on a provider for up to 20 s; without this bound a few of them would hold every
/// worker and stall every tenant's listings.
public final class ProbeGate: Sendable {
    public let limit: Int
    private let busy = Mutex(0)

    /// At most half of `workers` (at least one).
    public init(workers: Int) { limit = max(1, workers / 2) }

    func tryEnter() -> Bool {
        busy.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { busy.withLock { $0 -= 1 } }
}
