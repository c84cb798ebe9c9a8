/// The advisory lock a poller holds on a source while it polls it. Every writer of a
/// source's checkpoints (the poller, an operator's rewind) goes through this one key.
enum SourceLock {
    /// `hashtextextended(source_id, seed)`; the seed keeps these keys apart from other advisory locks.
    static let seed = "727274"
}
