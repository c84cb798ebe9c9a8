"""HTTPS plumbing shared by every fake: TLS server, request/response types, CLI runner.

A fake is an "app" object with `handle(Request) -> Response`, `close()` and a `streamer`
(control.Streamer); this module owns
the sockets, HTTP/1.1 keep-alive, Content-Length, gzip and the wire-level faults
(truncated body, connection reset) so that the apps only decide *what* to answer.
"""
from __future__ import annotations

import argparse
import gzip
import ipaddress
import json
import os
import signal
import socket
import ssl
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Protocol
from urllib.parse import parse_qs, urlsplit

from . import tls

MAX_BODY = 16 * 1024 * 1024  # control bodies with explicit events can be large, but not unbounded
IDLE_TIMEOUT_S = 30          # an idle keep-alive connection gives its thread back after this


@dataclass
class Request:
    method: str
    path: str                      # without query string, percent-decoding left to the app
    query: dict[str, list[str]]    # parse_qs of the raw query (keys like "$filter" decoded)
    raw_query: str
    headers: dict[str, str]        # lower-cased names
    body: bytes
    client: tuple[str, int]
    host: str                      # Host header as sent (used to build absolute next links)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def arg(self, name: str) -> str | None:
        v = self.query.get(name)
        return v[-1] if v else None

    def json(self):
        return json.loads(self.body.decode("utf-8")) if self.body else {}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    # "normal" | "truncate" (full Content-Length, half the body, then close) | "reset" (close, no reply)
    wire: str = "normal"


def json_response(status: int, obj, headers: list[tuple[str, str]] | None = None,
                  content_type: str = "application/json; charset=utf-8") -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, [("Content-Type", content_type), *(headers or [])])


class App(Protocol):
    streamer: Any   # control.Streamer (not imported: control imports this module)

    def handle(self, req: Request) -> Response: ...
    def close(self) -> None: ...


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive; every response carries Content-Length
    server_version = "fake"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S

    def do_GET(self): self._dispatch()
    def do_POST(self): self._dispatch()
    def do_PUT(self): self._dispatch()
    def do_PATCH(self): self._dispatch()
    def do_DELETE(self): self._dispatch()
    def do_HEAD(self): self._dispatch()

    def log_message(self, fmt, *args):  # request logging lives in the app's request log
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def _read_chunked(self) -> bytes:
        out = bytearray()
        while True:  # bounded by MAX_BODY and by the peer ending with a 0-size chunk
            size = int(self.rfile.readline(64).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return bytes(out)
            out += self.rfile.read(size)
            self.rfile.readline(8)
            if len(out) > MAX_BODY:
                raise ValueError("body too large")

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.send_error(400, "bad body")
            return
        parts = urlsplit(self.path)
        req = Request(
            method=self.command, path=parts.path, query=parse_qs(parts.query, keep_blank_values=True),
            raw_query=parts.query, headers={k.lower(): v for k, v in self.headers.items()},
            body=body, client=self.client_address, host=self.headers.get("Host", ""))
        try:
            resp = self.server.app.handle(req)
        except Exception as e:  # a fake bug must show up as a 500, not a hung client
            import traceback
            traceback.print_exc(file=sys.stderr)
            resp = json_response(500, {"error": {"code": "FakeInternalError", "message": repr(e)}})
        self._send(req, resp)

    def _send(self, req: Request, resp: Response) -> None:
        if resp.wire == "reset":
            self.close_connection = True
            self._abort()
            return
        body = resp.body
        headers = list(resp.headers)
        if body and _accepts_gzip(req.header("accept-encoding")):
            body = gzip.compress(body, compresslevel=5)
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        self.send_response(resp.status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if resp.wire == "truncate":
            self.send_header("Connection", "close")
        self.end_headers()
        if req.method == "HEAD":
            return
        if resp.wire == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self._abort()
            return
        self.wfile.write(body)

    def _abort(self) -> None:
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _accepts_gzip(value: str) -> bool:
    for part in value.split(","):
        bits = [b.strip() for b in part.split(";")]
        if bits[0].lower() == "gzip":
            return not any(b.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for b in bits[1:])
    return False


class FakeHTTPSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, app: App, certs: tls.CertPaths, verbose: bool = False):
        self.app = app
        self.verbose = verbose
        self.ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ssl_ctx.load_cert_chain(certs.cert, certs.key)
        self.ssl_ctx.set_alpn_protocols(["http/1.1"])  # clients offering h2 settle on HTTP/1.1
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.address_family = family
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # TLS handshake here, in the per-connection thread, so one slow client cannot stall accept().
        request.settimeout(IDLE_TIMEOUT_S)
        # Headers and body go out as separate writes: without NODELAY, Nagle + the client's
        # delayed ACK add ~40 ms to every response.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            conn = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, TimeoutError, socket.timeout)):
            return  # clients hanging up mid-request are normal in fault tests
        super().handle_error(request, client_address)


def common_args(description: str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on stdout)")
    ap.add_argument("--cert-dir", required=True, help="dir with ca.pem/server.pem/server-key.pem (created if missing)")
    ap.add_argument("--seed", type=int, default=1, help="seed for generated events")
    ap.add_argument("--state-file", help="JSON state loaded at start and written on SIGTERM and /_control/save")
    ap.add_argument("--stream", action="store_true",
                    help="start stream mode at once: a live feed of events for every registered identity (demo)")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return ap


def serve(args: argparse.Namespace, make_app: Callable[[argparse.Namespace, int, threading.Event], App]) -> int:
    """Bind, print the ready line, serve until SIGTERM/SIGINT, then close the app and exit 0."""
    if not ipaddress.ip_address(args.host).is_loopback:
        sys.exit(f"refusing to bind non-loopback address {args.host}")
    certs = tls.ensure_certs(args.cert_dir)
    stop = threading.Event()
    # Block the stop signals before any thread exists (threads inherit the mask) and collect
    # them with sigwait below. A Python handler is not enough: the kernel may deliver SIGTERM
    # to a worker thread, and then a main thread asleep in Event.wait() never wakes up.
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    server = FakeHTTPSServer((args.host, args.port), None, certs, args.verbose)
    port = server.server_address[1]
    server.app = make_app(args, port, stop)
    if args.stream:
        server.app.streamer.start({})
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    worker.start()
    print(json.dumps({"port": port, "pid": os.getpid()}), flush=True)
    signal.sigwait(signals)  # sleeps until SIGTERM/SIGINT; no polling loop
    stop.set()               # wakes delay faults and the stream thread
    server.shutdown()
    server.server_close()
    server.app.close()
    worker.join(timeout=5)
    return 0
