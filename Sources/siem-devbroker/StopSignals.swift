import Glibc

/// SIGTERM/SIGINT, blocked in every thread and received synchronously with `sigwait`.
struct StopSignals {
    private var set = sigset_t()

    /// Blocks SIGTERM and SIGINT in the calling thread (inherited by threads it creates)
    /// and ignores SIGPIPE (a control client that hangs up must not kill the broker).
    static func block() -> StopSignals {
        var signals = StopSignals()
        sigemptyset(&signals.set)
        sigaddset(&signals.set, SIGTERM)
        sigaddset(&signals.set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals.set, nil)
        signal(SIGPIPE, SIG_IGN)
        return signals
    }

    /// Waits for SIGTERM or SIGINT and returns its number.
    func wait() -> Int32 {
        var set = self.set
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
