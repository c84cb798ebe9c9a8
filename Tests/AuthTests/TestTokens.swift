import Auth
import Crypto
import CryptoExtras
import Foundation
import JWTKit

/// Keys and token builders shared by the Auth tests.
enum TestTokens {
    static let secret = Array("an-hs256-test-secret-of-32-bytes+".utf8)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// Claims valid at `now` for ten minutes.
    static func claims(_ extra: [String: Any] = [:], removing: [String] = []) -> [String: Any] {
        var claims: [String: Any] = [
            "sub": "alice", "tenant_id": "t-1", "roles": ["admin"],
            "iat": now.timeIntervalSince1970, "nbf": now.timeIntervalSince1970,
            "exp": now.timeIntervalSince1970 + 600,
        ]
        claims.merge(extra) { $1 }
        for key in removing { claims[key] = nil }
        return claims
    }

    /// A token whose parts are built by hand: arbitrary header and payload, HMAC-SHA256 with `key`
    /// (any bytes, e.g. a public key PEM, as an attacker would), or a given signature.
    static func handMade(
        header: [String: Any] = ["alg": "HS256", "typ": "JWT"],
        payload: [String: Any] = claims(),
        hmacKey: [UInt8]? = secret,
        signature: [UInt8] = []
    ) -> String {
        let signingInput = base64URL(json(header)) + "." + base64URL(json(payload))
        guard let hmacKey else { return signingInput + "." + base64URL(signature) }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: hmacKey))
        return signingInput + "." + base64URL(mac)
    }

    /// `signingInput` with an HS256 signature under `secret` appended.
    static func signed(_ signingInput: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret))
        return signingInput + "." + base64URL(mac)
    }

    /// The decoded payload JSON of a token.
    static func payload(of token: String) -> [String: Any] {
        var part = String(token.split(separator: ".")[1])
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        part += String(repeating: "=", count: (4 - part.count % 4) % 4)
        return (try? JSONSerialization.jsonObject(with: Data(base64Encoded: part)!)) as? [String: Any] ?? [:]
    }

    /// Claims for tokens signed by jwt-kit in the RS256/ES256 tests.
    struct Claims: JWTPayload {
        var sub: String = "svc"
        var tenant_id: String? = nil
        var roles: [String] = ["viewer"]
        var exp: ExpirationClaim = .init(value: TestTokens.now.addingTimeInterval(600))
        var iss: String? = nil
        var aud: AudienceClaim? = nil
        var siem_all_tenants: Bool? = nil
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// An RSA key pair as the JWKS and jwt-kit see it.
    struct RSAKey {
        let privateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

        func jwk(kid: String?, alg: String? = "RS256", use: String? = nil) -> [String: Any] {
            let primitives = try! privateKey.publicKey.getKeyPrimitives()
            var jwk: [String: Any] = [
                "kty": "RSA", "n": base64URL(primitives.modulus), "e": base64URL(primitives.publicExponent),
            ]
            jwk["kid"] = kid
            jwk["alg"] = alg
            jwk["use"] = use
            return jwk
        }

        func sign(_ claims: Claims, kid: String?, alg: String = "RS256") async throws -> String {
            let keys = await JWTKeyCollection().add(rsa: try Insecure.RSA.PrivateKey(backing: privateKey), digestAlgorithm: .sha256)
            var header: JWTHeader = ["alg": .string(alg)]
            if let kid { header.kid = kid }
            return try await keys.sign(claims, header: header)
        }
    }

    /// A P-256 key pair as the JWKS and jwt-kit see it.
    struct ECKey {
        let privateKey = P256.Signing.PrivateKey()

        func jwk(kid: String?, alg: String? = "ES256") -> [String: Any] {
            let point = Array(privateKey.publicKey.x963Representation)  // 0x04 ‖ x ‖ y
            var jwk: [String: Any] = [
                "kty": "EC", "crv": "P-256", "x": base64URL(point[1...32]), "y": base64URL(point[33...64]),
            ]
            jwk["kid"] = kid
            jwk["alg"] = alg
            return jwk
        }

        func sign(_ claims: Claims, kid: String?) async throws -> String {
            let keys = await JWTKeyCollection().add(ecdsa: try ES256PrivateKey(backing: privateKey))
            var header: JWTHeader = ["alg": "ES256"]
            if let kid { header.kid = kid }
            return try await keys.sign(claims, header: header)
        }
    }

    static func jwks(_ keys: [String: Any]...) -> String {
        String(decoding: json(["keys": keys]), as: UTF8.self)
    }
}
