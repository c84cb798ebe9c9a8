"""Busy streams always progress (reliability issue #11, item 1).

A stream whose overlap window holds more events than one run can read (Graph allows 5
requests per 10 s, small pages, a short deadline) must still move its watermark every tick:
progress is committed at page boundaries after Kafka acknowledged them, and the next tick
resumes there instead of re-reading the slice from watermark - overlap."""
import collections
import json

from pollerkit import PollerKit, iso, source_lines


def watermark(kit, source):
    return kit.source(source["source_id"])["cursor"]["directory_audits"]["watermark"]


def test_a_dense_overlap_window_moves_the_watermark_every_tick(stack, ms_fake, cert_dir):
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    # 600 events inside the last 25 minutes: all within the 30-minute overlap.
    ids = kit.add_events(app, "directoryAudits", 600, iso(1500), iso(60))
    # Polled every minute and lagging once the watermark trails by more than one interval.
    r = kit.admin.post(f"{stack.url}/v1/cloud_api_sources", json={
        "platform": "Microsoft365", "source_name": "dense", "api_credentials_json": app.credentials(),
        "polling_interval_minutes": 1,
        "settings": {"streams": ["directory_audits"], "page_size": 20, "initial_lookback_minutes": 60,
                     "lag_alert_intervals": 1, "authority_host": ms_fake.base_url, "graph_endpoint": ms_fake.base_url}})
    assert r.status_code == 201, r.text
    source = r.json()
    marks = []
    for _ in range(5):
        # 3 s: Graph's budget lets about five 20-event pages through per run.
        proc = kit.run_poller("--source", source["source_id"], "--deadline", "3")
        assert proc.returncode == 0, proc.stderr
        line = source_lines(proc)[0]
        assert line["backlog_left"] is True and line["events"] > 0
        marks.append(watermark(kit, source))
        assert kit.source(source["source_id"])["streams"]["directory_audits"]["state"] == "lagging"
    assert all(a < b for a, b in zip(marks, marks[1:])), marks
    delivered = collections.Counter(m.key for m in kit.read())
    assert max(delivered.values()) == 1
    assert 200 <= len(delivered) < 600
    # Nothing the fake served out of order: the delivered ones are the oldest.
    oldest = sorted(kit.fake_events(app, "directoryAudits"), key=lambda e: (e["activityDateTime"], e["id"]))
    assert set(delivered) == {e["id"] for e in oldest[:len(delivered)]}

    # With time enough (and big pages), the stream catches up: every event exactly once.
    r = kit.admin.put(f"{stack.url}/v1/cloud_api_sources/{source['source_id']}",
                      json={"platform": "Microsoft365", "source_name": source["source_name"], "polling_interval_minutes": 1,
                            "settings": {"streams": ["directory_audits"], "page_size": 1000,
                                         "initial_lookback_minutes": 60, "lag_alert_intervals": 1,
                                         "authority_host": ms_fake.base_url, "graph_endpoint": ms_fake.base_url}})
    assert r.status_code == 200, r.text
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 0, proc.stderr
    assert source_lines(proc)[0]["backlog_left"] is False
    assert kit.source(source["source_id"])["streams"]["directory_audits"]["state"] == "ok"
    delivered = collections.Counter(m.key for m in kit.read())
    assert set(delivered) == set(ids) and max(delivered.values()) == 1


def test_streams_of_one_source_share_the_run(stack, ms_fake, cert_dir):
    """Sign-ins are collected in the same run even when directory audits have more than it can read."""
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 600, iso(1500), iso(60))
    signins = kit.add_events(app, "signIns", 30, iso(1500), iso(60))
    source = kit.create_source(app, page_size=20, initial_lookback_minutes=60)
    proc = kit.run_poller("--source", source["source_id"], "--deadline", "4")
    assert proc.returncode == 0, proc.stderr
    delivered = {m.key for m in kit.read()}
    assert set(signins) <= delivered
    assert source_lines(proc)[0]["backlog_left"] is True


def test_a_repeating_next_link_fails_the_stream_instead_of_looping(stack, ms_fake, cert_dir):
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 60, iso(1500), iso(60))
    source = kit.create_source(app, streams=["directory_audits"], page_size=20)
    kit.fault(path="auditLogs/directoryAudits", kind="repeat_link", count=5, skip=1)
    proc = kit.run_poller("--source", source["source_id"], "--deadline", "20")
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "malformed response" and "repeated" in line["error"], line


def test_an_event_too_large_for_kafka_is_delivered_truncated_and_the_stream_moves_on(stack, ms_fake, cert_dir):
    """Reliability issue #11, item 5: a 2 MB record must not block its stream."""
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    before = kit.add_events(app, "directoryAudits", 10, iso(2400), iso(1300))
    huge = {"activityDisplayName": "Update policy", "activityDateTime": iso(1200)[:-1] + ".0000000Z",
            "result": "success", "additionalDetails": [{"key": "blob", "value": "é\"x" * 700_000}]}
    big_id = kit.fake.control("POST", "events", {"tenant": app.tenant, "stream": "directoryAudits",
                                                 "events": [huge]})["ids"][0]
    after = kit.add_events(app, "directoryAudits", 10, iso(1100), iso(100))
    source = kit.create_source(app, streams=["directory_audits"])
    proc = kit.poll(source)
    line = source_lines(proc)[0]
    assert line["events"] == 21 and line["events_truncated"] == 1
    messages = {m.key: m for m in kit.read()}
    assert set(messages) == set(before) | {big_id} | set(after)
    big = messages[big_id].value
    assert big["raw_log_truncated"] is True and isinstance(big["raw_log"], str)
    assert big["raw_log"].startswith('{"') and big["activity"] == "Update policy" and big["result"] == "success"
    assert len(json.dumps(big, ensure_ascii=False, separators=(",", ":")).encode()) <= 1_000_000
    assert "raw_log_truncated" not in messages[before[0]].value
    # Counted in /metrics, per stream.
    metrics = stack.session(stack.token(roles=["metrics"])).get(f"{stack.url}/metrics").text
    assert (f'siem_stream_events_truncated_total{{tenant="{kit.siem_tenant}",source="{source["source_name"]}",'
            f'source_id="{source["source_id"]}",platform="Microsoft365",stream="directory_audits"}} 1') in metrics, \
        [line for line in metrics.splitlines() if source["source_id"] in line and "truncated" in line]
    # The stream moved on: the next tick delivers nothing again.
    kit.poll(source)
    assert len(kit.read()) == 21
