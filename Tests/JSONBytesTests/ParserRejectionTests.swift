import JSONBytes
import Testing

/// One malformed input, its expected error, and a label for the test report.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var offset: Int
    var reason: String
    var label: String

    init(_ text: String, _ offset: Int, _ reason: String) {
        self.init(Array(text.utf8), offset, reason, label: text)
    }

    init(_ bytes: [UInt8], _ offset: Int, _ reason: String, label: String) {
        self.bytes = bytes
        self.offset = offset
        self.reason = reason
        self.label = label
    }

    var testDescription: String { "\(label.debugDescription) → \(reason)" }
}

@Suite("JSONValue.parse rejects malformed texts")
struct ParserRejectionTests {
    static let structure: [RejectionCase] = [
        RejectionCase("", 0, "unexpected end of input"),
        RejectionCase("   ", 3, "unexpected end of input"),
        RejectionCase("{", 1, "unexpected end of input"),
        RejectionCase("[1,2", 4, "unexpected end of input"),
        RejectionCase(#"{"a":"#, 5, "unexpected end of input"),
        RejectionCase(#"{"a":1,}"#, 7, "expected a string key"),
        RejectionCase("{1:2}", 1, "expected a string key"),
        RejectionCase("{'a':1}", 1, "expected a string key"),
        RejectionCase("[1,]", 3, "expected a value"),
        RejectionCase("[,1]", 1, "expected a value"),
        RejectionCase(#"{"a" 1}"#, 5, "expected ':'"),
        RejectionCase(#"{"a":1 "b":2}"#, 7, "expected ',' or '}'"),
        RejectionCase(#"{"a":1]"#, 6, "expected ',' or '}'"),
        RejectionCase("[1 2]", 3, "expected ',' or ']'"),
        RejectionCase("[1}", 2, "expected ',' or ']'"),
        RejectionCase(#"{"a":1}x"#, 7, "unexpected data after the JSON value"),
        RejectionCase("{} {}", 3, "unexpected data after the JSON value"),
        RejectionCase("[1,2]]", 5, "unexpected data after the JSON value"),
        RejectionCase("nulll", 4, "unexpected data after the JSON value"),
        RejectionCase("/* c */ {}", 0, "expected a value"),
        RejectionCase("\u{C}{}", 0, "expected a value"),
        RejectionCase("\u{A0}{}", 0, "expected a value"),
        RejectionCase("\u{FEFF}{}", 0, "expected a value"),
    ]

    static let scalars: [RejectionCase] = [
        RejectionCase("01", 0, "leading zero in number"),
        RejectionCase("-01", 1, "leading zero in number"),
        RejectionCase("[00]", 1, "leading zero in number"),
        RejectionCase("1.", 2, "unexpected end of input"),
        RejectionCase("1.e5", 2, "expected a digit after '.'"),
        RejectionCase("1e", 2, "unexpected end of input"),
        RejectionCase("[1e+]", 4, "expected a digit after exponent"),
        RejectionCase("-", 1, "unexpected end of input"),
        RejectionCase("-a", 1, "expected a digit"),
        RejectionCase("+1", 0, "expected a value"),
        RejectionCase(".5", 0, "expected a value"),
        RejectionCase("NaN", 0, "expected a value"),
        RejectionCase("[Infinity]", 1, "expected a value"),
        RejectionCase("True", 0, "expected a value"),
        RejectionCase("tru", 3, "unexpected end of input"),
        RejectionCase("[trux]", 1, "invalid literal"),
        RejectionCase("nul", 3, "unexpected end of input"),
    ]

    static let strings: [RejectionCase] = [
        RejectionCase(#""abc"#, 4, "unexpected end of input"),
        RejectionCase(#"{"a":"b}"#, 8, "unexpected end of input"),
        RejectionCase(#""\x""#, 1, "invalid escape sequence"),
        RejectionCase(#""\'""#, 1, "invalid escape sequence"),
        RejectionCase(#""\u12""#, 5, #"expected a hex digit in \u escape"#),
        RejectionCase(#""\u12G4""#, 5, #"expected a hex digit in \u escape"#),
        RejectionCase(#""\ud800""#, 1, #"lone surrogate in \u escape"#),
        RejectionCase(#""\udc00""#, 1, #"lone surrogate in \u escape"#),
        RejectionCase(#""\ud800\u0041""#, 1, #"lone surrogate in \u escape"#),
        RejectionCase(#""\ud800\ud800""#, 1, #"lone surrogate in \u escape"#),
        RejectionCase(#""x\ud83dabc""#, 2, #"lone surrogate in \u escape"#),
        RejectionCase(#""\ude00\ud83d""#, 1, #"lone surrogate in \u escape"#),
        RejectionCase("\"a\tb\"", 2, "control character in string"),
        RejectionCase("\"a\nb\"", 2, "control character in string"),
        RejectionCase("[\"\u{0}\"]", 2, "control character in string"),
        RejectionCase("\"0123456789abcdef\u{1F}\"", 17, "control character in string"),
        RejectionCase(#"{"a":1,"a":2}"#, 7, #"duplicate key "a""#),
        RejectionCase(#"{"a":1,"\u0061":2}"#, 7, #"duplicate key "a""#),
        RejectionCase(#"{"x":{"q\"":1,"b":2,"q\"":3}}"#, 20, #"duplicate key "q\"""#),
    ]

    static let encoding: [RejectionCase] = [
        RejectionCase([0x22, 0xFF, 0x22], 1, "invalid UTF-8", label: "0xFF"),
        RejectionCase([0x22, 0x80, 0x22], 1, "invalid UTF-8", label: "lone continuation byte"),
        RejectionCase([0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8", label: "overlong '/' (2 bytes)"),
        RejectionCase([0x22, 0xE0, 0x80, 0xAF, 0x22], 1, "invalid UTF-8", label: "overlong '/' (3 bytes)"),
        RejectionCase([0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], 1, "invalid UTF-8", label: "overlong U+FFFF"),
        RejectionCase([0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8", label: "UTF-8 encoded surrogate"),
        RejectionCase([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "invalid UTF-8", label: "above U+10FFFF"),
        RejectionCase([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1, "invalid UTF-8", label: "0xF5 lead"),
        RejectionCase([0x22, 0xC3, 0x28, 0x22], 1, "invalid UTF-8", label: "bad continuation"),
        RejectionCase([0x22, 0xE2, 0x82, 0x22], 1, "invalid UTF-8", label: "short 3-byte sequence"),
        RejectionCase([0x22, 0x61, 0xC3], 3, "unexpected end of input", label: "truncated mid-character"),
        RejectionCase([0x22, 0xF0, 0x9F, 0x98], 4, "unexpected end of input", label: "truncated emoji"),
        RejectionCase([0x5B, 0xFF, 0x5D], 1, "expected a value", label: "0xFF outside a string"),
        RejectionCase([0x22] + Array("0123456789".utf8) + [0xC3, 0xA9, 0xFF, 0x22], 13, "invalid UTF-8",
                      label: "invalid byte after a valid run"),
    ]

    @Test(arguments: structure + scalars + strings + encoding)
    func rejects(_ input: RejectionCase) {
        let expected = JSONError(offset: input.offset, reason: input.reason)
        #expect(throws: expected) { try JSONValue.parse(input.bytes) }
        // The scanner's validating pass is the same one.
        #expect(throws: expected) { try RawJSON(validating: input.bytes) }
    }

    @Test func nestingDeeperThanMaxDepthIsRejected() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONError(offset: 64, reason: "nesting deeper than 64")) {
            try JSONValue.parse(Array(deep.utf8))
        }
        #expect(throws: JSONError(offset: 5, reason: "nesting deeper than 1")) {
            try RawJSON(validating: #"{"a":{}}"#, maxDepth: 1)
        }
        // Far beyond any stack: still a clean error, the validator is iterative.
        let hostile = [UInt8](repeating: 0x5B, count: 1_000_000)
        #expect(throws: JSONError(offset: 1_000_000, reason: "unexpected end of input")) {
            try RawJSON(validating: hostile, maxDepth: .max)
        }
    }

    @Test func errorDescriptionNamesOffsetAndReason() {
        let error = JSONError(offset: 7, reason: "expected ',' or '}'")
        #expect(error.description == "invalid JSON at byte 7: expected ',' or '}'")
    }
}
