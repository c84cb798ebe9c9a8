public import JSONBytes

/// What is wrong with a declaration: the JSON path of the bad field (`$.streams[0].paging.kind`) and why.
public struct DeclarationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// Walks a declaration's JSON with the path of where it is, so every refusal names its field.
/// Unknown members are refused too: a misspelt key must not pass as an ignored extra.
struct DeclarationReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String = "$") {
        self.value = value
        self.path = path
    }

    func fail(_ message: String) -> DeclarationProblem { DeclarationProblem(path: path, message: message) }

    func member(_ name: String) -> DeclarationReader? {
        value[name].map { DeclarationReader($0, path: "\(path).\(name)") }
    }

    func object(allowing names: Set<String>) throws(DeclarationProblem) -> [(key: String, value: JSONValue)] {
        guard case .object(let members) = value else { throw fail("must be an object") }
        for member in members where !names.contains(member.key) {
            throw DeclarationProblem(path: "\(path).\(member.key)", message: "is not a known field here (known: \(names.sorted().joined(separator: ", ")))")
        }
        return members
    }

    func required(_ name: String) throws(DeclarationProblem) -> DeclarationReader {
        guard let found = member(name) else { throw DeclarationProblem(path: "\(path).\(name)", message: "is required") }
        return found
    }

    func string() throws(DeclarationProblem) -> String {
        guard let text = value.stringValue else { throw fail("must be a string") }
        return text
    }

    func nonEmptyString() throws(DeclarationProblem) -> String {
        let text = try string()
        guard !text.isEmpty else { throw fail("must not be empty") }
        return text
    }

    func int(_ range: ClosedRange<Int>) throws(DeclarationProblem) -> Int {
        guard let number = value.intValue, range.contains(number) else {
            throw fail("must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func bool() throws(DeclarationProblem) -> Bool {
        guard let flag = value.boolValue else { throw fail("must be true or false") }
        return flag
    }

    func array() throws(DeclarationProblem) -> [DeclarationReader] {
        guard case .array(let items) = value else { throw fail("must be an array") }
        return items.enumerated().map { DeclarationReader($0.element, path: "\(path)[\($0.offset)]") }
    }

    func oneOf<T: RawRepresentable>(_ type: T.Type, _ all: [T]) throws(DeclarationProblem) -> T where T.RawValue == String {
        let text = try string()
        guard let found = T(rawValue: text) else {
            throw fail("must be one of \(all.map(\.rawValue).joined(separator: ", "))")
        }
        return found
    }

    func template() throws(DeclarationProblem) -> Template {
        let text = try string()
        do {
            return try Template(text)
        } catch {
            throw fail(error.message)
        }
    }

    func jsonPath() throws(DeclarationProblem) -> JSONPath {
        guard let path = JSONPath(try string()) else { throw fail("must be a path such as a.b.0.c ($ for the whole body)") }
        return path
    }

    /// A name usable as a key: lower-case letters, digits and `_`, starting with a letter.
    func identifier(maxLength: Int = 40) throws(DeclarationProblem) -> String {
        let text = try string()
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.count <= maxLength,
              text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
        else { throw fail("must be lower-case letters, digits and _, starting with a letter, at most \(maxLength) characters") }
        return text
    }
}
