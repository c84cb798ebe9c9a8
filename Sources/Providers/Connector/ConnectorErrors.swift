internal import Catalog
internal import Curl
internal import JSONBytes

/// What an API answer that is not a page means, by the declaration's error rules first and
/// the HTTP conventions second. Messages carry the API's own short message, never a secret.
enum ConnectorErrors {
    static func error(status: Int, body: RawJSON?, rules: [ConnectorDeclaration.ErrorRule], what: String) -> ProviderError {
        let rule = rules.first { rule in
            if let expected = rule.status, expected != status { return false }
            if let path = rule.bodyPath {
                guard let body, let value = path.value(in: body) else { return false }
                return text(of: value) == rule.bodyEquals
            }
            return true
        }
        let said = rule?.messagePath.flatMap { path in body.flatMap { path.value(in: $0) } }.flatMap(text(of:))
            ?? conventionalMessage(body)
        let message = "\(what): HTTP \(status)" + (said.map { " \(String($0.prefix(300)))" } ?? "")
        guard let rule else { return ProviderError(conventionalKind(status), message) }
        return ProviderError(kind(of: rule.meaning), message)
    }

    static func kind(of meaning: ConnectorDeclaration.ErrorRule.Meaning) -> ProviderError.Kind {
        switch meaning {
        case .badCredentials: .badCredentials
        case .missingPermission: .missingPermission
        case .missingLicence: .missingLicence
        case .throttled: .throttled
        case .retry: .serverError
        case .configuration: .configuration
        }
    }

    static func conventionalKind(_ status: Int) -> ProviderError.Kind {
        switch status {
        case 401: .badCredentials
        case 403: .missingPermission
        case 400, 404, 405, 422: .configuration
        case 429: .throttled
        case 500...599: .serverError
        default: .malformedResponse
        }
    }

    /// `error` / `message` / `errorSummary` style members most APIs answer with.
    private static func conventionalMessage(_ body: RawJSON?) -> String? {
        guard let body, body.kind == .object else { return nil }
        for name in ["error_description", "errorSummary", "message", "error"] {
            if let value = body[name], let text = text(of: value), !text.isEmpty { return text }
            if let nested = body[name], nested.kind == .object, let text = nested["message"]?.stringValue { return text }
        }
        if body.kind == .array, let first = body[0], let text = first["message"]?.stringValue { return text }
        return nil
    }

    /// A scalar as text (strings unquoted, numbers and booleans as written).
    static func text(of value: RawJSON) -> String? {
        switch value.kind {
        case .string: value.stringValue
        case .number, .bool: value.text
        default: nil
        }
    }
}
