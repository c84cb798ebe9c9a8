"""Operator endpoints: poll now, test a source, rewind a checkpoint, /metrics."""
import datetime as dt

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

import advisory_locks
from pollerkit import PollerKit, iso
from sample_sources import body


@pytest.fixture
def kit(stack, ms_fake, cert_dir):
    return PollerKit(stack, ms_fake, cert_dir)


# Debian's libfaketime (package faketime, in the test packages).
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_poll_now_makes_the_source_due(stack, admin):
    url = f"{stack.url}/v1/cloud_api_sources"
    src = admin.post(url, json=body("AWS")).json()
    # After a success the source is not due for 15 minutes…
    poller = stack.session(stack.token(roles=["poller"]))
    poller.post(f"{url}/poll/status", json={"source_id": src["source_id"], "status": "success"})
    assert parse_time(admin.get(f"{url}/{src['source_id']}").json()["next_poll_time"]) > \
        dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=10)
    # …until an operator says "poll now".
    r = admin.post(f"{url}/{src['source_id']}/poll_now")
    assert r.status_code == 200, r.text
    assert parse_time(r.json()["next_poll_time"]) <= dt.datetime.now(dt.timezone.utc)
    due = poller.get(f"{url}/poll/configurations", params={"limit": 1000}).json()["items"]
    assert src["source_id"] in [s["source_id"] for s in due]


def test_poll_now_rules(stack, admin, tenant):
    url = f"{stack.url}/v1/cloud_api_sources"
    disabled = admin.post(url, json=body("AWS", is_enabled=False)).json()
    r = admin.post(f"{url}/{disabled['source_id']}/poll_now")
    assert r.status_code == 409 and "disabled" in r.json()["detail"]
    viewer = stack.session(stack.token(tenant=tenant, roles=["viewer"]))
    assert viewer.post(f"{url}/{disabled['source_id']}/poll_now").status_code == 403
    other = stack.session(stack.token(tenant=tenant + "-other"))
    assert other.post(f"{url}/{disabled['source_id']}/poll_now").status_code == 404


def test_source_test_reports_per_stream(kit):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 5, iso(1200), iso(60))
    kit.add_events(app, "signIns", 3, iso(1200), iso(60))
    source = kit.create_source(app)
    url = f"{kit.stack.url}/v1/cloud_api_sources/{source['source_id']}/test"
    r = kit.admin.post(url)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["ok"] is True
    assert {x["stream"]: (x["status"], x["sample_events"]) for x in result["results"]} == {
        "directory_audits": ("ok", 5), "sign_ins": ("ok", 3)}
    # Nothing moved, nothing delivered.
    assert kit.source(source["source_id"])["cursor"] == {}
    assert kit.topic_size() == 0

    # A tenant without an Entra ID P1 licence: sign-ins answer 403.
    kit.fake.control("POST", "licence", {"tenant": app.tenant, "premium": False})
    result = kit.admin.post(url).json()
    statuses = {x["stream"]: x["status"] for x in result["results"]}
    assert result["ok"] is False
    assert statuses == {"directory_audits": "ok", "sign_ins": "missing_licence"}
    assert "Authentication_RequestFromNonPremiumTenantOrB2CTenant" in \
        [x for x in result["results"] if x["stream"] == "sign_ins"][0]["detail"]


def test_source_test_before_create_with_bad_credentials(kit):
    app = kit.new_app()
    draft = {"platform": "Microsoft365", "source_name": "draft",
             "api_credentials_json": {"tenant_id": app.tenant, "client_id": app.client_id,
                                      "client_secret": "not-the-right-secret"},
             "settings": {"authority_host": kit.fake.base_url, "graph_endpoint": kit.fake.base_url}}
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources/test", json=draft)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["ok"] is False
    assert {x["status"] for x in result["results"]} == {"bad_credentials"}
    assert "invalid_client" in result["results"][0]["detail"]
    assert "not-the-right-secret" not in r.text
    listed = kit.admin.get(f"{kit.stack.url}/v1/cloud_api_sources").json()["items"]
    assert "draft" not in [s["source_name"] for s in listed]
    # Unreachable endpoint.
    draft["settings"] = {"authority_host": "https://127.0.0.1:9", "graph_endpoint": "https://127.0.0.1:9"}
    result = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources/test", json=draft).json()
    assert {x["status"] for x in result["results"]} == {"unreachable"}


def test_rewind_recollects_with_the_same_keys(kit):
    app = kit.new_app()
    ids = kit.add_events(app, "directoryAudits", 30, iso(2400), iso(600))
    source = kit.create_source(app, streams=["directory_audits"])
    kit.poll(source)
    first = kit.read()
    assert len(first) == 30
    url = f"{kit.stack.url}/v1/cloud_api_sources/{source['source_id']}/checkpoints/directory_audits"
    rewind_to = iso(3000)
    r = kit.admin.put(url, json={"watermark": rewind_to})
    assert r.status_code == 200, r.text
    assert r.json()["cursor"]["directory_audits"]["watermark"] == rewind_to
    kit.poll(source)
    again = kit.read()
    assert len(again) == 60
    assert sorted(m.key for m in again) == sorted(ids * 2)

    bad = [({"watermark": "yesterday"}, "watermark"), ({"watermark": iso(-3600)}, "watermark"),
           ({"watermark": rewind_to, "extra": 1}, "extra")]
    for payload, field in bad:
        r = kit.admin.put(url, json=payload)
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == field
    r = kit.admin.put(url.replace("directory_audits", "cloudtrail"), json={"watermark": rewind_to})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "stream"


def test_a_rewind_while_a_poller_holds_the_source_is_refused_and_changes_nothing(kit, db):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 5, iso(2400), iso(600))
    source = kit.create_source(app, streams=["directory_audits"])
    kit.poll(source)
    sid = source["source_id"]
    before = kit.source(sid)["cursor"]
    url = f"{kit.stack.url}/v1/cloud_api_sources/{sid}/checkpoints/directory_audits"
    # A poller's lock on the source (the poller's own key: hashtextextended(source_id, SOURCE_SEED)).
    with psycopg.connect(kit.stack.env["DATABASE_URL"], autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, %s::bigint))", (sid, advisory_locks.SOURCE_SEED))
        r = kit.admin.put(url, json={"watermark": iso(3000)})
        assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json"), r.text
        assert kit.source(sid)["cursor"] == before
    # Lock released (the session ended): the rewind goes through.
    r = kit.admin.put(url, json={"watermark": iso(3000)})
    assert r.status_code == 200, r.text


def test_a_rewind_into_the_databases_future_is_refused_even_by_an_api_host_whose_clock_runs_fast(kit, db):
    """The poller runs by the database's clock; a watermark past it would skip the events in between."""
    app = kit.new_app()
    source = kit.create_source(app, streams=["directory_audits"])
    url = f"{kit.stack.url}/v1/cloud_api_sources/{source['source_id']}/checkpoints/directory_audits"
    # siem-api's wall clock 10 minutes ahead (libfaketime; monotonic time untouched).
    kit.stack.restart_api(LD_PRELOAD=FAKETIME_LIB, FAKETIME="+600s", FAKETIME_DONT_FAKE_MONOTONIC="1")
    try:
        db_now = db.execute("SELECT now()").fetchone()[0]
        ahead = (db_now + dt.timedelta(seconds=300)).strftime("%Y-%m-%dT%H:%M:%SZ")
        r = kit.admin.put(url, json={"watermark": ahead})
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "watermark", r.text
        assert kit.source(source["source_id"])["cursor"] == {}
    finally:
        kit.stack.restart_api()


def test_metrics_are_prometheus_text_with_the_figures_of_a_known_poll(kit):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 12, iso(2400), iso(600))
    source = kit.create_source(app, streams=["directory_audits"])
    kit.poll(source)
    state = kit.source(source["source_id"])

    poller = kit.stack.session(kit.stack.token(roles=["poller"]))
    r = poller.get(f"{kit.stack.url}/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            if sample.labels.get("source_id") == source["source_id"]:
                samples[sample.name] = (sample.value, sample.labels)
    assert samples["siem_source_events_collected_total"][0] == 12
    assert samples["siem_source_last_poll_events"][0] == 12
    assert samples["siem_source_consecutive_errors"][0] == 0
    assert samples["siem_source_enabled"][0] == 1
    assert samples["siem_source_last_success_timestamp_seconds"][0] == \
        pytest.approx(parse_time(state["last_success_timestamp"]).timestamp(), abs=0.001)
    assert samples["siem_source_last_poll_duration_seconds"][0] == state["stats"]["last_poll_duration_ms"] / 1000
    assert samples["siem_source_next_poll_timestamp_seconds"][0] == \
        pytest.approx(parse_time(state["next_poll_time"]).timestamp(), abs=0.001)
    assert "siem_source_credentials_expiry_timestamp_seconds" not in samples  # a client secret has no known end
    labels = samples["siem_source_events_collected_total"][1]
    assert labels == {"tenant": kit.siem_tenant, "source": state["source_name"],
                      "source_id": source["source_id"], "platform": "Microsoft365"}

    # An admin sees its own tenant only; a garbage token is refused.
    other = kit.stack.session(kit.stack.token(tenant="someone-else"))
    assert source["source_id"] not in other.get(f"{kit.stack.url}/metrics").text
    assert source["source_id"] in kit.admin.get(f"{kit.stack.url}/metrics").text
    assert kit.stack.session("garbage").get(f"{kit.stack.url}/metrics").status_code == 401
