internal import Foundation

/// The environment as siem-api, siem-poller and siem-ctl read it: typed getters whose errors
/// are one line naming the variable and never showing its value (it may be a secret). Unset
/// means "use the default"; a value that is set but wrong is an error, never silently ignored.
public struct ProcessEnvironment: Sendable {
    /// The raw variables, for readers that take the whole map (the master key ring, the host policy).
    public let variables: [String: String]

    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// This process's environment.
    public static var current: ProcessEnvironment { ProcessEnvironment(ProcessInfo.processInfo.environment) }

    /// The value as set (possibly empty), or nil when unset.
    public func string(_ name: String) -> String? {
        variables[name]
    }

    /// The value, or nil when unset or empty (an empty variable counts as unset).
    public func nonEmpty(_ name: String) -> String? {
        variables[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The first of `names` that is set, or `EnvironmentError` "set A or B" when none is.
    public func required(_ names: String...) throws(EnvironmentError) -> String {
        for name in names {
            if let value = variables[name] { return value }
        }
        throw EnvironmentError(variable: names[0], "set \(names.joined(separator: " or "))")
    }

    /// An integer in `range`, nil when unset. The error says which integers are allowed.
    public func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(EnvironmentError) -> Int? {
        guard let text = variables[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw EnvironmentError(variable: name, "\(name) must be \(Self.describe(range))")
        }
        return value
    }

    /// A switch: on only when set to exactly `1` (any other value, or unset, is off).
    public func bool(_ name: String) -> Bool {
        variables[name] == "1"
    }

    /// A positive number of seconds, nil when unset.
    public func seconds(_ name: String) throws(EnvironmentError) -> Double? {
        guard let text = variables[name] else { return nil }
        guard let value = Double(text), value > 0, value.isFinite else {
            throw EnvironmentError(variable: name, "\(name) must be a positive number")
        }
        return value
    }

    /// A readable file's path, nil when unset (or empty, unless `emptyIsUnset` is false: then an
    /// empty path is an unreadable one). The error shows the path (a path is not a secret).
    public func readableFile(_ name: String, emptyIsUnset: Bool = true) throws(EnvironmentError) -> String? {
        guard let path = emptyIsUnset ? nonEmpty(name) : string(name) else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw EnvironmentError(variable: name, "\(name): cannot read \(path)")
        }
        return path
    }

    /// The UTF-8 text of the file a variable names, nil when unset.
    public func fileText(_ name: String) throws(EnvironmentError) -> String? {
        guard let path = variables[name] else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EnvironmentError(variable: name, "\(name): cannot read \(path)")
        }
        return text
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): "an integer"
        case (1, Int.max): "a positive integer"
        case (let low, Int.max): "an integer of at least \(low)"
        case (let low, let high): "an integer from \(low) to \(high)"
        }
    }
}

/// A variable that is missing or wrong: one line naming it, without its value.
public struct EnvironmentError: Error, Sendable, CustomStringConvertible {
    public var variable: String
    public var description: String

    init(variable: String, _ description: String) {
        self.variable = variable
        self.description = description
    }
}
