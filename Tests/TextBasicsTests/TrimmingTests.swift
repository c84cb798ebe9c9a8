import TextBasics
import Testing

@Suite struct TrimmingTests {
    @Test(arguments: [
        ("  a b  ", "a b"), ("a", "a"), ("", ""), ("    ", ""), (" \u{00A0}x\t\n", "x"), ("\r\nx\r\n", "x"),
    ])
    func whitespace(text: String, expected: String) {
        #expect(text.trimmed(where: \.isWhitespace) == expected)
    }

    @Test func aCharacter() {
        #expect(#""rel next""#.trimmed("\"") == "rel next")
        #expect("  x y ".trimmed(" ") == "x y")
        #expect("\tx ".trimmed(" ") == "\tx")
    }

    @Test func spacesAndTabsOnly() {
        #expect(" \tvalue \t".trimmedSpacesAndTabs() == "value")
        #expect("\r\nvalue".trimmedSpacesAndTabs() == "\r\nvalue")
        let line: Substring = "name:  v  "[...]
        #expect(line.trimmedSpacesAndTabs() == "name:  v")
    }

    @Test(arguments: [
        ("one\r\ntwo", "one"), ("one\ntwo", "one"), ("one\rtwo", "one"), ("one", "one"), ("", ""),
        ("\nx", ""), (String(repeating: "a", count: 400), String(repeating: "a", count: 300)),
    ])
    func firstLine(text: String, expected: String) {
        #expect(text.firstLine(limit: 300) == expected)
    }
}
