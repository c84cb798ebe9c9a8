import Foundation
import SigV4
import Testing

/// One signing vector of the AWS SigV4 test suite copied into `Fixtures/` (see its README.md).
struct SuiteVector: CustomTestStringConvertible, Sendable {
    enum Source: String, Sendable {
        /// `<case>/<case>.req|.creq|.sts|.authz|.sreq`: AWS's published suite.
        case classic
        /// `<case>/aws-c-auth/…`: the awslabs/aws-c-auth copy (header-signing files only).
        case awsCAuth = "aws-c-auth"
    }

    var caseName: String
    var source: Source
    var directory: URL

    var testDescription: String { "\(source.rawValue)/\(caseName)" }

    /// Parameters every case shares (fixture README, "What every case assumes").
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let accessKeyID = "AKIDEXAMPLE"
    static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    static let fixtures: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// Every vector found on disk: both sources of every case folder.
    static let all: [SuiteVector] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        var vectors: [SuiteVector] = []
        for name in names.sorted() where !name.hasPrefix("_") && !name.hasPrefix(".") {
            let folder = fixtures.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(name).req").path) {
                vectors.append(SuiteVector(caseName: name, source: .classic, directory: folder))
            }
            let cAuth = folder.appendingPathComponent("aws-c-auth")
            if FileManager.default.fileExists(atPath: cAuth.appendingPathComponent("request.txt").path) {
                vectors.append(SuiteVector(caseName: name, source: .awsCAuth, directory: cAuth))
            }
        }
        return vectors
    }()

    static var caseFolderCount: Int { Set(all.map(\.caseName)).count }

    func text(_ file: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    }

    private func fileName(_ classicExtension: String, _ cAuthName: String) -> String {
        source == .classic ? "\(caseName).\(classicExtension)" : cAuthName
    }

    func request() throws -> SignableRequest { try HTTPRequestText.parse(text(fileName("req", "request.txt"))) }
    func expectedCanonicalRequest() throws -> String { try text(fileName("creq", "header-canonical-request.txt")) }
    func expectedStringToSign() throws -> String { try text(fileName("sts", "header-string-to-sign.txt")) }

    func expectedSignature() throws -> String {
        switch source {
        case .classic:
            let authz = try text("\(caseName).authz")
            return String(authz[authz.range(of: "Signature=")!.upperBound...])
        case .awsCAuth:
            return try text("header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The `Authorization` value: classic `.authz`, or the one in aws-c-auth's signed request.
    func expectedAuthorization() throws -> String {
        switch source {
        case .classic:
            return try text("\(caseName).authz")
        case .awsCAuth:
            let signed = try HTTPRequestText.parse(text("header-signed-request.txt"))
            return signed.values(forHeader: "Authorization").first ?? ""
        }
    }

    func expectedSignedRequest() throws -> SignableRequest {
        try HTTPRequestText.parse(text(fileName("sreq", "header-signed-request.txt")))
    }

    /// The signer configured as this vector's source prescribes.
    func signer() throws -> SigV4Signer {
        var options = SigV4Signer.Options()
        var credentials = AWSCredentials(accessKeyID: Self.accessKeyID, secretAccessKey: Self.secretAccessKey)
        switch source {
        case .classic:
            // The classic suite folds obs-fold lines with commas (fixture README, quirk 2).
            options.multilineFolding = .comma
            if caseName.hasPrefix("post-sts-") {
                credentials.sessionToken = try String(
                    contentsOf: Self.fixtures.appendingPathComponent("_group-notes/post-sts-token/readme.txt"),
                    encoding: .utf8
                ).split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }
                options.signsSessionToken = caseName == "post-sts-header-before"
            }
        case .awsCAuth:
            let context = try JSONDecoder().decode(
                CAuthContext.self, from: Data(contentsOf: directory.appendingPathComponent("context.json")))
            credentials = AWSCredentials(
                accessKeyID: context.credentials.access_key_id,
                secretAccessKey: context.credentials.secret_access_key,
                sessionToken: context.credentials.token
            )
            options.normalizesPath = context.normalize ?? true
            options.addsContentSHA256Header = context.sign_body ?? false
            options.signsSessionToken = !(context.omit_session_token ?? false)
            #expect(context.region == "us-east-1" && context.service == "service")
            #expect(context.timestamp == "2015-08-30T12:36:00Z")
        }
        return SigV4Signer(credentials: credentials, region: "us-east-1", service: "service", options: options)
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
/// aws-c-auth's `context.json`.
private struct CAuthContext: Decodable {
    struct Credentials: Decodable {
        var access_key_id: String
        var secret_access_key: String
        var token: String?
    }
    var credentials: Credentials
    var region: String
    var service: String
    var timestamp: String
    var normalize: Bool?
    var sign_body: Bool?
    var omit_session_token: Bool?
}

/// Reads the suite's raw HTTP request files into a `SignableRequest`.
enum HTTPRequestText {
    struct Malformed: Error {}

    /// `METHOD SP target SP HTTP/1.1`, then `Name:value` lines (a line starting with a blank
    /// continues the previous value: obs-fold, kept as `\n`-separated text), a blank line, the body.
    static func parse(_ text: String) throws -> SignableRequest {
        let head: Substring
        let body: Substring
        if let blank = text.range(of: "\n\n") {
            head = text[..<blank.lowerBound]
            body = text[blank.upperBound...]
        } else {
            head = text[...]
            body = ""
        }
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let requestLine = lines.popFirst(),
            let firstSpace = requestLine.firstIndex(of: " "),
            let version = requestLine.range(of: " HTTP/", options: .backwards)
        else { throw Malformed() }
        let method = String(requestLine[..<firstSpace])
        let target = requestLine[requestLine.index(after: firstSpace)..<version.lowerBound]
        let path: Substring
        let query: Substring
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            path = target
            query = ""
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            } else {
                throw Malformed()
            }
        }
        return SignableRequest(
            method: method, path: String(path), query: String(query), headers: headers, body: Array(body.utf8))
    }
}
