internal import CRdKafka
internal import Glibc
import Synchronization

/// The one thread that serves a producer's callbacks (delivery reports, errors): librdkafka
/// runs them on whichever thread calls `rd_kafka_poll`, and with workers sharing the producer
/// none of them may flush or poll for the others. Waiters sleep on their own batch instead.
final class PollThread {
    private final class Context: Sendable {
        let stopping = Atomic<Bool>(false)
        /// `rd_kafka_t*` as a bit pattern; outlives the thread (joined before destroy).
        let handle: UInt
        init(handle: UInt) { self.handle = handle }
    }
    private let context: Context
    private var thread = pthread_t()

    /// Starts polling `handle` until ``stop()``.
    init(handle: OpaquePointer) throws(KafkaError) {
        context = Context(handle: UInt(bitPattern: handle))
        let retained = Unmanaged.passRetained(context).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            let context = Unmanaged<Context>.fromOpaque(argument!).takeRetainedValue()
            let handle = OpaquePointer(bitPattern: context.handle)
            while !context.stopping.load(ordering: .acquiring) {
                rd_kafka_poll(handle, 100)
            }
            return nil
        }, retained)
        guard result == 0 else {
            Unmanaged<Context>.fromOpaque(retained).release()
            throw KafkaError(.clientCreation, "could not start the producer's poll thread: errno \(result)")
        }
    }

    /// Stops and joins the thread (it wakes at once: `rd_kafka_yield` ends its poll).
    func stop() {
        context.stopping.store(true, ordering: .releasing)
        rd_kafka_yield(OpaquePointer(bitPattern: context.handle))
        pthread_join(thread, nil)
    }
}
