/// Small text checks shared by the validators.
public enum TextRules {
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    public static func isHTTPSURL(_ text: String) -> Bool {
        guard text.hasPrefix("https://"), text.count <= 2048, !hasControlCharacters(text) else { return false }
        let rest = text.dropFirst("https://".count)
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !host.contains(" ") && !host.contains("@")
    }

    public static func matches(_ text: String, allowed: (Character) -> Bool, length: ClosedRange<Int>) -> Bool {
        length.contains(text.count) && text.allSatisfy(allowed)
    }

    public static func isGUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        return groups == [8, 4, 4, 4, 12] && text.allSatisfy { $0 == "-" || isASCIIHexDigit($0) }
    }

    /// `Character.isHexDigit` also accepts fullwidth digits; identifiers are ASCII.
    public static func isASCIIHexDigit(_ character: Character) -> Bool {
        character.isASCII && character.isHexDigit
    }
}
