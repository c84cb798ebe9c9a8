"""Failures are charged to what failed, lag is measured, and collector health is an event
(issue #11, items 2, 3, 4): a stream's failure backs off and disables that stream only; Kafka
being down is the infrastructure's failure, not the sources'; a stream whose watermark is old
is reported lagging. Real poller, PostgreSQL, the fake Microsoft cloud and the dev broker."""
import collections
import json
import os
import subprocess
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pollerkit import PollerKit, broker_command, iso, source_lines

HEALTH = "collector_health"


@pytest.fixture
def kit(stack, ms_fake, cert_dir):
    return PollerKit(stack, ms_fake, cert_dir)


def messages(kit):
    """(events, health events) in the kit's topic."""
    return kit.read(), kit.read_health()


def make_due(db, source_id):
    """As if the source's interval had passed (each tick here stands for one interval)."""
    db.execute("UPDATE cloud_api_sources SET next_poll_time = now() WHERE source_id = %s", (source_id,))


def tick(kit, **env):
    """One cron tick over every due source (the fixture only_new_sources_due keeps others out)."""
    return kit.run_poller(timeout=120, **env)


def stream_samples(kit, source_id, name):
    """stream -> value of the metric family `name` for the source."""
    poller = kit.stack.session(kit.stack.token(roles=["poller"]))
    r = poller.get(f"{kit.stack.url}/metrics")
    assert r.status_code == 200
    out = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            if sample.name == name and sample.labels.get("source_id") == source_id:
                out[sample.labels["stream"]] = sample.value
    return out


def test_a_deleted_subscription_fails_backs_off_and_is_disabled_alone(kit, db, only_new_sources_due):
    app = kit.new_app()
    good, gone = str(uuid.uuid4()), str(uuid.uuid4())
    want = set(kit.add_events(app, "activityLogs", 20, iso(3000), iso(100), subscription=good))
    kit.add_events(app, "riskDetections", 6, iso(3000), iso(100))
    source = kit.create_source(app, platform="AzureAD", management_endpoint=kit.enable_arm(),
                               subscription_ids=[gone, good], streams=["risk_detections", "activity_log"])
    sid, failing, healthy = source["source_id"], f"activity_log:{gone}", f"activity_log:{good}"
    env = {"SIEM_MAX_CONSECUTIVE_FAILURES": 3}

    def gone_requests():
        return [r for r in kit.requests(kind="arm", tenant=app.tenant) if gone in r.get("path", "")]

    # Tick 1: the deleted subscription fails (ARM 404 SubscriptionNotFound); the rest delivers.
    first = tick(kit, **env)
    assert first.returncode == 1, first.stderr        # a stream failed: cron should hear of it
    line = source_lines(first)[0]
    assert line["outcome"] == "partial" and line["streams"][failing] == "error"
    assert line["streams"][healthy] == "ok 20" and line["streams"]["risk_detections"] == "ok 6"
    state = kit.source(sid)
    assert state["error_count"] == 0 and state["is_enabled"] and state["last_error"] is None
    streams = state["streams"]
    assert streams[failing]["state"] == "failing" and streams[failing]["error_count"] == 1
    assert "SubscriptionNotFound" in streams[failing]["last_error"]
    assert streams[failing]["next_attempt"] > state["next_poll_time"]   # backed off beyond the source's poll
    assert streams[healthy]["state"] == "ok" and streams["risk_detections"]["state"] == "ok"
    tried = len(gone_requests())
    assert tried >= 1

    # Tick 2 (one interval later): the failing stream backs off, the others keep collecting.
    want |= set(kit.add_events(app, "activityLogs", 5, iso(60), iso(10), subscription=good))
    make_due(db, sid)
    second = tick(kit, **env)
    assert second.returncode == 0, second.stderr
    line = source_lines(second)[0]
    assert line["outcome"] == "success" and line["streams"][failing] == "backing off"
    assert line["streams"][healthy] == "ok 5"
    assert len(gone_requests()) == tried
    assert kit.source(sid)["streams"][failing]["error_count"] == 1

    # Its backoff over, it fails twice more and is disabled; the source never is.
    for expected_errors in (2, 3):
        db.execute("""UPDATE cloud_api_sources SET stream_state = jsonb_set(stream_state, %s,
                      to_jsonb(to_char((now() - interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
                      WHERE source_id = %s""", ([failing, "next_attempt"], sid))
        make_due(db, sid)
        assert tick(kit, **env).returncode == 1
        state = kit.source(sid)
        assert state["streams"][failing]["error_count"] == expected_errors
        assert state["error_count"] == 0 and state["is_enabled"]
    assert state["streams"][failing]["state"] == "disabled"
    assert "3 consecutive failures" in state["streams"][failing]["disabled_reason"]

    # Disabled: not tried again, while the others go on.
    want |= set(kit.add_events(app, "activityLogs", 3, iso(60), iso(10), subscription=good))
    tried = len(gone_requests())
    db.execute("""UPDATE cloud_api_sources SET stream_state = jsonb_set(stream_state, %s, '"2000-01-01T00:00:00Z"')
                  WHERE source_id = %s""", ([failing, "next_attempt"], sid))
    make_due(db, sid)
    last = tick(kit, **env)
    assert last.returncode == 0, last.stderr
    assert source_lines(last)[0]["streams"][failing] == "disabled"
    assert len(gone_requests()) == tried
    state = kit.source(sid)
    assert state["is_enabled"] and state["error_count"] == 0 and state["streams"][healthy]["state"] == "ok"

    events, health = messages(kit)
    health.sort(key=lambda m: m.value["timestamp"])   # keys spread over partitions: order by event time
    keys = collections.Counter(m.key for m in events)
    assert {k for k in keys if "@" not in k} == want and max(keys.values()) == 1   # risk keys carry an '@'

    # One health event per transition: failed once, disabled once; keyed for de-duplication.
    assert [(m.value["activity"], m.value["raw_log"]["stream"]) for m in health] == [
        ("stream_failed", failing), ("stream_disabled", failing)]
    assert len({m.key for m in health}) == 2
    for m in health:
        v = m.value
        assert v["log_type"] == HEALTH and v["event_id"] == m.key and v["result"] == "failure"
        assert v["source"] == "AzureAD" and v["source_id"] == sid and v["tenant_id"] == kit.siem_tenant
        assert "SubscriptionNotFound" in v["raw_log"]["reason"]
        assert v["raw_log"]["source_name"] == source["source_name"]
        assert m.headers == {"tenant_id": kit.siem_tenant, "source_id": sid, "platform": "AzureAD",
                             "log_type": HEALTH}
    assert health[1].value["raw_log"]["state"] == "disabled"
    assert app.secret not in json.dumps([m.value for m in health])

    # Monitoring sees the stream, not the source, as broken.
    assert stream_samples(kit, sid, "siem_stream_consecutive_errors") == {
        failing: 3, healthy: 0, "risk_detections": 0}
    assert stream_samples(kit, sid, "siem_stream_enabled") == {failing: 0, healthy: 1, "risk_detections": 1}


def test_kafka_down_for_fifteen_ticks_charges_no_source_and_loses_nothing(kit, db, only_new_sources_due):
    app = kit.new_app()
    ids = set(kit.add_events(app, "directoryAudits", 40, iso(3000), iso(100)))
    source = kit.create_source(app, streams=["directory_audits"])
    other_app = kit.new_app()
    ids |= set(kit.add_events(other_app, "directoryAudits", 15, iso(3000), iso(100)))
    other = kit.create_source(other_app, streams=["directory_audits"])
    control = kit.stack.env["SIEM_KAFKA_CONTROL"]
    outage = {"SIEM_DELIVERY_TIMEOUT_SECONDS": 2, "KAFKA_PROPERTIES": "message.timeout.ms=1500",
              "SIEM_MAX_CONSECUTIVE_FAILURES": 3}
    broker_command(control, "broker-down 1")
    try:
        for _ in range(15):
            proc = tick(kit, **outage)
            assert proc.returncode == 1, proc.stderr
            stopped = [line for line in proc.log if line.get("msg") == "run stopped: infrastructure failure"]
            assert len(stopped) == 1 and stopped[0]["component"] == "kafka", proc.stderr
            for sid in (source["source_id"], other["source_id"]):
                row = db.execute("""SELECT error_count, is_enabled, last_error, next_poll_time <= now() + interval '30 seconds'
                                    FROM cloud_api_sources WHERE source_id = %s""", (sid,)).fetchone()
                assert row == (0, True, None, True)   # not charged, not backed off, still due
    finally:
        broker_command(control, "broker-up 1")

    after = tick(kit)
    assert after.returncode == 0, after.stderr
    events, health = messages(kit)
    keys = collections.Counter(m.key for m in events)
    assert set(keys) == ids and max(keys.values()) == 1
    assert health == []   # the sources never failed
    for sid in (source["source_id"], other["source_id"]):
        state = kit.source(sid)
        assert state["error_count"] == 0 and state["is_enabled"] and state["last_error"] is None


def status_json(kit, tenant):
    env = dict(os.environ, DATABASE_URL=kit.stack.env["DATABASE_URL"])
    proc = subprocess.run([kit.stack.bin("siem-ctl"), "status", "--tenant", tenant, "--json"], env=env,
                          capture_output=True, text=True, timeout=60)
    table = subprocess.run([kit.stack.bin("siem-ctl"), "status", "--tenant", tenant], env=env,
                           capture_output=True, text=True, timeout=60)
    return proc, table


def test_a_stream_with_an_old_watermark_is_reported_lagging(kit):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 10, iso(3000), iso(100))
    kit.add_events(app, "signIns", 10, iso(3000), iso(100))
    source = kit.create_source(app, lag_alert_intervals=4)      # 4 × 15 min: an hour behind is lagging
    sid = source["source_id"]
    kit.poll(source)
    assert stream_samples(kit, sid, "siem_stream_lagging") == {"directory_audits": 0, "sign_ins": 0}

    # Three hours behind (as a backlog the poller cannot work off would leave it).
    r = kit.admin.put(f"{kit.stack.url}/v1/cloud_api_sources/{sid}/checkpoints/sign_ins", json={"watermark": iso(3 * 3600)})
    assert r.status_code == 200, r.text
    assert stream_samples(kit, sid, "siem_stream_lagging") == {"directory_audits": 0, "sign_ins": 1}
    ages = stream_samples(kit, sid, "siem_stream_watermark_age_seconds")
    assert 3 * 3600 - 5 <= ages["sign_ins"] <= 3 * 3600 + 120 and ages["directory_audits"] < 600
    assert stream_samples(kit, sid, "siem_stream_backlog_runs") == {"directory_audits": 0, "sign_ins": 0}

    proc, table = status_json(kit, kit.siem_tenant)
    assert proc.returncode == 1, proc.stderr           # lagging needs attention
    (got,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert got["state"] == "lagging"
    assert {s["stream"]: s["state"] for s in got["streams"]} == {"directory_audits": "ok", "sign_ins": "lagging"}
    row = table.stdout.splitlines()[1]
    assert row.split()[0] == "lagging" and "sign_ins falling behind: watermark 3h old" in row

    # A poll that catches up clears it.
    kit.poll(source)
    assert stream_samples(kit, sid, "siem_stream_lagging") == {"directory_audits": 0, "sign_ins": 0}


def assert_stopped_by_postgresql(kit, proc, sid):
    """The run stopped on PostgreSQL's failure with one line, and the source was charged nothing."""
    assert proc.returncode == 1, proc.stderr
    stopped = [line for line in proc.log if line.get("msg") == "run stopped: infrastructure failure"]
    assert len(stopped) == 1 and stopped[0]["component"] == "postgresql", proc.stderr
    state = kit.source(sid)
    assert state["error_count"] == 0 and state["last_error"] is None and state["last_polled_timestamp"] is None
    return state


def test_postgresql_refusing_the_checkpoint_is_infrastructure_not_the_source(kit, db):
    app = kit.new_app()
    ids = set(kit.add_events(app, "directoryAudits", 30, iso(3000), iso(100)))
    source = kit.create_source(app, streams=["directory_audits"])
    sid = source["source_id"]
    # The poller's role may no longer write the table: its checkpoint write fails mid-poll.
    db.execute("REVOKE UPDATE ON cloud_api_sources FROM siem_poller")
    try:
        proc = kit.run_poller("--source", sid)
    finally:
        db.execute("GRANT UPDATE ON cloud_api_sources TO siem_poller")
    state = assert_stopped_by_postgresql(kit, proc, sid)
    assert state["cursor"] == {} and state["streams"] == {}

    kit.poll(source)
    # Delivered again under the same keys (the checkpoint had not moved): nothing lost.
    assert {m.key for m in kit.read()} == ids
    assert kit.read_health() == []


def test_postgresql_failing_while_credentials_are_read_is_infrastructure_not_the_source(kit, db):
    app = kit.new_app()
    source = kit.create_source(app, streams=["directory_audits"])
    sid = source["source_id"]
    # The poller's role may read every column but the credentials: the read fails after the
    # source's row was read (a database fault, not the source's).
    columns = [r[0] for r in db.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'cloud_api_sources' "
        "AND column_name <> 'api_credentials'").fetchall()]
    db.execute("REVOKE SELECT ON cloud_api_sources FROM siem_poller")
    db.execute(f"GRANT SELECT ({', '.join(columns)}) ON cloud_api_sources TO siem_poller")
    try:
        proc = kit.run_poller("--source", sid)
    finally:
        db.execute(f"REVOKE SELECT ({', '.join(columns)}) ON cloud_api_sources FROM siem_poller")
        db.execute("GRANT SELECT ON cloud_api_sources TO siem_poller")
    state = assert_stopped_by_postgresql(kit, proc, sid)
    assert kit.read_health() == []
    kit.poll(source)
    assert kit.source(sid)["error_count"] == 0


def test_a_single_stream_source_announces_one_failure_and_one_recovery(kit, db, only_new_sources_due):
    """With one stream, the stream's failure is the source's: one health event each way, not two."""
    app = kit.new_app()
    kit.add_events(app, "signIns", 5, iso(3000), iso(100))
    source = kit.create_source(app, streams=["sign_ins"])
    sid = source["source_id"]
    # Sign-ins need an Entra ID P1/P2 licence: Graph answers 403 without one.
    kit.fault(path="auditLogs/signIns", kind="status", status=403, count=1000, tenant=app.tenant)
    assert tick(kit).returncode == 1
    assert kit.source(sid)["error_count"] == 1
    health = kit.read_health()
    assert [m.value["activity"] for m in health] == ["source_failed"], [m.value for m in health]

    # The licence arrives: one recovery.
    kit.fake.control("DELETE", "faults")
    # The stream backs off on its own clock too; an operator's --source poll tries it now.
    assert kit.run_poller("--source", sid).returncode == 0
    assert kit.source(sid)["error_count"] == 0
    health = sorted(kit.read_health(), key=lambda m: m.value["timestamp"])
    assert [m.value["activity"] for m in health] == ["source_failed", "source_recovered"], [m.value for m in health]
