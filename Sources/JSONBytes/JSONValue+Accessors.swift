extension JSONValue {
    /// Member lookup on an object; nil for other kinds or a missing key.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Element lookup on an array; nil for other kinds or an index out of range.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string of a `.string`, else nil.
    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The value of a `.bool`, else nil.
    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// Integer value of a `.number` that is an exact integer in Int's range.
    public var intValue: Int? {
        guard case .number(var text) = self else { return nil }
        return text.withUTF8 { NumberText.int($0) }
    }

    /// The nearest `Double` to a `.number`, else nil.
    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The elements of an `.array`, else nil.
    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members of an `.object`, in document order, else nil.
    public var objectValue: [(key: String, value: JSONValue)]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact serialization (no insignificant whitespace), members in stored order.
    public func serialized() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.value(self)
        return writer.bytes
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text.
    public var description: String { String(decoding: serialized(), as: UTF8.self) }
}
