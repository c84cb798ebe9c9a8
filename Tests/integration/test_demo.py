"""scripts/demo.py against the test stack: the fake clouds it starts and the sources it registers
through the API must give one poller tick events from every platform, and a second run must
reuse what the first one started (and follow a fake that came back on another port). Catches the demo rotting when a fake, a setting or the API
changes. The demo's own ticker is not started (DEMO_NO_TICKER): the test runs the tick."""
import collections
import json
import subprocess
import sys
import uuid

import pytest

from fakes import tls
from fakes.process import FakeClient
from harness import procs
from pollerkit import KitBase, broker_command, source_lines
from stack import ROOT

TENANT = "demo"   # scripts/demo.py's tenant; no other test uses it
PLATFORMS = {"Microsoft365", "AzureAD", "GCP", "AWS", "Okta", "GoogleWorkspace", "Slack", "Salesforce"}
FAKES = {"fake-microsoft", "fake-gcp", "fake-aws", "fake-okta", "fake-workspace", "fake-slack", "fake-salesforce"}


def run_demo(stack):
    env = procs.clean_env({"SIEM_VAR_DIR": str(stack.var_dir), "DEMO_NO_TICKER": "1", "DEMO_WATCH_SECONDS": "0"})
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py")], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def demo_pids(stack):
    """What the demo started, by the pid files `scripts/stack down` stops."""
    pids = stack.var_dir / "pids"
    return {p.stem: int(p.read_text()) for p in [*pids.glob("fake-*.pid"), *pids.glob("ticker.pid")]}


@pytest.fixture
def demo_processes(stack):
    """Stops, by PID, every process the demo starts (and any a previous session left)."""
    def stop_all():
        for name, pid in demo_pids(stack).items():
            procs.stop(pid)
            (stack.var_dir / "pids" / f"{name}.pid").unlink()
    stop_all()
    yield
    stop_all()


@pytest.fixture
def demo_api(stack):
    """The demo tenant's admin session; its sources are deleted before and after the test."""
    api = stack.session(stack.token(tenant=TENANT, roles=["admin"]))

    def delete_all():
        for s in sources(stack, api):
            assert api.delete(f"{stack.url}/v1/cloud_api_sources/{s['source_id']}").status_code == 204
    delete_all()
    yield api
    delete_all()


def sources(stack, api):
    r = api.get(f"{stack.url}/v1/cloud_api_sources", params={"limit": 500})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_demo_sets_up_every_platform_and_one_tick_delivers_from_each(stack, only_new_sources_due,
                                                                     demo_processes, demo_api):
    first = run_demo(stack)
    pids = demo_pids(stack)
    assert set(pids) == FAKES   # and no ticker
    registered = {s["platform"]: s for s in sources(stack, demo_api)}
    assert set(registered) == PLATFORMS and all(s["is_enabled"] for s in registered.values())
    assert "Admin token:" in first.stdout and f"Kafka '{stack.env['KAFKA_TOPIC']}'" in first.stdout

    # Again: the same fakes, the same sources, nothing registered anew.
    second = run_demo(stack)
    assert demo_pids(stack) == pids
    assert {s["platform"]: s["source_id"] for s in sources(stack, demo_api)} == \
        {p: s["source_id"] for p, s in registered.items()}
    assert "starting the fake" not in second.stderr and "registering" not in second.stderr

    # A fake that went away comes back on another port, and its source follows it.
    procs.stop(pids["fake-aws"])
    third = run_demo(stack)
    restarted = demo_pids(stack)
    assert restarted["fake-aws"] != pids["fake-aws"] and restarted["fake-gcp"] == pids["fake-gcp"]
    aws = [s for s in sources(stack, demo_api) if s["platform"] == "AWS"]
    assert [s["source_id"] for s in aws] == [registered["AWS"]["source_id"]]
    assert aws[0]["settings"]["endpoint_url"] != registered["AWS"]["settings"]["endpoint_url"]
    assert "updating the AWS source" in third.stderr and third.stderr.count("starting the fake") == 1

    # Every fake keeps its live stream going.
    certs = tls.ensure_certs(stack.var_dir / "demo" / "certs")
    for name in FAKES:
        ready = json.loads((stack.var_dir / "demo" / f"{name}.out").read_text().splitlines()[0])
        fake = FakeClient(ready["port"], certs)
        status = fake.control("GET", "stream")
        fake.close()
        assert status["enabled"] and "error" not in status, (name, status)

    # One cron tick (the demo's sources are the only ones due): every platform, every stream
    # delivers the backlog (thousands of events), all acknowledged by Kafka, no error.
    kit = KitBase(stack, None, certs.dir)
    # Eight platforms' backlogs outgrow what the dev broker keeps of three partitions (it drops
    # the oldest messages past a few thousand each): the tick writes to a topic with room for them.
    kit.topic = f"demo-{uuid.uuid4().hex[:10]}"
    broker_command(stack.env["SIEM_KAFKA_CONTROL"], f"create-topic {kit.topic} 12")
    tick = kit.run_poller(timeout=240)
    lines = {line["source.id"]: line for line in source_lines(tick)}
    in_kafka = collections.Counter(m.headers["source_id"] for m in kit.read(timeout=60))
    for platform, s in registered.items():
        line = lines.get(s["source_id"])
        assert line and line["outcome"] == "success", (platform, line, tick.stderr[-3000:])
        assert line["events"] >= 1000 and in_kafka[s["source_id"]] == line["events"], (platform, line)
        assert all(v.startswith("ok ") and int(v.split()[1]) > 0 for v in line["streams"].values()), line
        after = demo_api.get(f"{stack.url}/v1/cloud_api_sources/{s['source_id']}").json()
        assert after["last_error"] is None and after["stats"]["events_collected_total"] == line["events"]
    azure = lines[registered["AzureAD"]["source_id"]]["streams"]
    assert len(azure) == 4 and sum(name.startswith("activity_log:") for name in azure) == 2   # two subscriptions
