"""The three fixtures every test_fake_<name>.py of a SaaS fake needs, made once here:

    okta_process, okta, http = fake_fixtures("fakes.okta", "okta", seed=3)

`<name>_process`: the fake, one process per test module (log in a temp dir); `<name>`: that fake
reset before the test; `http`: a requests session trusting only the fake's CA.
"""
from __future__ import annotations

import pytest

from .process import start_fake


def fake_fixtures(module: str, name: str, seed: int):
    @pytest.fixture(scope="module", name=f"{name}_process")
    def process(cert_dir, tmp_path_factory):
        proc = start_fake(module, cert_dir, seed=seed, log_path=tmp_path_factory.mktemp("logs") / f"{name}.log")
        yield proc
        proc.stop()

    @pytest.fixture(name=name)
    def reset_fake(request):
        proc = request.getfixturevalue(f"{name}_process")
        proc.control("POST", "reset")
        return proc

    @pytest.fixture(name="http")
    def http(request):
        with request.getfixturevalue(name).session() as s:
            yield s

    return process, reset_fake, http
