#!/usr/bin/env python3
"""Loopback HTTPS test server for CurlTests.

Usage: https_server.py CERT KEY [--plain]   -- listens on 127.0.0.1:<ephemeral>, prints the
port on stdout (one line), serves until killed; --plain serves plain HTTP instead. Endpoints:
  /echo          JSON {method, path, headers, body}; two X-Multi headers
  /echo-body     the request body back, X-Method header
  /gzip          gzip-encoded text (Content-Encoding: gzip)
  /bytes?n=N     N bytes with Content-Length
  /stream?n=N    N bytes chunked, no Content-Length
  /sleep?s=S     answers after S seconds
  /429           429 with Retry-After: 7
  /connections   number of TCP connections accepted so far
  /redirect      302 to /echo; /redirect-http: 302 to an http:// URL
"""
import gzip
import http.server
import json
import os
import signal
import socketserver
import ssl
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

connections = 0
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        global connections
        with lock:
            connections += 1
        super().setup()

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/echo":
            payload = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
            self.reply(200, json.dumps(payload).encode(),
                       [("Content-Type", "application/json"), ("X-Multi", "a"), ("X-Multi", "b")])
        elif url.path == "/echo-body":
            self.reply(200, body, [("X-Method", self.command), ("Content-Type", "application/octet-stream")])
        elif url.path == "/gzip":
            self.reply(200, gzip.compress(b"hello gzip " * 1000), [("Content-Encoding", "gzip")])
        elif url.path == "/bytes":
            self.reply(200, b"x" * int(query["n"][0]))
        elif url.path == "/stream":
            remaining = int(query["n"][0])
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while remaining > 0:
                chunk = b"y" * min(1000, remaining)
                remaining -= len(chunk)
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif url.path == "/sleep":
            time.sleep(float(query["s"][0]))
            self.reply(200, b"late")
        elif url.path == "/429":
            self.reply(429, b'{"error":"slow down"}', [("Retry-After", "7"), ("Content-Type", "application/json")])
        elif url.path == "/connections":
            with lock:
                count = connections
            self.reply(200, str(count).encode())
        elif url.path == "/redirect":
            self.reply(302, b"", [("Location", "/echo")])
        elif url.path == "/redirect-http":
            self.reply(302, b"", [("Location", "http://127.0.0.1:9/echo")])
        else:
            self.reply(404, b"not found")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    # Foundation's Process spawns children with the spawning thread's signal mask, which
    # blocks SIGTERM: unblock it so the test's kill-by-PID works.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    cert, key = sys.argv[1], sys.argv[2]
    # The test keeps our stdin open; if it dies without stopping us, EOF ends the server.
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    server = Server(("127.0.0.1", 0), Handler)
    if "--plain" not in sys.argv[3:]:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
