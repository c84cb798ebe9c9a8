public import Curl
public import Providers
internal import Synchronization
public import Testing

/// An `HTTPTransport` that answers from a script: each request must match the next expected
/// exchange, in order, and gets its recorded reply. Every request is recorded for assertions.
/// A request that does not match, or comes after the script is exhausted, fails the current
/// test (an issue naming the request and what was expected) and gets a non-retryable transport
/// error, so the code under test stops instead of looping.
public final class ScriptedTransport: HTTPTransport, Sendable {
    public struct Exchange: Sendable {
        public var matcher: RequestMatcher
        public var reply: ScriptedReply
        public init(_ matcher: RequestMatcher, _ reply: ScriptedReply) {
            self.matcher = matcher
            self.reply = reply
        }
    }

    private struct State {
        var script: [Exchange]
        var next = 0
        var requests: [RecordedRequest] = []
        var problems: [String] = []
    }

    private let state: Mutex<State>
    /// Called with each request as it is sent (e.g. to move a fake clock as a slow server would).
    private let onSend: (@Sendable (RecordedRequest) -> Void)?
    /// Where the transport was made: the test that a stray request fails is reported there.
    private let sourceLocation: SourceLocation

    public init(_ script: [Exchange] = [], onSend: (@Sendable (RecordedRequest) -> Void)? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) {
        state = Mutex(State(script: script))
        self.onSend = onSend
        self.sourceLocation = sourceLocation
    }

    /// Appends an exchange to the script.
    public func expect(_ matcher: RequestMatcher, _ reply: ScriptedReply) {
        state.withLock { $0.script.append(Exchange(matcher, reply)) }
    }

    /// Appends the same exchange `times` times.
    public func expect(_ matcher: RequestMatcher, _ reply: ScriptedReply, times: Int) {
        for _ in 0..<times { expect(matcher, reply) }
    }

    /// Every request sent so far, in order.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }
    /// Exchanges of the script not used yet.
    public var remaining: Int { state.withLock { $0.script.count - $0.next } }
    /// What went wrong: unexpected requests and requests past the script's end.
    public var problems: [String] { state.withLock { $0.problems } }

    public func send(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse {
        let recorded = RecordedRequest(request)
        onSend?(recorded)
        let outcome: Result<ScriptedReply, CurlError> = state.withLock { state in
            state.requests.append(recorded)
            let number = state.requests.count
            guard state.next < state.script.count else {
                let problem = "request \(number), \(recorded), came after the script's \(state.script.count) exchanges"
                state.problems.append(problem)
                return .failure(CurlError(.invalidRequest, "ScriptedTransport: \(problem)"))
            }
            let exchange = state.script[state.next]
            if let mismatch = exchange.matcher.mismatch(recorded) {
                let problem = "request \(number), \(recorded), is not the expected \(exchange.matcher): \(mismatch)"
                state.problems.append(problem)
                return .failure(CurlError(.invalidRequest, "ScriptedTransport: \(problem)"))
            }
            state.next += 1
            return .success(exchange.reply)
        }
        switch outcome {
        case .failure(let error):
            Issue.record(Comment(rawValue: error.message), sourceLocation: sourceLocation)
            throw error
        case .success(.response(let response)):
            return response
        case .success(.failure(let error)):
            throw error
        }
    }
}
