internal import TextBasics

/// Extra librdkafka properties written as text: what `KAFKA_PROPERTIES_FILE` holds and
/// `KAFKA_PROPERTIES` carries.
///
/// One `name=value` per line; blank lines and lines starting with `#` are skipped; spaces
/// around the name and the value are dropped; the value is everything after the first `=`.
/// A name is a property librdkafka knows.
///
/// With ``splitsAtCommas`` (for `KAFKA_PROPERTIES`) a line may also list several properties
/// separated by commas. A comma separates properties only where a known property name and
/// `=` follow it, so commas inside values stay (`bootstrap.servers=a:9092,b:9092`,
/// `ssl.cipher.suites=A,B`). A comma followed by another `word=` in the shape of a property
/// name is ambiguous (a mistyped name, or a value holding `,word=`) and refused. Without it
/// (`KAFKA_PROPERTIES_FILE`) commas always belong to the values.
///
/// Errors name the source and the line (or list entry) number, never the text: a bad line may
/// be a pasted private key or password.
public struct KafkaPropertiesText: Sendable {
    /// One property.
    public struct Entry: Hashable, Sendable {
        /// The librdkafka property name.
        public var name: String
        /// Its value, as librdkafka gets it.
        public var value: String

        /// An entry.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Where the text comes from (an environment variable), named in errors.
    public var source: String
    /// Whether a line may list several properties separated by commas.
    public var splitsAtCommas: Bool
    private let isPropertyName: @Sendable (String) -> Bool

    /// A parser for `source`; `isPropertyName` says which names librdkafka knows (the default
    /// asks librdkafka itself).
    public init(
        source: String, splitsAtCommas: Bool = false,
        isPropertyName: @escaping @Sendable (String) -> Bool = KafkaPropertiesText.isLibrdkafkaProperty
    ) {
        self.source = source
        self.splitsAtCommas = splitsAtCommas
        self.isPropertyName = isPropertyName
    }

    /// Whether this librdkafka build documents a global or topic property of that name.
    public static func isLibrdkafkaProperty(_ name: String) -> Bool {
        librdkafkaPropertyNames.contains(name)
    }

    /// The properties in text order (a later one of the same name wins when applied).
    public func parse(_ text: String) throws(KafkaError) -> [Entry] {
        var lines: [(number: Int, text: Substring)] = []
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = Self.trimmed(line)
            if !trimmed.isEmpty && !trimmed.hasPrefix("#") { lines.append((offset + 1, trimmed)) }
        }
        let single = splitsAtCommas && lines.count == 1
        var entries: [Entry] = []
        for line in lines {
            let at = { (n: Int) in Self.position(line: line.number, entry: n, single: single) }
            entries += splitsAtCommas ? try parseList(line.text, at: at) : [try entry(line.text, at: at(1))]
        }
        return entries
    }

    /// "entry N" in a one-line list, else "line L", with "entry N" after a comma.
    private static func position(line: Int, entry: Int, single: Bool) -> String {
        if single { return "entry \(entry)" }
        return entry == 1 ? "line \(line)" : "line \(line) entry \(entry)"
    }

    private func parseList(_ line: Substring, at: (Int) -> String) throws(KafkaError) -> [Entry] {
        var entries: [Entry] = []
        var start = line.startIndex
        var cursor = line.startIndex
        while let comma = line[cursor...].firstIndex(of: ",") {
            cursor = line.index(after: comma)
            guard let name = Self.nameBeforeEquals(line[cursor...]) else { continue }
            guard isPropertyName(name) else {
                throw failure(at(entries.count + 1), "ambiguous comma (name=value follows it, but no librdkafka property "
                    + "of that name); put this property in KAFKA_PROPERTIES_FILE, where commas belong to the values")
            }
            entries.append(try entry(line[start..<comma], at: at(entries.count + 1)))
            start = cursor
        }
        entries.append(try entry(line[start...], at: at(entries.count + 1)))
        return entries
    }

    private func entry(_ text: Substring, at: String) throws(KafkaError) -> Entry {
        guard let equals = text.firstIndex(of: "="), Self.isNameShaped(String(Self.trimmed(text[..<equals]))) else {
            throw failure(at, "expected name=value")
        }
        let name = String(Self.trimmed(text[..<equals]))
        guard isPropertyName(name) else { throw failure(at, "not a librdkafka property name") }
        return Entry(name: name, value: String(Self.trimmed(text[text.index(after: equals)...])))
    }

    private func failure(_ at: String, _ problem: String) -> KafkaError {
        KafkaError(.invalidConfiguration, "\(source) \(at): \(problem)")
    }

    /// The name of a `name=` that starts `text` (after spaces), if it has a property name's shape.
    private static func nameBeforeEquals(_ text: Substring) -> String? {
        let rest = text.drop { $0 == " " || $0 == "\t" }
        let word = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        let after = rest[word.endIndex...].drop { $0 == " " || $0 == "\t" }
        guard after.first == "=", isNameShaped(String(word)) else { return nil }
        return String(word)
    }

    /// librdkafka's names: lowercase letters, digits, `.`, `_`, `-`, starting with a letter.
    static func isNameShaped(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }

    /// Spaces, tabs and a CR left by CRLF line ends.
    private static func trimmed(_ text: Substring) -> Substring {
        text.trimmed { $0 == " " || $0 == "\t" || $0 == "\r" }
    }
}
