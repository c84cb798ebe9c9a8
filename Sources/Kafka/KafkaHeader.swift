/// A Kafka record header. Values are bytes; Kafka also allows a null value.
public struct KafkaHeader: Sendable, Hashable {
    /// Header name.
    public var name: String
    /// Header value; `nil` is Kafka's null header value.
    public var value: [UInt8]?

    /// A header with a byte value.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header with a UTF-8 string value.
    public init(name: String, value: String) {
        self.name = name
        self.value = Array(value.utf8)
    }

    /// The value decoded as UTF-8, if it is valid UTF-8.
    public var stringValue: String? {
        guard let value else { return nil }
        return String(validating: value, as: UTF8.self)
    }
}
