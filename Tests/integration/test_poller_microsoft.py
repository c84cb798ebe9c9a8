"""End to end: PostgreSQL + the fake Microsoft cloud (HTTPS) + the dev Kafka broker
+ the real siem-poller binary, read back from Kafka with a real consumer."""
import collections
import json
import os
import signal
import subprocess
import time

import pytest

import normalization
from pollerkit import PollerKit, broker_command, iso, source_lines


@pytest.fixture
def kit(stack, ms_fake, cert_dir):
    return PollerKit(stack, ms_fake, cert_dir)


def by_key(messages):
    return collections.Counter(m.key for m in messages)


def test_ticks_deliver_every_event_exactly_once(kit):
    app = kit.new_app()
    audits = kit.add_events(app, "directoryAudits", 230, iso(7200), iso(60))
    signins = kit.add_events(app, "signIns", 170, iso(7200), iso(60))
    source = kit.create_source(app, page_size=100)

    first = kit.poll(source)
    messages = kit.read()
    counts = by_key(messages)
    assert set(counts) == set(audits) | set(signins)
    assert max(counts.values()) == 1
    assert kit.source(source["source_id"])["stats"]["last_poll_events"] == 400
    line = source_lines(first)[0]
    assert line["outcome"] == "success" and line["events"] == 400 and line["pages"] >= 6
    assert line["tenant.id"] == kit.siem_tenant and line["platform"] == "Microsoft365"

    # Normalized exactly as documented; raw_log is the original record, untouched.
    originals = {e["id"]: e for e in kit.fake_events(app, "directoryAudits")}
    originals.update({e["id"]: e for e in kit.fake_events(app, "signIns")})
    for m in messages:
        v = m.value
        raw = originals[m.key]
        expected = (normalization.directory_audit if "activityDateTime" in raw else normalization.sign_in)(raw)
        for field, want in expected.items():
            assert v[field] == want, (field, m.key)
        assert v["raw_log"] == raw
        assert v["event_id"] == m.key and v["source"] == "Microsoft365"
        assert v["tenant_id"] == kit.siem_tenant and v["source_id"] == source["source_id"]
        assert v["schema_version"] == 1 and v["ingested_at"].endswith("Z")
        assert m.headers == {"tenant_id": kit.siem_tenant, "source_id": source["source_id"],
                             "platform": "Microsoft365", "log_type": expected["log_type"]}

    # Second tick: only the new events.
    new = kit.add_events(app, "directoryAudits", 40, iso(50), iso(5))
    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(audits) | set(signins) | set(new)
    assert max(counts.values()) == 1

    # Third tick, nothing new: nothing delivered, overlap re-read deduplicated.
    third = kit.poll(source)
    assert len(kit.read()) == 440
    assert source_lines(third)[0]["events"] == 0
    assert source_lines(third)[0]["duplicates_skipped"] > 0

    cursor = kit.source(source["source_id"])["cursor"]
    assert set(cursor) == {"directory_audits", "sign_ins"}
    assert cursor["directory_audits"]["watermark"].endswith("Z")


def test_late_event_inside_the_overlap_is_delivered_once(kit):
    app = kit.new_app()
    kit.add_events(app, "signIns", 20, iso(3000), iso(100))
    source = kit.create_source(app, streams=["sign_ins"])
    kit.poll(source)
    assert len(kit.read()) == 20
    late = kit.fake.control("POST", "events/late", {"tenant": app.tenant, "stream": "signIns",
                                                    "lag_s": 900, "count": 2})["ids"]
    kit.poll(source)
    counts = by_key(kit.read())
    assert all(counts[i] == 1 for i in late)
    assert len(counts) == 22 and max(counts.values()) == 1
    kit.poll(source)
    assert len(kit.read()) == 22


def test_throttling_honours_retry_after_and_5xx_are_retried(kit):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 50, iso(3000), iso(100))
    source = kit.create_source(app, streams=["directory_audits"])
    kit.fault(path="auditLogs/directoryAudits", kind="429", count=1, retry_after=3)
    kit.fault(path="auditLogs/directoryAudits", kind="503", count=1, retry_after=None)
    kit.fault(path="auditLogs/directoryAudits", kind="500", count=1)
    proc = kit.poll(source)
    assert len(kit.read()) == 50
    data = kit.requests(kind="data", tenant=app.tenant)
    assert [r["status"] for r in data[:4]] == [429, 503, 500, 200]
    # The request after the 429 waited for its Retry-After.
    assert data[1]["ts"] - data[0]["ts"] >= 2.9
    assert source_lines(proc)[0]["requests"] >= 5


def test_token_expiring_mid_run_is_refreshed(kit):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 300, iso(3000), iso(100))
    source = kit.create_source(app, streams=["directory_audits"], page_size=100)
    kit.fake.control("POST", "config", {"token_lifetime_s": 3600})
    # The second page is slow, so the revocation below lands while the run is mid-stream.
    kit.fault(path="auditLogs/directoryAudits", kind="delay", delay_s=2, count=1, skip=1)
    proc = subprocess.Popen(kit.poller_args("--source", source["source_id"]), env=kit.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Revoke every token as soon as the first page was served.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not kit.requests(kind="data", tenant=app.tenant):
            time.sleep(0.05)
        kit.fake.control("POST", "tokens/revoke", {"tenant": app.tenant})
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert len(kit.read()) == 300
    tokens = kit.requests(kind="token", tenant=app.tenant)
    assert len(tokens) == 2
    # The revoked token cannot be attributed to a tenant, so look at every data request.
    assert any(r["status"] == 401 for r in kit.requests(kind="data"))


def test_kafka_outage_moves_no_checkpoint_and_loses_nothing(kit):
    app = kit.new_app()
    ids = kit.add_events(app, "directoryAudits", 120, iso(3000), iso(100))
    source = kit.create_source(app, streams=["directory_audits"])
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
    after_outage = kit.source(source["source_id"])
    assert after_outage["error_count"] == 0   # Kafka's failure, not the source's (#11)
    # Empty slices before the events may have been committed; none past the first event.
    watermark = after_outage["cursor"].get("directory_audits", {}).get("watermark")
    oldest = min(e["activityDateTime"] for e in kit.fake_events(app, "directoryAudits"))
    assert watermark is None or normalization.rfc3339(watermark) <= normalization.rfc3339(oldest)

    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids)  # every event arrived; none lost
    assert kit.source(source["source_id"])["cursor"]["directory_audits"]["watermark"]


def test_sigkill_mid_poll_loses_nothing(kit):
    app = kit.new_app()
    ids = kit.add_events(app, "directoryAudits", 300, iso(3000), iso(100))
    # One slice holds every event (lookback 60 min, slices of an hour).
    source = kit.create_source(app, streams=["directory_audits"], page_size=100, initial_lookback_minutes=60)
    # The third page hangs, so the poller is mid-slice: two pages published, nothing committed.
    kit.fault(path="auditLogs/directoryAudits", kind="delay", delay_s=30, count=1, skip=2)
    proc = subprocess.Popen(kit.poller_args("--source", source["source_id"]), env=kit.env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Wait until the first two pages' events are in Kafka, then kill it mid-slice.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and kit.topic_size() < 200:
            time.sleep(0.1)
        assert kit.topic_size() == 200
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert kit.source(source["source_id"])["cursor"] == {}
    kit.fake.control("DELETE", "faults")
    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids)


def test_two_pollers_at_once_poll_each_source_once(kit, only_new_sources_due):
    apps = [kit.new_app() for _ in range(3)]
    sources = []
    for app in apps:
        kit.add_events(app, "directoryAudits", 30, iso(3000), iso(100))
        sources.append(kit.create_source(app, streams=["directory_audits"], initial_lookback_minutes=60))
    procs = [subprocess.Popen(kit.poller_args("--concurrency", "2"), env=kit.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    polled = collections.Counter()
    for _, err in outputs:
        for line in err.splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("msg") == "source polled":
                    polled[entry["source.id"]] += 1
    mine = {s["source_id"] for s in sources}
    assert {k: v for k, v in polled.items() if k in mine} == {s: 1 for s in mine}
    for app in apps:
        assert len(kit.requests(kind="token", tenant=app.tenant)) == 1
        assert len(kit.requests(kind="data", tenant=app.tenant)) == 1
    assert len(kit.read()) == 90


def test_shared_app_is_paced_to_graph_budget(kit, only_new_sources_due):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 400, iso(3000), iso(100))
    # Two sources share one app registration in one tenant: one budget.
    for _ in range(2):
        kit.create_source(app, streams=["directory_audits"], page_size=50)
    proc = kit.run_poller("--concurrency", "2")
    assert proc.returncode == 0, proc.stderr
    pacing = kit.fake.control("GET", "pacing", window_s=10, kind="data")["max_in_window"]
    assert pacing[f"{app.tenant}/{app.client_id}"] <= 5
    assert len(kit.read()) == 800


def test_failures_back_off_and_then_disable_the_source(kit):
    app = kit.new_app()
    source = kit.create_source(app, secret="wrong-secret-value-123456")
    intervals = []
    for attempt in range(1, 4):
        proc = kit.run_poller("--source", source["source_id"], SIEM_MAX_CONSECUTIVE_FAILURES=3)
        assert proc.returncode == 1
        line = source_lines(proc)[0]
        assert line["error.kind"] == "bad credentials"
        assert "invalid_client" in line["error"]
        assert "wrong-secret" not in proc.stderr
        state = kit.source(source["source_id"])
        assert state["error_count"] == attempt
        intervals.append(state)
    assert intervals[0]["is_enabled"] and intervals[1]["is_enabled"]
    assert not intervals[2]["is_enabled"]
    assert "3 consecutive failures" in intervals[2]["disabled_reason"]
    assert "invalid_client" in intervals[2]["last_error"]
    # Backoff: interval x 2^failures from the poll time (15 min interval).
    import datetime as dt
    def gap(s):
        t = lambda x: dt.datetime.fromisoformat(x.replace("Z", "+00:00"))
        return (t(s["next_poll_time"]) - t(s["last_polled_timestamp"])).total_seconds() / 60
    assert [round(gap(s)) for s in intervals[:2]] == [30, 60]
    assert kit.source(source["source_id"])["cursor"] == {}


def test_nothing_due_is_a_quiet_success(kit, only_new_sources_due):
    proc = kit.run_poller("--max-sources", "1000")
    assert proc.returncode == 0, proc.stderr
    assert [line["msg"] for line in proc.log] == ["nothing due"]


def test_deadline_mid_slice_is_not_a_failure_and_keeps_the_source_due(kit):
    app = kit.new_app()
    ids = kit.add_events(app, "directoryAudits", 300, iso(3000), iso(100))
    source = kit.create_source(app, streams=["directory_audits"], page_size=100, initial_lookback_minutes=60)
    # The second page takes longer than the run's deadline.
    kit.fault(path="auditLogs/directoryAudits", kind="delay", delay_s=4, count=1, skip=1)
    proc = kit.run_poller("--source", source["source_id"], "--deadline", "2")
    assert proc.returncode == 0, proc.stderr
    line = source_lines(proc)[0]
    assert line["outcome"] == "success" and line["backlog_left"] is True
    state = kit.source(source["source_id"])
    assert state["error_count"] == 0
    import datetime as dt
    assert dt.datetime.fromisoformat(state["next_poll_time"].replace("Z", "+00:00")) <= \
        dt.datetime.now(dt.timezone.utc)
    kit.poll(source)
    assert set(m.key for m in kit.read()) == set(ids)
