/// A string with placeholders, e.g. `{settings.okta_url}/api/v1/logs` or `SSWS {credentials.api_token}`.
/// Placeholders: `settings.<name>`, `credentials.<name>`, `window.start`, `window.end`,
/// `page_size` and `token_url` (in an assertion's audience). `{{` and `}}` write braces.
public struct Template: Sendable, Equatable, CustomStringConvertible {
    public enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(Placeholder)
    }

    public enum Placeholder: Sendable, Equatable, Hashable {
        case setting(String)
        case credential(String)
        case windowStart
        case windowEnd
        case pageSize
        case tokenURL
    }

    public let parts: [Part]
    public let description: String

    public struct Problem: Error, Sendable { public var message: String }

    public init(_ text: String) throws(Template.Problem) {
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{", next < text.endIndex, text[next] == "{" {
                literal.append("{"); index = text.index(after: next); continue
            }
            if character == "}", next < text.endIndex, text[next] == "}" {
                literal.append("}"); index = text.index(after: next); continue
            }
            if character == "}" { throw Problem(message: "has a '}' without its '{' (write '}}' for a brace)") }
            guard character == "{" else { literal.append(character); index = next; continue }
            guard let close = text[next...].firstIndex(of: "}") else {
                throw Problem(message: "has a '{' without its '}'")
            }
            let name = String(text[next..<close])
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
            parts.append(.placeholder(try Self.placeholder(name)))
            index = text.index(after: close)
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
        description = text
    }

    private static func placeholder(_ name: String) throws(Template.Problem) -> Placeholder {
        switch name {
        case "window.start": return .windowStart
        case "window.end": return .windowEnd
        case "page_size": return .pageSize
        case "token_url": return .tokenURL
        default:
            if name.hasPrefix("settings."), name.count > 9 { return .setting(String(name.dropFirst(9))) }
            if name.hasPrefix("credentials."), name.count > 12 { return .credential(String(name.dropFirst(12))) }
            throw Problem(message: "has an unknown placeholder {\(name)} (settings.<name>, credentials.<name>, window.start, window.end, page_size, token_url)")
        }
    }

    public var placeholders: [Placeholder] {
        parts.compactMap { if case .placeholder(let p) = $0 { p } else { nil } }
    }

    /// Whether a credential is written into it (never allowed in URLs: they end up in logs).
    public var carriesCredential: Bool {
        placeholders.contains { placeholder in
            if case .credential = placeholder { return true }
            return false
        }
    }

    /// The text with each placeholder replaced; nil when `value` has none for one of them.
    public func render(_ value: (Placeholder) -> String?) -> String? {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .placeholder(let placeholder):
                guard let text = value(placeholder) else { return nil }
                out += text
            }
        }
        return out
    }
}
