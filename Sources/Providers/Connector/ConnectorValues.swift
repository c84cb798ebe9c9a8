internal import Catalog
internal import UTCTime

/// Fills a declaration's templates for one source: its settings (or their declared
/// defaults), its credentials, and the window being read.
struct ConnectorValues {
    let declaration: ConnectorDeclaration
    let context: ProviderContext

    /// What a stream's request adds: the window in the API's time format and the page size.
    struct Request {
        var window: TimeWindow
        var format: TimeFormat
        var pageSize: Int
    }

    func setting(_ name: String) -> String? {
        let declared = declaration.settings.first { $0.name == name }
        guard var text = context.setting(name) ?? declared?.defaultValue, !text.isEmpty else { return nil }
        // A URL setting is a base: `{settings.okta_url}/api/v1/logs` must not become `//api`.
        if case .url? = declared?.kind { while text.hasSuffix("/") { text.removeLast() } }
        return text
    }

    /// The rendered text; a missing setting or credential is a configuration error naming it
    /// (never its value).
    func render(_ template: Template, request: Request? = nil, tokenURL: String? = nil) throws(ProviderError) -> String {
        var missing: String?
        let text = template.render { placeholder in
            let value: String? = switch placeholder {
            case .setting(let name): setting(name)
            case .credential(let name): context.credential(name).flatMap { $0.isEmpty ? nil : $0 }
            case .windowStart: request.map { $0.format.format($0.window.start) }
            case .windowEnd: request.map { $0.format.format($0.window.end) }
            case .pageSize: request.map { String($0.pageSize) }
            case .tokenURL: tokenURL
            }
            if value == nil { missing = Self.name(of: placeholder) }
            return value
        }
        guard let text else {
            throw ProviderError(.configuration, "\(missing ?? "a value") is not set")
        }
        return text
    }

    private static func name(of placeholder: Template.Placeholder) -> String {
        switch placeholder {
        case .setting(let name): "settings.\(name)"
        case .credential(let name): "api_credentials_json.\(name)"
        case .windowStart: "window.start"
        case .windowEnd: "window.end"
        case .pageSize: "page_size"
        case .tokenURL: "token_url"
        }
    }
}
