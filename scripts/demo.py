"""The demo's moving parts, driven by scripts/demo: fake clouds with a live
stream of sample events, one source per implemented platform registered through
the API, a cron-like poller ticker, and a live count of events in Kafka.

Everything it starts is recorded in var/pids/ so that `scripts/stack down` stops it.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "integration"))

import requests  # noqa: E402

from fakes import tls  # noqa: E402
from harness import kafka  # noqa: E402
from stack import parse_env_file  # noqa: E402

VAR = Path(os.environ.get("SIEM_VAR_DIR", ROOT / "var"))
ENV = parse_env_file(VAR / "stack.env")
PIDS = VAR / "pids"
DEMO = VAR / "demo"
TENANT = "demo"
# A fixed, obviously fake app registration in the fake Microsoft cloud.
MS_APP = {"tenant": "00000000-0000-4000-8000-0000000000d1", "client_id": "00000000-0000-4000-8000-0000000000c1",
          "client_secret": "demo-client-secret-not-real"}


def log(msg):
    print(f"\033[1m==>\033[0m {msg}", file=sys.stderr, flush=True)


def alive(name):
    try:
        os.kill(int((PIDS / f"{name}.pid").read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


def start_background(name, argv, env=None, cwd=None):
    """Start a long-lived process detached from this script; remember its PID."""
    out = DEMO / f"{name}.out"
    with open(out, "w") as stdout, open(VAR / "log" / f"{name}.log", "a") as stderr:
        proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                env=env, cwd=cwd, start_new_session=True)
    (PIDS / f"{name}.pid").write_text(str(proc.pid))
    return proc, out


def start_fake_microsoft(certs):
    if alive("fake-microsoft"):
        return json.loads((DEMO / "fake-microsoft.out").read_text().splitlines()[0])["port"]
    log("starting the fake Microsoft cloud (HTTPS, live event stream)")
    env = {k: v for k, v in os.environ.items() if not k.endswith("CA_BUNDLE")}
    proc, out = start_background(
        "fake-microsoft", [sys.executable, "-m", "fakes.microsoft", "--port", "0", "--cert-dir", str(certs.dir),
                           "--seed", "7"], env=env, cwd=ROOT / "Tests" / "integration")
    for _ in range(100):
        lines = out.read_text().splitlines()
        if lines:
            return json.loads(lines[0])["port"]
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise SystemExit(f"the fake Microsoft cloud did not start (see {VAR / 'log' / 'fake-microsoft.log'})")


def control(session, base, method, name, body=None):
    r = session.request(method, f"{base}/_control/{name}", json=body, timeout=60)
    r.raise_for_status()
    return r.json()


def setup_microsoft(certs, port):
    base = f"https://127.0.0.1:{port}"
    s = requests.Session()
    s.trust_env = False
    s.verify = str(certs.ca)
    control(s, base, "POST", "apps", MS_APP)
    control(s, base, "POST", "resources", {"resource": base, "audience": "graph"})
    status = control(s, base, "GET", "stream")
    if not status.get("enabled"):
        now = time.time()
        for stream, count in (("directoryAudits", 600), ("signIns", 900)):
            control(s, base, "POST", "events", {"tenant": MS_APP["tenant"], "stream": stream, "count": count,
                                                "start": now - 6 * 3600, "end": now - 60, "return_ids": False})
        control(s, base, "POST", "stream", {"enabled": True, "interval_s": 5, "batch": 4,
                                            "tenants": [MS_APP["tenant"]], "streams": ["directoryAudits", "signIns"]})
    return base


def api_session():
    token = subprocess.run([f"{ENV['SIEM_BIN_DIR']}/siem-ctl", "token", "--tenant", TENANT, "--role", "admin",
                            "--ttl", "86400"], env=dict(os.environ, SIEM_JWT_SECRET=ENV["SIEM_JWT_SECRET"]),
                           check=True, capture_output=True, text=True).stdout.strip()
    s = requests.Session()
    s.trust_env = False
    s.verify = ENV["SIEM_CA_BUNDLE"]
    s.headers["Authorization"] = f"Bearer {token}"
    return s, token


def ensure_source(api, body):
    url = f"{ENV['SIEM_API_URL']}/v1/cloud_api_sources"
    existing = {s["source_name"]: s for s in api.get(url, params={"limit": 500}).json()["items"]}
    if body["source_name"] in existing:
        return existing[body["source_name"]]
    r = api.post(url, json=body)
    r.raise_for_status()
    log(f"registered {body['platform']} source '{body['source_name']}' through the API")
    return r.json()


def start_ticker(certs):
    if alive("ticker"):
        return
    log("starting the poller ticker (siem-poller run every minute, as cron would)")
    env = dict(os.environ)
    for k in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "AWS_CA_BUNDLE"):
        env.pop(k, None)
    env.update({k: v for k, v in ENV.items()})
    env["SIEM_CA_BUNDLE"] = str(certs.ca)  # the fake clouds' CA, added to the system store
    start_background("ticker", ["bash", str(ROOT / "scripts" / "lib" / "ticker.sh")], env=env)


def watch(seconds, api):
    url = f"{ENV['SIEM_API_URL']}/v1/cloud_api_sources"
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            ends = kafka.partition_ends(ENV["KAFKA_BROKERS"], ENV["KAFKA_TOPIC"], timeout=5)
            total = sum(hi for _, hi in ends.values())
        except Exception:  # the topic appears with the first delivery
            total = 0
        sources = api.get(url).json()["items"]
        status = ", ".join(f"{s['source_name']}: {s['stats']['events_collected_total']} events"
                           f"{' (error: ' + s['last_error'][:60] + ')' if s['last_error'] else ''}" for s in sources)
        line = f"Kafka '{ENV['KAFKA_TOPIC']}': {total} events   |   {status}"
        if line != last:
            print(time.strftime("%H:%M:%S ") + line, flush=True)
            last = line
        time.sleep(5)


def main():
    DEMO.mkdir(parents=True, exist_ok=True)
    certs = tls.ensure_certs(DEMO / "certs")
    port = start_fake_microsoft(certs)
    base = setup_microsoft(certs, port)
    api, token = api_session()
    ensure_source(api, {
        "platform": "Microsoft365", "source_name": "contoso-m365",
        "api_credentials_json": {k: MS_APP[k] for k in ("client_id", "client_secret")} | {"tenant_id": MS_APP["tenant"]},
        "polling_interval_minutes": 1,
        "settings": {"authority_host": base, "graph_endpoint": base, "initial_lookback_minutes": 480},
    })
    start_ticker(certs)
    print(f"""
The demo is running.
  Admin page:   {ENV['SIEM_API_URL']}/   (trust {ENV['SIEM_CA_BUNDLE']})
  Admin token:  {token}
  API:          {ENV['SIEM_API_URL']}/v1/cloud_api_sources   (OpenAPI: {ENV['SIEM_API_URL']}/openapi.yaml)
  Kafka:        {ENV['KAFKA_BROKERS']}  topic {ENV['KAFKA_TOPIC']}
  Poller log:   {VAR / 'log' / 'poller.log'}
  Stop:         scripts/stack down
Live count (Ctrl-C stops watching; the demo keeps running):
""", flush=True)
    try:
        watch(float(os.environ.get("DEMO_WATCH_SECONDS", "150")), api)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
