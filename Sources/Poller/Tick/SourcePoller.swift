internal import Storage
internal import Secrets
internal import JSONBytes
internal import SourceModel
internal import UTCTime
internal import Logging

/// What one source's poll came to, for the run summary and the log line.
public struct SourceResult: Sendable {
    public var sourceID: String
    public var outcome: String  // success | error | skipped
    public var reason: String?
    public var events = 0
    public var pages = 0
}

/// Polls one source: advisory lock, a fresh look at its row, credentials opened
/// just in time, every stream, then the schedule bookkeeping. Owned by one worker.
struct SourcePoller {
    let worker: PollerWorker
    let run: PollerRun

    func poll(_ due: DueSource) -> SourceResult {
        let started = RateLimiter.monotonicSeconds()
        var log = run.logger
        log[metadataKey: "source.id"] = "\(due.sourceID)"
        log[metadataKey: "tenant.id"] = "\(due.tenantID)"
        log[metadataKey: "platform"] = "\(due.platform.rawValue)"
        var result = SourceResult(sourceID: due.sourceID, outcome: "skipped")

        do {
            guard try worker.store.tryLock(sourceID: due.sourceID) else {
                log.info("source skipped", metadata: ["reason": "locked by another poller"])
                result.reason = "locked by another poller"
                return result
            }
        } catch {
            result.outcome = "error"
            result.reason = error.description
            log.error("source lock failed", metadata: ["error": "\(error.debugDescription)"])
            return result
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
            result.outcome = "error"
            result.reason = error.description
            return result
        }
        let now = clock.now()

        let requestsBefore = worker.http.requests
        var failure: ProviderError?
        var backlogLeft = false
        var streamResults: [StreamResult] = []
        do throws(ProviderError) {
            let provider = try makeProvider(source, logger: log)
            // An unreadable cursor fails loudly: starting over would re-send or skip days of events.
            guard let cursor = try? JSONValue.parse(Array(source.cursorJSON.utf8)) else {
                throw ProviderError(.configuration, "the stored cursor is not JSON; rewind each stream (PUT …/checkpoints/{stream})")
            }
            let settings = (try? JSONValue.parse(Array(source.settingsJSON.utf8))) ?? .object([])
            let origin = EventOrigin(tenantID: source.tenantID, sourceID: source.sourceID, platform: source.platform.rawValue)
            let streams = provider.streams
            var states: [String: CursorState] = [:]
            var pending: [StreamSpec] = []
            var byStream: [String: StreamResult] = [:]
            for stream in streams {
                do {
                    states[stream.name] = try CursorState(cursor: cursor, stream: stream.name)
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
            while !pending.isEmpty, turns < 10_000 {
                turns += 1
                let active = pending
                pending = []
                for (index, stream) in active.enumerated() {
                    let rules = CursorRules(
                        initialLookbackSeconds: Int64(settings["initial_lookback_minutes"]?.intValue ?? 1440) * 60,
                        overlapSeconds: settings["overlap_minutes"]?.intValue.map { Int64($0) * 60 } ?? stream.defaultOverlapSeconds,
                        maxSliceSeconds: 24 * 3600,
                        maxSeen: settings["dedup_max_ids"]?.intValue ?? CursorRules.defaultMaxSeen)
                    let monotonic = RateLimiter.monotonicSeconds()
                    let share = monotonic + max(0, run.softDeadline - monotonic) / Double(active.count - index)
                    let poller = StreamPoller(
                        provider: provider, stream: stream, rules: rules, origin: origin, publisher: worker.publisher,
                        store: worker.store, clock: clock, deliveryTimeout: .seconds(run.configuration.deliveryTimeoutSeconds),
                        softDeadline: min(share, run.softDeadline),
                        pagesPerTurn: active.count > 1 ? StreamPoller.defaultPagesPerTurn : nil, logger: log)
                    let outcome = poller.poll(from: states[stream.name] ?? CursorState(checkpoint: nil, sliceSeconds: nil), now: now)
                    byStream[stream.name, default: StreamResult(stream: stream.name)].merge(outcome)
                    states[stream.name] = outcome.state
                    // Another poller may be polling the source now: no further turn, no write.
                    if outcome.error?.kind == .lockLost { pending = []; break }
                    if outcome.error == nil && outcome.backlogLeft { pending.append(stream) }
                }
                if RateLimiter.monotonicSeconds() >= run.softDeadline { break }
            }
            for stream in streams {
                guard let streamResult = byStream[stream.name] else { continue }
                streamResults.append(streamResult)
                if let error = streamResult.error, failure == nil {
                    failure = ProviderError(error.kind, "\(stream.name): \(error.message)")
                }
                backlogLeft = backlogLeft || streamResult.backlogLeft
            }
        } catch {
            failure = error
        }

        result.events = streamResults.reduce(0) { $0 + $1.events }
        result.pages = streamResults.reduce(0) { $0 + $1.pages }
        let duration = Int((RateLimiter.monotonicSeconds() - started) * 1000)
        let outcome = PollOutcome(success: failure == nil, polledAt: clock.now().rfc3339,
                                  error: failure?.description, events: result.events, durationMs: duration,
                                  backlogLeft: backlogLeft)
        // Recorded only on the session that still holds the lock (nothing once it is lost).
        let recorded = failure?.kind == .lockLost ? nil : try? worker.bookkeeping.record(
            sourceID: source.sourceID, outcome: outcome, maxConsecutiveFailures: run.configuration.maxConsecutiveFailures,
            session: worker.store.lockSession(sourceID: source.sourceID))
        result.outcome = failure == nil ? "success" : "error"
        result.reason = failure?.description
        var metadata: Logger.Metadata = [
            "outcome": "\(result.outcome)", "events": "\(result.events)", "pages": "\(result.pages)",
            "requests": "\(worker.http.requests - requestsBefore)", "duration_ms": "\(duration)",
            "duplicates_skipped": "\(streamResults.reduce(0) { $0 + $1.skippedDuplicates })",
            "backlog_left": "\(backlogLeft)",
            "events_truncated": "\(streamResults.reduce(0) { $0 + $1.truncated })",
            "records_dropped": "\(streamResults.reduce(0) { $0 + $1.dropped })",
            "streams": .dictionary(Dictionary(uniqueKeysWithValues: streamResults.map {
                ($0.stream, Logger.MetadataValue.string($0.error == nil ? "ok \($0.events)" : "error"))
            })),
        ]
        if let failure { metadata["error"] = "\(failure.description)"; metadata["error.kind"] = "\(failure.kind)" }
        if let recorded {
            metadata["next_poll_time"] = "\(recorded.nextPollTime)"
            metadata["error_count"] = "\(recorded.errorCount)"
            if !recorded.isEnabled { metadata["disabled_reason"] = "\(recorded.disabledReason ?? "")" }
        }
        if failure == nil { log.info("source polled", metadata: metadata) } else { log.error("source polled", metadata: metadata) }
        return result
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
