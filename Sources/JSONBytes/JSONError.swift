/// Why a JSON text was rejected; `offset` is the byte offset of the problem.
///
/// The `reason` is short and names the expectation ("expected ',' or '}'",
/// "duplicate key \"id\"") so it can be shown to an API client as is; it never
/// quotes more of the input than a duplicated key.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the input where the problem was found.
    public var offset: Int
    /// Short human-readable explanation.
    public var reason: String

    /// Creates an error at `offset` with a short `reason`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// "invalid JSON at byte N: reason".
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
