import Foundation
import Testing

@Suite("siem-devbroker end to end")
struct DevBrokerTests {
    @Test("prints bootstrap, answers on the control socket, exits 0 on SIGTERM")
    func endToEnd() throws {
        let binary = try #require(devBrokerBinary(), "siem-devbroker not built (swift build --product siem-devbroker)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("devbroker-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let socketPath = dir.appendingPathComponent("ctl.sock").path
        let bootstrapFile = dir.appendingPathComponent("bootstrap").path
        let pidFile = dir.appendingPathComponent("pid").path

        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "--brokers", "2", "--topic", "ingest-events", "--partitions", "3",
            "--control-socket", socketPath, "--bootstrap-file", bootstrapFile, "--pid-file", pidFile,
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        defer {
            if process.isRunning { kill(pid, SIGKILL) }
        }

        let line = try #require(readLine(stdout.fileHandleForReading, timeout: .seconds(20)))
        #expect(line.hasPrefix("127.0.0.1:"))
        #expect(line.split(separator: ",").count == 2)
        #expect(try String(contentsOfFile: bootstrapFile, encoding: .utf8) == line + "\n")
        #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == "\(pid)\n")

        let replies = try controlExchange(
            socketPath, ["ping", "broker-down 1", "broker-up 1", "produce-errors 5 NOT_ENOUGH_REPLICAS", "bogus", "bootstrap"])
        #expect(replies.count == 6)
        #expect(replies[0] == "ok pong")
        #expect(replies[1] == "ok broker 1 down")
        #expect(replies[2] == "ok broker 1 up")
        #expect(replies[3] == "ok 5 NOT_ENOUGH_REPLICAS")
        #expect(replies[4].hasPrefix("error"))
        #expect(replies[5] == "ok \(line)")

        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning)
        if !process.isRunning {
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
            #expect(!FileManager.default.fileExists(atPath: socketPath))
            #expect(!FileManager.default.fileExists(atPath: pidFile))
        }
    }
}

/// `SIEM_DEVBROKER_BIN`, else next to the test bundle, else `.build/debug` of this package.
func devBrokerBinary() -> URL? {
    var candidates: [URL] = []
    if let path = ProcessInfo.processInfo.environment["SIEM_DEVBROKER_BIN"] { candidates.append(URL(fileURLWithPath: path)) }
    let bundleDir = Bundle.main.bundleURL.deletingLastPathComponent()
    candidates.append(bundleDir.appendingPathComponent("siem-devbroker"))
    candidates.append(Bundle.main.bundleURL.appendingPathComponent("siem-devbroker"))
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug/siem-devbroker"))
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
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

/// Sends each command on one unix-socket connection and collects the reply lines.
func controlExchange(_ path: String, _ commands: [String]) throws -> [String] {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try #require(connected == 0)
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var replies: [String] = []
    for command in commands {
        let data = Array((command + "\n").utf8)
        try #require(data.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == data.count)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 {
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        replies.append(String(decoding: line, as: UTF8.self))
    }
    return replies
}
