import Testing
import JSONBytes
import HTTPRouting

@Suite struct HTTPErrorTests {
    @Test func rendersProblemJSONWithFieldErrorsAndRequestID() throws {
        let error = HTTPError.badRequest("two fields are wrong", fields: [
            .init(field: "source_name", message: "must be 1 to 200 characters"),
            .init(field: "api_credentials_json.client_id", message: "must be the application (client) GUID"),
        ])
        let response = error.response(requestID: "req-42")
        #expect(response.status == 400)
        #expect(response.header("content-type") == "application/problem+json")
        let body = try JSONValue.parse(response.body)
        #expect(body.objectValue?.map(\.key) == ["type", "title", "status", "detail", "errors", "request_id"])
        #expect(body["type"] == .string("about:blank"))
        #expect(body["title"] == .string("Invalid request"))
        #expect(body["status"]?.intValue == 400)
        #expect(body["detail"] == .string("two fields are wrong"))
        #expect(body["errors"] == .array([
            .object([("field", .string("source_name")), ("message", .string("must be 1 to 200 characters"))]),
            .object([("field", .string("api_credentials_json.client_id")),
                     ("message", .string("must be the application (client) GUID"))]),
        ]))
        #expect(body["request_id"] == .string("req-42"))
    }

    @Test func omitsEmptyErrorsAndRequestID() throws {
        let body = try JSONValue.parse(HTTPError.notFound.response(requestID: "").body)
        #expect(body.objectValue?.map(\.key) == ["type", "title", "status", "detail"])
        #expect(body["status"]?.intValue == 404)
    }

    @Test func invalidFieldNamesTheFieldTwice() throws {
        let error = HTTPError.invalidField("settings.page_size", "must be an integer from 1 to 1000")
        #expect(error.detail == "settings.page_size: must be an integer from 1 to 1000")
        #expect(error.fieldErrors == [.init(field: "settings.page_size", message: "must be an integer from 1 to 1000")])
    }

    @Test func extraHeadersFollowTheContentType() {
        let response = HTTPError.methodNotAllowed(["GET", "POST"]).response(requestID: "r")
        #expect(response.status == 405)
        #expect(response.headers.map(\.name) == ["Content-Type", "Allow"])
        #expect(response.header("allow") == "GET, POST")
        let unauthorized = HTTPError.unauthorized("expired").response(requestID: "r")
        #expect(unauthorized.header("WWW-Authenticate")?.hasPrefix("Bearer ") == true)
    }

    @Test func textIsEscaped() throws {
        let error = HTTPError.conflict(#"a source named "prod \ eu" exists"#)
        let body = try JSONValue.parse(error.response(requestID: "id\"1").body)
        #expect(body["detail"] == .string(#"a source named "prod \ eu" exists"#))
        #expect(body["request_id"] == .string("id\"1"))
    }

    @Test(arguments: [
        (HTTPError.notFound, 404), (.internalError, 500), (.unavailable, 503), (.unsupportedMediaType, 415),
        (.payloadTooLarge(limit: 1024), 413), (.forbidden("x"), 403), (.conflict("x"), 409),
    ])
    func statusMatchesTheError(error: HTTPError, status: Int) throws {
        let response = error.response(requestID: "r")
        #expect(response.status == status)
        #expect(try JSONValue.parse(response.body)["status"]?.intValue == status)
    }

    // A 500 shows a fixed text: internals belong in the log, not the response.
    @Test func internalErrorIsGeneric() {
        #expect(HTTPError.internalError.description == "500 Internal error: the request failed; see the server log for its request id")
    }
}
