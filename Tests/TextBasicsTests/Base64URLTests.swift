import TextBasics
import Testing

@Suite struct Base64URLTests {
    /// RFC 4648 §10 test vectors, in the §5 alphabet without padding.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
        ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) throws {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(try #require(Base64URL.decode(encoded)) == Array(plain.utf8))
    }

    /// The two characters that differ from standard base64: 62 is `-`, 63 is `_`.
    @Test func urlAlphabetReplacesPlusAndSlash() throws {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.encode([0xFF]) == "_w")
        #expect(try #require(Base64URL.decode("-_-_")) == [0xFB, 0xFF, 0xBF])
    }

    @Test func roundTripsEveryByteAndLength() throws {
        let bytes = (0...255).map(UInt8.init)
        for length in 0...bytes.count {
            let slice = Array(bytes.prefix(length))
            let text = Base64URL.encode(slice)
            #expect(!text.contains("="))
            #expect(text.utf8.count == (length * 4 + 2) / 3)
            #expect(try #require(Base64URL.decode(text)) == slice)
        }
    }

    /// Padding, the standard alphabet, whitespace and a lone trailing character are not
    /// unpadded base64url.
    @Test(arguments: ["Zg==", "Zm8=", "Zg=", "a+b/", "Zm9v\n", " Zm9v", "Zm 9v", "Z", "Zm9vY", "Zm9v%", "Zm9vYmFyé"])
    func rejectsInvalidInput(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    /// Moved from JWTAssertionSignerTests (the signer's encoder is this one now).
    @Test(arguments: [
        ([UInt8](), ""), ([0x66], "Zg"), ([0x66, 0x6F], "Zm8"), ([0x66, 0x6F, 0x6F], "Zm9v"),
        ([0xFB, 0xFF, 0xBF], "-_-_"), ([0x00, 0xFF, 0xFE, 0x10], "AP_-EA"),
    ])
    func base64URLHasNoPaddingAndTheURLAlphabet(bytes: [UInt8], text: String) {
        #expect(Base64URL.encode(bytes) == text)
    }

    /// Substrings decode too (the JWT verifier splits a token without copying).
    @Test func decodesSubstrings() throws {
        let token = "Zm9v.YmFy"
        let parts = token.split(separator: ".")
        #expect(try #require(Base64URL.decode(parts[1])) == Array("bar".utf8))
    }
}
