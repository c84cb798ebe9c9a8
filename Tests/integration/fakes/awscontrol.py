"""/_control/ API of the fake CloudTrail: access keys, config, events, faults, request log, pacing,
state file. JSON in and out, loopback only, no auth, like the Microsoft fake's control API.

  POST reset | GET health | POST keys | GET/POST config | POST events | GET events | POST events/late
  POST/GET/DELETE faults | GET requests | GET counters | GET pacing | POST save
  POST stream {"enabled": true, "interval_s": 3, "batch": 5, "max_events": 100000, "accounts"?, "regions"?}
       / {"enabled": false}: every interval, `batch` new events per account (default: every account with
       a key) and region (default us-east-1) | GET stream: {"enabled", "added", ...}
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict

from . import awsgen
from .awssig import AccessKey
from .msgen import _uuid, rng_for
from .odata import TICKS, as_ticks
from . import control
from .control import (STREAM_ROUTES, BadRequest, Streamer, counters, dispatch, health, list_faults, max_in_window,
                      need as _need, read_state, save_handler, spread_times,
                      write_state)

MAX_GENERATE = 200_000   # events per add call


def handle(app, req):
    return dispatch(app, req, ROUTES)


# --- setup --------------------------------------------------------------------------------
def reset(app, body, args):
    app.reset()
    return {"ok": True}




def add_key(app, body, args):
    """{account, access_key_id, secret_access_key, session_token?, expires_in_s?, user_name?, allowed?}.
    Re-post to rotate the secret, expire a session or deny LookupEvents (`allowed: false`)."""
    account, key_id, secret = (str(x) for x in _need(body, "account", "access_key_id", "secret_access_key"))
    expires = body.get("expires_in_s")
    key = AccessKey(key_id, secret, account, str(body.get("user_name") or "siem-reader"),
                    session_token=body.get("session_token") or None,
                    expires_at=None if expires is None else time.time() + float(expires),
                    allowed=bool(body.get("allowed", True)))
    with app.lock:
        app.keys[key_id] = key
    return {"ok": True, "arn": key.arn}


# --- events -------------------------------------------------------------------------------
def add_events(app, body, args):
    """`count` events spread over [start, end] (default the last 60 s), or at `times`, or the given
    CloudTrail `records` (wrapped like LookupEvents does), or verbatim LookupEvents `raw_events`.
    `fractional` keeps sub-second EventTime; `delay_s` makes them visible later."""
    account, region = (str(x) for x in _need(body, "account", "region"))
    now = time.time()
    fractional = bool(body.get("fractional", False))
    skey = (account, region)
    items = []
    with app.lock:
        if body.get("raw_events") is not None:
            for ev in body["raw_events"]:
                if not isinstance(ev, dict) or not ev.get("EventId") or "EventTime" not in ev:
                    raise BadRequest("raw_events need EventId and EventTime")
                items.append((round(float(ev["EventTime"]) * TICKS), dict(ev)))
        elif body.get("records") is not None:
            for rec in body["records"]:
                rec = dict(rec)
                rec.setdefault("eventID", _uuid(_rng(app, skey)))
                rec.setdefault("eventTime", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)))
                ticks = as_ticks(rec["eventTime"])
                items.append((ticks, awsgen.lookup_event(rec, ticks, fractional)))
        else:
            for ticks in spread_times(body, now, TICKS, as_ticks, MAX_GENERATE):
                ticks = ticks if fractional else ticks // TICKS * TICKS
                rec = awsgen.record(_rng(app, skey), ticks, account, region)
                items.append((ticks, awsgen.lookup_event(rec, ticks, fractional)))
        seen = set()
        for _, ev in items:
            if ev["EventId"] in seen or app.store.has_id(skey, ev["EventId"]):
                raise BadRequest(f"duplicate EventId {ev['EventId']!r}")
            seen.add(ev["EventId"])
        delay = float(body.get("delay_s", 0))
        stored = [(t, ev["EventId"], awsgen.dumps_event(ev), max(now, t / TICKS) + delay) for t, ev in items]
        app.store.add_many(skey, stored)
    out = {"count": len(stored)}
    if body.get("return_ids", True):
        out["ids"] = [s[1] for s in stored]
    return out


def _rng(app, skey: tuple):
    k = "/".join(skey)
    app.serials[k] = app.serials.get(k, 0) + 1
    return rng_for(app.seed, k, "cloudtrail", app.serials[k])


def add_late(app, body, args):
    """Events stamped `lag_s` ago that only become visible now (CloudTrail's delivery delay)."""
    lag = float(body.get("lag_s", 600))
    n = int(body.get("count", 1))
    now = time.time()
    times = [int((now - lag) * TICKS) + i * TICKS for i in range(n)]
    return add_events(app, {**body, "times": times, "delay_s": 0}, args)


def list_events(app, body, args):
    """Every event of ?account=&region=, oldest first; `raw=1` gives them as the exact bytes served."""
    account, region = args.get("account"), args.get("region")
    if not account or not region:
        raise BadRequest("need ?account=...&region=...")
    with app.lock:
        recs = app.store.current((account, region))
    if args.get("raw") in ("1", "true"):
        return {"value": [r.body.decode("utf-8") for r in recs]}
    return {"value": [json.loads(r.body) for r in recs]}


# --- faults and observation ---------------------------------------------------------------
def add_fault(app, body, args):
    """Generic kinds (status 429 500 502 503 504 truncate malformed delay reset), plus `throttle`
    (ThrottlingException, HTTP 400) and `aws_error` ({"error", "status"?, "message"?})."""
    spec = dict(body)
    if "account" in spec:
        spec["tenant"] = spec.pop("account")
    if "access_key_id" in spec:
        spec["client_id"] = spec.pop("access_key_id")
    kind = str(spec.get("kind", "")).lower()
    answer = None
    if kind == "throttle":
        answer = (400, "ThrottlingException", "Rate exceeded")
    elif kind == "aws_error":
        (code,) = _need(spec, "error")
        answer = (int(spec.get("status", 400)), str(code), str(spec.get("message", "Injected error.")))
    if answer:
        spec.update(kind="status", status=answer[0], retry_after=None)
    with app.lock:
        fault = app.faults.add(spec)
        if answer:
            app.fault_errors[fault.id] = answer
        out = fault.public()
    if answer:
        out.update(kind=kind, error=answer[1])
    return {"fault": out}




def clear_faults(app, body, args):
    with app.lock:
        app.fault_errors.clear()
    return control.clear_faults(app, body, args)


def _select(app, args):
    since = float(args["since"]) if args.get("since") else None
    with app.lock:
        recs = app.log.select(None, args.get("account"), args.get("access_key_id"), None, since, args.get("region"))
    if args.get("error"):
        recs = [r for r in recs if (r.error or "") == args["error"]]
    return recs


def list_requests(app, body, args):
    """?account=&access_key_id=&region=&error=&since=&limit= → records with tenant = account,
    client_id = access key id, stream = region, error = the AWS error code answered."""
    recs = _select(app, args)
    limit = int(args.get("limit", 0) or 0)
    return {"value": [asdict(r) for r in (recs[-limit:] if limit else recs)]}




def pacing(app, body, args):
    """Most calls that arrived in any `window_s` window, per "account/region" they were signed for
    (throttled and refused ones included: what a client sent, which is what pacing must bound)."""
    window = float(args.get("window_s", 1))
    out = max_in_window(_select(app, args), window, key=lambda r: f"{r.tenant}/{r.stream}" if r.tenant else None)
    return {"window_s": window, "max_in_window": out}


# --- stream mode --------------------------------------------------------------------------
def new_streamer(app) -> Streamer:
    """Stream mode: `batch` events per account (`accounts`, default every account with a key,
    looked up at each tick) and region (`regions`, default us-east-1)."""
    return Streamer(app, add_events, _stream_targets, {"accounts": None, "regions": ["us-east-1"]})


def _stream_targets(app, cfg: dict) -> list[dict]:
    with app.lock:
        accounts = cfg["accounts"] or sorted({k.account for k in app.keys.values()})
    return [{"account": account, "region": region} for account in accounts for region in cfg["regions"]]


# --- persistence --------------------------------------------------------------------------
def save_state(app, path: str) -> None:
    with app.lock:
        state = {"version": 1, "config": app.config, "serials": app.serials, "seq": app.store.seq,
                 "keys": [asdict(k) for k in app.keys.values()], "events": app.store.dump()}
    write_state(path, state)


def load_state(app, path: str) -> None:
    state = read_state(path)
    with app.lock:
        app.config.update(state.get("config", {}))
        app.serials = state.get("serials", {})
        app.keys = {k["access_key_id"]: AccessKey(**k) for k in state.get("keys", [])}
        app.store.load(state.get("events", []), int(state.get("seq", 0)))
        app.apply_config()




ROUTES = {
    ("POST", "reset"): reset,
    ("GET", "health"): health,
    ("POST", "keys"): add_key,
    ("GET", "config"): control.get_config,
    ("POST", "config"): control.set_config,
    ("POST", "events"): add_events,
    ("GET", "events"): list_events,
    ("POST", "events/late"): add_late,
    ("POST", "faults"): add_fault,
    ("GET", "faults"): list_faults,
    ("DELETE", "faults"): clear_faults,
    ("GET", "requests"): list_requests,
    ("GET", "counters"): counters,
    ("GET", "pacing"): pacing,
    ("POST", "save"): save_handler(save_state),
    **STREAM_ROUTES,
}
