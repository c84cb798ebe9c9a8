"""End to end with certificate credentials: a Microsoft365 / AzureAD source registered through the
API with a certificate and its private key, the real siem-poller signing client assertions, the
fake Microsoft cloud checking them as Entra ID does, events read back from Kafka."""
import collections
import uuid

import pytest

import appcert
from pollerkit import PollerKit, iso, source_lines


@pytest.fixture
def kit(stack, ms_fake, cert_dir):
    return PollerKit(stack, ms_fake, cert_dir)


def key_line(app):
    """A distinctive line of the app's private key, which must never show up anywhere."""
    return app.certificate.key_pem.splitlines()[5]


@pytest.mark.parametrize("pkcs1", [False, True], ids=["pkcs8-key", "pkcs1-key"])
def test_microsoft365_source_with_a_certificate_delivers_every_event(kit, pkcs1):
    app = kit.new_app(certificate=True)
    audits = kit.add_events(app, "directoryAudits", 120, iso(7200), iso(60))
    signins = kit.add_events(app, "signIns", 80, iso(7200), iso(60))
    source = kit.create_source(app, credentials=app.credentials(pkcs1=pkcs1), page_size=50)
    assert source["credentials"]["set"]

    proc = kit.poll(source)
    counts = collections.Counter(m.key for m in kit.read())
    assert set(counts) == set(audits) | set(signins) and max(counts.values()) == 1
    line = source_lines(proc)[0]
    assert line["outcome"] == "success" and line["events"] == 200
    tokens = kit.requests(kind="token", client_id=app.client_id)
    assert tokens and {t["status"] for t in tokens} == {200}
    assert key_line(app) not in proc.stderr


def test_azuread_with_a_certificate_gets_graph_and_management_tokens(kit):
    app = kit.new_app(certificate=True)
    sub = str(uuid.uuid4())
    risks = kit.add_events(app, "riskDetections", 5, iso(3600), iso(60))
    kit.add_events(app, "provisioning", 7, iso(3600), iso(60))
    kit.add_events(app, "activityLogs", 9, iso(3600), iso(60), subscription=sub)
    source = kit.create_source(app, platform="AzureAD", management_endpoint=kit.enable_arm(),
                               subscription_ids=[sub])

    kit.poll(source)
    assert len(kit.read()) == 21 and len(risks) == 5
    tokens = kit.requests(kind="token", client_id=app.client_id)
    # One assertion per resource: Graph on the fake's own name, ARM on `localhost`.
    assert len(tokens) == 2 and {t["status"] for t in tokens} == {200}


def test_the_key_of_another_certificate_is_refused_by_the_api(kit):
    app = kit.new_app(certificate=True)
    other = appcert.make("another-key-pair")
    credentials = dict(app.credentials(), private_key_pem=other.key_pem)
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "Microsoft365", "source_name": "mismatched", "api_credentials_json": credentials})
    assert r.status_code == 400, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["api_credentials_json.private_key_pem"]
    assert other.key_pem.splitlines()[5] not in r.text and "BEGIN" not in r.text


def test_a_certificate_the_app_does_not_hold_is_bad_credentials(kit):
    app = kit.new_app(certificate=True)
    unregistered = appcert.make("never-uploaded")
    source = kit.create_source(app, credentials=unregistered.credentials(app.tenant, app.client_id))
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["outcome"] == "error" and line["error.kind"] == "bad credentials"
    assert "AADSTS700027" in line["error"] and "The key was not found" in line["error"]
    state = kit.source(source["source_id"])
    assert state["error_count"] == 1 and "AADSTS700027" in state["last_error"]
    for text in (proc.stderr, state["last_error"]):
        assert unregistered.key_pem.splitlines()[5] not in text and "PRIVATE KEY" not in text
    assert kit.source(source["source_id"])["cursor"] == {}


def test_source_test_with_a_certificate(kit):
    app = kit.new_app(certificate=True)
    kit.add_events(app, "directoryAudits", 4, iso(1200), iso(60))
    kit.add_events(app, "signIns", 2, iso(1200), iso(60))
    source = kit.create_source(app)
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources/{source['source_id']}/test")
    assert r.status_code == 200, r.text
    assert {x["stream"]: (x["status"], x["sample_events"]) for x in r.json()["results"]} == {
        "directory_audits": ("ok", 4), "sign_ins": ("ok", 2)}

    # Before anything is stored: a certificate not uploaded to the app registration.
    stranger = appcert.make("not-uploaded")
    draft = {"platform": "Microsoft365", "source_name": "draft",
             "api_credentials_json": stranger.credentials(app.tenant, app.client_id),
             "settings": {"authority_host": kit.fake.base_url, "graph_endpoint": kit.fake.base_url}}
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources/test", json=draft)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert {x["status"] for x in results} == {"bad_credentials"}
    assert "AADSTS700027" in results[0]["detail"]
    assert stranger.key_pem.splitlines()[5] not in r.text
