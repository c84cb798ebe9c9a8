"""Tests of the Microsoft fake itself (token endpoint, Graph, activity log, control API)."""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import http.client
import json
import ssl
import time

import pytest
import requests

from fakes import msgen
from fakes.process import ControlError, start_fake

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
ARM_SCOPE = "https://management.azure.com/.default"
T1, APP1, SECRET1 = "tenant-one", "11111111-aaaa-4aaa-8aaa-111111111111", "s3cret~one"
T2, APP2, SECRET2 = "tenant-two", "22222222-bbbb-4bbb-8bbb-222222222222", "s3cret~two"
SUB = "0f0f0f0f-1234-4abc-9def-000000000001"
DA = "/v1.0/auditLogs/directoryAudits"
SI = "/v1.0/auditLogs/signIns"
RD = "/v1.0/identityProtection/riskDetections"
ACT = f"/subscriptions/{SUB}/providers/Microsoft.Insights/eventtypes/management/values"


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def base_time() -> dt.datetime:
    # Two days back, on the hour: in the past (so visible at once) whatever today is.
    now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    return now - dt.timedelta(days=2)


class Client:
    """What a poller does, in a few lines of requests: token, GET, follow @odata.nextLink."""

    def __init__(self, fake, tenant=T1, client_id=APP1, secret=SECRET1):
        self.fake, self.tenant, self.client_id, self.secret = fake, tenant, client_id, secret
        self.s = fake.session()

    def token_response(self, scope=GRAPH_SCOPE, **override) -> requests.Response:
        form = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.secret, "scope": scope, **override}
        form = {k: v for k, v in form.items() if v is not None}
        return self.s.post(f"{self.fake.base_url}/{self.tenant}/oauth2/v2.0/token", data=form, timeout=10)

    def token(self, scope=GRAPH_SCOPE) -> str:
        r = self.token_response(scope)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def get(self, path_or_url: str, token: str | None = None, headers=None, **params) -> requests.Response:
        url = path_or_url if path_or_url.startswith("https://") else self.fake.base_url + path_or_url
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        return self.s.get(url, params=params or None, headers=h, timeout=10)

    def pages(self, path: str, token: str, next_key="@odata.nextLink", **params) -> list[dict]:
        out, url = [], path
        for _ in range(1000):  # bounded
            r = self.get(url, token, **params)
            assert r.status_code == 200, r.text
            out.append(r.json())
            url, params = r.json().get(next_key), {}
            if not url:
                return out
        raise AssertionError("too many pages")


@pytest.fixture
def ms(ms_fake):
    ms_fake.control("POST", "apps", {"tenant": T1, "client_id": APP1, "client_secret": SECRET1})
    ms_fake.control("POST", "apps", {"tenant": T2, "client_id": APP2, "client_secret": SECRET2})
    return ms_fake


def add(ms, stream, count, start, end, tenant=T1, **kw):
    return ms.control("POST", "events", {"tenant": tenant, "stream": stream, "count": count,
                                         "start": iso(start), "end": iso(end), **kw})


def jwt_claims(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# --- token endpoint -----------------------------------------------------------------------
def test_token_success(ms):
    r = Client(ms).token_response()
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599 == body["ext_expires_in"]
    claims = jwt_claims(body["access_token"])
    assert claims["aud"] == "https://graph.microsoft.com" and claims["tid"] == T1 and claims["appid"] == APP1
    assert claims["exp"] - claims["iat"] == 3599
    assert jwt_claims(Client(ms).token(ARM_SCOPE))["aud"] == "https://management.azure.com/"


@pytest.mark.parametrize("who,override,status,error,code", [
    ("wrong secret", {"client_secret": "nope"}, 401, "invalid_client", 7000215),
    ("missing secret", {"client_secret": None}, 401, "invalid_client", 7000218),
    ("unknown app", {"client_id": "33333333-0000-4000-8000-000000000000"}, 400, "unauthorized_client", 700016),
    ("app of another tenant", {"client_id": APP2, "client_secret": SECRET2}, 400, "unauthorized_client", 700016),
    ("scope without /.default", {"scope": "https://graph.microsoft.com/AuditLog.Read.All"}, 400, "invalid_scope", 1002012),
    ("unknown resource", {"scope": "https://example.com/.default"}, 400, "invalid_resource", 500011),
    ("wrong grant", {"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
    ("missing scope", {"scope": None}, 400, "invalid_request", 900144),
])
def test_token_failures_are_aadsts_shaped(ms, who, override, status, error, code):
    r = Client(ms).token_response(**override)
    assert r.status_code == status, who
    body = r.json()
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert "\r\nTrace ID: " in body["error_description"]
    assert {"timestamp", "trace_id", "correlation_id", "error_uri"} <= set(body)


def test_token_unknown_tenant_and_get(ms):
    r = Client(ms, tenant="no-such-tenant").token_response()
    assert r.status_code == 400 and r.json()["error_codes"] == [90002]
    r = ms.session().get(f"{ms.base_url}/{T1}/oauth2/v2.0/token", timeout=10)
    assert r.status_code == 400 and r.json()["error_codes"] == [900561]


# --- bearer checks ------------------------------------------------------------------------
def test_bearer_required_and_checked(ms):
    c = Client(ms)
    for token in (None, "not-a-token"):
        r = c.get(DA, token)
        assert r.status_code == 401
        err = r.json()["error"]
        assert err["code"] == "InvalidAuthenticationToken"
        assert {"date", "request-id", "client-request-id"} <= set(err["innerError"])
        assert "Bearer" in r.headers["WWW-Authenticate"]
    # A management token is the wrong audience for Graph, and the other way round.
    assert c.get(DA, c.token(ARM_SCOPE)).status_code == 401
    ms.control("POST", "subscriptions", {"tenant": T1, "subscription_id": SUB})
    r = c.get(ACT, c.token(GRAPH_SCOPE), **{"api-version": "2015-04-01",
                                           "$filter": "eventTimestamp ge '2026-01-01T00:00:00Z'"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"
    assert c.get(DA, c.token()).status_code == 200


def test_token_expiry_and_revocation(ms):
    c = Client(ms)
    ms.control("POST", "config", {"token_lifetime_s": 1})
    tok = c.token()
    assert c.get(DA, tok).status_code == 200
    time.sleep(1.05)
    r = c.get(DA, tok)
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    ms.control("POST", "config", {"token_lifetime_s": 3599})
    tok = c.token()
    assert ms.control("POST", "tokens/revoke", {})["revoked"] >= 1
    assert c.get(DA, tok).status_code == 401
    assert c.get(DA, c.token()).status_code == 200


# --- filter, order, paging ----------------------------------------------------------------
def test_filter_paging_and_default_descending_order(ms, base_time):
    c = Client(ms)
    add(ms, "directoryAudits", 25, base_time, base_time + dt.timedelta(minutes=24))  # one per minute
    lo, hi = base_time + dt.timedelta(minutes=5), base_time + dt.timedelta(minutes=15)
    flt = f"activityDateTime ge {iso(lo)} and activityDateTime le {iso(hi)}"
    pages = c.pages(DA, c.token(), **{"$filter": flt, "$top": "4"})
    assert [len(p["value"]) for p in pages] == [4, 4, 3]
    times = [e["activityDateTime"] for p in pages for e in p["value"]]
    assert times == sorted(times, reverse=True)          # newest first, like Graph
    assert times[0] == iso(hi) and times[-1] == iso(lo)   # ge/le are inclusive
    first = pages[0]
    assert first["@odata.context"].endswith("/v1.0/$metadata#auditLogs/directoryAudits")
    assert list(first)[:3] == ["@odata.context", "@odata.nextLink", "value"]
    assert first["@odata.nextLink"].startswith(f"{ms.base_url}{DA}?") and "$skiptoken=" in first["@odata.nextLink"]
    assert "@odata.nextLink" not in pages[-1]
    paren = f"(activityDateTime ge {iso(lo)}) and (activityDateTime le {iso(hi)})"
    assert sum(len(p["value"]) for p in c.pages(DA, c.token(), **{"$filter": paren})) == 11
    # gt/lt are exclusive; $orderby asc flips the order.
    pages = c.pages(DA, c.token(), **{"$filter": f"activityDateTime gt {iso(lo)} and activityDateTime lt {iso(hi)}",
                                      "$orderby": "activityDateTime asc"})
    times = [e["activityDateTime"] for p in pages for e in p["value"]]
    assert len(times) == 9 and times == sorted(times)


def test_pages_stay_consistent_while_events_arrive(ms, base_time):
    c = Client(ms)
    tok = c.token()
    add(ms, "directoryAudits", 30, base_time, base_time + dt.timedelta(minutes=29))
    flt = {"$filter": f"activityDateTime ge {iso(base_time)}", "$top": "10"}
    first = c.get(DA, tok, **flt).json()
    # New events land inside the window (older, newer and in between), plus a late arrival.
    add(ms, "directoryAudits", 20, base_time - dt.timedelta(minutes=1), base_time + dt.timedelta(minutes=40))
    ms.control("POST", "events/late", {"tenant": T1, "stream": "directoryAudits", "lag_s": 3600})
    rest, url = [], first["@odata.nextLink"]
    while url:
        page = c.get(url, tok).json()
        rest.append(page)
        url = page.get("@odata.nextLink")
    seen = [e["id"] for p in [first, *rest] for e in p["value"]]
    assert len(seen) == 30 == len(set(seen))
    # A fresh iteration sees the new ones: 19 inside the window, plus the late one.
    fresh = [e for p in c.pages(DA, tok, **flt) for e in p["value"]]
    assert len(fresh) == 30 + 19 + 1


def test_risk_detection_update_is_snapshot_safe(ms, base_time):
    c = Client(ms)
    tok = c.token()
    ids = add(ms, "riskDetections", 5, base_time, base_time + dt.timedelta(minutes=4))["ids"]
    flt = {"$filter": f"lastUpdatedDateTime ge {iso(base_time)}", "$top": "2"}
    first = c.get(RD, tok, **flt).json()
    upd = ms.control("POST", "risk-detections/update", {"tenant": T1, "id": ids[0], "riskState": "dismissed"})["event"]
    assert upd["riskState"] == "dismissed" and upd["lastUpdatedDateTime"] > iso(base_time + dt.timedelta(minutes=4))
    url, seen = first["@odata.nextLink"], [e["id"] for e in first["value"]]
    while url:
        page = c.get(url, tok).json()
        seen += [e["id"] for e in page["value"]]
        url = page.get("@odata.nextLink")
    assert sorted(seen) == sorted(ids)   # the in-flight iteration saw each detection once
    fresh = [e for p in c.pages(RD, tok, **flt) for e in p["value"]]
    assert len(fresh) == 5 and fresh[0]["id"] == ids[0] and fresh[0]["riskState"] == "dismissed"


@pytest.mark.parametrize("path,stream,max_top,default", [(SI, "signIns", 1000, 1000), (RD, "riskDetections", 500, 20)])
def test_top_limits(ms, base_time, path, stream, max_top, default):
    c = Client(ms)
    tok = c.token()
    add(ms, stream, 25, base_time, base_time + dt.timedelta(minutes=1), return_ids=False)
    assert len(c.get(path, tok).json()["value"]) == min(default, 25)
    assert c.get(path, tok, **{"$top": str(max_top)}).status_code == 200
    for bad in (str(max_top + 1), "0", "-1", "ten"):
        r = c.get(path, tok, **{"$top": bad})
        assert r.status_code == 400 and r.json()["error"]["code"] == "BadRequest", bad


@pytest.mark.parametrize("params", [
    {"$filter": "userPrincipalName eq 'a@b.c'"},
    {"$filter": "activityDateTime ge '2026-01-01T00:00:00Z'"},       # quoted: a type error on Graph
    {"$filter": "activityDateTime ne 2026-01-01T00:00:00Z"},
    {"$filter": "activityDateTime ge 2026-01-01T00:00:00Z or activityDateTime le 2026-01-02T00:00:00Z"},
    {"$filter": "activityDateTime ge"},
    {"$filter": "activityDateTime ge 2026-13-45T99:00:00Z"},
    {"$orderby": "category"},
    {"$count": "true"},
    {"$skiptoken": "garbage!"},
])
def test_unsupported_queries_are_400(ms, params):
    c = Client(ms)
    r = c.get(DA, c.token(), **params)
    assert r.status_code == 400, params
    assert r.json()["error"]["code"] == "BadRequest"


def test_orderby_not_offered_on_risk_detections(ms):
    c = Client(ms)
    assert c.get(RD, c.token(), **{"$orderby": "lastUpdatedDateTime desc"}).status_code == 400


# --- faults, throttling, licence ----------------------------------------------------------
def test_throttling_fault_then_recovery(ms):
    c = Client(ms)
    tok = c.token()
    ms.control("POST", "faults", {"path": "signIns", "kind": "429", "count": 2, "retry_after": 3})
    for _ in range(2):
        r = c.get(SI, tok)
        assert r.status_code == 429 and r.headers["Retry-After"] == "3"
        assert r.json()["error"]["code"] == "TooManyRequests"
    assert c.get(DA, tok).status_code == 200      # other paths unaffected
    assert c.get(SI, tok).status_code == 200
    assert ms.control("GET", "faults")["value"] == []


def test_status_and_wire_faults(ms):
    c = Client(ms)
    tok = c.token()
    for kind, status in (("503", 503), ("500", 500)):
        ms.control("POST", "faults", {"path": "directoryAudits", "kind": kind})
        assert c.get(DA, tok).status_code == status
    ms.control("POST", "faults", {"path": "oauth2", "kind": "503", "retry_after": 2})
    r = Client(ms).token_response()
    assert r.status_code == 503 and r.headers["Retry-After"] == "2" and "error_codes" in r.json()
    ms.control("POST", "faults", {"path": "directoryAudits", "kind": "malformed"})
    r = c.get(DA, tok)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.content)
    ms.control("POST", "faults", {"path": "directoryAudits", "kind": "truncate"})
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        c.get(DA, tok)
    ms.control("POST", "faults", {"path": "directoryAudits", "kind": "reset"})
    with pytest.raises(requests.exceptions.ConnectionError):
        c.get(DA, tok)
    ms.control("POST", "faults", {"path": "directoryAudits", "kind": "delay", "delay_s": 0.3})
    t0 = time.monotonic()
    assert c.get(DA, tok).status_code == 200 and time.monotonic() - t0 >= 0.3


def test_rate_limit_mode(ms):
    c = Client(ms)
    tok = c.token()
    ms.control("POST", "config", {"rate_limit": {"requests": 5, "window_s": 10}})
    codes = [c.get(DA, tok).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = c.get(DA, tok)
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 10
    assert Client(ms, T2, APP2, SECRET2).get(DA, Client(ms, T2, APP2, SECRET2).token()).status_code == 200


def test_signins_licence_403(ms):
    c = Client(ms)
    tok = c.token()
    ms.control("POST", "licence", {"tenant": T1, "premium": False})
    r = c.get(SI, tok)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
    assert r.json()["error"]["message"] == "Neither tenant is B2C or tenant doesn't have premium license"
    assert c.get(DA, tok).status_code == 200
    assert Client(ms, T2, APP2, SECRET2).get(SI, Client(ms, T2, APP2, SECRET2).token()).status_code == 200
    ms.control("POST", "licence", {"tenant": T1, "premium": True})
    assert c.get(SI, tok).status_code == 200


# --- observation --------------------------------------------------------------------------
def test_request_log_counters_and_pacing(ms):
    a, b = Client(ms), Client(ms, T2, APP2, SECRET2)
    ta, tb = a.token(), b.token()
    for _ in range(3):
        a.get(DA, ta, headers={"User-Agent": "poller-A"})
    b.get(SI, tb)
    counters = ms.control("GET", "counters")
    assert counters["token"]["total"] == 2
    assert counters["token"]["by_tenant_client"] == {f"{T1}/{APP1}": 1, f"{T2}/{APP2}": 1}
    assert counters["data"]["by_tenant_client"] == {f"{T1}/{APP1}": 3, f"{T2}/{APP2}": 1}
    assert counters["data"]["by_tenant_stream"] == {f"{T1}/directoryAudits": 3, f"{T2}/signIns": 1}
    assert counters["data"]["by_path"][DA] == 3
    recs = ms.control("GET", "requests", kind="data", tenant=T1)["value"]
    assert len(recs) == 3 and all(r["user_agent"] == "poller-A" and r["status"] == 200 for r in recs)
    assert all(r["first_page"] for r in recs) and recs[0]["ts"] <= recs[-1]["ts"]
    pacing = ms.control("GET", "pacing", window_s=10)["max_in_window"]
    assert pacing == {f"{T1}/{APP1}": 3, f"{T2}/{APP2}": 1}


def test_gzip_keepalive_and_content_length(ms, base_time):
    add(ms, "signIns", 30, base_time, base_time + dt.timedelta(minutes=1), return_ids=False)
    tok = Client(ms).token()
    ctx = ssl.create_default_context(cafile=ms.ca)
    conn = http.client.HTTPSConnection("127.0.0.1", ms.port, context=ctx, timeout=10)
    try:
        bodies = {}
        for enc in ("gzip", "identity"):  # two requests on one keep-alive connection
            conn.request("GET", SI, headers={"Authorization": f"Bearer {tok}", "Accept-Encoding": enc})
            r = conn.getresponse()
            raw = r.read()
            assert r.status == 200 and int(r.getheader("Content-Length")) == len(raw)
            assert r.getheader("Content-Encoding") == ("gzip" if enc == "gzip" else None)
            bodies[enc] = gzip.decompress(raw) if enc == "gzip" else raw
        assert bodies["gzip"] == bodies["identity"] and len(json.loads(bodies["gzip"])["value"]) == 30
    finally:
        conn.close()


# --- activity log -------------------------------------------------------------------------
def test_activity_log_paging_and_errors(ms, base_time):
    c = Client(ms)
    tok = c.token(ARM_SCOPE)
    ms.control("POST", "events", {"tenant": T1, "stream": "activityLogs", "subscription": SUB, "count": 7,
                                  "start": iso(base_time), "end": iso(base_time + dt.timedelta(minutes=6))})
    ms.control("POST", "config", {"activity_page_size": 3})
    flt = (f"eventTimestamp ge '{iso(base_time)}' and eventTimestamp le "
           f"'{iso(base_time + dt.timedelta(hours=1))}'")
    pages = c.pages(ACT, tok, next_key="nextLink", **{"api-version": "2015-04-01", "$filter": flt})
    assert [len(p["value"]) for p in pages] == [3, 3, 1]
    assert "$skipToken=" in pages[0]["nextLink"] and "nextLink" not in pages[-1]
    ev = pages[0]["value"][0]
    assert ev["subscriptionId"] == SUB and ev["tenantId"] == T1
    assert {"eventDataId", "operationName", "status", "caller", "resourceId", "eventTimestamp"} <= set(ev)
    for params, code in [({"$filter": flt}, "MissingApiVersionParameter"),
                         ({"api-version": "2015-04-01"}, "BadRequest"),
                         ({"api-version": "2015-04-01", "$filter": f"eventTimestamp ge {iso(base_time)}"}, "BadRequest")]:
        r = c.get(ACT, tok, **params)
        assert r.status_code == 400 and r.json()["error"]["code"] == code
    other = ACT.replace(SUB, "99999999-0000-4000-8000-000000000000")
    assert c.get(other, tok, **{"api-version": "2015-04-01", "$filter": flt}).status_code == 404


# --- generators, stream mode, persistence -------------------------------------------------
def test_generated_events_are_deterministic_unique_and_awkward(ms, base_time):
    def batch():
        ms.control("POST", "reset")
        ms.control("POST", "apps", {"tenant": T1, "client_id": APP1, "client_secret": SECRET1})
        add(ms, "directoryAudits", 200, base_time, base_time + dt.timedelta(hours=1))
        return ms.control("GET", "events", tenant=T1, stream="directoryAudits")["value"]
    one, two = batch(), batch()
    assert one == two and len({e["id"] for e in one}) == 200
    text = json.dumps(one, ensure_ascii=False)
    assert '\\"' in text and "\\\\" in text and any(ord(ch) > 0xFFFF for ch in text) and "\u2028" in text
    e = one[0]
    assert {"id", "category", "correlationId", "result", "resultReason", "activityDisplayName", "activityDateTime",
            "loggedByService", "operationType", "initiatedBy", "targetResources", "additionalDetails"} <= set(e)
    assert set(e["initiatedBy"]) == {"user", "app"}
    for stream, fields in [("signIns", {"createdDateTime", "userPrincipalName", "status", "location", "clientAppUsed"}),
                           ("provisioning", {"activityDateTime", "provisioningAction", "provisioningStatusInfo"}),
                           ("riskDetections", {"lastUpdatedDateTime", "riskEventType", "riskState", "riskLevel"})]:
        add(ms, stream, 1, base_time, base_time)
        assert fields <= set(ms.control("GET", "events", tenant=T1, stream=stream)["value"][0])


def test_stream_mode_adds_events_until_its_cap(ms):
    st = ms.stream_until_done({"interval_s": 0.2, "batch": 2, "max_events": 6, "tenants": [T1], "streams": ["signIns"]})
    assert not st["enabled"] and st["added"] == 6 and "error" not in st
    assert len(ms.control("GET", "events", tenant=T1, stream="signIns")["value"]) == 6


def test_stream_mode_feeds_every_stream_of_every_tenant_by_default(ms):
    ms.control("POST", "subscriptions", {"tenant": T1, "subscription_id": SUB})
    # One tick: T1's five streams (activityLogs for its subscription), T2's four (it has none).
    st = ms.stream_until_done({"interval_s": 0.2, "batch": 1, "max_events": 9})
    assert st["added"] == 9 and st["streams"] == list(msgen.GENERATORS)
    now = time.time()
    for tenant, stream in [(T1, s) for s in msgen.GENERATORS] + [(T2, "signIns")]:
        query = {"subscription": SUB} if stream == "activityLogs" else {}
        events = ms.control("GET", "events", tenant=tenant, stream=stream, **query)["value"]
        assert len(events) == 1, (tenant, stream)
        stamp = events[0][msgen.STREAM_TIME_FIELD[stream]]
        assert now - 10 < dt.datetime.fromisoformat(stamp[:19] + "+00:00").timestamp() <= now, (stream, stamp)
    with pytest.raises(ControlError, match="streams must be a list of"):
        ms.control("POST", "stream", {"streams": ["nope"]})


def test_state_file_survives_restart(cert_dir, tmp_path, base_time):
    state = tmp_path / "state.json"
    fake = start_fake("fakes.microsoft", cert_dir, state_file=state, log_path=tmp_path / "a.log")
    try:
        fake.control("POST", "apps", {"tenant": T1, "client_id": APP1, "client_secret": SECRET1})
        add(fake, "signIns", 5, base_time, base_time + dt.timedelta(minutes=4))
        tok = Client(fake).token()
    finally:
        assert fake.stop() == 0   # SIGTERM: clean exit, state written
    assert state.exists()
    fake = start_fake("fakes.microsoft", cert_dir, state_file=state, log_path=tmp_path / "b.log")
    try:
        r = Client(fake).get(SI, tok)
        assert r.status_code == 200 and len(r.json()["value"]) == 5
    finally:
        assert fake.stop() == 0
