internal import Catalog
internal import CryptoExtras
internal import Foundation
internal import JSONBytes
internal import Providers
internal import SourceModel
internal import UTCTime

/// Checks a platform's credentials with the catalog's rules before they are sealed, reading
/// keys with the poller's parsers so the API accepts exactly what the poller can use.
enum CredentialValidator {
    static let readers = KeyReaders(
        certificate: { certificatePEM, privateKeyPEM in
            do throws(ClientCertificate.Problem) {
                let certificate = try ClientCertificate(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
                return .success(UTCTimestamp(seconds: Int64(certificate.notValidAfter.timeIntervalSince1970)))
            } catch {
                return .failure(CredentialProblem(field: error.field.rawValue, message: error.message))
            }
        },
        isRSAPrivateKey: { pem in (try? _RSA.Signing.PrivateKey(pemRepresentation: pem)) != nil })

    /// Adds what is wrong to `errors`; returns when valid credentials stop working on
    /// their own, if they say (a Microsoft certificate's notAfter).
    @discardableResult
    static func validate(_ credentials: JSONValue, platform: Platform, into errors: inout FieldErrors) -> UTCTimestamp? {
        let result = PlatformCatalog.definition(of: platform).credentials.check(credentials, readers: readers)
        for problem in result.problems { errors.add(problem.field, problem.message) }
        return result.expiresAt
    }
}
