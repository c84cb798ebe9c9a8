internal import Curl
internal import JSONBytes
internal import TextBasics

/// Turns a Google API error (`{"error":{"code","message","status","details"}}`, a
/// google.rpc.Status) into the operator's categories.
enum GoogleErrors {
    static func error(for response: HTTPResponse, what: String) -> ProviderError {
        let body = try? RawJSON(validating: response.body)
        let status = body?[path: ["error", "status"]]?.stringValue ?? ""
        let message = String((body?[path: ["error", "message"]]?.stringValue ?? "").prefix(300))
        let detail = String("\(what): HTTP \(response.status) \(status) \(message)".trimmed(" "))
        switch (response.status, status) {
        case (401, _): return ProviderError(.badCredentials, detail)
        case (403, _): return ProviderError(.missingPermission, detail)
        case (429, _), (_, "RESOURCE_EXHAUSTED"): return ProviderError(.throttled, detail)
        // A bad filter or resource name: the source's settings need fixing.
        case (400, _), (404, _): return ProviderError(.configuration, detail)
        default: return ProviderError(.serverError, detail)
        }
    }
}
