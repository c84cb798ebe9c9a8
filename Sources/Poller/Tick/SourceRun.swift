internal import Providers
internal import Catalog
internal import Storage
internal import Secrets
internal import JSONBytes
internal import SourceModel
internal import UTCTime
internal import Logging

/// What one source's poll came to, for the run summary and the log line.
public struct SourceResult: Sendable {
    public var sourceID: String
    public enum Outcome: String, Sendable {
        case success, error, skipped
    }
    public var outcome: Outcome
    public var reason: String?
    public var events = 0
    public var pages = 0
    /// Streams that failed on their own in this run (the source may still have succeeded).
    public var failedStreams = 0
    /// Kafka or PostgreSQL failed: nothing was charged to the source.
    public var infrastructure = false
}

/// Polls one source: advisory lock, a fresh look at its row, credentials opened
/// just in time, every stream, then its schedule. Owned by one worker.
struct SourceRun {
    let worker: TickWorker
    let run: Tick

    func poll(_ due: DueSource) -> SourceResult {
        let started = RateLimiter.monotonicSeconds()
        var log = run.logger
        log[metadataKey: "source.id"] = "\(due.sourceID)"
        log[metadataKey: "tenant.id"] = "\(due.tenantID)"
        log[metadataKey: "platform"] = "\(due.platform.rawValue)"
        var result = SourceResult(sourceID: due.sourceID, outcome: .skipped)

        do {
            guard try worker.store.tryLock(sourceID: due.sourceID) else {
                log.info("source skipped", metadata: ["reason": "locked by another poller"])
                result.reason = "locked by another poller"
                return result
            }
        } catch {
            log.error("source lock failed", metadata: ["error": "\(error.debugDescription)"])
            return interrupted(result, ProviderError(.database, error.description), [], log)
        }
        defer { worker.store.unlock(sourceID: due.sourceID) }

        let source: DueSource
        let clock: DatabaseClock
        do {
            guard let current = try worker.store.current(sourceID: due.sourceID,
                                                         force: run.configuration.forcedSourceID != nil) else {
                log.info("source skipped", metadata: ["reason": "no longer due"])
                result.reason = "no longer due"
                return result
            }
            source = current.source
            clock = DatabaseClock(databaseNow: current.now)
        } catch {
            return interrupted(result, ProviderError(.database, error.description), [], log)
        }
        let now = clock.now()

        let requestsBefore = worker.http.requests
        let health = HealthBook(source: source, configuration: run.configuration, now: now)
        var setupFailure: ProviderError?
        var attempts: [(stream: String, attempt: StreamAttempt)] = []
        var streamResults: [StreamResult] = []
        do throws(ProviderError) {
            let provider = try makeProvider(source, logger: log)
            // An unreadable cursor fails loudly: starting over would re-send or skip days of events.
            guard let cursor = try? JSONValue.parse(Array(source.cursorJSON.utf8)) else {
                throw ProviderError(.configuration, "the stored cursor is not JSON; rewind each stream (PUT …/checkpoints/{stream})")
            }
            let settings = health.settings
            let origin = EventOrigin(tenantID: source.tenantID, sourceID: source.sourceID, platform: source.platform.rawValue)
            let streams = provider.streams
            var states: [String: CursorState] = [:]
            var pending: [StreamSpec] = []
            var byStream: [String: StreamResult] = [:]
            var rules: [String: CursorRules] = [:]
            for stream in streams {
                if let skipped = health.skip(stream.name, forced: run.configuration.forcedSourceID != nil) {
                    attempts.append((stream.name, skipped))
                    continue
                }
                do {
                    states[stream.name] = try CursorState(cursor: cursor, stream: stream.name)
                    rules[stream.name] = CursorRules(
                        initialLookbackSeconds: Int64(settings["initial_lookback_minutes"]?.intValue ?? SettingsSchema.initialLookbackMinutes) * 60,
                        overlapSeconds: settings["overlap_minutes"]?.intValue.map { Int64($0) * 60 } ?? stream.defaultOverlapSeconds,
                        maxSliceSeconds: 24 * 3600,
                        maxSeen: settings["dedup_max_ids"]?.intValue ?? CursorRules.defaultMaxSeen,
                        startResolutionMicroseconds: stream.startResolutionMicroseconds)
                    pending.append(stream)
                } catch {
                    let problem = ProviderError(.configuration, "\(error.description); rewind the stream (PUT …/checkpoints/\(stream.name))")
                    byStream[stream.name] = StreamResult(stream: stream.name, error: problem)
                }
            }
            // Streams take turns: while others wait, a stream read oldest first yields after a
            // couple of pages (streams of a source usually share one request budget), and no
            // stream's turn lasts longer than an equal share of the time left. So a busy stream
            // cannot starve the others; what quick streams leave goes to those still behind.
            var turns = 0
            turnsLoop: while !pending.isEmpty, turns < 10_000 {
                turns += 1
                let active = pending
                pending = []
                for (index, stream) in active.enumerated() {
                    // Kafka or PostgreSQL failed under another worker: this stream would only wait for it too.
                    if let failure = run.infrastructureFailure {
                        return interrupted(result, failure, Array(byStream.values), log)
                    }
                    let monotonic = RateLimiter.monotonicSeconds()
                    let share = monotonic + max(0, run.softDeadline - monotonic) / Double(active.count - index)
                    let poller = StreamRun(
                        provider: provider, stream: stream, rules: rules[stream.name] ?? CursorRules(), origin: origin, publisher: worker.publisher,
                        store: worker.store, clock: clock, deliveryTimeout: .seconds(run.configuration.deliveryTimeoutSeconds),
                        softDeadline: min(share, run.softDeadline),
                        pagesPerTurn: active.count > 1 ? StreamRun.defaultPagesPerTurn : nil, logger: log)
                    let outcome = poller.poll(from: states[stream.name] ?? CursorState(checkpoint: nil, sliceSeconds: nil), now: now)
                    byStream[stream.name, default: StreamResult(stream: stream.name)].merge(outcome)
                    states[stream.name] = outcome.state
                    if let error = outcome.error {
                        // Another poller may own the source now: no further turn, no write.
                        if error.kind == .lockLost { break turnsLoop }
                        if error.isInfrastructure { return interrupted(result, error, Array(byStream.values), log) }
                    } else if outcome.backlogLeft {
                        pending.append(stream)
                    }
                }
                if RateLimiter.monotonicSeconds() >= run.softDeadline { break }
            }
            for stream in streams {
                guard let streamResult = byStream[stream.name] else { continue }
                streamResults.append(streamResult)
                attempts.append((stream.name, .polled(failure: streamResult.error, backlogLeft: streamResult.backlogLeft,
                                                      watermark: streamResult.watermark)))
            }
        } catch {
            // PostgreSQL failing while the source is set up (its credentials read) is not the source's fault.
            if error.isInfrastructure { return interrupted(result, error, [], log) }
            setupFailure = error
        }

        // A poller that lost its lock records nothing: another may be polling the source now.
        if let lost = streamResults.lazy.compactMap(\.error).first(where: { $0.kind == .lockLost }) {
            result.outcome = .error
            result.reason = lost.description
            result.events = streamResults.reduce(0) { $0 + $1.events }
            log.error("source polled", metadata: [
                "outcome": "error", "error": "\(lost.description)", "error.kind": "\(lost.kind)", "events": "\(result.events)",
                "note": "the source's lock was lost mid-poll; nothing more is written for it",
            ])
            return result
        }
        let verdict = SourceVerdict.judge(setupFailure: setupFailure, attempts: attempts)
        let decided = health.decide(attempts, verdict: verdict, setupFailed: setupFailure != nil, results: streamResults)
        if let failure = announce(decided.transitions, source: source, now: now) {
            return interrupted(result, failure, streamResults, log)
        }
        result.events = streamResults.reduce(0) { $0 + $1.events }
        result.pages = streamResults.reduce(0) { $0 + $1.pages }
        let backlogLeft = streamResults.contains { $0.backlogLeft }
        let duration = Int((RateLimiter.monotonicSeconds() - started) * 1000)
        let failed = verdict.outcome == .failure
        let poll = PollReport(success: !failed, polledAt: clock.now(),
                               error: failed ? verdict.error?.description : nil, events: result.events,
                               durationMs: duration, backlogLeft: backlogLeft)
        let recorded: RecordedOutcome?
        do {
            recorded = try worker.schedule.record(
                sourceID: source.sourceID, outcome: Self.scheduled(verdict.outcome),
                poll: poll, streamStateJSON: decided.stateJSON, maxConsecutiveFailures: run.configuration.maxConsecutiveFailures,
                session: try worker.store.lockSession(sourceID: source.sourceID))
        } catch {
            if error.code == .lockLost {
                result.outcome = .error
                result.reason = error.description
                log.error("source polled", metadata: ["outcome": "error", "error": "\(error.description)", "error.kind": "lock lost"])
                return result
            }
            return interrupted(result, ProviderError(.database, error.description), streamResults, log)
        }
        result.outcome = failed ? .error : .success
        result.reason = verdict.error?.description
        result.failedStreams = attempts.filter {
            if case .polled(let failure?, _, _) = $0.attempt { return !SourceVerdict.chargedToSource(failure) }
            return false
        }.count
        var metadata: Logger.Metadata = [
            "outcome": "\(failed ? "error" : verdict.outcome.rawValue)", "events": "\(result.events)", "pages": "\(result.pages)",
            "requests": "\(worker.http.requests - requestsBefore)", "duration_ms": "\(duration)",
            "duplicates_skipped": "\(streamResults.reduce(0) { $0 + $1.skippedDuplicates })",
            "backlog_left": "\(backlogLeft)",
            "events_truncated": "\(streamResults.reduce(0) { $0 + $1.truncated })",
            "records_dropped": "\(streamResults.reduce(0) { $0 + $1.dropped })",
            "streams": .dictionary(decided.summary(streamResults)),
        ]
        if let error = verdict.error { metadata["error"] = "\(error.description)"; metadata["error.kind"] = "\(error.kind)" }
        if let recorded {
            metadata["next_poll_time"] = "\(recorded.nextPollTime?.rfc3339 ?? "")"
            metadata["error_count"] = "\(recorded.errorCount)"
            if !recorded.isEnabled { metadata["disabled_reason"] = "\(recorded.disabledReason ?? "")" }
        }
        if verdict.error == nil { log.info("source polled", metadata: metadata) } else { log.error("source polled", metadata: metadata) }
        return result
    }

    /// Kafka or PostgreSQL failed: nothing is recorded against the source (its error count,
    /// schedule and streams stay as they were, so it is polled again by the next tick), and
    /// the run stops starting new work.
    /// A partial poll is the source's success: only its failing streams back off.
    private static func scheduled(_ outcome: SourceVerdict.Outcome) -> ScheduledOutcome {
        switch outcome {
        case .success, .partial: .success
        case .failure: .failure
        case .idle: .idle
        }
    }

    private func interrupted(_ base: SourceResult, _ failure: ProviderError, _ streams: [StreamResult],
                             _ log: Logger) -> SourceResult {
        run.stop(because: failure)
        var result = base
        result.outcome = .error
        result.reason = failure.description
        result.infrastructure = true
        result.events = streams.reduce(0) { $0 + $1.events }
        log.warning("source polled", metadata: [
            "outcome": "error", "infrastructure": "true", "error": "\(failure.description)", "error.kind": "\(failure.kind)",
            "events": "\(result.events)", "note": "not counted against the source; the next tick polls it again",
        ])
        return result
    }

    /// Publishes the run's health transitions and waits for Kafka; the error when it could not.
    private func announce(_ transitions: [HealthTransition], source: DueSource, now: UTCTimestamp) -> ProviderError? {
        guard !transitions.isEmpty else { return nil }
        let origin = EventOrigin(tenantID: source.tenantID, sourceID: source.sourceID, platform: source.platform.rawValue)
        worker.publisher.beginBatch()
        do throws(ProviderError) {
            for transition in transitions {
                guard let event = HealthEvent.make(transition, origin: origin, sourceName: source.sourceName,
                                                   priorPoll: source.lastPolled, now: now) else { continue }
                try worker.publisher.publish(event, origin: origin, ingestedAt: now.rfc3339)
            }
            try worker.publisher.confirm(timeout: .seconds(run.configuration.deliveryTimeoutSeconds))
        } catch {
            return error
        }
        return nil
    }

    private func makeProvider(_ source: DueSource, logger: Logger) throws(ProviderError) -> any CloudProvider {
        guard let factory = ProviderRegistry.factory(for: source.platform) else {
            throw ProviderError(.configuration, "no provider for platform \(source.platform.rawValue) in this version")
        }
        let stored: StoredCredentials
        do {
            guard let row = try worker.credentials.sealed(sourceID: source.sourceID) else {
                throw ProviderError(.configuration, "source vanished")
            }
            stored = row
        } catch let error as ProviderError {
            throw error
        } catch let error as StorageError where error.code != .corruptRow {
            // PostgreSQL failed, not the source: infrastructure, charged to no source.
            throw ProviderError(.database, "cannot read the credentials: \(error.description)")
        } catch {
            throw ProviderError(.configuration, "cannot read credentials: \(error)")
        }
        let plaintext: [UInt8]
        do {
            plaintext = try run.cipher.open(stored.envelope, for: CredentialBinding(tenantID: stored.tenantID, sourceID: stored.sourceID))
        } catch {
            throw ProviderError(.configuration, "credentials cannot be decrypted: \(error.description)")
        }
        guard let credentials = try? JSONValue.parse(plaintext) else {
            throw ProviderError(.configuration, "stored credentials are not JSON")
        }
        let settings = (try? JSONValue.parse(Array(source.settingsJSON.utf8))) ?? .object([])
        let context = ProviderContext(sourceID: source.sourceID, tenantID: source.tenantID, platform: source.platform,
                                      credentials: credentials, settings: settings, http: worker.http,
                                      tokens: run.tokens, logger: logger)
        // A row written before an allowlist was narrowed, or by hand, is checked here too.
        try run.configuration.providerHosts.check(context)
        return try factory(context)
    }
}
