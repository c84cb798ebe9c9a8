public import Providers
/// The source's own outcome, from what its streams did. A stream's failure is the
/// stream's; the source fails only when what failed is the source: it could not be set
/// up, its credentials were refused, or every stream it tried failed.
public struct SourceVerdict: Sendable {
    public enum Outcome: String, Sendable {
        /// Every stream tried delivered.
        case success
        /// Some delivered, some failed: the source is not failing, its failing streams are.
        case partial
        case failure
        /// No stream was due (all backing off or disabled).
        case idle
    }

    public var outcome: Outcome
    /// For the log line and, on failure, the source's last_error.
    public var error: ProviderError?

    /// Credentials refused fail every stream alike: that is the source's failure, not the streams'.
    public static func chargedToSource(_ error: ProviderError) -> Bool { error.kind == .badCredentials }

    public static func judge(setupFailure: ProviderError?, attempts: [(stream: String, attempt: StreamAttempt)]) -> SourceVerdict {
        if let setupFailure { return SourceVerdict(outcome: .failure, error: setupFailure) }
        var tried = 0
        var failures: [ProviderError] = []
        for (stream, attempt) in attempts {
            guard case .polled(let failure, _, _) = attempt else { continue }
            tried += 1
            if let failure { failures.append(ProviderError(failure.kind, "\(stream): \(failure.message)")) }
        }
        if tried == 0 { return SourceVerdict(outcome: .idle, error: nil) }
        if let sourceWide = failures.first(where: chargedToSource) { return SourceVerdict(outcome: .failure, error: sourceWide) }
        if failures.isEmpty { return SourceVerdict(outcome: .success, error: nil) }
        return SourceVerdict(outcome: failures.count == tried ? .failure : .partial, error: failures.first)
    }

    /// The source-level transitions of this verdict, given the error count before it.
    public func transitions(priorErrors: Int, maxFailures: Int) -> [HealthTransition] {
        switch outcome {
        case .failure:
            let count = priorErrors + 1
            let reason = error?.description ?? "unknown error"
            let kind = error.map { "\($0.kind)" }
            if count >= maxFailures {
                return [HealthTransition(stream: nil, activity: "source_disabled", failure: true, state: "disabled",
                                         reason: reason, errorKind: kind, errorCount: count)]
            }
            return priorErrors == 0
                ? [HealthTransition(stream: nil, activity: "source_failed", failure: true, state: "failing",
                                    reason: reason, errorKind: kind, errorCount: count)]
                : []
        case .success, .partial:
            return priorErrors > 0
                ? [HealthTransition(stream: nil, activity: "source_recovered", failure: false, state: "ok",
                                    reason: "delivering again", errorKind: nil, errorCount: 0)]
                : []
        case .idle:
            return []
        }
    }
}
