internal import JSONBytes

/// An error that knows its HTTP status and renders as RFC 9457 problem+json.
/// Its text is shown to the client: it must never contain secrets.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// One invalid input field, named by its JSON pointer-ish path (`api_credentials_json.client_secret`).
    public struct FieldError: Sendable, Equatable {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    public var title: String
    public var detail: String?
    public var fieldErrors: [FieldError]
    public var headers: [(name: String, value: String)]

    public init(status: Int, title: String, detail: String? = nil, fieldErrors: [FieldError] = [],
                headers: [(name: String, value: String)] = []) {
        self.status = status
        self.title = title
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    public var description: String { "\(status) \(title)" + (detail.map { ": \($0)" } ?? "") }

    public static func badRequest(_ detail: String, fields: [FieldError] = []) -> HTTPError {
        HTTPError(status: 400, title: "Invalid request", detail: detail, fieldErrors: fields)
    }
    public static func invalidField(_ field: String, _ message: String) -> HTTPError {
        HTTPError(status: 400, title: "Invalid request", detail: "\(field): \(message)",
                  fieldErrors: [FieldError(field: field, message: message)])
    }
    public static func unauthorized(_ detail: String) -> HTTPError {
        HTTPError(status: 401, title: "Unauthorized", detail: detail,
                  headers: [("WWW-Authenticate", "Bearer realm=\"siem\", error=\"invalid_token\"")])
    }
    public static func forbidden(_ detail: String) -> HTTPError {
        HTTPError(status: 403, title: "Forbidden", detail: detail)
    }
    public static let notFound = HTTPError(status: 404, title: "Not found", detail: "no such resource")
    public static func methodNotAllowed(_ allowed: [String]) -> HTTPError {
        HTTPError(status: 405, title: "Method not allowed",
                  detail: "allowed: \(allowed.joined(separator: ", "))",
                  headers: [("Allow", allowed.joined(separator: ", "))])
    }
    public static func conflict(_ detail: String) -> HTTPError {
        HTTPError(status: 409, title: "Conflict", detail: detail)
    }
    public static func payloadTooLarge(limit: Int) -> HTTPError {
        HTTPError(status: 413, title: "Request body too large", detail: "the limit is \(limit) bytes")
    }
    public static func tooManyRequests(_ detail: String, retryAfterSeconds: Int) -> HTTPError {
        HTTPError(status: 429, title: "Too many requests", detail: detail,
                  headers: [("Retry-After", String(retryAfterSeconds))])
    }
    public static let unsupportedMediaType = HTTPError(
        status: 415, title: "Unsupported media type", detail: "send Content-Type: application/json")
    public static let unavailable = HTTPError(
        status: 503, title: "Service unavailable", detail: "the database is not reachable; try again")
    /// Anything unexpected: a fixed body, details only in the log.
    public static let internalError = HTTPError(
        status: 500, title: "Internal error", detail: "the request failed; see the server log for its request id")

    /// problem+json body with the request id as `instance`-like extension member.
    public func response(requestID: String) -> Response {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.beginObject()
        writer.key("type"); writer.string("about:blank")
        writer.key("title"); writer.string(title)
        writer.key("status"); writer.int(status)
        if let detail { writer.key("detail"); writer.string(detail) }
        if !fieldErrors.isEmpty {
            writer.key("errors")
            writer.beginArray()
            for error in fieldErrors {
                writer.beginObject()
                writer.key("field"); writer.string(error.field)
                writer.key("message"); writer.string(error.message)
                writer.endObject()
            }
            writer.endArray()
        }
        if !requestID.isEmpty { writer.key("request_id"); writer.string(requestID) }
        writer.endObject()
        return Response(status: status, headers: [("Content-Type", "application/problem+json")] + headers,
                        body: writer.bytes)
    }
}
