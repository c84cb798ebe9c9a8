import Foundation
import Testing
@testable import API

@Suite struct PageTokenTests {
    // Names are 1...200 characters (the API validates that before anything is stored).
    @Test(arguments: ["Contoso audit", "x", "Zürich ✓ 監査", "a+b/c=d?e&f", String(repeating: "long name ", count: 20)])
    func roundTrips(name: String) throws {
        let token = PageToken.encode(name: name)
        // Safe in a query string without escaping.
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(try #require(PageToken.decode(token)) == name)
    }

    private static func b64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test(arguments: [
        "", "!!!!", "%41%42", "not base64 at all", "a", "zzz",
        b64url(Array("no marker".utf8)),
        b64url(Array("n:".utf8)),  // marker without a name
        b64url(Array("n:".utf8) + [0xFF, 0xFE]),  // not UTF-8
        b64url(Array("n:\(String(repeating: "x", count: 500))".utf8)),  // over the length limit
    ])
    func rejectsGarbage(token: String) {
        #expect(PageToken.decode(token) == nil)
    }
}
