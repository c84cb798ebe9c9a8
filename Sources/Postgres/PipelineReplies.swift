/// What PQgetResult hands back while a pipeline of single-result statements is read.
enum PipelineEvent<Reply> {
    /// A statement's result (also PGRES_PIPELINE_ABORTED for one skipped after an error).
    case reply(Reply)
    /// The null that closes each statement's results.
    case endOfStatement
    /// PGRES_PIPELINE_SYNC: the pipeline is over.
    case sync
}

/// Reads a pipeline's events in order: per statement exactly one reply, then its end, then
/// the sync. Anything else (a connection lost mid-pipeline shows as missing or extra
/// results) is `broken`, so the caller stops reading and drops the session instead of
/// guessing which reply belongs to which statement.
struct PipelineReplies<Reply> {
    enum State {
        case reading
        case complete([Reply])
        case broken(String)
    }

    private let statements: Int
    private var replies: [Reply] = []
    private var awaitingEnd = false
    private(set) var state = State.reading

    init(statements: Int) { self.statements = statements }

    mutating func read(_ event: PipelineEvent<Reply>) {
        guard case .reading = state else { return }
        switch (event, awaitingEnd) {
        case (.reply(let reply), false) where replies.count < statements:
            replies.append(reply)
            awaitingEnd = true
        case (.endOfStatement, true):
            awaitingEnd = false
        case (.sync, false) where replies.count == statements:
            state = .complete(replies)
        case (.reply(let reply), _):
            replies.append(reply)
            state = .broken("a result beyond the \(statements) statements sent")
        case (.endOfStatement, false):
            state = .broken("statement \(replies.count + 1) of \(statements) returned no result")
        case (.sync, _):
            state = .broken("the pipeline ended after \(replies.count) of \(statements) results")
        }
    }

    /// Every reply read so far, an unexpected one included (to be freed when broken).
    var received: [Reply] { replies }
}

extension PipelineEvent: Sendable where Reply: Sendable {}
