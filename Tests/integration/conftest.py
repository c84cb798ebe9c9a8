"""Shared fixtures for the integration suites.

Makes `fakes` and `harness` importable, strips this machine's global CA-bundle
variables so every TLS trust decision is explicit, and provides the local stack
(PostgreSQL, siem-api behind nginx, the dev broker) and a session-wide Microsoft
fake that is reset before each test that uses `ms_fake`.
"""
import os
import sys
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import psycopg  # noqa: E402

from fakes import tls  # noqa: E402
from fakes.process import start_fake  # noqa: E402
from harness import procs  # noqa: E402
from stack import ROOT, Stack  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _explicit_ca_only():
    # REQUESTS_CA_BUNDLE & co would silently override verify=True and leak into children;
    # tests pass verify=<ca.pem> themselves and children get procs.clean_env().
    mp = pytest.MonkeyPatch()
    for name in procs.CA_ENV_VARS:
        mp.delenv(name, raising=False)
    yield
    mp.undo()


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("certs")
    tls.ensure_certs(d)
    return d


@pytest.fixture(scope="session")
def ms_fake_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.microsoft", cert_dir, seed=42,
                      log_path=tmp_path_factory.mktemp("logs") / "microsoft.log")
    yield fake
    fake.stop()


@pytest.fixture
def ms_fake(ms_fake_process):
    """The shared Microsoft fake, reset to an empty state."""
    ms_fake_process.control("POST", "reset")
    return ms_fake_process


@pytest.fixture(scope="session")
def stack(cert_dir):
    """The real local stack on its own ports and var dir (a developer's stack is left alone)."""
    var_dir = ROOT / "var" / "test-stack"
    ports = {"https": int(os.environ.get("SIEM_TEST_HTTPS_PORT", "18443")),
             "http": int(os.environ.get("SIEM_TEST_HTTP_PORT", "18480")),
             "pg": int(os.environ.get("SIEM_TEST_PG_PORT", "15432"))}
    # siem-api trusts the fake clouds' CA for its source-test endpoint.
    s = Stack(var_dir, ports, provider_ca=cert_dir / "ca.pem")
    s.down()  # a previous run that died may have left its processes behind
    try:
        s.up()
    except BaseException:
        s.down()
        raise
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


@pytest.fixture
def only_new_sources_due(db):
    """Tests that run a whole tick must not pick up sources other tests left due."""
    db.execute("UPDATE cloud_api_sources SET is_enabled = false WHERE is_enabled")


@pytest.fixture
def row_writes(db):
    """Logs every write to cloud_api_sources with the writer's application_name and time."""
    db.execute("""
        CREATE TABLE test_row_writes (source_id uuid, app text, at timestamptz, cursor jsonb,
                                      last_polled timestamptz);
        CREATE FUNCTION test_log_row_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
        BEGIN
            INSERT INTO test_row_writes VALUES (NEW.source_id, current_setting('application_name'),
                                                clock_timestamp(), NEW.cursor, NEW.last_polled_timestamp);
            RETURN NULL;
        END $$;
        CREATE TRIGGER test_log_row_write AFTER UPDATE ON cloud_api_sources
            FOR EACH ROW EXECUTE FUNCTION test_log_row_write();
        """)
    try:
        yield lambda source_id: db.execute(
            "SELECT app, at, cursor, last_polled FROM test_row_writes WHERE source_id = %s ORDER BY at",
            (source_id,)).fetchall()
    finally:
        db.execute("DROP TRIGGER test_log_row_write ON cloud_api_sources; DROP FUNCTION test_log_row_write(); "
                   "DROP TABLE test_row_writes")
