/// A REST audit-log API described by a JSON file in `connectors/` instead of Swift code:
/// what to ask the source for, how to sign in, which requests read a time window, how
/// pages follow each other, and how a record becomes a normalized event. Parsed and
/// checked by `ConnectorDeclaration.parse`; polled by the poller's `ConnectorProvider`.
public struct ConnectorDeclaration: Sendable {
    public var platform: String
    public var label: String
    public var overlapFloorMinutes: Int
    public var settings: [Setting]
    public var credentials: Credentials
    /// One per way to sign in: the one whose `alternative` matches the credentials given.
    public var auth: [Auth]
    public var pacing: Pacing?
    public var errors: [ErrorRule]
    public var streams: [Stream]
    /// The file it was read from (for messages); nil when parsed from memory.
    public var file: String? = nil

    /// A non-secret setting of the platform's sources (an org URL, an API base URL).
    public struct Setting: Sendable {
        public enum Kind: Sendable, Equatable {
            /// An https URL whose host must be one of `hosts` (or allowlisted by the operator).
            case url(hosts: [String])
            case text(maxLength: Int)
        }
        public var name: String
        public var label: String
        public var help: String
        public var kind: Kind
        public var defaultValue: String?
        public var required: Bool
        public var placeholder: String?
    }

    public struct Credentials: Sendable {
        public var choice: Choice?
        public var fields: [Field]

        public struct Choice: Sendable {
            public var name: String
            public var label: String
            public var help: String
            public var options: [(value: String, label: String)]
        }

        public struct Field: Sendable {
            public enum Kind: String, Sendable { case text, secret, pem }
            public var name: String
            public var label: String
            public var kind: Kind
            public var help: String
            public var placeholder: String?
            public var secret: Bool
            public var alternative: String?
            /// Needed whenever its alternative (if any) is the one chosen; else optional.
            public var required: Bool
            public var minLength: Int
            public var maxLength: Int
            /// A regular expression the whole value must match.
            public var pattern: String?
            /// The value must be a PEM RSA private key the poller can sign with.
            public var rsaPrivateKey: Bool
        }
    }

    public struct Auth: Sendable {
        /// The credential alternative this way applies to; nil when there is only one.
        public var alternative: String?
        public var kind: Kind

        public enum Kind: Sendable {
            /// A header with a fixed value, e.g. `Authorization: SSWS {credentials.api_token}`.
            case staticHeader(name: String, value: Template)
            case basic(username: Template, password: Template)
            /// OAuth2 client credentials with a secret (`client_secret`) or a private-key JWT
            /// client assertion (RFC 7523 §2.2).
            case clientCredentials(ClientCredentials)
            /// OAuth2 JWT-bearer grant (RFC 7523 §2.1): an assertion signed with a private key.
            case jwtBearer(JWTBearer)
        }

        public struct ClientCredentials: Sendable {
            public var tokenURL: Template
            public var clientID: Template
            public var clientSecret: Template?
            /// Present for a private-key JWT client assertion instead of a secret.
            public var assertionKey: Template?
            public var keyID: Template?
            public var scope: Template?
            /// `header`: the token is sent as `Authorization: Bearer <token>`.
            public var tokenPrefix: String
        }

        public struct JWTBearer: Sendable {
            public var tokenURL: Template
            public var privateKey: Template
            public var keyID: Template?
            /// Claims besides iat/exp, e.g. iss, sub, aud, scope; each a template.
            public var claims: [(name: String, value: Template)]
            public var lifetimeSeconds: Int
            public var tokenPrefix: String
        }
    }

    /// How fast one credential may call the API, and the API's own rate-limit headers.
    public struct Pacing: Sendable {
        public var requests: Int
        public var perSeconds: Int
        /// What shares the budget, e.g. `{settings.okta_url}|{credentials.api_token}`
        /// (rendered, then hashed: never logged).
        public var key: Template
        /// A header saying when the limit resets (e.g. Okta `X-Rate-Limit-Reset`).
        public var resetHeader: String?
        public var resetFormat: ResetFormat
        /// A header with the requests left in the current window (e.g. `X-Rate-Limit-Remaining`).
        public var remainingHeader: String?

        public enum ResetFormat: String, Sendable {
            /// Unix seconds of the reset.
            case epochSeconds = "epoch_seconds"
            /// Seconds from now.
            case deltaSeconds = "delta_seconds"
        }
    }

    /// A response the API gives that means something specific: its status, and optionally a
    /// JSON body member with a given value.
    public struct ErrorRule: Sendable {
        public enum Meaning: String, Sendable, CaseIterable {
            case badCredentials = "bad_credentials"
            case missingPermission = "missing_permission"
            case missingLicence = "missing_licence"
            case throttled
            case retry
            case configuration
        }
        public var status: Int?
        public var bodyPath: JSONPath?
        public var bodyEquals: String?
        public var meaning: Meaning
        /// Where the API's own message is, for the error text (e.g. `errorSummary`).
        public var messagePath: JSONPath?
    }

    public struct Stream: Sendable {
        public var name: String
        public var label: String
        public var logType: String
        public var defaultOverlapMinutes: Int
        public var oldestFirst: Bool
        public var request: Request
        public var paging: Paging
        /// The array of records; the root when the body is the array.
        public var records: JSONPath
        /// The record's id: one path, or several joined by `|` (composite keys).
        public var idPaths: [JSONPath]
        public var time: TimeField
        public var mapping: Mapping
        /// The most records per page the API allows (the `{page_size}` placeholder).
        public var maxPageSize: Int
        /// A body member that says "ok: false" style failures on 200 (Slack's `ok`).
        public var okPath: JSONPath?
    }

    public struct Request: Sendable {
        public var method: String
        public var url: Template
        public var query: [(name: String, value: Template)]
        public var headers: [(name: String, value: Template)]
        /// How `{window.start}` and `{window.end}` are written.
        public var timeFormat: TimeFormat
    }

    public enum Paging: Sendable {
        /// `Link: <url>; rel="next"` (RFC 8288).
        case linkHeader
        /// The next page's URL at a path of the body, absolute or relative to the API's origin.
        case nextURL(path: JSONPath)
        /// An opaque token at a path of the body, sent back as the query parameter `parameter`.
        case nextToken(path: JSONPath, parameter: String)
        /// `parameter` = the number of records read so far; the last page is a short one.
        case offset(parameter: String)
        case none
    }

    public struct TimeField: Sendable {
        public var path: JSONPath
        public var format: TimeFormat
    }

    /// The six normalized fields (the timestamp is the record's time).
    public struct Mapping: Sendable {
        public var user: ValueRule?
        public var activity: ValueRule?
        public var result: ValueRule?
        public var sourceIP: ValueRule?
        public var application: ValueRule?
    }

    /// Where a normalized field's value comes from.
    public indirect enum ValueRule: Sendable {
        case path(JSONPath)
        case constant(String)
        /// The first rule giving a non-empty value.
        case first([ValueRule])
        /// The rule's value looked up in a table; absent from the table → `otherwise` (nil: null).
        case map(ValueRule, table: [String: String], otherwise: String?)
    }

    /// The way to sign in that the given credential members choose.
    public func auth(forCredentialMembers members: Set<String>) -> Auth? {
        let chosen = ConnectorDefinition.chosenAlternative(credentials, members: members)
        return auth.first { $0.alternative == chosen }
    }
}
