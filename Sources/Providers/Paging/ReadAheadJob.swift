internal import Glibc

/// One job on a thread of its own, whose result is taken once by ``wait()``. The page
/// readers fetch page N+1 this way while page N is being delivered (see ``PagedRead``).
///
/// The job may capture the reader's non-Sendable state (its HTTP client, page-token
/// memory): that is sound because exactly one thread touches it at a time. The reader
/// starts a job only when no other job of its is running, and does not touch that state
/// again until ``wait()`` has joined the thread (`pthread_join` orders the memory).
final class ReadAheadJob<Value> {
    private final class Slot { var value: Value? }
    private let slot = Slot()
    private let start: ThreadStart
    private var thread = pthread_t()
    /// False when no thread could be started: then `wait` runs the job itself.
    private var started = false
    private var joined = false

    /// Starts `work` on a new thread (or, if the system refuses one, defers it to `wait`).
    init(_ work: @escaping () -> Value) {
        let slot = self.slot
        start = ThreadStart { slot.value = work() }
        started = start.spawn(&thread)
    }

    /// The job's result, once it finished (joins its thread).
    func wait() -> Value {
        if started && !joined {
            pthread_join(thread, nil)
            joined = true
        } else if !started {
            // No thread could be started: run it here, in order, as a sequential read would.
            start.runOnce()
        }
        return slot.value!
    }

    /// A job is never left running: what it captured must not outlive its reader.
    deinit {
        if started && !joined { pthread_join(thread, nil) }
    }
}

/// The body of a thread, as a plain (non-generic) object a C thread entry can take.
private final class ThreadStart {
    private var body: (() -> Void)?
    init(_ body: @escaping () -> Void) { self.body = body }

    /// Runs the body once, then drops it (and what it captured) on this thread.
    func runOnce() {
        body?()
        body = nil
    }

    /// Starts a thread that runs the body; false if the system refused one.
    func spawn(_ thread: inout pthread_t) -> Bool {
        let retained = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue().runOnce()
            return nil
        }, retained)
        if result != 0 { Unmanaged<ThreadStart>.fromOpaque(retained).release() }
        return result == 0
    }
}
