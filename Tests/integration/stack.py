"""Start and stop the project's local stack (scripts/stack) for a test session.

The test stack lives in its own var dir and ports, so a developer's running
stack is left alone. Everything is on 127.0.0.1 and stopped by PID on teardown.
"""
import os
import shlex
import subprocess
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_HOST_ALLOWLIST = "127.0.0.1 localhost *.example.test"


def parse_env_file(path):
    env = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            env[name] = shlex.split(value)[0] if value else ""
    return env


class Stack:
    """A running local stack: URLs, secrets for tests, and helpers."""

    def __init__(self, var_dir, ports, provider_ca=None):
        self.var_dir = Path(var_dir)
        self.ports = ports
        self.provider_ca = provider_ca
        self.env = {}

    # The suite (and the admin page's browser tests) send hundreds of requests a second
    # from 127.0.0.1; production limits per address (nginx/siem.conf.in) would refuse them.
    # test_nginx_limits restarts nginx with tiny limits of its own.
    SUITE_LIMITS = {"rate": "100000r/s", "burst": "100000", "conn": "1000"}

    def _run(self, *args, check=True, limits=None, extra_env=None):
        limits = dict(self.SUITE_LIMITS, **(limits or {}))
        env = dict(os.environ, **(extra_env or {}))
        env.update({
            "SIEM_NGINX_RATE": limits["rate"],
            "SIEM_NGINX_BURST": limits["burst"],
            "SIEM_NGINX_CONN": limits["conn"],
            "SIEM_VAR_DIR": str(self.var_dir),
            "SIEM_HTTPS_PORT": str(self.ports["https"]),
            "SIEM_HTTP_PORT": str(self.ports["http"]),
            "SIEM_PG_PORT": str(self.ports["pg"]),
            "SIEM_BUILD": os.environ.get("SIEM_BUILD", "debug"),
            "SIEM_SKIP_BUILD": "1",
            "SIEM_PROVIDER_CA_BUNDLE": str(self.provider_ca or ""),
            # The fake clouds run on loopback; *.example.test names endpoints that are never called.
            "SIEM_PROVIDER_HOST_ALLOWLIST": PROVIDER_HOST_ALLOWLIST,
        })
        return subprocess.run([str(ROOT / "scripts" / "stack"), *args], env=env, check=check,
                              capture_output=True, text=True, timeout=300)

    def up(self):
        result = self._run("up", check=False)
        if result.returncode != 0:
            raise RuntimeError(f"stack up failed:\n{result.stdout}\n{result.stderr}")
        self.env = parse_env_file(self.var_dir / "stack.env")

    def down(self):
        self._run("down", check=False)

    def restart_nginx(self, **limits):
        """nginx with these limits (rate, burst, conn) instead of the suite's."""
        result = self._run("restart-nginx", check=False, limits=limits)
        if result.returncode != 0:
            raise RuntimeError(f"nginx restart failed:\n{result.stdout}\n{result.stderr}")

    def restart_api(self, **env):
        """siem-api again, with these extra environment variables (none: as the suite starts it)."""
        result = self._run("restart-api", check=False, extra_env=env)
        if result.returncode != 0:
            raise RuntimeError(f"siem-api restart failed:\n{result.stdout}\n{result.stderr}")

    @property
    def url(self):
        return self.env["SIEM_API_URL"]

    @property
    def ca(self):
        return self.env["SIEM_CA_BUNDLE"]

    def bin(self, name):
        return str(Path(self.env["SIEM_BIN_DIR"]) / name)

    def token(self, tenant=None, roles=("admin",), ttl=3600):
        args = [self.bin("siem-ctl"), "token", "--ttl", str(ttl)]
        if tenant:
            args += ["--tenant", tenant]
        for role in roles:
            args += ["--role", role]
        env = dict(os.environ, SIEM_JWT_SECRET=self.env["SIEM_JWT_SECRET"])
        return subprocess.run(args, env=env, check=True, capture_output=True, text=True,
                              timeout=30).stdout.strip()

    def session(self, token=None):
        s = requests.Session()
        s.verify = self.ca
        if token:
            s.headers["Authorization"] = f"Bearer {token}"
        return s

    def api_log(self):
        return (self.var_dir / "log" / "siem-api.log").read_text(errors="replace")
