import Testing
import HTTPRouting
import JSONBytes
import SourceModel
@testable import API

@Suite struct SourceInputValidatorTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        var label: String
        var body: JSONValue
        var platform: Platform
        var interval = 15
        var enabled = true
        var settings = JSONValue.object([])
        var credentials: JSONValue
        var testDescription: String { label }
    }

    static var valid: [Valid] {
        let streams = JSONValue.object([("streams", .array([.string("sign_ins")])), ("cloud", .string("usgov")), ("page_size", .number("500"))])
        let azure = JSONValue.object([("subscription_ids", .array([.string("8f2c1d3e-0000-4000-8000-000000000001")]))])
        let gcp = JSONValue.object([("filter", .string(#"protoPayload.methodName="SetIamPolicy""#)),
                                    ("resource_names", .array([.string("projects/contoso-siem-prod")]))])
        let aws = JSONValue.object([("endpoint_url", .string("https://cloudtrail.eu-west-1.amazonaws.com"))])
        let asText = JSONValue.string(Bodies.microsoftSecret.description)
        return [
            Valid(label: "Microsoft365 client secret, defaults", body: Bodies.source("Microsoft365", credentials: Bodies.microsoftSecret),
                  platform: .microsoft365, credentials: Bodies.microsoftSecret),
            Valid(label: "Microsoft365 with schedule and settings",
                  body: Bodies.source("Microsoft365", credentials: Bodies.microsoftSecret, extra: [
                      "polling_interval_minutes": .number("5"), "is_enabled": .bool(false), "settings": streams,
                  ]),
                  platform: .microsoft365, interval: 5, enabled: false, settings: streams, credentials: Bodies.microsoftSecret),
            Valid(label: "AzureAD certificate", body: Bodies.source("AzureAD", credentials: Bodies.microsoftCertificate, extra: ["settings": azure]),
                  platform: .azureAD, settings: azure, credentials: Bodies.microsoftCertificate),
            Valid(label: "GCP service account key", body: Bodies.source("GCP", credentials: Bodies.gcpServiceAccount, extra: [
                      "polling_interval_minutes": .number("1440"), "settings": gcp,
                  ]),
                  platform: .gcp, interval: 1440, settings: gcp, credentials: Bodies.gcpServiceAccount),
            Valid(label: "AWS keys with session token", body: Bodies.source("AWS", credentials: Bodies.awsKeys, extra: [
                      "polling_interval_minutes": .number("1"), "settings": aws,
                  ]),
                  platform: .aws, interval: 1, settings: aws, credentials: Bodies.awsKeys),
            // Many clients send the credentials file's text as a string.
            Valid(label: "credentials as a JSON string", body: Bodies.source("Microsoft365", credentials: asText),
                  platform: .microsoft365, credentials: Bodies.microsoftSecret),
        ]
    }

    @Test(arguments: valid)
    func acceptsValidBodies(_ c: Valid) throws {
        let draft = try SourceInputValidator.draft(from: try #require(c.body.objectValue), requireCredentials: true)
        #expect(draft.platform == c.platform)
        #expect(draft.sourceName == "Contoso audit")
        #expect(draft.pollingIntervalMinutes == c.interval)
        #expect(draft.isEnabled == c.enabled)
        #expect(draft.settings == c.settings)
        // Stored as canonical compact JSON of the object, whatever form it came in.
        #expect(draft.credentialsJSON == c.credentials.serialized())
    }

    @Test func gcpAcceptsAPKCS1KeyToo() throws {
        let credentials = Bodies.replacing("private_key", with: .string(Bodies.pkcs1PEM), in: Bodies.gcpServiceAccount)
        let draft = try SourceInputValidator.draft(from: try #require(Bodies.source("GCP", credentials: credentials).objectValue),
                                                   requireCredentials: true)
        #expect(draft.platform == .gcp)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        var label: String
        var body: JSONValue
        var field: String
        var requireCredentials = true
        var storedPlatform: Platform?
        var testDescription: String { label }
    }

    static var invalid: [Invalid] {
        let m365 = Bodies.source("Microsoft365", credentials: Bodies.microsoftSecret)
        func with(_ name: String, _ value: JSONValue?) -> JSONValue { Bodies.replacing(name, with: value, in: m365) }
        return [
            Invalid(label: "platform missing", body: with("platform", nil), field: "platform"),
            Invalid(label: "platform in lowercase", body: with("platform", .string("microsoft365")), field: "platform"),
            Invalid(label: "platform not a string", body: with("platform", .number("365")), field: "platform"),
            Invalid(label: "unknown member", body: with("owner", .string("bob")), field: "owner"),
            Invalid(label: "name missing", body: with("source_name", nil), field: "source_name"),
            Invalid(label: "name empty", body: with("source_name", .string("")), field: "source_name"),
            Invalid(label: "name padded", body: with("source_name", .string(" Contoso")), field: "source_name"),
            Invalid(label: "name with a tab", body: with("source_name", .string("Contoso\taudit")), field: "source_name"),
            Invalid(label: "name too long", body: with("source_name", .string(String(repeating: "n", count: 201))), field: "source_name"),
            Invalid(label: "name not a string", body: with("source_name", .number("7")), field: "source_name"),
            Invalid(label: "interval 0", body: with("polling_interval_minutes", .number("0")), field: "polling_interval_minutes"),
            Invalid(label: "interval 1441", body: with("polling_interval_minutes", .number("1441")), field: "polling_interval_minutes"),
            Invalid(label: "interval as text", body: with("polling_interval_minutes", .string("15")), field: "polling_interval_minutes"),
            Invalid(label: "interval fractional", body: with("polling_interval_minutes", .number("2.5")), field: "polling_interval_minutes"),
            Invalid(label: "enabled as text", body: with("is_enabled", .string("true")), field: "is_enabled"),
            Invalid(label: "setting of another platform", body: with("settings", Bodies.object(["subscription_ids": .array([.string("x")])])),
                    field: "settings.subscription_ids"),
            Invalid(label: "settings not an object", body: with("settings", .string("cloud=usgov")), field: "settings"),
            Invalid(label: "credentials missing on create", body: with("api_credentials_json", nil), field: "api_credentials_json"),
            Invalid(label: "credentials string is not JSON", body: with("api_credentials_json", .string("client_secret=\(Bodies.secret)")),
                    field: "api_credentials_json"),
            Invalid(label: "credentials not an object", body: with("api_credentials_json", .array([.string(Bodies.secret)])),
                    field: "api_credentials_json"),
            Invalid(label: "platform changes without new credentials",
                    body: with("api_credentials_json", nil), field: "api_credentials_json",
                    requireCredentials: false, storedPlatform: .aws),
        ]
    }

    /// The validator's error for `body`, or nil (recorded as an issue) when it passed.
    static func rejection(_ body: JSONValue, requireCredentials: Bool = true, storedPlatform: Platform? = nil) -> HTTPError? {
        do {
            _ = try SourceInputValidator.draft(from: body.objectValue ?? [], requireCredentials: requireCredentials,
                                               storedPlatform: storedPlatform)
            Issue.record("accepted \(body)")
            return nil
        } catch {
            return error
        }
    }

    /// Every text of the error a client can see.
    static func visibleText(_ error: HTTPError) -> String {
        String(decoding: error.response(requestID: "r").body, as: UTF8.self) + error.description
    }

    @Test(arguments: invalid)
    func rejectsWithTheFieldNamed(_ c: Invalid) throws {
        let error = try #require(Self.rejection(c.body, requireCredentials: c.requireCredentials, storedPlatform: c.storedPlatform))
        #expect(error.status == 400)
        #expect(error.fieldErrors.map(\.field) == [c.field])
        #expect(!Self.visibleText(error).contains(Bodies.secret))
    }

    @Test func reportsEveryProblemAtOnce() throws {
        let body = Bodies.object(["source_name": .string(""), "polling_interval_minutes": .number("0"), "is_enabled": .null, "x": .null])
        let error = try #require(Self.rejection(body))
        #expect(Set(error.fieldErrors.map(\.field)) == ["x", "platform", "source_name", "polling_interval_minutes", "is_enabled",
                                                        "api_credentials_json"])
        // The detail sums them up for clients that only show one line.
        for field in error.fieldErrors { #expect(error.detail?.contains("\(field.field): \(field.message)") == true) }
    }

    @Test func replaceWithoutCredentialsKeepsTheStoredOnes() throws {
        let body = Bodies.source("Microsoft365", credentials: nil)
        for stored in [Platform?.none, .microsoft365] {
            let draft = try SourceInputValidator.draft(from: try #require(body.objectValue), requireCredentials: false, storedPlatform: stored)
            #expect(draft.credentialsJSON == nil)
        }
    }

    @Test func credentialsFollowTheBodysPlatform() throws {
        // AWS keys sent for a Microsoft source: named per Microsoft field, values not echoed.
        let error = try #require(Self.rejection(Bodies.source("Microsoft365", credentials: Bodies.awsKeys)))
        let fields = error.fieldErrors.map(\.field)
        #expect(fields.contains("api_credentials_json.access_key_id"))
        #expect(fields.contains("api_credentials_json.tenant_id"))
        #expect(!Self.visibleText(error).contains("wJalrXUtnFEMI"))
    }
}
