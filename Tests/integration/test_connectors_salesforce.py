"""Salesforce SetupAuditTrail and LoginHistory through the declarative connector (#13):
connectors/salesforce.json, the fake org (fakes/salesforce.py: JWT bearer flow, SOQL query API),
the API's validation, the real poller and Kafka."""
import collections

import pytest

from connectorkit import ConnectorKit, by_key, dig, rfc3339, text
from fakes.gcpauth import new_key
from fakes.process import start_fake
from normalization import first
from pollerkit import iso, source_lines

STREAMS = {"SetupAuditTrail": "salesforce_setup_audit", "LoginHistory": "salesforce_login"}


def sf_time(value):
    """2026-12-04T16:00:00.000+0000 → RFC 3339 as the poller writes it."""
    return rfc3339(value[:-5] + value[-5:-2] + ":" + value[-2:])


def setup_audit(record):
    return {"timestamp": sf_time(record["CreatedDate"]),
            "user": first(dig(record, "CreatedBy", "Username"), record.get("DelegateUser")),
            "activity": text(record.get("Action")), "result": None, "source_ip": None,
            "application": text(record.get("Section")), "log_type": "salesforce_setup_audit"}


def login(record):
    return {"timestamp": sf_time(record["LoginTime"]), "user": text(record.get("UserId")),
            "activity": text(record.get("LoginType")),
            "result": "success" if record["Status"] == "Success" else "failure",
            "source_ip": text(record.get("SourceIp")), "application": text(record.get("Application")),
            "log_type": "salesforce_login"}


class SalesforceKit(ConnectorKit):
    platform = "Salesforce"

    def new_org(self, **app):
        org = self.fake.control("POST", "orgs", {})
        connected = self.fake.control("POST", "connected-apps", {"org_id": org["org_id"], **app})
        return org, connected

    def credentials(self, org, connected, **override):
        return {"consumer_key": connected["consumer_key"], "username": org["users"][0]["Username"],
                "private_key_pem": connected["private_key"], **override}

    def endpoints(self):
        return {"salesforce_instance_url": self.fake.base_url, "salesforce_login_url": self.fake.base_url}


@pytest.fixture(scope="module")
def salesforce_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.salesforce", cert_dir, seed=23, log_path=tmp_path_factory.mktemp("logs") / "salesforce.log")
    yield fake
    fake.stop()


@pytest.fixture
def kit(stack, salesforce_process, cert_dir):
    salesforce_process.control("POST", "reset")
    return SalesforceKit(stack, salesforce_process, cert_dir)


def test_the_api_checks_salesforce_credentials_and_settings(kit):
    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "Salesforce", "source_name": "sf-bad",
        "api_credentials_json": {"consumer_key": "short", "username": "nobody", "private_key_pem": "x"},
        "settings": {"salesforce_login_url": "https://login.evil.example"}})
    assert r.status_code == 400, r.text
    assert {e["field"] for e in r.json()["errors"]} == {
        "api_credentials_json.consumer_key", "api_credentials_json.username", "api_credentials_json.private_key_pem",
        "settings.salesforce_login_url", "settings.salesforce_instance_url"}


def test_both_objects_are_delivered_once_mapped_field_by_field(kit):
    org, connected = kit.new_org()
    oid = org["org_id"]
    for stream in STREAMS:
        kit.add_events(oid, 450, iso(7000), iso(60), stream=stream)
    source = kit.create_source(kit.credentials(org, connected), page_size=200)
    run = kit.poll(source)
    messages = kit.read()
    counts = by_key(messages)
    assert len(counts) == 900 and max(counts.values()) == 1
    assert source_lines(run)[0]["events"] == 900
    by_type = collections.defaultdict(list)
    for m in messages:
        by_type[m.value["log_type"]].append(m)
    for stream, log_type in STREAMS.items():
        originals = {e["Id"]: e for e in kit.fake_events(oid, stream=stream)}
        got = by_type[log_type]
        assert {m.key for m in got} == set(originals), stream
        expected = setup_audit if stream == "SetupAuditTrail" else login
        for m in got:
            want, raw = expected(originals[m.key]), m.value["raw_log"]
            for field, value in want.items():
                assert m.value[field] == value, (field, m.key)
            # raw_log is the record as the query API returned it: the selected fields of the original.
            assert raw["attributes"]["type"] == stream
            assert all(raw[k] == v for k, v in originals[m.key].items() if k in raw and k != "CreatedBy")
    # One token; the query pages followed nextRecordsUrl on the instance.
    assert len(kit.requests(kind="token", tenant=oid)) == 1
    data = kit.requests(kind="data", tenant=oid)
    assert any("/query/" in c["path"] for c in data) and all(c["status"] == 200 for c in data)
    assert set(kit.source(source["source_id"])["cursor"]) == {"setup_audit_trail", "login_history"}
    kit.poll(source)
    assert len(kit.read()) == 900


def test_an_unapproved_user_or_a_foreign_key_is_bad_credentials(kit):
    org, connected = kit.new_org(approved_users=["someone@else.example"])
    source = kit.create_source(kit.credentials(org, connected))
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials" and "invalid_grant" in line["error"]

    org, connected = kit.new_org()
    forged = new_key()[0]
    source = kit.create_source(kit.credentials(org, connected, private_key_pem=forged))
    proc = kit.run_poller("--source", source["source_id"])
    line = source_lines(proc)[0]
    assert line["error.kind"] == "bad credentials"
    assert forged.splitlines()[3] not in proc.stderr
