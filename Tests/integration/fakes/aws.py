"""Fake AWS CloudTrail on one HTTPS port: `LookupEvents` over AWS JSON 1.1, SigV4-verified.

  POST /   X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents
           Content-Type: application/x-amz-json-1.1, signed with SigV4 (service cloudtrail)
  *    /_control/...   test control API (awscontrol.py)

One port stands in for the regional endpoints of every region in `config.regions`: the region
is the one in the request's credential scope, and data are kept per account and region.

Run: python3 -m fakes.aws --port 0 --cert-dir DIR [--seed N] [--state-file F] [--stream]
Point a source's settings.endpoint_url at https://127.0.0.1:PORT.
"""
from __future__ import annotations

import json
import math
import time
import uuid
from dataclasses import dataclass

from . import awscontrol
from .awssig import AccessKey, AWSError, parse_authorization, verify
from .control import FakeApp, FaultQueue, RateLimiter, Record, RequestLog, spoil_body
from .odata import TICKS, TimeRange, decode_token, encode_token
from .server import Response, common_args, serve
from .store import EventStore

SERVICE = "cloudtrail"
TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
LOOKUP_EVENTS = TARGET_PREFIX + "LookupEvents"
JSON_11 = "application/x-amz-json-1.1"
CT_NS = "com.amazonaws.cloudtrail.v20131101#"       # CloudTrail's modeled exceptions carry it
CORAL_NS = "com.amazon.coral.service#"              # so do some front-end errors
REQUEST_FIELDS = {"LookupAttributes", "StartTime", "EndTime", "EventCategory", "MaxResults", "NextToken"}
ATTRIBUTE_KEYS = {"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource",
                  "AccessKeyId"}
MAX_RESULTS = 50  # "Possible values are 1 through 50. The default is 50."

DEFAULT_CONFIG = {
    "regions": ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "us-gov-west-1"],
    # "The rate of lookup requests is limited to two per second per account per Region."
    "rate_limit": {"requests": 2, "window_s": 1.0},
    "max_skew_s": 300,
    "max_events_per_stream": 200_000,
}


@dataclass
class AWSRecord(Record):
    """A request log entry: tenant = account, client_id = access key id, stream = region."""
    error: str | None = None   # the AWS error code answered, if any


class CloudTrailFake(FakeApp):
    control = awscontrol

    def reset(self) -> None:
        self.streamer.halt()  # outside the lock: the streamer thread may be waiting for it
        with self.lock:
            self.config = json.loads(json.dumps(DEFAULT_CONFIG))
            self.keys: dict[str, AccessKey] = {}
            self.store = EventStore(self.config["max_events_per_stream"])
            self.faults = FaultQueue()
            self.fault_errors: dict[int, tuple[int, str, str]] = {}  # fault id -> AWS error to answer
            self.log = RequestLog()
            self.serials: dict[str, int] = {}
            self.apply_config()

    def apply_config(self) -> None:
        rl = self.config["rate_limit"]
        self.limiter = RateLimiter(int(rl["requests"]), float(rl["window_s"])) if rl else None
        self.store.max_per_stream = int(self.config["max_events_per_stream"])

    def close(self) -> None:
        self.streamer.halt()
        if self.state_file:
            awscontrol.save_state(self, self.state_file)

    # --- routing ------------------------------------------------------------------------
    def handle(self, req) -> Response:
        if req.path.startswith("/_control/"):
            return awscontrol.handle(self, req)
        rec = AWSRecord(ts=time.time(), kind="cloudtrail", method=req.method, path=req.path, query=req.raw_query,
                        tenant=None, client_id=None, stream=None, first_page=True,
                        user_agent=req.header("user-agent"), client_request_id=req.header("x-amz-target"),
                        peer_port=req.client[1])
        try:
            resp = self._call(req, rec)
        except AWSError as e:
            resp = error_response(e)
            rec.error = e.code
            if rec.client_id is None:
                self._claimed(req, rec)
        rec.status = resp.status
        with self.lock:
            self.log.add(rec)
        return resp

    def _call(self, req, rec: AWSRecord) -> Response:
        """AWS's order: authenticate, then the operation, permission and rate limit, then the call."""
        if req.path != "/" or req.method != "POST":
            raise AWSError(404, "UnknownOperationException", f"No operation at {req.method} {req.path}")
        with self.lock:
            who = verify(req, self.keys, set(self.config["regions"]), SERVICE, float(self.config["max_skew_s"]))
        rec.tenant, rec.client_id, rec.stream = who.key.account, who.key.access_key_id, who.region
        fault = self._take_fault(req, rec)
        injected = self._injected(fault, rec)
        if injected is not None:
            return injected
        self._admit(req, who)
        return spoil_body(self._lookup_events(req, who.key.account, who.region, rec), fault)

    def _take_fault(self, req, rec: AWSRecord):
        with self.lock:
            fault = self.faults.take(req.method, req.path, rec.tenant, rec.client_id)
        if fault:
            rec.fault = fault.kind
            if fault.kind == "delay":
                self.stop.wait(fault.delay_s)  # interruptible, so shutdown is never held up
        return fault

    def _injected(self, fault, rec: AWSRecord) -> Response | None:
        """The answer a queued fault replaces the call with, if it does."""
        if fault is None or fault.kind in ("delay", "truncate", "malformed"):
            return None
        with self.lock:
            answer = self.fault_errors.get(fault.id)
            if fault.count <= 0:
                self.fault_errors.pop(fault.id, None)
        if answer:
            raise AWSError(*answer)
        if fault.kind == "reset":
            return Response(0, wire="reset")
        error = server_fault(fault.status)
        rec.error = error.code
        resp = error_response(error)
        if fault.retry_after is not None:
            resp.headers.append(("Retry-After", f"{fault.retry_after:g}"))
        return resp

    def _admit(self, req, who) -> None:
        target = req.header("x-amz-target")
        if target != LOOKUP_EVENTS:
            raise AWSError(400, "UnknownOperationException", f"Unknown operation: {target or '(no X-Amz-Target)'}")
        if req.header("content-type").split(";")[0].strip().lower() != JSON_11:
            raise AWSError(400, CORAL_NS + "SerializationException",
                           f"Expected Content-Type {JSON_11}, got '{req.header('content-type')}'")
        if not who.key.allowed:
            raise AWSError(400, "AccessDeniedException", f"User: {who.key.arn} is not authorized to perform: "
                           "cloudtrail:LookupEvents because no identity-based policy allows the "
                           "cloudtrail:LookupEvents action")
        with self.lock:
            throttled = self.limiter.check(f"{who.key.account}/{who.region}") if self.limiter else 0.0
        if throttled:
            raise AWSError(400, "ThrottlingException", "Rate exceeded")

    def _claimed(self, req, rec: AWSRecord) -> None:
        """Who a refused request claimed to be, so the request log can be filtered by it."""
        try:
            p = parse_authorization(req.header("authorization"))
        except AWSError:
            return
        rec.client_id, rec.stream = p.access_key_id, p.scope[1]
        with self.lock:
            key = self.keys.get(p.access_key_id)
        rec.tenant = key.account if key else None

    # --- LookupEvents -------------------------------------------------------------------
    def _lookup_events(self, req, account: str, region: str, rec: AWSRecord) -> Response:
        try:
            body = json.loads(req.body.decode("utf-8")) if req.body else {}
        except (UnicodeDecodeError, ValueError):
            raise AWSError(400, CORAL_NS + "SerializationException", "Start of structure or map found where not expected.") from None
        if not isinstance(body, dict):
            raise AWSError(400, CORAL_NS + "SerializationException", "Start of list found where not expected")
        unknown = sorted(set(body) - REQUEST_FIELDS)
        if unknown:
            raise AWSError(400, CORAL_NS + "SerializationException", f"Unrecognized field(s): {', '.join(unknown)}")
        rng = TimeRange(_epoch_ticks(body, "StartTime"), True, _epoch_ticks(body, "EndTime"), True)
        if rng.lo is not None and rng.hi is not None and rng.lo > rng.hi:
            raise AWSError(400, CT_NS + "InvalidTimeRangeException", "Start time must be before end time.")
        top = body.get("MaxResults", MAX_RESULTS)
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= MAX_RESULTS:
            raise AWSError(400, CT_NS + "InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
        attrs = _attributes(body.get("LookupAttributes"))
        category = body.get("EventCategory")
        if category not in (None, "insight"):
            raise AWSError(400, CT_NS + "InvalidEventCategoryException", f"Invalid event category: {category}")
        params = {"a": account, "r": region, "lo": rng.lo, "hi": rng.hi, "attr": attrs, "cat": category}
        token = body.get("NextToken")
        if token is not None:
            cursor = self._resume(token, params)
            rec.first_page = False
        else:
            with self.lock:
                cursor = {**params, "v": 1, "k": None, "q": self.store.seq, "w": time.time()}
        pred = _matcher(attrs) if attrs else None
        with self.lock:
            # The fake holds no Insights events: that category is always empty.
            recs, more = ([], False) if category == "insight" else self.store.page(
                (account, region), rng, True, cursor["k"], cursor["q"], cursor["w"], top, pred)
        out = b'{"Events":[' + b",".join(r.body for r in recs) + b"]"
        if more:
            out += b',"NextToken":' + json.dumps(encode_token({**cursor, "k": list(recs[-1].key)})).encode()
        return Response(200, out + b"}", [("Content-Type", JSON_11), ("x-amzn-RequestId", str(uuid.uuid4()))])

    def _resume(self, token, params: dict) -> dict:
        try:
            cursor = decode_token(str(token))
        except ValueError:
            cursor = None
        # "The token must be passed in with the same parameters as the previous call."
        if cursor is None or any(cursor.get(k) != v for k, v in params.items()):
            raise AWSError(400, CT_NS + "InvalidNextTokenException", "Invalid NextToken")
        return cursor


def _epoch_ticks(body: dict, name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    # JSON 1.1 sends timestamps as epoch seconds (a number, maybe fractional).
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise AWSError(400, CORAL_NS + "SerializationException", f"{name} must be a timestamp in epoch seconds")
    return round(value * TICKS)


def _attributes(value) -> list | None:
    if value in (None, []):
        return None
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        raise AWSError(400, CT_NS + "InvalidLookupAttributesException",
                       "Lookup attributes list can contain only one item.")
    key, val = value[0].get("AttributeKey"), value[0].get("AttributeValue")
    if key not in ATTRIBUTE_KEYS or not isinstance(val, str) or not val:
        raise AWSError(400, CT_NS + "InvalidLookupAttributesException", f"Invalid attribute key: {key}")
    return [key, val]


def _matcher(attrs: list):
    key, want = attrs

    def match(rec) -> bool:
        ev = json.loads(rec.body)
        if key in ("ResourceType", "ResourceName"):
            return any(r.get(key) == want for r in ev.get("Resources", []))
        return str(ev.get(key, "")) == want
    return match


def error_response(e: AWSError) -> Response:
    """`{"__type", "message"}` like the front end; modeled CloudTrail exceptions say "Message"."""
    short = e.code.rsplit("#", 1)[-1]
    key = "Message" if e.code.startswith(CT_NS) or short == "AccessDeniedException" else "message"
    body = json.dumps({"__type": e.code, key: e.message}, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(e.status, body, [
        ("Content-Type", JSON_11), ("x-amzn-RequestId", str(uuid.uuid4())),
        ("x-amzn-ErrorType", f"{short}:http://internal.amazon.com/coral/com.amazon.coral.service/")])


def server_fault(status: int) -> AWSError:
    code, msg = {500: ("InternalFailure", "The request processing has failed because of an unknown error."),
                 502: ("BadGateway", "Bad gateway."),
                 503: ("ServiceUnavailable", "Service is unavailable. Please try again later."),
                 504: ("GatewayTimeout", "Gateway timeout."),
                 429: ("TooManyRequestsException", "Too many requests.")}.get(status, ("InjectedFault", "Injected fault."))
    return AWSError(status, code, msg)


def main() -> int:
    ap = common_args("Fake AWS CloudTrail LookupEvents (SigV4, JSON 1.1) over HTTPS on loopback.")
    args = ap.parse_args()
    return serve(args, lambda a, port, stop: CloudTrailFake(port, a.seed, a.state_file, stop))


if __name__ == "__main__":
    raise SystemExit(main())
