"""Tests of the fake CloudTrail itself: SigV4 verification, LookupEvents, faults, control API.

The AWS SDK for Python (botocore) is the reference client: its requests must be accepted, and
its signer, fed a wrong secret, date, region or service, must be refused as AWS refuses them."""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from unittest import mock

import botocore.session
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from fakes.process import start_fake

TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
JSON_11 = "application/x-amz-json-1.1"
REGION = "eu-west-1"
ACCOUNT, OTHER = "111122223333", "444455556666"


@dataclass
class Key:
    id: str
    secret: str
    account: str = ACCOUNT
    token: str | None = None


KEY = Key("AKIAFAKEFAKEFAKE0001", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
OTHER_KEY = Key("AKIAFAKEFAKEFAKE0002", "other-secret-other-secret-0123456789abcd", OTHER)
TEMP = Key("ASIAFAKEFAKEFAKE0003", "temporary-secret-0123456789abcdefghijklmn", ACCOUNT, "IQoJb3JpZ2luX2VjEXAMPLEtoken//+==")


@pytest.fixture(scope="module")
def fake_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.aws", cert_dir, seed=5, log_path=tmp_path_factory.mktemp("logs") / "aws-fake.log")
    yield fake
    fake.stop()


@pytest.fixture
def fake(fake_process):
    fake_process.control("POST", "reset")
    fake_process.control("POST", "config", {"rate_limit": None})   # most tests page quickly; one tests the limit
    for k in (KEY, OTHER_KEY, TEMP):
        fake_process.control("POST", "keys", {"account": k.account, "access_key_id": k.id,
                                              "secret_access_key": k.secret, "session_token": k.token})
    return fake_process


def sdk(fake, key=KEY, region=REGION):
    return botocore.session.get_session().create_client(
        "cloudtrail", region_name=region, endpoint_url=fake.base_url, verify=fake.ca,
        aws_access_key_id=key.id, aws_secret_access_key=key.secret, aws_session_token=key.token,
        config=Config(retries={"max_attempts": 1}))


def send(fake, body, key=KEY, *, region=REGION, service="cloudtrail", at=None, secret=None, token="key",
         target=TARGET, content_type=JSON_11, edit=None) -> requests.Response:
    """A LookupEvents call signed by botocore's SigV4Auth, optionally signed wrong on purpose."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": content_type, "X-Amz-Target": target}
    req = AWSRequest("POST", fake.base_url + "/", data=data, headers=headers)
    creds = Credentials(key.id, secret or key.secret, key.token if token == "key" else token)
    when = at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(creds, service, region).add_auth(req)
    sent = dict(req.headers.items())
    if edit:
        data = edit(sent, data) or data
    with fake.session() as s:
        return s.post(fake.base_url + "/", data=data, headers=sent, timeout=20)


def add(fake, count, start, end, account=ACCOUNT, region=REGION, **extra):
    return fake.control("POST", "events", {"account": account, "region": region, "count": count,
                                           "start": start, "end": end, **extra})["ids"]


def error_of(r: requests.Response) -> tuple[int, str, str]:
    body = r.json()
    return r.status_code, body["__type"].rsplit("#", 1)[-1], body.get("message") or body.get("Message") or ""


# --- LookupEvents ----------------------------------------------------------------------------
def test_sdk_pages_newest_first_within_an_inclusive_time_range(fake):
    t0 = int(time.time()) - 3000
    add(fake, 131, t0, t0 + 1300)                      # one event every 10 s, whole seconds
    client, seen, pages, kw = sdk(fake), [], 0, {"StartTime": t0 + 100, "EndTime": t0 + 1000, "MaxResults": 50}
    for pages in range(1, 10):                         # bounded: 2 pages expected
        out = client.lookup_events(**kw)
        seen += out["Events"]
        if "NextToken" not in out:
            break
        kw["NextToken"] = out["NextToken"]
    times = [e["EventTime"].timestamp() for e in seen]
    assert pages == 2 and len(seen) == 91              # both bounds inclusive: t0+100 … t0+1000
    assert times == sorted(times, reverse=True) and times[0] == t0 + 1000 and times[-1] == t0 + 100
    assert len({e["EventId"] for e in seen}) == 91


def test_events_look_like_cloudtrail(fake):
    ids = add(fake, 300, time.time() - 600, time.time() - 1)
    raw = fake.control("GET", "events", account=ACCOUNT, region=REGION, raw="1")["value"]
    assert len(raw) == 300 and all(re.search(r'"EventTime":\d\.\d+E9,', b) for b in raw)  # Java double notation
    types, failures, console_failures = set(), 0, 0
    for body in raw:
        ev = json.loads(body)
        assert set(ev) >= {"EventId", "EventName", "ReadOnly", "EventTime", "EventSource", "Resources",
                           "CloudTrailEvent"}
        rec = json.loads(ev["CloudTrailEvent"])
        assert rec["eventID"] == ev["EventId"] and rec["eventName"] == ev["EventName"]
        assert rec["eventSource"] == ev["EventSource"] and rec["awsRegion"] == REGION
        assert rec["recipientAccountId"] == ACCOUNT and rec["managementEvent"] is True
        assert ev["ReadOnly"] == ("true" if rec["readOnly"] else "false")
        assert rec["eventTime"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ev["EventTime"]))
        assert {"eventVersion", "userIdentity", "sourceIPAddress", "userAgent", "requestParameters",
                "responseElements", "requestID", "eventType"} <= set(rec)
        types.add(rec["userIdentity"]["type"])
        if rec["userIdentity"]["type"] == "IAMUser":
            assert set(rec["userIdentity"]) == {"type", "principalId", "arn", "accountId", "accessKeyId", "userName"}
        failures += "errorCode" in rec
        console_failures += (rec.get("responseElements") or {}).get("ConsoleLogin") == "Failure" and "errorCode" not in rec
    assert types == {"IAMUser", "AssumedRole", "Root", "AWSService"}
    assert failures > 0 and console_failures > 0
    assert sorted(ids) == sorted(json.loads(b)["EventId"] for b in raw)
    # Seeded: the same calls after a reset give byte-identical events.
    fake.control("POST", "reset")
    fake.control("POST", "events", {"account": ACCOUNT, "region": REGION, "count": 3,
                                    "times": [1_700_000_000, 1_700_000_001, 1_700_000_002]})
    first = fake.control("GET", "events", account=ACCOUNT, region=REGION, raw="1")["value"]
    fake.control("POST", "reset")
    fake.control("POST", "events", {"account": ACCOUNT, "region": REGION, "count": 3,
                                    "times": [1_700_000_000, 1_700_000_001, 1_700_000_002]})
    assert fake.control("GET", "events", account=ACCOUNT, region=REGION, raw="1")["value"] == first


def test_next_token_is_stable_over_a_snapshot(fake):
    t0 = int(time.time()) - 3000
    original = set(add(fake, 120, t0 + 100, t0 + 1290))
    body = {"StartTime": t0, "EndTime": t0 + 2000, "MaxResults": 50}
    first = send(fake, body).json()
    # Newer and older events arrive while the iteration is under way: its pages do not move.
    later = set(add(fake, 10, t0 + 1500, t0 + 1600)) | set(add(fake, 10, t0 + 10, t0 + 50))
    seen, token = [e["EventId"] for e in first["Events"]], first["NextToken"]
    for _ in range(10):                                # bounded: 2 more pages expected
        page = send(fake, {**body, "NextToken": token}).json()
        seen += [e["EventId"] for e in page["Events"]]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == 120 and set(seen) == original
    fresh = send(fake, {**body, "MaxResults": 50}).json()
    assert len(fresh["Events"]) == 50 and {e["EventId"] for e in fresh["Events"]} & later


@pytest.mark.parametrize("change", [
    lambda b: {"StartTime": b["StartTime"] + 1}, lambda b: {"EndTime": b["EndTime"] - 1},
    lambda b: {"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "true"}]},
    lambda b: {"NextToken": "bm90LWEtdG9rZW4"},
])
def test_next_token_needs_the_same_parameters(fake, change):
    t0 = int(time.time()) - 3000
    add(fake, 60, t0, t0 + 600)
    body = {"StartTime": t0, "EndTime": t0 + 600, "MaxResults": 50}
    token = send(fake, body).json()["NextToken"]
    r = send(fake, {**body, "NextToken": token, **change(body)})
    assert error_of(r)[:2] == (400, "InvalidNextTokenException")


@pytest.mark.parametrize("body, code", [
    ({"MaxResults": 51}, "InvalidMaxResultsException"),
    ({"MaxResults": 0}, "InvalidMaxResultsException"),
    ({"StartTime": 200, "EndTime": 100}, "InvalidTimeRangeException"),
    ({"StartTime": "2026-01-01T00:00:00Z"}, "SerializationException"),
    ({"Unknown": 1}, "SerializationException"),
    ({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "a"},
                           {"AttributeKey": "Username", "AttributeValue": "b"}]}, "InvalidLookupAttributesException"),
    (b"{not json", "SerializationException"),
])
def test_invalid_requests(fake, body, code):
    assert error_of(send(fake, body))[:2] == (400, code)


def test_lookup_attribute_filters(fake):
    add(fake, 200, time.time() - 600, time.time() - 1)
    events = [json.loads(b) for b in fake.control("GET", "events", account=ACCOUNT, region=REGION, raw="1")["value"]]
    name = events[0]["EventName"]
    r = send(fake, {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}], "MaxResults": 50})
    got = r.json()["Events"]
    assert got and all(e["EventName"] == name for e in got)
    assert len(got) == min(50, sum(e["EventName"] == name for e in events))


def test_wrong_operation_or_content_type(fake):
    r = send(fake, {}, target="com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DeleteTrail")
    assert error_of(r)[:2] == (400, "UnknownOperationException")
    assert error_of(send(fake, {}, content_type="application/json"))[:2] == (400, "SerializationException")


# --- SigV4 -----------------------------------------------------------------------------------
def test_sdk_requests_with_every_credential_kind_are_accepted(fake):
    for key in (KEY, OTHER_KEY, TEMP):
        assert sdk(fake, key).lookup_events(MaxResults=5)["Events"] == []
    assert send(fake, {"MaxResults": 5}).status_code == 200
    with pytest.raises(ClientError) as refused:
        sdk(fake, Key(KEY.id, "not-the-secret-not-the-secret-0123456789")).lookup_events()
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"


def _minutes(n):
    """A signing time n minutes from now; a callable, so that it is taken when the test runs
    (parameters are made at collection, which may be more than the allowed skew earlier)."""
    return lambda: dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(minutes=n)


@pytest.mark.parametrize("case, kwargs, code, message", [
    ("wrong secret", {"secret": "not-the-secret-not-the-secret-0123456789"}, "InvalidSignatureException",
     "does not match the signature you provided"),
    ("signed 10 minutes ago", {"at": _minutes(-10)}, "InvalidSignatureException", "Signature expired"),
    ("signed 10 minutes ahead", {"at": _minutes(10)}, "InvalidSignatureException", "Signature not yet current"),
    ("region not served", {"region": "ap-south-1"}, "InvalidSignatureException", "valid region"),
    ("wrong service", {"service": "s3"}, "InvalidSignatureException", "correct service: 'cloudtrail'"),
    ("unknown key", {"secret": None, "key": Key("AKIAUNKNOWNUNKNOWN00", "x" * 40)}, "UnrecognizedClientException",
     "security token included in the request is invalid"),
])
def test_signature_errors(fake, case, kwargs, code, message):
    kwargs = {k: v() if k == "at" else v for k, v in kwargs.items()}
    key = kwargs.pop("key", KEY)
    r = send(fake, {"MaxResults": 5}, key, **kwargs)
    status, got, text = error_of(r)
    assert (status, got) == (400, code) and message in text, text
    assert r.headers["Content-Type"] == JSON_11 and r.headers["x-amzn-ErrorType"].startswith(code + ":")


@pytest.mark.parametrize("case, edit, code", [
    ("signature flipped", lambda h, d: h.update(Authorization=h["Authorization"][:-1]
                                                + ("0" if h["Authorization"][-1] != "0" else "1")),
     "InvalidSignatureException"),
    ("body changed after signing", lambda h, d: d.replace(b"5", b"6"), "InvalidSignatureException"),
    ("signed header changed", lambda h, d: h.update({"Content-Type": JSON_11 + "; charset=utf-8"}),
     "InvalidSignatureException"),
    ("no X-Amz-Date", lambda h, d: h.pop("X-Amz-Date"), "IncompleteSignatureException"),
    ("no Authorization", lambda h, d: h.pop("Authorization"), "MissingAuthenticationTokenException"),
    ("Authorization without Signature", lambda h, d: h.update(Authorization=h["Authorization"].split(", Signature=")[0]),
     "IncompleteSignatureException"),
    ("host not signed", lambda h, d: h.update(Authorization=h["Authorization"].replace("host;", "")),
     "InvalidSignatureException"),
])
def test_tampered_requests_are_refused(fake, case, edit, code):
    r = send(fake, {"MaxResults": 5}, edit=edit)
    assert error_of(r)[:2] == (400, code), r.text
    assert fake.control("GET", "requests", limit=1)["value"][0]["status"] == 400


def test_session_tokens(fake):
    assert send(fake, {}, TEMP).status_code == 200
    for token in (None, "IQoJb3JpZ2luX2VjWRONGtoken"):
        assert error_of(send(fake, {}, TEMP, token=token))[:2] == (400, "UnrecognizedClientException")
    # A long-term key must not send a token either.
    assert error_of(send(fake, {}, KEY, token="IQoJb3JpZ2luX2VjEXAMPLE"))[:2] == (400, "UnrecognizedClientException")
    fake.control("POST", "keys", {"account": ACCOUNT, "access_key_id": TEMP.id, "secret_access_key": TEMP.secret,
                                  "session_token": TEMP.token, "expires_in_s": -1})
    assert error_of(send(fake, {}, TEMP))[:2] == (400, "ExpiredTokenException")


def test_the_canonical_request_is_in_the_mismatch_message_as_aws_sends_it(fake):
    r = send(fake, {}, TEMP, secret="wrong-wrong-wrong-wrong-wrong-wrong-wrong")
    text = error_of(r)[2]
    assert "The Canonical String for this request should have been" in text
    assert f"x-amz-security-token:{TEMP.token}" in text


def test_denied_permission(fake):
    fake.control("POST", "keys", {"account": ACCOUNT, "access_key_id": KEY.id, "secret_access_key": KEY.secret,
                                  "user_name": "auditor", "allowed": False})
    status, code, message = error_of(send(fake, {}))
    assert (status, code) == (400, "AccessDeniedException")
    assert f"arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: cloudtrail:LookupEvents" in message


# --- rate limit and faults -------------------------------------------------------------------
def test_rate_limit_per_account_and_region(fake):
    # AWS's is 2 per second; a 3 s window keeps the test deterministic on a loaded machine.
    fake.control("POST", "config", {"rate_limit": {"requests": 2, "window_s": 3}})
    assert [send(fake, {}).status_code for _ in range(2)] == [200, 200]
    assert error_of(send(fake, {}))[:3] == (400, "ThrottlingException", "Rate exceeded")
    assert send(fake, {}, region="us-east-1").status_code == 200      # another region: its own budget
    assert send(fake, {}, OTHER_KEY).status_code == 200               # another account: its own budget
    pacing = fake.control("GET", "pacing", window_s=3)["max_in_window"]
    assert pacing == {f"{ACCOUNT}/{REGION}": 3, f"{ACCOUNT}/us-east-1": 1, f"{OTHER}/{REGION}": 1}
    throttled = fake.control("GET", "requests", error="ThrottlingException")["value"]
    assert len(throttled) == 1 and throttled[0]["tenant"] == ACCOUNT and throttled[0]["stream"] == REGION
    time.sleep(3.1)
    assert send(fake, {}).status_code == 200


def test_faults(fake):
    fake.control("POST", "faults", {"kind": "throttle", "count": 1, "account": ACCOUNT})
    fake.control("POST", "faults", {"kind": "aws_error", "error": "AccessDeniedException", "account": ACCOUNT})
    fake.control("POST", "faults", {"kind": "503", "account": ACCOUNT, "retry_after": 2})
    fake.control("POST", "faults", {"kind": "malformed", "account": ACCOUNT})
    fake.control("POST", "faults", {"kind": "delay", "delay_s": 1, "account": ACCOUNT})
    fake.control("POST", "faults", {"kind": "truncate", "account": ACCOUNT})
    fake.control("POST", "faults", {"kind": "reset", "account": ACCOUNT})
    assert send(fake, {}, OTHER_KEY).status_code == 200              # faults are for ACCOUNT only
    assert error_of(send(fake, {}))[:3] == (400, "ThrottlingException", "Rate exceeded")
    assert error_of(send(fake, {}))[:2] == (400, "AccessDeniedException")
    r = send(fake, {})
    assert (r.status_code, r.headers.get("Retry-After"), r.json()["__type"]) == (503, "2", "ServiceUnavailable")
    r = send(fake, {})
    assert r.status_code == 200 and not _is_json(r.content)
    started = time.monotonic()
    assert send(fake, {}).status_code == 200 and time.monotonic() - started >= 1
    for _ in range(2):                                               # truncated body, then a reset connection
        with pytest.raises(requests.exceptions.RequestException):
            send(fake, {})
    assert fake.control("GET", "faults")["value"] == []
    assert send(fake, {}).status_code == 200


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
        return True
    except ValueError:
        return False


# --- control API -----------------------------------------------------------------------------
def test_late_and_delayed_events(fake):
    late = fake.control("POST", "events/late", {"account": ACCOUNT, "region": REGION, "lag_s": 900, "count": 2})["ids"]
    hidden = add(fake, 1, time.time() - 100, time.time() - 100, delay_s=30)
    got = send(fake, {"StartTime": int(time.time()) - 1000, "EndTime": int(time.time())}).json()["Events"]
    assert {e["EventId"] for e in got} == set(late)
    assert all(time.time() - e["EventTime"] >= 890 for e in got)
    assert hidden[0] in {e["EventId"] for e in fake.control("GET", "events", account=ACCOUNT, region=REGION)["value"]}


def test_explicit_records_and_raw_events(fake):
    rec = {"eventVersion": "1.09", "userIdentity": {"type": "Root", "arn": f"arn:aws:iam::{ACCOUNT}:root"},
           "eventTime": "2026-01-01T00:00:00Z", "eventSource": "iam.amazonaws.com", "eventName": "DeleteUser",
           "errorCode": "NoSuchEntity", "eventID": "rec-1"}
    raw = {"EventId": "raw-1", "EventName": "X", "EventTime": 1_767_225_600.25, "EventSource": "s",
           "CloudTrailEvent": "not json"}
    fake.control("POST", "events", {"account": ACCOUNT, "region": REGION, "records": [rec]})
    fake.control("POST", "events", {"account": ACCOUNT, "region": REGION, "raw_events": [raw]})
    got = {e["EventId"]: e for e in send(fake, {"StartTime": 1_767_225_000, "EndTime": 1_767_226_000}).json()["Events"]}
    assert json.loads(got["rec-1"]["CloudTrailEvent"]) == rec and got["rec-1"]["Username"] == "root"
    assert got["raw-1"]["EventTime"] == 1_767_225_600.25 and got["raw-1"]["CloudTrailEvent"] == "not json"
    with pytest.raises(Exception, match="duplicate EventId"):
        fake.control("POST", "events", {"account": ACCOUNT, "region": REGION, "raw_events": [raw]})


def test_counters_and_request_log(fake):
    send(fake, {})
    send(fake, {}, secret="wrong-wrong-wrong-wrong-wrong-wrong-wrong")
    log = fake.control("GET", "requests", access_key_id=KEY.id)["value"]
    assert [(r["status"], r["error"]) for r in log] == [(200, None), (400, "InvalidSignatureException")]
    assert log[0]["tenant"] == ACCOUNT and log[0]["stream"] == REGION and log[0]["client_request_id"] == TARGET
    assert fake.control("GET", "counters")["data"]["by_tenant"][ACCOUNT] == 2



def test_stream_mode_feeds_every_account_with_a_key(fake):
    st = fake.stream_until_done({"interval_s": 0.2, "batch": 2, "max_events": 4, "regions": [REGION]})
    assert st["added"] == 4 and st["accounts"] is None and "error" not in st
    for account in (ACCOUNT, OTHER):
        events = fake.control("GET", "events", account=account, region=REGION)["value"]
        assert len(events) == 2 and all(time.time() - 10 < e["EventTime"] <= time.time() for e in events)
        assert all(json.loads(e["CloudTrailEvent"])["awsRegion"] == REGION for e in events)
    # What the poller reads: the live events are there for LookupEvents.
    got = send(fake, {"StartTime": int(time.time()) - 60}).json()["Events"]
    assert len(got) == 2
    assert fake.stream_until_done({"interval_s": 0.2, "batch": 1, "max_events": 1, "accounts": [OTHER]})["added"] == 1
    assert len(fake.control("GET", "events", account=OTHER, region="us-east-1")["value"]) == 1


def test_state_file_survives_a_restart(cert_dir, tmp_path):
    state = tmp_path / "aws-state.json"
    first = start_fake("fakes.aws", cert_dir, state_file=state, log_path=tmp_path / "a.log")
    try:
        first.control("POST", "keys", {"account": ACCOUNT, "access_key_id": KEY.id, "secret_access_key": KEY.secret})
        ids = add(first, 5, time.time() - 60, time.time() - 1)
    finally:
        assert first.stop() == 0
    second = start_fake("fakes.aws", cert_dir, state_file=state, log_path=tmp_path / "b.log")
    try:
        second.control("POST", "config", {"rate_limit": None})
        got = send(second, {"StartTime": int(time.time()) - 120}).json()["Events"]
        assert sorted(e["EventId"] for e in got) == sorted(ids)
    finally:
        second.stop()


def test_unknown_paths_and_control_errors(fake):
    with fake.session() as s:
        r = s.get(fake.base_url + "/", timeout=10)
    assert error_of(r)[:2] == (404, "UnknownOperationException")
    with pytest.raises(Exception, match="400"):
        fake.control("POST", "faults", {"kind": "aws_error"})
    with pytest.raises(Exception, match="404"):
        fake.control("GET", "nope")
    assert fake.control("GET", "health")["ok"] is True
    added = fake.control("POST", "keys", {"account": ACCOUNT, "access_key_id": "AKIAX0000000000000X1",
                                          "secret_access_key": "s" * 40})
    assert added["arn"] == f"arn:aws:iam::{ACCOUNT}:user/siem-reader"
