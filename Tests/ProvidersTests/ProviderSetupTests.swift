import Foundation
import SourceModel
import Testing
import TestSupport
@testable import Providers

/// Building the AzureAD and GCP providers from a source's credentials and settings:
/// which streams they collect, what they refuse, what the token request carries.
@Suite struct ProviderSetupTests {
    static let microsoft = #"{"tenant_id":"72f988bf-86f1-41af-91ab-2d7cd011db47","client_id":"0b5e6b4e-1b51-4e0f-a8b4-1f2d3c4b5a69","client_secret":"s"}"#

    static func gcpKey(type: String = "service_account", tokenURI: String = "https://oauth2.googleapis.com/token") -> String {
        let pem = JWTAssertionSignerTests.pem.replacingOccurrences(of: "\n", with: "\\n")
        return #"{"type":"\#(type)","project_id":"acme-audit-123","private_key_id":"\#(JWTAssertionSignerTests.keyID)","private_key":"\#(pem)","client_email":"collector@acme-audit-123.iam.gserviceaccount.com","token_uri":"\#(tokenURI)"}"#
    }

    @Test func azureADCollectsRiskProvisioningAndOneActivityStreamPerSubscription() throws {
        let provider = try AzureADProvider(context: context(.azureAD, credentials: Self.microsoft,
                                                            settings: #"{"subscription_ids":["S1","s2"]}"#))
        #expect(provider.streams.map(\.name) == ["risk_detections", "provisioning", "activity_log:s1", "activity_log:s2"])
        #expect(provider.streams.first?.defaultOverlapSeconds == Int64(48 * 3600))
    }

    @Test func azureADStreamsSettingSelectsByBaseName() throws {
        let only = try AzureADProvider(context: context(.azureAD, credentials: Self.microsoft,
                                                        settings: #"{"streams":["activity_log"],"subscription_ids":["s1"]}"#))
        #expect(only.streams.map(\.name) == ["activity_log:s1"])
        let none = try AzureADProvider(context: context(.azureAD, credentials: Self.microsoft,
                                                        settings: #"{"streams":["provisioning","activity_log"]}"#))
        #expect(none.streams.map(\.name) == ["provisioning"])
    }

    @Test func gcpHasOneStream() throws {
        let provider = try GCPProvider(context: context(.gcp, credentials: Self.gcpKey()))
        #expect(provider.streams == [GCPProvider.cloudAudit])
        #expect(provider.streams[0].logType == "cloud_audit_log")
    }

    @Test func gcpRefusesWhatItCannotUse() throws {
        #expect(throws: ProviderError.self) { try GCPProvider(context: context(.gcp, credentials: Self.gcpKey(type: "authorized_user"))) }
        #expect(throws: ProviderError.self) { try GCPProvider(context: context(.gcp, credentials: Self.gcpKey(tokenURI: "http://x/token"))) }
        #expect(throws: ProviderError.self) {
            try GCPProvider(context: context(.gcp, credentials: Self.gcpKey(), settings: #"{"logging_endpoint":"http://logging.example"}"#))
        }
    }

    @Test func theAssertionCarriesGooglesClaims() throws {
        let account = try GCPServiceAccount(context: context(.gcp, credentials: Self.gcpKey()))
        let jwt = try account.assertion(issuedAt: 1_700_000_000)
        // Same key, same claims as the independent vector: the very same token.
        #expect(jwt == JWTAssertionSignerTests.expected)
        #expect(account.tokenPurpose.contains("collector@acme-audit-123.iam.gserviceaccount.com"))
        #expect(!account.tokenPurpose.contains("PRIVATE"))
    }

    @Test func theListRequestBodyIsTheDocumentedShape() throws {
        let account = try GCPServiceAccount(context: context(.gcp, credentials: Self.gcpKey()))
        let reader = CloudLoggingReader(account: account, context: try context(.gcp, credentials: Self.gcpKey()),
                                        endpoint: "https://logging.googleapis.com", resourceNames: ["projects/a", "projects/b"],
                                        filter: GCPProvider.defaultFilter, pageSize: 1000)
        let body = String(decoding: reader.requestBody(window: ProviderRequestTests.window, pageToken: "tok"), as: UTF8.self)
        #expect(body == #"{"resourceNames":["projects/a","projects/b"],"filter":"timestamp >= \"2026-11-20T10:00:00Z\" AND timestamp <= \"2026-11-20T11:00:00.250000Z\" AND (logName:\"cloudaudit.googleapis.com\")","orderBy":"timestamp asc","pageSize":1000,"pageToken":"tok"}"#)
        #expect(reader.pacing.key == "gcp|acme-audit-123")
        #expect(reader.pacing.budget == RateLimiter.Budget(requests: 60, perSeconds: 60))
    }
}
