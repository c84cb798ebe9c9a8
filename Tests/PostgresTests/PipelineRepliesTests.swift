@testable import Postgres
import Testing

/// Reading a pipeline's results: exactly one reply and one end per statement, then the sync;
/// anything else (a connection lost mid-pipeline) is broken, never misattributed.
@Suite struct PipelineRepliesTests {
    private func read(_ statements: Int, _ events: [PipelineEvent<String>]) -> PipelineReplies<String> {
        var reader = PipelineReplies<String>(statements: statements)
        for event in events { reader.read(event) }
        return reader
    }

    private func replies(_ reader: PipelineReplies<String>) -> [String]? {
        if case .complete(let replies) = reader.state { return replies }
        return nil
    }

    private func isBroken(_ reader: PipelineReplies<String>) -> Bool {
        if case .broken = reader.state { return true }
        return false
    }

    @Test func settingThenStatementComplete() {
        let reader = read(2, [.reply("set"), .endOfStatement, .reply("rows"), .endOfStatement, .sync])
        #expect(replies(reader) == ["set", "rows"])
    }

    /// A failed setting: the statement's reply is PGRES_PIPELINE_ABORTED, still one reply.
    @Test func anAbortedStatementStillCountsAsItsReply() {
        let reader = read(2, [.reply("error"), .endOfStatement, .reply("aborted"), .endOfStatement, .sync])
        #expect(replies(reader) == ["error", "aborted"])
    }

    @Test func stillReadingBeforeTheSync() {
        let reader = read(2, [.reply("set"), .endOfStatement, .reply("rows"), .endOfStatement])
        guard case .reading = reader.state else { Issue.record("not reading: \(reader.state)"); return }
    }

    /// libpq's null over and over on a dead connection: broken at the second, not a loop.
    @Test(arguments: [
        [PipelineEvent<String>.endOfStatement],
        [.reply("error"), .endOfStatement, .endOfStatement],
        [.reply("set"), .reply("rows")],
        [.reply("set"), .endOfStatement, .sync],
        [.reply("a"), .endOfStatement, .reply("b"), .endOfStatement, .reply("c")],
    ])
    func aPipelineThatDoesNotAddUpIsBroken(events: [PipelineEvent<String>]) {
        #expect(isBroken(read(2, events)))
    }

    @Test func anUnexpectedReplyIsKeptToBeFreed() {
        let reader = read(1, [.reply("a"), .endOfStatement, .reply("extra")])
        #expect(isBroken(reader))
        #expect(reader.received == ["a", "extra"])
    }

    @Test func eventsAfterTheEndAreIgnored() {
        let reader = read(1, [.reply("a"), .endOfStatement, .sync, .reply("late")])
        #expect(replies(reader) == ["a"])
    }
}
