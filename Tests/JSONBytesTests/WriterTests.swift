import JSONBytes
import Testing

@Suite("JSONWriter")
struct WriterTests {
    static let escapes: [(value: String, json: String)] = [
        ("plain", #""plain""#),
        ("", #""""#),
        ("say \"hi\"", #""say \"hi\"""#),
        (#"C:\temp\"#, #""C:\\temp\\""#),
        ("a\nb\rc\td\u{8}e\u{C}f", #""a\nb\rc\td\be\ff""#),
        ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F}/", "\"\u{7F}/\""),
        ("Søren 😀 \u{2028}", "\"Søren 😀 \u{2028}\""),
        // Longer than a word, with escapes at word boundaries and in the tail.
        ("01234567\"89abcdef\\0123456\n", #""01234567\"89abcdef\\0123456\n""#),
    ]

    @Test(arguments: escapes)
    func escapesStrings(value: String, json: String) throws {
        var writer = JSONWriter()
        writer.string(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == json)
        #expect(try JSONValue.parse(writer.bytes) == .string(value))

        var fromBytes = JSONWriter()
        fromBytes.string(utf8: Array(value.utf8))
        #expect(fromBytes.bytes == writer.bytes)
        var fromSequence = JSONWriter()
        fromSequence.string(utf8: value.utf8.lazy.map { $0 })  // not contiguous
        #expect(fromSequence.bytes == writer.bytes)
    }

    /// The obvious escaper, to check the word-at-a-time one against.
    static func referenceEscape(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            case "\u{0}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test(arguments: [1, 7, 8, 9, 100, 5000])
    func longStringsMatchTheReferenceEscaper(seed: Int) throws {
        // Deterministic mixes of plain runs, quotes, controls and non-ASCII, long
        // enough to cross the writer's 4 KiB chunks.
        let pieces = ["abcdefgh", "\"", "\\", "\n", "\u{1}", "é", "😀", "{\"k\":[1]}", String(repeating: "x", count: 5000)]
        var state = UInt64(seed)
        var text = ""
        while text.utf8.count < 20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            text += pieces[Int(state >> 33) % (seed == 5000 ? 8 : pieces.count)]
        }
        var writer = JSONWriter()
        writer.string(text)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == Self.referenceEscape(text))
        #expect(try JSONValue.parse(writer.bytes) == .string(text))
    }

    @Test func everyASCIICharacterRoundTrips() throws {
        for scalar in 0..<0x80 {
            let text = "x" + String(UnicodeScalar(UInt8(scalar))) + "0123456789"
            var writer = JSONWriter()
            writer.beginObject()
            writer.key(text)
            writer.string(text)
            writer.endObject()
            #expect(try JSONValue.parse(writer.bytes) == .object([(text, .string(text))]), "scalar \(scalar)")
        }
    }

    @Test func insertsCommasAndColons() {
        var writer = JSONWriter(reservingCapacity: 16)
        writer.beginObject()
        writer.key("a")
        writer.int(1)
        writer.key("b")
        writer.beginArray()
        writer.bool(true)
        writer.null()
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.string(nil as String?)
        writer.string("s" as String?)
        writer.endArray()
        writer.key("c")
        writer.bool(false)
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":1,"b":[true,null,{},[],null,"s"],"c":false}"#)
    }

    @Test func asciiKeysAndLentBytesMatchTheGeneralPath() {
        var general = JSONWriter(reservingCapacity: 16)
        var fast = JSONWriter(reservingCapacity: 16)
        general.beginObject(); fast.beginObject()
        general.key("source_id"); fast.key(ascii: "source_id")
        general.string("a\"b"); Array("a\"b".utf8).withUnsafeBufferPointer { fast.string(utf8: $0) }
        general.key("settings"); fast.key(ascii: "settings")
        general.raw(Array("{}".utf8)); Array("{}".utf8).withUnsafeBufferPointer { fast.raw($0) }
        general.endObject(); fast.endObject()
        #expect(fast.bytes == general.bytes)
        #expect(String(decoding: fast.bytes, as: UTF8.self) == #"{"source_id":"a\"b","settings":{}}"#)
    }

    @Test(arguments: [(Int.min, "-9223372036854775808"), (Int.max, "9223372036854775807"),
                      (0, "0"), (-1, "-1"), (10, "10"), (1_000_000, "1000000")])
    func writesIntegers(value: Int, text: String) throws {
        var writer = JSONWriter()
        writer.int(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == text)
        #expect(try JSONValue.parse(writer.bytes).intValue == value)
    }

    @Test func writesDoublesAndNumberText() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.double(1.5)
        writer.double(-0.25)
        writer.double(.nan)
        writer.double(.infinity)
        writer.number("1e400")
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[1.5,-0.25,null,null,1e400]")
    }

    @Test func rawAppendsOneValueVerbatim() throws {
        let event = try RawJSON(validating: #"{"id" : "e1", "n":[1, 2]}"#)
        var writer = JSONWriter()
        writer.beginArray()
        writer.raw(#"{"a":1}"#.utf8)
        writer.raw(event)
        writer.int(2)
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"[{"a":1},{"id" : "e1", "n":[1, 2]},2]"#)
    }

    @Test func rawLogCarriesTheEventTextAsAString() throws {
        // A normalized record embeds the verbatim event as a string: escaping it and
        // parsing the record back must give the exact original bytes.
        let page = try RawJSON(validating: GraphPage.compact)
        for event in page["value"]?.elements ?? .init() {
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("source")
            writer.string("msgraph")
            writer.key("raw_log")
            writer.string(jsonText: event)
            writer.endObject()
            let record = try JSONValue.parse(writer.bytes)
            #expect(record["raw_log"]?.stringValue.map { Array($0.utf8) } == Array(event.bytes))
        }
    }

    static let trees: [String] = [
        #"{"a":[1,-2.5e3,"x",true,false,null,{}],"b":{"c":{"d":[]}}}"#,
        #"["\u0001\"\\\/",{"":""},[[[]]]]"#,
        #"{"name":"Søren \ud83d\ude00","emptyArray":[],"n":0}"#,
    ]

    @Test(arguments: trees)
    func valueRoundTrips(text: String) throws {
        let tree = try JSONValue.parse(Array(text.utf8))
        var writer = JSONWriter()
        writer.value(tree)
        #expect(writer.bytes == tree.serialized())
        #expect(try JSONValue.parse(writer.bytes) == tree)
        // Serializing is canonical: doing it twice changes nothing.
        #expect(try JSONValue.parse(tree.serialized()).serialized() == tree.serialized())
    }

    @Test func serializedIsCompactAndKeepsMemberOrder() {
        let tree = JSONValue.object([("z", .number("1")), ("a", .array([.null, .string("q\"")]))])
        #expect(String(decoding: tree.serialized(), as: UTF8.self) == #"{"z":1,"a":[null,"q\""]}"#)
        #expect(tree.description == #"{"z":1,"a":[null,"q\""]}"#)
    }

    @Test func reusedAfterRemoveAllWritesTheSameAsAFreshWriter() {
        var writer = JSONWriter(reservingCapacity: 8)
        writer.beginArray(); writer.int(1); writer.string("long enough to grow the buffer"); writer.endArray()
        let capacity = writer.bytes.capacity
        writer.removeAll()
        writer.beginObject(); writer.key(ascii: "a"); writer.null(); writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":null}"#)
        #expect(writer.bytes.capacity >= capacity)
    }
}
