internal import Catalog
internal import HTTPRouting

/// Collects every problem of a body so the client sees them all at once.
struct FieldErrors {
    private(set) var errors: [HTTPError.FieldError] = []

    mutating func add(_ field: String, _ message: String) {
        errors.append(HTTPError.FieldError(field: field, message: message))
    }

    var isEmpty: Bool { errors.isEmpty }

    func throwIfAny() throws(HTTPError) {
        guard !errors.isEmpty else { return }
        let summary = errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        throw HTTPError.badRequest(summary, fields: errors)
    }
}

/// The text checks moved to the catalog with the credential rules; the API's validators
/// keep calling them by this name.
typealias TextRules = Catalog.TextRules
