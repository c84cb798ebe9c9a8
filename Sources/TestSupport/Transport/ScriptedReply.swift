public import Curl
import Foundation

/// What the scripted transport answers to one request: a recorded response, or no response
/// at all (a connection failure, a timeout).
public enum ScriptedReply: Sendable {
    case response(HTTPResponse)
    case failure(CurlError)

    /// A response with a body of text.
    public static func status(_ status: Int, headers: [(name: String, value: String)] = [], _ body: String = "") -> ScriptedReply {
        .response(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    /// A 200 JSON response with `body`.
    public static func json(_ body: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> ScriptedReply {
        .status(status, headers: [("Content-Type", "application/json")] + headers, body)
    }

    /// A 200 response whose body is the recorded page `name` (see `RecordedPage`).
    public static func page(_ name: String, status: Int = 200, headers: [(name: String, value: String)] = []) throws -> ScriptedReply {
        .response(HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers,
                               body: try RecordedPage.bytes(name)))
    }

    /// An OAuth2 token response (`access_token`, `expires_in`).
    public static func token(_ accessToken: String, expiresIn: Int = 3599) -> ScriptedReply {
        .json(#"{"token_type":"Bearer","expires_in":\#(expiresIn),"access_token":"\#(accessToken)"}"#)
    }

    /// The connection failed before any response (transient: ProviderHTTP retries it).
    public static let connectionLost = ScriptedReply.failure(CurlError(.connectionLost, "scripted: connection reset by peer"))
}

/// The recorded pages under `Sources/TestSupport/Pages`: real wire formats of each API
/// (Graph, ARM, Cloud Logging entries:list, CloudTrail LookupEvents, connectors' APIs).
public enum RecordedPage {
    public static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Pages") else {
            throw MissingPage(name: name)
        }
        return Array(try Data(contentsOf: url))
    }

    public static func text(_ name: String) throws -> String { String(decoding: try bytes(name), as: UTF8.self) }

    public struct MissingPage: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "no recorded page Pages/\(name).json in TestSupport" }
    }
}
