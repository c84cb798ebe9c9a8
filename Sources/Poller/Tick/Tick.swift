internal import Providers
public import Logging
internal import Secrets
internal import Storage
internal import Postgres
internal import Kafka
internal import Curl
internal import Foundation
internal import Synchronization
internal import UTCTime

/// One cron tick: find the due sources, poll up to `concurrency` of them at once,
/// each under its PostgreSQL advisory lock, and report. The composition root.
public final class Tick: Sendable {
    public let configuration: TickConfiguration
    public let logger: Logger
    let cipher: CredentialCipher
    let limiter = RateLimiter()
    let tokens = TokenCache()
    let started = RateLimiter.monotonicSeconds()
    /// No new source or slice starts after this.
    var softDeadline: Double { started + configuration.deadlineSeconds }
    /// In-flight requests give up after this (a quarter more), so a run always ends.
    var hardDeadline: Double { started + configuration.deadlineSeconds * 1.25 }
    private let stopped = Mutex<ProviderError?>(nil)

    /// Kafka or PostgreSQL failed: no new source or stream starts (they would all fail the
    /// same way, and none of them is to blame).
    func stop(because failure: ProviderError) { stopped.withLock { $0 = $0 ?? failure } }
    var infrastructureFailure: ProviderError? { stopped.withLock { $0 } }

    public init(configuration: TickConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.cipher = CredentialCipher(keyRing: configuration.keyRing)
    }

    /// The run's result: how many sources were polled, failed, skipped.
    public struct Summary: Sendable {
        public var due = 0
        public var succeeded = 0
        public var failed = 0
        public var skipped = 0
        public var events = 0
        /// Streams that failed on their own, in sources that otherwise delivered.
        public var failedStreams = 0
        /// Kafka or PostgreSQL failed and stopped the run.
        public var infrastructureFailed = false
        /// Exit status for cron: 0 when nothing failed, 1 when a source or a stream failed
        /// or the infrastructure stopped the run (the log's last error line says which).
        public var exitCode: Int32 { failed == 0 && failedStreams == 0 && !infrastructureFailed ? 0 : 1 }
    }

    public func run() throws(TickSetupError) -> Summary {
        let due = try dueSources()
        var summary = Summary(due: due.count)
        guard !due.isEmpty else {
            logger.info("nothing due")
            return summary
        }
        // One producer for the run, shared by the workers: one set of librdkafka threads and
        // partition queues, batches across workers. Each worker confirms its own DeliveryBatch.
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(configuration: configuration.kafka)
        } catch {
            throw TickSetupError("Kafka: \(error.description)")
        }
        let queue = Mutex<[DueSource]>(due.reversed())
        let results = Mutex<[SourceResult]>([])
        let setupFailure = Mutex<TickSetupError?>(nil)
        let workers = min(configuration.concurrency, due.count)
        let group = DispatchGroup()
        for index in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                let worker: TickWorker
                do throws(TickSetupError) {
                    worker = try TickWorker(run: self, producer: producer)
                } catch {
                    setupFailure.withLock { $0 = $0 ?? error }
                    return
                }
                while RateLimiter.monotonicSeconds() < softDeadline, infrastructureFailure == nil,
                      let next = queue.withLock({ $0.popLast() }) {
                    let result = SourceRun(worker: worker, run: self).poll(next)
                    results.withLock { $0.append(result) }
                }
            }
            thread.name = "poller-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        // Bounded: the last reports of every worker's batch, including those given up on. One
        // flush for the run, after the workers, instead of a wait in each worker.
        producer.flush(timeout: .seconds(5))
        if let failure = setupFailure.withLock({ $0 }), results.withLock({ $0.isEmpty }) { throw failure }
        for result in results.withLock({ $0 }) {
            switch result.outcome {
            case .success: summary.succeeded += 1
            case .error: summary.failed += 1
            case .skipped: summary.skipped += 1
            }
            summary.events += result.events
            summary.failedStreams += result.failedStreams
        }
        // Sources never started because the deadline came count as skipped, not failed.
        summary.skipped += due.count - results.withLock { $0.count }
        if let failure = infrastructureFailure {
            summary.infrastructureFailed = true
            // The one line to act on: nothing was charged to any source.
            logger.error("run stopped: infrastructure failure", metadata: [
                "component": "\(failure.kind == .database ? "postgresql" : "kafka")",
                "error": "\(failure.description)",
                "sources_not_polled": "\(due.count - results.withLock { $0.count })",
                "note": "no source or stream was charged; the next tick polls them again",
            ])
        }
        logger.info("run finished", metadata: [
            "due": "\(summary.due)", "succeeded": "\(summary.succeeded)", "failed": "\(summary.failed)",
            "skipped": "\(summary.skipped)", "events": "\(summary.events)",
            "duration_ms": "\(Int((RateLimiter.monotonicSeconds() - started) * 1000))",
        ])
        return summary
    }

    private func dueSources() throws(TickSetupError) -> [DueSource] {
        let connection: PostgresConnection
        let now: UTCTimestamp
        do {
            connection = try PostgresConnection(conninfo: configuration.databaseURL)
            now = try connection.serverNow()
        } catch {
            throw TickSetupError("database: \(error.message)")
        }
        if let problem = DatabaseClock.skewProblem(host: UTCTimestamp.now(), database: now) {
            throw TickSetupError(problem)
        }
        if let forced = configuration.forcedSourceID {
            guard UUID(uuidString: forced) != nil else { throw TickSetupError("--source must be a source id (UUID)") }
            do {
                guard let current = try LockedSourceStore(connection: connection).current(sourceID: forced.lowercased(), force: true) else {
                    throw TickSetupError("source \(forced) does not exist")
                }
                return [current.source]
            } catch let error as TickSetupError {
                throw error
            } catch {
                throw TickSetupError("database: \(error)")
            }
        }
        do {
            return try SourceSchedule(connection: connection).dueSources(now: now, limit: configuration.maxSources)
        } catch {
            throw TickSetupError("database: \(error.description)")
        }
    }
}

/// A run that could not start (database, Kafka or TLS configuration): one line for cron's mail.
public struct TickSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One worker's own resources: its database connection (and so its advisory
/// locks), its HTTP connection cache and its Kafka publisher (on the run's shared producer).
final class TickWorker {
    let store: LockedSourceStore
    let schedule: SourceSchedule
    let credentials: CredentialStore
    let http: ProviderHTTP
    let publisher: EventPublisher

    init(run: Tick, producer: KafkaProducer) throws(TickSetupError) {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(conninfo: run.configuration.databaseURL)
        } catch {
            throw TickSetupError("database: \(error.message)")
        }
        store = LockedSourceStore(connection: connection)
        schedule = SourceSchedule(connection: connection)
        credentials = CredentialStore(connection: connection)
        var httpConfiguration = HTTPClientConfiguration()
        httpConfiguration.extraCABundlePath = run.configuration.caBundlePath
        httpConfiguration.requestTimeout = .seconds(60)
        do {
            http = ProviderHTTP(transport: try HTTPClient(configuration: httpConfiguration), limiter: run.limiter,
                                retry: run.configuration.retry, deadline: run.hardDeadline)
        } catch {
            throw TickSetupError("HTTP client: \(error.description)")
        }
        publisher = EventPublisher(producer: producer, topic: run.configuration.topic,
                                   messageMaxBytes: run.configuration.kafka.effectiveMessageMaxBytes)
    }
}

@available(*, unavailable)
extension TickWorker: Sendable {}
