"""The source representation PostgreSQL renders when a row is written (sql/005,
siem_source_json) carries every column faithfully: JSON escaping of awkward text,
timestamps in the Swift code's RFC 3339 form, nulls, and the updated_at that the
touch trigger sets. Checked against the row read directly."""
import json
from datetime import datetime, timezone

from cryptography import x509

from sample_sources import body

AWKWARD = 'Zürich "quoted" \\ back\\slash ✓ 監査 </script>'


def rfc3339(value):
    """UTCTimestamp.rfc3339: UTC, 'Z', microseconds only when there are any."""
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{value.microsecond:06d}" if value.microsecond else "") + "Z"


def test_every_column_round_trips(stack, admin, db):
    url = f"{stack.url}/v1/cloud_api_sources"
    created = admin.post(url, json=body("GCP", name=AWKWARD))
    assert created.status_code == 201, created.text
    sid = created.json()["source_id"]
    db.execute("""UPDATE cloud_api_sources SET last_error = %s, disabled_reason = NULL,
                      last_polled_timestamp = '2026-01-02 03:04:05+00', last_success_timestamp = '2026-01-02 03:04:05.000123+00',
                      error_count = 3, events_collected_total = 9007199254740993, last_poll_events = 7,
                      last_poll_duration_ms = 1234, cursor = '{"entries": {"watermark": "2026-01-02T03:04:05Z", "seen": ["a\\"b"]}}',
                      stream_state = '{"entries": {"state": "failing", "error_count": 2, "last_error": "HTTP 503 \\"x\\"",
                                       "next_attempt": "2026-01-02T04:04:05Z", "lagging": false, "backlog_runs": 0}}'
                  WHERE source_id = %s""", ("line one\nline two \x01 \"q\"", sid))
    got = admin.get(f"{url}/{sid}")
    assert got.status_code == 200
    source = json.loads(got.text)
    row = db.execute("""SELECT source_id::text, tenant_id, platform, source_name, polling_interval_minutes, is_enabled,
                               last_polled_timestamp, last_success_timestamp, next_poll_time, error_count, last_error,
                               disabled_reason, settings, cursor, credentials_fingerprint, credentials_key_id,
                               events_collected_total, last_poll_events, last_poll_duration_ms, created_at, updated_at,
                               credentials_expires_at, stream_state
                        FROM cloud_api_sources WHERE source_id = %s""", (sid,)).fetchone()
    (source_id, tenant_id, platform, name, interval, enabled, polled, success, next_poll, errors, last_error,
     disabled, settings, cursor, fingerprint, key_id, total, last_events, duration, created, updated, expires,
     streams) = row
    assert source == {
        "source_id": source_id, "tenant_id": tenant_id, "platform": platform, "source_name": name,
        "polling_interval_minutes": interval, "is_enabled": enabled,
        "last_polled_timestamp": rfc3339(polled), "last_success_timestamp": rfc3339(success),
        "next_poll_time": rfc3339(next_poll), "error_count": errors, "last_error": last_error,
        "disabled_reason": disabled, "settings": settings, "streams": streams,
        # Each checkpoint without the ids it keeps to drop re-reads (up to 50,000 a stream).
        "cursor": {k: {kk: vv for kk, vv in v.items() if kk != "seen"} for k, v in cursor.items()},
        "credentials": {"set": True, "fingerprint": fingerprint, "key_id": key_id, "expires_at": rfc3339(expires)},
        "stats": {"events_collected_total": total, "last_poll_events": last_events, "last_poll_duration_ms": duration},
        "created_at": rfc3339(created), "updated_at": rfc3339(updated),
    }
    assert name == AWKWARD and source["last_polled_timestamp"] == "2026-01-02T03:04:05Z"
    assert source["cursor"] == {"entries": {"watermark": "2026-01-02T03:04:05Z"}} and "seen" in cursor["entries"]
    assert source["last_success_timestamp"] == "2026-01-02T03:04:05.000123Z"
    assert source["stats"]["events_collected_total"] == 9007199254740993  # beyond a double's exact range
    assert admin.get(url).json()["items"] == [source]


def test_updated_at_in_the_representation_moves_with_every_write(stack, admin, db):
    url = f"{stack.url}/v1/cloud_api_sources"
    sid = admin.post(url, json=body("AWS", name="touched")).json()["source_id"]
    db.execute("UPDATE cloud_api_sources SET updated_at = '2020-01-01 00:00:00+00' WHERE source_id = %s", (sid,))
    before = db.execute("SELECT updated_at FROM cloud_api_sources WHERE source_id = %s", (sid,)).fetchone()[0]
    # The touch trigger replaces any updated_at a write sets, and api_json follows it.
    assert before > datetime(2025, 1, 1, tzinfo=timezone.utc)
    put = admin.put(f"{url}/{sid}", json={"platform": "AWS", "source_name": "touched", "polling_interval_minutes": 5})
    assert put.status_code == 200, put.text
    row = db.execute("SELECT updated_at FROM cloud_api_sources WHERE source_id = %s", (sid,)).fetchone()[0]
    assert put.json()["updated_at"] == rfc3339(row)
    assert put.json()["polling_interval_minutes"] == 5
    assert admin.get(f"{url}/{sid}").json() == put.json()


def test_listing_pages_in_code_point_order(stack, admin):
    url = f"{stack.url}/v1/cloud_api_sources"
    names = ["b", "B", "a", "Ä", "a b", "Z", "_x"]
    for name in names:
        assert admin.post(url, json=body("AWS", name=name)).status_code == 201
    seen, token = [], None
    for _ in range(10):
        params = {"limit": 2} | ({"page_token": token} if token else {})
        page = admin.get(url, params=params).json()
        seen += [s["source_name"] for s in page["items"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert seen == sorted(names, key=lambda n: n.encode())


def expiry_samples(stack, session):
    """source_id -> value of siem_source_credentials_expiry_timestamp_seconds in /metrics."""
    text = session.get(f"{stack.url}/metrics").text
    assert "# TYPE siem_source_credentials_expiry_timestamp_seconds gauge" in text
    samples = {}
    for line in text.splitlines():
        if line.startswith("siem_source_credentials_expiry_timestamp_seconds{"):
            labels, value = line.rsplit(" ", 1)
            samples[labels.split('source_id="')[1].split('"')[0]] = float(value)
    return samples


def test_a_certificate_credential_shows_when_it_expires(stack, admin, db):
    url = f"{stack.url}/v1/cloud_api_sources"
    payload = body("Microsoft365", certificate=True)
    not_after = x509.load_pem_x509_certificate(payload["api_credentials_json"]["certificate_pem"].encode()) \
        .not_valid_after_utc
    created = admin.post(url, json=payload)
    assert created.status_code == 201, created.text
    sid = created.json()["source_id"]
    assert created.json()["credentials"]["expires_at"] == rfc3339(not_after)
    row = db.execute("SELECT credentials_expires_at FROM cloud_api_sources WHERE source_id = %s", (sid,)).fetchone()
    assert row[0] == not_after
    # Monitoring can alert on it: /metrics has the date as a Unix time.
    assert expiry_samples(stack, admin) == {sid: not_after.timestamp()}
    # An edit without credentials keeps the date; a client secret (no known end) clears it.
    kept = admin.put(f"{url}/{sid}", json={k: v for k, v in payload.items() if k != "api_credentials_json"})
    assert kept.json()["credentials"]["expires_at"] == rfc3339(not_after)
    secret = admin.put(f"{url}/{sid}", json=body("Microsoft365", name=payload["source_name"]))
    assert secret.status_code == 200, secret.text
    assert secret.json()["credentials"]["expires_at"] is None
    assert admin.get(url).json()["items"][0]["credentials"]["expires_at"] is None
    assert expiry_samples(stack, admin) == {}
