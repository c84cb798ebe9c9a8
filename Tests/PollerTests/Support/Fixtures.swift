import Foundation
import Testing
import JSONBytes

/// Graph pages under `Fixtures/`, as the poller would receive them.
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    /// The page's `value` records, each a view into the page's own bytes.
    static func records(_ name: String) throws -> [RawJSON] {
        let page = try RawJSON(validating: bytes(name))
        return Array(try #require(page["value"]).elements)
    }
}
