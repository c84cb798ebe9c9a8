"""Fake Microsoft cloud on one HTTPS port: identity platform, Graph v1.0 audit logs, Azure Monitor.

  POST /{tenant}/oauth2/v2.0/token                                   client-credentials tokens
  GET  /v1.0/auditLogs/directoryAudits | signIns | provisioning      Graph audit logs
  GET  /v1.0/identityProtection/riskDetections                       Graph risk detections
  GET  /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values   activity log (msarm.py)
  *    /_control/...                                                  test control API (mscontrol.py)

Run: python3 -m fakes.microsoft --port 0 --cert-dir DIR [--seed N] [--state-file F] [--stream]
Point the poller's authority_host, graph_endpoint and management_endpoint at https://127.0.0.1:PORT.
"""
from __future__ import annotations

import json
import math
import os
import re
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from . import msarm, mscontrol
from .control import FakeApp, FaultQueue, RateLimiter, Record, RequestLog, spoil_body
from .msarm import arg_ci as _arg_ci
from .msauth import GRAPH, Identity, aad_error
from .odata import FilterError, TimeRange, decode_token, encode_token, parse_filter
from .server import Response, common_args, json_response, serve
from .store import EventStore


@dataclass(frozen=True)
class GraphList:
    name: str          # stream name used by the control API
    path: str          # as printed in links and @odata.context
    time_field: str
    orderby: bool      # docs list $orderby for this resource
    doc_ops: frozenset  # $filter operators the docs list for the time field


GRAPH_LISTS = {g.path.lower(): g for g in [
    GraphList("directoryAudits", "auditLogs/directoryAudits", "activityDateTime", True, frozenset({"eq", "ge", "le"})),
    GraphList("signIns", "auditLogs/signIns", "createdDateTime", True, frozenset({"eq", "ge", "le"})),
    GraphList("provisioning", "auditLogs/provisioning", "activityDateTime", True, frozenset({"eq", "gt", "lt"})),
    GraphList("riskDetections", "identityProtection/riskDetections", "lastUpdatedDateTime", False,
              frozenset({"eq", "ge", "le", "gt", "lt"})),
]}
ALL_OPS = frozenset({"eq", "ge", "le", "gt", "lt"})
GRAPH_QUERY_OPTIONS = {"$filter", "$top", "$skiptoken", "$orderby", "$select"}
TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/v2\.0/token/?$")
GRAPH_CT = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
LINK_SAFE = "$'(),:/@!*"

DEFAULT_CONFIG = {
    "token_lifetime_s": 3599,
    # signIns: "maximum and default page size is 1,000" (List signIns docs); riskDetections: default
    # 20, max 500 (List riskDetections docs). directoryAudits/provisioning: docs give no number; 1000.
    "max_top": {"directoryAudits": 1000, "signIns": 1000, "provisioning": 1000, "riskDetections": 500},
    "default_top": {"directoryAudits": 1000, "signIns": 1000, "provisioning": 1000, "riskDetections": 20},
    "activity_page_size": 200,
    "default_order": "desc",        # newest first, as the signIns docs state
    "rate_limit": None,             # e.g. {"requests": 5, "window_s": 10}: Graph's per app per tenant limit
    "empty_last_page": False,       # end iterations with an extra empty page (Graph sometimes does)
    "strict_filter_ops": False,     # only the $filter operators the docs list per resource
    "max_events_per_stream": 200_000,
}


class MicrosoftFake(FakeApp):
    control = mscontrol

    def reset(self) -> None:
        self.streamer.halt()  # outside the lock: the streamer thread may be waiting for it
        with self.lock:
            self.config = json.loads(json.dumps(DEFAULT_CONFIG))
            self.identity = Identity(os.urandom(32))
            self.store = EventStore(self.config["max_events_per_stream"])
            self.faults = FaultQueue()
            self.log = RequestLog()
            self.limiter: RateLimiter | None = None
            self.subscriptions: dict[str, str] = {}     # subscription id -> tenant
            self.unlicensed: dict[str, set[str]] = {}   # tenant -> streams answering 403
            self.serials: dict[str, int] = {}           # generator serial per tenant/stream/scope

    def close(self) -> None:
        self.streamer.halt()
        if self.state_file:
            mscontrol.save_state(self, self.state_file)

    # --- routing ------------------------------------------------------------------------
    def handle(self, req) -> Response:
        if req.path.startswith("/_control/"):
            return mscontrol.handle(self, req)
        m = TOKEN_PATH.match(req.path)
        if m:
            return self._token(req, m.group(1))
        if req.path.lower().startswith("/v1.0/"):
            return self._graph(req)
        m = msarm.PATH.match(req.path)
        if m:
            return msarm.handle(self, req, m.group(1))
        return json_response(404, {"error": {"code": "NotFound", "message": f"No fake endpoint at {req.path}"}})

    def _serve(self, req, kind: str, tenant, client_id, stream, first_page: bool, produce) -> Response:
        """Log the request, apply a queued fault or the rate limit, else run `produce`."""
        rec = Record(ts=time.time(), kind=kind, method=req.method, path=req.path, query=req.raw_query,
                     tenant=tenant, client_id=client_id, stream=stream, first_page=first_page,
                     user_agent=req.header("user-agent"), client_request_id=req.header("client-request-id"),
                     peer_port=req.client[1])
        wait = 0.0
        with self.lock:
            fault = self.faults.take(req.method, req.path, tenant, client_id)
            if fault is None and kind == "graph" and self.limiter is not None:
                wait = self.limiter.check(f"{tenant}/{client_id}")
        if fault and fault.kind == "delay":
            self.stop.wait(fault.delay_s)  # interruptible, so shutdown is never held up
        if fault and fault.kind not in ("delay", "truncate", "malformed", "repeat_link"):
            resp = self._fault_response(req, kind, fault)
        elif wait:
            resp = graph_error(req, 429, "TooManyRequests", "Too many requests.",
                               [("Retry-After", str(max(1, math.ceil(wait))))])
        else:
            resp = spoil_body(produce(), fault)
            if fault and fault.kind == "repeat_link" and resp.status == 200:
                resp.body = self._link_to_itself(req, resp.body)
        rec.status = resp.status
        rec.fault = fault.kind if fault else None
        with self.lock:
            self.log.add(rec)
        return resp

    def _link_to_itself(self, req, body: bytes) -> bytes:
        page = json.loads(body)
        query = "&".join(f"{quote(k, safe='$')}={quote(v[-1], safe=LINK_SAFE)}" for k, v in req.query.items())
        page["@odata.nextLink"] = f"{self._base(req)}{req.path}" + (f"?{query}" if query else "")
        return json.dumps(page).encode()

    def _fault_response(self, req, kind: str, fault) -> Response:
        status = fault.status
        extra = [("Retry-After", f"{fault.retry_after:g}")] if fault.retry_after is not None else []
        if fault.kind == "reset":
            return Response(0, wire="reset")
        code, msg = {429: ("TooManyRequests", "Too many requests."),
                     500: ("InternalServerError", "An internal server error occurred."),
                     502: ("BadGateway", "Bad gateway."), 503: ("ServiceUnavailable", "Service Unavailable"),
                     504: ("GatewayTimeout", "Gateway timeout.")}.get(status, ("UnknownError", "Injected fault."))
        if kind == "token":
            resp = aad_error(status, "temporarily_unavailable", 90033,
                             "A transient error has occurred. Please try again.", req.header("client-request-id"))
            resp.headers += extra
            return resp
        if kind == "arm":
            return msarm.error(status, code, msg, extra)
        return graph_error(req, status, code, msg, extra)

    # --- identity platform --------------------------------------------------------------
    def _token(self, req, tenant: str) -> Response:
        corr = req.header("client-request-id") or str(uuid.uuid4())
        client_id = _form_client_id(req)

        def produce():
            with self.lock:
                return self.identity.token_request(tenant, req.method, req.header("content-type"), req.body, corr,
                                                   f"{self._base(req)}/{tenant}/oauth2/v2.0/token")[0]
        return self._serve(req, "token", tenant, client_id, None, True, produce)

    # --- Graph --------------------------------------------------------------------------
    def _graph(self, req) -> Response:
        spec = GRAPH_LISTS.get(req.path[len("/v1.0/"):].strip("/").lower())
        with self.lock:
            info, problem = self.identity.check_bearer(req.header("authorization"))
        tenant, client = (info.tenant, info.client_id) if info else (None, None)
        first = _arg_ci(req, "$skiptoken") is None
        return self._serve(req, "graph", tenant, client, spec.name if spec else None, first,
                           lambda: self._graph_list(req, spec, info, problem))

    def _graph_list(self, req, spec: GraphList | None, info, problem: str) -> Response:
        if spec is None:
            seg = req.path[len("/v1.0/"):].split("/")[0]
            return graph_error(req, 400, "BadRequest", f"Resource not found for the segment '{seg}'.")
        if req.method != "GET":
            return graph_error(req, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
        if problem or info.audience != GRAPH:
            msg = {"missing": "Access token is empty.", "unknown": "Access token validation failure.",
                   "expired": "Lifetime validation failed, the token is expired."}.get(
                problem, "Access token validation failure. Invalid audience.")
            return graph_error(req, 401, "InvalidAuthenticationToken", msg, [(
                "WWW-Authenticate", 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/'
                'oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"')])
        if spec.name in self.unlicensed.get(info.tenant, ()):
            return graph_error(req, 403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                               "Neither tenant is B2C or tenant doesn't have premium license")
        for k in req.query:
            if k.startswith("$") and k.lower() not in GRAPH_QUERY_OPTIONS:
                return graph_error(req, 400, "BadRequest", f"Query option '{k}' is not allowed.")
        try:
            cursor = self._graph_cursor(req, spec, info.tenant)
        except (FilterError, ValueError) as e:
            return graph_error(req, 400, "BadRequest", str(e))
        skey = (info.tenant, spec.name, "")
        with self.lock:
            recs, more = self.store.page(skey, cursor["rng"], cursor["d"], cursor["k"], cursor["q"], cursor["w"],
                                         cursor["n"])
        next_tok = self._next_token(cursor, recs, more)
        base = self._base(req)
        sel = cursor["sel"]
        ctx = f"{base}/v1.0/$metadata#{spec.path}" + (f"({','.join(sel)})" if sel else "")
        head = '{"@odata.context":' + json.dumps(ctx)
        if next_tok:
            head += ',"@odata.nextLink":' + json.dumps(self._next_link(req, base, f"/v1.0/{spec.path}", next_tok,
                                                                       "$skiptoken"))
        body = head.encode() + b',"value":[' + b",".join(_project(r.body, sel) for r in recs) + b"]}"
        return Response(200, body, [("Content-Type", GRAPH_CT), *request_ids(req)])

    def _graph_cursor(self, req, spec: GraphList, tenant: str) -> dict:
        tok = _arg_ci(req, "$skiptoken")
        if tok is not None:
            return self._resume(tok, spec.name, tenant)
        ops = spec.doc_ops if self.config["strict_filter_ops"] else ALL_OPS
        flt = req.arg("$filter")
        rng = parse_filter(flt, spec.time_field, ops, quoted_time=False)[0] if flt is not None else TimeRange()
        max_top = int(self.config["max_top"][spec.name])
        top_s = req.arg("$top")
        if top_s is None:
            top = int(self.config["default_top"][spec.name])
        else:
            if not top_s.strip().isdigit() or not 1 <= int(top_s) <= max_top:
                raise ValueError(f"Invalid page size specified: '{top_s}'. Must be between 1 and {max_top} inclusive.")
            top = int(top_s)
        desc = self.config["default_order"] == "desc"
        order = req.arg("$orderby")
        if order is not None:
            if not spec.orderby:
                raise ValueError("Query option '$orderby' is not allowed.")
            parts = order.split()
            if not parts or parts[0].lower() != spec.time_field.lower() or len(parts) > 2 or \
                    (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
                raise ValueError(f"Invalid $orderby: {order!r}; only '{spec.time_field} [asc|desc]' is supported.")
            desc = len(parts) == 2 and parts[1].lower() == "desc"
        sel = req.arg("$select")
        with self.lock:
            snap = (self.store.seq, time.time())
        return {"st": spec.name, "t": tenant, "rng": rng, "d": desc, "k": None, "q": snap[0], "w": snap[1],
                "n": top, "sel": [s.strip() for s in sel.split(",") if s.strip()] if sel else None, "e": 0}

    def _resume(self, tok: str, stream: str, tenant: str) -> dict:
        c = decode_token(tok)
        if c.get("st") != stream or c.get("t") != tenant:
            raise ValueError("The $skiptoken is not valid for this request.")
        c["rng"] = TimeRange(c.pop("lo"), c.pop("li"), c.pop("hi"), c.pop("hi_i"))
        return c

    def _next_token(self, cursor: dict, recs, more: bool) -> str | None:
        # Optional extra empty page after the last full one, as Graph sometimes sends.
        tail = not more and self.config["empty_last_page"] and not cursor.get("e") and bool(recs)
        if not more and not tail:
            return None
        c = {k: v for k, v in cursor.items() if k != "rng"}
        r = cursor["rng"]
        c.update(v=1, lo=r.lo, li=r.lo_incl, hi=r.hi, hi_i=r.hi_incl, e=1 if tail else cursor.get("e", 0))
        if recs:
            c["k"] = list(recs[-1].key)
        return encode_token(c)

    def _base(self, req) -> str:
        # Links point back at whatever loopback name the client used (127.0.0.1, localhost, [::1]).
        loopback = req.host.startswith(("127.0.0.1:", "localhost:", "[::1]:")) or req.host in ("127.0.0.1", "localhost")
        host = req.host if loopback else f"127.0.0.1:{self.port}"
        return f"https://{host}"

    @staticmethod
    def _next_link(req, base: str, path: str, token: str, token_name: str) -> str:
        # Same query as this request (minus the old token) plus the new one, like Graph and ARM.
        params = [(k, v[-1]) for k, v in req.query.items() if k.lower() not in ("$skiptoken",)]
        params.append((token_name, token))
        return f"{base}{path}?" + "&".join(f"{quote(k, safe='$')}={quote(v, safe=LINK_SAFE)}" for k, v in params)

# --- wire helpers -------------------------------------------------------------------------
def request_ids(req) -> list[tuple[str, str]]:
    return [("request-id", str(uuid.uuid4())), ("client-request-id", req.header("client-request-id") or str(uuid.uuid4()))]


def graph_error(req, status: int, code: str, message: str, headers=None) -> Response:
    ids = request_ids(req)
    inner = {"date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "request-id": ids[0][1],
             "client-request-id": ids[1][1]}
    return json_response(status, {"error": {"code": code, "message": message, "innerError": inner}},
                         [*ids, *(headers or [])], content_type=GRAPH_CT)


def _form_client_id(req) -> str | None:
    from urllib.parse import parse_qs
    if "x-www-form-urlencoded" not in req.header("content-type").lower():
        return None
    v = parse_qs(req.body.decode("utf-8", "replace")).get("client_id")
    return v[-1] if v else None


def _project(body: bytes, select: list[str] | None) -> bytes:
    if not select:
        return body
    obj = json.loads(body)
    return json.dumps({k: obj.get(k) for k in select}, ensure_ascii=False, separators=(",", ":")).encode()


def main(argv=None) -> int:
    args = common_args("Fake Microsoft identity platform + Graph audit logs + Azure activity log").parse_args(argv)
    return serve(args, lambda a, port, stop: MicrosoftFake(port, a.seed, a.state_file, stop))


if __name__ == "__main__":
    raise SystemExit(main())
