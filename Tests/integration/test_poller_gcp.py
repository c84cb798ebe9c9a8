"""End to end for GCP: PostgreSQL + the fake Google Cloud (OAuth JWT-bearer token endpoint,
Cloud Logging entries.list) + the dev Kafka broker + the real siem-poller binary."""
import collections
import json
import subprocess
import time

import pytest

from fakes.gcpauth import new_key
from fakes.process import start_fake
from normalization import dig, rfc3339, text
from pollerkit import GCPKit, broker_command, gcp_event_id, iso, source_lines


@pytest.fixture(scope="module")
def gcp_fake_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.gcp", cert_dir, seed=11, log_path=tmp_path_factory.mktemp("logs") / "gcp.log")
    yield fake
    fake.stop()


@pytest.fixture
def kit(stack, gcp_fake_process, cert_dir):
    gcp_fake_process.control("POST", "reset")
    return GCPKit(stack, gcp_fake_process, cert_dir)


def by_key(messages):
    return collections.Counter(m.key for m in messages)


def cloud_audit(entry):
    """The documented mapping (README), written again to check the poller against."""
    payload = entry.get("protoPayload")
    code = dig(payload, "status", "code")
    result = None if not isinstance(payload, dict) else ("success" if not code else "failure")
    return {"timestamp": rfc3339(entry["timestamp"]),
            "user": text(dig(payload, "authenticationInfo", "principalEmail")),
            "activity": text(dig(payload, "methodName")), "result": result,
            "source_ip": text(dig(payload, "requestMetadata", "callerIp")),
            "application": text(dig(payload, "serviceName")), "log_type": "cloud_audit_log"}


def test_ticks_deliver_every_audit_entry_exactly_once(kit):
    key = kit.new_account()
    project = key["project_id"]
    ids = kit.add_entries(project, 180, iso(7000), iso(60))
    ids += kit.add_entries(project, 60, iso(7000), iso(60), log="data_access")
    ids += kit.add_entries(project, 20, iso(7000), iso(60), log="system_event")
    kit.add_entries(project, 40, iso(7000), iso(60), log="syslog")   # not an audit log: filtered out
    source = kit.create_source(key, page_size=100)

    first = kit.poll(source)
    messages = kit.read()
    counts = by_key(messages)
    assert set(counts) == set(ids) and max(counts.values()) == 1
    line = source_lines(first)[0]
    assert line["outcome"] == "success" and line["events"] == 260 and line["platform"] == "GCP"

    originals = {gcp_event_id(e): e for e in kit.fake_entries(project)}
    for m in messages:
        raw = originals[m.key]
        want = cloud_audit(raw)
        v = m.value
        for field, value in want.items():
            assert v[field] == value, (field, m.key)
        assert v["raw_log"] == raw and v["event_id"] == m.key and v["source"] == "GCP"
        assert v["tenant_id"] == kit.siem_tenant and v["source_id"] == source["source_id"]
        assert m.headers == {"tenant_id": kit.siem_tenant, "source_id": source["source_id"],
                             "platform": "GCP", "log_type": "cloud_audit_log"}
    # Both outcomes and system events without a caller came through.
    results = collections.Counter(m.value["result"] for m in messages)
    assert results["success"] > 0 and results["failure"] > 0
    assert any(m.value["user"] is None for m in messages)

    # The request carried the documented body; one token served every page.
    calls = kit.requests(kind="logging", project=project)
    assert len(kit.requests(kind="token", project=project)) == 1
    assert all(c["status"] == 200 for c in calls) and len(calls) >= 3

    new = kit.add_entries(project, 25, iso(50), iso(5))
    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids) | set(new) and max(counts.values()) == 1

    third = kit.poll(source)
    assert len(kit.read()) == 285
    assert source_lines(third)[0]["events"] == 0 and source_lines(third)[0]["duplicates_skipped"] > 0
    assert set(kit.source(source["source_id"])["cursor"]) == {"cloud_audit"}


def test_late_entries_inside_the_overlap_are_delivered_once(kit):
    key = kit.new_account()
    project = key["project_id"]
    kit.add_entries(project, 20, iso(3000), iso(100))
    source = kit.create_source(key)
    kit.poll(source)
    assert len(kit.read()) == 20
    late = kit.fake.control("POST", "entries/late", {"project": project, "lag_s": 1200, "count": 3})["entries"]
    kit.poll(source)
    counts = by_key(kit.read())
    assert all(counts[gcp_event_id(e)] == 1 for e in late)
    assert len(counts) == 23 and max(counts.values()) == 1
    kit.poll(source)
    assert len(kit.read()) == 23


def test_resource_exhausted_is_retried_with_and_without_retry_after(kit):
    key = kit.new_account()
    project = key["project_id"]
    kit.add_entries(project, 30, iso(3000), iso(100))
    source = kit.create_source(key)
    kit.fault(path="entries:list", kind="429", count=1, retry_after=3)
    kit.fault(path="entries:list", kind="429", count=1)            # Google's usual: no Retry-After
    kit.fault(path="entries:list", kind="503", count=1)
    kit.fault(path="entries:list", kind="502", count=1)            # HTML from Google's front end
    proc = kit.poll(source)
    assert len(kit.read()) == 30
    calls = kit.requests(kind="logging", project=project)
    assert [c["status"] for c in calls[:5]] == [429, 429, 503, 502, 200]
    assert calls[1]["ts"] - calls[0]["ts"] >= 2.9
    assert source_lines(proc)[0]["requests"] >= 6


def test_a_quota_outlasting_the_retries_is_waited_out(kit):
    key = kit.new_account()
    project = key["project_id"]
    kit.add_entries(project, 10, iso(3000), iso(100))
    source = kit.create_source(key)
    # Six 429s without Retry-After: more than the shared retries (5 attempts) absorb.
    kit.fault(path="entries:list", kind="429", count=6)
    kit.poll(source)
    assert len(kit.read()) == 10
    calls = kit.requests(kind="logging", project=project)
    assert [c["status"] for c in calls[:7]] == [429] * 6 + [200]
    assert calls[5]["ts"] - calls[4]["ts"] >= 9.5   # the quota cool-down after the fifth


def test_a_key_the_account_does_not_have_is_bad_credentials(kit):
    key = kit.new_account()
    kit.add_entries(key["project_id"], 5, iso(3000), iso(100))
    forged = dict(key, private_key=new_key()[0])      # parses, but is not the account's key
    source = kit.create_source(forged)
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials" and "Invalid JWT Signature" in line["error"]
    state = kit.source(source["source_id"])
    assert state["error_count"] == 1 and "invalid_grant" in state["last_error"]
    assert state["cursor"] == {}
    body_line = forged["private_key"].splitlines()[3]
    assert body_line not in proc.stderr and body_line not in json.dumps(state)
    assert kit.topic_size() == 0


def test_an_unknown_service_account_is_bad_credentials(kit):
    key = kit.new_account()
    stranger = dict(key, client_email=f"ghost@{key['project_id']}.iam.gserviceaccount.com")
    source = kit.create_source(stranger)
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials" and "account not found" in line["error"]
    assert key["private_key"].splitlines()[3] not in proc.stderr


def test_resource_names_and_filter_settings_are_honoured(kit):
    key = kit.new_account(readable=["shared-audit-hub"])
    own = key["project_id"]
    mine = kit.add_entries(own, 10, iso(3000), iso(100))
    kit.add_entries(own, 10, iso(3000), iso(100), log="data_access")     # excluded by the filter below
    hub = kit.add_entries("shared-audit-hub", 12, iso(3000), iso(100))
    source = kit.create_source(key, resource_names=[f"projects/{own}", "projects/shared-audit-hub"],
                               filter='logName:"cloudaudit.googleapis.com%2Factivity"')
    kit.poll(source)
    assert set(by_key(kit.read())) == set(mine) | set(hub)

    # A project the account may not read is a permission problem, named as such.
    denied = kit.create_source(key, resource_names=["projects/someone-else"])
    proc = kit.run_poller("--source", denied["source_id"])
    line = source_lines(proc)[0]
    assert line["error.kind"] == "missing permission" and "logging.logEntries.list" in line["error"]


def test_partial_pages_and_a_revoked_token_are_followed(kit):
    key = kit.new_account()
    project = key["project_id"]
    ids = kit.add_entries(project, 40, iso(3000), iso(100))
    source = kit.create_source(key, page_size=10, initial_lookback_minutes=60)
    # Cloud Logging may answer "no entries yet, continue with this token".
    kit.fake.control("POST", "config", {"partial_pages": 2})
    # The second page hangs a moment; every token is revoked meanwhile.
    kit.fault(path="entries:list", kind="delay", delay_s=3, count=1, skip=1)
    proc = subprocess.Popen(kit.poller_args("--source", source["source_id"]), env=kit.env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not kit.requests(kind="logging", project=project):
            time.sleep(0.05)
        time.sleep(0.5)
        assert kit.fake.control("POST", "tokens/revoke", {})["revoked"] == 1
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err
    assert set(by_key(kit.read())) == set(ids)
    assert len(kit.requests(kind="token", project=project)) == 2
    statuses = [c["status"] for c in kit.requests(kind="logging")]
    assert 401 in statuses and statuses[-1] == 200


def test_kafka_outage_moves_no_checkpoint_and_loses_nothing(kit):
    key = kit.new_account()
    project = key["project_id"]
    ids = kit.add_entries(project, 80, iso(3000), iso(100))
    source = kit.create_source(key)
    control = kit.stack.env["SIEM_KAFKA_CONTROL"]
    broker_command(control, "broker-down 1")
    try:
        proc = kit.run_poller("--source", source["source_id"], SIEM_DELIVERY_TIMEOUT_SECONDS=4,
                              KAFKA_PROPERTIES="message.timeout.ms=3000")
    finally:
        broker_command(control, "broker-up 1")
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["outcome"] == "error" and "kafka" in line["error"].lower()
    watermark = kit.source(source["source_id"])["cursor"].get("cloud_audit", {}).get("watermark")
    oldest = min(rfc3339(e["timestamp"]) for e in kit.fake_entries(project))
    assert watermark is None or rfc3339(watermark) <= oldest

    kit.poll(source)
    assert set(by_key(kit.read())) == set(ids)


def test_source_test_through_the_api(kit):
    key = kit.new_account()
    kit.add_entries(key["project_id"], 4, iso(1200), iso(60))
    source = kit.create_source(key)
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources/{source['source_id']}/test")
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["ok"] is True
    assert [(x["stream"], x["status"], x["sample_events"]) for x in result["results"]] == [("cloud_audit", "ok", 4)]
    assert kit.source(source["source_id"])["cursor"] == {} and kit.topic_size() == 0

    forged = dict(key, private_key=new_key()[0])
    draft = {"platform": "GCP", "source_name": "draft", "api_credentials_json": forged,
             "settings": {"logging_endpoint": kit.fake.base_url}}
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources/test", json=draft)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["ok"] is False and {x["status"] for x in result["results"]} == {"bad_credentials"}
    assert "Invalid JWT Signature" in result["results"][0]["detail"]
    assert forged["private_key"].splitlines()[3] not in r.text
