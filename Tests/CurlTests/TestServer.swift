import Foundation
import Testing

/// A throwaway CA and a server certificate for 127.0.0.1/localhost, made once per test
/// process with the `openssl` CLI.
struct TestPKI: Sendable {
    let directory: URL
    var caPath: String { directory.appendingPathComponent("ca.pem").path }
    var certPath: String { directory.appendingPathComponent("server.pem").path }
    var keyPath: String { directory.appendingPathComponent("server.key").path }

    /// Makes a fresh CA + server certificate in a new temporary directory.
    static func make() throws -> TestPKI {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curl-tests-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: dir.appendingPathComponent("server.ext"))
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run("/usr/bin/openssl", ["req", "-x509"] + ec + [
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=siem-collector test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], in: dir)
        try run("/usr/bin/openssl", ["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], in: dir)
        try run("/usr/bin/openssl", [
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        ], in: dir)
        return TestPKI(directory: dir)
    }
}

/// Runs a helper to completion (bounded), failing on a non-zero exit.
func run(_ executable: String, _ arguments: [String], in directory: URL) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(30)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        throw TestFailure("\(executable) timed out")
    }
    guard process.terminationStatus == 0 else { throw TestFailure("\(executable) \(arguments.first ?? "") exited \(process.terminationStatus)") }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The Python HTTPS server of `Fixtures/https_server.py` on 127.0.0.1:<ephemeral>.
final class TestServer {
    let pki: TestPKI
    let port: Int
    private let process: Process
    /// Our end of the server's stdin: when this process dies, the server sees EOF and exits.
    private let lifeline = Pipe()

    /// Serving plain HTTP rather than HTTPS.
    let plain: Bool

    var base: String { "\(plain ? "http" : "https")://127.0.0.1:\(port)" }

    init(plain: Bool = false) throws {
        self.plain = plain
        pki = try TestPKI.make()
        guard let script = Bundle.module.url(forResource: "https_server", withExtension: "py", subdirectory: "Fixtures") else {
            try? FileManager.default.removeItem(at: pki.directory)
            throw TestFailure("https_server.py resource missing")
        }
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/usr/bin/env"
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = (python == "/usr/bin/env" ? ["python3"] : []) + [script.path, pki.certPath, pki.keyPath]
            + (plain ? ["--plain"] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = lifeline
        try process.run()
        guard let line = readLine(output.fileHandleForReading, timeout: .seconds(20)), let port = Int(line) else {
            kill(process.processIdentifier, SIGKILL)
            try? FileManager.default.removeItem(at: pki.directory)
            throw TestFailure("test server did not report its port")
        }
        self.port = port
    }

    /// Stops the server by PID and waits (bounded) for it to exit.
    func stop() {
        defer { try? FileManager.default.removeItem(at: pki.directory) }
        let pid = process.processIdentifier
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

/// Runs `body` with a fresh server (HTTPS, or plain HTTP if `plain`) that is stopped
/// afterwards, whatever happens.
func withServer<T>(plain: Bool = false, _ body: (TestServer) throws -> T) throws -> T {
    let server = try TestServer(plain: plain)
    defer { server.stop() }
    return try body(server)
}

/// Reads one line from a pipe, giving up after `timeout`.
func readLine(_ handle: FileHandle, timeout: Duration) -> String? {
    let deadline = ContinuousClock.now + timeout
    var buffer: [UInt8] = []
    let fd = handle.fileDescriptor
    while ContinuousClock.now < deadline {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 100) > 0 else { continue }
        var byte: UInt8 = 0
        guard read(fd, &byte, 1) == 1 else { return nil }
        if byte == UInt8(ascii: "\n") { return String(decoding: buffer, as: UTF8.self) }
        buffer.append(byte)
    }
    return nil
}
