import TextBasics
import Crypto
import Foundation
import JWTKit
import Synchronization

/// Verifies bearer JWTs synchronously (called from FastCGI worker threads). Thread-safe.
///
/// Accepts HS256 (with the configured secret) and RS256/ES256 (with the JWKS keys); rejects `none`
/// and every other algorithm. A token's header `alg` must be the algorithm of the key it selects,
/// so an HS256 token can never be checked against public key bytes. `exp` is required; `nbf`, and
/// `iss`/`aud` when configured, are checked with the configured leeway.
///
/// Signatures are verified by jwt-kit's algorithms, whose `verify(_:signs:)` is synchronous: the
/// async `JWTKeyCollection` is used only once, at init, to build them (see `SyncBridge`). So a
/// request thread never waits on Swift concurrency, and verifying costs one signature check,
/// or a SHA-256 and a dictionary lookup when the token is cached.
public final class TokenVerifier: Sendable {
    /// Tokens longer than this are refused before any parsing.
    public static let maximumTokenLength = 16 * 1024

    private let keys: Mutex<VerificationKeys>
    /// The configuration the keys were built from, kept to rebuild them when the JWKS file changes.
    private let configuration: TokenVerifierConfiguration
    private let jwksFile: JWKSFile?
    private let issuer: String?
    private let audience: String?
    private let leeway: TimeInterval
    private let cache: Mutex<TokenCache>

    /// Builds the verification keys. Throws when no key is configured, the HS256 secret is shorter
    /// than 32 bytes, or the JWKS document is unreadable or has no RS256/ES256 key.
    public convenience init(configuration: TokenVerifierConfiguration) throws(AuthError) {
        try self.init(configuration: configuration, cacheCapacity: 1024)
    }

    /// As `init(configuration:)`, with a cache of `cacheCapacity` tokens (0 disables caching).
    public init(configuration: TokenVerifierConfiguration, cacheCapacity: Int) throws(AuthError) {
        var configuration = configuration
        if let path = configuration.jwksPath {
            let file = JWKSFile(path: path, interval: configuration.jwksCheckInterval)
            guard let text = file.textIfChanged(now: Date()) else { throw AuthError("cannot read the JWKS file \(path)") }
            configuration.jwksJSON = text
            self.jwksFile = file
        } else {
            self.jwksFile = nil
        }
        self.configuration = configuration
        self.keys = Mutex(try VerificationKeys(configuration: configuration))
        self.issuer = configuration.issuer
        self.audience = configuration.audience
        self.leeway = TimeInterval(max(0, configuration.leewaySeconds))
        self.cache = Mutex(TokenCache(capacity: max(0, cacheCapacity)))
    }

    /// The verified identity of `token` at time `now`, or why it is refused.
    public func verify(_ token: String, now: Date = Date()) throws(AuthError) -> Identity {
        reloadKeysIfTheJWKSFileChanged()
        let bytes = Array(token.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maximumTokenLength else { throw .malformedToken }
        let cacheKey = SHA256.hash(data: bytes)
        if let identity = cache.withLock({ $0.lookup(cacheKey, now: now) }) {
            return identity
        }
        let (identity, validFrom) = try verifyUncached(bytes, now: now)
        cache.withLock { $0.insert(cacheKey, identity: identity, validFrom: validFrom, now: now) }
        return identity
    }

    /// A changed JWKS file replaces the published keys and empties the cache, so a withdrawn
    /// key stops verifying at once. A file that does not parse leaves the old keys in place:
    /// a botched rollover must not lock every caller out.
    private func reloadKeysIfTheJWKSFileChanged() {
        guard let jwksFile, let text = jwksFile.textIfChanged(now: Date()) else { return }
        var changed = configuration
        changed.jwksJSON = text
        guard let rebuilt = try? VerificationKeys(configuration: changed) else { return }
        keys.withLock { $0 = rebuilt }
        cache.withLock { $0.removeAll() }
    }

    /// Number of cached tokens (for tests and metrics).
    public var cachedTokenCount: Int { cache.withLock { $0.count } }

    private func verifyUncached(_ token: [UInt8], now: Date) throws(AuthError) -> (Identity, validFrom: Date) {
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
            let headerJSON = Base64URL.decode(Substring(decoding: parts[0], as: UTF8.self)),
            let signature = Base64URL.decode(Substring(decoding: parts[2], as: UTF8.self)),
            let header = try? JSONDecoder().decode(JWTHeader.self, from: Data(headerJSON))
        else { throw .malformedToken }

        guard let algorithm = header.alg else { throw .malformedToken }
        if let critical = header.fields["crit"], !critical.isNull { throw .unsupportedCriticalHeader }
        if let kid = header.fields["kid"], !kid.isNull, kid.asString == nil { throw .malformedToken }
        let key = try keys.withLock { $0 }.key(algorithm: algorithm, keyID: header.kid)

        // The signature covers the first two parts exactly as sent.
        let signingInput = token[..<(parts[0].count + 1 + parts[1].count)]
        guard (try? key.verifier.verify(signature, signs: signingInput)) == true else { throw .invalidSignature }

        // Claims are decoded only from a token whose signature verified.
        guard let payloadJSON = Base64URL.decode(Substring(decoding: parts[1], as: UTF8.self)),
            let claims = try? DefaultJWTParser().jsonDecoder.decode(TokenClaims.self, from: Data(payloadJSON))
        else { throw .malformedToken }
        return (try check(claims, now: now), validFrom: claims.nbf.map { $0.value.addingTimeInterval(-leeway) } ?? .distantPast)
    }

    private func check(_ claims: TokenClaims, now: Date) throws(AuthError) -> Identity {
        guard let expiry = claims.exp?.value else { throw .missingExpiry }
        guard now < expiry.addingTimeInterval(leeway) else { throw .expired }
        if let notBefore = claims.nbf?.value, now.addingTimeInterval(leeway) < notBefore { throw .notYetValid }
        if let issuer, claims.iss?.value != issuer { throw .invalidIssuer }
        if let audience, !(claims.aud?.value.contains(audience) ?? false) { throw .invalidAudience }
        return Identity(
            subject: claims.sub?.value,
            tenantID: claims.tenant_id,
            roles: claims.grantedRoles,
            expiresAt: expiry
        )
    }
}
