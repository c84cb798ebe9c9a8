import JSONBytes
import Testing

@Suite("JSONPathSelector")
struct PathSelectorTests {
    static let document = #"""
        {"a":1,"b":{"c":"x","d":{"e":null,"f":[1,{"g":2}]},"h":"y"},"s":"str","n":null,
         "k\"q":true,"esc\u0061ped":"yes","last":{"z":0}}
        """#

    static let lookups: [(path: [String], text: String?)] = [
        ([], nil),  // replaced below by the whole document
        (["a"], "1"),
        (["b", "c"], #""x""#),
        (["b", "d", "e"], "null"),
        (["b", "d", "f"], #"[1,{"g":2}]"#),
        (["b", "d", "f", "g"], nil),  // through an array: absent
        (["b", "h"], #""y""#),
        (["b", "missing"], nil),
        (["s", "t"], nil),  // through a string
        (["n", "t"], nil),  // through null
        (["k\"q"], "true"),
        (["escaped"], #""yes""#),
        (["esc\\u0061ped"], nil),  // the raw spelling is not the key
        (["last", "z"], "0"),
        (["nope"], nil),
    ]

    /// Keys longer than a word that share their first 8 bytes and their length, differing
    /// at one byte each: the comparison past the prefix must see every byte.
    @Test(arguments: [9, 15, 16, 17, 24, 25, 31])
    func longKeysDifferingInOneLaterByte(length: Int) throws {
        let base = Array("abcdefgh".utf8) + (8..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        var variants: [String] = []
        for position in 8..<length {
            var key = base
            key[position] = UInt8(ascii: "Z")
            variants.append(String(decoding: key, as: UTF8.self))
        }
        let wanted = String(decoding: base, as: UTF8.self)
        let members = variants.enumerated().map { #""\#($0.element)":\#($0.offset)"# } + [#""\#(wanted)":"hit""#]
        let json = try RawJSON(validating: "{" + members.joined(separator: ",") + "}")
        let found = JSONPathSelector([[wanted]] + variants.map { [$0] }).select(in: json)
        #expect(found[0]?.text == #""hit""#)
        for (offset, _) in variants.enumerated() { #expect(found[offset + 1]?.text == "\(offset)") }
        #expect(JSONPathSelector([[wanted + "x"], [String(wanted.dropLast())]]).select(in: json).allSatisfy { $0 == nil })
    }

    @Test func selectsEveryPathInOnePass() throws {
        let json = try RawJSON(validating: Self.document)
        let selector = JSONPathSelector(Self.lookups.map(\.path))
        let found = selector.select(in: json)
        #expect(found.count == Self.lookups.count)
        #expect(found[0]?.range == json.range)
        for (index, lookup) in Self.lookups.enumerated().dropFirst() {
            #expect(found[index]?.text == lookup.text, "\(lookup.path)")
            // The subscript path walk gives the same answers.
            #expect(json[path: lookup.path]?.text == lookup.text, "\(lookup.path)")
        }
    }

    @Test(arguments: lookups.dropFirst())
    func selectsEachPathAlone(path: [String], text: String?) throws {
        let json = try RawJSON(validating: Self.document)
        #expect(JSONPathSelector([path]).select(in: json)[0]?.text == text)
    }

    @Test func repeatedAndPrefixPathsAreAllAnswered() throws {
        let json = try RawJSON(validating: Self.document)
        let found = JSONPathSelector([["b"], ["b", "d", "e"], ["b"], ["b", "d"], ["last"]]).select(in: json)
        #expect(found.map { $0?.kind } == [.object, .null, .object, .object, .object])
        #expect(found[0]?.range == found[2]?.range)
        #expect(found[3]?.text == #"{"e":null,"f":[1,{"g":2}]}"#)
        #expect(found[4]?.text == #"{"z":0}"#)
    }

    @Test func stopsEarlyWithoutLosingAnswers() throws {
        // Everything wanted is in the first members; the rest of the object is
        // never looked at, which must not change any result.
        let json = try RawJSON(validating: #"{"x":{"y":1,"z":{"deep":[1,2]}},"w":2,"tail":[{"big":"]}"}]}"#)
        let found = JSONPathSelector([["x", "y"], ["x", "q", "r"], ["w"]]).select(in: json)
        #expect(found.map { $0?.text } == ["1", nil, "2"])
        let other = JSONPathSelector([["x", "y"], ["tail"]]).select(in: json)
        #expect(other.map { $0?.text } == ["1", #"[{"big":"]}"}]"#])
    }

    @Test func nonObjectsAnswerOnlyTheEmptyPath() throws {
        let json = try RawJSON(validating: "[1,2]")
        let found = JSONPathSelector([["a"], []]).select(in: json)
        #expect(found[0] == nil)
        #expect(found[1]?.text == "[1,2]")
        let empty = try RawJSON(validating: "{ }")
        #expect(JSONPathSelector([["a"], ["a", "b"]]).select(in: empty).allSatisfy { $0 == nil })
        #expect(JSONPathSelector([]).select(in: empty).isEmpty)
    }

    @Test func selectIntoReusesAndClearsTheResults() throws {
        let selector = JSONPathSelector([["id"], ["user", "name"]])
        var results: [RawJSON?] = []
        selector.select(in: try RawJSON(validating: #"{"id":"1","user":{"name":"a"}}"#), into: &results)
        #expect(results.map { $0?.stringValue } == ["1", "a"])
        selector.select(in: try RawJSON(validating: #"{"user":null}"#), into: &results)
        #expect(results.map { $0?.stringValue } == [nil, nil])
        #expect(results[0] == nil && results[1] == nil)
    }

    @Test func withSelectionAnswersLikeSelect() throws {
        let json = try RawJSON(validating: Self.document)
        let selector = JSONPathSelector(Self.lookups.map(\.path))
        let found = selector.select(in: json)
        let texts = selector.withSelection(in: json) { selection in
            (0..<selection.count).map { selection[$0]?.text }
        }
        #expect(texts == found.map { $0?.text })
        #expect(selector.withSelection(in: json) { $0[0]?.range } == json.range)
        let array = try RawJSON(validating: "[1,2]")
        #expect(JSONPathSelector([["a"], []]).withSelection(in: array) { [$0[0]?.text, $0[1]?.text] } == [nil, "[1,2]"])
        #expect(JSONPathSelector([]).withSelection(in: array) { $0.count } == 0)
    }
}
