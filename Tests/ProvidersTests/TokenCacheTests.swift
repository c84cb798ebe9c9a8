import Foundation
import Testing
import SourceModel
import TestSupport
@testable import Providers

/// Tokens never cross sources (security): the cache key carries the source and its credentials.
@Suite struct TokenCacheTests {
    static let secret = #"{"tenant_id":"contoso.onmicrosoft.com","client_id":"0b5e6b4e-1b51-4e0f-a8b4-1f2d3c4b5a69","client_secret":"right"}"#
    static let guess = #"{"tenant_id":"contoso.onmicrosoft.com","client_id":"0b5e6b4e-1b51-4e0f-a8b4-1f2d3c4b5a69","client_secret":"guess"}"#

    @Test func aSourceWithOtherCredentialsForTheSameAppFetchesItsOwnToken() throws {
        let victim = try context(.microsoft365, credentials: Self.secret)
        var attacker = try context(.microsoft365, credentials: Self.guess)
        attacker.tokens = victim.tokens
        let cache = victim.tokens
        let purpose = "ms|https://login.microsoftonline.com|contoso.onmicrosoft.com|app|https://graph.microsoft.com"
        #expect(try cache.token(for: victim.tokenKey(purpose)) { ("victim-token", 3600) } == "victim-token")
        let refused = ProviderError(.badCredentials, "token request refused: invalid_client")
        #expect(throws: ProviderError.self) {
            try cache.token(for: attacker.tokenKey(purpose)) { () throws(ProviderError) in throw refused }
        }
    }

    @Test func theSameCredentialsInAnotherSourceDoNotShareEither() throws {
        let one = try context(.microsoft365, credentials: Self.secret)
        let other = try context(.microsoft365, credentials: Self.secret, sourceID: "00000000-0000-0000-0000-000000000002")
        #expect(one.credentialsDigest == other.credentialsDigest)
        #expect(one.tokenKey("p") != other.tokenKey("p"))
    }

    @Test func aSourceReusesItsOwnTokenUntilInvalidated() throws {
        let source = try context(.microsoft365, credentials: Self.secret)
        var fetches = 0
        for _ in 0..<3 { _ = try source.tokens.token(for: source.tokenKey("p")) { fetches += 1; return ("t", 3600) } }
        #expect(fetches == 1)
        source.tokens.invalidate(source.tokenKey("p"))
        _ = try source.tokens.token(for: source.tokenKey("p")) { fetches += 1; return ("t", 3600) }
        #expect(fetches == 2)
    }

    /// Every provider keys its tokens through `ProviderContext.tokenKey`: the same app or account
    /// with other credentials (a guessed secret, a forged key) gets another key.
    @Test func providersKeysCarryTheCredentialsDigest() throws {
        let victim = try context(.microsoft365, credentials: Self.secret)
        let attacker = try context(.microsoft365, credentials: Self.guess)
        let identity = try MicrosoftIdentity(context: victim, cloud: .global)
        let sameApp = try MicrosoftIdentity(context: attacker, cloud: .global)
        #expect(identity.cacheKey(resource: "https://graph.microsoft.com", context: victim)
            != sameApp.cacheKey(resource: "https://graph.microsoft.com", context: attacker))

        let account = try context(.gcp, credentials: ProviderSetupTests.gcpKey())
        let forged = try context(.gcp, credentials: ProviderSetupTests.gcpKey().replacingOccurrences(of: "acme-audit-123\",", with: "acme-audit-123\",\"x\":\"forged\","))
        let purpose = try GCPServiceAccount(context: account).tokenPurpose
        #expect(try GCPServiceAccount(context: forged).tokenPurpose == purpose)
        #expect(account.tokenKey(purpose) != forged.tokenKey(purpose))
    }
}
