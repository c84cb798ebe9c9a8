internal import CRdKafka
internal import Glibc
import Synchronization

/// The thread that serves a producer's callbacks (delivery reports, errors) while a caller
/// waits for its batch: librdkafka runs them on whichever thread calls `rd_kafka_poll`, and
/// with workers sharing the producer none of them may flush or poll for the others.
///
/// It polls only while at least one caller waits. Producing threads serve reports as they go
/// (every 64th message); a thread blocked in `rd_kafka_poll` all the time would instead wake
/// for every few reports of a busy producer, which cost a single-stream run 16 % of its
/// throughput on 2 cores (BENCHMARKS.md).
final class PollThread {
    private final class Context: Sendable {
        let stopping = Atomic<Bool>(false)
        let waiters = Atomic<Int>(0)
        /// Signalled when the first caller starts waiting, and at stop.
        let wake = MonotonicCondition()
        /// `rd_kafka_t*` as a bit pattern; outlives the thread (joined before destroy).
        let handle: UInt
        let pollTimeoutMilliseconds: Int32
        init(handle: UInt, pollTimeoutMilliseconds: Int32) {
            self.handle = handle
            self.pollTimeoutMilliseconds = pollTimeoutMilliseconds
        }

        var idle: Bool { waiters.load(ordering: .acquiring) == 0 && !stopping.load(ordering: .acquiring) }
    }
    private let context: Context
    private var thread = pthread_t()

    /// Starts the thread; it polls `handle` whenever a caller waits, until ``stop()``, each
    /// `rd_kafka_poll` waiting at most `pollTimeoutMilliseconds` for a report.
    init(handle: OpaquePointer, pollTimeoutMilliseconds: Int32 = 100) throws(KafkaError) {
        context = Context(handle: UInt(bitPattern: handle), pollTimeoutMilliseconds: pollTimeoutMilliseconds)
        let retained = Unmanaged.passRetained(context).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            let context = Unmanaged<Context>.fromOpaque(argument!).takeRetainedValue()
            let handle = OpaquePointer(bitPattern: context.handle)
            while !context.stopping.load(ordering: .acquiring) {
                if context.idle {
                    context.wake.withLock {
                        context.wake.wait(until: ContinuousClock.now + .seconds(1)) { context.idle }
                    }
                    continue
                }
                rd_kafka_poll(handle, context.pollTimeoutMilliseconds)
            }
            return nil
        }, retained)
        guard result == 0 else {
            Unmanaged<Context>.fromOpaque(retained).release()
            throw KafkaError(.clientCreation, "could not start the producer's poll thread: errno \(result)")
        }
    }

    /// Runs `body` (a wait for delivery reports) with the thread polling meanwhile.
    func whileWaiting<R>(_ body: () throws(KafkaError) -> R) throws(KafkaError) -> R {
        if context.waiters.add(1, ordering: .acquiringAndReleasing).newValue == 1 {
            context.wake.withLock { context.wake.broadcast() }
        }
        defer { context.waiters.subtract(1, ordering: .acquiringAndReleasing) }
        return try body()
    }

    /// Stops and joins the thread. It wakes at once: a yield of the queue `rd_kafka_poll`
    /// serves ends a poll in progress, or the next one, right away. (`rd_kafka_yield` would
    /// not: it acts only inside a callback, on the calling thread.)
    func stop() {
        context.stopping.store(true, ordering: .releasing)
        context.wake.withLock { context.wake.broadcast() }
        if let mainQueue = rd_kafka_queue_get_main(OpaquePointer(bitPattern: context.handle)) {
            rd_kafka_queue_yield(mainQueue)
            rd_kafka_queue_destroy(mainQueue)
        }
        pthread_join(thread, nil)
    }
}
