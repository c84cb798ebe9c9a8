"""Okta System Log through the declarative connector (#13): connectors/okta.json, the fake Okta
org (fakes/okta.py), the API's validation, the real siem-poller and Kafka."""
import json

import pytest

from connectorkit import ConnectorKit, by_key, dig, mapped, rfc3339, text
from fakes.gcpauth import new_key
from fakes.process import start_fake
from pollerkit import iso, source_lines

RESULTS = {"SUCCESS": "success", "ALLOW": "success", "FAILURE": "failure", "DENY": "failure"}


def okta_log(event):
    """The mapping connectors/okta.json declares, written again to check the poller against."""
    return {"timestamp": rfc3339(event["published"]), "user": text(dig(event, "actor", "alternateId")),
            "activity": text(event.get("eventType")), "result": mapped(dig(event, "outcome", "result"), RESULTS),
            "source_ip": text(dig(event, "client", "ipAddress")), "application": "Okta",
            "log_type": "okta_system_log"}


class OktaKit(ConnectorKit):
    platform = "Okta"

    def new_org(self, **extra):
        org = f"org{self.topic[-8:]}"
        return self.fake.control("POST", "orgs", {"org": org, **extra})

    def endpoints(self):
        return {"okta_url": self.fake.base_url}


@pytest.fixture(scope="module")
def okta_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.okta", cert_dir, seed=13, log_path=tmp_path_factory.mktemp("logs") / "okta.log")
    yield fake
    fake.stop()


@pytest.fixture
def kit(stack, okta_process, cert_dir):
    okta_process.control("POST", "reset")
    return OktaKit(stack, okta_process, cert_dir)


def test_the_api_checks_okta_credentials_and_settings(kit):
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "Okta", "source_name": "okta-bad",
        "api_credentials_json": {"api_token": "short", "client_id": "0oa1234567890abcdef"},
        "settings": {}})
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("application/problem+json"), r.text
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(errors) == {"api_credentials_json", "settings.okta_url"}, errors
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "Okta", "source_name": "okta-bad",
        "api_credentials_json": {"api_token": "short"},
        "settings": {"okta_url": "https://evil.example.com"}})
    assert r.status_code == 400, r.text
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(errors) == {"api_credentials_json.api_token", "settings.okta_url"}, errors
    assert "*.okta.com" in errors["settings.okta_url"] and "short" not in json.dumps(errors)
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "Okta", "source_name": "okta-bad",
        "api_credentials_json": {"client_id": "0oa1234567890abcdef", "private_key_pem": "not a key"},
        "settings": {"okta_url": "https://acme.okta.com"}})
    assert r.status_code == 400, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"api_credentials_json.private_key_pem"}


def test_an_api_token_source_delivers_every_event_once_mapped_field_by_field(kit):
    org = kit.new_org()
    ids = kit.add_events(org["org"], 230, iso(7000), iso(60))
    source = kit.create_source({"api_token": org["api_token"]}, page_size=50)

    first = kit.poll(source)
    messages = kit.read()
    counts = by_key(messages)
    assert set(counts) == set(ids) and max(counts.values()) == 1
    line = source_lines(first)[0]
    assert line["outcome"] == "success" and line["events"] == 230 and line["platform"] == "Okta"
    originals = {e["uuid"]: e for e in kit.fake_events(org["org"])}
    kit.check_messages(messages, originals, okta_log, source, "okta_system_log")
    results = by_key([type("M", (), {"key": m.value["result"]}) for m in messages])
    assert results["success"] > 0 and results["failure"] > 0

    # The documented request: SSWS, since/until with milliseconds, ascending, the page size; Link paging.
    calls = kit.requests(kind="data", tenant=org["org"])
    assert len(calls) >= 5 and all(c["status"] == 200 for c in calls)
    assert all("sortOrder=ASCENDING" in c["query"] and "limit=50" in c["query"] for c in calls)
    # One first page per slice of the window; every other page followed the Link header's cursor.
    assert all(("after=" in c["query"]) != c["first_page"] for c in calls)
    assert all("since=" in c["query"] and "until=" in c["query"] for c in calls)

    new = kit.add_events(org["org"], 20, iso(50), iso(5))
    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids) | set(new) and max(counts.values()) == 1
    third = kit.poll(source)
    assert len(kit.read()) == 250
    assert source_lines(third)[0]["events"] == 0
    state = kit.source(source["source_id"])
    assert set(state["cursor"]) == {"system_log"}
    assert org["api_token"] not in first.stderr and org["api_token"] not in json.dumps(state)


def test_a_service_app_with_a_private_key_gets_one_token_for_every_page(kit):
    org = kit.new_org()
    client = kit.fake.control("POST", "oauth-clients", {"org": org["org"]})
    ids = kit.add_events(org["org"], 60, iso(3000), iso(60))
    source = kit.create_source({"client_id": client["client_id"], "private_key_pem": client["private_key"],
                                "key_id": client["kid"]}, page_size=20)
    kit.poll(source)
    assert set(by_key(kit.read())) == set(ids)
    tokens = kit.requests(kind="token", tenant=org["org"])
    assert len(tokens) == 1 and tokens[0]["status"] == 200
    assert len(kit.requests(kind="data", tenant=org["org"])) >= 3


def test_a_refused_token_fails_the_source_and_a_non_admin_token_fails_the_stream(kit):
    org = kit.new_org()
    kit.add_events(org["org"], 5, iso(3000), iso(60))
    wrong = kit.create_source({"api_token": "00" + "x" * 40})
    proc = kit.run_poller("--source", wrong["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials" and "Invalid token provided" in line["error"]
    assert kit.source(wrong["source_id"])["error_count"] == 1

    reader = kit.fake.control("POST", "api-tokens", {"org": org["org"], "admin": False})["api_token"]
    denied = kit.create_source({"api_token": reader})
    proc = kit.run_poller("--source", denied["source_id"])
    line = source_lines(proc)[0]
    assert line["error.kind"] == "missing permission" and "E0000006" not in line["error"]
    assert "do not have permission" in line["error"]
    stream = kit.source(denied["source_id"])["streams"]["system_log"]
    assert stream["state"] == "failing" and "do not have permission" in stream["last_error"]
    assert kit.topic_size() == 0


def test_a_private_key_the_app_does_not_have_is_bad_credentials(kit):
    org = kit.new_org()
    client = kit.fake.control("POST", "oauth-clients", {"org": org["org"]})
    forged = new_key()[0]
    source = kit.create_source({"client_id": client["client_id"], "private_key_pem": forged})
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials" and "invalid_client" in line["error"]
    assert forged.splitlines()[3] not in proc.stderr
