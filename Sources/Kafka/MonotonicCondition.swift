internal import Glibc

/// A mutex and a condition variable on `CLOCK_MONOTONIC` (a wall-clock jump neither cuts a
/// wait short nor stretches it). `Synchronization.Mutex` has no condition, hence pthreads.
final class MonotonicCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Wakes every waiter; call while holding the lock, after changing what they wait for.
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Holding the lock (inside ``withLock(_:)``): waits while `notDone()` until `deadline`,
    /// rechecking at least every 100 ms.
    func wait(until deadline: ContinuousClock.Instant, while notDone: () -> Bool) {
        while notDone() {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return }
            let slice = min(left, .milliseconds(100))
            var until = timespec()
            clock_gettime(CLOCK_MONOTONIC, &until)
            let (seconds, attoseconds) = slice.components
            until.tv_sec += Int(seconds)
            until.tv_nsec += Int(attoseconds / 1_000_000_000)
            if until.tv_nsec >= 1_000_000_000 {
                until.tv_sec += 1
                until.tv_nsec -= 1_000_000_000
            }
            pthread_cond_timedwait(condition, mutex, &until)
        }
    }
}
