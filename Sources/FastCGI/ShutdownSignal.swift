internal import Glibc
internal import Synchronization

/// SIGTERM/SIGINT set a flag the serving loop polls (signal handlers may do little else).
enum ShutdownSignal {
    static let requested = Atomic<Bool>(false)

    static func install() {
        signal(SIGTERM) { _ in ShutdownSignal.requested.store(true, ordering: .releasing) }
        signal(SIGINT) { _ in ShutdownSignal.requested.store(true, ordering: .releasing) }
        signal(SIGPIPE, SIG_IGN)
    }
}
