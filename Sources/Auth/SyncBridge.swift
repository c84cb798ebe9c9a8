import Dispatch
import Synchronization

/// Runs jwt-kit's async, actor-isolated API from synchronous code.
///
/// Only key setup and minting cross this bridge; per-request verification is synchronous (see
/// `TokenVerifier`). The waiting thread blocks on a semaphore while the work runs on
/// `BridgeExecutor`, a private serial dispatch queue given as the task's executor preference. A task
/// with that preference runs its nonisolated code *and* default actors' code (jwt-kit's
/// `JWTKeyCollection`) there, never on Swift's cooperative pool. So blocking is safe even when the
/// caller is itself a cooperative thread (an async test, `main.swift`'s top level): with the work on
/// the pool, two such callers on a 2-core machine could occupy every pool thread and wait forever.
enum SyncBridge {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        Task.detached(executorPreference: BridgeExecutor.shared) {
            let result: Result<T, any Error>
            do {
                result = .success(try await operation())
            } catch {
                result = .failure(error)
            }
            outcome.finish(result)
        }
        return try outcome.wait().get()
    }
}

/// The bridged task's result, handed across threads under a lock.
private final class Outcome<T: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let value = Mutex<Result<T, any Error>?>(nil)

    func finish(_ result: Result<T, any Error>) {
        value.withLock { $0 = result }
        done.signal()
    }

    func wait() -> Result<T, any Error> {
        done.wait()
        return value.withLock { $0! }
    }
}

/// A task executor on a private serial queue, outside the cooperative pool.
final class BridgeExecutor: TaskExecutor {
    static let shared = BridgeExecutor()
    private let queue = DispatchQueue(label: "siem.auth.jwt-bridge")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
