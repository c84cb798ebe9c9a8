"""`/_control/` calls every SaaS fake shares (JSON in/out, loopback only, no auth), its stream
mode and state file. Each fake adds its own credential calls (see its docstring). Errors: 400
{"error": ...} for bad bodies, 404 for unknown endpoints. Times: RFC 3339 strings or epoch
seconds. `tenant` is the fake's tenant name (Okta org, Workspace customer id, Slack enterprise
id, Salesforce org id) and `stream` one of the fake's event kinds (default: its first).

  POST reset                 everything cleared (tenants, tokens, events, faults, log, config)
  GET  health                {"ok", "port", "pid"}
  GET/POST config            token_lifetime_s (3600), rate_limit ({"requests","window_s"} per tenant on the
                             data endpoint, or null), max_events, plus the fake's own keys
  POST tokens/expire         {"tenant"?}: issued tokens stay known but count as expired -> {"expired": n}
  POST tokens/revoke         {"tenant"?}: issued tokens are forgotten -> {"revoked": n}
  POST events                {"tenant", "stream"?, "count", "start", "end"} (spread evenly, default the last
                             60 s) or "times": [...] or "events": [{fields over a generated event}];
                             "delay_s" (visible that much later), "return_ids" (default true)
                             -> {"count", "ids", "times" (epoch ms)}
  POST events/late           {"tenant", "stream"?, "lag_s": 600, "count": 1}: stamped lag_s ago, visible now
  GET  events?tenant=&stream=  {"value": [every event, oldest first]}
  POST/GET/DELETE faults     {"path": regex, "kind": 429|500|502|503|504|status|truncate|malformed|delay|reset,
                             "count", "status"?, "retry_after"?, "delay_s"?, "tenant"?, "client_id"?, "method"?,
                             "skip"?}; status kinds answer in the API's own error shape
  GET  requests              ?kind=token|data|...&tenant=&client_id=&stream=&path=&since=&limit=
                             -> {"value": [{"ts","kind","method","path","query","tenant","client_id","stream",
                             "first_page","status","fault","user_agent","peer_port"}]}
  GET  counters              totals by path, tenant, client
  GET  pacing?window_s=60    {"max_in_window": {tenant: most data requests in any window}}
  POST save                  {"path"?}: write the state file
  POST/GET stream            {"enabled", "interval_s", "batch", "max_events", "tenants"?, "streams"?}: live feed
"""
from __future__ import annotations

import json
import random
import time

from .control import (STREAM_ROUTES, BadRequest, Streamer, clear_faults, compact_json, counters, dispatch,
                      get_config, health, list_faults, list_requests, max_in_window, need, read_state, save_handler,
                      select_requests, set_config, spread_times, write_state)

MAX_GENERATE = 200_000


def handle(app, req):
    return dispatch(app, req, {**ROUTES, **app.ROUTES})


def as_ms(value) -> int:
    """Epoch seconds (int/float) or an RFC 3339 string -> epoch milliseconds."""
    from .saas import parse_ms
    if isinstance(value, bool):
        raise BadRequest("bad time")
    if isinstance(value, (int, float)):
        return int(round(value * 1000))
    return parse_ms(str(value))


def tenant_of(app, body: dict) -> str:
    (tenant,) = need(body, "tenant")
    if tenant not in app.tenants:
        raise BadRequest(f"unknown tenant {tenant!r}: register it first")
    return str(tenant)


def stream_of(app, value) -> str:
    stream = value or app.STREAMS[0]
    if stream not in app.STREAMS:
        raise BadRequest(f"stream must be one of {list(app.STREAMS)}")
    return stream


# --- setup --------------------------------------------------------------------------------
def reset(app, body, args):
    app.reset()
    return {"ok": True}


def _tokens_of(app, body: dict) -> list[str]:
    tenant = body.get("tenant")
    return [t for t, i in app.tokens.items() if tenant is None or i["tenant"] == tenant]


def expire_tokens(app, body, args):
    with app.lock:
        doomed = _tokens_of(app, body)
        for t in doomed:
            app.tokens[t]["exp"] = 0.0
    return {"expired": len(doomed)}


def revoke_tokens(app, body, args):
    with app.lock:
        doomed = _tokens_of(app, body)
        for t in doomed:
            del app.tokens[t]
    return {"revoked": len(doomed)}


# --- events -------------------------------------------------------------------------------
def add_events(app, body, args):
    """Generate `count` events over [start, end] (or at `times`), or store explicit `events`
    (each laid over a generated one, so a test names only the fields it cares about)."""
    now = time.time()
    with app.lock:
        tenant = tenant_of(app, body)
        stream = stream_of(app, body.get("stream"))
        made = []
        if body.get("events") is not None:
            for given in body["events"]:
                if not isinstance(given, dict):
                    raise BadRequest("events must be JSON objects")
                e = {**app.generate(_rng(app, tenant, stream), int(now * 1000), tenant, stream), **given}
                made.append((app.event_ms(e, stream), e))
        else:
            generated = [app.generate(_rng(app, tenant, stream), ms, tenant, stream)
                         for ms in spread_times(body, now, 1000, as_ms, MAX_GENERATE)]
            made = [(app.event_ms(e, stream), e) for e in generated]  # as the event says (Slack: whole seconds)
        delay = float(body.get("delay_s", 0))
        items = [(ms, app.event_id(e, stream), compact_json(e), max(now, ms / 1000) + delay) for ms, e in made]
        try:
            app.store.add_many((tenant, stream), items)
        except ValueError as e:
            raise BadRequest(str(e)) from None
    out = {"count": len(made)}
    if body.get("return_ids", True):
        out["ids"] = [i[1] for i in items]
        out["times"] = [i[0] for i in items]
    return out


def _rng(app, tenant: str, stream: str):
    k = f"{tenant}/{stream}"
    app.serials[k] = app.serials.get(k, 0) + 1
    return random.Random(f"{app.NAME}/{app.seed}/{k}/{app.serials[k]}")


def add_late(app, body, args):
    """Events stamped `lag_s` in the past that become visible only now (late arrivals)."""
    now = time.time()
    lag = float(body.get("lag_s", 600))
    times = [(now - lag) + i / 1000 for i in range(int(body.get("count", 1)))]
    return add_events(app, {**body, "times": times, "delay_s": 0}, args)


def list_events(app, body, args):
    with app.lock:
        tenant = tenant_of(app, args)
        stream = stream_of(app, args.get("stream"))
        recs = app.store.current((tenant, stream))
    return {"value": [json.loads(r.body) for r in recs]}


# --- faults and observation ---------------------------------------------------------------
def add_fault(app, body, args):
    spec = dict(body)
    if not app.FAULT_RETRY_AFTER:
        spec.setdefault("retry_after", None)   # this API sends no Retry-After unless a test asks for one
    with app.lock:
        return {"fault": app.faults.add(spec).public()}


def pacing(app, body, args):
    """Per tenant: the most data requests inside any `window_s` window."""
    window = float(args.get("window_s", 60))
    out = max_in_window(select_requests(app, {"kind": "data", **args}), window, key=lambda r: r.tenant or "")
    return {"window_s": window, "max_in_window": out}


# --- stream mode --------------------------------------------------------------------------
def new_streamer(app) -> Streamer:
    """`batch` events per tenant (`tenants`, default every registered one at each tick) and
    stream (`streams`, default all of the fake's)."""
    return Streamer(app, add_events, _stream_targets, {"tenants": None, "streams": list(app.STREAMS)},
                    {"streams": list(app.STREAMS)})


def _stream_targets(app, cfg: dict) -> list[dict]:
    with app.lock:
        tenants = cfg["tenants"] or sorted(app.tenants)
    return [{"tenant": t, "stream": s} for t in tenants for s in cfg["streams"]]


# --- persistence --------------------------------------------------------------------------
def save_state(app, path: str) -> None:
    with app.lock:
        state = {"version": 1, "config": app.config, "tenants": app.tenants, "tokens": app.tokens,
                 "serials": app.serials, "seq": app.store.seq, "events": app.store.dump()}
    write_state(path, state)


def load_state(app, path: str) -> None:
    state = read_state(path)
    with app.lock:
        app.config.update(state.get("config", {}))
        app.tenants = state.get("tenants", {})
        app.tokens = state.get("tokens", {})
        app.serials = state.get("serials", {})
        app.store.load(state.get("events", []), int(state.get("seq", 0)))
        app.apply_config()


ROUTES = {
    ("POST", "reset"): reset,
    ("GET", "health"): health,
    ("GET", "config"): get_config,
    ("POST", "config"): set_config,
    ("POST", "tokens/expire"): expire_tokens,
    ("POST", "tokens/revoke"): revoke_tokens,
    ("POST", "events"): add_events,
    ("POST", "events/late"): add_late,
    ("GET", "events"): list_events,
    ("POST", "faults"): add_fault,
    ("GET", "faults"): list_faults,
    ("DELETE", "faults"): clear_faults,
    ("GET", "requests"): list_requests,
    ("GET", "counters"): counters,
    ("GET", "pacing"): pacing,
    ("POST", "save"): save_handler(save_state),
    **STREAM_ROUTES,
}
