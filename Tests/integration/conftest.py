"""Shared fixtures for the integration suites.

Makes `fakes` and `harness` importable, strips this machine's global CA-bundle variables so
every TLS trust decision is explicit, and provides a session-wide Microsoft fake that is reset
before each test that uses `ms_fake`.
"""
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from fakes import tls  # noqa: E402
from fakes.process import start_fake  # noqa: E402
from harness import procs  # noqa: E402


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
