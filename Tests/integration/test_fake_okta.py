"""Tests of the fake Okta System Log API (fakes/okta.py): SSWS and private-key-JWT OAuth, Link
paging (bounded and polling), time windows, rate-limit headers, faults, request log.
No stack needed: a requests client plays the collector."""
import json
import time
import uuid

import jwt
import pytest
import requests

from fakes.gcpauth import new_key
from fakes.pytest_fixtures import fake_fixtures
from fakes.saas import iso_ms

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
T0 = 1_796_400_000_000   # 2026-12-04T16:00:00Z in epoch ms: fixed instants for boundary tests


okta_process, okta, http = fake_fixtures("fakes.okta", "okta", seed=3)


def ssws(org_info):
    return {"Authorization": f"SSWS {org_info['api_token']}"}


def logs(http, okta, headers, **params):
    return http.get(f"{okta.base_url}/api/v1/logs", params=params, headers=headers)


def read_all(http, url, headers, max_pages=100):
    """Follow rel="next" until a page has none (bounded); returns (events, pages)."""
    events, pages = [], 0
    while url and pages < max_pages:
        r = http.get(url, headers=headers)
        assert r.status_code == 200, r.text
        events += r.json()
        pages += 1
        url = r.links.get("next", {}).get("url")
    assert not url, "paging did not end"
    return events, pages


def client_assertion(client, key=None, **override):
    now = int(time.time())
    claims = {"iss": client["client_id"], "sub": client["client_id"], "aud": client["token_url"], "iat": now,
              "exp": now + 300, "jti": str(uuid.uuid4())}
    claims.update(override)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key or client["private_key"], algorithm="RS256", headers={"kid": client["kid"]})


def token_request(http, client, scope="okta.logs.read", assertion=None, **form):
    data = {"grant_type": "client_credentials", "scope": scope, "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or client_assertion(client), **form}
    return http.post(client["token_url"], data={k: v for k, v in data.items() if v is not None})


# --- auth ---------------------------------------------------------------------------------
def test_api_tokens_are_checked(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    assert logs(http, okta, ssws(org)).status_code == 200
    for headers in ({"Authorization": "SSWS wrong"}, {}, {"Authorization": f"Basic {org['api_token']}"}):
        r = logs(http, okta, headers)
        assert r.status_code == 401 and r.json()["errorCode"] == "E0000011", headers
        assert set(r.json()) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    reader = okta.control("POST", "api-tokens", {"org": "acme", "admin": False})
    r = logs(http, okta, ssws(reader))
    assert r.status_code == 403 and r.json()["errorCode"] == "E0000006"


def test_private_key_jwt_gets_a_bearer_token_for_the_logs(okta, http):
    okta.control("POST", "orgs", {"org": "acme"})
    client = okta.control("POST", "oauth-clients", {"org": "acme"})
    assert client["token_url"] == f"{okta.base_url}/oauth2/v1/token"
    r = token_request(http, client)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "okta.logs.read"
    assert r.headers["Cache-Control"] == "no-store"
    assert logs(http, okta, {"Authorization": f"Bearer {body['access_token']}"}).status_code == 200
    # Expired tokens are refused like unknown ones; a fresh assertion gets a new token.
    assert okta.control("POST", "tokens/expire", {})["expired"] == 1
    r = logs(http, okta, {"Authorization": f"Bearer {body['access_token']}"})
    assert r.status_code == 401 and r.json()["errorCode"] == "E0000011"
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    fresh = token_request(http, client).json()["access_token"]
    assert logs(http, okta, {"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_an_uploaded_public_key_and_several_scopes(okta, http):
    okta.control("POST", "orgs", {"org": "acme"})
    private, public = new_key()
    client = okta.control("POST", "oauth-clients", {"org": "acme", "public_key_pem": public, "kid": "k1",
                                                    "scopes": ["okta.logs.read", "okta.users.read"]})
    assert "private_key" not in client
    client["private_key"] = private
    users_only = token_request(http, client, scope="okta.users.read").json()["access_token"]
    r = logs(http, okta, {"Authorization": f"Bearer {users_only}"})
    assert r.status_code == 403 and r.json()["errorCode"] == "E0000006"
    assert "insufficient_scope" in r.headers["WWW-Authenticate"]
    assert token_request(http, client, scope="okta.logs.read okta.users.read").status_code == 200
    with pytest.raises(Exception, match="400"):
        okta.control("POST", "oauth-clients", {"org": "acme", "public_key_pem": "not a key"})


@pytest.mark.parametrize("override,status,error,fragment", [
    ({"key": new_key()[0]}, 401, "invalid_client", "signature is invalid"),
    ({"aud": "https://acme.okta.com/oauth2/v1/token"}, 401, "invalid_client", "audience"),
    ({"sub": "someone-else"}, 401, "invalid_client", "subject"),
    ({"exp": int(time.time()) - 3600}, 401, "invalid_client", "expired"),
    ({"exp": None}, 401, "invalid_client", "expired"),
    ({"exp": int(time.time()) + 7200}, 401, "invalid_client", "too far"),
    ({"iss": "0oa-unknown", "sub": "0oa-unknown"}, 401, "invalid_client", "client_id"),
])
def test_bad_client_assertions_are_refused(okta, http, override, status, error, fragment):
    okta.control("POST", "orgs", {"org": "acme"})
    client = okta.control("POST", "oauth-clients", {"org": "acme"})
    key = override.pop("key", None)
    r = token_request(http, client, assertion=client_assertion(client, key, **override))
    assert r.status_code == status and r.json()["error"] == error and fragment in r.json()["error_description"]


def test_token_endpoint_refuses_bad_forms_and_replays(okta, http):
    okta.control("POST", "orgs", {"org": "acme"})
    client = okta.control("POST", "oauth-clients", {"org": "acme"})
    r = token_request(http, client, grant_type="password")
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = token_request(http, client, scope=None)
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    r = token_request(http, client, scope="okta.users.manage")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    r = token_request(http, client, client_assertion_type="urn:other")
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    once = client_assertion(client)
    assert token_request(http, client, assertion=once).status_code == 200
    r = token_request(http, client, assertion=once)
    assert r.status_code == 401 and "already been used" in r.json()["error_description"]


# --- paging and windows -------------------------------------------------------------------
def test_bounded_paging_reads_every_event_once_in_order(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    okta.control("POST", "events", {"tenant": "acme", "count": 250, "start": T0 / 1000, "end": T0 / 1000 + 3600})
    url = f"{okta.base_url}/api/v1/logs?since={iso_ms(T0)}&until={iso_ms(T0 + 3_600_001)}&limit=100"
    events, pages = read_all(http, url, ssws(org))
    assert pages == 3 and len(events) == 250 and len({e["uuid"] for e in events}) == 250
    assert [e["published"] for e in events] == sorted(e["published"] for e in events)
    desc, _ = read_all(http, url + "&sortOrder=DESCENDING", ssws(org))
    assert [e["uuid"] for e in desc] == [e["uuid"] for e in events][::-1]


def test_next_link_is_absolute_on_the_host_used_and_keeps_the_parameters(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    okta.control("POST", "events", {"tenant": "acme", "count": 3, "start": T0 / 1000, "end": T0 / 1000 + 60})
    until = iso_ms(T0 + 60_001)
    r = http.get(f"https://localhost:{okta.port}/api/v1/logs", params={"since": iso_ms(T0), "until": until,
                                                                       "limit": 2}, headers=ssws(org))
    nxt = r.links["next"]["url"]
    assert nxt.startswith(f"https://localhost:{okta.port}/api/v1/logs?") and "after=" in nxt
    assert "limit=2" in nxt and "until=" in nxt
    assert r.links["self"]["url"].startswith(f"https://localhost:{okta.port}/api/v1/logs?")
    last = http.get(nxt, headers=ssws(org))
    assert len(last.json()) == 1 and "next" not in last.links


def test_since_is_inclusive_and_until_exclusive(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    times = [T0 - 1, T0, T0 + 500, T0 + 999, T0 + 1000]
    okta.control("POST", "events", {"tenant": "acme", "times": [t / 1000 for t in times]})
    url = f"{okta.base_url}/api/v1/logs?since={iso_ms(T0)}&until={iso_ms(T0 + 1000)}"
    events, _ = read_all(http, url, ssws(org))
    assert [e["published"] for e in events] == [iso_ms(t) for t in (T0, T0 + 500, T0 + 999)]
    # Offsets and missing fractions are RFC 3339 too.
    r = logs(http, okta, ssws(org), since="2026-12-04T17:00:00+01:00", until="2026-12-04T16:00:01Z")
    assert len(r.json()) == 3


def test_polling_always_links_next_and_picks_up_new_events(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    now = time.time()
    okta.control("POST", "events", {"tenant": "acme", "count": 5, "start": now - 600, "end": now - 300})
    r = logs(http, okta, ssws(org), since=iso_ms(int((now - 900) * 1000)), limit=10)
    assert len(r.json()) == 5
    nxt = r.links["next"]["url"]
    empty = http.get(nxt, headers=ssws(org))
    assert empty.json() == [] and empty.links["next"]["url"] == nxt
    okta.control("POST", "events", {"tenant": "acme", "count": 2, "start": now - 200, "end": now - 100})
    later = http.get(nxt, headers=ssws(org))
    assert len(later.json()) == 2 and "next" in later.links


def test_a_bounded_iteration_is_a_snapshot(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    okta.control("POST", "events", {"tenant": "acme", "count": 10, "start": T0 / 1000, "end": T0 / 1000 + 60})
    url = f"{okta.base_url}/api/v1/logs?since={iso_ms(T0)}&until={iso_ms(T0 + 120_000)}&limit=4"
    first = http.get(url, headers=ssws(org))
    okta.control("POST", "events", {"tenant": "acme", "count": 3, "start": T0 / 1000 + 1, "end": T0 / 1000 + 2})
    rest, _ = read_all(http, first.links["next"]["url"], ssws(org))
    assert len(first.json()) + len(rest) == 10
    assert len(read_all(http, url, ssws(org))[0]) == 13


@pytest.mark.parametrize("params,cause", [
    ({"since": "yesterday"}, "since"), ({"until": "2026-13-01T00:00:00Z"}, "until"), ({"limit": 0}, "limit"),
    ({"limit": 1001}, "limit"), ({"limit": "ten"}, "limit"), ({"sortOrder": "UP"}, "sortOrder"),
    ({"after": "garbage"}, "after"), ({"filter": 'eventType eq "user.session.start"'}, "filter"),
    ({"since": "2026-12-04T16:00:00Z", "until": "2026-12-04T15:00:00Z"}, "until"),
])
def test_bad_parameters_are_e0000001(okta, http, params, cause):
    org = okta.control("POST", "orgs", {"org": "acme"})
    r = logs(http, okta, ssws(org), **params)
    assert r.status_code == 400
    err = r.json()
    assert err["errorCode"] == "E0000001" and err["errorSummary"] == f"Api validation failed: {cause}"
    assert err["errorCauses"][0]["errorSummary"].startswith(cause)


# --- rate limits, faults, request log -----------------------------------------------------
def test_rate_limit_headers_and_429(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    other = okta.control("POST", "orgs", {"org": "globex"})
    r = logs(http, okta, ssws(org))
    assert r.headers["X-Rate-Limit-Limit"] == "120" and r.headers["X-Rate-Limit-Remaining"] == "119"
    okta.control("POST", "config", {"rate_limit": {"requests": 3, "window_s": 60}})
    got = [logs(http, okta, ssws(org)) for _ in range(4)]
    assert [g.status_code for g in got] == [200, 200, 200, 429]
    assert [g.headers["X-Rate-Limit-Remaining"] for g in got] == ["2", "1", "0", "0"]
    assert got[3].json()["errorCode"] == "E0000047" and "Retry-After" not in got[3].headers
    assert time.time() < int(got[3].headers["X-Rate-Limit-Reset"]) <= time.time() + 61
    assert logs(http, okta, ssws(other)).status_code == 200   # the limit is per org
    assert okta.control("GET", "pacing", window_s=60)["max_in_window"] == {"acme": 5, "globex": 1}


def test_injected_faults(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    okta.control("POST", "events", {"tenant": "acme", "count": 3})
    okta.control("POST", "faults", {"path": "/api/v1/logs", "kind": "500"})
    okta.control("POST", "faults", {"path": "/api/v1/logs", "kind": "503", "retry_after": 2})
    okta.control("POST", "faults", {"path": "/api/v1/logs", "kind": "429"})
    okta.control("POST", "faults", {"path": "/api/v1/logs", "kind": "malformed"})
    okta.control("POST", "faults", {"path": "/api/v1/logs", "kind": "reset"})
    r = logs(http, okta, ssws(org))
    assert r.status_code == 500 and r.json()["errorCode"] == "E0000009"
    r = logs(http, okta, ssws(org))
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    r = logs(http, okta, ssws(org))
    assert r.status_code == 429 and r.json()["errorCode"] == "E0000047" and "X-Rate-Limit-Reset" in r.headers
    r = logs(http, okta, ssws(org))
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    with pytest.raises(requests.ConnectionError):
        logs(http, okta, ssws(org))
    assert len(logs(http, okta, ssws(org)).json()) == 3


def test_request_log_names_org_client_and_first_pages(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    client = okta.control("POST", "oauth-clients", {"org": "acme"})
    okta.control("POST", "events", {"tenant": "acme", "count": 3, "start": T0 / 1000, "end": T0 / 1000 + 10})
    token = token_request(http, client).json()["access_token"]
    read_all(http, f"{okta.base_url}/api/v1/logs?since={iso_ms(T0)}&until={iso_ms(T0 + 20_000)}&limit=2",
             {"Authorization": f"Bearer {token}"})
    logs(http, okta, ssws(org))
    reqs = okta.control("GET", "requests")["value"]
    assert [(r["kind"], r["status"], r["first_page"]) for r in reqs] == [
        ("token", 200, True), ("data", 200, True), ("data", 200, False), ("data", 200, True)]
    assert reqs[0]["client_id"] == client["client_id"] and reqs[0]["tenant"] == "acme"
    assert reqs[1]["client_id"] == client["client_id"] and reqs[3]["client_id"] is None
    assert all(r["tenant"] == "acme" and r["peer_port"] > 0 for r in reqs)
    assert okta.control("GET", "counters")["data"]["by_tenant"] == {"acme": 3}


def test_generated_events_are_complete_and_deterministic(okta):
    okta.control("POST", "orgs", {"org": "acme"})
    made = okta.control("POST", "events", {"tenant": "acme", "count": 40, "start": T0 / 1000, "end": T0 / 1000 + 400})
    events = okta.control("GET", "events", tenant="acme")["value"]
    assert [e["uuid"] for e in events] == made["ids"]
    for e in events:
        assert {"uuid", "published", "eventType", "displayMessage", "actor", "client", "outcome", "target",
                "severity", "request", "transaction", "securityContext", "version"} <= set(e)
        assert e["actor"]["type"] == "User" and e["actor"]["alternateId"].endswith("@acme.example.com")
        assert e["client"]["ipAddress"] and e["outcome"]["result"] in {"SUCCESS", "FAILURE", "ALLOW", "DENY",
                                                                       "CHALLENGE"}
        assert e["published"].endswith("Z") and len(e["published"]) == 24
    assert {e["outcome"]["result"] for e in events} > {"SUCCESS"}
    okta.control("POST", "reset")
    okta.control("POST", "orgs", {"org": "acme"})
    again = okta.control("POST", "events", {"tenant": "acme", "count": 40, "start": T0 / 1000, "end": T0 / 1000 + 400})
    assert again["ids"] == made["ids"]


def test_explicit_events_and_stream_mode(okta, http):
    org = okta.control("POST", "orgs", {"org": "acme"})
    okta.control("POST", "events", {"tenant": "acme", "events": [
        {"uuid": "11111111-2222-4333-8444-555555555555", "published": iso_ms(T0), "eventType": "user.session.end"}]})
    [e] = logs(http, okta, ssws(org), since=iso_ms(T0 - 1), until=iso_ms(T0 + 1)).json()
    assert e["uuid"].startswith("11111111") and e["eventType"] == "user.session.end" and "actor" in e
    st = okta.stream_until_done({"interval_s": 0.2, "batch": 2, "max_events": 4})
    assert st["added"] == 4 and len(okta.control("GET", "events", tenant="acme")["value"]) == 5
