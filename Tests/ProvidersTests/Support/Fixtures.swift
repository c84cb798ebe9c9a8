import Foundation
import Testing
import JSONBytes

/// Files under `Fixtures/`: Graph pages as the poller would receive them, and PEM texts.
enum Fixture {
    static func bytes(_ name: String, extension: String = "json") throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: `extension`, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    static func pem(_ name: String) throws -> String {
        String(decoding: try bytes(name, extension: "pem"), as: UTF8.self)
    }

    /// The page's `value` records, each a view into the page's own bytes.
    static func records(_ name: String) throws -> [RawJSON] {
        let page = try RawJSON(validating: bytes(name))
        return Array(try #require(page["value"]).elements)
    }
}
