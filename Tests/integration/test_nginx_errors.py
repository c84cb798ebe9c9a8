"""Errors nginx makes itself (before or instead of siem-api) are problem+json with a
stable title and status, carry the security headers, and never nginx's HTML page.
A request with two Authorization headers is refused and authenticated by neither."""
import json
import socket
import ssl
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from sample_sources import body

SECURITY_HEADERS = ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy", "Content-Security-Policy")


def nginx_problem(status, headers, text, title):
    """Checks one nginx-made error response; returns its parsed body."""
    assert status == title[0], text
    assert headers.get("Content-Type", "").startswith("application/problem+json"), (headers, text)
    doc = json.loads(text)
    assert doc["type"] == "about:blank" and doc["status"] == title[0] and doc["title"] == title[1], doc
    for name in SECURITY_HEADERS:
        assert headers.get(name), f"{name} missing on {status}"
    assert "nginx" not in text
    return doc


def check(r, title):
    return nginx_problem(r.status_code, r.headers, r.text, title)


BAD_REQUEST = (400, "Invalid request")


def tls_socket(stack):
    url = urlsplit(stack.url)
    context = ssl.create_default_context(cafile=stack.ca)
    return context.wrap_socket(socket.create_connection((url.hostname, url.port), timeout=10),
                               server_hostname=url.hostname)


def read_until(sock, done, limit):
    """Reads until done(bytes so far), the peer closes, or limit bytes."""
    data = b""
    while not done(data) and len(data) < limit:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def raw_request(stack, request_line, headers, body=b""):
    """HTTP/1.1 sent byte for byte (duplicate headers, bad request lines); (status, headers, text)."""
    head = request_line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    with tls_socket(stack) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        return parse_response(read_until(sock, lambda _: False, 1_000_000))


def parse_response(reply):
    head, _, text = reply.decode().partition("\r\n\r\n")
    lines = head.split("\r\n")
    return int(lines[0].split()[1]), dict(line.split(": ", 1) for line in lines[1:]), text


def curl_http2(stack, path, *headers, method="GET"):
    """HTTP/2 through curl; (status, headers, text)."""
    args = ["curl", "-sS", "--http2", "--cacert", stack.ca, "-X", method, "-D", "-", "--max-time", "10"]
    for h in headers:
        args += ["-H", h]
    # Bytes: text mode would turn the CRLFs the parsing below relies on into LFs.
    out = subprocess.run(args + [stack.url + path], capture_output=True, timeout=20, check=True).stdout.decode()
    head, _, text = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    assert lines[0].startswith("HTTP/2"), lines[0]
    hdrs = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        hdrs["-".join(p.capitalize() for p in name.strip().split("-"))] = value.strip()
    return int(lines[0].split()[1]), hdrs, text


def test_two_authorization_headers_are_refused_and_create_nothing(stack, db, tenant):
    admin_a = stack.token(tenant=tenant, roles=["admin"])
    admin_b = stack.token(tenant=tenant + "-b", roles=["admin"])
    for first, second in ((admin_a, admin_b), (admin_a, "garbage"), ("garbage", admin_a)):
        status, headers, text = raw_request(stack, "GET /v1/cloud_api_sources HTTP/1.1",
                                            [("Authorization", f"Bearer {first}"),
                                             ("Authorization", f"Bearer {second}")])
        nginx_problem(status, headers, text, BAD_REQUEST)
        assert admin_a not in text and admin_b not in text
    # Names differ in case only, still one header twice; and the write must not happen.
    payload = json.dumps(body()).encode()
    status, headers, text = raw_request(stack, "POST /v1/cloud_api_sources HTTP/1.1",
                                        [("Authorization", f"Bearer {admin_a}"),
                                         ("authorization", f"Bearer {admin_b}"),
                                         ("Content-Type", "application/json"),
                                         ("Content-Length", str(len(payload)))], payload)
    nginx_problem(status, headers, text, BAD_REQUEST)
    count = db.execute("SELECT count(*) FROM cloud_api_sources WHERE tenant_id IN (%s, %s)",
                       (tenant, tenant + "-b")).fetchone()[0]
    assert count == 0


def test_two_authorization_headers_over_http2(stack, tenant):
    a = stack.token(tenant=tenant, roles=["admin"])
    b = stack.token(tenant=tenant + "-b", roles=["admin"])
    status, headers, text = curl_http2(stack, "/v1/cloud_api_sources",
                                       f"Authorization: Bearer {a}", f"Authorization: Bearer {b}")
    nginx_problem(status, headers, text, BAD_REQUEST)


# Over HTTP/2 nginx answers an oversized header or URI with GOAWAY (a connection error):
# no response, so nothing to turn into problem+json. These go over HTTP/1.1.
def test_oversized_header_is_400_problem(stack, admin):
    r = admin.get(f"{stack.url}/v1/cloud_api_sources", headers={"X-Padding": "a" * 20000})
    doc = check(r, BAD_REQUEST)
    assert "header" in doc["detail"]


def test_uri_too_long_is_414_problem(stack, admin):
    check(admin.get(f"{stack.url}/v1/cloud_api_sources?x=" + "a" * 20000), (414, "URI too long"))


def test_malformed_request_line_is_400_problem(stack):
    status, headers, text = raw_request(stack, "GET /v1/health HTTP/1.1 extra", [])
    nginx_problem(status, headers, text, BAD_REQUEST)


def test_trace_is_405_problem(stack, admin):
    check(admin.request("TRACE", f"{stack.url}/v1/health"), (405, "Method not allowed"))


def test_body_over_limit_is_413_problem_from_nginx(stack, admin):
    r = admin.post(f"{stack.url}/v1/cloud_api_sources", data=b"{" + b" " * 70000 + b"}",
                   headers={"Content-Type": "application/json"})
    doc = check(r, (413, "Request body too large"))
    assert doc["detail"] == "the limit is 65536 bytes"


def test_unknown_path_outside_v1_is_404_problem(stack, admin):
    check(admin.get(f"{stack.url}/v2/cloud_api_sources"), (404, "Not found"))


def test_siem_api_errors_pass_through_unchanged(stack, admin):
    r = admin.get(f"{stack.url}/v1/nothing-here")
    assert r.status_code == 404 and r.json().get("request_id")  # siem-api's own body
    r = admin.patch(f"{stack.url}/v1/cloud_api_sources", json={})
    assert r.status_code == 405 and "Allow" in r.headers and r.json().get("request_id")


def test_api_down_is_502_problem(stack, admin):
    pid_file = stack.var_dir / "pids" / "siem-api.pid"
    pid = int(pid_file.read_text())
    subprocess.run(["kill", "-TERM", str(pid)], check=True)
    try:
        for _ in range(50):
            if subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0:
                break
            time.sleep(0.1)
        else:
            pytest.fail("siem-api did not stop")
        check(admin.get(f"{stack.url}/v1/cloud_api_sources"), (502, "Bad gateway"))
    finally:
        stack.up()  # starts siem-api again; the rest already runs
    assert admin.get(f"{stack.url}/v1/health").status_code == 200


def test_plain_http_to_the_https_port_is_400_problem(stack):
    url = urlsplit(stack.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        reply = read_until(sock, lambda _: False, 65536)
    nginx_problem(*parse_response(reply), BAD_REQUEST)


def test_api_not_answering_in_time_is_504_problem(stack, admin):
    """siem-api stopped (SIGSTOP) still accepts on its socket but never answers: nginx gives
    up after fastcgi_read_timeout (30 s, nginx/siem-api-fastcgi.conf)."""
    pid = int((stack.var_dir / "pids" / "siem-api.pid").read_text())
    subprocess.run(["kill", "-STOP", str(pid)], check=True)
    try:
        check(admin.get(f"{stack.url}/v1/cloud_api_sources", timeout=60), (504, "Gateway timeout"))
    finally:
        subprocess.run(["kill", "-CONT", str(pid)], check=True)
    assert admin.get(f"{stack.url}/v1/health", timeout=30).status_code == 200
