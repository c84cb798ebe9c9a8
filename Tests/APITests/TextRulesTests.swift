import Testing
import Catalog
import HTTPRouting
@testable import API

@Suite struct TextRulesTests {
    @Test(arguments: ["3f2504e0-4f89-41d3-9a0c-0305e82c3301", "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "00000000-0000-0000-0000-000000000000"])
    func guids(text: String) {
        #expect(TextRules.isGUID(text))
    }

    @Test(arguments: [
        "", "3f2504e04f8941d39a0c0305e82c3301", "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}", "3f2504e0-4f89-41d3-9a0c-0305e82c330",
        "3f2504e0-4f89-41d3-9a0c-0305e82c33011", "3g2504e0-4f89-41d3-9a0c-0305e82c3301", "3f2504e0-4f89-41d3-9a0c0-305e82c3301",
        "3f2504e0-4f89-41d3-9a0c-0305e82c3301-", " 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    ])
    func notGUIDs(text: String) {
        #expect(!TextRules.isGUID(text))
    }

    // Character.isHexDigit is true for the fullwidth digits U+FF10... too, so a
    // look-alike GUID passes and is later sent to the token endpoint.
    @Test func guidIsASCIIOnly() {
        #expect(!TextRules.isGUID("３f2504e0-4f89-41d3-9a0c-0305e82c3301"))
    }

    @Test(arguments: [
        "https://graph.microsoft.com", "https://graph.microsoft.com/", "https://proxy.internal:8443/graph?x=1#f",
        "https://[2001:db8::1]/", "https://x",
    ])
    func httpsURLs(text: String) {
        #expect(TextRules.isHTTPSURL(text))
    }

    @Test(arguments: [
        "", "http://graph.microsoft.com", "HTTPS://graph.microsoft.com", "https://", "https:///path", "https://?q", "https://#f",
        "https://user:pass@graph.microsoft.com", "https://gra ph.microsoft.com", "https://graph.microsoft.com/\n",
        "ftp://x", " https://x", "https://x/" + String(repeating: "a", count: 2040),
    ])
    func notHTTPSURLs(text: String) {
        #expect(!TextRules.isHTTPSURL(text))
    }

    @Test(arguments: [("plain", false), ("tab\there", true), ("new\nline", true), ("nul\u{0}", true), ("del\u{7F}", true),
                      ("unicode ✓ é", false), ("", false)])
    func controlCharacters(text: String, has: Bool) {
        #expect(TextRules.hasControlCharacters(text) == has)
    }

    @Test func matchesChecksLengthAndAlphabet() {
        #expect(TextRules.matches("abcd", allowed: \.isLetter, length: 4...4))
        #expect(!TextRules.matches("abc", allowed: \.isLetter, length: 4...4))
        #expect(!TextRules.matches("ab1d", allowed: \.isLetter, length: 4...4))
    }
}

@Suite struct FieldErrorsTests {
    @Test func noErrorsDoesNotThrow() throws {
        try FieldErrors().throwIfAny()
    }

    @Test func throwsOneBadRequestWithEveryField() {
        var errors = FieldErrors()
        errors.add("a", "is required")
        errors.add("b.c", "must be a string")
        #expect(!errors.isEmpty)
        do {
            try errors.throwIfAny()
            Issue.record("did not throw")
        } catch {
            #expect(error.status == 400)
            #expect(error.detail == "a: is required; b.c: must be a string")
            #expect(error.fieldErrors == [.init(field: "a", message: "is required"), .init(field: "b.c", message: "must be a string")])
        }
    }
}
