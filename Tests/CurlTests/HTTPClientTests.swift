import Curl
import Foundation
import Testing

/// A client that trusts the test CA on top of the system store.
func trustingClient(_ server: TestServer, tweak: (inout HTTPClientConfiguration) -> Void = { _ in }) throws -> HTTPClient {
    var configuration = HTTPClientConfiguration()
    configuration.extraCABundlePath = server.pki.caPath
    configuration.userAgent = "curl-tests/1"
    tweak(&configuration)
    return try HTTPClient(configuration: configuration)
}

func json(_ response: HTTPResponse) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
}

@Suite("HTTPClient against a loopback HTTPS server")
struct HTTPClientTests {
    @Test("GET sends headers (empty values too) and reads status, multi-valued headers, timing")
    func getWithHeaders() throws {
        try withServer { server in
            let client = try trustingClient(server)
            let response = try client.send(
                HTTPRequest(
                    url: server.base + "/echo?a=1&b=" + URLEncoding.percentEncode("x y"),
                    headers: [("Authorization", "Bearer t0ken"), ("X-Test", "1"), ("X-Empty", "")]))
            #expect(response.status == 200)
            #expect(response.header(named: "Content-Type") == "application/json")
            #expect(response.headers(named: "x-multi") == ["a", "b"])
            #expect(response.headers.allSatisfy { $0.name == $0.name.lowercased() })
            #expect(response.httpVersion == "1.1")
            #expect(response.timing.total > .zero)
            #expect(response.timing.tlsHandshake > .zero)
            let echo = try json(response)
            #expect(echo["method"] as? String == "GET")
            #expect(echo["path"] as? String == "/echo?a=1&b=x%20y")
            let headers = try #require(echo["headers"] as? [String: String])
            #expect(headers["authorization"] == "Bearer t0ken")
            #expect(headers["x-test"] == "1")
            #expect(headers["x-empty"] == "")
            #expect(headers["user-agent"] == "curl-tests/1")
            #expect(headers["accept-encoding"]?.contains("gzip") == true)
            #expect(headers["expect"] == nil)
        }
    }

    @Test("POST, PUT, PATCH, DELETE, HEAD; body echoed byte for byte")
    func methodsAndBodies() throws {
        try withServer { server in
            let client = try trustingClient(server)
            let payload: [UInt8] = Array("{\"q\":\"ünïcode\"}".utf8) + [0, 255, 13, 10] + Array(repeating: 7, count: 200_000)
            for method in [HTTPMethod.post, .put, .patch, .delete] {
                let response = try client.send(
                    HTTPRequest(method: method, url: server.base + "/echo-body", headers: [("Content-Type", "application/octet-stream")], body: payload))
                #expect(response.status == 200)
                #expect(response.header(named: "x-method") == method.rawValue)
                #expect(response.body == payload)
            }
            let empty = try client.send(HTTPRequest(method: .post, url: server.base + "/echo"))
            let emptyEcho = try json(empty)
            #expect(emptyEcho["method"] as? String == "POST")
            #expect((emptyEcho["headers"] as? [String: String])?["content-length"] == "0")
            let delete = try json(try client.send(HTTPRequest(method: .delete, url: server.base + "/echo")))
            #expect(delete["method"] as? String == "DELETE")
            let head = try client.send(HTTPRequest(method: .head, url: server.base + "/bytes?n=100"))
            #expect(head.status == 200 && head.body.isEmpty && head.header(named: "content-length") == "100")
            // GET after POST/HEAD on the same handle is a plain GET again.
            let get = try json(try client.send(HTTPRequest(url: server.base + "/echo")))
            #expect(get["method"] as? String == "GET")
            #expect((get["headers"] as? [String: String])?["content-length"] == nil)
            #expect(client.connectionsOpened == 1)
        }
    }

    @Test("form POST is x-www-form-urlencoded")
    func formPost() throws {
        try withServer { server in
            let client = try trustingClient(server)
            let response = try client.send(
                .formPost(url: server.base + "/echo", fields: [("grant_type", "client_credentials"), ("scope", "https://x/.default a&b")]))
            let echo = try json(response)
            #expect(echo["body"] as? String == "grant_type=client_credentials&scope=https%3A%2F%2Fx%2F.default+a%26b")
            #expect((echo["headers"] as? [String: String])?["content-type"] == "application/x-www-form-urlencoded")
        }
    }

    @Test("gzip responses are decoded")
    func gzip() throws {
        try withServer { server in
            let response = try trustingClient(server).send(HTTPRequest(url: server.base + "/gzip"))
            #expect(response.status == 200)
            #expect(response.header(named: "content-encoding") == "gzip")
            #expect(response.bodyText == String(repeating: "hello gzip ", count: 1000))
        }
    }

    @Test("10 requests share one kept-alive connection")
    func keepAlive() throws {
        try withServer { server in
            let client = try trustingClient(server)
            var opened: [Int] = []
            var last = ""
            for _ in 0..<10 {
                let response = try client.send(HTTPRequest(url: server.base + "/connections"))
                opened.append(response.connectionsOpened)
                last = response.bodyText
            }
            #expect(opened == [1] + Array(repeating: 0, count: 9))
            #expect(client.connectionsOpened == 1)
            #expect(last == "1", "server saw \(last) connections")
        }
    }

    @Test("a certificate from an unknown CA is refused")
    func untrustedRefused() throws {
        try withServer { server in
            let client = try HTTPClient()
            do throws(CurlError) {
                _ = try client.send(HTTPRequest(url: server.base + "/echo"))
                Issue.record("untrusted certificate accepted")
            } catch {
                #expect(error.code == .tls, "\(error)")
                #expect(error.detail?.isEmpty == false)
                #expect(!error.isTransient)
            }
        }
    }

    @Test("CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR pointing at the CA do not make it trusted")
    func caEnvironmentIgnored() throws {
        // Changing the environment of this (multi-threaded) test process would race with
        // the other tests, so a child run of this test binary does the check.
        try withServer { server in
            let marker = server.pki.directory.appendingPathComponent("env-child-\(UUID().uuidString)").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["--testing-library", "swift-testing", "--filter", "EnvironmentChild"]
            var environment = ProcessInfo.processInfo.environment
            environment["CURL_CA_BUNDLE"] = server.pki.caPath
            environment["SSL_CERT_FILE"] = server.pki.caPath
            environment["SSL_CERT_DIR"] = server.pki.directory.path
            environment["CURL_TESTS_ENV_CHILD_URL"] = server.base + "/echo"
            environment["CURL_TESTS_ENV_CHILD_MARKER"] = marker
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            #expect(process.terminationStatus == 0)
            #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "tls")
        }
    }

    @Test("the extra CA is added to the system store, not a replacement for it")
    func extraCAAdded() throws {
        try withServer { server in
            let other = try TestPKI.make()
            defer { try? FileManager.default.removeItem(at: other.directory) }
            func status(system: String, extra: String?) -> String {
                var configuration = HTTPClientConfiguration()
                configuration.systemCABundlePath = system
                configuration.extraCABundlePath = extra
                do throws(CurlError) {
                    return String(try HTTPClient(configuration: configuration).send(HTTPRequest(url: server.base + "/echo")).status)
                } catch {
                    return "\(error.code)"
                }
            }
            // The server's CA as the "system" store stays trusted when an extra CA is added...
            #expect(status(system: server.pki.caPath, extra: other.caPath) == "200")
            // ...and the server's CA as the extra one is trusted on top of another store.
            #expect(status(system: other.caPath, extra: server.pki.caPath) == "200")
            #expect(status(system: other.caPath, extra: nil) == "tls")
            #expect(status(system: "/etc/ssl/certs/ca-certificates.crt", extra: server.pki.caPath) == "200")
        }
    }

    @Test("bad CA bundle settings fail at creation")
    func badCABundle() throws {
        var configuration = HTTPClientConfiguration()
        configuration.extraCABundlePath = "/nonexistent/ca.pem"
        #expect(throws: CurlError.self) { try HTTPClient(configuration: configuration) }
        let pki = try TestPKI.make()
        defer { try? FileManager.default.removeItem(at: pki.directory) }
        configuration.extraCABundlePath = pki.directory.appendingPathComponent("server.ext").path  // not PEM
        do throws(CurlError) {
            _ = try HTTPClient(configuration: configuration)
            Issue.record("non-PEM bundle accepted")
        } catch {
            #expect(error.code == .invalidConfiguration)
        }
    }

    /// Sends a GET for `url` and expects the client to refuse it as a protocol it does not allow.
    private func expectRefused(_ client: HTTPClient, _ url: String, _ what: String) {
        do throws(CurlError) {
            _ = try client.send(HTTPRequest(url: url))
            Issue.record("\(what) accepted")
        } catch {
            #expect(error.code == .protocolNotAllowed, "\(what): \(error)")
        }
    }

    @Test("http:// is refused before connecting; redirects are not followed unless enabled, and never to http")
    func httpsOnly() throws {
        try withServer { server in
            let client = try trustingClient(server)
            expectRefused(client, "http://127.0.0.1:\(server.port)/echo", "http")
            #expect(client.connectionsOpened == 0)
            let redirect = try client.send(HTTPRequest(url: server.base + "/redirect"))
            #expect(redirect.status == 302 && redirect.header(named: "location") == "/echo")

            let following = try trustingClient(server) { $0.followRedirects = true }
            #expect(try following.send(HTTPRequest(url: server.base + "/redirect")).status == 200)
            expectRefused(following, server.base + "/redirect-http", "redirect to http")
        }
    }

    @Test("plain http only for a client that allows it (benchmarks), only to a loopback IP literal, never on redirect")
    func plainHTTPOnlyOnLoopback() throws {
        try withServer(plain: true) { server in
            let strict = try trustingClient(server)
            expectRefused(strict, server.base + "/echo", "http by a default client")
            #expect(strict.connectionsOpened == 0)

            let client = try trustingClient(server) {
                $0.allowsPlainHTTPOnLoopback = true
                $0.followRedirects = true
            }
            #expect(try client.send(HTTPRequest(url: server.base + "/echo")).status == 200)
            for url in [
                "http://192.0.2.1:\(server.port)/echo", "http://localhost:\(server.port)/echo",
                "http://user@127.0.0.1:\(server.port)/echo", "http://127.0.0.1.example.com:\(server.port)/echo",
                "http://127.0.0.10:\(server.port)/echo", "http://127.0.0.1@192.0.2.1:\(server.port)/echo",
            ] {
                expectRefused(client, url, url)
            }
            // A redirect to plain http is refused even so.
            expectRefused(client, server.base + "/redirect-http", "redirect to http")
            #expect(client.connectionsOpened == 1)
        }
    }

    @Test("max response bytes: with and without Content-Length, decoded size counts; client reusable afterwards")
    func maxBytes() throws {
        try withServer { server in
            let client = try trustingClient(server) { $0.maxResponseBytes = 5_000 }
            #expect(try client.send(HTTPRequest(url: server.base + "/bytes?n=5000")).body.count == 5_000)
            for path in ["/bytes?n=5001", "/stream?n=20000", "/gzip"] {  // gzip: 11,000 bytes decoded
                do throws(CurlError) {
                    _ = try client.send(HTTPRequest(url: server.base + path))
                    Issue.record("\(path) accepted")
                } catch {
                    #expect(error.code == .tooLarge, "\(path): \(error)")
                }
            }
            #expect(try client.send(HTTPRequest(url: server.base + "/stream?n=3000")).body == Array(repeating: UInt8(ascii: "y"), count: 3000))
        }
    }

    @Test("the request timeout is enforced")
    func timeout() throws {
        try withServer { server in
            let client = try trustingClient(server) { $0.requestTimeout = .seconds(1) }
            let start = ContinuousClock.now
            do throws(CurlError) {
                _ = try client.send(HTTPRequest(url: server.base + "/sleep?s=4"))
                Issue.record("no timeout")
            } catch {
                #expect(error.code == .timeout, "\(error)")
                #expect(error.isTransient)
            }
            #expect(ContinuousClock.now - start < .seconds(3))
            // A per-request override wins, and the client still works.
            #expect(try client.send(HTTPRequest(url: server.base + "/sleep?s=1.2", timeout: .seconds(5))).bodyText == "late")
        }
    }

    @Test("429 with Retry-After is a response, not an error")
    func tooManyRequests() throws {
        try withServer { server in
            let response = try trustingClient(server).send(HTTPRequest(url: server.base + "/429"))
            #expect(response.status == 429)
            #expect(response.header(named: "Retry-After") == "7")
            #expect(response.bodyText == "{\"error\":\"slow down\"}")
        }
    }

    @Test("two threads with a shared DNS/TLS-session cache")
    func sharedAcrossThreads() throws {
        try withServer { server in
            let share = try HTTPClientShare()
            let caPath = server.pki.caPath
            let base = server.base
            let results = try (0..<2).map { _ in
                let thread = WorkerThread {
                    var configuration = HTTPClientConfiguration()
                    configuration.extraCABundlePath = caPath
                    let client = try HTTPClient(configuration: configuration, share: share)
                    return try (0..<5).map { _ in try client.send(HTTPRequest(url: base + "/echo")).status }
                }
                return thread
            }.map { try $0.join() }
            #expect(results == [[200, 200, 200, 200, 200], [200, 200, 200, 200, 200]])
        }
    }
}

/// Runs only as the child of `caEnvironmentIgnored`, with the CA variables set.
@Suite("EnvironmentChild", .enabled(if: ProcessInfo.processInfo.environment["CURL_TESTS_ENV_CHILD_MARKER"] != nil))
struct EnvironmentChildTests {
    @Test("refused despite the CA environment")
    func refusedDespiteEnvironment() throws {
        let environment = ProcessInfo.processInfo.environment
        let url = try #require(environment["CURL_TESTS_ENV_CHILD_URL"])
        let marker = try #require(environment["CURL_TESTS_ENV_CHILD_MARKER"])
        var outcome = "accepted"
        do throws(CurlError) {
            _ = try HTTPClient().send(HTTPRequest(url: url))
        } catch {
            outcome = error.code == .tls ? "tls" : "\(error)"
        }
        try Data(outcome.utf8).write(to: URL(fileURLWithPath: marker))
    }
}

@Suite("HTTPClient without a server")
struct HTTPClientOfflineTests {
    @Test("connection refused; errors carry neither header values nor query strings")
    func refusedAndRedacted() throws {
        let client = try HTTPClient(configuration: { var c = HTTPClientConfiguration(); c.connectTimeout = .seconds(2); return c }())
        do throws(CurlError) {
            _ = try client.send(HTTPRequest(url: "https://user:pw@127.0.0.1:1/path?sig=SECRETSIG#frag", headers: [("Authorization", "Bearer SECRETTOKEN")]))
            Issue.record("connected to port 1")
        } catch {
            #expect(error.code == .couldNotConnect, "\(error)")
            #expect(error.isTransient)
            let text = "\(error) \(error.debugDescription)"
            #expect(!text.contains("SECRET") && !text.contains("pw@"))
            #expect(error.request == "GET https://127.0.0.1:1/path")
        }
    }

    @Test("header injection is rejected without echoing the value")
    func headerInjection() throws {
        let client = try HTTPClient()
        do throws(CurlError) {
            _ = try client.send(HTTPRequest(url: "https://127.0.0.1:1/", headers: [("X-Token", "abc\r\nX-Evil: 1")]))
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidRequest)
            #expect(!error.description.contains("abc"))
        }
        #expect(throws: CurlError.self) { try client.send(HTTPRequest(url: "https://127.0.0.1:1/", headers: [("Bad Name", "x")])) }
        #expect(throws: CurlError.self) { try client.send(HTTPRequest(method: HTTPMethod("G T"), url: "https://127.0.0.1:1/")) }
        #expect(throws: CurlError.self) { try client.send(HTTPRequest(url: "https://127.0.0.1:1/a b")) }
    }

    @Test("invalid configuration")
    func invalidConfiguration() {
        var configuration = HTTPClientConfiguration()
        configuration.requestTimeout = .zero
        #expect(throws: CurlError.self) { try HTTPClient(configuration: configuration) }
        configuration = HTTPClientConfiguration()
        configuration.maxResponseBytes = 0
        #expect(throws: CurlError.self) { try configuration.validate() }
    }

    /// "\r\n" is one Character in Swift: a check comparing Characters with "\r" and "\n" misses it.
    @Test("a user agent with any line break is refused", arguments: ["a\r\nX-Evil: 1", "a\nb", "a\rb"])
    func userAgentLineBreaks(userAgent: String) {
        var configuration = HTTPClientConfiguration()
        configuration.userAgent = userAgent
        #expect(throws: CurlError.self) { try configuration.validate() }
    }

    @Test(
        "percent-encoding",
        arguments: [
            ("abcXYZ019-._~", "abcXYZ019-._~"),
            ("a b&c=d/e?f#g", "a%20b%26c%3Dd%2Fe%3Ff%23g"),
            ("ü€", "%C3%BC%E2%82%AC"),
            ("2024-01-01T00:00:00Z", "2024-01-01T00%3A00%3A00Z"),
            ("$filter+x", "%24filter%2Bx"),
        ])
    func percentEncoding(input: String, expected: String) {
        #expect(URLEncoding.percentEncode(input) == expected)
    }

    @Test("query and form helpers")
    func queryAndForm() {
        #expect(URLEncoding.query([("$top", "1000"), ("$filter", "a eq 'b'")]) == "%24top=1000&%24filter=a%20eq%20%27b%27")
        #expect(URLEncoding.url("https://h/p", appendingQuery: [("a", "1")]) == "https://h/p?a=1")
        #expect(URLEncoding.url("https://h/p?x=1", appendingQuery: [("a", "1")]) == "https://h/p?x=1&a=1")
        #expect(URLEncoding.url("https://h/p", appendingQuery: []) == "https://h/p")
        #expect(String(decoding: URLEncoding.formURLEncoded([("a b", "c*d~e")]), as: UTF8.self) == "a+b=c*d%7Ee")
    }

    @Test("URL redaction")
    func redaction() {
        #expect(HTTPRequest(url: "https://u:p@host:8443/a/b?token=x#f").redactedURL == "https://host:8443/a/b")
        #expect(HTTPRequest(url: "https://host").redactedURL == "https://host")
        #expect(HTTPRequest(url: "not a url?x").redactedURL == "not a url")
    }
}

/// A plain thread whose result can be joined (bounded).
final class WorkerThread<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    func join() throws -> T {
        guard done.wait(timeout: .now() + 60) == .success, let result else { throw TestFailure("worker did not finish") }
        return try result.get()
    }
}
