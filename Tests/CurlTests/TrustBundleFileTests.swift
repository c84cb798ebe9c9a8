@testable import Curl
import Foundation
import Glibc
import Testing

@Suite("The trust bundle as a sealed in-memory file")
struct TrustBundleFileTests {
    @Test("holds exactly the bundle, refuses writes, and is closed with its owner")
    func sealedAndReleased() throws {
        let name = "trust-test-\(UUID().uuidString)"
        let bytes = Array("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8)
        var file: TrustBundleFile? = try #require(TrustBundleFile(bytes: bytes, name: name))
        let path = try #require(file?.path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        let writer = open(path, O_WRONLY)
        #expect(writer >= 0)
        #expect(write(writer, "x", 1) == -1 && errno == EPERM, "sealed against writes")
        close(writer)
        #expect(target(of: path)?.contains(name) == true)
        file = nil
        // The descriptor number may be reused by another test at once, but never for this name.
        #expect(target(of: path)?.contains(name) != true)
    }

    @Test("a client keeps verifying every new connection against its cached trust store")
    func cachedStoreStillVerifies() throws {
        try withServer { trusted in
            try withServer { untrusted in
                let client = try trustingClient(trusted)
                #expect(try client.send(HTTPRequest(url: trusted.base + "/echo")).status == 200)
                do throws(CurlError) {
                    _ = try client.send(HTTPRequest(url: untrusted.base + "/echo"))
                    Issue.record("a server of another CA was trusted")
                } catch {
                    #expect(error.code == .tls, "\(error)")
                }
                #expect(try client.send(HTTPRequest(url: trusted.base + "/echo")).status == 200)
            }
        }
    }

    private func target(of path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }
}
