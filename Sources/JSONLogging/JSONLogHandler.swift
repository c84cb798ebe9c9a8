public import Logging
internal import JSONBytes
internal import UTCTime
internal import Foundation
internal import Glibc

/// One JSON object per line on stderr: `ts`, `level`, `msg`, `logger`, then the
/// metadata keys (`request.id`, `tenant.id`, …). Operators grep or ship it as is.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    /// Installs the handler for the whole process; the level comes from `SIEM_LOG_LEVEL`.
    public static func bootstrap(environment: [String: String]? = nil) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let level = environment["SIEM_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.beginObject()
        writer.key("ts"); writer.string(Self.timestamp())
        writer.key("level"); writer.string(event.level.rawValue)
        writer.key("msg"); writer.string(event.message.description)
        writer.key("logger"); writer.string(label)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            writer.key(key)
            Self.write(value, into: &writer)
        }
        writer.endObject()
        var line = writer.bytes
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBytes { buffer in
            // One write(2) per line keeps lines whole when threads log at once.
            _ = Glibc.write(2, buffer.baseAddress, buffer.count)
        }
    }

    private static func write(_ value: Logger.MetadataValue, into writer: inout JSONWriter) {
        switch value {
        case .string(let text):
            // Integers and booleans stay JSON numbers and booleans so log pipelines can use them.
            if let number = Int(text), String(number) == text { writer.int(number) }
            else if text == "true" || text == "false" { writer.bool(text == "true") }
            else { writer.string(text) }
        case .stringConvertible(let convertible): writer.string(convertible.description)
        case .array(let values):
            writer.beginArray()
            for item in values { write(item, into: &writer) }
            writer.endArray()
        case .dictionary(let values):
            writer.beginObject()
            for (key, item) in values.sorted(by: { $0.key < $1.key }) {
                writer.key(key)
                write(item, into: &writer)
            }
            writer.endObject()
        }
    }

    private static func timestamp() -> String { UTCTimestamp.now().format(fractionDigits: 3) }
}
