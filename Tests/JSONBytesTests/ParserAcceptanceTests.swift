import JSONBytes
import Testing

@Suite("JSONValue.parse accepts RFC 8259 texts")
struct ParserAcceptanceTests {
    static let cases: [(text: String, expected: JSONValue)] = [
        ("null", .null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .number("0")),
        ("-0", .number("-0")),
        ("1.5e-3", .number("1.5e-3")),
        ("-12.50E+2", .number("-12.50E+2")),
        ("1E400", .number("1E400")),
        ("123456789012345678901234567890", .number("123456789012345678901234567890")),
        (#""x""#, .string("x")),
        (" \t\r\n[ ] \n", .array([])),
        ("{}", .object([])),
        ("[[]]", .array([.array([])])),
        (#"{"a":{"b":[1,"2",null,true]}}"#,
         .object([("a", .object([("b", .array([.number("1"), .string("2"), .null, .bool(true)]))]))])),
        (#""\u00e9\ud83d\ude00\/\b\f\n\r\t\\\"""#, .string("é😀/\u{8}\u{c}\n\r\t\\\"")),
        (#""\u0000""#, .string("\u{0}")),
        (#""\uFFFF\uDBFF\uDFFF""#, .string("\u{FFFF}\u{10FFFF}")),
        (#""Søren Müller 😀 ह""#, .string("Søren Müller 😀 ह")),
        ("\"\u{7F}\"", .string("\u{7F}")),
        (#"{"":1}"#, .object([("", .number("1"))])),
        (#"{"a":1,"A":2}"#, .object([("a", .number("1")), ("A", .number("2"))])),
        (#"{"b":1,"a":2}"#, .object([("b", .number("1")), ("a", .number("2"))])),
        // Equal keys at different levels or in sibling objects are not duplicates.
        (#"{"x":{"a":1},"a":1}"#, .object([("x", .object([("a", .number("1"))])), ("a", .number("1"))])),
        (#"[{"a":1},{"a":1}]"#, .array([.object([("a", .number("1"))]), .object([("a", .number("1"))])])),
        (#" { "k" : [ 1 , 2 ] } "#, .object([("k", .array([.number("1"), .number("2")]))])),
    ]

    @Test(arguments: cases)
    func accepts(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
        // The scanner validates with the same rules and decodes to the same tree.
        #expect(try RawJSON(validating: text).decoded() == expected)
    }

    @Test func acceptsAnyContiguousOrNonContiguousCollection() throws {
        let text = #"{"a":[1,2]}"#
        let expected = JSONValue.object([("a", .array([.number("1"), .number("2")]))])
        #expect(try JSONValue.parse(text.utf8) == expected)
        #expect(try JSONValue.parse(Array(text.utf8)[...]) == expected)
        #expect(try JSONValue.parse(text.utf8.lazy.map { $0 }) == expected)
    }

    @Test func nestingUpToMaxDepthIsAccepted() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONValue.parse(Array(deep.utf8))
        _ = try JSONValue.parse(Array("[[1]]".utf8), maxDepth: 2)
    }

    @Test func largeObjectsAreCheckedForDuplicatesInLinearTime() throws {
        // Past 16 keys the duplicate check switches to hashing; make sure both
        // regimes accept distinct keys and catch a late duplicate.
        let keys = (0..<5000).map { #""k\#($0)":\#($0)"# }
        let text = "{" + keys.joined(separator: ",") + "}"
        guard case .object(let members) = try JSONValue.parse(Array(text.utf8)) else {
            Issue.record("not an object")
            return
        }
        #expect(members.count == 5000)
        #expect(members[4999].key == "k4999")

        let duplicated = "{" + keys.joined(separator: ",") + #","k17":0}"#
        #expect(throws: JSONError(offset: text.utf8.count, reason: #"duplicate key "k17""#)) {
            try JSONValue.parse(Array(duplicated.utf8))
        }
        let escapedDuplicate = "{" + keys.joined(separator: ",") + #","\u006b20":0}"#
        #expect(throws: JSONError(offset: text.utf8.count, reason: #"duplicate key "k20""#)) {
            try RawJSON(validating: escapedDuplicate)
        }
    }
}
