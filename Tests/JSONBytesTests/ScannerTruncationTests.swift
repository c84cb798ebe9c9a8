import JSONBytes
import Testing

/// A cut or corrupted HTTP body must be an error, never a crash and never a
/// partial result.
@Suite("RawJSON on truncated and corrupted input")
struct ScannerTruncationTests {
    @Test(arguments: [GraphPage.small, GraphPage.compact, GraphPage.pretty, GraphPage.event3])
    func everyProperPrefixIsRejected(text: String) throws {
        let bytes = Array(text.utf8)
        let end = bytes.lastIndex { $0 == 0x7D }!  // the closing brace
        for cut in 0...end {
            let prefix = Array(bytes[..<cut])
            #expect(throws: JSONError.self, "cut at \(cut)") { try RawJSON(validating: prefix) }
            do throws(JSONError) {
                _ = try RawJSON(validating: prefix)
            } catch {
                #expect(error.offset <= cut)
                #expect(!error.reason.isEmpty)
            }
            #expect(throws: JSONError.self, "cut at \(cut)") { try JSONValue.parse(prefix) }
        }
        // And the whole text is fine.
        _ = try RawJSON(validating: bytes)
    }

    @Test func corruptingAnyByteEitherFailsOrStillScansConsistently() throws {
        let original = Array(GraphPage.small.utf8)
        // Quote, backslash, brackets, comma, colon, NUL, a digit, a UTF-8 lead byte.
        let replacements: [UInt8] = [0x22, 0x5C, 0x7D, 0x5D, 0x2C, 0x3A, 0x00, 0x31, 0xC3]
        var accepted = 0
        var rejected = 0
        for offset in original.indices {
            for byte in replacements where byte != original[offset] {
                var bytes = original
                bytes[offset] = byte
                let json: RawJSON
                do throws(JSONError) {
                    json = try RawJSON(validating: bytes)
                } catch let scanError {
                    rejected += 1
                    // The tree parser must reject it identically (plain checks: this
                    // loop runs tens of thousands of times).
                    var parseError: JSONError?
                    do throws(JSONError) { _ = try JSONValue.parse(bytes) } catch { parseError = error }
                    if parseError != scanError { Issue.record("parse disagrees at \(offset) with byte \(byte)") }
                    continue
                }
                accepted += 1
                // Whatever was accepted is walked and decoded exactly like the parser does.
                if json.decoded() != (try JSONValue.parse(bytes)) {
                    Issue.record("decoded tree differs at \(offset) with byte \(byte)")
                }
                for event in json["value"]?.elements ?? .init() {
                    _ = ScannerGraphPageTests.fields(of: event)
                    for member in event.members { _ = member.value.decoded() }
                }
            }
        }
        #expect(rejected > accepted)
        #expect(accepted > 0)
    }
}
