import Curl
import Testing
import TestSupport

/// The scripted transport itself: answers in order, records what was sent, and fails loudly
/// (a test issue naming the request) on anything it was not told to expect.
@Suite struct ScriptedTransportTests {
    @Test func answersInOrderAndRecordsEveryRequest() throws {
        let transport = ScriptedTransport()
        transport.expect(.get("/v1/a", query: [("x", "1 2")]), .json(#"{"a":1}"#))
        transport.expect(.post("https://api.example.test/v1/b", bodyContains: "hello"), .status(204))
        let first = try transport.send(HTTPRequest(url: "https://api.example.test/v1/a?y=0&x=1%202", headers: [("Authorization", "Bearer t")]))
        #expect(first.status == 200 && first.bodyText == #"{"a":1}"# && first.header(named: "content-type") == "application/json")
        let second = try transport.send(HTTPRequest(method: .post, url: "https://api.example.test/v1/b", body: Array("say hello".utf8)))
        #expect(second.status == 204)
        #expect(transport.requests.map(\.description) == ["GET https://api.example.test/v1/a", "POST https://api.example.test/v1/b"])
        #expect(transport.requests[0].header("authorization") == "Bearer t")
        #expect(transport.requests[0].queryItem("x") == "1 2" && transport.requests[1].bodyText == "say hello")
        #expect(transport.remaining == 0 && transport.problems.isEmpty)
    }

    @Test func anUnexpectedRequestFailsTheTestAndNamesTheRequest() throws {
        let transport = ScriptedTransport()
        transport.expect(.get("/v1/a"), .json("{}"))
        withKnownIssue {
            #expect(throws: CurlError.self) { try transport.send(HTTPRequest(url: "https://api.example.test/v1/other")) }
        }
        withKnownIssue {
            #expect(throws: CurlError.self) { try transport.send(HTTPRequest(method: .post, url: "https://api.example.test/v1/a")) }
        }
        #expect(transport.problems == [
            "request 1, GET https://api.example.test/v1/other, is not the expected GET /v1/a: path /v1/other, expected /v1/a",
            "request 2, POST https://api.example.test/v1/a, is not the expected GET /v1/a: method POST, expected GET",
        ])
        #expect(transport.remaining == 1)
    }

    @Test func aRequestPastTheScriptFailsTheTestWithANonRetryableError() throws {
        let transport = ScriptedTransport()
        withKnownIssue {
            do {
                _ = try transport.send(HTTPRequest(url: "https://api.example.test/v1/a?secret=1"))
                Issue.record("no error")
            } catch let error as CurlError {
                // Not transient: ProviderHTTP gives up at once instead of retrying a broken script.
                #expect(!error.isTransient)
                #expect(error.message.contains("GET https://api.example.test/v1/a") && !error.message.contains("secret"))
            } catch {
                Issue.record("not a CurlError: \(error)")
            }
        }
    }

    @Test func recordedPagesAndTransportFailures() throws {
        let transport = ScriptedTransport([.init(.get("/p"), try .page("okta-logs-2")), .init(.get("/p"), .connectionLost)])
        #expect(try transport.send(HTTPRequest(url: "https://a.example.test/p")).bodyText.contains("8bae4f60"))
        #expect(throws: CurlError.self) { try transport.send(HTTPRequest(url: "https://a.example.test/p")) }
        #expect(throws: RecordedPage.MissingPage.self) { try ScriptedReply.page("no-such-page") }
    }
}
