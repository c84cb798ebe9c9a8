"""Shared fixtures: the local stack (PostgreSQL, siem-api behind nginx, dev broker)."""
import os
import tempfile
import uuid

import psycopg
import pytest

from stack import ROOT, Stack


def pytest_configure(config):
    # These tests rely on the CAs they make; the machine-wide overrides must not leak in.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "AWS_CA_BUNDLE", "SSL_CERT_FILE"):
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def stack():
    var_dir = ROOT / "var" / "test-stack"
    ports = {"https": int(os.environ.get("SIEM_TEST_HTTPS_PORT", "18443")),
             "http": int(os.environ.get("SIEM_TEST_HTTP_PORT", "18480")),
             "pg": int(os.environ.get("SIEM_TEST_PG_PORT", "15432"))}
    s = Stack(var_dir, ports)
    s.down()  # a previous run that died may have left its processes behind
    s.up()
    yield s
    s.down()


@pytest.fixture(scope="session")
def db(stack):
    """Admin connection (bypasses row-level security) to read rows directly."""
    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as conn:
        yield conn


@pytest.fixture
def tenant():
    """A fresh tenant per test, so tests do not see each other's sources."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def admin(stack, tenant):
    return stack.session(stack.token(tenant=tenant, roles=["admin"]))
