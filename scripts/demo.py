"""The demo's moving parts, driven by scripts/demo: fake clouds with a live stream of sample
events (democlouds.py), one source per implemented platform registered through the API, a
cron-like poller ticker, and a live count of the events arriving in Kafka, in all and per source.

Everything it starts is recorded in var/pids/ so that `scripts/stack down` stops it. Running it
again reuses the fakes and sources that are there.
  DEMO_NO_TICKER=1        set up fakes and sources only (tests run the poller themselves)
  DEMO_WATCH_SECONDS=N    how long to show the live count (default 150; 0: one line)
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "Tests" / "integration"
sys.path.insert(0, str(INTEGRATION))

import requests  # noqa: E402

import democlouds  # noqa: E402
import demosaas  # noqa: E402
from fakes import tls  # noqa: E402
from fakes.process import FakeClient  # noqa: E402
from harness import kafka  # noqa: E402
from harness.procs import clean_env  # noqa: E402
from stack import parse_env_file  # noqa: E402

VAR = Path(os.environ.get("SIEM_VAR_DIR", ROOT / "var"))
ENV = parse_env_file(VAR / "stack.env")
PIDS = VAR / "pids"
DEMO = VAR / "demo"
TENANT = "demo"
SOURCES_URL = f"{ENV['SIEM_API_URL']}/v1/cloud_api_sources"


def log(msg):
    print(f"\033[1m==>\033[0m {msg}", file=sys.stderr, flush=True)


def alive(name):
    try:
        os.kill(int((PIDS / f"{name}.pid").read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


def start_background(name, argv, env, cwd=None):
    """Start a long-lived process detached from this script; remember its PID."""
    out = DEMO / f"{name}.out"
    with open(out, "w") as stdout, open(VAR / "log" / f"{name}.log", "a") as stderr:
        proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                env=env, cwd=cwd, start_new_session=True)
    (PIDS / f"{name}.pid").write_text(str(proc.pid))
    return proc, out


def start_fake(name, module, title, certs):
    """The fake cloud `name`, started in the background, or found running from an earlier run."""
    pid_name = f"fake-{name}"
    out = DEMO / f"{pid_name}.out"
    if not alive(pid_name):
        log(f"starting the fake {title} on HTTPS")
        proc, out = start_background(pid_name, [sys.executable, "-m", module, "--port", "0",
                                                "--cert-dir", str(certs.dir), "--seed", "7"],
                                     env=clean_env(), cwd=INTEGRATION)
        for _ in range(100):
            if out.read_text().strip() or proc.poll() is not None:
                break
            time.sleep(0.1)
    try:
        return FakeClient(json.loads(out.read_text().splitlines()[0])["port"], certs)
    except (OSError, IndexError, ValueError, KeyError):
        raise SystemExit(f"the fake {title} did not start (see {VAR / 'log' / (pid_name + '.log')})") from None


def api_session():
    token = subprocess.run([f"{ENV['SIEM_BIN_DIR']}/siem-ctl", "token", "--tenant", TENANT, "--role", "admin",
                            "--ttl", "86400"], env=dict(os.environ, SIEM_JWT_SECRET=ENV["SIEM_JWT_SECRET"]),
                           check=True, capture_output=True, text=True).stdout.strip()
    s = requests.Session()
    s.trust_env = False
    s.verify = ENV["SIEM_CA_BUNDLE"]
    s.headers["Authorization"] = f"Bearer {token}"
    return s, token


def checked(r):
    if not r.ok:
        raise SystemExit(f"{r.request.method} {r.url} -> {r.status_code}: {r.text[:500]}")
    return r.json() if r.content else None


def list_sources(api):
    return checked(api.get(SOURCES_URL, params={"limit": 500}))["items"]


def ensure_source(api, body, existing):
    """Register the source, or bring the one of that name up to date: a fake started anew
    listens on another port, and a source the poller disabled is enabled again."""
    current = existing.get(body["source_name"])
    if current is None:
        log(f"registering the {body['platform']} source '{body['source_name']}' through the API")
        return checked(api.post(SOURCES_URL, json=body))
    if current["platform"] == body["platform"] and current["is_enabled"] and \
            current["polling_interval_minutes"] == body["polling_interval_minutes"] and \
            all(current["settings"].get(k) == v for k, v in body["settings"].items()):
        return current
    log(f"updating the {body['platform']} source '{body['source_name']}' through the API")
    url = f"{SOURCES_URL}/{current['source_id']}"
    updated = checked(api.put(url, json=body))
    checked(api.post(f"{url}/poll_now"))
    return updated


def set_up():
    """Fake clouds with their live streams and one source per platform; (api, token, sources)."""
    DEMO.mkdir(parents=True, exist_ok=True)
    certs = tls.ensure_certs(DEMO / "certs")
    bodies = []
    for name, module, title, setup in democlouds.CLOUDS + demosaas.CLOUDS:
        bodies += setup(start_fake(name, module, title, certs), DEMO)
    api, token = api_session()
    existing = {s["source_name"]: s for s in list_sources(api)}
    return api, token, [ensure_source(api, body, existing) for body in bodies]


def start_ticker():
    if alive("ticker"):
        return
    log("starting the poller ticker (siem-poller run every minute, as cron would)")
    # The fake clouds' CA, added to the system store.
    env = clean_env({**ENV, "SIEM_CA_BUNDLE": str(DEMO / "certs" / "ca.pem"), "SIEM_VAR_DIR": str(VAR)})
    start_background("ticker", ["bash", str(ROOT / "scripts" / "lib" / "ticker.sh")], env=env)


def status_line(api):
    """Events written to Kafka, and per source the events Kafka acknowledged (the poller's count;
    the dev broker drops old messages, so the topic itself does not hold them all) and its last poll."""
    try:
        written = sum(hi for _, hi in kafka.partition_ends(ENV["KAFKA_BROKERS"], ENV["KAFKA_TOPIC"], timeout=5).values())
    except Exception as e:  # noqa: BLE001 - the broker may be restarting; say so and go on
        written = f"unreachable ({e})"
    parts = []
    for s in list_sources(api):
        state = f"error: {s['last_error'][:60]}" if s["last_error"] else \
            "waiting for its first poll" if not s["last_polled_timestamp"] else "ok"
        parts.append(f"{s['source_name']} ({s['platform']}) {s['stats']['events_collected_total']} [{state}]")
    return f"Kafka '{ENV['KAFKA_TOPIC']}': {written} events   |   " + ",  ".join(parts)


def watch(seconds, api):
    deadline = time.monotonic() + seconds
    last = None
    while True:
        line = status_line(api)
        if line != last:
            print(time.strftime("%H:%M:%S ") + line, flush=True)
            last = line
        if time.monotonic() >= deadline:
            return
        time.sleep(5)


def main():
    api, token, sources = set_up()
    if os.environ.get("DEMO_NO_TICKER") != "1":
        start_ticker()
    names = ", ".join(f"{s['source_name']} ({s['platform']})" for s in sources)
    print(f"""
The demo is running.
  Admin page:   {ENV['SIEM_API_URL']}/   (trust {ENV['SIEM_CA_BUNDLE']})
  Admin token:  {token}
  Sources:      {names}   (tenant '{TENANT}', polling interval 1 minute)
  API:          {SOURCES_URL}   (OpenAPI: {ENV['SIEM_API_URL']}/openapi.yaml)
  Kafka:        {ENV['KAFKA_BROKERS']}  topic {ENV['KAFKA_TOPIC']}
  Poller log:   {VAR / 'log' / 'poller.log'}
  Stop:         scripts/stack down
Live count of the events in Kafka, in all and per source (Ctrl-C stops watching; the demo keeps running):
""", flush=True)
    try:
        watch(float(os.environ.get("DEMO_WATCH_SECONDS", "150")), api)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
