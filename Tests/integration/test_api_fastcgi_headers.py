"""siem-api on its own FastCGI socket, without nginx in front: nginx refuses a request
with two Authorization headers (test_nginx_errors), but another front end may pass both
as two HTTP_AUTHORIZATION params. Neither may then authenticate the request. And the
body limit nginx enforces first holds in siem-api too, as problem+json."""
import json
import socket
import struct

from sample_sources import body

BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6


def record(kind, content, request_id=1):
    return struct.pack(">BBHHBx", 1, kind, request_id, len(content), 0) + content


def length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def fastcgi(stack, params, stdin=b""):
    """One FastCGI request; params is a list of (name, value), repeats allowed. Returns
    (status, headers, body) of the CGI response."""
    pairs = b"".join(length(len(n)) + length(len(v)) + n.encode() + v.encode() for n, v in params)
    message = (record(BEGIN_REQUEST, struct.pack(">HB5x", 1, 0)) + record(PARAMS, pairs) + record(PARAMS, b"")
               + b"".join(record(STDIN, stdin[i:i + 32768]) for i in range(0, len(stdin), 32768))
               + record(STDIN, b""))
    out = b""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(str(stack.var_dir / "run" / "siem-api.sock"))
        s.sendall(message)
        buffer = b""
        for _ in range(10000):  # records; END_REQUEST comes last
            while len(buffer) < 8:
                chunk = s.recv(65536)
                assert chunk, "siem-api closed the connection before END_REQUEST"
                buffer += chunk
            _, kind, _, size, padding = struct.unpack(">BBHHBx", buffer[:8])
            while len(buffer) < 8 + size + padding:
                chunk = s.recv(65536)
                assert chunk, "siem-api closed the connection in a record"
                buffer += chunk
            content, buffer = buffer[8:8 + size], buffer[8 + size + padding:]
            if kind == STDOUT:
                out += content
            elif kind == END_REQUEST:
                break
    head, _, text = out.decode().partition("\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.split("\r\n"))
    return int(headers.get("Status", "200").split()[0]), headers, text


def base_params(method, path):
    return [("REQUEST_METHOD", method), ("DOCUMENT_URI", path), ("QUERY_STRING", ""),
            ("REMOTE_ADDR", "127.0.0.1"), ("REQUEST_ID", "fcgi-dup-auth")]


def test_the_socket_answers_a_single_authorization(stack, tenant):
    token = stack.token(tenant=tenant, roles=["admin"])
    status, _, _ = fastcgi(stack, base_params("GET", "/v1/cloud_api_sources")
                           + [("HTTP_AUTHORIZATION", f"Bearer {token}")])
    assert status == 200


def test_two_authorization_params_are_refused_by_siem_api(stack, db, tenant):
    a = stack.token(tenant=tenant, roles=["admin"])
    b = stack.token(tenant=tenant + "-b", roles=["admin"])
    for first, second in ((a, b), (a, "garbage"), ("garbage", a)):
        status, headers, text = fastcgi(stack, base_params("GET", "/v1/cloud_api_sources")
                                        + [("HTTP_AUTHORIZATION", f"Bearer {first}"),
                                           ("HTTP_AUTHORIZATION", f"Bearer {second}")])
        assert status == 400, text
        assert headers["Content-Type"].startswith("application/problem+json")
        assert a not in text and b not in text
    payload = json.dumps(body()).encode()
    status, _, text = fastcgi(stack, base_params("POST", "/v1/cloud_api_sources")
                              + [("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", str(len(payload))),
                                 ("HTTP_AUTHORIZATION", f"Bearer {a}"), ("HTTP_AUTHORIZATION", f"Bearer {b}")],
                              stdin=payload)
    assert status == 400, text
    assert db.execute("SELECT count(*) FROM cloud_api_sources WHERE tenant_id IN (%s, %s)",
                      (tenant, tenant + "-b")).fetchone()[0] == 0


def test_body_over_the_limit_is_413_problem_from_siem_api(stack, tenant):
    token = stack.token(tenant=tenant, roles=["admin"])
    payload = b"{" + b" " * 70000 + b"}"
    status, headers, text = fastcgi(stack, base_params("POST", "/v1/cloud_api_sources")
                                    + [("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", str(len(payload))),
                                       ("HTTP_AUTHORIZATION", f"Bearer {token}")], stdin=payload)
    assert status == 413 and headers["Content-Type"].startswith("application/problem+json")
    assert json.loads(text)["title"] == "Request body too large"
