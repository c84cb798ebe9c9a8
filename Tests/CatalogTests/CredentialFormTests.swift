import Testing
import Catalog
import JSONBytes
import UTCTime

@Suite struct CredentialFormTests {
    /// Stand-ins for the poller's parsers: any non-empty key parses, the certificate ends at `end`.
    static func readers(end: UTCTimestamp = UTCTimestamp(seconds: 4_102_444_800)) -> KeyReaders {
        KeyReaders(certificate: { _, _ in .success(end) }, isRSAPrivateKey: { !$0.isEmpty })
    }

    static func problems(_ platform: Platform, _ members: [(String, String)]) -> [CredentialProblem] {
        let credentials = JSONValue.object(members.map { (key: $0.0, value: .string($0.1)) })
        return PlatformCatalog.definition(of: platform).credentials.check(credentials, readers: readers()).problems
    }

    // What the form asks for, the rules accept: no field of the catalog is refused as unknown.
    @Test(arguments: Platform.allCases)
    func everyFieldIsAKnownMember(platform: Platform) {
        let form = PlatformCatalog.definition(of: platform).credentials
        for field in form.fields where field.kind != .file {
            let found = Self.problems(platform, [(field.name, "x")])
            #expect(!found.contains { $0.field == "api_credentials_json.\(field.name)" && $0.message.contains("not a known field") },
                    "\(platform) \(field.name)")
        }
    }

    // Fields asked always and marked required are reported missing by the rules.
    @Test(arguments: Platform.allCases)
    func requiredFieldsAreRequired(platform: Platform) {
        let form = PlatformCatalog.definition(of: platform).credentials
        let found = Self.problems(platform, [])
        for field in form.fields where field.required && field.alternative == nil && field.kind != .file {
            #expect(found.contains { $0.field == "api_credentials_json.\(field.name)" && $0.message.contains("required") },
                    "\(platform) \(field.name)")
        }
    }

    @Test func everyAlternativeIsAnOptionOfTheChoice() {
        for definition in PlatformCatalog.all {
            let options = Set(definition.credentials.choice?.options.map(\.value) ?? [])
            for field in definition.credentials.fields {
                if let alternative = field.alternative { #expect(options.contains(alternative), "\(field.name)") }
            }
        }
    }

    @Test func secretsAreMarked() {
        let fields = PlatformCatalog.all.filter { $0.connector == nil }.flatMap(\.credentials.fields)
        let secret = Set(fields.filter(\.secret).map(\.name))
        #expect(secret == ["client_secret", "private_key_pem", "service_account_key", "secret_access_key", "session_token"])
        // A declared platform's secrets and private keys are secret too (its declaration says so).
        for declared in PlatformCatalog.all.compactMap(\.connector) {
            for field in declared.credentials.fields where field.kind == .secret || field.rsaPrivateKey {
                #expect(field.secret, "\(declared.platform) \(field.name)")
            }
        }
    }

    @Test func anExpiredCertificateIsRefusedAndItsEndReported() {
        let end = UTCTimestamp(seconds: 1_000_000)
        let credentials = JSONValue.object([
            (key: "tenant_id", value: .string("contoso.onmicrosoft.com")),
            (key: "client_id", value: .string("0b5e6b4e-1b51-4e0f-a8b4-1f2d3c4b5a69")),
            (key: "certificate_pem", value: .string("cert")), (key: "private_key_pem", value: .string("key")),
        ])
        let result = MicrosoftCredentials.form.check(credentials, readers: Self.readers(end: end))
        #expect(result.expiresAt == end)
        #expect(result.problems.map(\.field) == ["api_credentials_json.certificate_pem"])
    }

    @Test func notAnObject() {
        let result = AWSCatalog.definition.credentials.check(.string("x"), readers: Self.readers())
        #expect(result.problems == [CredentialProblem(field: "api_credentials_json", message: "must be a JSON object (or a string holding one)")])
    }
}
