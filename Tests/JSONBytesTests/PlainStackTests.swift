import Testing
@testable import JSONBytes

/// The validator's bookkeeping stack: growth keeps what was pushed, truncation and pops
/// give back exactly what is on top.
@Suite struct PlainStackTests {
    @Test func growsPastItsCapacityKeepingEveryElement() {
        var stack = PlainStack<Int>(capacity: 2)
        defer { stack.deallocate() }
        for k in 0..<1_000 { stack.append(k) }
        #expect(stack.count == 1_000 && stack.last == 999)
        #expect(Array(stack.elements(from: 990)) == Array(990..<1_000))
        stack[500] = -1
        #expect(stack[500] == -1)
    }

    @Test func popsAndTruncatesFromTheTop() {
        var stack = PlainStack<Int>(capacity: 4)
        defer { stack.deallocate() }
        for k in 1...6 { stack.append(k) }
        #expect(stack.removeLast() == 6)
        stack.removeAll(from: 2)
        #expect(stack.count == 2 && stack.last == 2 && Array(stack.elements(from: 0)) == [1, 2])
        _ = stack.removeLast(); _ = stack.removeLast()
        #expect(stack.last == nil && stack.count == 0)
    }

    @Test func aDocumentDeeperThanTheInitialStacksValidates() throws {
        // 60 nested objects of 40 keys each: both stacks grow several times mid-document.
        var text = ""
        var repeated = ""
        for depth in 0..<60 {
            // The same document with one key repeated at the deepest level.
            repeated += "{" + (0..<40).map { "\"k\(depth)_\(depth == 59 && $0 == 39 ? 0 : $0)\":\($0)," }.joined() + "\"child\":"
            text += "{" + (0..<40).map { "\"k\(depth)_\($0)\":\($0)," }.joined() + "\"child\":"
        }
        text += "true" + String(repeating: "}", count: 60)
        repeated += "true" + String(repeating: "}", count: 60)
        _ = try RawJSON(validating: text)
        #expect(throws: JSONError.self) { try RawJSON(validating: repeated) }
    }
}
