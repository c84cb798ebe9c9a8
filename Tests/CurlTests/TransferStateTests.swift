import Testing
@testable import Curl

/// The response body buffer: reserved once from Content-Length, so a megabyte page is not
/// grown by doubling (each growth copies it and touches fresh pages).
@Suite struct TransferStateTests {
    private func received(_ lines: [String], maxBytes: Int) -> TransferState {
        let state = TransferState(maxBytes: maxBytes)
        state.reset()
        for line in lines {
            var line = line + "\r\n"
            _ = line.withUTF8 { state.header($0) }
        }
        return state
    }

    @Test func contentLengthReservesTheWholeBody() {
        let state = received(["HTTP/1.1 200 OK", "Content-Type: application/json", "Content-Length: 1150269"],
                             maxBytes: 64 << 20)
        #expect(state.body.capacity >= 1_150_269)
        #expect(state.body.isEmpty)
    }

    @Test(arguments: ["Content-Length: 99999999", "Content-Length: -5", "Content-Length: 12x", "Content-Length:"])
    func anOversizedOrBogusContentLengthReservesNothingExtra(line: String) {
        let state = received(["HTTP/1.1 200 OK", line], maxBytes: 1 << 20)
        #expect(state.body.capacity < 1 << 20)
    }

    @Test func theBodyStillGrowsPastAShortContentLength() {
        let state = received(["HTTP/1.1 200 OK", "Content-Length: 10"], maxBytes: 1 << 20)
        let chunk = [UInt8](repeating: 0x61, count: 40_000)
        #expect(chunk.withUnsafeBufferPointer { state.append($0) })
        #expect(state.takeBody() == chunk)
    }
}
