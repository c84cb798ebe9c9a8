"""Start a fake as a subprocess (port 0), read its ready line, and talk to its control API.

    fake = start_fake("fakes.microsoft", cert_dir)
    fake.control("POST", "apps", {"tenant": "t1", "client_id": "c1", "client_secret": "s"})
    ...
    fake.stop()
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from harness import procs

from . import tls

INTEGRATION_DIR = Path(__file__).resolve().parent.parent   # Tests/integration: the import root


class ControlError(RuntimeError):
    pass


@dataclass
class FakeClient:
    """A running fake's address and control API, whoever started it (a test, scripts/demo)."""
    port: int
    certs: tls.CertPaths
    _ctl: requests.Session | None = field(default=None, repr=False)
    _ctl_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca(self) -> str:
        return str(self.certs.ca)

    def session(self) -> requests.Session:
        """A requests session that trusts only the fake's CA and ignores proxy/CA env vars."""
        s = requests.Session()
        s.trust_env = False
        s.verify = self.ca
        return s

    def control(self, method: str, name: str, body: dict | None = None, timeout: float = 30, **params):
        """Call /_control/<name>; returns the decoded JSON or raises ControlError on non-200."""
        with self._ctl_lock:  # one kept-alive session: a TLS handshake per call adds up in suites
            if self._ctl is None:
                self._ctl = self.session()
            r = self._ctl.request(method, f"{self.base_url}/_control/{name}", json=body,
                                  params=params or None, timeout=timeout)
        if r.status_code != 200:
            raise ControlError(f"{method} /_control/{name} -> {r.status_code}: {r.text[:500]}")
        return r.json()

    def stream_until_done(self, spec: dict, timeout: float = 10.0) -> dict:
        """Run stream mode with `spec` until it ends by itself (its max_events); the last status."""
        status = self.control("POST", "stream", spec)
        deadline = time.monotonic() + timeout
        while status["enabled"] and time.monotonic() < deadline:
            time.sleep(0.1)
            status = self.control("GET", "stream")
        return status

    def close(self) -> None:
        if self._ctl is not None:
            self._ctl.close()


@dataclass
class FakeProcess(FakeClient):
    """A fake started by start_fake: its control API plus its process."""
    proc: procs.Proc | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, timeout: float = 5.0) -> int | None:
        self.close()
        return self.proc.stop(timeout)


def start_fake(module: str, cert_dir: str | os.PathLike, *, seed: int | None = None,
               state_file: str | os.PathLike | None = None, extra_args: list[str] | tuple = (),
               log_path: str | os.PathLike | None = None, ready_timeout: float = 20.0) -> FakeProcess:
    """Run `python3 -m <module> --port 0 --cert-dir DIR ...` and wait for {"port", "pid"}."""
    certs = tls.ensure_certs(cert_dir)  # once here, so parallel fakes don't race on creation
    argv = [sys.executable, "-m", module, "--port", "0", "--cert-dir", str(cert_dir)]
    if seed is not None:
        argv += ["--seed", str(seed)]
    if state_file is not None:
        argv += ["--state-file", str(state_file)]
    argv += list(extra_args)
    env = procs.clean_env({"PYTHONPATH": str(INTEGRATION_DIR), "PYTHONUNBUFFERED": "1"})
    p = procs.start(argv, ready_timeout=ready_timeout, env=env, cwd=INTEGRATION_DIR, log_path=log_path)
    try:
        ready = json.loads(p.ready_line)
        port = int(ready["port"])
    except (ValueError, KeyError, TypeError):
        procs.stop(p)
        raise procs.ProcError(f"bad ready line from {module}: {p.ready_line!r}") from None
    return FakeProcess(port, certs, proc=p)
