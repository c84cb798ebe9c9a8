import Foundation
import JWTKit

/// One key that may verify tokens, with the single algorithm it is for.
struct VerificationKey: Sendable {
    /// The JWKS `kid`; nil for the HS256 secret and for JWKS keys without one.
    var keyID: String?
    /// `HS256`, `RS256` or `ES256`: a token is checked with this key only if its header says so.
    var algorithm: String
    /// jwt-kit's verifier for the key (its `verify(_:signs:)` is synchronous and thread-safe).
    var verifier: any JWTAlgorithm
}

/// The keys a `TokenVerifier` was configured with, and the rules for choosing one per token.
///
/// Chosen here rather than by `JWTKeyCollection`, which falls back to its default key for an
/// unknown `kid` and does not tie a key to one algorithm.
struct VerificationKeys: Sendable {
    static let supportedAlgorithms: Set<String> = ["HS256", "RS256", "ES256"]

    var hmac: VerificationKey?
    var published: [VerificationKey]

    /// Builds jwt-kit verifiers for the configured secret and JWKS (once, through `SyncBridge`).
    init(configuration: TokenVerifierConfiguration) throws(AuthError) {
        guard configuration.hmacSecret != nil || configuration.jwksJSON != nil else {
            throw AuthError("no token key configured (set an HS256 secret or a JWKS document)")
        }
        if let secret = configuration.hmacSecret, secret.count < 32 {
            // jwt-kit asserts on shorter keys; RFC 7518 §3.2 requires at least the hash size.
            throw AuthError("HS256 secret must be at least 32 bytes")
        }
        let jwks = try configuration.jwksJSON.map { json throws(AuthError) in try Self.publicKeys(fromJWKS: json) }
        if let jwks, jwks.isEmpty {
            throw AuthError("JWKS document has no RS256 or ES256 signing key")
        }

        let secret = configuration.hmacSecret
        let built: (VerificationKey?, [VerificationKey])
        do {
            built = try SyncBridge.run {
                var hmac: VerificationKey?
                if let secret {
                    let collection = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
                    hmac = VerificationKey(keyID: nil, algorithm: "HS256", verifier: try await collection.getKey())
                }
                var published: [VerificationKey] = []
                for key in jwks ?? [] {
                    let collection = JWTKeyCollection()
                    try await collection.add(jwk: key.jwk)
                    let verifier = try await collection.getKey(for: key.jwk.keyIdentifier, alg: key.algorithm)
                    published.append(VerificationKey(keyID: key.keyID, algorithm: key.algorithm, verifier: verifier))
                }
                return (hmac, published)
            }
        } catch {
            throw AuthError("JWKS document has an invalid key")
        }
        (hmac, published) = built
    }

    /// The key for a token header: HS256 only ever uses the secret; RS256/ES256 use the JWKS key
    /// named by `kid`, or the only key of that algorithm when there is no `kid`.
    func key(algorithm: String, keyID: String?) throws(AuthError) -> VerificationKey {
        guard Self.supportedAlgorithms.contains(algorithm) else { throw .unsupportedAlgorithm }
        if algorithm == "HS256" {
            guard let hmac else { throw .unsupportedAlgorithm }
            return hmac
        }
        let sameAlgorithm = published.filter { $0.algorithm == algorithm }
        guard !sameAlgorithm.isEmpty else { throw .unsupportedAlgorithm }
        guard let keyID else {
            guard sameAlgorithm.count == 1 else { throw .ambiguousKey }
            return sameAlgorithm[0]
        }
        let named = published.filter { $0.keyID == keyID }
        guard !named.isEmpty else { throw .unknownKeyID }
        guard let key = named.first(where: { $0.algorithm == algorithm }) else { throw .algorithmMismatch }
        return key
    }

    /// A JWKS entry reduced to its public part, with the algorithm it will verify.
    struct PublicKey: Sendable {
        var jwk: JWK
        var keyID: String?
        var algorithm: String
    }

    /// The RS256 and ES256 (P-256) signing keys of a JWKS document. Keys for encryption (`use`
    /// other than `sig`), other algorithms or curves, and unknown key types are skipped; private
    /// members (`d`, `p`, `q`) are dropped.
    static func publicKeys(fromJWKS json: String) throws(AuthError) -> [PublicKey] {
        let document: LenientJWKS
        do {
            document = try JSONDecoder().decode(LenientJWKS.self, from: Data(json.utf8))
        } catch {
            throw AuthError("invalid JWKS document")
        }
        var keys: [PublicKey] = []
        for (index, entry) in document.keys.enumerated() {
            guard let jwk = entry.jwk, entry.use == nil || entry.use == "sig" else { continue }
            // jwt-kit's collection needs a kid; keys without one get a private placeholder.
            let kid = jwk.keyIdentifier ?? JWKIdentifier(string: "jwks-entry-\(index)")
            switch jwk.keyType {
            case .rsa:
                guard (jwk.algorithm ?? .rs256) == .rs256, let n = jwk.modulus, let e = jwk.exponent else { continue }
                keys.append(PublicKey(
                    jwk: .rsa(.rs256, identifier: kid, modulus: n, exponent: e),
                    keyID: jwk.keyIdentifier?.string, algorithm: "RS256"))
            case .ecdsa:
                guard (jwk.algorithm ?? .es256) == .es256, jwk.curve?.rawValue == "P-256", let x = jwk.x, let y = jwk.y
                else { continue }
                keys.append(PublicKey(
                    jwk: .ecdsa(.es256, identifier: kid, x: x, y: y, curve: .p256),
                    keyID: jwk.keyIdentifier?.string, algorithm: "ES256"))
            default:
                continue
            }
        }
        return keys
    }
}

/// A JWKS whose unreadable entries (unknown `kty`, …) become nil instead of failing the document.
private struct LenientJWKS: Decodable {
    struct Entry: Decodable {
        var jwk: JWK?
        var use: String?

        private enum CodingKeys: String, CodingKey { case use }

        init(from decoder: any Decoder) throws {
            jwk = try? JWK(from: decoder)
            use = try? decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .use)
        }
    }

    var keys: [Entry]
}
