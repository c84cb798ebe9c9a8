"""End to end for AzureAD: PostgreSQL + the fake Microsoft cloud (Graph risk detections and
provisioning, Azure Monitor activity log) + the dev Kafka broker + the real siem-poller."""
import collections
import uuid

import pytest

from normalization import dig, first, rfc3339, text
from pollerkit import PollerKit, broker_command, iso, source_lines


@pytest.fixture
def kit(stack, ms_fake, cert_dir):
    # Only the $filter operators Graph documents per list (provisioning: eq, gt, lt).
    ms_fake.control("POST", "config", {"strict_filter_ops": True})
    return PollerKit(stack, ms_fake, cert_dir)


def by_key(messages):
    return collections.Counter(m.key for m in messages)


# --- the documented mapping (README), written again to check the poller against ---------
def risk_key(ev):
    return f"{ev['id']}@{rfc3339(ev['lastUpdatedDateTime'])}"


def risk_detection(ev):
    return {"timestamp": rfc3339(ev.get("detectedDateTime") or ev["lastUpdatedDateTime"]), "user": text(ev.get("userPrincipalName")),
            "activity": text(ev.get("riskEventType")), "result": None, "source_ip": text(ev.get("ipAddress")),
            "application": text(ev.get("source")), "log_type": "risk_detection"}


def provisioning(ev):
    status = dig(ev, "provisioningStatusInfo", "status")
    return {"timestamp": rfc3339(ev["activityDateTime"]),
            "user": first(dig(ev, "sourceIdentity", "displayName"), dig(ev, "targetIdentity", "displayName")),
            "activity": text(ev.get("provisioningAction")),
            "result": {"success": "success", "failure": "failure"}.get(status), "source_ip": None,
            "application": text(dig(ev, "servicePrincipal", "displayName")), "log_type": "provisioning_log"}


def activity(ev):
    return {"timestamp": rfc3339(ev["eventTimestamp"]), "user": text(ev.get("caller")),
            "activity": first(dig(ev, "operationName", "value"), dig(ev, "operationName", "localizedValue")),
            "result": {"Succeeded": "success", "Failed": "failure"}.get(dig(ev, "status", "value")),
            "source_ip": text(dig(ev, "httpRequest", "clientIpAddress")),
            "application": text(dig(ev, "resourceProviderName", "value")), "log_type": "activity_log"}


def expected_by_key(kit, app, subscriptions):
    """key -> (original record, expected normalized fields) for everything the fake holds."""
    out = {risk_key(e): (e, risk_detection(e)) for e in kit.fake_events(app, "riskDetections")}
    out.update({e["id"]: (e, provisioning(e)) for e in kit.fake_events(app, "provisioning")})
    for sub in subscriptions:
        out.update({e["eventDataId"]: (e, activity(e))
                    for e in kit.fake_events(app, "activityLogs", subscription=sub)})
    return out


def azure_source(kit, app, subscriptions=(), **settings):
    if subscriptions:
        settings.update(management_endpoint=kit.enable_arm(), subscription_ids=list(subscriptions))
    return kit.create_source(app, platform="AzureAD", **settings)


def test_ticks_deliver_every_stream_exactly_once(kit):
    app = kit.new_app()
    sub = str(uuid.uuid4())
    kit.add_events(app, "riskDetections", 60, iso(7000), iso(60))
    kit.add_events(app, "provisioning", 150, iso(7000), iso(60))
    kit.add_events(app, "activityLogs", 250, iso(7000), iso(60), subscription=sub)
    source = azure_source(kit, app, [sub], page_size=100)

    first_tick = kit.poll(source)
    messages = kit.read()
    expected = expected_by_key(kit, app, [sub])
    counts = by_key(messages)
    assert set(counts) == set(expected) and len(expected) == 460
    assert max(counts.values()) == 1
    line = source_lines(first_tick)[0]
    assert line["outcome"] == "success" and line["events"] == 460 and line["platform"] == "AzureAD"
    assert set(line["streams"]) == {"risk_detections", "provisioning", f"activity_log:{sub}"}

    # Normalized as documented; raw_log is the original record; headers name the log type.
    for m in messages:
        raw, want = expected[m.key]
        v = m.value
        for field, value in want.items():
            assert v[field] == value, (field, m.key)
        assert v["raw_log"] == raw and v["event_id"] == m.key and v["source"] == "AzureAD"
        assert v["tenant_id"] == kit.siem_tenant and v["source_id"] == source["source_id"]
        assert m.headers == {"tenant_id": kit.siem_tenant, "source_id": source["source_id"],
                             "platform": "AzureAD", "log_type": want["log_type"]}
    # ARM got a management token and Graph a Graph token: two token requests.
    assert len(kit.requests(kind="token", tenant=app.tenant)) == 2
    assert kit.requests(kind="arm", tenant=app.tenant)

    # Second tick: only what is new, in every stream.
    kit.add_events(app, "riskDetections", 5, iso(50), iso(5))
    kit.add_events(app, "provisioning", 7, iso(50), iso(5))
    kit.add_events(app, "activityLogs", 9, iso(50), iso(5), subscription=sub)
    second = kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(expected_by_key(kit, app, [sub])) and len(counts) == 481
    assert max(counts.values()) == 1
    assert source_lines(second)[0]["events"] == 21

    # Third tick, nothing new: the overlaps are re-read and every event is recognized.
    third = kit.poll(source)
    assert len(kit.read()) == 481
    line = source_lines(third)[0]
    assert line["events"] == 0 and line["duplicates_skipped"] > 0
    cursor = kit.source(source["source_id"])["cursor"]
    assert set(cursor) == {"risk_detections", "provisioning", f"activity_log:{sub}"}


def test_an_updated_risk_detection_is_delivered_again_under_a_new_key(kit):
    app = kit.new_app()
    ids = kit.add_events(app, "riskDetections", 12, iso(5000), iso(600))
    source = azure_source(kit, app, streams=["risk_detections"])
    kit.poll(source)
    assert len(kit.read()) == 12

    updated = kit.fake.control("POST", "risk-detections/update",
                               {"tenant": app.tenant, "id": ids[3], "riskState": "dismissed",
                                "riskDetail": "adminDismissedAllRiskForUser", "at": iso(5)})["event"]
    kit.poll(source)
    messages = kit.read()
    counts = by_key(messages)
    assert len(messages) == 13 and max(counts.values()) == 1
    new_key = risk_key(updated)
    assert new_key in counts and new_key.startswith(f"{ids[3]}@")
    [message] = [m for m in messages if m.key == new_key]
    assert message.value["raw_log"]["riskState"] == "dismissed"
    assert message.value["timestamp"] == rfc3339(updated["detectedDateTime"])
    # The first version's message is still the only one under its key.
    assert sum(1 for k in counts if k.startswith(f"{ids[3]}@")) == 2

    kit.poll(source)
    assert len(kit.read()) == 13


def test_late_events_inside_the_overlap_are_delivered_once(kit):
    app = kit.new_app()
    sub = str(uuid.uuid4())
    kit.add_events(app, "riskDetections", 5, iso(3000), iso(100))
    kit.add_events(app, "provisioning", 5, iso(3000), iso(100))
    kit.add_events(app, "activityLogs", 5, iso(3000), iso(100), subscription=sub)
    source = azure_source(kit, app, [sub])
    kit.poll(source)
    assert len(kit.read()) == 15

    late = []
    # Risk detections may surface up to 48 h late; provisioning within its 30 min, ARM within 60 min.
    for stream, lag, extra in (("riskDetections", 20 * 3600, {}), ("provisioning", 900, {}),
                               ("activityLogs", 2400, {"subscription": sub})):
        late += kit.fake.control("POST", "events/late", {"tenant": app.tenant, "stream": stream,
                                                         "lag_s": lag, "count": 2, **extra})["ids"]
    kit.poll(source)
    messages = kit.read()
    counts = by_key(messages)
    assert len(messages) == 21 and max(counts.values()) == 1
    delivered = {m.key.split("@")[0] for m in messages}   # risk keys are <id>@<lastUpdatedDateTime>
    assert set(late) <= delivered
    kit.poll(source)
    assert len(kit.read()) == 21


def test_throttling_honours_retry_after_on_graph_and_arm(kit):
    app = kit.new_app()
    sub = str(uuid.uuid4())
    kit.add_events(app, "provisioning", 20, iso(3000), iso(100))
    kit.add_events(app, "activityLogs", 20, iso(3000), iso(100), subscription=sub)
    source = azure_source(kit, app, [sub], streams=["provisioning", "activity_log"])
    kit.fault(path="auditLogs/provisioning", kind="429", count=1, retry_after=3)
    kit.fault(path="auditLogs/provisioning", kind="503", count=1, retry_after=None)
    kit.fault(path="eventtypes/management/values", kind="429", count=1, retry_after=2)
    kit.fault(path="eventtypes/management/values", kind="500", count=1)
    kit.poll(source)
    assert len(kit.read()) == 40
    graph = kit.requests(kind="graph", tenant=app.tenant)
    assert [r["status"] for r in graph[:3]] == [429, 503, 200]
    assert graph[1]["ts"] - graph[0]["ts"] >= 2.9
    arm = kit.requests(kind="arm", tenant=app.tenant)
    assert [r["status"] for r in arm[:3]] == [429, 500, 200]
    assert arm[1]["ts"] - arm[0]["ts"] >= 1.9


def test_bad_secret_is_the_sources_error(kit):
    app = kit.new_app()
    source = azure_source(kit, app, secret="wrong-secret-value-123456")
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials" and "invalid_client" in line["error"]
    assert "wrong-secret" not in proc.stderr and app.secret not in proc.stderr
    state = kit.source(source["source_id"])
    assert state["error_count"] == 1 and "invalid_client" in state["last_error"]
    assert state["cursor"] == {}


def test_a_failing_subscription_holds_back_only_its_own_checkpoint(kit):
    app = kit.new_app()
    good, gone = str(uuid.uuid4()), str(uuid.uuid4())
    ids = kit.add_events(app, "activityLogs", 30, iso(3000), iso(100), subscription=good)
    prov = kit.add_events(app, "provisioning", 10, iso(3000), iso(100))
    source = azure_source(kit, app, [gone, good], streams=["provisioning", "activity_log"])
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "configuration" and f"activity_log:{gone}" in line["error"]
    assert "SubscriptionNotFound" in line["error"]
    assert line["streams"][f"activity_log:{gone}"] == "error"
    assert line["streams"][f"activity_log:{good}"] == "ok 30"
    # The healthy subscription and provisioning moved on; the failing one has no checkpoint.
    assert set(by_key(kit.read())) == set(ids) | set(prov)
    cursor = kit.source(source["source_id"])["cursor"]
    assert f"activity_log:{good}" in cursor and "provisioning" in cursor
    assert f"activity_log:{gone}" not in cursor

    # Once the subscription exists (here: was registered late), it starts from the lookback.
    late_ids = kit.add_events(app, "activityLogs", 4, iso(2000), iso(100), subscription=gone)
    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids) | set(prov) | set(late_ids) and max(counts.values()) == 1


def test_kafka_outage_moves_no_checkpoint_and_loses_nothing(kit):
    app = kit.new_app()
    sub = str(uuid.uuid4())
    kit.add_events(app, "riskDetections", 20, iso(3000), iso(100))
    ids = [risk_key(e) for e in kit.fake_events(app, "riskDetections")]
    ids += kit.add_events(app, "activityLogs", 40, iso(3000), iso(100), subscription=sub)
    source = azure_source(kit, app, [sub], streams=["risk_detections", "activity_log"])
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
    cursor = kit.source(source["source_id"])["cursor"]
    # Empty slices before the events may have been committed; none past the first event.
    oldest = min(rfc3339(e["eventTimestamp"]) for e in kit.fake_events(app, "activityLogs", subscription=sub))
    mark = cursor.get(f"activity_log:{sub}", {}).get("watermark")
    assert mark is None or rfc3339(mark) <= oldest

    kit.poll(source)
    assert set(by_key(kit.read())) == set(ids)


def test_source_test_reports_every_stream(kit):
    app = kit.new_app()
    sub = str(uuid.uuid4())
    kit.add_events(app, "riskDetections", 3, iso(1200), iso(60))
    kit.add_events(app, "provisioning", 2, iso(1200), iso(60))
    kit.add_events(app, "activityLogs", 4, iso(1200), iso(60), subscription=sub)
    source = azure_source(kit, app, [sub])
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources/{source['source_id']}/test")
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["ok"] is True
    assert {x["stream"]: (x["status"], x["sample_events"]) for x in result["results"]} == {
        "risk_detections": ("ok", 3), "provisioning": ("ok", 2), f"activity_log:{sub}": ("ok", 4)}
    assert kit.source(source["source_id"])["cursor"] == {} and kit.topic_size() == 0


def test_each_subscriptions_activity_log_can_be_rewound(kit):
    """Reliability issue #11, item 9: the rewind accepts the keys the poller writes."""
    app = kit.new_app()
    subs = [str(uuid.uuid4()), str(uuid.uuid4())]
    ids = {sub: kit.add_events(app, "activityLogs", 10, iso(2400), iso(600), subscription=sub) for sub in subs}
    source = azure_source(kit, app, subs, streams=["activity_log"])
    kit.poll(source)
    assert len(kit.read()) == 20
    url = f"{kit.stack.url}/v1/cloud_api_sources/{source['source_id']}/checkpoints"
    # The bare stream name is no key of the poller's: refused, naming the real ones.
    r = kit.admin.put(f"{url}/activity_log", json={"watermark": iso(3000)})
    assert r.status_code == 400
    assert all(f"activity_log:{sub}" in r.json()["errors"][0]["message"] for sub in subs)
    rewind_to = iso(3000)
    r = kit.admin.put(f"{url}/activity_log:{subs[0]}", json={"watermark": rewind_to})
    assert r.status_code == 200, r.text
    assert r.json()["cursor"][f"activity_log:{subs[0]}"]["watermark"] == rewind_to
    kit.poll(source)
    counts = by_key(kit.read())
    assert counts == {**{k: 2 for k in ids[subs[0]]}, **{k: 1 for k in ids[subs[1]]}}
