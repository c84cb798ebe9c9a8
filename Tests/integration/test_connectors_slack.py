"""Slack Audit Logs through the declarative connector (#13): connectors/slack.json, the fake
Slack Enterprise organization (fakes/slack.py), the API's validation, the real poller, Kafka."""
import json
import time

import pytest

from connectorkit import ConnectorKit, by_key, dig, text
from fakes.process import start_fake
from normalization import first
from pollerkit import iso, source_lines


def slack_entry(entry):
    """The mapping connectors/slack.json declares: the Audit Logs API records no outcome."""
    return {"user": first(dig(entry, "actor", "user", "email"), dig(entry, "actor", "user", "id"),
                          dig(entry, "actor", "app", "name")),
            "activity": text(entry.get("action")), "result": None,
            "source_ip": text(dig(entry, "context", "ip_address")), "application": "Slack",
            "log_type": "slack_audit_log"}


class SlackKit(ConnectorKit):
    platform = "Slack"

    def new_enterprise(self):
        enterprise = self.fake.control("POST", "enterprises", {})
        enterprise["token"] = self.fake.control("POST", "tokens", {"enterprise": enterprise["id"]})["token"]
        return enterprise

    def endpoints(self):
        return {"slack_api_url": self.fake.base_url}


@pytest.fixture(scope="module")
def slack_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.slack", cert_dir, seed=17, log_path=tmp_path_factory.mktemp("logs") / "slack.log")
    yield fake
    fake.stop()


@pytest.fixture
def kit(stack, slack_process, cert_dir):
    slack_process.control("POST", "reset")
    return SlackKit(stack, slack_process, cert_dir)


def test_the_api_checks_slack_credentials_and_settings(kit):
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "Slack", "source_name": "slack-bad",
        "api_credentials_json": {"token": "not-a-slack-token-at-all"},
        "settings": {"slack_api_url": "https://slack.evil.example", "okta_url": "https://acme.okta.com"}})
    assert r.status_code == 400, r.text
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(errors) == {"api_credentials_json.token", "settings.slack_api_url", "settings.okta_url"}, errors
    assert "not-a-slack" not in json.dumps(errors) and "api.slack.com" in errors["settings.slack_api_url"]


def test_a_user_token_source_delivers_every_entry_once_mapped_field_by_field(kit):
    enterprise = kit.new_enterprise()
    ids = kit.add_events(enterprise["id"], 260, iso(7000), iso(60))
    source = kit.create_source({"token": enterprise["token"]}, page_size=40)
    first_run = kit.poll(source)
    messages = kit.read()
    counts = by_key(messages)
    assert set(counts) == set(ids) and max(counts.values()) == 1
    assert source_lines(first_run)[0]["events"] == 260
    originals = {e["id"]: e for e in kit.fake_events(enterprise["id"])}
    kit.check_messages(messages, originals, slack_entry, source, "slack_audit_log")
    for m in messages:
        assert m.value["timestamp"].startswith(
            __import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(originals[m.key]["date_create"])))

    # oldest/latest in unix seconds, the page size, and the cursor echoed on every later page.
    calls = kit.requests(kind="data", tenant=enterprise["id"])
    assert all("oldest=" in c["query"] and "latest=" in c["query"] and "limit=40" in c["query"] for c in calls)
    assert all(("cursor=" in c["query"]) != c["first_page"] for c in calls)

    new = kit.add_events(enterprise["id"], 15, iso(50), iso(5))
    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids) | set(new) and max(counts.values()) == 1
    kit.poll(source)
    assert len(kit.read()) == 275
    assert enterprise["token"] not in first_run.stderr


def test_the_overlap_re_read_repeats_no_entry_of_the_second_its_start_is_rounded_down_to(kit):
    """`oldest` is whole seconds: the overlap re-read asks from the second its start falls in, so
    the entry stamped earlier in that second (delivered by the first poll) comes back and must be
    known as delivered. One entry per second, so that second always holds one (the fleet
    benchmark caught 49 of 2,000 sources repeating one)."""
    enterprise = kit.new_enterprise()
    now = time.time()
    times = [now - 720 + i for i in range(241)]     # the second poll's re-read starts ~600 s back
    ids = kit.fake.control("POST", "events", {"tenant": enterprise["id"], "times": times})["ids"]
    source = kit.create_source({"token": enterprise["token"]})
    kit.poll(source)
    assert set(by_key(kit.read())) == set(ids)
    second = kit.poll(source)
    counts = by_key(kit.read())
    assert max(counts.values()) == 1, [k for k, n in counts.items() if n > 1]
    assert source_lines(second)[0]["events"] == 0


def test_a_revoked_token_is_bad_credentials_and_a_missing_scope_fails_the_stream(kit):
    enterprise = kit.new_enterprise()
    kit.add_events(enterprise["id"], 5, iso(3000), iso(60))
    # A bot token is refused at registration: the Audit Logs API accepts user tokens only.
    bot = kit.fake.control("POST", "tokens", {"enterprise": enterprise["id"], "type": "bot"})["token"]
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "Slack", "source_name": "slack-bot", "api_credentials_json": {"token": bot},
        "settings": {"slack_api_url": kit.fake.base_url}})
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["api_credentials_json.token"]

    source = kit.create_source({"token": enterprise["token"]})
    kit.fake.control("POST", "tokens/revoke", {"tenant": enterprise["id"]})
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials" and "invalid_auth" in line["error"]

    narrow = kit.fake.control("POST", "tokens", {"enterprise": enterprise["id"], "scopes": ["admin.teams:read"]})["token"]
    source = kit.create_source({"token": narrow})
    proc = kit.run_poller("--source", source["source_id"])
    line = source_lines(proc)[0]
    assert line["error.kind"] == "missing permission" and "missing_scope" in line["error"]
    stream = kit.source(source["source_id"])["streams"]["audit_logs"]
    assert stream["state"] == "failing" and "missing_scope" in stream["last_error"]
    assert kit.topic_size() == 0
