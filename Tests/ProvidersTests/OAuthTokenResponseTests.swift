@testable import Curl
import Testing
@testable import Providers

/// The one reader of token endpoint answers: Microsoft identity, Google and the connectors.
@Suite struct OAuthTokenResponseTests {
    static func response(_ status: Int, _ body: String) -> HTTPResponse {
        let zero = Duration.zero
        return HTTPResponse(status: status, headers: [], body: Array(body.utf8),
                            timing: HTTPTiming(total: zero, nameLookup: zero, connect: zero, tlsHandshake: zero, firstByte: zero),
                            connectionsOpened: 0, httpVersion: nil)
    }

    @Test func readsTheTokenAndItsLifetimeAsANumberOrAString() throws {
        let number = try OAuthTokenResponse.read(Self.response(200, #"{"access_token":"t1","expires_in":3600}"#), defaultLifetime: 900)
        #expect(number.token == "t1" && number.lifetime == 3600)
        // Azure AD v1 endpoints send "expires_in":"3599".
        let text = try OAuthTokenResponse.read(Self.response(200, #"{"access_token":"t2","expires_in":"3599"}"#), defaultLifetime: 900)
        #expect(text.lifetime == 3599)
        let missing = try OAuthTokenResponse.read(Self.response(200, #"{"access_token":"t3"}"#), defaultLifetime: 900)
        #expect(missing.lifetime == 900)
    }

    @Test func aRefusalKeepsTheCodeAndTheFirstLineOfItsDescription() {
        let body = #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\nTrace ID: 1\nCorrelation ID: 2"}"#
        let refused = refusal { () throws(ProviderError) in try OAuthTokenResponse.read(Self.response(401, body), defaultLifetime: 900) }
        #expect(refused?.kind == .badCredentials)
        #expect(refused?.message == "token request refused: invalid_client AADSTS7000215: Invalid client secret provided.")
        let broken = refusal { () throws(ProviderError) in try OAuthTokenResponse.read(Self.response(502, "<html>"), defaultLifetime: 900) }
        #expect(broken?.kind == .serverError)
        #expect(broken?.message == "token request refused: HTTP 502")
    }

    /// Entra ends each line with CRLF, which Swift reads as one Character: the trace and
    /// correlation ids must still stay out of the message.
    @Test func aCRLFDescriptionKeepsOnlyItsFirstLine() {
        let body = #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2"}"#
        let refused = refusal { () throws(ProviderError) in try OAuthTokenResponse.read(Self.response(401, body), defaultLifetime: 900) }
        #expect(refused?.message == "token request refused: invalid_client AADSTS7000215: Invalid client secret provided.")
    }

    /// Entra's mapping: a 403 or 404 from its token endpoint is its trouble, not the client's.
    @Test func aCallerMaySayWhatARefusalMeans() {
        let refused = refusal { () throws(ProviderError) in
            try OAuthTokenResponse.read(Self.response(403, "{}"), defaultLifetime: 900) { [400, 401].contains($0) ? .badCredentials : .serverError }
        }
        #expect(refused?.kind == .serverError)
    }

    private func refusal(_ body: () throws(ProviderError) -> (token: String, lifetime: Double)) -> ProviderError? {
        do { _ = try body(); return nil } catch { return error }
    }

    @Test(arguments: [(400, ProviderError.Kind.badCredentials), (401, .badCredentials), (403, .badCredentials),
                      (404, .configuration), (500, .serverError)])
    func standardRefusals(status: Int, kind: ProviderError.Kind) {
        #expect(OAuthTokenResponse.standardRefusal(status: status) == kind)
    }

    @Test func noTokenIsMalformed() {
        #expect(throws: ProviderError.self) {
            try OAuthTokenResponse.read(Self.response(200, #"{"access_token":""}"#), defaultLifetime: 900)
        }
    }
}
