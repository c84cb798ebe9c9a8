import Foundation
import Testing
@testable import API

@Suite struct PageTokenTests {
    static let id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

    @Test(arguments: ["Contoso audit", "", "Zürich ✓ 監査", "a+b/c=d?e&f", String(repeating: "long name ", count: 20)])
    func roundTrips(name: String) throws {
        let token = PageToken.encode(name: name, id: Self.id)
        // Safe in a query string without escaping.
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        let decoded = try #require(PageToken.decode(token))
        #expect(decoded.name == name)
        #expect(decoded.id == Self.id)
    }

    private static func b64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test(arguments: [
        "", "!!!!", "%41%42", "not base64 at all", "a",
        b64url(Array("no separator".utf8)),
        b64url(Array("name\u{0}not-a-uuid".utf8)),
        b64url(Array("a\u{0}b\u{0}\(id)".utf8)),
        b64url([0xFF, 0xFE, 0x00] + Array(id.utf8)),  // not UTF-8
        b64url(Array("\(String(repeating: "x", count: 500))\u{0}\(id)".utf8)),  // over the length limit
    ])
    func rejectsGarbage(token: String) {
        #expect(PageToken.decode(token) == nil)
    }
}
