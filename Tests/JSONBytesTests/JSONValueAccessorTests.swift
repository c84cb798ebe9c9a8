import JSONBytes
import Testing

@Suite("JSONValue accessors")
struct JSONValueAccessorTests {
    static let integers: [(text: String, value: Int?)] = [
        ("12", 12), ("-0", 0), ("1.0", 1), ("25e2", 2500), ("100e-2", 1), ("0.000", 0),
        ("0e999999", 0), ("9223372036854775807", .max), ("-9223372036854775808", .min),
        ("9223372036854775808", nil), ("-9223372036854775809", nil), ("1.5", nil),
        ("1e30", nil), ("1E-2", nil), ("123456789012345678901234567890", nil),
    ]

    @Test(arguments: integers)
    func intValueIsExactOrNil(text: String, value: Int?) throws {
        #expect(JSONValue.number(text).intValue == value)
        #expect(try RawJSON(validating: text).intValue == value)
    }

    @Test func intValueOfMalformedNumberTextIsNil() {
        for text in ["", "-", "abc", "01", "1.", "1e", "1x", " 1"] {
            #expect(JSONValue.number(text).intValue == nil, "\(text)")
        }
        #expect(JSONValue.string("1").intValue == nil)
    }

    @Test func accessorsMatchTheKind() throws {
        let doc = try JSONValue.parse(Array(#"{"s":"x","b":false,"n":null,"d":2.5,"a":[1,2]}"#.utf8))
        #expect(doc["s"]?.stringValue == "x")
        #expect(doc["s"]?.boolValue == nil)
        #expect(doc["b"]?.boolValue == false)
        #expect(doc["n"]?.isNull == true)
        #expect(doc["s"]?.isNull == false)
        #expect(doc["d"]?.doubleValue == 2.5)
        #expect(doc["d"]?.intValue == nil)
        #expect(doc["a"]?[1]?.intValue == 2)
        #expect(doc["a"]?[2] == nil)
        #expect(doc["a"]?.arrayValue?.count == 2)
        #expect(doc.objectValue?.map(\.key) == ["s", "b", "n", "d", "a"])
        #expect(doc["missing"] == nil)
        #expect(doc["a"]?["s"] == nil)
    }

    @Test func equalityComparesObjectsMemberByMemberInOrder() {
        let ab = JSONValue.object([("a", .number("1")), ("b", .number("2"))])
        let ba = JSONValue.object([("b", .number("2")), ("a", .number("1"))])
        #expect(ab == ab)
        #expect(ab != ba)
        #expect(ab != .object([("a", .number("1"))]))
        #expect(JSONValue.number("1") != .number("1.0"))
        #expect(JSONValue.array([.null]) != .array([.bool(false)]))
        #expect(JSONValue.string("1") != .number("1"))
    }
}
