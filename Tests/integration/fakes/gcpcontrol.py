"""`/_control/` API of the Google fake (JSON in/out, no auth, loopback only) and state-file
persistence. Errors: 400 {"error": ...} for bad bodies, 404 for unknown endpoints. Times are
RFC 3339 strings, epoch seconds or nanoseconds.

  POST reset                    everything cleared (accounts, tokens, entries, faults, log, config)
  GET  health                   {"ok", "port", "pid"}
  POST service-accounts         {"project_id", "client_email"?, "private_key_id"?, "public_key_pem"?,
                                 "readable_projects"?: [...]} -> {"key": service-account key JSON}; without
                                 public_key_pem the fake makes the pair and returns "private_key" (re-post
                                 the same e-mail to add a key); an account reads its own project + readable
  GET  service-accounts         {"value": [{"client_email", "project_id", "key_ids", "readable_projects"}]}
  GET/POST config               token_lifetime_s, default_page_size (50), max_page_size (1000), rate_limit
                                ({"requests": 60, "window_s": 60} per consumer project, or null),
                                partial_pages (empty pages with a token first), page_token_ttl_s, max_entries
  POST tokens/revoke            {"client_email"?} -> {"revoked": n}
  POST entries                  {"project", "log"? (activity|data_access|system_event|policy|syslog|
                                 run.googleapis.com%2Frequests), "count", "start", "end"} or "times": [...]
                                 or "entries": [{explicit LogEntry}]; "delay_s" (visible later)
                                 -> {"count", "entries": [{"logName", "insertId", "timestamp"}]}
  POST entries/late             {"project", "lag_s", "count", "log"?}: stamped lag_s ago, visible now
  GET  entries?project=         {"entries": [every entry of the project, oldest first]}
  POST/GET/DELETE faults        as the Microsoft fake (429 500 502 503 504 status truncate malformed delay
                                reset); 429/503 carry no Retry-After unless "retry_after" is given
  GET  requests                 ?kind=token|logging|data&project=&client_email=&path=&since=&limit=
  GET  counters                 totals by path, project, account
  GET  pacing?window_s=60       {"max_in_window": {project: most entries.list calls in any window}}
  POST save                     {"path"?}: write the state file
  POST stream                   {"enabled": true, "interval_s": 3, "batch": 5, "max_events": 100000, "projects"?,
                                 "logs"?} / {"enabled": false}: every interval, `batch` new entries per project
                                 (default: each service account's own) and log (default: the four audit logs)
  GET  stream                   {"enabled", "added", ...}
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict

from . import gcpgen
from .gcpauth import key_json, new_key
from .gcpfilter import NS, format_ns, parse_ns
from .control import (STREAM_ROUTES, BadRequest, RateLimiter, Streamer, clear_faults, compact_json as _dumps, counters,
                      dispatch, health, list_faults, max_in_window, need as _need, read_state, save_handler,
                      write_state)

MAX_GENERATE = 200_000


def handle(app, req):
    return dispatch(app, req, ROUTES)


def as_ns(value) -> int:
    """Nanoseconds (int > 1e17), epoch seconds (int/float) or an RFC 3339 string."""
    if isinstance(value, bool):
        raise BadRequest("bad time")
    if isinstance(value, int) and value > 10**17:
        return value
    if isinstance(value, (int, float)):
        return int(value * NS)
    return parse_ns(str(value))


# --- setup --------------------------------------------------------------------------------
def reset(app, body, args):
    app.reset()
    return {"ok": True}




def register_account(app, body, args):
    """A service account (or one more key for it). Without `public_key_pem` the fake makes
    the key pair and returns the private key in the key JSON, as the Cloud console does."""
    (project,) = _need(body, "project_id")
    email = body.get("client_email") or f"collector-{secrets.token_hex(3)}@{project}.iam.gserviceaccount.com"
    key_id = body.get("private_key_id") or secrets.token_hex(20)
    private = None
    public = body.get("public_key_pem")
    if not public:
        private, public = new_key()
    with app.lock:
        app.auth.register(str(email), str(project), str(key_id), str(public), list(body.get("readable_projects") or []))
    return {"key": key_json(f"{app.base_url}/token", project, key_id, email, str(secrets.randbelow(10**21)), private)}


def list_accounts(app, body, args):
    with app.lock:
        return {"value": [{"client_email": a.email, "project_id": a.project, "key_ids": sorted(a.keys),
                           "readable_projects": a.readable} for a in app.auth.accounts.values()]}


def get_config(app, body, args):
    with app.lock:
        return dict(app.config, token_lifetime_s=app.auth.lifetime_s)


def set_config(app, body, args):
    with app.lock:
        for k, v in body.items():
            if k not in app.config:
                raise BadRequest(f"unknown config key {k!r}")
            app.config[k] = v
        app.auth.lifetime_s = int(app.config["token_lifetime_s"])
        app.store.max_per_stream = int(app.config["max_entries"])
        rl = app.config["rate_limit"]
        app.limiter = RateLimiter(int(rl["requests"]), float(rl["window_s"])) if rl else None
        return dict(app.config)


def revoke_tokens(app, body, args):
    with app.lock:
        return {"revoked": app.auth.revoke(body.get("client_email"))}


# --- entries ------------------------------------------------------------------------------
def add_entries(app, body, args):
    """Generate `count` entries over [start, end] (or at `times`), or store explicit `entries`."""
    (project,) = (str(x) for x in _need(body, "project"))
    log = str(body.get("log", "activity"))
    if log not in gcpgen.LOGS + gcpgen.OTHER_LOGS:
        raise BadRequest(f"log must be one of {list(gcpgen.LOGS + gcpgen.OTHER_LOGS)}")
    now = time.time()
    made = []
    with app.lock:
        if body.get("entries") is not None:
            for given in body["entries"]:
                if not isinstance(given, dict):
                    raise BadRequest("entries must be JSON objects")
                e = dict(given)
                e.setdefault("timestamp", format_ns(time.time_ns()))
                e.setdefault("logName", gcpgen.log_name(project, log))
                e.setdefault("insertId", gcpgen.insert_id(_rng(app, project, log)))
                if not e["logName"].startswith(f"projects/{project}/logs/"):
                    raise BadRequest(f"logName {e['logName']!r} is not in project {project}")
                made.append((parse_ns(e["timestamp"]), e))
        else:
            for ns in _times(body, now):
                made.append((ns, gcpgen.entry(_rng(app, project, log), ns, project, log)))
        seen = set()
        for ns, e in made:  # insertId is unique per log: regenerate the (astronomically rare) clash
            while _sid(e) in seen or app.store.has_id(app.SKEY, _sid(e)):
                if body.get("entries") is not None:
                    raise BadRequest(f"duplicate insertId {e['insertId']!r} in {e['logName']}")
                e["insertId"] = gcpgen.insert_id(_rng(app, project, log))
            seen.add(_sid(e))
        delay = float(body.get("delay_s", 0))
        app.store.add_many(app.SKEY, [(ns, _sid(e), _dumps(e), max(now, ns / NS) + delay) for ns, e in made])
    out = {"count": len(made)}
    if body.get("return_entries", True):
        out["entries"] = [{"logName": e["logName"], "insertId": e["insertId"], "timestamp": e["timestamp"]}
                          for _, e in made]
    return out


def _sid(e: dict) -> str:
    # Store key: equal timestamps come back ordered by insertId, as Cloud Logging documents.
    return f"{e['insertId']}\t{e['logName']}"


def _times(body: dict, now: float) -> list[int]:
    if body.get("times") is not None:
        return [as_ns(t) for t in body["times"]]
    count = int(body.get("count", 1))
    if not 0 <= count <= MAX_GENERATE:
        raise BadRequest(f"count must be 0..{MAX_GENERATE}")
    end = as_ns(body["end"]) if body.get("end") is not None else int(now * NS)
    start = as_ns(body["start"]) if body.get("start") is not None else end - 60 * NS
    if end < start:
        raise BadRequest("end before start")
    if count == 1:
        return [start]
    step = (end - start) / (count - 1)
    # Nanosecond offsets so timestamps exercise the 9-digit form too.
    return [min(end, start + int(i * step) + (i * 7919) % 1000) for i in range(count)]


def _rng(app, project: str, log: str):
    k = f"{project}/{log}"
    app.serials[k] = app.serials.get(k, 0) + 1
    return gcpgen.rng_for(app.seed, project, log, app.serials[k])




def add_late(app, body, args):
    """Entries stamped `lag_s` in the past that become visible only now (late arrivals)."""
    now = time.time()
    lag = float(body.get("lag_s", 600))
    n = int(body.get("count", 1))
    times = [int((now - lag) * NS) + i * 1000 for i in range(n)]
    return add_entries(app, {**body, "times": times, "delay_s": 0}, args)


def list_entries(app, body, args):
    project = args.get("project")
    if not project:
        raise BadRequest("need ?project=...")
    prefix = f"projects/{project}/logs/"
    with app.lock:
        recs = app.store.current(app.SKEY)
    entries = [json.loads(r.body) for r in recs]
    return {"entries": [e for e in entries if e.get("logName", "").startswith(prefix)]}


# --- faults and observation ---------------------------------------------------------------
def add_fault(app, body, args):
    spec = dict(body)
    spec.setdefault("retry_after", None)   # Google sends no Retry-After unless a test asks for one
    with app.lock:
        return {"fault": app.faults.add(spec).public()}






def _select(app, args):
    since = float(args["since"]) if args.get("since") else None
    with app.lock:
        return app.log.select(args.get("kind"), args.get("project"), args.get("client_email"), args.get("path"),
                              since, None)


def list_requests(app, body, args):
    recs = _select(app, args)
    limit = int(args.get("limit", 0) or 0)
    out = []
    for r in (recs[-limit:] if limit else recs):
        d = asdict(r)
        d["project"], d["client_email"] = d.pop("tenant"), d.pop("client_id")
        out.append(d)
    return {"value": out}




def pacing(app, body, args):
    """Per consumer project: the most entries.list requests inside any `window_s` window."""
    window = float(args.get("window_s", 60))
    out = max_in_window(_select(app, {"kind": "logging", **args}), window, key=lambda r: r.tenant or "")
    return {"window_s": window, "max_in_window": out}


# --- stream mode --------------------------------------------------------------------------
def new_streamer(app) -> Streamer:
    """Stream mode: `batch` entries per project (`projects`, default every service account's own,
    looked up at each tick) and log (`logs`, default the four audit logs)."""
    return Streamer(app, add_entries, _stream_targets, {"projects": None, "logs": list(gcpgen.LOGS)},
                    {"logs": list(gcpgen.LOGS + gcpgen.OTHER_LOGS)})


def _stream_targets(app, cfg: dict) -> list[dict]:
    with app.lock:
        projects = cfg["projects"] or sorted({a.project for a in app.auth.accounts.values()})
    return [{"project": project, "log": log} for project in projects for log in cfg["logs"]]


# --- persistence --------------------------------------------------------------------------
def save_state(app, path: str) -> None:
    with app.lock:
        state = {"version": 1, "config": app.config, "auth": app.auth.dump(), "serials": app.serials,
                 "seq": app.store.seq, "entries": app.store.dump()}
    write_state(path, state)


def load_state(app, path: str) -> None:
    state = read_state(path)
    with app.lock:
        app.config.update(state.get("config", {}))
        app.auth.load(state.get("auth", {}))
        app.serials = state.get("serials", {})
        app.store.max_per_stream = int(app.config["max_entries"])
        app.store.load(state.get("entries", []), int(state.get("seq", 0)))
        rl = app.config.get("rate_limit")
        app.limiter = RateLimiter(int(rl["requests"]), float(rl["window_s"])) if rl else None




ROUTES = {
    ("POST", "reset"): reset,
    ("GET", "health"): health,
    ("POST", "service-accounts"): register_account,
    ("GET", "service-accounts"): list_accounts,
    ("GET", "config"): get_config,
    ("POST", "config"): set_config,
    ("POST", "tokens/revoke"): revoke_tokens,
    ("POST", "entries"): add_entries,
    ("GET", "entries"): list_entries,
    ("POST", "entries/late"): add_late,
    ("POST", "faults"): add_fault,
    ("GET", "faults"): list_faults,
    ("DELETE", "faults"): clear_faults,
    ("GET", "requests"): list_requests,
    ("GET", "counters"): counters,
    ("GET", "pacing"): pacing,
    ("POST", "save"): save_handler(save_state),
    **STREAM_ROUTES,
}
