"""Tests of the fake Google Cloud (fakes/gcp.py): token endpoint, entries.list, filters,
paging, faults, pacing, generator. No stack needed: a requests client plays the poller."""
import json
import time

import jwt
import pytest

from fakes import gcpfilter, gcpgen
from fakes.gcpauth import new_key
from fakes.process import start_fake

READ_SCOPE = "https://www.googleapis.com/auth/logging.read"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@pytest.fixture(scope="module")
def fake_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.gcp", cert_dir, seed=5, log_path=tmp_path_factory.mktemp("logs") / "gcp-fake.log")
    yield fake
    fake.stop()


@pytest.fixture
def fake(fake_process):
    fake_process.control("POST", "reset")
    return fake_process


@pytest.fixture
def http(fake):
    s = fake.session()
    yield s
    s.close()


def iso(seconds_ago):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds_ago))


def assertion(key, signing_key=None, **override):
    """The assertion the poller would send; `override` changes claims (None removes one)."""
    now = int(time.time())
    claims = {"iss": key["client_email"], "scope": READ_SCOPE, "aud": key["token_uri"], "iat": now, "exp": now + 3600}
    claims.update(override)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, signing_key or key["private_key"], algorithm="RS256",
                      headers={"kid": key["private_key_id"]})


def token_for(http, key, signing_key=None, **override):
    return http.post(key["token_uri"], data={"grant_type": GRANT,
                                             "assertion": assertion(key, signing_key, **override)})


def access_token(http, key):
    r = token_for(http, key)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def list_entries(http, fake, token, **body):
    body.setdefault("resourceNames", [])
    return http.post(f"{fake.base_url}/v2/entries:list", json=body, headers={"Authorization": f"Bearer {token}"})


def read_all(http, fake, token, **body):
    """Every entry of a query, page by page (bounded)."""
    out, pages = [], 0
    while pages < 1000:
        pages += 1
        r = list_entries(http, fake, token, **body)
        assert r.status_code == 200, r.text
        page = r.json()
        out += page.get("entries", [])
        if "nextPageToken" not in page:
            return out, pages
        body["pageToken"] = page["nextPageToken"]
    raise AssertionError("paging did not end")


# --- filter language (pure) ---------------------------------------------------------------
ENTRY = {"logName": "projects/p/logs/cloudaudit.googleapis.com%2Factivity", "severity": "ERROR",
         "timestamp": "2026-11-20T10:00:00.5Z", "protoPayload": {"methodName": "storage.buckets.create",
                                                                "status": {"code": 7}}}


@pytest.mark.parametrize("text,expected", [
    ('logName:"cloudaudit.googleapis.com"', True),
    ('logName="projects/p/logs/cloudaudit.googleapis.com/activity"', True),     # %2F or / alike
    ('logName:"syslog"', False),
    ('timestamp >= "2026-11-20T10:00:00Z" AND timestamp <= "2026-11-20T10:00:00.5Z"', True),
    ('timestamp > "2026-11-20T10:00:00.5Z"', False),
    ("severity>=WARNING", True),
    ("severity<ERROR", False),
    ('protoPayload.methodName="storage.buckets.create" protoPayload.status.code=7', True),  # implicit AND
    ("NOT protoPayload.status.code=7", False),
    ('-logName:"syslog"', True),
    # OR binds tighter than AND in the Logging query language.
    ('logName:"syslog" OR severity=ERROR AND protoPayload.status.code=7', True),
    ('severity=INFO OR logName:"syslog" AND protoPayload.status.code=7', False),
    ('protoPayload.methodName=~"^storage\\.buckets"', True),
    ("protoPayload.authenticationInfo:*", False),
    ("protoPayload.status:*", True),
])
def test_filter_semantics(text, expected):
    assert gcpfilter.matches(gcpfilter.parse(text), ENTRY) is expected


@pytest.mark.parametrize("text", ['timestamp >= ', 'logName:"unterminated', "(severity=ERROR", "cloudaudit",
                                  'timestamp >= "yesterday"', "severity === ERROR", "a=b)"])
def test_unparseable_filters_are_rejected(text):
    with pytest.raises(gcpfilter.FilterError):
        gcpfilter.parse(text)


def test_time_range_comes_from_top_level_conjuncts_only():
    rng = gcpfilter.time_range(gcpfilter.parse(
        'timestamp >= "2026-11-20T10:00:00Z" AND timestamp <= "2026-11-20T11:00:00.000000001Z" AND (a=b OR timestamp<"2020-01-01T00:00:00Z")'))
    assert rng.lo == gcpfilter.parse_ns("2026-11-20T10:00:00Z") and rng.lo_incl
    assert rng.hi == gcpfilter.parse_ns("2026-11-20T11:00:00Z") + 1 and rng.hi_incl


@pytest.mark.parametrize("ns", [0, 1_700_000_000 * 10**9, 1_700_000_000 * 10**9 + 5 * 10**8,
                                1_700_000_000 * 10**9 + 123_456_000, 1_700_000_000 * 10**9 + 123_456_789])
def test_timestamps_round_trip_at_nanosecond_precision(ns):
    assert gcpfilter.parse_ns(gcpfilter.format_ns(ns)) == ns


# --- token endpoint -----------------------------------------------------------------------
def test_a_signed_assertion_gets_a_token(fake, http):
    key = fake.control("POST", "service-accounts", {"project_id": "acme-prod"})["key"]
    assert key["type"] == "service_account" and key["token_uri"] == f"{fake.base_url}/token"
    assert key["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    r = token_for(http, key)
    assert r.status_code == 200 and r.headers["Cache-Control"].startswith("no-cache")
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599 and body["access_token"].startswith("ya29.")
    [rec] = fake.control("GET", "requests", kind="token")["value"]
    assert rec["project"] == "acme-prod" and rec["client_email"] == key["client_email"] and rec["status"] == 200


def test_an_uploaded_public_key_is_accepted(fake, http):
    private, public = new_key()
    key = fake.control("POST", "service-accounts", {"project_id": "acme-prod", "public_key_pem": public,
                                                    "private_key_id": "abcdef0123456789"})["key"]
    assert "private_key" not in key and key["private_key_id"] == "abcdef0123456789"
    assert token_for(http, dict(key, private_key=private)).status_code == 200


@pytest.mark.parametrize("override,error,fragment", [
    ({"signing_key": new_key()[0]}, "invalid_grant", "Invalid JWT Signature."),
    ({"iss": "ghost@acme-prod.iam.gserviceaccount.com"}, "invalid_grant", "account not found"),
    ({"aud": "https://oauth2.googleapis.com/token"}, "invalid_grant", "Failed audience check"),
    ({"exp": int(time.time()) + 7200}, "invalid_grant", "short-lived"),
    ({"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, "invalid_grant", "short-lived"),
    ({"scope": None}, "invalid_scope", "scope"),
])
def test_token_endpoint_refuses_bad_assertions(fake, http, override, error, fragment):
    key = fake.control("POST", "service-accounts", {"project_id": "acme-prod"})["key"]
    r = token_for(http, key, **override)
    assert r.status_code == 400
    assert r.json()["error"] == error and fragment in r.json()["error_description"]


def test_token_endpoint_refuses_bad_forms(fake, http):
    key = fake.control("POST", "service-accounts", {"project_id": "acme-prod"})["key"]
    url = key["token_uri"]
    r = http.post(url, data={"grant_type": "client_credentials", "assertion": "x"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = http.post(url, data={"grant_type": GRANT})
    assert r.status_code == 400 and "assertion" in r.json()["error_description"]
    r = http.post(url, data={"grant_type": GRANT, "assertion": "not.a.jwt"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    none_alg = jwt.encode({"iss": key["client_email"]}, None, algorithm="none")
    r = http.post(url, data={"grant_type": GRANT, "assertion": none_alg})
    assert r.status_code == 400 and "Signature" in r.json()["error_description"]


# --- entries.list -------------------------------------------------------------------------
def setup_project(fake, http, project="acme-prod", **account):
    key = fake.control("POST", "service-accounts", {"project_id": project, **account})["key"]
    return key, access_token(http, key)


def test_auth_and_scope_are_checked(fake, http):
    key, token = setup_project(fake, http)
    r = list_entries(http, fake, "not-a-token", resourceNames=["projects/acme-prod"])
    assert r.status_code == 401 and r.json()["error"]["status"] == "UNAUTHENTICATED"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    narrow = token_for(http, key, scope="https://www.googleapis.com/auth/devstorage.read_only").json()["access_token"]
    r = list_entries(http, fake, narrow, resourceNames=["projects/acme-prod"])
    assert r.status_code == 403 and r.json()["error"]["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    r = list_entries(http, fake, token, resourceNames=["projects/other-project"])
    assert r.status_code == 403 and "logging.logEntries.list" in r.json()["error"]["message"]
    assert fake.control("POST", "tokens/revoke", {})["revoked"] == 2
    assert list_entries(http, fake, token, resourceNames=["projects/acme-prod"]).status_code == 401


@pytest.mark.parametrize("body,fragment", [
    ({"filter": "timestamp >= "}, "Unparseable filter"),
    ({"orderBy": "severity asc"}, "orderBy"),
    ({"pageSize": 1001}, "pageSize"),
    ({"pageSize": -1}, "pageSize"),
    ({"resourceNames": []}, "resourceNames"),
    ({"resourceNames": ["organizations/123"]}, "resource name"),
    ({"colour": "blue"}, "Unknown name"),
    ({"pageToken": "garbage"}, "page token"),
])
def test_invalid_requests_are_invalid_argument(fake, http, body, fragment):
    _, token = setup_project(fake, http)
    body = {"resourceNames": ["projects/acme-prod"], **body}
    r = list_entries(http, fake, token, **body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["status"] == "INVALID_ARGUMENT" and err["code"] == 400 and fragment in err["message"]


def test_filter_window_and_order_are_applied(fake, http):
    _, token = setup_project(fake, http)
    made = fake.control("POST", "entries", {"project": "acme-prod", "count": 30, "start": iso(3600), "end": iso(60)})
    fake.control("POST", "entries", {"project": "acme-prod", "log": "syslog", "count": 10, "start": iso(3600),
                                     "end": iso(60)})
    times = sorted((e["timestamp"] for e in made["entries"]), key=gcpfilter.parse_ns)
    lo, hi = times[5], times[24]
    flt = f'timestamp >= "{lo}" AND timestamp <= "{hi}" AND (logName:"cloudaudit.googleapis.com")'
    asc, _ = read_all(http, fake, token, resourceNames=["projects/acme-prod"], filter=flt, pageSize=7)
    assert [e["timestamp"] for e in asc] == times[5:25]
    desc, _ = read_all(http, fake, token, resourceNames=["projects/acme-prod"], filter=flt, pageSize=7,
                       orderBy="timestamp desc")
    assert [e["timestamp"] for e in desc] == times[5:25][::-1]
    everything, _ = read_all(http, fake, token, resourceNames=["projects/acme-prod"], pageSize=1000)
    assert len(everything) == 40
    default_page = list_entries(http, fake, token, resourceNames=["projects/acme-prod"]).json()
    assert len(default_page["entries"]) == 40 and "nextPageToken" not in default_page  # default pageSize 50


def test_pages_are_a_stable_snapshot(fake, http):
    _, token = setup_project(fake, http)
    fake.control("POST", "entries", {"project": "acme-prod", "count": 20, "start": iso(3600), "end": iso(600)})
    body = {"resourceNames": ["projects/acme-prod"], "pageSize": 8}
    first = list_entries(http, fake, token, **body).json()
    # Entries arriving mid-iteration (even older ones) do not shift the pages already under way.
    fake.control("POST", "entries", {"project": "acme-prod", "count": 5, "start": iso(3500), "end": iso(3400)})
    rest, _ = read_all(http, fake, token, **body, pageToken=first["nextPageToken"])
    assert len(first["entries"]) + len(rest) == 20
    again, _ = read_all(http, fake, token, **body)
    assert len(again) == 25
    # A token only works with the arguments it was issued for.
    r = list_entries(http, fake, token, resourceNames=["projects/acme-prod"], filter="severity>=ERROR",
                     pageToken=first["nextPageToken"])
    assert r.status_code == 400 and "doesn't match" in r.json()["error"]["message"]


def test_empty_results_leave_out_entries(fake, http):
    _, token = setup_project(fake, http)
    r = list_entries(http, fake, token, resourceNames=["projects/acme-prod"])
    assert r.status_code == 200 and r.json() == {}


def test_partial_pages_precede_results(fake, http):
    _, token = setup_project(fake, http)
    fake.control("POST", "entries", {"project": "acme-prod", "count": 3})
    fake.control("POST", "config", {"partial_pages": 2})
    first = list_entries(http, fake, token, resourceNames=["projects/acme-prod"]).json()
    assert set(first) == {"nextPageToken"}
    entries, pages = read_all(http, fake, token, resourceNames=["projects/acme-prod"])
    assert len(entries) == 3 and pages == 3


def test_readable_projects_are_listed_together(fake, http):
    _, token = setup_project(fake, http, readable_projects=["hub-project"])
    fake.control("POST", "entries", {"project": "acme-prod", "count": 4})
    fake.control("POST", "entries", {"project": "hub-project", "count": 6})
    fake.control("POST", "entries", {"project": "unrelated", "count": 9})
    both, _ = read_all(http, fake, token, resourceNames=["projects/acme-prod", "projects/hub-project"])
    assert len(both) == 10
    assert {e["logName"].split("/")[1] for e in both} == {"acme-prod", "hub-project"}


def test_late_entries_become_visible_with_an_old_timestamp(fake, http):
    _, token = setup_project(fake, http)
    late = fake.control("POST", "entries/late", {"project": "acme-prod", "lag_s": 1800, "count": 2})["entries"]
    got, _ = read_all(http, fake, token, resourceNames=["projects/acme-prod"],
                      filter=f'timestamp <= "{iso(1700)}"')
    assert {e["insertId"] for e in got} == {e["insertId"] for e in late}


# --- faults, quota and observation --------------------------------------------------------
def test_quota_fault_has_googles_shape_and_no_retry_after(fake, http):
    _, token = setup_project(fake, http)
    fake.control("POST", "faults", {"path": "entries:list", "kind": "429", "count": 1})
    fake.control("POST", "faults", {"path": "entries:list", "kind": "502", "count": 1})
    fake.control("POST", "faults", {"path": "entries:list", "kind": "503", "count": 1, "retry_after": 4})
    fake.control("POST", "faults", {"path": "entries:list", "kind": "malformed", "count": 1})
    r = list_entries(http, fake, token, resourceNames=["projects/acme-prod"])
    assert r.status_code == 429 and "Retry-After" not in r.headers
    err = r.json()["error"]
    assert err["status"] == "RESOURCE_EXHAUSTED" and "Read requests per minute" in err["message"]
    assert err["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    r = list_entries(http, fake, token, resourceNames=["projects/acme-prod"])
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    r = list_entries(http, fake, token, resourceNames=["projects/acme-prod"])
    assert r.status_code == 503 and r.headers["Retry-After"] == "4" and r.json()["error"]["status"] == "UNAVAILABLE"
    r = list_entries(http, fake, token, resourceNames=["projects/acme-prod"])
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    assert list_entries(http, fake, token, resourceNames=["projects/acme-prod"]).status_code == 200


def test_per_project_quota_and_pacing_counter(fake, http):
    _, token_a = setup_project(fake, http, project="proj-a")
    _, token_b = setup_project(fake, http, project="proj-b")
    fake.control("POST", "config", {"rate_limit": {"requests": 3, "window_s": 60}})
    statuses = [list_entries(http, fake, token_a, resourceNames=["projects/proj-a"]).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    # Another project has its own quota.
    assert list_entries(http, fake, token_b, resourceNames=["projects/proj-b"]).status_code == 200
    pacing = fake.control("GET", "pacing", window_s=60)["max_in_window"]
    assert pacing == {"proj-a": 5, "proj-b": 1}
    counters = fake.control("GET", "counters")
    assert counters["data"]["total"] == 6 and counters["token"]["total"] == 2


def test_generated_entries_are_realistic_and_deterministic(fake):
    made = fake.control("POST", "entries", {"project": "acme-prod", "count": 60, "start": iso(3600), "end": iso(60)})
    entries = fake.control("GET", "entries", project="acme-prod")["entries"]
    assert len(entries) == 60 == made["count"]
    for e in entries:
        p = e["protoPayload"]
        assert p["@type"] == gcpgen.AUDIT_TYPE
        assert e["logName"] == "projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity"
        assert {"insertId", "timestamp", "receiveTimestamp", "resource", "severity"} <= set(e)
        assert e["resource"]["labels"]["project_id"] == "acme-prod"
        assert p["serviceName"].endswith(".googleapis.com") and p["methodName"] and p["resourceName"]
        assert {"callerIp", "callerSuppliedUserAgent"} <= set(p["requestMetadata"])
        assert "principalEmail" in p["authenticationInfo"]
        assert gcpfilter.parse_ns(e["receiveTimestamp"]) >= gcpfilter.parse_ns(e["timestamp"])
    assert any(p.get("status", {}).get("code") for p in (e["protoPayload"] for e in entries))
    assert len({e["insertId"] for e in entries}) == 60
    # Same seed, same calls: the same entries (a fresh project name restarts the serials).
    fake.control("POST", "reset")
    again = fake.control("POST", "entries", {"project": "acme-prod", "count": 60, "times": [
        e["timestamp"] for e in made["entries"]]})
    assert [e["insertId"] for e in again["entries"]] == [e["insertId"] for e in made["entries"]]


def test_system_events_have_no_caller(fake):
    fake.control("POST", "entries", {"project": "acme-prod", "count": 5, "log": "system_event"})
    for e in fake.control("GET", "entries", project="acme-prod")["entries"]:
        assert e["protoPayload"]["authenticationInfo"] == {} and "requestMetadata" not in e["protoPayload"]
        assert e["logName"].endswith("%2Fsystem_event")



def test_stream_mode_feeds_the_audit_logs_of_every_account_project(fake):
    for project in ("acme-prod", "acme-dev"):
        fake.control("POST", "service-accounts", {"project_id": project})
    st = fake.stream_until_done({"interval_s": 0.2, "batch": 2, "max_events": 16})
    assert st["added"] == 16 and st["logs"] == list(gcpgen.LOGS) and "error" not in st
    for project in ("acme-prod", "acme-dev"):
        entries = fake.control("GET", "entries", project=project)["entries"]
        assert {e["logName"] for e in entries} == {gcpgen.log_name(project, log) for log in gcpgen.LOGS}
        assert all(time.time() - 10 < gcpfilter.parse_ns(e["timestamp"]) / 1e9 <= time.time() for e in entries)
    st = fake.stream_until_done({"interval_s": 0.2, "batch": 3, "max_events": 3, "projects": ["acme-dev"],
                                 "logs": ["data_access"]})
    assert st["added"] == 3 and len(fake.control("GET", "entries", project="acme-dev")["entries"]) == 11
    with pytest.raises(Exception, match="logs must be a list of"):
        fake.control("POST", "stream", {"logs": "activity"})


def test_state_file_survives_a_restart(cert_dir, tmp_path):
    state = tmp_path / "gcp-state.json"
    first = start_fake("fakes.gcp", cert_dir, state_file=state)
    try:
        key = first.control("POST", "service-accounts", {"project_id": "acme-prod"})["key"]
        first.control("POST", "entries", {"project": "acme-prod", "count": 4})
    finally:
        assert first.stop() == 0
    second = start_fake("fakes.gcp", cert_dir, state_file=state)
    try:
        assert len(second.control("GET", "entries", project="acme-prod")["entries"]) == 4
        s = second.session()
        key = dict(key, token_uri=f"{second.base_url}/token")
        assert token_for(s, key).status_code == 200
        s.close()
    finally:
        second.stop()
