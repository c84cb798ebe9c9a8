import JSONBytes
import Testing
import SourceModel

@Suite struct ProviderHostPolicyTests {
    static func authority(_ url: String) -> URLAuthority { URLAuthority(url)! }

    @Test(arguments: [
        ("logging.googleapis.com", "https://logging.googleapis.com/v2/entries:list", true),
        ("logging.*.rep.googleapis.com", "https://logging.europe-west3.rep.googleapis.com", true),
        ("logging.*.rep.googleapis.com", "https://logging.a.b.rep.googleapis.com", false),
        ("logging-*.p.googleapis.com", "https://logging-psc1.p.googleapis.com", true),
        ("logging-*.p.googleapis.com", "https://logging-.p.googleapis.com", false),
        ("*.corp.example", "https://a.b.corp.example", true),
        ("*.corp.example", "https://corp.example", false),
        ("*.cloudtrail.*.vpce.amazonaws.com", "https://vpce-1.cloudtrail.eu-west-1.vpce.amazonaws.com", true),
        ("graph.microsoft.com", "https://graph.microsoft.com.evil.example", false),
        ("graph.microsoft.com", "https://GRAPH.Microsoft.com:443/", true),
        ("127.0.0.1", "https://127.0.0.1:8443", true),
        ("127.0.0.1:8443", "https://127.0.0.1:9443", false),
        ("[::1]", "https://[::1]:8443/x", true),
    ])
    func patternsMatchWholeLabels(pattern: String, url: String, matches: Bool) throws {
        #expect(try #require(HostPattern(pattern)).matches(Self.authority(url)) == matches)
    }

    @Test func urlsWithUserInformationOrNoHostHaveNoAuthority() {
        #expect(URLAuthority("https://graph.microsoft.com@10.0.0.1/") == nil)
        #expect(URLAuthority("https://graph.microsoft.com\\@10.0.0.1/") == nil)
        #expect(URLAuthority("http://graph.microsoft.com") == nil)
        #expect(URLAuthority("https:///path") == nil)
        #expect(URLAuthority("https://host:99999") == nil)
    }

    @Test func aBadAllowlistEntryIsNamedByPositionOnly() {
        #expect(throws: ProviderHostPolicy.InvalidPattern.self) { try ProviderHostPolicy(allowlist: "127.0.0.1, bad/host") }
        do {
            _ = try ProviderHostPolicy(allowlist: "ok.example, sec/ret")
        } catch {
            #expect(error.description.contains("entry 2") && !error.description.contains("sec/ret"))
        }
    }

    @Test func microsoftHostsFollowTheNationalCloud() throws {
        let policy = ProviderHostPolicy()
        let usgov = try JSONValue.parse(Array(#"{"cloud":"usgov","graph_endpoint":"https://graph.microsoft.us"}"#.utf8))
        #expect(policy.violations(platform: .microsoft365, settings: usgov, credentials: nil).isEmpty)
        let global = try JSONValue.parse(Array(#"{"graph_endpoint":"https://graph.microsoft.us"}"#.utf8))
        #expect(policy.violations(platform: .microsoft365, settings: global, credentials: nil).map(\.field) == ["settings.graph_endpoint"])
    }

    @Test func theAllowlistAddsHostsAndAGCPKeysTokenURIIsChecked() throws {
        let settings = try JSONValue.parse(Array(#"{"logging_endpoint":"https://proxy.corp.example:8443"}"#.utf8))
        let key = try JSONValue.parse(Array(#"{"token_uri":"https://metadata.internal/token"}"#.utf8))
        let strict = ProviderHostPolicy()
        #expect(strict.violations(platform: .gcp, settings: settings, credentials: key).map(\.field)
                == ["settings.logging_endpoint", "api_credentials_json.token_uri"])
        let allowing = try ProviderHostPolicy(allowlist: "*.corp.example:8443")
        #expect(allowing.violations(platform: .gcp, settings: settings, credentials: key).map(\.field)
                == ["api_credentials_json.token_uri"])
    }
}
