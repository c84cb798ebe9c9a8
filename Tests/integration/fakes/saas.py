"""Core shared by the SaaS audit-API fakes (Okta, Google Workspace, Slack, Salesforce).

A SaaS fake keeps, per tenant (Okta org, Workspace customer, Slack enterprise, Salesforce org)
and stream (an API's event kind), a time-ordered EventStore keyed in milliseconds; issued
bearer tokens; the fault queue, request log and an optional per-tenant rate limiter from
control.py. The subclass decides the wire format: its routes, auth, error bodies, event
generator and the headers a throttled answer carries. Its control API is saascontrol.ROUTES
plus the subclass's own ROUTES (credential registration).
"""
from __future__ import annotations

import json
import random
import secrets
import time
from urllib.parse import parse_qs

from . import saascontrol
from .control import FakeApp, FaultQueue, RateLimiter, Record, RequestLog, spoil_body
from .gcpfilter import format_ns, parse_ns
from .odata import TimeRange
from .saasauth import unverified_claims
from .server import Response
from .store import EventStore

MS = 1_000_000          # nanoseconds per millisecond
MAX_TOKENS = 20_000
BASE_CONFIG = {
    "token_lifetime_s": 3600,
    "rate_limit": None,          # {"requests": n, "window_s": s} per tenant on the data endpoint, or null
    "max_events": 500_000,       # per tenant and stream, oldest inserted dropped first
}


def iso_ms(ms: int) -> str:
    """RFC 3339 UTC with exactly three fraction digits: 2026-11-20T10:00:00.000Z."""
    return format_ns(ms * MS).replace("Z", "")[:19] + f".{ms % 1000:03d}Z"


def parse_ms(text: str) -> int:
    """RFC 3339 (Z or offset, any fraction) -> epoch milliseconds; ValueError otherwise."""
    return parse_ns(text) // MS


class SaasFake(FakeApp):
    control = saascontrol
    NAME = "saas"                 # generator namespace: events differ between fakes with one seed
    STREAMS: tuple[str, ...] = ()
    CONFIG: dict = {}             # the fake's own config keys and defaults
    ROUTES: dict = {}             # the fake's own /_control/ routes
    FAULT_RETRY_AFTER = False     # True: 429/503 faults carry Retry-After: 1 unless told otherwise

    def reset(self) -> None:
        self.streamer.halt()  # outside the lock: the streamer thread may be waiting for it
        with self.lock:
            self.config = json.loads(json.dumps({**BASE_CONFIG, **self.CONFIG}))
            self.store = EventStore(self.config["max_events"])
            self.faults = FaultQueue()
            self.log = RequestLog()
            self.limiter: RateLimiter | None = None
            self.serials: dict[str, int] = {}
            self.tenants: dict[str, dict] = {}   # tenant -> the fake's own JSON-able record
            self.tokens: dict[str, dict] = {}    # token -> {"tenant","client","scopes","exp",...}
            self.apply_config()

    def close(self) -> None:
        self.streamer.halt()
        if self.state_file:
            saascontrol.save_state(self, self.state_file)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def apply_config(self) -> None:
        self.store.max_per_stream = int(self.config["max_events"])
        rl = self.config["rate_limit"]
        if not rl:
            self.limiter = None
        elif self.limiter is None or (self.limiter.requests, self.limiter.window_s) != (int(rl["requests"]),
                                                                                         float(rl["window_s"])):
            self.limiter = RateLimiter(int(rl["requests"]), float(rl["window_s"]))  # other keys keep the window

    # --- what a subclass provides ---------------------------------------------------------
    def generate(self, rng: random.Random, ms: int, tenant: str, stream: str) -> dict:
        raise NotImplementedError

    def event_id(self, event: dict, stream: str) -> str:
        raise NotImplementedError

    def event_ms(self, event: dict, stream: str) -> int:
        raise NotImplementedError

    def fault_response(self, kind: str, status: int) -> Response:
        """The API's own error for an injected status on a `kind` request."""
        raise NotImplementedError

    def throttled(self, kind: str, wait_s: float) -> Response:
        """The API's answer when the tenant's rate limit is used up."""
        raise NotImplementedError

    def rate_headers(self, used: int, reset_in_s: float) -> list[tuple[str, str]]:
        """Headers every rate-limited response carries (Okta's X-Rate-Limit-*)."""
        return []

    # --- tokens ---------------------------------------------------------------------------
    def issue_token(self, tenant: str, client: str, scopes: list[str], prefix: str, lifetime_s: float | None = None,
                    **extra) -> str:
        """A new opaque bearer token (config token_lifetime_s unless `lifetime_s`); callers hold the lock."""
        now = time.time()
        if len(self.tokens) >= MAX_TOKENS:  # bounded: expired first, then the oldest
            doomed = [k for k, v in self.tokens.items() if v["exp"] <= now] or list(self.tokens)[: MAX_TOKENS // 10]
            for k in doomed:
                del self.tokens[k]
        token = prefix + secrets.token_urlsafe(48)
        self.tokens[token] = {"tenant": tenant, "client": client, "scopes": scopes,
                              "exp": now + float(lifetime_s or self.config["token_lifetime_s"]), **extra}
        return token

    def check_token(self, token: str) -> tuple[dict | None, str]:
        """(token info, problem) with problem "", "missing", "unknown" or "expired"."""
        if not token:
            return None, "missing"
        info = self.tokens.get(token)
        if info is None:
            return None, "unknown"
        return info, ("expired" if info["exp"] <= time.time() else "")

    # --- clients that sign JWT assertions (Okta service apps, Google service accounts, connected apps)
    def client_of(self, client_id) -> tuple[str | None, dict | None]:
        """(tenant, client record) of a client id registered in tenants[*]["clients"]; callers hold the lock."""
        for tenant, t in self.tenants.items():
            if isinstance(client_id, str) and client_id in t.get("clients", {}):
                return tenant, t["clients"][client_id]
        return None, None

    def client_keys(self, header: dict, claims: dict):
        """For check_assertion: the public keys of the client `iss` names (the `kid` picks one)."""
        client = self.client_of(claims.get("iss"))[1]
        if client is None:
            return None
        keys, kid = client["keys"], header.get("kid")
        return [keys[kid]] if kid in keys else ([] if kid else list(keys.values()))

    def serve_token(self, req, issue) -> Response:
        """A token request, logged under the client its form or assertion names; `issue(req, form)` answers."""
        form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True).items()} \
            if "x-www-form-urlencoded" in req.header("content-type").lower() else {}
        assertion = form.get("assertion") or form.get("client_assertion") or ""
        client = form.get("client_id") or unverified_claims(assertion).get("iss")
        client = client if isinstance(client, str) else None
        with self.lock:
            tenant = self.client_of(client)[0]
        return self.serve(req, "token", tenant, client, lambda: issue(req, form))

    # --- serving --------------------------------------------------------------------------
    def serve(self, req, kind: str, tenant: str | None, client: str | None, produce, *,
              stream: str | None = None, first_page: bool = True, limited: bool = False) -> Response:
        """Log the request; answer a queued fault, or the rate limit's refusal when `limited`
        and the tenant's window is full, else `produce()`."""
        rec = Record(ts=time.time(), kind=kind, method=req.method, path=req.path, query=req.raw_query,
                     tenant=tenant, client_id=client, stream=stream, first_page=first_page,
                     user_agent=req.header("user-agent"), peer_port=req.client[1])
        wait, usage = 0.0, None
        with self.lock:
            fault = self.faults.take(req.method, req.path, tenant, client)
            if limited and tenant and self.limiter is not None:
                if fault is None:
                    wait = self.limiter.check(tenant)
                usage = self.limiter.usage(tenant)
        if fault and fault.kind == "delay":
            self.stop.wait(fault.delay_s)  # interruptible, so shutdown is never held up
        if fault and fault.kind == "reset":
            resp = Response(0, wire="reset")
        elif fault and fault.kind not in ("delay", "truncate", "malformed"):
            resp = self.fault_response(kind, fault.status)
            if fault.retry_after is not None:
                resp.headers.append(("Retry-After", f"{fault.retry_after:g}"))
        elif wait:
            resp = self.throttled(kind, wait)
        else:
            resp = spoil_body(produce(), fault)
        if usage is not None and resp.wire != "reset":
            resp.headers += self.rate_headers(*usage)
        rec.status = resp.status
        rec.fault = fault.kind if fault else None
        with self.lock:
            self.log.add(rec)
        return resp

    def page(self, tenant: str, stream: str, rng: TimeRange, desc: bool, cursor: dict | None, size: int,
             pred=None, snapshot: bool = True):
        """Up to `size` records and the cursor of the next page (None at the end). With `snapshot`
        the first page pins (sequence, wall time): later arrivals never shift an iteration."""
        now = time.time()
        with self.lock:
            c = dict(cursor) if cursor else {"q": self.store.seq, "w": now, "k": None}
            seq, wall = (c["q"], c["w"]) if snapshot else (self.store.seq, now)
            recs, more = self.store.page((tenant, stream), rng, desc, c["k"], seq, wall, size, pred)
        if not more:
            return recs, None
        c["k"] = list(recs[-1].key)
        return recs, c
