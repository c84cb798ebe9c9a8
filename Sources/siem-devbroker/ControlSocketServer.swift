import Foundation
import Glibc
import Kafka
import KafkaDevTools
import Synchronization

/// Serves ``KafkaMockControl`` on a unix stream socket: one command line in, one reply
/// line out, any number of commands per connection.
///
/// Bounded on purpose: at most 8 connections at a time (more are told `error busy`),
/// lines longer than ``KafkaMockControl/maxLineLength`` end the connection, and a client
/// idle for 60 s is dropped.
final class ControlSocketServer: Sendable {
    private static let maxConnections = 8
    private let path: String
    private let listener: Int32
    private let control: KafkaMockControl
    private let running = Atomic<Bool>(true)
    private let acceptLoopDone = Atomic<Bool>(false)
    private let connections = Atomic<Int>(0)
    /// Open client sockets, so that stop() can wake their threads.
    private let clients = Mutex<Set<Int32>>([])

    init(path: String, control: KafkaMockControl) throws {
        self.path = path
        self.control = control
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw ControlSocketError("socket path longer than \(capacity - 1) bytes") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
        }
        // A stale socket from a killed run may be replaced; any other file is left alone.
        var status = stat()
        if lstat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFSOCK else { throw ControlSocketError("\(path) exists and is not a socket") }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlSocketError("socket: \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o600) == 0, listen(fd, 16) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ControlSocketError("bind/listen \(path): \(message)")
        }
        listener = fd
    }

    func start() {
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting, ends open connections, removes the socket file, and waits (at most
    /// 3 s) for the server's threads to finish, so the cluster can be destroyed after it.
    func stop() {
        running.store(false, ordering: .releasing)
        shutdown(listener, Int32(SHUT_RDWR))
        unlink(path)
        for fd in clients.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline
            && (!acceptLoopDone.load(ordering: .acquiring) || connections.load(ordering: .acquiring) > 0)
        {
            usleep(10_000)
        }
    }

    private func acceptLoop() {
        while running.load(ordering: .acquiring) {
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 200)
            guard ready > 0 else { continue }
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            if connections.add(1, ordering: .relaxed).newValue > ControlSocketServer.maxConnections {
                connections.subtract(1, ordering: .relaxed)
                sendLine(client, "error busy")
                close(client)
                continue
            }
            clients.withLock { _ = $0.insert(client) }
            Thread.detachNewThread { [self] in
                serve(client)
                clients.withLock { _ = $0.remove(client) }
                close(client)
                connections.subtract(1, ordering: .releasing)
            }
        }
        close(listener)
        acceptLoopDone.store(true, ordering: .releasing)
    }

    private func serve(_ fd: Int32) {
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while running.load(ordering: .acquiring) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }  // EOF, error or idle timeout
            pending.append(contentsOf: chunk[0..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if !sendLine(fd, control.handle(line)) { return }
            }
            if pending.count > KafkaMockControl.maxLineLength {
                sendLine(fd, "error line too long")
                return
            }
        }
    }

    @discardableResult
    private func sendLine(_ fd: Int32, _ line: String) -> Bool {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}

struct ControlSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
