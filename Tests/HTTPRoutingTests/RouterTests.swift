import Testing
import HTTPRouting

@Suite struct RouterTests {
    /// Routes as the API registers them; each handler is its own name.
    static func router(literalFirst: Bool = true) -> Router<String> {
        var router = Router<String>()
        let literal = [("GET", "/v1/poll/configurations")]
        let rest = [
            ("GET", "/v1/sources"), ("POST", "/v1/sources"),
            ("GET", "/v1/sources/{id}"), ("PUT", "/v1/sources/{id}"), ("DELETE", "/v1/sources/{id}"),
            ("PUT", "/v1/poll/{id}"), ("POST", "/v1/poll/{id}/result"),
            ("GET", "/v1/sources/{id}/streams/{stream}"),
            ("GET", "/"),
        ]
        for (method, pattern) in literalFirst ? literal + rest : rest + literal {
            router.add(method, pattern, "\(method) \(pattern)")
        }
        return router
    }

    private func found(_ match: Router<String>.Match) -> (String, RouteParameters)? {
        if case .found(let handler, let parameters) = match { return (handler, parameters) }
        return nil
    }

    @Test(arguments: [true, false])
    func literalBeatsParameterWhateverTheOrder(literalFirst: Bool) throws {
        let router = Self.router(literalFirst: literalFirst)
        let (handler, parameters) = try #require(found(router.match(method: "GET", path: "/v1/poll/configurations")))
        #expect(handler == "GET /v1/poll/configurations")
        #expect(parameters["id"] == nil)
    }

    @Test func parametersAreCaptured() throws {
        let router = Self.router()
        let (handler, parameters) = try #require(found(router.match(method: "PUT", path: "/v1/sources/3f2504e0-4f89-41d3-9a0c-0305e82c3301")))
        #expect(handler == "PUT /v1/sources/{id}")
        #expect(parameters["id"] == "3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        #expect(parameters["other"] == nil)
    }

    @Test func severalParameters() throws {
        let (handler, parameters) = try #require(found(Self.router().match(method: "GET", path: "/v1/sources/abc/streams/sign_ins")))
        #expect(handler == "GET /v1/sources/{id}/streams/{stream}")
        #expect(parameters["id"] == "abc")
        #expect(parameters["stream"] == "sign_ins")
    }

    @Test func aParameterMatchesWhereNoLiteralDoes() throws {
        let (handler, parameters) = try #require(found(Self.router().match(method: "PUT", path: "/v1/poll/1234")))
        #expect(handler == "PUT /v1/poll/{id}")
        #expect(parameters["id"] == "1234")
    }

    @Test(arguments: ["/v1/sources/", "//v1//sources"])
    func emptySegmentsAreIgnored(path: String) throws {
        #expect(try #require(found(Self.router().match(method: "GET", path: path))).0 == "GET /v1/sources")
    }

    @Test func root() throws {
        #expect(try #require(found(Self.router().match(method: "GET", path: "/"))).0 == "GET /")
    }

    @Test(arguments: [
        ("DELETE", "/v1/sources", ["GET", "POST"]),
        ("PATCH", "/v1/sources/abc", ["GET", "PUT", "DELETE"]),
        // Only the most specific shape counts: the literal route, not PUT /v1/poll/{id}.
        ("POST", "/v1/poll/configurations", ["GET"]),
        ("GET", "/v1/poll/abc", ["PUT"]),
    ])
    func wrongMethodListsTheAllowedOnes(method: String, path: String, allowed: [String]) {
        guard case .methodNotAllowed(let methods) = Self.router().match(method: method, path: path) else {
            Issue.record("expected 405 for \(method) \(path)")
            return
        }
        #expect(methods == allowed)
    }

    @Test(arguments: ["/v2/sources", "/v1/sources/abc/def", "/v1", "/v1/poll", "/v1/sources/abc/streams"])
    func unknownPathIsNotFound(path: String) {
        guard case .notFound = Self.router().match(method: "GET", path: path) else {
            Issue.record("expected 404 for \(path)")
            return
        }
    }

    @Test func methodsAreCaseSensitive() {
        guard case .methodNotAllowed = Self.router().match(method: "get", path: "/v1/sources") else {
            Issue.record("a lowercase method is not GET")
            return
        }
    }
}
