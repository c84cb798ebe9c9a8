"""Google Workspace Reports through the declarative connector (#13): connectors/google_workspace.json,
the fake Admin SDK Reports API with domain-wide delegation (fakes/google_workspace.py), the API's
validation, the real poller and Kafka."""
import collections

import pytest

from connectorkit import ConnectorKit, by_key, dig, mapped, rfc3339, text
from fakes.process import start_fake
from normalization import first
from pollerkit import iso, source_lines

APPS = {"login": "login_activity", "admin": "admin_activity", "drive": "drive_activity", "token": "token_activity"}
LOGIN_RESULTS = {"login_success": "success", "login_failure": "failure"}


def activity_id(activity):
    return f"{activity['id']['time']}|{activity['id']['uniqueQualifier']}"


def activity(app):
    def expected(item):
        name = item["events"][0].get("name") if item.get("events") else None
        return {"timestamp": rfc3339(item["id"]["time"]),
                "user": first(dig(item, "actor", "email"), dig(item, "actor", "profileId")),
                "activity": text(name), "result": mapped(name, LOGIN_RESULTS) if app == "login" else None,
                "source_ip": text(item.get("ipAddress")), "application": text(dig(item, "id", "applicationName")),
                "log_type": f"google_workspace_{app}"}
    return expected


class WorkspaceKit(ConnectorKit):
    platform = "GoogleWorkspace"

    def new_customer(self, **account):
        customer = self.fake.control("POST", "customers", {"domain": "acme.example", "admins": ["admin@acme.example"],
                                                           "users": ["clerk@acme.example"]})
        key = self.fake.control("POST", "service-accounts", {"customer_id": customer["customer_id"], **account})["key"]
        return customer, key

    def credentials(self, key, admin="admin@acme.example"):
        return {"client_email": key["client_email"], "private_key": key["private_key"],
                "private_key_id": key["private_key_id"], "admin_email": admin}

    def endpoints(self):
        return {"google_reports_url": self.fake.base_url, "google_token_url": f"{self.fake.base_url}/token"}


@pytest.fixture(scope="module")
def workspace_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.google_workspace", cert_dir, seed=19,
                      log_path=tmp_path_factory.mktemp("logs") / "google_workspace.log")
    yield fake
    fake.stop()


@pytest.fixture
def kit(stack, workspace_process, cert_dir):
    workspace_process.control("POST", "reset")
    return WorkspaceKit(stack, workspace_process, cert_dir)


def test_the_api_checks_workspace_credentials(kit):
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "GoogleWorkspace", "source_name": "gws-bad",
        "api_credentials_json": {"client_email": "reports", "private_key": "-----BEGIN PRIVATE KEY-----\nx",
                                 "type": "service_account"},
        "settings": {"google_token_url": "https://oauth2.evil.example/token"}})
    assert r.status_code == 400, r.text
    assert {e["field"] for e in r.json()["errors"]} == {
        "api_credentials_json.client_email", "api_credentials_json.private_key", "api_credentials_json.type",
        "api_credentials_json.admin_email", "settings.google_token_url"}


def test_every_application_is_delivered_once_mapped_field_by_field(kit):
    customer, key = kit.new_customer()
    cid = customer["customer_id"]
    ids = {app: kit.add_events(cid, 40, iso(7000), iso(60), stream=app) for app in APPS}
    source = kit.create_source(kit.credentials(key), page_size=15)
    run = kit.poll(source)
    messages = kit.read()
    counts = by_key(messages)
    assert max(counts.values()) == 1 and len(counts) == 160
    assert source_lines(run)[0]["events"] == 160
    by_type = collections.defaultdict(list)
    for m in messages:
        by_type[m.value["log_type"]].append(m)
    for app, stream in APPS.items():
        originals = {activity_id(a): a for a in kit.fake_events(cid, stream=app)}
        got = by_type[f"google_workspace_{app}"]
        assert {m.key for m in got} == set(originals), app
        kit.check_messages(got, originals, activity(app), source, f"google_workspace_{app}")
    logins = collections.Counter(m.value["result"] for m in by_type["google_workspace_login"])
    assert logins["success"] > 0 and logins["failure"] > 0
    # One token for every page of every application; the delegated admin is its subject.
    assert len(kit.requests(kind="token", tenant=cid)) == 1
    assert set(kit.source(source["source_id"])["cursor"]) == set(APPS.values())
    kit.poll(source)
    assert len(kit.read()) == 160


def test_a_service_account_without_delegation_is_bad_credentials(kit):
    customer, key = kit.new_customer(delegated=False)
    kit.add_events(customer["customer_id"], 5, iso(3000), iso(60), stream="login")
    source = kit.create_source(kit.credentials(key))
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials" and "unauthorized_client" in line["error"]
    assert key["private_key"].splitlines()[3] not in proc.stderr
    assert kit.topic_size() == 0
