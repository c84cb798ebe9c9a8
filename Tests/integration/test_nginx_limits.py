"""nginx's per-address limits on /v1/: a request rate with a burst, and concurrent
requests. Refusals are 429 problem+json with Retry-After. The test stack runs with
limits no test reaches; this module restarts its nginx with tiny ones (a rate of one
request a minute, so the count is exact whatever the machine's speed) and restores them."""
import time

import pytest

from test_nginx_errors import check, read_until, tls_socket

TOO_MANY = (429, "Too many requests")
BURST = 5


def limits(stack, **values):
    stack.restart_nginx(**values)
    try:
        yield
    finally:
        stack.restart_nginx()


@pytest.fixture
def tight_rate(stack):
    yield from limits(stack, rate="1r/m", burst=str(BURST))


@pytest.fixture
def one_request_at_a_time(stack):
    yield from limits(stack, conn="1")


def test_rate_beyond_the_burst_is_429_problem(stack, tight_rate):
    s = stack.session()
    # The first request plus the burst pass at once; the next one is refused.
    for _ in range(BURST + 1):
        assert s.get(f"{stack.url}/v1/health").status_code == 200
    r = s.get(f"{stack.url}/v1/health")
    check(r, TOO_MANY)
    assert int(r.headers["Retry-After"]) >= 1
    # Outside /v1/ nothing is limited: the admin page still loads.
    assert s.get(f"{stack.url}/").status_code == 200


def open_request_waiting_for_body(stack):
    """A POST whose body never comes: nginx counts it as a request in progress from
    the moment it answers 100 Continue (after the limit checks) until the socket closes."""
    sock = tls_socket(stack)
    sock.sendall(b"POST /v1/cloud_api_sources HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n")
    reply = read_until(sock, lambda data: b"\r\n\r\n" in data, 4096)
    assert reply.startswith(b"HTTP/1.1 100"), reply
    return sock


def test_concurrent_requests_beyond_the_limit_are_429_problem(stack, one_request_at_a_time):
    held = open_request_waiting_for_body(stack)
    s = stack.session()
    try:
        r = s.get(f"{stack.url}/v1/health")
        check(r, TOO_MANY)
        assert r.headers.get("Retry-After")
    finally:
        held.close()
    # Once the held request is gone, a request passes (nginx notices the close shortly).
    for _ in range(50):
        status = s.get(f"{stack.url}/v1/health").status_code
        if status != 429:
            break
        time.sleep(0.1)
    assert status == 200
