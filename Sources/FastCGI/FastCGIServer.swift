internal import CFastCGI
internal import Glibc
public import HTTPRouting
internal import Foundation
internal import Synchronization

/// Why the FastCGI listener could not start.
public struct FastCGIError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Turns one request into a response. Each worker thread owns one responder
/// (and with it its own database connection), so responders need not be Sendable.
public typealias Responder = (Request) -> Response

/// A libfcgi responder pool: `workers` threads accept on one socket, each with
/// its own `FCGX_Request` and responder, so one slow request does not stall the rest.
public final class FastCGIServer: Sendable {
    private let listenFD: Int32
    private let maxBodyBytes: Int
    private let active = Atomic<Int>(0)

    /// Listens on a unix socket path (created with `socketMode`) or, when nil,
    /// on the socket passed as file descriptor 0 (spawn-fcgi style).
    public init(socketPath: String?, backlog: Int32 = 1024, socketMode: UInt32 = 0o660,
                maxBodyBytes: Int = 1 << 20) throws(FastCGIError) {
        guard FCGX_Init() == 0 else { throw FastCGIError(message: "FCGX_Init failed") }
        if let socketPath {
            unlink(socketPath)
            let fd = FCGX_OpenSocket(socketPath, backlog)
            guard fd >= 0 else { throw FastCGIError(message: "cannot listen on \(socketPath)") }
            chmod(socketPath, mode_t(socketMode))
            listenFD = fd
        } else {
            listenFD = 0
        }
        self.maxBodyBytes = maxBodyBytes
    }

    /// Starts the workers and blocks until SIGTERM/SIGINT, then lets in-flight
    /// requests finish (bounded) and returns.
    public func serve(workers: Int, makeResponder: @escaping @Sendable (Int) -> Responder) {
        ShutdownSignal.install()
        for index in 0..<max(1, workers) {
            let thread = Thread { [self] in self.workerLoop(responder: makeResponder(index)) }
            thread.name = "fcgi-worker-\(index)"
            thread.start()
        }
        while !ShutdownSignal.requested.load(ordering: .acquiring) { usleep(100_000) }
        FCGX_ShutdownPending()
        // Bounded grace period for requests already being answered.
        for _ in 0..<100 where active.load(ordering: .acquiring) > 0 { usleep(50_000) }
    }

    private func workerLoop(responder: Responder) {
        var request = FCGX_Request()
        guard FCGX_InitRequest(&request, listenFD, 0) == 0 else { return }
        while FCGX_Accept_r(&request) >= 0 {
            active.add(1, ordering: .relaxed)
            let response = respond(&request, responder)
            write(response, to: request)
            FCGX_Finish_r(&request)
            active.subtract(1, ordering: .relaxed)
        }
    }

    private func respond(_ request: inout FCGX_Request, _ responder: Responder) -> Response {
        let params = CGIParams(request.envp)
        var incoming = params.request()
        let length = Int(params["CONTENT_LENGTH"] ?? "") ?? 0
        if length > maxBodyBytes {
            return HTTPError.payloadTooLarge(limit: maxBodyBytes).response(requestID: incoming.requestID)
        }
        if length > 0 {
            var body = [UInt8](repeating: 0, count: length)
            let read = body.withUnsafeMutableBytes { buffer in
                FCGX_GetStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(length), request.in)
            }
            body.removeLast(length - Int(max(read, 0)))
            incoming.body = body
        }
        return responder(incoming)
    }

    private func write(_ response: Response, to request: FCGX_Request) {
        var head: [UInt8] = []
        head.reserveCapacity(256)
        head.append(contentsOf: "Status: \(response.status) \(Response.reason(response.status))\r\n".utf8)
        // A header value with CR or LF could inject headers: such a header is dropped.
        for header in response.headers where !header.value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
            head.append(contentsOf: header.name.utf8)
            head.append(contentsOf: ": ".utf8)
            head.append(contentsOf: header.value.utf8)
            head.append(contentsOf: "\r\n".utf8)
        }
        if !response.body.isEmpty || response.status != 204 {
            head.append(contentsOf: "Content-Length: \(response.body.count)\r\n".utf8)
        }
        head.append(contentsOf: "\r\n".utf8)
        _ = StdoutRecords.write(head: head, body: response.body, requestID: request.requestId, to: request.ipcFd)
    }
}
