"""Control-plane pieces any fake can reuse: fault queue, request log + counters, rate limiter,
stream mode, and the /_control/ dispatcher.

None of these take their own lock: the owning app calls them under its state lock.
"""
from __future__ import annotations

import ipaddress
import json
import os
import re
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field

from .server import json_response

MAX_LOG = 50_000        # request records kept (oldest dropped first)
MAX_FAULTS = 1_000      # queued fault rules
MAX_DELAY_S = 60.0      # a "delay" fault never holds a thread longer than this

# repeat_link: a Graph list page whose @odata.nextLink is the page's own URL (an API in a loop).
FAULT_KINDS = {"status", "429", "500", "502", "503", "504", "truncate", "malformed", "delay", "reset", "repeat_link"}


@dataclass
class Fault:
    id: int
    kind: str
    path: str                    # regex, searched in the request path (no query string)
    count: int                   # requests still to hit
    status: int = 0              # for kind "status" (and the numeric shorthands)
    retry_after: float | None = None
    delay_s: float = 0.0
    tenant: str | None = None    # only requests of this tenant / client id, when set
    client_id: str | None = None
    method: str | None = None
    skip: int = 0                # matching requests let through before the fault fires
    _re: re.Pattern = field(default=None, repr=False, compare=False)

    def public(self) -> dict:
        d = asdict(self)
        d.pop("_re", None)
        return d


def spoil_body(resp, fault: Fault | None):
    """A body fault on an answer that was produced normally: `truncate` (full Content-Length, half
    the body, connection closed) or `malformed` (right length, cut JSON). Returns `resp`."""
    if fault and fault.kind == "truncate":
        resp.wire = "truncate"
    elif fault and fault.kind == "malformed":
        resp.body = resp.body[: max(1, len(resp.body) // 2)]
    return resp


class FaultQueue:
    """FIFO of fault rules; the first rule matching a request fires once per request."""

    def __init__(self):
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(self, spec: dict) -> Fault:
        kind = str(spec.get("kind", "")).lower()
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {sorted(FAULT_KINDS)}")
        if len(self._faults) >= MAX_FAULTS:
            raise ValueError("too many queued faults")
        status = int(spec.get("status") or (int(kind) if kind.isdigit() else 0))
        if kind == "status" and not 100 <= status <= 599:
            raise ValueError("kind 'status' needs a status between 100 and 599")
        # Graph always sends Retry-After with 429/503; "retry_after": null leaves it out on purpose.
        retry_after = spec["retry_after"] if "retry_after" in spec else (1 if status in (429, 503) else None)
        f = Fault(
            id=self._next_id, kind=kind, path=str(spec.get("path", "")), count=max(1, int(spec.get("count", 1))),
            status=status, retry_after=None if retry_after is None else float(retry_after),
            delay_s=min(MAX_DELAY_S, max(0.0, float(spec.get("delay_s", 0)))),
            tenant=spec.get("tenant"), client_id=spec.get("client_id"),
            method=(spec.get("method") or "").upper() or None, skip=max(0, int(spec.get("skip", 0))))
        f._re = re.compile(f.path, re.IGNORECASE)
        self._next_id += 1
        self._faults.append(f)
        return f

    def take(self, method: str, path: str, tenant: str | None, client_id: str | None) -> Fault | None:
        for f in self._faults:
            if f.method and f.method != method:
                continue
            if f.tenant is not None and f.tenant != tenant:
                continue
            if f.client_id is not None and f.client_id != client_id:
                continue
            if not f._re.search(path):
                continue
            if f.skip > 0:
                f.skip -= 1
                return None
            f.count -= 1
            if f.count <= 0:
                self._faults.remove(f)
            return f
        return None

    def pending(self) -> list[dict]:
        return [f.public() for f in self._faults]

    def clear(self) -> None:
        self._faults.clear()


@dataclass
class Record:
    ts: float                 # wall-clock seconds (time.time()) when the request arrived
    kind: str                 # "token" | "graph" | "arm" | ... (app-defined); "data" = not "token"
    method: str
    path: str
    query: str
    tenant: str | None
    client_id: str | None
    stream: str | None
    first_page: bool          # False when the request carried a skip token
    status: int = 0
    fault: str | None = None
    user_agent: str = ""
    client_request_id: str = ""
    peer_port: int = 0


class RequestLog:
    """Bounded request history plus totals that survive the history rolling over."""

    def __init__(self, maxlen: int = MAX_LOG):
        self.records: deque[Record] = deque(maxlen=maxlen)
        self.totals: Counter = Counter()

    def add(self, rec: Record) -> None:
        self.records.append(rec)
        data = "token" if rec.kind == "token" else "data"
        self.totals[("all", data, "", "")] += 1
        self.totals[("path", data, rec.path, "")] += 1
        self.totals[("tenant", data, rec.tenant or "", "")] += 1
        self.totals[("client", data, rec.client_id or "", "")] += 1
        self.totals[("tenant_client", data, rec.tenant or "", rec.client_id or "")] += 1
        if rec.stream:
            self.totals[("tenant_stream", data, rec.tenant or "", rec.stream)] += 1

    def select(self, kind: str | None = None, tenant: str | None = None, client_id: str | None = None,
               path: str | None = None, since: float | None = None, stream: str | None = None) -> list[Record]:
        pat = re.compile(path, re.IGNORECASE) if path else None
        out = []
        for r in self.records:
            if kind == "data" and r.kind == "token":
                continue
            if kind not in (None, "data") and r.kind != kind:
                continue
            if tenant is not None and r.tenant != tenant:
                continue
            if client_id is not None and r.client_id != client_id:
                continue
            if stream is not None and r.stream != stream:
                continue
            if since is not None and r.ts < since:
                continue
            if pat and not pat.search(r.path):
                continue
            out.append(r)
        return out

    def counters(self) -> dict:
        """Totals as nested JSON: {"token"|"data": {"total", "by_path", "by_tenant", ...}}."""
        out: dict = {}
        for (axis, data, a, b), n in self.totals.items():
            d = out.setdefault(data, {"total": 0, "by_path": {}, "by_tenant": {}, "by_client": {},
                                      "by_tenant_client": {}, "by_tenant_stream": {}})
            if axis == "all":
                d["total"] = n
            elif axis in ("path", "tenant", "client"):
                d[f"by_{axis}"][a] = n
            else:
                d[f"by_{axis}"][f"{a}/{b}"] = n
        return out

    def clear(self) -> None:
        self.records.clear()
        self.totals.clear()


def max_in_window(records: list[Record], window_s: float, key=None) -> dict[str, int]:
    """Per group (default "tenant/client_id"; `key` maps a record to its group, None skips it):
    the most requests seen inside any window of window_s seconds."""
    key = key or (lambda r: f"{r.tenant or ''}/{r.client_id or ''}")
    groups: dict[str, list[float]] = {}
    for r in records:
        group = key(r)
        if group is not None:
            groups.setdefault(group, []).append(r.ts)
    out = {}
    for group, ts in groups.items():
        ts.sort()
        best, lo = 0, 0
        for hi in range(len(ts)):
            while ts[hi] - ts[lo] >= window_s:
                lo += 1
            best = max(best, hi - lo + 1)
        out[group] = best
    return out


def compact_json(obj) -> bytes:
    """A stored event's bytes: compact, UTF-8 kept as is."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- /_control/ handlers every fake has ---------------------------------------------------
def health(app, body, args):
    return {"ok": True, "port": app.port, "pid": os.getpid()}


def counters(app, body, args):
    with app.lock:
        return app.log.counters()


def list_faults(app, body, args):
    with app.lock:
        return {"value": app.faults.pending()}


def clear_faults(app, body, args):
    with app.lock:
        app.faults.clear()
    return {"ok": True}


def get_config(app, body, args):
    with app.lock:
        return dict(app.config)


def set_config(app, body, args):
    """Known keys only; the app's `apply_config()` then rebuilds what depends on them."""
    with app.lock:
        for k, v in body.items():
            if k not in app.config:
                raise BadRequest(f"unknown config key {k!r}")
            app.config[k] = v
        app.apply_config()
        return dict(app.config)


def select_requests(app, args) -> list[Record]:
    """The request records a ?kind=&tenant=&client_id=&path=&since=&stream= query names."""
    since = float(args["since"]) if args.get("since") else None
    with app.lock:
        return app.log.select(args.get("kind"), args.get("tenant"), args.get("client_id"), args.get("path"),
                              since, args.get("stream"))


def list_requests(app, body, args):
    """GET requests: the selected records (the last `limit` of them when given)."""
    recs = select_requests(app, args)
    limit = int(args.get("limit", 0) or 0)
    return {"value": [asdict(r) for r in (recs[-limit:] if limit else recs)]}


def write_state(path: str, state: dict) -> None:
    """Write-then-rename, so a fake killed mid-save leaves the previous state file whole."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f, ensure_ascii=False)
    os.replace(tmp, path)


def read_state(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def spread_times(body: dict, now: float, per_second: int, as_unit, max_count: int = 200_000) -> list[int]:
    """Times of the events an add-events call makes, in the fake's unit (`per_second` to a second):
    `times` converted by `as_unit`, else `count` spread evenly over [start, end] (default the last 60 s)."""
    if body.get("times") is not None:
        return [as_unit(t) for t in body["times"]]
    count = int(body.get("count", 1))
    if not 0 <= count <= max_count:
        raise BadRequest(f"count must be 0..{max_count}")
    end = as_unit(body["end"]) if body.get("end") is not None else int(now * per_second)
    start = as_unit(body["start"]) if body.get("start") is not None else end - 60 * per_second
    if end < start:
        raise BadRequest("end before start")
    if count <= 1:
        return [start] * count
    step = (end - start) / (count - 1)
    return [start + int(i * step) for i in range(count)]


def save_handler(save_state):
    """POST save: writes the fake's state (through its own `save_state`) to `path` or --state-file."""
    def save(app, body, args):
        path = body.get("path") or app.state_file
        if not path:
            raise BadRequest("no --state-file given and no 'path' in the body")
        save_state(app, path)
        return {"ok": True, "path": path}
    return save


class FakeApp:
    """What every fake's app shares: where it listens, its seed and state file, the state lock,
    and stream mode. A subclass names its control module (`new_streamer`, `load_state`) and
    defines `reset()`, which (re)creates its state."""
    control = None

    def __init__(self, port: int, seed: int = 1, state_file: str | None = None,
                 stop: threading.Event | None = None):
        self.port = port
        self.seed = seed
        self.state_file = state_file
        self.stop = stop or threading.Event()
        self.lock = threading.RLock()
        self.streamer = self.control.new_streamer(self)
        self.reset()
        if state_file and os.path.exists(state_file):
            self.control.load_state(self, state_file)


class RateLimiter:
    """Sliding-window limit per key, like Graph's "5 requests per 10 seconds per app per tenant"."""

    def __init__(self, requests: int, window_s: float):
        self.requests = requests
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}

    def check(self, key: str, now: float | None = None) -> float:
        """0 if the request may pass (and counts it); else seconds until a slot frees up."""
        now = time.monotonic() if now is None else now
        q = self._hits.setdefault(key, deque())
        while q and now - q[0] >= self.window_s:
            q.popleft()
        if len(q) >= self.requests:
            return self.window_s - (now - q[0])
        q.append(now)
        return 0.0

    def usage(self, key: str, now: float | None = None) -> tuple[int, float]:
        """(requests counted in the window now, seconds until the oldest of them leaves it),
        for APIs that announce their limit on every response (Okta's X-Rate-Limit-*)."""
        now = time.monotonic() if now is None else now
        q = self._hits.setdefault(key, deque())
        while q and now - q[0] >= self.window_s:
            q.popleft()
        return len(q), (self.window_s - (now - q[0])) if q else self.window_s


# --- the /_control/ HTTP surface, shared by every fake ------------------------------------
class BadRequest(ValueError):
    pass


def dispatch(app, req, routes):
    """Answer /_control/<name> from `routes` {(method, name): fn(app, body, args)}; loopback only."""
    if not ipaddress.ip_address(req.client[0]).is_loopback:
        return json_response(403, {"error": "control API is loopback-only"})
    name = req.path[len("/_control/"):].strip("/")
    route = routes.get((req.method, name))
    if route is None:
        return json_response(404, {"error": f"no control endpoint {req.method} /_control/{name}"})
    try:
        body = req.json() if req.method in ("POST", "PUT") else {}
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object")
        args = {k: v[-1] for k, v in req.query.items()}
        return json_response(200, route(app, body, args))
    except (BadRequest, ValueError, KeyError, TypeError) as e:
        return json_response(400, {"error": f"{type(e).__name__}: {e}"})


def need(body: dict, *names: str):
    """The named fields of a control body, or BadRequest naming the missing ones."""
    missing = [n for n in names if body.get(n) in (None, "")]
    if missing:
        raise BadRequest(f"missing field(s): {', '.join(missing)}")
    return [body[n] for n in names]


# --- stream mode: a live feed of generated events (demos, soak runs) ----------------------
class Streamer:
    """Background thread that adds `batch` events per target every `interval_s` seconds, stamped
    over the interval just gone, until `max_events` were added or it is halted.

    `add(app, body, args)` is the fake's own control call that generates events;
    `targets(app, cfg)` lists the bodies naming where each batch goes (tenant and stream, project
    and log, ...); `options` are the fake's own start options with their defaults (None: decided
    at each tick, e.g. every registered tenant) and `choices` the values a list option may hold.
    """

    def __init__(self, app, add, targets, options: dict, choices: dict | None = None):
        self.app = app
        self.add = add
        self.targets = targets
        self.options = options
        self.choices = choices or {}
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None
        self.status: dict = {"enabled": False}

    def start(self, spec: dict) -> dict:
        cfg = {"interval_s": max(0.2, float(spec.get("interval_s", 3))),
               "batch": max(1, min(1000, int(spec.get("batch", 5)))),
               "max_events": max(1, min(10_000_000, int(spec.get("max_events", 100_000))))}
        for name, default in self.options.items():
            value = spec.get(name) or default
            allowed = self.choices.get(name)
            if value is not None and (not isinstance(value, list) or (allowed and not set(value) <= set(allowed))):
                raise BadRequest(f"{name} must be a list" + (f" of {sorted(allowed)}" if allowed else ""))
            cfg[name] = value
        self.halt()
        self._halt = threading.Event()
        self.status = status = {"enabled": True, "added": 0, **cfg}
        self._thread = threading.Thread(target=self._run, args=(cfg, status, self._halt), daemon=True)
        self._thread.start()
        return status

    def halt(self) -> None:
        self._halt.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=5)
        self._thread = None
        self.status = {**self.status, "enabled": False}

    def _run(self, cfg: dict, status: dict, halt: threading.Event) -> None:
        try:
            while status["added"] < cfg["max_events"] and not halt.wait(cfg["interval_s"]):
                now = time.time()
                for target in self.targets(self.app, cfg):
                    # Each fake reads its own flag for leaving the new ids out of the answer.
                    body = {**target, "count": cfg["batch"], "start": now - cfg["interval_s"], "end": now,
                            "return_ids": False, "return_entries": False}
                    status["added"] += self.add(self.app, body, {})["count"]
        except Exception as e:  # noqa: BLE001 - a feed that cannot go on says why in its status
            status["error"] = f"{type(e).__name__}: {e}"
        status["enabled"] = False


def start_stream(app, body, args):
    """POST /_control/stream: {"enabled": true, "interval_s", "batch", "max_events", <fake's options>}
    starts (or restarts) the feed; {"enabled": false} stops it. Answers the status."""
    if body.get("enabled", True):
        return app.streamer.start(body)
    app.streamer.halt()
    return app.streamer.status


def stream_status(app, body, args):
    return app.streamer.status


STREAM_ROUTES = {("POST", "stream"): start_stream, ("GET", "stream"): stream_status}
