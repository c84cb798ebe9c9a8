"""A fifth connector by declaration alone (#13): the test writes a declaration for an API the
engine has never seen (fakes/acme_audit.py: basic auth, offset paging, unix-second times, a
composite id), points SIEM_CONNECTORS_DIR at it beside the repository's declarations, registers
a source through the API and collects from it with the real poller. No Swift changes."""
import json
import shutil
import subprocess

import pytest

from connectorkit import ConnectorKit, by_key, dig, mapped, text
from fakes.process import start_fake
from pollerkit import iso, source_lines
from stack import ROOT

ACME = {
    "description": "Acme Audit (test only): GET /v2/audit/events, basic auth, offset paging.",
    "platform": "AcmeAudit",
    "label": "Acme Audit (test only)",
    "settings": [{"name": "acme_url", "type": "url", "label": "Acme API URL", "required": True,
                  "hosts": ["api.acme.example"], "default": "https://api.acme.example"}],
    "credentials": {"fields": [
        {"name": "account", "label": "Account", "kind": "text", "pattern": "[a-z0-9-]{3,40}"},
        {"name": "key", "label": "API key", "kind": "secret", "min_length": 16}]},
    "auth": [{"kind": "basic", "username": "{credentials.account}", "password": "{credentials.key}"}],
    "pacing": {"requests": 50, "per_seconds": 10, "key": "{settings.acme_url}|{credentials.account}"},
    "errors": [{"status": 401, "meaning": "bad_credentials", "message_path": "error.message"}],
    "streams": [{
        "name": "acme_events", "label": "Audit events", "log_type": "acme_audit", "default_overlap_minutes": 10,
        "request": {"url": "{settings.acme_url}/v2/audit/events", "time_format": "unix_seconds",
                    "query": {"from": "{window.start}", "to": "{window.end}", "count": "{page_size}"}},
        "paging": {"kind": "offset", "parameter": "skip"},
        "max_page_size": 200,
        "records": "data.events", "id": ["ref.node", "ref.seq"], "time": {"path": "at", "format": "unix_seconds"},
        "mapping": {"user": "who.login", "activity": "what",
                    "result": {"path": "status", "map": {"OK": "success", "DENIED": "failure"}},
                    "source_ip": "from_ip", "application": {"first": ["app", {"const": "acme"}]}}}],
}
RESULTS = {"OK": "success", "DENIED": "failure"}


def looping_stream(name, paging, declared):
    """The same API read with cursor or Link paging (the fake's `paging` parameter)."""
    return dict(ACME["streams"][0], name=name, label=name, log_type=name, paging=declared,
                request=dict(ACME["streams"][0]["request"],
                             query={**ACME["streams"][0]["request"]["query"], "paging": paging}))


# A second made-up platform on the same fake: next_token and link_header paging, for an API in a loop.
ACME_PAGED = dict(ACME, platform="AcmePaged", label="Acme Audit, paged (test only)",
                  settings=[dict(ACME["settings"][0], name="acme_paged_url")],
                  pacing=dict(ACME["pacing"], key="{settings.acme_paged_url}"),
                  streams=[looping_stream("acme_cursor", "cursor", {"kind": "next_token", "path": "next", "parameter": "cursor"}),
                           looping_stream("acme_linked", "link", {"kind": "link_header"})])
for stream in ACME_PAGED["streams"]:
    stream["request"] = dict(stream["request"], url="{settings.acme_paged_url}/v2/audit/events")


def acme_event(ev):
    return {"user": text(dig(ev, "who", "login")), "activity": ev["what"], "result": mapped(ev["status"], RESULTS),
            "source_ip": ev["from_ip"], "application": ev.get("app") or "acme", "log_type": "acme_audit"}


@pytest.fixture(scope="module")
def connectors_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("connectors")
    for path in (ROOT / "connectors").glob("*.json"):
        shutil.copy(path, directory / path.name)
    (directory / "acme_audit.json").write_text(json.dumps(ACME, indent=2))
    (directory / "acme_paged.json").write_text(json.dumps(ACME_PAGED, indent=2))
    return directory


@pytest.fixture(scope="module")
def acme_api(stack, connectors_dir):
    stack.restart_api(SIEM_CONNECTORS_DIR=str(connectors_dir))
    yield
    stack.restart_api()


@pytest.fixture(scope="module")
def acme_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.acme_audit", cert_dir, seed=5, log_path=tmp_path_factory.mktemp("logs") / "acme.log")
    yield fake
    fake.stop()


class AcmeKit(ConnectorKit):
    platform = "AcmeAudit"


@pytest.fixture
def kit(stack, acme_api, acme_process, cert_dir, connectors_dir):
    acme_process.control("POST", "reset")
    kit = AcmeKit(stack, acme_process, cert_dir)
    kit.connectors_dir = connectors_dir
    return kit


def test_a_declared_api_is_served_validated_and_collected(kit):
    r = kit.admin.get(f"{kit.stack.url}/v1/platforms")
    acme = next(p for p in r.json()["platforms"] if p["name"] == "AcmeAudit")
    assert acme["label"] == "Acme Audit (test only)" and [s["name"] for s in acme["streams"]] == ["acme_events"]
    assert [f["name"] for f in acme["credentials"]["fields"]] == ["account", "key"]
    assert acme["defaults"]["acme_url"] == "https://api.acme.example"

    r = kit.admin.post(f"{kit.stack.url}/v1/cloud_api_sources", json={
        "platform": "AcmeAudit", "source_name": "acme-bad", "api_credentials_json": {"account": "A!", "key": "k"},
        "settings": {"acme_url": "https://api.evil.example"}})
    assert r.status_code == 400, r.text
    assert {e["field"] for e in r.json()["errors"]} == {
        "api_credentials_json.account", "api_credentials_json.key", "settings.acme_url"}

    account = kit.fake.control("POST", "accounts", {"account": "acme-soc"})
    ids = kit.add_events("acme-soc", 450, iso(7000), iso(60))
    source = kit.create_source({"account": "acme-soc", "key": account["key"]}, acme_url=kit.fake.base_url, page_size=100)
    env = {"SIEM_CONNECTORS_DIR": kit.connectors_dir}
    first = kit.poll(source, **env)
    messages = kit.read()
    counts = by_key(messages)
    assert set(counts) == set(ids) and max(counts.values()) == 1
    assert source_lines(first)[0]["events"] == 450
    originals = {f"{e['ref']['node']}|{e['ref']['seq']}": e for e in kit.fake_events("acme-soc")}
    kit.check_messages(messages, originals, acme_event, source, "acme_audit")
    # Offset paging: every page but a slice's first skipped what the earlier ones returned.
    calls = kit.requests(kind="data", tenant="acme-soc")
    assert any("skip=100" in c["query"] for c in calls) and all(c["status"] == 200 for c in calls)

    kit.poll(source, **env)
    assert len(kit.read()) == 450
    assert set(kit.source(source["source_id"])["cursor"]) == {"acme_events"}


def test_a_broken_declaration_stops_the_programs_with_one_line_naming_it(kit, tmp_path):
    broken = dict(ACME, streams=[dict(ACME["streams"][0], paging={"kind": "offset"})])
    (tmp_path / "acme_audit.json").write_text(json.dumps(broken))
    for program in ("siem-poller", "siem-ctl"):
        proc = subprocess.run([kit.stack.bin(program), "--help"], env=kit.env(SIEM_CONNECTORS_DIR=tmp_path),
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert lines == [f"{program}: connector declaration {tmp_path}/acme_audit.json: "
                         "$.streams[0].paging.parameter: is required"], lines


def test_cursor_and_link_paging_of_a_declared_api_and_an_api_in_a_loop(kit):
    account = kit.fake.control("POST", "accounts", {"account": "acme-paged"})
    ids = kit.add_events("acme-paged", 120, iso(3000), iso(60))
    env = {"SIEM_CONNECTORS_DIR": kit.connectors_dir}
    kit.platform = "AcmePaged"
    credentials = {"account": "acme-paged", "key": account["key"]}
    source = kit.create_source(credentials, acme_paged_url=kit.fake.base_url, page_size=25)
    kit.poll(source, **env)
    messages = kit.read()
    for log_type in ("acme_cursor", "acme_linked"):
        counts = by_key(m for m in messages if m.value["log_type"] == log_type)
        assert set(counts) == set(ids) and max(counts.values()) == 1, log_type
    calls = kit.requests(kind="data", tenant="acme-paged")
    assert sum(1 for c in calls if "cursor=" in c["query"]) >= 8

    # The API starts handing out the same cursor and next link again: each stream stops with a
    # clear error instead of re-reading the same pages until the run's deadline.
    kit.fake.control("POST", "config", {"loop": True})
    looping = kit.create_source(credentials, acme_paged_url=kit.fake.base_url, page_size=25)
    proc = kit.run_poller("--source", looping["source_id"], **env)
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "malformed response" and "looping" in line["error"]
    streams = kit.source(looping["source_id"])["streams"]
    for name in ("acme_cursor", "acme_linked"):
        assert streams[name]["state"] == "failing" and "repeated an earlier page" in streams[name]["last_error"], name
    assert len([c for c in kit.requests(kind="data", tenant="acme-paged") if c["ts"] > calls[-1]["ts"]]) <= 6


def test_sources_of_a_declaration_taken_away_fail_alone(kit, stack, connectors_dir):
    """The database admits any catalog-shaped platform (sql/013), so a process may meet sources of
    a platform whose declaration it was not given: they fail on their own, nothing else does."""
    account = kit.fake.control("POST", "accounts", {"account": "acme-gone"})
    kit.add_events("acme-gone", 5, iso(3000), iso(60))
    orphan = kit.create_source({"account": "acme-gone", "key": account["key"]}, acme_url=kit.fake.base_url)
    stack.restart_api()   # the repository's declarations only: no AcmeAudit
    try:
        r = kit.admin.get(f"{stack.url}/v1/cloud_api_sources")
        assert r.status_code == 200, r.text
        assert [s["platform"] for s in r.json()["items"] if s["source_id"] == orphan["source_id"]] == ["AcmeAudit"]
        r = kit.admin.get(f"{stack.url}/v1/cloud_api_sources/{orphan['source_id']}")
        assert r.status_code == 200 and r.json()["platform"] == "AcmeAudit", r.text
        proc = kit.run_poller("--source", orphan["source_id"])
        assert proc.returncode == 1, proc.stderr
        line = source_lines(proc)[0]
        assert line["error.kind"] == "configuration" and "AcmeAudit" in line["error"], line
        assert kit.source(orphan["source_id"])["error_count"] == 1
    finally:
        stack.restart_api(SIEM_CONNECTORS_DIR=str(connectors_dir))
