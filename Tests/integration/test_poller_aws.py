"""End to end: PostgreSQL + the fake CloudTrail (HTTPS, SigV4-verified) + the dev Kafka broker
+ the real siem-poller binary, read back from Kafka with a real consumer."""
import collections
import datetime as dt
import json
import math
import os
import random
import signal
import string
import subprocess
import time
import uuid
from dataclasses import dataclass

import pytest

import normalization
from fakes.process import start_fake
from harness import kafka
from pollerkit import PollerKit, broker_command, iso, source_lines

REGION = "eu-west-1"


@dataclass
class AWSKey:
    account: str
    access_key_id: str
    secret: str
    region: str = REGION
    session_token: str | None = None


class AWSKit(PollerKit):
    """PollerKit for AWS sources: keys in the fake, sources with AWS credentials."""

    def __init__(self, stack, fake, cert_dir):
        # Not PollerKit.__init__: that one registers a Microsoft token resource in the fake.
        self.stack, self.fake, self.cert_dir = stack, fake, cert_dir
        self.topic = f"events-{uuid.uuid4().hex[:10]}"
        broker_command(stack.env["SIEM_KAFKA_CONTROL"], f"create-topic {self.topic} 3")
        self.siem_tenant = f"soc-{uuid.uuid4().hex[:8]}"
        self.admin = stack.session(stack.token(tenant=self.siem_tenant, roles=["admin"]))
        self.created = []

    def new_key(self, account=None, temporary=False, allowed=True, expires_in_s=None):
        rnd = random.SystemRandom()
        key = AWSKey(account or "".join(rnd.choices(string.digits, k=12)),
                     ("ASIA" if temporary else "AKIA") + "".join(rnd.choices(string.ascii_uppercase + "234567", k=16)),
                     "".join(rnd.choices(string.ascii_letters + string.digits + "/+", k=40)),
                     session_token=("IQoJb3JpZ2luX2VjE" + uuid.uuid4().hex * 6) if temporary else None)
        self.fake.control("POST", "keys", {"account": key.account, "access_key_id": key.access_key_id,
                                           "secret_access_key": key.secret, "session_token": key.session_token,
                                           "allowed": allowed, "expires_in_s": expires_in_s})
        return key

    def add_events(self, key, count, start, end, **extra):
        return self.fake.control("POST", "events", {"account": key.account, "region": key.region, "count": count,
                                                    "start": start, "end": end, **extra})["ids"]

    def fake_events(self, key, raw=False):
        return self.fake.control("GET", "events", account=key.account, region=key.region,
                                 **({"raw": "1"} if raw else {}))["value"]

    def calls(self, key, **query):
        return self.fake.control("GET", "requests", access_key_id=key.access_key_id, **query)["value"]

    def create_source(self, key, secret=None, session_token=None, **settings):
        creds = {"access_key_id": key.access_key_id, "secret_access_key": secret or key.secret, "region": key.region}
        if session_token or key.session_token:
            creds["session_token"] = session_token or key.session_token
        body = {"platform": "AWS", "source_name": f"src-{uuid.uuid4().hex[:8]}", "api_credentials_json": creds,
                "polling_interval_minutes": 15,
                "settings": {"endpoint_url": self.fake.base_url, "initial_lookback_minutes": 180, **settings}}
        r = self.admin.post(f"{self.stack.url}/v1/cloud_api_sources", json=body)
        assert r.status_code == 201, r.text
        self.created.append(r.json()["source_id"])
        return r.json()

    def delete_sources(self):
        """A source left behind would be due again in a later run, against a fake that is gone."""
        for source_id in self.created:
            self.admin.delete(f"{self.stack.url}/v1/cloud_api_sources/{source_id}")

    def read_raw(self, timeout=30):
        return kafka.read_topic(self.stack.env["KAFKA_BROKERS"], self.topic, timeout=timeout, parse_json=False)


@pytest.fixture(scope="module")
def aws_fake_process(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.aws", cert_dir, seed=11, log_path=tmp_path_factory.mktemp("logs") / "aws.log")
    yield fake
    fake.stop()


@pytest.fixture
def kit(stack, aws_fake_process, cert_dir):
    aws_fake_process.control("POST", "reset")
    kit = AWSKit(stack, aws_fake_process, cert_dir)
    yield kit
    kit.delete_sources()


def outcomes(proc, *sources):
    """Each source's outcome in a run that may also poll other tests' due sources."""
    lines = {line["source.id"]: line["outcome"] for line in source_lines(proc)}
    return [lines.get(s["source_id"]) for s in sources]


def by_key(messages):
    return collections.Counter(m.key for m in messages)


# --- the documented mapping (README), written again from the fake's originals ----------------
def epoch_rfc3339(seconds: float) -> str:
    micros = math.floor(seconds * 1_000_000 + 0.5)   # as the poller rounds (half away from zero)
    whole, frac = divmod(micros, 1_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
    return base + (f".{frac:06d}" if frac else "") + "Z"


def cloudtrail(ev: dict) -> dict:
    try:
        rec = json.loads(ev.get("CloudTrailEvent") or "")
    except ValueError:
        rec = None
    rec = rec if isinstance(rec, dict) else None
    ident = (rec or {}).get("userIdentity") or {}
    failed = bool((rec or {}).get("errorCode")) or \
        normalization.dig(rec, "responseElements", "ConsoleLogin") == "Failure"
    return {
        "timestamp": epoch_rfc3339(ev["EventTime"]),
        "user": normalization.first(ident.get("arn"), ident.get("userName")),
        "activity": normalization.first((rec or {}).get("eventName"), ev.get("EventName")),
        "result": None if rec is None else ("failure" if failed else "success"),
        "source_ip": normalization.text((rec or {}).get("sourceIPAddress")),
        "application": normalization.first((rec or {}).get("eventSource"), ev.get("EventSource")),
        "log_type": "cloudtrail",
    }


def raw_log_bytes(value: bytes) -> bytes:
    """The raw_log member's bytes: the writer puts it last, so it runs to the closing brace."""
    return value[value.index(b',"raw_log":') + len(b',"raw_log":'):-1]


def check_normalized(kit, key, source, messages_raw):
    originals = {e["EventId"]: e for e in kit.fake_events(key)}
    served = {json.loads(b)["EventId"]: b.encode() for b in kit.fake_events(key, raw=True)}
    for m in messages_raw:
        assert key.secret.encode() not in m.value
        v = json.loads(m.value)
        ev = originals[m.key]
        for field, want in cloudtrail(ev).items():
            assert v[field] == want, (field, m.key, v[field], want)
        assert raw_log_bytes(m.value) == served[m.key]          # the event object, byte for byte
        assert v["event_id"] == m.key and v["source"] == "AWS" and v["schema_version"] == 1
        assert v["tenant_id"] == kit.siem_tenant and v["source_id"] == source["source_id"]
        assert v["ingested_at"].endswith("Z")
        assert m.headers == {"tenant_id": kit.siem_tenant, "source_id": source["source_id"],
                             "platform": "AWS", "log_type": "cloudtrail"}


def test_ticks_deliver_every_event_exactly_once(kit):
    key = kit.new_key()
    ids = kit.add_events(key, 600, iso(7000), iso(60))
    source = kit.create_source(key)

    first = kit.poll(source)
    messages = kit.read_raw()
    counts = by_key(messages)
    assert set(counts) == set(ids) and max(counts.values()) == 1
    line = source_lines(first)[0]
    assert line["outcome"] == "success" and line["events"] == 600 and line["platform"] == "AWS"
    assert line["streams"] == {"cloudtrail": "ok 600"}
    assert line["pages"] >= 12                      # MaxResults is 50: many pages
    check_normalized(kit, key, source, messages)
    calls = kit.calls(key)
    assert calls and all(c["status"] == 200 and c["error"] is None for c in calls)
    assert all(c["client_request_id"].endswith(".LookupEvents") for c in calls)
    pacing = kit.fake.control("GET", "pacing", window_s=1, access_key_id=key.access_key_id)["max_in_window"]
    assert pacing[f"{key.account}/{key.region}"] <= 2

    # Second tick: only the new events.
    new = kit.add_events(key, 60, iso(50), iso(5))
    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids) | set(new) and max(counts.values()) == 1

    # Third tick, nothing new: the overlap is re-read and de-duplicated.
    third = kit.poll(source)
    assert len(kit.read()) == 660
    assert source_lines(third)[0]["events"] == 0 and source_lines(third)[0]["duplicates_skipped"] > 0
    cursor = kit.source(source["source_id"])["cursor"]
    assert set(cursor) == {"cloudtrail"} and cursor["cloudtrail"]["watermark"].endswith("Z")


def test_late_events_inside_the_overlap_are_delivered_once(kit):
    key = kit.new_key(temporary=True)     # temporary credentials: the session token is signed
    kit.add_events(key, 30, iso(3000), iso(100))
    source = kit.create_source(key)
    kit.poll(source)
    assert len(kit.read()) == 30
    # CloudTrail's default overlap is 15 minutes: events 10 minutes late are inside it.
    late = kit.fake.control("POST", "events/late", {"account": key.account, "region": key.region,
                                                    "lag_s": 600, "count": 2})["ids"]
    kit.poll(source)
    counts = by_key(kit.read())
    assert all(counts[i] == 1 for i in late)
    assert len(counts) == 32 and max(counts.values()) == 1
    kit.poll(source)
    assert len(kit.read()) == 32


def test_whole_second_events_at_the_overlap_edge_are_delivered_once(kit):
    # LookupEvents takes whole seconds, so the second poll asks from the second before its
    # overlap's start: the event stamped with that second was delivered by the first poll and is
    # no longer remembered, so the poller must drop it rather than deliver it again.
    key = kit.new_key()
    now = int(time.time())
    overlap = 15 * 60
    ids = kit.fake.control("POST", "events", {"account": key.account, "region": key.region,
                                              "times": [now - overlap - 60 + i for i in range(120)]})["ids"]
    source = kit.create_source(key, initial_lookback_minutes=60)
    kit.poll(source)
    second = kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids) and max(counts.values()) == 1
    assert source_lines(second)[0]["events"] == 0


def test_fractional_event_times_keep_their_microseconds(kit):
    key = kit.new_key()
    base = time.time() - 1800
    ids = kit.fake.control("POST", "events", {"account": key.account, "region": key.region, "fractional": True,
                                              "times": [base + i + 0.25 + i / 1000 for i in range(20)]})["ids"]
    source = kit.create_source(key)
    kit.poll(source)
    messages = kit.read_raw()
    assert set(by_key(messages)) == set(ids)
    check_normalized(kit, key, source, messages)
    assert all("." in json.loads(m.value)["timestamp"] for m in messages)


def test_throttling_exception_backs_off_and_5xx_are_retried(kit):
    key = kit.new_key()
    kit.add_events(key, 40, iso(3000), iso(100))
    source = kit.create_source(key)
    kit.fake.control("POST", "faults", {"kind": "throttle", "count": 3, "account": key.account})
    kit.fake.control("POST", "faults", {"kind": "500", "count": 1, "account": key.account})
    proc = kit.poll(source)
    assert len(kit.read()) == 40
    calls = kit.calls(key)
    assert [(c["status"], c["error"]) for c in calls[:5]] == [
        (400, "ThrottlingException")] * 3 + [(500, "InternalFailure"), (200, None)]
    # Equal-jitter backoff: at least half of 1 s, 2 s, 4 s before each retry.
    gaps = [b["ts"] - a["ts"] for a, b in zip(calls, calls[1:4])]
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95 and gaps[2] >= 1.95, gaps
    throttled = [line for line in proc.log if line.get("msg") == "provider throttled"]
    assert [str(t["retry"]) for t in throttled] == ["1", "2", "3"]
    assert source_lines(proc)[0]["requests"] >= 5


def test_two_sources_sharing_a_key_stay_within_two_requests_per_second(kit, only_new_sources_due):
    key = kit.new_key()
    kit.add_events(key, 300, iso(3000), iso(100))
    a = kit.create_source(key)
    b = kit.create_source(key)
    proc = kit.run_poller("--concurrency", "2")
    assert outcomes(proc, a, b) == ["success", "success"], proc.stderr
    calls = kit.calls(key)
    assert len(calls) >= 14 and not [c for c in calls if c["error"]]   # never throttled
    pacing = kit.fake.control("GET", "pacing", window_s=1, access_key_id=key.access_key_id)["max_in_window"]
    assert pacing[f"{key.account}/{key.region}"] <= 2
    per_source = collections.Counter(m.value["source_id"] for m in kit.read())
    assert per_source == {a["source_id"]: 300, b["source_id"]: 300}


def test_a_throttled_key_pauses_every_source_that_shares_it(kit, only_new_sources_due):
    # ThrottlingException limits the account and region, not the one source that saw it:
    # while one source backs off, the other source on the same key must wait too.
    key = kit.new_key()
    kit.add_events(key, 300, iso(3000), iso(100))
    a = kit.create_source(key)
    b = kit.create_source(key)
    kit.fake.control("POST", "faults", {"kind": "throttle", "count": 4, "skip": 2, "account": key.account})
    proc = kit.run_poller("--concurrency", "2")
    assert outcomes(proc, a, b) == ["success", "success"], proc.stderr
    calls = kit.calls(key)
    backoffs = [(dt.datetime.fromisoformat(line["ts"].replace("Z", "+00:00")).timestamp(), int(line["wait_ms"]) / 1000)
                for line in proc.log if line.get("msg") == "provider throttled"]
    assert len(backoffs) == 4, proc.log
    # From the moment a backoff starts (its log line) until it ends, no request of either
    # source reaches CloudTrail; 0.1 s of slack each side for a request already in flight
    # and for the log's millisecond timestamps.
    for start, wait in backoffs:
        early = [round(c["ts"] - start, 3) for c in calls if start + 0.1 < c["ts"] < start + wait - 0.1]
        assert not early, f"requests {early} s into a {wait} s backoff"
    per_source = collections.Counter(m.value["source_id"] for m in kit.read())
    assert per_source == {a["source_id"]: 300, b["source_id"]: 300}


def test_two_keys_of_one_account_are_throttled_and_recover(kit, only_new_sources_due):
    # Keys are the pacing proxy for the account, so two keys of one account pace apart;
    # CloudTrail's own limit then throttles them and the backoff must carry them through.
    first = kit.new_key()
    second = kit.new_key(account=first.account)
    ids = kit.add_events(first, 300, iso(3000), iso(100))
    a = kit.create_source(first)
    b = kit.create_source(second)
    proc = kit.run_poller("--concurrency", "2")
    assert outcomes(proc, a, b) == ["success", "success"], proc.stderr
    throttled = kit.fake.control("GET", "requests", account=first.account, error="ThrottlingException")["value"]
    assert throttled, "expected CloudTrail to throttle two keys of one account"
    messages = kit.read()
    for source in (a, b):
        counts = collections.Counter(m.key for m in messages if m.value["source_id"] == source["source_id"])
        assert set(counts) == set(ids) and max(counts.values()) == 1


@pytest.mark.parametrize("case, kind, code", [
    ("wrong secret", "bad credentials", "InvalidSignatureException"),
    ("wrong secret, temporary key", "bad credentials", "InvalidSignatureException"),
    ("unknown key", "bad credentials", "UnrecognizedClientException"),
    ("expired session", "bad credentials", "ExpiredTokenException"),
    ("denied", "missing permission", "AccessDeniedException"),
])
def test_refused_credentials_are_recorded_without_secrets(kit, case, kind, code):
    key = kit.new_key(temporary=case in ("wrong secret, temporary key", "expired session"),
                      allowed=case != "denied", expires_in_s=-1 if case == "expired session" else None)
    wrong = "Wr0ng" + "".join(random.choices(string.ascii_letters, k=35))
    if case == "unknown key":
        key.access_key_id = "AKIA" + "Z" * 16
    source = kit.create_source(key, secret=wrong if case.startswith("wrong secret") else None)
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["outcome"] == "error" and line["error.kind"] == kind and code in line["error"]
    state = kit.source(source["source_id"])
    assert state["error_count"] == 1 and code in state["last_error"]
    # The fake repeats the canonical request (with the session token) in signature errors, as AWS does.
    for secret in filter(None, [key.secret, wrong, key.session_token]):
        assert secret not in proc.stderr and secret not in state["last_error"]
    assert state["cursor"] == {} and kit.topic_size() == 0


def test_malformed_page_fails_the_source_and_the_next_run_recovers(kit):
    key = kit.new_key()
    ids = kit.add_events(key, 80, iso(3000), iso(100))
    source = kit.create_source(key, initial_lookback_minutes=60)
    kit.fake.control("POST", "faults", {"kind": "malformed", "count": 1, "account": key.account})
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    assert source_lines(proc)[0]["error.kind"] == "malformed response"
    assert kit.source(source["source_id"])["cursor"] == {}
    kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(ids) and max(counts.values()) == 1


def test_kafka_outage_moves_no_checkpoint_and_loses_nothing(kit):
    key = kit.new_key()
    ids = kit.add_events(key, 120, iso(3000), iso(100))
    source = kit.create_source(key)
    control = kit.stack.env["SIEM_KAFKA_CONTROL"]
    broker_command(control, "broker-down 1")
    try:
        proc = kit.run_poller("--source", source["source_id"], SIEM_DELIVERY_TIMEOUT_SECONDS=4,
                              KAFKA_PROPERTIES="message.timeout.ms=3000")
    finally:
        broker_command(control, "broker-up 1")
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["outcome"] == "error" and line["error.kind"] == "kafka delivery failed"
    # Empty slices before the events may have been committed; none past the oldest event.
    watermark = kit.source(source["source_id"])["cursor"].get("cloudtrail", {}).get("watermark")
    oldest = min(e["EventTime"] for e in kit.fake_events(key))
    assert watermark is None or normalization.rfc3339(watermark) <= epoch_rfc3339(oldest)
    kit.poll(source)
    assert set(by_key(kit.read())) == set(ids)


def test_sigkill_mid_slice_loses_nothing(kit):
    key = kit.new_key()
    ids = kit.add_events(key, 300, iso(3000), iso(100))
    # One slice holds every event (lookback 60 min); pages come newest first.
    source = kit.create_source(key, initial_lookback_minutes=60)
    kit.fake.control("POST", "faults", {"kind": "delay", "delay_s": 30, "count": 1, "skip": 2,
                                        "account": key.account})
    proc = subprocess.Popen(kit.poller_args("--source", source["source_id"]), env=kit.env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and kit.topic_size() < 100:
            time.sleep(0.1)
        assert kit.topic_size() == 100        # two pages of 50 published, the third hangs
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert kit.source(source["source_id"])["cursor"] == {}
    kit.fake.control("DELETE", "faults")
    kit.poll(source)
    assert set(by_key(kit.read())) == set(ids)


def test_a_dense_window_read_newest_first_progresses_every_tick(kit):
    """LookupEvents pages come newest first: a slice too dense for one run commits what Kafka
    acknowledged (its newest part) and the next tick reads only what is older, so nothing is
    delivered twice and the backlog shrinks every tick (reliability issue #11, item 1)."""
    key = kit.new_key()
    # 2,400 events in the last 25 minutes; 2 LookupEvents calls per second of 50 events each,
    # so a 3-second run reads a few hundred of them.
    ids = kit.add_events(key, 2400, iso(1500), iso(60))
    source = kit.create_source(key, initial_lookback_minutes=60, lag_alert_intervals=1)
    delivered_before = 0
    pending = []
    for _ in range(5):
        proc = kit.run_poller("--source", source["source_id"], "--deadline", "3")
        assert proc.returncode == 0, proc.stderr
        line = source_lines(proc)[0]
        assert line["outcome"] == "success" and line["backlog_left"] is True and line["events"] > 0, line
        counts = by_key(kit.read())
        assert max(counts.values()) == 1
        assert len(counts) > delivered_before
        delivered_before = len(counts)
        cursor = kit.source(source["source_id"])["cursor"]["cloudtrail"]
        pending.append(cursor["pending_end"])
        assert kit.source(source["source_id"])["streams"]["cloudtrail"]["state"] == "lagging"
    # The acknowledged part moves down the slice every tick.
    assert all(a > b for a, b in zip(pending, pending[1:])), pending
    # What was delivered is the newest part: nothing older was skipped over.
    times = {e["EventId"]: e["EventTime"] for e in kit.fake_events(key)}
    oldest_delivered = min(times[i] for i in counts)
    assert {i for i, t in times.items() if t > oldest_delivered} <= set(counts)

    # With time enough, the stream catches up: every event exactly once, watermark at now.
    proc = kit.run_poller("--source", source["source_id"], timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert source_lines(proc)[0]["backlog_left"] is False
    counts = by_key(kit.read())
    assert set(counts) == set(ids) and max(counts.values()) == 1
    state = kit.source(source["source_id"])
    assert "pending_end" not in state["cursor"]["cloudtrail"]
    assert state["streams"]["cloudtrail"]["state"] == "ok"
