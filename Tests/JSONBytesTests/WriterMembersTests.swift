import JSONBytes
import Testing

@Suite("JSONWriter.Members")
struct WriterMembersTests {
    static let shared = JSONWriter.Members { writer in
        writer.key("quote\"d"); writer.string("tab\there")
        writer.key(ascii: "n"); writer.int(-3)
    }

    /// The same members written directly, for comparison.
    static func direct(_ writer: inout JSONWriter) {
        writer.key("quote\"d"); writer.string("tab\there")
        writer.key(ascii: "n"); writer.int(-3)
    }

    @Test func preparedMembersWriteTheSameBytesAsDirectOnes() {
        // First in the object, between members, and last.
        for position in 0..<3 {
            var prepared = JSONWriter()
            var plain = JSONWriter()
            prepared.beginObject(); plain.beginObject()
            if position > 0 { prepared.key(ascii: "a"); prepared.null(); plain.key(ascii: "a"); plain.null() }
            prepared.members(Self.shared); Self.direct(&plain)
            if position < 2 { prepared.key(ascii: "z"); prepared.bool(true); plain.key(ascii: "z"); plain.bool(true) }
            prepared.endObject(); plain.endObject()
            #expect(String(decoding: prepared.bytes, as: UTF8.self) == String(decoding: plain.bytes, as: UTF8.self))
        }
        #expect(String(decoding: Self.shared.bytes, as: UTF8.self) == #""quote\"d":"tab\there","n":-3"#)
    }

    @Test func emptyMembersWriteNothing() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.members(JSONWriter.Members { _ in })
        writer.key(ascii: "a"); writer.int(1)
        writer.members(JSONWriter.Members { _ in })
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":1}"#)
    }
}
