import Crypto
import Foundation

/// Signs HTTP requests with AWS Signature Version 4 (header-based, `AWS4-HMAC-SHA256`).
///
/// `sign(_:date:)` is all a caller needs; the intermediate steps are public so tests can compare
/// them with AWS's published canonical requests and strings to sign.
public struct SigV4Signer: Sendable {
    /// The algorithm name SigV4 puts in the string to sign and the `Authorization` header.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// How continuation lines of an obsolete folded header value are joined.
    public enum MultilineFolding: Sendable, Hashable {
        /// `value1 value2` — RFC 9110's unfolding, and what botocore and aws-c-auth do.
        case space
        /// `value1,value2` — what the classic AWS test suite (`get-header-value-multiline`) expects.
        case comma
    }

    /// Service-specific signing rules. The defaults fit every service but S3 (CloudTrail included).
    public struct Options: Sendable, Hashable {
        /// Remove `.`/`..` and empty segments from the path (false for S3).
        public var normalizesPath: Bool
        /// URI-encode the wire path once more (false for S3, which signs the wire path as is).
        public var encodesPath: Bool
        /// Sign `X-Amz-Security-Token` (true, as the SDKs do); false adds it after signing,
        /// for the few services that want it unsigned.
        public var signsSessionToken: Bool
        /// Add and sign `x-amz-content-sha256` with the body hash (S3 requires it).
        public var addsContentSHA256Header: Bool
        /// How folded header lines are joined; only matters for obs-fold, which libcurl never sends.
        public var multilineFolding: MultilineFolding

        /// Creates options; the defaults are the rules for non-S3 services.
        public init(
            normalizesPath: Bool = true,
            encodesPath: Bool = true,
            signsSessionToken: Bool = true,
            addsContentSHA256Header: Bool = false,
            multilineFolding: MultilineFolding = .space
        ) {
            self.normalizesPath = normalizesPath
            self.encodesPath = encodesPath
            self.signsSessionToken = signsSessionToken
            self.addsContentSHA256Header = addsContentSHA256Header
            self.multilineFolding = multilineFolding
        }
    }

    /// Every intermediate value of one signing, for tests and debugging (holds no secret).
    public struct SigningResult: Sendable, Hashable {
        /// The canonical request (AWS "Task 1").
        public var canonicalRequest: String
        /// The `;`-joined lower-case names of the signed headers.
        public var signedHeaders: String
        /// The string to sign (AWS "Task 2").
        public var stringToSign: String
        /// The hex signature (AWS "Task 3").
        public var signature: String
        /// The `Authorization` header value (AWS "Task 4").
        public var authorization: String
    }

    /// The credentials that sign.
    public var credentials: AWSCredentials
    /// The AWS region, e.g. `us-east-1`.
    public var region: String
    /// The signing name of the service, e.g. `cloudtrail`.
    public var service: String
    /// Service-specific rules.
    public var options: Options

    /// Creates a signer for one region and service.
    public init(credentials: AWSCredentials, region: String, service: String, options: Options = Options()) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
    }

    /// Signs `request` in place: sets `X-Amz-Date` (and `X-Amz-Security-Token`,
    /// `x-amz-content-sha256` as configured), replaces any `Authorization` header with the new one.
    /// Every header present (but `Authorization`) is signed, so add them all before signing.
    @discardableResult
    public func sign(_ request: inout SignableRequest, date: Date) -> SigningResult {
        request.removeHeader("Authorization")
        request.setHeader("X-Amz-Date", Self.amzDate(date))
        if let token = credentials.sessionToken {
            if options.signsSessionToken {
                request.setHeader("X-Amz-Security-Token", token)
            } else {
                request.removeHeader("X-Amz-Security-Token")
            }
        }
        if options.addsContentSHA256Header {
            request.setHeader("x-amz-content-sha256", Hex.encode(SHA256.hash(data: request.body)))
        }

        let result = signature(for: request, date: date)
        request.headers.append(("Authorization", result.authorization))
        if let token = credentials.sessionToken, !options.signsSessionToken {
            request.headers.append(("X-Amz-Security-Token", token))
        }
        return result
    }

    /// Computes the signature of `request` as it is, without changing it (its `X-Amz-Date`
    /// header, if any, should already match `date`).
    public func signature(for request: SignableRequest, date: Date) -> SigningResult {
        let (canonical, signedHeaders) = canonicalRequest(for: request)
        let toSign = stringToSign(canonicalRequest: canonical, date: date)
        let hexSignature = signature(stringToSign: toSign, date: date)
        return SigningResult(
            canonicalRequest: canonical,
            signedHeaders: signedHeaders,
            stringToSign: toSign,
            signature: hexSignature,
            authorization: authorization(signedHeaders: signedHeaders, signature: hexSignature, date: date)
        )
    }

    /// The canonical request and its signed-headers list. Signs every header but `Authorization`.
    /// The payload hash is the `x-amz-content-sha256` header when present (S3's `UNSIGNED-PAYLOAD`),
    /// else the SHA-256 of the body.
    public func canonicalRequest(for request: SignableRequest) -> (canonicalRequest: String, signedHeaders: String) {
        let headers = request.headers.filter { $0.name.lowercased() != "authorization" }
        let (block, signedHeaders) = Canonical.headers(
            headers,
            multilineSeparator: options.multilineFolding == .comma ? "," : " "
        )
        let payloadHash =
            request.values(forHeader: "x-amz-content-sha256").last
            ?? Hex.encode(SHA256.hash(data: request.body))
        let canonical = [
            request.method.uppercased(),
            Canonical.uri(path: request.path, normalize: options.normalizesPath, encode: options.encodesPath),
            Canonical.query(request.query),
            block,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    /// The string to sign for a canonical request at `date`.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        [
            Self.algorithm,
            Self.amzDate(date),
            credentialScope(date: date),
            Hex.encode(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
    }

    /// The hex HMAC-SHA256 of `stringToSign` under the key derived for `date`, region and service.
    public func signature(stringToSign: String, date: Date) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(date: date))
        return Hex.encode(code)
    }

    /// The `Authorization` header value.
    public func authorization(signedHeaders: String, signature: String, date: Date) -> String {
        "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(credentialScope(date: date)), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// `yyyymmdd/region/service/aws4_request`.
    public func credentialScope(date: Date) -> String {
        "\(Self.dateStamp(date))/\(region)/\(service)/aws4_request"
    }

    /// kSigning = HMAC chain over date, region, service and `aws4_request`, keyed by `AWS4` + secret.
    func signingKey(date: Date) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [Self.dateStamp(date), region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// `20150830T123600Z`: the ISO 8601 basic UTC form SigV4 uses in `X-Amz-Date`.
    public static func amzDate(_ date: Date) -> String {
        let parts = UTCParts(date)
        return "\(pad(parts.year, 4))\(pad(parts.month, 2))\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2))\(pad(parts.minute, 2))\(pad(parts.second, 2))Z"
    }

    /// `20150830`: the date part of the credential scope.
    public static func dateStamp(_ date: Date) -> String {
        let parts = UTCParts(date)
        return "\(pad(parts.year, 4))\(pad(parts.month, 2))\(pad(parts.day, 2))"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Civil UTC fields of a date, computed arithmetically so no locale or time zone can leak in.
private struct UTCParts {
    var year, month, day, hour, minute, second: Int

    init(_ date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // Howard Hinnant's days-to-civil algorithm.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}
