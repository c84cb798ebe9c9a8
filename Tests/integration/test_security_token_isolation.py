"""Provider tokens never cross sources (security issue #10, item 1).

An attacker in another SIEM tenant registers the victim's non-secret identifiers (Entra
directory id and client id, or a service account's email and key id) with credentials of
their own. Polled in the same run after the victim, the attacker's source must fail with
bad credentials: it may never be handed the victim's cached access token, and nothing it
collects may reach Kafka."""
import uuid

import pytest

from fakes.gcpauth import new_key
from fakes.process import start_fake
from pollerkit import GCPKit, PollerKit, iso, source_lines


def attacker_admin(stack):
    return stack.session(stack.token(tenant=f"evil-{uuid.uuid4().hex[:8]}", roles=["admin"]))


def post_as(session, stack, platform, credentials, settings):
    body = {"platform": platform, "source_name": f"src-{uuid.uuid4().hex[:8]}",
            "api_credentials_json": credentials, "polling_interval_minutes": 15,
            "settings": {"initial_lookback_minutes": 180, **settings}}
    r = session.post(f"{stack.url}/v1/cloud_api_sources", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def make_due_in_order(db, sources):
    """The poller takes due sources oldest next_poll_time first: victims, then the attacker."""
    for position, source in enumerate(sources):
        db.execute("UPDATE cloud_api_sources SET next_poll_time = now() - make_interval(mins => %s) "
                   "WHERE source_id = %s", (60 - position, source["source_id"]))


def assert_attacker_refused(kit, db, proc, attacker, victims):
    lines = {line["source.id"]: line for line in source_lines(proc)}
    assert lines[attacker["source_id"]]["outcome"] == "error", proc.stderr
    assert lines[attacker["source_id"]]["error.kind"] == "bad credentials"
    for victim in victims:
        assert lines[victim["source_id"]]["outcome"] == "success"
    row = db.execute("SELECT error_count, cursor FROM cloud_api_sources WHERE source_id = %s",
                     (attacker["source_id"],)).fetchone()
    assert row == (1, {})
    delivered_by = {m.headers["source_id"] for m in kit.read()}
    assert attacker["source_id"] not in delivered_by
    assert {v["source_id"] for v in victims} <= delivered_by


@pytest.mark.parametrize("concurrency", ["1", "2"])
def test_a_microsoft_source_with_a_wrong_secret_never_gets_another_sources_token(
        stack, ms_fake, cert_dir, db, only_new_sources_due, concurrency):
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 20, iso(3000), iso(100))
    victims = [kit.create_source(app, streams=["directory_audits"]) for _ in range(2)]
    stolen = {"tenant_id": app.tenant, "client_id": app.client_id,
              "client_secret": f"attacker-guess-{uuid.uuid4().hex}"}
    attacker = post_as(attacker_admin(stack), stack, "Microsoft365", stolen,
                       {"authority_host": ms_fake.base_url, "graph_endpoint": ms_fake.base_url,
                        "streams": ["directory_audits"]})
    make_due_in_order(db, [*victims, attacker])
    proc = kit.run_poller("--concurrency", concurrency)
    assert proc.returncode == 1
    assert_attacker_refused(kit, db, proc, attacker, victims)
    # Each source asked for its own token; the attacker's request was refused.
    assert len(kit.requests(kind="token", tenant=app.tenant)) == 3


@pytest.fixture(scope="module")
def gcp_fake(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.gcp", cert_dir, seed=23, log_path=tmp_path_factory.mktemp("logs") / "gcp.log")
    yield fake
    fake.stop()


@pytest.mark.parametrize("concurrency", ["1", "2"])
def test_a_gcp_source_with_a_forged_key_never_gets_another_sources_token(
        stack, gcp_fake, cert_dir, db, only_new_sources_due, concurrency):
    gcp_fake.control("POST", "reset")
    kit = GCPKit(stack, gcp_fake, cert_dir)
    key = kit.new_account()
    kit.add_entries(key["project_id"], 10, iso(3000), iso(100))
    victims = [kit.create_source(key) for _ in range(2)]
    forged = dict(key, private_key=new_key()[0])   # same account and key id, not its key
    attacker = post_as(attacker_admin(stack), stack, "GCP", forged, {"logging_endpoint": gcp_fake.base_url})
    make_due_in_order(db, [*victims, attacker])
    proc = kit.run_poller("--concurrency", concurrency)
    assert proc.returncode == 1
    assert_attacker_refused(kit, db, proc, attacker, victims)
