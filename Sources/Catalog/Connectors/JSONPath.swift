public import JSONBytes

/// A path into a JSON document, written `a.b.0.c` (`$` or empty: the document itself).
/// A numeric segment indexes an array; anything else names an object member.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    public enum Segment: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public let segments: [Segment]
    public let description: String

    /// Nil when a segment is empty (`a..b`, a trailing dot).
    public init?(_ text: String) {
        var body = Substring(text)
        if body == "$" { body = "" } else if body.hasPrefix("$.") { body = body.dropFirst(2) }
        var segments: [Segment] = []
        if !body.isEmpty {
            for part in body.split(separator: ".", omittingEmptySubsequences: false) {
                guard !part.isEmpty else { return nil }
                if let index = Int(part), index >= 0 { segments.append(.index(index)) } else { segments.append(.key(String(part))) }
            }
        }
        self.segments = segments
        description = text.isEmpty ? "$" : text
    }

    public var isRoot: Bool { segments.isEmpty }

    /// The value at this path in a parsed document.
    public func value(in document: JSONValue) -> JSONValue? {
        var current = document
        for segment in segments {
            switch segment {
            case .key(let name): guard let next = current[name] else { return nil }; current = next
            case .index(let index): guard let next = current[index] else { return nil }; current = next
            }
        }
        return current
    }

    /// The value at this path in a raw (zero-copy) document.
    public func value(in document: RawJSON) -> RawJSON? {
        var current = document
        for segment in segments {
            switch segment {
            case .key(let name):
                guard current.kind == .object, let next = current[name] else { return nil }
                current = next
            case .index(let index):
                guard current.kind == .array, let next = current[index] else { return nil }
                current = next
            }
        }
        return current
    }
}
