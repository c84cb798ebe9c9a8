import Foundation
import Testing
import Catalog
import JSONBytes

@Suite struct ConnectorDeclarationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let connectors = repository.appendingPathComponent("connectors").path

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: connectors)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// A small valid declaration to break one field at a time.
    static let minimal = """
    {"platform": "Acme", "label": "Acme Audit",
     "settings": [{"name": "acme_url", "type": "url", "label": "Acme URL", "hosts": ["*.acme.example"], "required": true}],
     "credentials": {"fields": [{"name": "api_key", "label": "API key", "kind": "secret"}]},
     "auth": [{"kind": "static_header", "header": "X-Api-Key", "value": "{credentials.api_key}"}],
     "streams": [{"name": "audit", "label": "Audit", "log_type": "acme_audit",
                  "request": {"url": "{settings.acme_url}/audit", "time_format": "unix_seconds",
                              "query": {"from": "{window.start}", "to": "{window.end}", "limit": "{page_size}"}},
                  "paging": {"kind": "offset", "parameter": "skip"},
                  "records": "data.items", "id": ["id", "seq"], "time": {"path": "ts", "format": "unix_seconds"},
                  "mapping": {"user": "who.name", "result": {"path": "ok", "map": {"true": "success", "false": "failure"}}}}]}
    """

    static func parse(_ text: String) throws(DeclarationProblem) -> ConnectorDeclaration {
        let json: JSONValue
        do { json = try JSONValue.parse(Array(text.utf8)) } catch { throw DeclarationProblem(path: "$", message: "test JSON: \(error)") }
        return try ConnectorDeclaration.parse(json, reservedPlatforms: ["GCP"], reservedSettings: ["page_size"])
    }

    /// `minimal` with `replace` substituted for `find`; the problem it causes.
    static func problem(replacing find: String, with replace: String) -> DeclarationProblem? {
        #expect(minimal.contains(find), "fixture lacks \(find)")
        do throws(DeclarationProblem) {
            _ = try parse(minimal.replacingOccurrences(of: find, with: replace))
            return nil
        } catch {
            return error
        }
    }

    @Test func theRepositoryDeclaresTheFourPlatforms() {
        #expect(Self.files == ["google_workspace.json", "okta.json", "salesforce.json", "slack.json"])
    }

    // Every file in connectors/ is a usable declaration, checked as the executables check it.
    @Test func everyFileInConnectorsIsValid() throws {
        let builtIn: Set<String> = ["Microsoft365", "AzureAD", "GCP", "AWS", "Fictitious"]
        for name in Self.files {
            do throws(ConnectorCatalog.LoadError) {
                _ = try ConnectorCatalog.loadFile("\(Self.connectors)/\(name)", reservedPlatforms: builtIn)
            } catch {
                Issue.record("\(error)")
            }
        }
        guard case .success(let all) = ConnectorCatalog.load(directory: Self.connectors) else {
            Issue.record("the directory does not load"); return
        }
        #expect(all.count == Self.files.count)
    }

    @Test func theMinimalDeclarationParses() throws {
        let declaration = try Self.parse(Self.minimal)
        #expect(declaration.platform == "Acme")
        #expect(declaration.streams[0].idPaths.map(\.description) == ["id", "seq"])
        #expect(declaration.settings[0].kind == .url(hosts: ["*.acme.example"]))
        #expect(declaration.overlapFloorMinutes == 1 && declaration.streams[0].defaultOverlapMinutes == 30)
    }

    // Each kind of bad field gives one message naming its JSON path.
    @Test(arguments: [
        ("\"platform\": \"Acme\"", "\"platform\": \"acme\"", "$.platform", "capital"),
        ("\"platform\": \"Acme\"", "\"platform\": \"GCP\"", "$.platform", "already a platform"),
        ("\"label\": \"Acme Audit\",", "", "$.label", "is required"),
        ("\"kind\": \"offset\"", "\"kind\": \"cursor\"", "$.streams[0].paging.kind", "must be one of"),
        ("\"parameter\": \"skip\"", "\"parmeter\": \"skip\"", "$.streams[0].paging.parmeter", "not a known field"),
        ("\"limit\": \"{page_size}\"", "\"limit\": \"100\"", "$.streams[0].paging.kind", "{page_size}"),
        ("{settings.acme_url}/audit", "{settings.acme_uri}/audit", "$.streams[0].request.url", "not a declared setting"),
        ("{settings.acme_url}/audit", "http://acme.example/audit", "$.streams[0].request.url", "https"),
        ("\"from\": \"{window.start}\"", "\"from\": \"{window.begin}\"", "$.streams[0].request.query.from", "unknown placeholder"),
        ("\"to\": \"{window.end}\"", "\"to\": \"{credentials.api_key}\"", "$.streams[0].request.query", "must not carry credentials"),
        ("\"value\": \"{credentials.api_key}\"", "\"value\": \"{credentials.token}\"", "$.auth[0].value", "not a declared credential"),
        ("\"kind\": \"static_header\"", "\"kind\": \"oauth3\"", "$.auth[0].kind", "must be one of"),
        ("\"format\": \"unix_seconds\"", "\"format\": \"epoch\"", "$.streams[0].time.format", "rfc3339_millis"),
        ("\"records\": \"data.items\"", "\"records\": \"data..items\"", "$.streams[0].records", "path"),
        ("\"true\": \"success\"", "\"true\": \"ok\"", "$.streams[0].mapping.result", "success or failure"),
        ("\"user\": \"who.name\"", "\"user\": {\"const\": \"x\", \"path\": \"a\"}", "$.streams[0].mapping.user", "exactly one"),
        ("\"name\": \"acme_url\"", "\"name\": \"page_size\"", "$.settings[0].name", "already a setting"),
        ("\"hosts\": [\"*.acme.example\"]", "\"hosts\": []", "$.settings[0].hosts", "public hosts"),
        ("\"hosts\": [\"*.acme.example\"]", "\"hosts\": [\"acme/evil\"]", "$.settings[0].hosts[0]", "host pattern"),
        ("\"kind\": \"secret\"", "\"kind\": \"password\"", "$.credentials.fields[0].kind", "must be one of"),
        ("\"log_type\": \"acme_audit\"", "\"log_type\": \"Acme Audit\"", "$.streams[0].log_type", "lower-case"),
    ])
    func aBadFieldIsNamedByItsPath(find: String, replace: String, path: String, message: String) {
        let problem = Self.problem(replacing: find, with: replace)
        #expect(problem?.path == path, "\(String(describing: problem))")
        #expect(problem?.message.contains(message) == true, "\(String(describing: problem))")
    }

    @Test func aBrokenFileIsNamedWithThePathOfItsField() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("connectors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.minimal.replacingOccurrences(of: "\"unix_seconds\"}", with: "\"unix\"}").utf8)
            .write(to: directory.appendingPathComponent("acme.json"))
        guard case .failure(let error) = ConnectorCatalog.load(directory: directory.path) else {
            Issue.record("loaded"); return
        }
        #expect(error.description == "\(directory.path)/acme.json: $.streams[0].time.format: must be one of rfc3339_millis, rfc3339, unix_seconds, unix_millis, soql")
    }

    @Test func choicesNeedAnAuthPerOption() {
        let text = Self.minimal
            .replacingOccurrences(of: "\"credentials\": {\"fields\": [{\"name\": \"api_key\", \"label\": \"API key\", \"kind\": \"secret\"}]}",
                                  with: "\"credentials\": {\"choice\": {\"name\": \"how\", \"label\": \"How\", \"options\": [{\"value\": \"key\", \"label\": \"Key\"}, {\"value\": \"basic\", \"label\": \"Basic\"}]}, \"fields\": [{\"name\": \"api_key\", \"label\": \"API key\", \"kind\": \"secret\", \"alternative\": \"key\"}, {\"name\": \"user\", \"label\": \"User\", \"kind\": \"text\", \"alternative\": \"basic\"}, {\"name\": \"password\", \"label\": \"Password\", \"kind\": \"secret\", \"alternative\": \"basic\"}]}")
            .replacingOccurrences(of: "\"auth\": [{\"kind\": \"static_header\"", with: "\"auth\": [{\"alternative\": \"key\", \"kind\": \"static_header\"")
        do throws(DeclarationProblem) {
            _ = try Self.parse(text)
            Issue.record("parsed without an auth for basic")
        } catch {
            #expect(error.path == "$.auth" && error.message.contains("basic"))
        }
        let complete = text.replacingOccurrences(of: "\"value\": \"{credentials.api_key}\"}]",
                                                 with: "\"value\": \"{credentials.api_key}\"}, {\"alternative\": \"basic\", \"kind\": \"basic\", \"username\": \"{credentials.user}\", \"password\": \"{credentials.password}\"}]")
        do throws(DeclarationProblem) {
            let declaration = try Self.parse(complete)
            #expect(declaration.auth(forCredentialMembers: ["user", "password"])?.alternative == "basic")
            #expect(declaration.auth(forCredentialMembers: ["api_key"])?.alternative == "key")
        } catch {
            Issue.record("\(error)")
        }
    }
}
