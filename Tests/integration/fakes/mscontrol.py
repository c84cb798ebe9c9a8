"""`/_control/` API of the Microsoft fake (JSON in/out, no auth, loopback only), plus the
background "stream" mode and state-file persistence.  README.md documents every endpoint.
"""
from __future__ import annotations

import json
import time

from . import msgen
from .control import (STREAM_ROUTES, BadRequest, RateLimiter, Streamer, clear_faults, compact_json as _dumps, counters,
                      dispatch, health, list_faults, list_requests, max_in_window, need as _need, read_state,
                      save_handler, select_requests, spread_times, write_state)
from .odata import as_ticks, format_time, now_ticks, TICKS

MAX_GENERATE = 200_000   # events per add call


def handle(app, req):
    return dispatch(app, req, ROUTES)


# --- setup --------------------------------------------------------------------------------
def reset(app, body, args):
    app.reset()
    return {"ok": True}


def add_resource(app, body, args):
    """{resource, audience}: a resource id (e.g. this fake's own URL) that scopes may name."""
    resource, audience = _need(body, "resource", "audience")
    with app.lock:
        try:
            app.identity.add_resource(str(resource), str(audience))
        except ValueError as e:
            raise BadRequest(str(e))
    return {"ok": True}


def register_app(app, body, args):
    """{tenant, client_id, client_secret?, certificate_pem? (a PEM or a list)}: at least one credential."""
    tenant, client_id = _need(body, "tenant", "client_id")
    secret, certificate = body.get("client_secret"), body.get("certificate_pem")
    if secret in (None, "") and certificate in (None, "", []):
        raise BadRequest("give client_secret and/or certificate_pem")
    certificates = None if certificate is None else [certificate] if isinstance(certificate, str) else list(certificate)
    with app.lock:
        try:
            app.identity.register(str(tenant), str(client_id), None if secret is None else str(secret), certificates)
        except ValueError as e:
            raise BadRequest(str(e))
    return {"ok": True}


def register_subscription(app, body, args):
    tenant, sub = _need(body, "tenant", "subscription_id")
    with app.lock:
        _register_sub(app, str(tenant), str(sub))
    return {"ok": True}


def _register_sub(app, tenant: str, sub: str) -> str:
    sub = sub.lower()
    owner = app.subscriptions.setdefault(sub, tenant)
    if owner != tenant:
        raise BadRequest(f"subscription {sub} belongs to tenant {owner}")
    return sub


def get_config(app, body, args):
    with app.lock:
        return dict(app.config, token_lifetime_s=app.identity.lifetime_s)


def set_config(app, body, args):
    with app.lock:
        for k, v in body.items():
            if k not in app.config:
                raise BadRequest(f"unknown config key {k!r}")
            if isinstance(app.config[k], dict):
                app.config[k].update({s: int(n) for s, n in v.items()})
            else:
                app.config[k] = v
        app.identity.lifetime_s = int(app.config["token_lifetime_s"])
        app.store.max_per_stream = int(app.config["max_events_per_stream"])
        rl = app.config["rate_limit"]
        app.limiter = RateLimiter(int(rl["requests"]), float(rl["window_s"])) if rl else None
        return dict(app.config)


def revoke_tokens(app, body, args):
    with app.lock:
        return {"revoked": app.identity.revoke(body.get("tenant"), body.get("client_id"))}


def set_licence(app, body, args):
    (tenant,) = _need(body, "tenant")
    streams = set(body.get("streams") or ["signIns"])
    with app.lock:
        if body.get("premium", False):
            app.unlicensed.get(tenant, set()).difference_update(streams)
        else:
            app.unlicensed.setdefault(tenant, set()).update(streams)
        return {"unlicensed": {t: sorted(s) for t, s in app.unlicensed.items() if s}}


# --- events -------------------------------------------------------------------------------
def add_events(app, body, args):
    """Generate `count` events spread over [start, end], or at `times`, or store explicit `events`."""
    tenant, stream = (str(x) for x in _need(body, "tenant", "stream"))
    if stream not in msgen.GENERATORS:
        raise BadRequest(f"stream must be one of {sorted(msgen.GENERATORS)}")
    now = time.time()
    with app.lock:
        scope = _register_sub(app, tenant, str(_need(body, "subscription")[0])) if stream == "activityLogs" else ""
        skey = (tenant, stream, scope)
        ctx = {"tenant": tenant, "subscription": body.get("subscription")}
        tfield, idfield = msgen.STREAM_TIME_FIELD[stream], msgen.STREAM_ID_FIELD.get(stream, "id")
        events = []
        if body.get("events") is not None:
            for ev in body["events"]:
                if not isinstance(ev, dict):
                    raise BadRequest("events must be JSON objects")
                ev = dict(ev)
                ev.setdefault(tfield, format_time(now_ticks()))
                if idfield not in ev:
                    ev[idfield] = msgen._uuid(_rng(app, skey, stream))
                events.append((as_ticks(ev[tfield]), ev))
        else:
            for ticks in spread_times(body, now, TICKS, as_ticks, MAX_GENERATE):
                ev = msgen.GENERATORS[stream](_rng(app, skey, stream), ticks, ctx)
                events.append((ticks, ev))
        seen = set()
        for ticks, ev in events:  # ids must stay unique; regenerate the (astronomically rare) clash
            while str(ev[idfield]) in seen or app.store.has_id(skey, str(ev[idfield])):
                if body.get("events") is not None:
                    raise BadRequest(f"duplicate id {ev[idfield]!r}")
                ev[idfield] = msgen._uuid(_rng(app, skey, stream))
            seen.add(str(ev[idfield]))
        delay = float(body.get("delay_s", 0))
        items = [(t, str(ev[idfield]), _dumps(ev), max(now, t / TICKS) + delay) for t, ev in events]
        app.store.add_many(skey, items)
    out = {"count": len(items)}
    if body.get("return_ids", True):
        out["ids"] = [i[1] for i in items]
    return out


def _rng(app, skey: tuple, stream: str):
    k = "/".join(skey)
    app.serials[k] = app.serials.get(k, 0) + 1
    return msgen.rng_for(app.seed, f"{skey[0]}{skey[2]}", stream, app.serials[k])




def add_late(app, body, args):
    """Events stamped `lag_s` in the past that only become visible now (late arrivals)."""
    now = time.time()
    lag = float(body.get("lag_s", 600))
    n = int(body.get("count", 1))
    times = [format_time(int((now - lag) * TICKS) + i) for i in range(n)]
    return add_events(app, {**body, "times": times, "delay_s": 0}, args)


def list_events(app, body, args):
    tenant, stream = args.get("tenant"), args.get("stream")
    if not tenant or stream not in msgen.GENERATORS:
        raise BadRequest("need ?tenant=...&stream=...")
    scope = (args.get("subscription") or "").lower() if stream == "activityLogs" else ""
    with app.lock:
        recs = app.store.current((tenant, stream, scope))
        return {"value": [json.loads(r.body) for r in recs]}


def update_risk_detection(app, body, args):
    """New version of a risk detection (state change), bumping lastUpdatedDateTime."""
    tenant, event_id = (str(x) for x in _need(body, "tenant", "id"))
    skey = (tenant, "riskDetections", "")
    ticks = as_ticks(body["at"]) if body.get("at") is not None else now_ticks()
    with app.lock:
        s = app.store.streams.get(skey)
        key = s.latest.get(event_id) if s else None
        if key is None:
            raise BadRequest(f"no risk detection {event_id!r} in tenant {tenant!r}")
        obj = json.loads(s.recs[key].body)
        for f in ("riskState", "riskLevel", "riskDetail"):
            if f in body:
                obj[f] = body[f]
        obj["lastUpdatedDateTime"] = format_time(ticks)
        app.store.update(skey, event_id, ticks, _dumps(obj), max(time.time(), ticks / TICKS))
    return {"event": obj}


# --- faults and observation ---------------------------------------------------------------
def add_fault(app, body, args):
    with app.lock:
        return {"fault": app.faults.add(body).public()}










def pacing(app, body, args):
    window = float(args.get("window_s", 10))
    args = {"kind": "data", **args}
    return {"window_s": window, "max_in_window": max_in_window(select_requests(app, args), window)}




# --- stream mode --------------------------------------------------------------------------
def new_streamer(app) -> Streamer:
    """Stream mode: `batch` events per tenant (`tenants`, default every registered one, looked up at
    each tick) and stream (`streams`, default all; activityLogs once per subscription of the tenant)."""
    return Streamer(app, add_events, _stream_targets, {"tenants": None, "streams": list(msgen.GENERATORS)},
                    {"streams": list(msgen.GENERATORS)})


def _stream_targets(app, cfg: dict) -> list[dict]:
    with app.lock:
        tenants = cfg["tenants"] or sorted(app.identity.tenants())
        subs = dict(app.subscriptions)
    out = []
    for tenant in tenants:
        for stream in cfg["streams"]:
            if stream == "activityLogs":
                out += [{"tenant": tenant, "stream": stream, "subscription": s} for s, t in subs.items() if t == tenant]
            else:
                out.append({"tenant": tenant, "stream": stream})
    return out


# --- persistence --------------------------------------------------------------------------
def save_state(app, path: str) -> None:
    with app.lock:
        state = {"version": 1, "config": app.config, "identity": app.identity.dump(),
                 "subscriptions": app.subscriptions, "unlicensed": {t: sorted(s) for t, s in app.unlicensed.items()},
                 "serials": app.serials, "seq": app.store.seq, "events": app.store.dump()}
    write_state(path, state)


def load_state(app, path: str) -> None:
    state = read_state(path)
    with app.lock:
        app.config.update(state.get("config", {}))
        app.identity.load(state.get("identity", {}))
        app.subscriptions = state.get("subscriptions", {})
        app.unlicensed = {t: set(s) for t, s in state.get("unlicensed", {}).items()}
        app.serials = state.get("serials", {})
        app.store.max_per_stream = int(app.config["max_events_per_stream"])
        app.store.load(state.get("events", []), int(state.get("seq", 0)))
        rl = app.config.get("rate_limit")
        app.limiter = RateLimiter(int(rl["requests"]), float(rl["window_s"])) if rl else None




ROUTES = {
    ("POST", "reset"): reset,
    ("GET", "health"): health,
    ("POST", "apps"): register_app,
    ("POST", "resources"): add_resource,
    ("POST", "subscriptions"): register_subscription,
    ("GET", "config"): get_config,
    ("POST", "config"): set_config,
    ("POST", "tokens/revoke"): revoke_tokens,
    ("POST", "licence"): set_licence,
    ("POST", "events"): add_events,
    ("GET", "events"): list_events,
    ("POST", "events/late"): add_late,
    ("POST", "risk-detections/update"): update_risk_detection,
    ("POST", "faults"): add_fault,
    ("GET", "faults"): list_faults,
    ("DELETE", "faults"): clear_faults,
    ("GET", "requests"): list_requests,
    ("GET", "counters"): counters,
    ("GET", "pacing"): pacing,
    **STREAM_ROUTES,
    ("POST", "save"): save_handler(save_state),
}
