/// The one trim helper: header values, property lines, SQL results and error texts all cut
/// their edges with these, each saying which characters count as blank.
extension StringProtocol {
    /// Without the leading and trailing characters for which `isBlank` holds.
    public func trimmed(where isBlank: (Character) -> Bool) -> SubSequence {
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex..<endIndex]
        }
        return self[first...last]
    }

    /// Without leading and trailing `character`s (spaces around a header value, quotes).
    public func trimmed(_ character: Character) -> SubSequence {
        trimmed { $0 == character }
    }

    /// Without leading and trailing spaces and tabs: HTTP's optional whitespace (RFC 9110 §5.6.3).
    public func trimmedSpacesAndTabs() -> SubSequence {
        trimmed { $0 == " " || $0 == "\t" }
    }

    /// The text before its first line break, at most `limit` characters: the reason in a
    /// service's multi-line error text. `isNewline`, because CRLF is one Character.
    public func firstLine(limit: Int) -> String {
        String(prefix { !$0.isNewline }.prefix(limit))
    }
}
