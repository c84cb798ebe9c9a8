import Foundation
import JSONBytes
import Testing
import UTCTime
import Catalog
@testable import Providers

/// The connector engine's pure parts: paging, records into events, error meanings.
@Suite struct ConnectorEngineTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func declaration(_ name: String) throws -> ConnectorDeclaration {
        try ConnectorCatalog.loadFile(repository.appendingPathComponent("connectors/\(name).json").path)
    }

    @Test func theLinkHeadersNextTargetIsFound() {
        let okta = #"<https://acme.okta.com/api/v1/logs?limit=2>; rel="self", <https://acme.okta.com/api/v1/logs?after=abc&limit=2>; rel="next""#
        #expect(ConnectorPaging.nextLink([okta]) == "https://acme.okta.com/api/v1/logs?after=abc&limit=2")
        #expect(ConnectorPaging.nextLink(["<https://a.example/x>; rel=\"self\"", "<https://a.example/y>; rel=next"]) == "https://a.example/y")
        #expect(ConnectorPaging.nextLink(["<https://a.example/x>; rel=\"prev\""]) == nil)
        #expect(ConnectorPaging.nextLink([]) == nil)
    }

    @Test func nextURLsStayOnTheAPIsOrigin() throws {
        let current = "https://acme.my.salesforce.com/services/data/v60.0/query?q=x"
        #expect(try ConnectorPaging.resolve("/services/data/v60.0/query/01g-2000", against: current, what: "t")
                == "https://acme.my.salesforce.com/services/data/v60.0/query/01g-2000")
        #expect(try ConnectorPaging.resolve("https://ACME.my.salesforce.com:443/next", against: current, what: "t")
                == "https://ACME.my.salesforce.com:443/next")
        for elsewhere in ["https://evil.example/next", "//evil.example/next", "http://acme.my.salesforce.com/next",
                          "https://acme.my.salesforce.com@evil.example/", "https://acme.my.salesforce.com:8443/next"] {
            #expect(throws: ProviderError.self, "\(elsewhere)") { try ConnectorPaging.resolve(elsewhere, against: current, what: "t") }
        }
    }

    @Test func anOktaRecordBecomesAnEventByTheDeclaredMapping() throws {
        let stream = try Self.declaration("okta").streams[0]
        let records = ConnectorRecords(stream)
        let page = try RawJSON(validating: #"""
        [{"uuid": "u-1", "published": "2026-12-04T10:00:00.123Z", "eventType": "user.session.start",
          "actor": {"alternateId": "ada@acme.example"}, "outcome": {"result": "FAILURE"},
          "client": {"ipAddress": "203.0.113.9"}},
         {"uuid": "u-2", "published": "2026-12-04T10:00:01Z", "eventType": "policy.evaluate_sign_on",
          "actor": {"alternateId": ""}, "outcome": {"result": "SKIPPED"}, "client": {"ipAddress": null}},
         {"published": "2026-12-04T10:00:02Z"},
         {"uuid": "u-4", "published": "not a time"}]
        """#)
        let all = Array(records.records(in: page) ?? RawJSON.Elements())
        #expect(all.count == 4)
        let events = all.compactMap(records.event)
        #expect(events.map(\.id) == ["u-1", "u-2"])
        #expect(events[0].time == UTCTimestamp(rfc3339: "2026-12-04T10:00:00.123Z"))
        #expect(events[0].fields.user?.stringValue == "ada@acme.example")
        #expect(events[0].fields.activity?.stringValue == "user.session.start")
        #expect(events[0].fields.result == .failure)
        #expect(events[0].fields.sourceIP?.stringValue == "203.0.113.9")
        #expect(events[0].fields.application?.stringValue == "Okta")
        #expect(events[0].raw.text.hasPrefix(#"{"uuid": "u-1""#))
        // Empty strings and nulls are absent; a result the table does not know stays null.
        #expect(events[1].fields.user == nil && events[1].fields.sourceIP == nil && events[1].fields.result == nil)
        #expect(events[1].logType == "okta_system_log")
    }

    @Test func compositeIdsFirstNonEmptyAndMapsWithOtherwise() throws {
        let stream = try Self.declaration("okta").streams[0]
        var custom = stream
        custom.idPaths = [JSONPath("id.time")!, JSONPath("id.uniqueQualifier")!]
        custom.time.path = JSONPath("id.time")!
        custom.mapping.user = .first([.path(JSONPath("actor.email")!), .path(JSONPath("actor.profileId")!), .constant("unknown")])
        custom.mapping.result = .map(.path(JSONPath("events.0.type")!), table: ["login_success": "success"], otherwise: "failure")
        let records = ConnectorRecords(custom)
        let record = try RawJSON(validating: #"{"id": {"time": "2026-12-04T10:00:00.000Z", "uniqueQualifier": -42}, "actor": {"profileId": 1234}, "events": [{"type": "login_failure"}]}"#)
        let event = try #require(records.event(record))
        #expect(event.id == "2026-12-04T10:00:00.000Z|-42")
        #expect(event.fields.user?.text == "1234")
        #expect(event.fields.result == .failure)
        let bare = try RawJSON(validating: #"{"id": {"time": "2026-12-04T10:00:00.000Z", "uniqueQualifier": "q"}, "actor": {}}"#)
        let second = try #require(records.event(bare))
        #expect(second.fields.user?.stringValue == "unknown" && second.fields.result == nil)
    }

    @Test func errorsMeanWhatTheDeclarationSays() throws {
        let rules = try Self.declaration("okta").errors
        func kind(_ status: Int, _ body: String) throws -> ProviderError {
            ConnectorErrors.error(status: status, body: try RawJSON(validating: body), rules: rules, what: "system_log")
        }
        let denied = try kind(403, #"{"errorCode": "E0000006", "errorSummary": "You do not have permission to perform the requested action"}"#)
        #expect(denied.kind == .missingPermission)
        #expect(denied.message == "system_log: HTTP 403 You do not have permission to perform the requested action")
        #expect(try kind(401, #"{"errorCode": "E0000011", "errorSummary": "Invalid token provided"}"#).kind == .badCredentials)
        #expect(try kind(404, #"{}"#).kind == .configuration)
        var rule = rules[0]
        rule.status = nil
        rule.bodyPath = JSONPath("error")
        rule.bodyEquals = "missing_scope"
        rule.meaning = .missingPermission
        rule.messagePath = JSONPath("error")
        let slackStyle = [rule]
        let error = ConnectorErrors.error(status: 200, body: try RawJSON(validating: #"{"ok": false, "error": "missing_scope"}"#),
                                          rules: slackStyle, what: "audit")
        #expect(error.kind == .missingPermission && error.message == "audit: HTTP 200 missing_scope")
    }
}

/// Each paging kind's next step, from a page and its headers.
@Suite struct ConnectorPagingStepTests {
    static let current = "https://api.acme.example/v1/audit?since=x"

    static func step(_ paging: ConnectorDeclaration.Paging, _ body: String, links: [String] = [],
                     records: Int = 2, read: Int = 2, pageSize: Int = 2) throws -> ConnectorPaging.Step {
        try ConnectorPaging.next(paging, page: try RawJSON(validating: body), linkHeaders: links, current: current,
                                 records: records, read: read, pageSize: pageSize, what: "audit")
    }

    @Test func linkHeader() throws {
        let link = [#"<https://api.acme.example/v1/audit?after=abc>; rel="next""#]
        #expect(try Self.step(.linkHeader, "[]", links: link) == .url("https://api.acme.example/v1/audit?after=abc"))
        #expect(try Self.step(.linkHeader, "[]", links: []) == .end)
        // An empty page ends the window even though Okta links on.
        #expect(try Self.step(.linkHeader, "[]", links: link, records: 0) == .end)
        #expect(throws: ProviderError.self) { try Self.step(.linkHeader, "[]", links: ["<https://evil.example/x>; rel=next"]) }
    }

    @Test func nextURL() throws {
        let paging = ConnectorDeclaration.Paging.nextURL(path: JSONPath("nextRecordsUrl")!)
        #expect(try Self.step(paging, #"{"nextRecordsUrl": "/v1/audit/01g-2000"}"#) == .url("https://api.acme.example/v1/audit/01g-2000"))
        #expect(try Self.step(paging, #"{"done": true}"#) == .end)
        #expect(try Self.step(paging, #"{"nextRecordsUrl": ""}"#) == .end)
        #expect(throws: ProviderError.self) { try Self.step(paging, #"{"nextRecordsUrl": "https://evil.example/next"}"#) }
    }

    @Test func nextToken() throws {
        let paging = ConnectorDeclaration.Paging.nextToken(path: JSONPath("response_metadata.next_cursor")!, parameter: "cursor")
        #expect(try Self.step(paging, #"{"response_metadata": {"next_cursor": "dXNlcjpVMEc5V0ZYTlo="}}"#)
                == .parameter(name: "cursor", value: "dXNlcjpVMEc5V0ZYTlo=", checked: true))
        #expect(try Self.step(paging, #"{"response_metadata": {"next_cursor": ""}}"#) == .end)
        #expect(try Self.step(paging, #"{"entries": []}"#) == .end)
    }

    @Test func offset() throws {
        let paging = ConnectorDeclaration.Paging.offset(parameter: "skip")
        #expect(try Self.step(paging, "{}", records: 100, read: 300, pageSize: 100) == .parameter(name: "skip", value: "300", checked: false))
        #expect(try Self.step(paging, "{}", records: 99, read: 299, pageSize: 100) == .end)
        #expect(try Self.step(.none, "{}") == .end)
    }
}
