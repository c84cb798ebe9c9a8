"""Tests of the fake Google Workspace Reports API (fakes/google_workspace.py): JWT-bearer with
domain-wide delegation, activities.list per application, newest-first paging, windows,
per-application lag, quota errors, faults, request log. A requests client plays the collector."""
import time

import jwt
import pytest

from fakes.gcpauth import new_key
from fakes.pytest_fixtures import fake_fixtures
from fakes.saas import iso_ms

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
ADMIN = "secops-admin@acme.example"
T0 = 1_796_400_000_000   # 2026-12-04T16:00:00Z in epoch ms


gws_process, gws, http = fake_fixtures("fakes.google_workspace", "gws", seed=4)


def customer(gws, **account):
    gws.control("POST", "customers", {"customer_id": "C01acme", "domain": "acme.example", "admins": [ADMIN],
                                      "users": ["intern@acme.example"]})
    return gws.control("POST", "service-accounts", {"customer_id": "C01acme", **account})["key"]


def assertion(key, signing_key=None, **override):
    now = int(time.time())
    claims = {"iss": key["client_email"], "sub": ADMIN, "scope": SCOPE, "aud": key["token_uri"], "iat": now,
              "exp": now + 3600}
    claims.update(override)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, signing_key or key["private_key"], algorithm="RS256",
                      headers={"kid": key["private_key_id"]})


def token_for(http, key, signing_key=None, **override):
    return http.post(key["token_uri"], data={"grant_type": GRANT, "assertion": assertion(key, signing_key, **override)})


def bearer(http, key, **override):
    r = token_for(http, key, **override)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def activities(http, gws, headers, app="login", user="all", **params):
    return http.get(f"{gws.base_url}/admin/reports/v1/activity/users/{user}/applications/{app}",
                    params=params, headers=headers)


def read_all(http, gws, headers, app="login", **params):
    items, pages = [], 0
    while pages < 100:
        r = activities(http, gws, headers, app, **params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["kind"] == "admin#reports#activities"
        items += body.get("items", [])
        pages += 1
        if "nextPageToken" not in body:
            return items, pages
        params["pageToken"] = body["nextPageToken"]
    raise AssertionError("paging did not end")


# --- token endpoint -----------------------------------------------------------------------
def test_delegated_admin_gets_a_token_and_reads_reports(gws, http):
    key = customer(gws)
    assert key["type"] == "service_account" and key["token_uri"] == f"{gws.base_url}/token"
    r = token_for(http, key)
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer" and r.json()["expires_in"] == 3599
    assert r.json()["access_token"].startswith("ya29.")
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert set(activities(http, gws, headers).json()) == {"kind", "etag"}   # no items, no nextPageToken
    [rec] = gws.control("GET", "requests", kind="token")["value"]
    assert rec["tenant"] == "C01acme" and rec["client_id"] == key["client_email"]


@pytest.mark.parametrize("override,status,error,fragment", [
    ({"sub": None}, 401, "unauthorized_client", "unauthorized"),
    ({"sub": "stranger@other.example"}, 401, "unauthorized_client", "unauthorized"),
    ({"scope": "https://www.googleapis.com/auth/admin.directory.user"}, 401, "unauthorized_client", "scopes"),
    ({"signing_key": new_key()[0]}, 400, "invalid_grant", "Invalid JWT Signature."),
    ({"iss": "ghost@x.iam.gserviceaccount.com"}, 400, "invalid_grant", "account not found"),
    ({"aud": "https://oauth2.googleapis.com/token"}, 400, "invalid_grant", "Failed audience check"),
    ({"exp": int(time.time()) + 7200}, 400, "invalid_grant", "short-lived"),
    ({"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, 400, "invalid_grant", "short-lived"),
    ({"scope": None}, 400, "invalid_scope", "scope"),
])
def test_token_refusals(gws, http, override, status, error, fragment):
    key = customer(gws)
    signing_key = override.pop("signing_key", None)
    r = token_for(http, key, signing_key, **override)
    assert r.status_code == status and r.json()["error"] == error and fragment in r.json()["error_description"]


def test_an_account_without_delegation_is_unauthorized(gws, http):
    private, public = new_key()
    key = customer(gws, public_key_pem=public, delegated=False)
    assert "private_key" not in key
    r = token_for(http, key, private)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized_client"
    r = http.post(key["token_uri"], data={"grant_type": "client_credentials", "assertion": "x"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


def test_api_auth_errors(gws, http):
    key = customer(gws)
    r = activities(http, gws, {"Authorization": "Bearer ya29.nope"})
    err = r.json()["error"]
    assert r.status_code == 401 and err["status"] == "UNAUTHENTICATED" and err["errors"][0]["reason"] == "authError"
    intern = bearer(http, key, sub="intern@acme.example")
    r = activities(http, gws, intern)
    assert r.status_code == 401 and "not authorized to read activity records" in r.json()["error"]["message"]
    gws.control("POST", "service-accounts", {"customer_id": "C01acme", "client_email": key["client_email"],
                                             "scopes": [SCOPE, "https://www.googleapis.com/auth/admin.directory.user"]})
    narrow = bearer(http, key, scope="https://www.googleapis.com/auth/admin.directory.user")
    r = activities(http, gws, narrow)
    assert r.status_code == 403 and r.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
    headers = bearer(http, key)
    gws.control("POST", "tokens/expire", {})
    assert activities(http, gws, headers).status_code == 401
    assert activities(http, gws, bearer(http, key)).status_code == 200


# --- activities.list ----------------------------------------------------------------------
def test_paging_newest_first_per_application(gws, http):
    headers = bearer(http, customer(gws))
    made = gws.control("POST", "events", {"tenant": "C01acme", "stream": "drive", "count": 450,
                                          "start": T0 / 1000, "end": T0 / 1000 + 4500})
    gws.control("POST", "events", {"tenant": "C01acme", "stream": "login", "count": 7})
    items, pages = read_all(http, gws, headers, "drive", maxResults=200)
    assert pages == 3 and len(items) == 450 and {i["id"]["applicationName"] for i in items} == {"drive"}
    times = [i["id"]["time"] for i in items]
    assert times == sorted(times, reverse=True) and len(set(made["ids"])) == 450
    assert len(read_all(http, gws, headers, "login")[0]) == 7
    assert read_all(http, gws, headers, "admin") == ([], 1)


def test_start_and_end_time_are_inclusive(gws, http):
    headers = bearer(http, customer(gws))
    times = [T0 - 1, T0, T0 + 1, T0 + 999, T0 + 1000, T0 + 1001]
    gws.control("POST", "events", {"tenant": "C01acme", "stream": "token", "times": [t / 1000 for t in times]})
    items, _ = read_all(http, gws, headers, "token", startTime=iso_ms(T0), endTime=iso_ms(T0 + 1000))
    assert [i["id"]["time"] for i in items] == [iso_ms(t) for t in (T0 + 1000, T0 + 999, T0 + 1, T0)]


def test_filters_and_user_key(gws, http):
    headers = bearer(http, customer(gws))
    gws.control("POST", "events", {"tenant": "C01acme", "stream": "login", "count": 40})
    everything = gws.control("GET", "events", tenant="C01acme", stream="login")["value"]
    failures = [a for a in everything if a["events"][0]["name"] == "login_failure"]
    got, _ = read_all(http, gws, headers, "login", eventName="login_failure")
    assert len(got) == len(failures)
    one = everything[5]
    got, _ = read_all(http, gws, headers, "login", user=one["actor"]["email"])
    assert one["id"] in [g["id"] for g in got] and {g["actor"]["email"] for g in got} == {one["actor"]["email"]}
    got, _ = read_all(http, gws, headers, "login", actorIpAddress=one["ipAddress"])
    assert {g["ipAddress"] for g in got} == {one["ipAddress"]}


def test_per_application_lag_hides_recent_activities(gws, http):
    headers = bearer(http, customer(gws))
    now = time.time()
    for app in ("login", "drive"):
        gws.control("POST", "events", {"tenant": "C01acme", "stream": app, "times": [now - 7200, now - 600, now - 5]})
    gws.control("POST", "config", {"lag_s": {"drive": 3600, "login": 60}})
    assert len(read_all(http, gws, headers, "drive")[0]) == 1
    assert len(read_all(http, gws, headers, "login")[0]) == 2
    gws.control("POST", "config", {"lag_s": {}})
    assert len(read_all(http, gws, headers, "drive")[0]) == 3


def test_pages_are_a_snapshot_and_tokens_belong_to_their_query(gws, http):
    headers = bearer(http, customer(gws))
    gws.control("POST", "events", {"tenant": "C01acme", "stream": "admin", "count": 12, "start": T0 / 1000,
                                   "end": T0 / 1000 + 100})
    first = activities(http, gws, headers, "admin", maxResults=5).json()
    gws.control("POST", "events", {"tenant": "C01acme", "stream": "admin", "count": 4})
    rest, _ = read_all(http, gws, headers, "admin", maxResults=5, pageToken=first["nextPageToken"])
    assert len(first["items"]) + len(rest) == 12
    r = activities(http, gws, headers, "admin", maxResults=5, eventName="CREATE_USER", pageToken=first["nextPageToken"])
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"


@pytest.mark.parametrize("app,params,fragment", [
    ("login", {"startTime": "yesterday"}, "startTime"),
    ("login", {"endTime": "2026-12-04"}, "endTime"),
    ("login", {"startTime": "2026-12-04T12:00:00Z", "endTime": "2026-12-04T11:00:00Z"}, "Start time"),
    ("login", {"startTime": "2020-01-01T00:00:00Z"}, "180 days"),
    ("login", {"maxResults": 1001}, "maxResults"),
    ("login", {"maxResults": 0}, "maxResults"),
    ("login", {"pageToken": "garbage"}, "page token"),
    ("login", {"customerId": "C09other"}, "customerId"),
    ("saml", {}, "Invalid value 'saml'"),
])
def test_bad_parameters_are_invalid(gws, http, app, params, fragment):
    headers = bearer(http, customer(gws))
    r = activities(http, gws, headers, app, **params)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == 400 and err["errors"][0]["reason"] == "invalid" and fragment in err["message"]


# --- quota, faults, generator -------------------------------------------------------------
def test_quota_errors_in_both_shapes(gws, http):
    headers = bearer(http, customer(gws))
    gws.control("POST", "config", {"rate_limit": {"requests": 2, "window_s": 60}})
    got = [activities(http, gws, headers) for _ in range(3)]
    assert [g.status_code for g in got] == [200, 200, 429]
    err = got[2].json()["error"]
    assert err["status"] == "RESOURCE_EXHAUSTED" and err["errors"][0]["reason"] == "rateLimitExceeded"
    assert "Retry-After" not in got[2].headers
    gws.control("POST", "config", {"throttle_status": 403})
    r = activities(http, gws, headers)
    assert r.status_code == 403 and r.json()["error"]["errors"][0]["reason"] == "userRateLimitExceeded"
    assert gws.control("GET", "pacing", window_s=60)["max_in_window"] == {"C01acme": 4}


def test_injected_faults(gws, http):
    key = customer(gws)
    headers = bearer(http, key)
    gws.control("POST", "faults", {"path": "/applications/", "kind": "503", "retry_after": 3})
    gws.control("POST", "faults", {"path": "/applications/", "kind": "500"})
    gws.control("POST", "faults", {"path": "^/token$", "kind": "500"})
    r = activities(http, gws, headers)
    assert r.status_code == 503 and r.headers["Retry-After"] == "3" and r.json()["error"]["status"] == "UNAVAILABLE"
    r = activities(http, gws, headers)
    assert r.status_code == 500 and r.json()["error"]["errors"][0]["reason"] == "backendError"
    r = token_for(http, key)
    assert r.status_code == 500 and r.json()["error"] == "internal_failure"
    assert activities(http, gws, headers).status_code == 200
    statuses = [(r["kind"], r["status"], r["fault"]) for r in gws.control("GET", "requests")["value"]]
    assert statuses[1:] == [("data", 503, "503"), ("data", 500, "500"), ("token", 500, "500"), ("data", 200, None)]


def test_generated_activities_are_complete_and_deterministic(gws):
    customer(gws)
    made = {}
    for app in ("login", "admin", "drive", "token"):
        made[app] = gws.control("POST", "events", {"tenant": "C01acme", "stream": app, "count": 20,
                                                   "start": T0 / 1000, "end": T0 / 1000 + 200})["ids"]
        for a in gws.control("GET", "events", tenant="C01acme", stream=app)["value"]:
            assert a["kind"] == "admin#reports#activity" and a["id"]["applicationName"] == app
            assert a["id"]["customerId"] == "C01acme" and int(a["id"]["uniqueQualifier"])
            assert a["actor"]["email"].endswith("@acme.example") and a["actor"]["profileId"] and a["ipAddress"]
            ev = a["events"][0]
            assert ev["type"] and ev["name"] and ev["parameters"]
            assert all(set(p) & {"value", "boolValue", "intValue", "multiValue"} for p in ev["parameters"])
            if app == "admin":
                assert a["actor"]["email"] == ADMIN
            if app == "drive":
                assert a["ownerDomain"] == "acme.example"
    gws.control("POST", "reset")
    customer(gws)
    again = gws.control("POST", "events", {"tenant": "C01acme", "stream": "login", "count": 20,
                                           "start": T0 / 1000, "end": T0 / 1000 + 200})["ids"]
    assert again == made["login"]
