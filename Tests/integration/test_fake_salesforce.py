"""Tests of the fake Salesforce (fakes/salesforce.py, fakes/soql.py): OAuth JWT bearer, SOQL over
SetupAuditTrail and LoginHistory, nextRecordsUrl paging, windows, session expiry, API limits,
faults, request log. A requests client plays the collector."""
import time

import jwt
import pytest
import requests

from fakes.gcpauth import new_key
from fakes.pytest_fixtures import fake_fixtures
from fakes.sfgen import sf_time

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
USER = "integration@acme.example"
T0 = 1_796_400_000_000   # 2026-12-04T16:00:00Z in epoch ms
AUDIT = ("SELECT Id, Action, Section, CreatedDate, CreatedBy.Username, Display, DelegateUser FROM SetupAuditTrail "
         "WHERE CreatedDate >= {lo} AND CreatedDate < {hi} ORDER BY CreatedDate")
LOGINS = ("SELECT Id, LoginTime, UserId, SourceIp, Status, Application, LoginType FROM LoginHistory "
          "WHERE LoginTime >= {lo} AND LoginTime < {hi} ORDER BY LoginTime")

sf_process, sf, http = fake_fixtures("fakes.salesforce", "sf", seed=6)


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def org(sf, org_id="00D5g0000ACME0EAA", **app):
    sf.control("POST", "orgs", {"org_id": org_id, "usernames": [USER]})
    return sf.control("POST", "connected-apps", {"org_id": org_id, **app})


def assertion(app, key=None, **override):
    claims = {"iss": app["consumer_key"], "sub": USER, "aud": app["login_url"], "exp": int(time.time()) + 120}
    claims.update(override)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key or app["private_key"], algorithm="RS256")


def token_for(http, app, key=None, **override):
    return http.post(app["token_url"], data={"grant_type": GRANT, "assertion": assertion(app, key, **override)})


def session(http, app):
    r = token_for(http, app)
    assert r.status_code == 200, r.text
    return r.json()["instance_url"], {"Authorization": f"Bearer {r.json()['access_token']}"}


def query(http, base, headers, soql, batch=None, version="60.0"):
    h = dict(headers, **({"Sforce-Query-Options": f"batchSize={batch}"} if batch else {}))
    return http.get(f"{base}/services/data/v{version}/query", params={"q": soql}, headers=h)


def query_all(http, base, headers, soql, batch=None):
    """Every record of a query through nextRecordsUrl (bounded); (records, pages, first page)."""
    r = query(http, base, headers, soql, batch)
    assert r.status_code == 200, r.text
    first = page = r.json()
    records, pages = list(page["records"]), 1
    while not page["done"] and pages < 100:
        r = http.get(base + page["nextRecordsUrl"], headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        records += page["records"]
        pages += 1
    assert page["done"] and "nextRecordsUrl" not in page
    return records, pages, first


# --- OAuth --------------------------------------------------------------------------------
def test_jwt_bearer_gets_a_session_on_the_fakes_instance(sf, http):
    app = org(sf)
    r = token_for(http, app)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["instance_url"] == sf.base_url and body["token_type"] == "Bearer" and body["scope"] == "api"
    assert body["access_token"].startswith("00D5g0000ACME0EAA!") and body["id"].startswith(f"{sf.base_url}/id/00D5g")
    r = query(http, body["instance_url"], {"Authorization": f"Bearer {body['access_token']}"}, "SELECT Id FROM LoginHistory")
    assert r.status_code == 200 and r.json() == {"totalSize": 0, "done": True, "records": []}
    assert r.headers["Sforce-Limit-Info"] == "api-usage=1/15000"


@pytest.mark.parametrize("override,error,description", [
    ({"key": new_key()[0]}, "invalid_grant", "invalid assertion"),
    ({"iss": "3MVG9unknown"}, "invalid_client_id", "client identifier invalid"),
    ({"aud": "https://login.salesforce.com"}, "invalid_grant", "audience is invalid"),
    ({"exp": int(time.time()) + 600}, "invalid_grant", "expired authorization code"),
    ({"exp": int(time.time()) - 10}, "invalid_grant", "expired authorization code"),
    ({"sub": "nobody@acme.example"}, "invalid_grant", "user hasn't approved this consumer"),
])
def test_bad_assertions_are_refused(sf, http, override, error, description):
    app = org(sf)
    key = override.pop("key", None)
    r = token_for(http, app, key, **override)
    assert r.status_code == 400 and r.json() == {"error": error, "error_description": description}


def test_unapproved_users_uploaded_keys_and_grant_types(sf, http):
    private, public = new_key()
    app = org(sf, public_key_pem=public, approved_users=["someone-else@acme.example"])
    assert "private_key" not in app
    r = token_for(http, app, private)
    assert r.status_code == 400 and r.json()["error_description"] == "user hasn't approved this consumer"
    r = http.post(app["token_url"], data={"grant_type": "password", "username": USER, "password": "x"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


def test_expired_sessions_are_invalid_session_id_until_a_new_token(sf, http):
    app = org(sf)
    base, headers = session(http, app)
    assert sf.control("POST", "tokens/expire", {})["expired"] == 1
    r = query(http, base, headers, "SELECT Id FROM SetupAuditTrail")
    assert r.status_code == 401 and r.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert query(http, base, {}, "SELECT Id FROM SetupAuditTrail").status_code == 401
    base, headers = session(http, app)
    assert query(http, base, headers, "SELECT Id FROM SetupAuditTrail").status_code == 200


# --- SOQL and paging ----------------------------------------------------------------------
def test_setup_audit_trail_pages_through_next_records_url(sf, http):
    app = org(sf)
    base, headers = session(http, app)
    sf.control("POST", "events", {"tenant": "00D5g0000ACME0EAA", "stream": "SetupAuditTrail", "count": 450,
                                  "start": T0 / 1000, "end": T0 / 1000 + 4500})
    records, pages, first = query_all(http, base, headers, AUDIT.format(lo=iso(T0), hi=iso(T0 + 4_500_001)), batch=200)
    assert pages == 3 and len(records) == 450 == first["totalSize"] and len({r["Id"] for r in records}) == 450
    assert first["nextRecordsUrl"].startswith("/services/data/v60.0/query/01g") and first["nextRecordsUrl"].endswith("-200")
    assert [r["CreatedDate"] for r in records] == sorted(r["CreatedDate"] for r in records)
    r = records[0]
    assert list(r) == ["attributes", "Id", "Action", "Section", "CreatedDate", "CreatedBy", "Display", "DelegateUser"]
    assert r["attributes"] == {"type": "SetupAuditTrail", "url": f"/services/data/v60.0/sobjects/SetupAuditTrail/{r['Id']}"}
    assert r["CreatedBy"]["attributes"]["type"] == "User" and r["CreatedBy"]["Username"].endswith("@acme.example")
    assert r["CreatedDate"].endswith("+0000") and len(r["CreatedDate"]) == 28
    assert query_all(http, base, headers, AUDIT.format(lo=iso(T0), hi=iso(T0 + 4_500_001)))[1] == 1  # batches of 2000


def test_windows_are_exact_at_the_boundaries(sf, http):
    app = org(sf)
    base, headers = session(http, app)
    times = [T0 - 1, T0, T0 + 1, T0 + 999, T0 + 1000]
    sf.control("POST", "events", {"tenant": "00D5g0000ACME0EAA", "stream": "LoginHistory",
                                  "times": [t / 1000 for t in times]})
    records, _, _ = query_all(http, base, headers, LOGINS.format(lo=iso(T0), hi=iso(T0 + 1000)))
    assert [r["LoginTime"] for r in records] == [sf_time(t) for t in (T0, T0 + 1, T0 + 999)]
    inclusive = LOGINS.replace("LoginTime < {hi}", "LoginTime <= {hi}").format(lo="2026-12-04T17:00:00+01:00",
                                                                                hi=iso(T0 + 1000))
    assert len(query_all(http, base, headers, inclusive)[0]) == 4
    assert set(records[0]) == {"attributes", "Id", "LoginTime", "UserId", "SourceIp", "Status", "Application",
                               "LoginType"}


def test_soql_is_case_insensitive_and_honours_order_and_limit(sf, http):
    app = org(sf)
    base, headers = session(http, app)
    sf.control("POST", "events", {"tenant": "00D5g0000ACME0EAA", "stream": "SetupAuditTrail", "count": 30})
    r = query(http, base, headers, "select id, createdby.username, createddate from setupaudittrail "
                                   "order by CreatedDate desc, id desc limit 7")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totalSize"] == 7 and body["done"] is True
    assert list(body["records"][0]) == ["attributes", "Id", "CreatedBy", "CreatedDate"]
    dates = [x["CreatedDate"] for x in body["records"]]
    assert dates == sorted(dates, reverse=True)


def test_a_query_is_fixed_once_it_ran(sf, http):
    app = org(sf)
    base, headers = session(http, app)
    sf.control("POST", "events", {"tenant": "00D5g0000ACME0EAA", "stream": "SetupAuditTrail", "count": 300,
                                  "start": T0 / 1000, "end": T0 / 1000 + 300})
    soql = AUDIT.format(lo=iso(T0), hi=iso(T0 + 400_000))
    first = query(http, base, headers, soql, batch=200).json()
    sf.control("POST", "events", {"tenant": "00D5g0000ACME0EAA", "stream": "SetupAuditTrail", "count": 5,
                                  "start": T0 / 1000 + 1, "end": T0 / 1000 + 2})
    rest = http.get(base + first["nextRecordsUrl"], headers=headers).json()
    assert len(first["records"]) + len(rest["records"]) == 300 == rest["totalSize"] and rest["done"]
    # Another org's session cannot read the locator; an unknown one is invalid.
    other = org(sf, "00D5g0000GLOBXEAA")
    _, other_headers = session(http, other)
    for url, h in ((first["nextRecordsUrl"], other_headers), ("/services/data/v60.0/query/01g5gNOPE-200", headers)):
        r = http.get(base + url, headers=h)
        assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


@pytest.mark.parametrize("soql,code,fragment", [
    ("SELECT FROM SetupAuditTrail", "MALFORMED_QUERY", "unexpected token: FROM"),
    ("SELECT Id FROM", "MALFORMED_QUERY", "<EOF>"),
    ("SELECT Id FROM EventLogFile", "INVALID_TYPE", "sObject type 'EventLogFile' is not supported"),
    ("SELECT Id, Colour FROM SetupAuditTrail", "INVALID_FIELD", "No such column 'Colour' on entity 'SetupAuditTrail'"),
    ("SELECT CreatedBy.Shoe FROM SetupAuditTrail", "INVALID_FIELD", "No such column 'Shoe' on entity 'User'"),
    ("SELECT Owner.Name FROM SetupAuditTrail", "INVALID_FIELD", "relationship 'Owner'"),
    ("SELECT Id FROM SetupAuditTrail WHERE Action = 'createdUser'", "MALFORMED_QUERY", "CreatedDate only"),
    ("SELECT Id FROM SetupAuditTrail WHERE CreatedDate >= '2026-12-04T16:00:00Z'", "INVALID_FIELD", "dateTime"),
    ("SELECT Id FROM SetupAuditTrail WHERE CreatedDate >= 2026-12-04", "INVALID_FIELD", "dateTime"),
    ("SELECT Id FROM SetupAuditTrail WHERE CreatedDate = LAST_N_DAYS:1", "MALFORMED_QUERY", "LAST_N_DAYS"),
    ("SELECT Id FROM SetupAuditTrail WHERE CreatedDate >= 2026-12-04T16:00:00Z OR CreatedDate < 2026-12-05T00:00:00Z",
     "MALFORMED_QUERY", "unexpected token: OR"),
    ("SELECT Id FROM LoginHistory ORDER BY Status", "MALFORMED_QUERY", "LoginTime"),
    ("SELECT Id FROM LoginHistory LIMIT lots", "MALFORMED_QUERY", "lots"),
    ("SELECT Id FROM LoginHistory GROUP BY Status", "MALFORMED_QUERY", "GROUP"),
])
def test_unsupported_soql_is_refused_like_salesforce(sf, http, soql, code, fragment):
    app = org(sf)
    base, headers = session(http, app)
    r = query(http, base, headers, soql)
    assert r.status_code == 400, r.text
    [err] = r.json()
    assert err["errorCode"] == code and fragment in err["message"] and "ERROR at Row:1:Column:" in err["message"]


# --- limits, faults, request log, generator -----------------------------------------------
def test_request_limit_exceeded(sf, http):
    app = org(sf)
    base, headers = session(http, app)
    sf.control("POST", "config", {"rate_limit": {"requests": 3, "window_s": 86400}})
    got = [query(http, base, headers, "SELECT Id FROM LoginHistory") for _ in range(4)]
    assert [g.status_code for g in got] == [200, 200, 200, 403]
    assert [g.headers["Sforce-Limit-Info"] for g in got] == [f"api-usage={n}/3" for n in (1, 2, 3, 3)]
    assert got[3].json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def test_injected_faults_and_unknown_versions(sf, http):
    app = org(sf)
    base, headers = session(http, app)
    for kind in ("500", "503", "reset"):
        sf.control("POST", "faults", {"path": "/query", "kind": kind})
    r = query(http, base, headers, "SELECT Id FROM LoginHistory")
    assert r.status_code == 500 and r.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    r = query(http, base, headers, "SELECT Id FROM LoginHistory")
    assert r.status_code == 503 and r.json()[0]["errorCode"] == "SERVER_UNAVAILABLE" and "Retry-After" not in r.headers
    with pytest.raises(requests.ConnectionError):
        query(http, base, headers, "SELECT Id FROM LoginHistory")
    r = query(http, base, headers, "SELECT Id FROM LoginHistory", version="10.0")
    assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"
    assert query(http, base, headers, "SELECT Id FROM LoginHistory", version="62.0").status_code == 200


def test_request_log(sf, http):
    app = org(sf)
    base, headers = session(http, app)
    sf.control("POST", "events", {"tenant": "00D5g0000ACME0EAA", "stream": "LoginHistory", "count": 250})
    query_all(http, base, headers, "SELECT Id FROM LoginHistory", batch=200)
    reqs = sf.control("GET", "requests")["value"]
    assert [(r["kind"], r["status"], r["first_page"]) for r in reqs] == [
        ("token", 200, True), ("data", 200, True), ("data", 200, False)]
    assert {(r["tenant"], r["client_id"]) for r in reqs} == {("00D5g0000ACME0EAA", app["consumer_key"])}
    assert sf.control("GET", "counters")["data"]["total"] == 2


def test_generated_rows_are_complete_and_deterministic(sf):
    made = {}
    for attempt in range(2):
        sf.control("POST", "reset")
        users = sf.control("POST", "orgs", {"org_id": "00D5g0000ACME0EAA", "usernames": [USER]})["users"]
        made[attempt] = sf.control("POST", "events", {"tenant": "00D5g0000ACME0EAA", "stream": "SetupAuditTrail",
                                                      "count": 30, "start": T0 / 1000, "end": T0 / 1000 + 300})["ids"]
    assert made[0] == made[1]
    user_ids = {u["Id"] for u in users}
    for row in sf.control("GET", "events", tenant="00D5g0000ACME0EAA", stream="SetupAuditTrail")["value"]:
        assert row["Id"].startswith("0Ym") and row["Action"] and row["Section"] and row["Display"] is not None
        assert row["CreatedById"] == row["CreatedBy"]["Id"] and row["CreatedById"] in user_ids
    sf.control("POST", "events", {"tenant": "00D5g0000ACME0EAA", "stream": "LoginHistory", "count": 30})
    rows = sf.control("GET", "events", tenant="00D5g0000ACME0EAA", stream="LoginHistory")["value"]
    assert {r["UserId"] for r in rows} <= user_ids and {r["Status"] for r in rows} > {"Success"}
    assert all(r["Id"].startswith("0Ya") and r["SourceIp"] and r["LoginType"] for r in rows)
