"""The internal poller endpoints: due configurations (no secrets) and status."""
import datetime as dt

from sample_sources import body, secret_values


def test_configurations_and_status(stack, admin, db, tenant):
    url = f"{stack.url}/v1/cloud_api_sources"
    sid = admin.post(url, json=body("Microsoft365", polling_interval_minutes=10)).json()["source_id"]
    poller = stack.session(stack.token(roles=["poller"]))

    due = poller.get(f"{url}/poll/configurations", params={"limit": 1000})
    assert due.status_code == 200, due.text
    items = {s["source_id"]: s for s in due.json()["items"]}
    assert sid in items
    assert items[sid]["tenant_id"] == tenant
    for secret in secret_values("Microsoft365"):
        assert secret not in due.text
    assert "credentials" not in items[sid]

    # Success: next poll one interval after the poll started (polled_at is its end), errors reset.
    polled_at = "2026-11-27T10:00:00Z"
    ok = poller.post(f"{url}/poll/status", json={"source_id": sid, "status": "success",
                                                 "polled_at": polled_at, "events": 42, "duration_ms": 1200})
    assert ok.status_code == 200, ok.text
    assert ok.json()["error_count"] == 0
    assert ok.json()["next_poll_time"] == "2026-11-27T10:09:58.800000Z"
    row = db.execute("SELECT last_polled_timestamp, events_collected_total, last_poll_events "
                     "FROM cloud_api_sources WHERE source_id = %s", (sid,)).fetchone()
    assert row[0] == dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone.utc)
    assert row[1] == 42 and row[2] == 42

    # Failures: error_count grows, backoff doubles, capped; disabled after 10.
    expected_delays = [20, 40, 80, 160, 320, 640, 1280, 1440, 1440]
    for i, minutes in enumerate(expected_delays, start=1):
        r = poller.post(f"{url}/poll/status", json={"source_id": sid, "status": "error",
                                                    "polled_at": polled_at, "message": f"boom {i}"})
        assert r.status_code == 200, r.text
        assert r.json()["error_count"] == i
        assert r.json()["is_enabled"] is True
        next_poll = dt.datetime.fromisoformat(r.json()["next_poll_time"].replace("Z", "+00:00"))
        assert next_poll - dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone.utc) == dt.timedelta(minutes=minutes)
    r = poller.post(f"{url}/poll/status", json={"source_id": sid, "status": "error",
                                                "polled_at": polled_at, "message": "boom 10"})
    assert r.json()["is_enabled"] is False
    assert "10 consecutive failures" in r.json()["disabled_reason"]
    assert "boom 10" in r.json()["disabled_reason"]
    source = admin.get(f"{url}/{sid}").json()
    assert source["is_enabled"] is False and source["last_error"] == "boom 10"

    # Disabled sources are not due.
    due = poller.get(f"{url}/poll/configurations", params={"limit": 1000}).json()["items"]
    assert sid not in [s["source_id"] for s in due]

    # Re-enabling through PUT clears the failure state.
    put = admin.put(f"{url}/{sid}", json={"platform": "Microsoft365", "source_name": source["source_name"],
                                          "is_enabled": True})
    assert put.json()["error_count"] == 0 and put.json()["disabled_reason"] is None


def test_cron_ticks_keep_the_cadence(stack, admin, db):
    """A 1-minute source polled by the 10:00 tick (poll started 10:00:05, took 20 s) is due
    at the 10:01 tick, and not before: polls anchor on their start, with 30 s of grace."""
    url = f"{stack.url}/v1/cloud_api_sources"
    sid = admin.post(url, json=body("AWS", polling_interval_minutes=1)).json()["source_id"]
    poller = stack.session(stack.token(roles=["poller"]))
    ok = poller.post(f"{url}/poll/status", json={"source_id": sid, "status": "success",
                                                 "polled_at": "2026-11-27T10:00:25Z", "duration_ms": 20000})
    assert ok.json()["next_poll_time"] == "2026-11-27T10:01:05Z"

    def due_at(now):
        return sid in {r[0] for r in db.execute("SELECT source_id::text FROM siem_due_sources(%s, 100000)", (now,))}
    assert due_at("2026-11-27T10:01:00.4Z")        # the next cron tick
    assert not due_at("2026-11-27T10:00:30Z")      # the same minute: not yet
    # The poller re-checks after taking the source's lock, with the same rule.
    from_store = db.execute("SELECT count(*) FROM cloud_api_sources WHERE source_id = %s AND is_enabled "
                            "AND next_poll_time <= siem_poll_due_by(%s)", (sid, "2026-11-27T10:01:00.4Z")).fetchone()[0]
    assert from_store == 1


def test_status_validation(stack):
    poller = stack.session(stack.token(roles=["poller"]))
    url = f"{stack.url}/v1/cloud_api_sources/poll/status"
    r = poller.post(url, json={"source_id": "nope", "status": "maybe", "events": -1})
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} >= {"source_id", "status", "events"}
    r = poller.post(url, json={"source_id": "00000000-0000-0000-0000-000000000000", "status": "error"})
    assert r.status_code == 400 and "message" in r.text
    r = poller.post(url, json={"source_id": "00000000-0000-0000-0000-000000000000", "status": "success"})
    assert r.status_code == 404
