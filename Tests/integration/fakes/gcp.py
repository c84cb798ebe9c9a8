"""Fake Google Cloud on one HTTPS port: the OAuth 2.0 token endpoint for service accounts and
Cloud Logging v2 `entries.list`.

  POST /token                 JWT-bearer grant (assertion signed with the account's key)
  POST /v2/entries:list       {"resourceNames","filter","orderBy","pageSize","pageToken"}
  *    /_control/...          test control API (gcpcontrol.py)

Run: python3 -m fakes.gcp --port 0 --cert-dir DIR [--seed N] [--state-file F] [--stream]
Register a service account through the control API; its key JSON names
`token_uri` = https://127.0.0.1:PORT/token; point the poller's `logging_endpoint` at
https://127.0.0.1:PORT.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time

from . import gcpcontrol, gcpfilter
from .control import FakeApp, FaultQueue, RateLimiter, Record, RequestLog, spoil_body
from .gcpauth import LOGGING_READ_SCOPES, GoogleAuth
from .gcpauth import error as oauth_error
from .server import Response, common_args, json_response, serve
from .store import EventStore

SKEY = ("gcp", "entries", "")        # one time-ordered store for every project
RESOURCE = re.compile(r"^projects/([a-z0-9][a-z0-9.:\-]{2,99})$")
BODY_FIELDS = {"resourceNames", "projectIds", "filter", "orderBy", "pageSize", "pageToken"}
JSON_CT = "application/json; charset=UTF-8"
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "NOT_IMPLEMENTED",
                503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}

DEFAULT_CONFIG = {
    "token_lifetime_s": 3599,
    "default_page_size": 50,          # entries.list: "Default is 50"
    "max_page_size": 1000,            # "If the value is negative or exceeds 1000, the request is rejected"
    "rate_limit": None,               # e.g. {"requests": 60, "window_s": 60}: read requests per minute per project
    "partial_pages": 0,               # empty pages with a nextPageToken before the results ("search ran out of time")
    "page_token_ttl_s": 86_400,       # page tokens live 24 h
    "max_entries": 500_000,
}


class GCPFake(FakeApp):
    control = gcpcontrol
    SKEY = SKEY

    def reset(self) -> None:
        self.streamer.halt()  # outside the lock: the streamer thread may be waiting for it
        with self.lock:
            self.config = json.loads(json.dumps(DEFAULT_CONFIG))
            self.auth = GoogleAuth()
            self.store = EventStore(self.config["max_entries"])
            self.faults = FaultQueue()
            self.log = RequestLog()
            self.limiter: RateLimiter | None = None
            self.serials: dict[str, int] = {}
            self.parsed: dict[tuple, dict] = {}   # record key -> parsed entry (see _parsed)

    def close(self) -> None:
        self.streamer.halt()
        if self.state_file:
            gcpcontrol.save_state(self, self.state_file)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    # --- routing ------------------------------------------------------------------------
    def handle(self, req) -> Response:
        if req.path.startswith("/_control/"):
            return gcpcontrol.handle(self, req)
        if req.path == "/token":
            return self._token(req)
        if req.path == "/v2/entries:list":
            return self._entries(req)
        return google_error(404, f"The requested URL {req.path} was not found on this server.")

    def _serve(self, req, kind: str, project, email, produce) -> Response:
        """Log the request, apply a queued fault or the per-project quota, else run `produce`."""
        rec = Record(ts=time.time(), kind=kind, method=req.method, path=req.path, query=req.raw_query,
                     tenant=project, client_id=email, stream="entries" if kind == "logging" else None,
                     first_page=b"pageToken" not in req.body, user_agent=req.header("user-agent"),
                     peer_port=req.client[1])
        wait = 0.0
        with self.lock:
            fault = self.faults.take(req.method, req.path, project, email)
            if fault is None and kind == "logging" and self.limiter is not None and project:
                wait = self.limiter.check(project)
        if fault and fault.kind == "delay":
            self.stop.wait(fault.delay_s)  # interruptible, so shutdown is never held up
        if fault and fault.kind not in ("delay", "truncate", "malformed"):
            resp = self._fault_response(kind, fault, project)
        elif wait:
            resp = quota_error(project)    # Cloud Logging sends no Retry-After
        else:
            resp = spoil_body(produce(), fault)
        rec.status = resp.status
        rec.fault = fault.kind if fault else None
        with self.lock:
            self.log.add(rec)
        return resp

    def _fault_response(self, kind: str, fault, project) -> Response:
        if fault.kind == "reset":
            return Response(0, wire="reset")
        extra = [("Retry-After", f"{fault.retry_after:g}")] if fault.retry_after is not None else []
        status = fault.status
        if kind == "token":
            code = {429: "rate_limit_exceeded", 503: "temporarily_unavailable"}.get(status, "internal_failure")
            resp = oauth_error(status, code, "Backend Error")
        elif status == 429:
            resp = quota_error(project)
        elif status == 502:
            # Google's front end answers a 502 with an HTML page, not JSON.
            resp = Response(502, b"<!DOCTYPE html><html lang=en><title>Error 502 (Server Error)!!1</title>"
                                 b"<p><b>502.</b> <ins>That\xe2\x80\x99s an error.</ins></html>",
                            [("Content-Type", "text/html; charset=UTF-8")])
        else:
            resp = google_error(status, {500: "Internal error encountered.", 503: "The service is currently unavailable.",
                                         504: "The request was aborted because it exceeded its deadline."}
                                .get(status, "Injected fault."))
        resp.headers += extra
        return resp

    # --- OAuth --------------------------------------------------------------------------
    def _token(self, req) -> Response:
        email = _assertion_issuer(req.body)
        with self.lock:
            sa = self.auth.accounts.get(email or "")
        project = sa.project if sa else None

        def produce():
            with self.lock:
                return self.auth.token_request(req.method, req.header("content-type"), req.body,
                                               f"https://{req.host}/token")[0]
        return self._serve(req, "token", project, email, produce)

    # --- Cloud Logging ------------------------------------------------------------------
    def _entries(self, req) -> Response:
        with self.lock:
            info, problem = self.auth.check_bearer(req.header("authorization"))
        project, email = (info.project, info.email) if info else (None, None)
        return self._serve(req, "logging", project, email, lambda: self._list(req, info, problem))

    def _list(self, req, info, problem: str) -> Response:
        if req.method != "POST":
            return google_error(404, f"The requested URL {req.path} was not found on this server.")
        if problem:
            return google_error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                                "login cookie or other valid authentication credential. See "
                                "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                                [error_info("ACCESS_TOKEN_EXPIRED" if problem == "expired" else
                                            "CREDENTIALS_MISSING" if problem == "missing" else "ACCESS_TOKEN_TYPE_UNSUPPORTED")],
                                [("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/"')])
        if not LOGGING_READ_SCOPES.intersection(info.scopes):
            return google_error(403, "Request had insufficient authentication scopes.",
                                [error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT")],
                                [("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", '
                                  'error="insufficient_scope", scope="https://www.googleapis.com/auth/logging.read"')])
        try:
            query = self._query(req.body)
        except ValueError as e:
            return google_error(400, str(e))
        with self.lock:
            sa = self.auth.accounts.get(info.email)
            readable = set(sa.readable) if sa else set()
        denied = [p for p in query["projects"] if p not in readable]
        if denied:
            return google_error(403, "Permission 'logging.logEntries.list' denied on resource (or it may not exist).",
                                [error_info("IAM_PERMISSION_DENIED",
                                            {"permission": "logging.logEntries.list", "resource": f"projects/{denied[0]}"})])
        try:
            cursor = self._cursor(query)
        except ValueError as e:
            return google_error(400, str(e))
        if cursor.pop("partial", False):
            return Response(200, b'{"nextPageToken":' + json.dumps(encode_token(cursor)).encode() + b"}",
                            [("Content-Type", JSON_CT)])
        projects, ast = set(query["projects"]), query["ast"]

        def pred(rec) -> bool:
            entry = self._parsed(rec)
            return _project_of(entry.get("logName", "")) in projects and gcpfilter.matches(ast, entry)
        with self.lock:
            recs, more = self.store.page(SKEY, query["range"], query["desc"], cursor["k"], cursor["q"], cursor["w"],
                                         query["size"], pred)
        parts = []
        if recs:
            parts.append(b'"entries":[' + b",".join(r.body for r in recs) + b"]")
        if more:
            cursor["k"] = list(recs[-1].key)
            parts.append(b'"nextPageToken":' + json.dumps(encode_token(cursor)).encode())
        return Response(200, b"{" + b",".join(parts) + b"}", [("Content-Type", JSON_CT)])

    def _parsed(self, rec) -> dict:
        """The entry of a stored version, parsed once: a version's body never changes (an update is
        a new version with its own key), and every list request filters all of the fake's entries."""
        entry = self.parsed.get(rec.key)
        if entry is None:
            if len(self.parsed) >= 2 * self.config["max_entries"]:
                self.parsed.clear()
            entry = self.parsed[rec.key] = json.loads(rec.body)
        return entry

    def _query(self, raw: bytes) -> dict:
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"Invalid JSON payload received. {e}") from None
        if not isinstance(body, dict):
            raise ValueError("Invalid JSON payload received. Expected an object.")
        for k in body:
            if k not in BODY_FIELDS:
                raise ValueError(f'Invalid JSON payload received. Unknown name "{k}": Cannot find field.')
        names = list(body.get("resourceNames") or []) + [f"projects/{p}" for p in body.get("projectIds") or []]
        if not names or not all(isinstance(n, str) for n in names):
            raise ValueError("resourceNames is required and must name at least one resource.")
        if len(names) > 100:
            raise ValueError("A maximum of 100 resources may be specified in a single request.")
        projects = []
        for n in names:
            m = RESOURCE.match(n)
            if not m:
                raise ValueError(f'Invalid resource name "{n}" (this fake serves projects/[PROJECT_ID] only).')
            projects.append(m.group(1))
        text = body.get("filter") or ""
        if not isinstance(text, str):
            raise ValueError("filter must be a string.")
        ast = gcpfilter.parse(text)      # FilterError is a ValueError: 400 INVALID_ARGUMENT
        order = body.get("orderBy") or "timestamp asc"
        if order not in ("timestamp asc", "timestamp desc"):
            raise ValueError(f'Invalid orderBy "{order}": only "timestamp asc" and "timestamp desc" are supported.')
        size = body.get("pageSize", 0)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0 or size > self.config["max_page_size"]:
            raise ValueError(f"pageSize must be between 0 and {self.config['max_page_size']}; got {size!r}.")
        token = body.get("pageToken")
        if token is not None and not isinstance(token, str):
            raise ValueError("pageToken must be a string.")
        digest = hashlib.sha256(json.dumps([sorted(set(projects)), text, order]).encode()).hexdigest()[:16]
        return {"projects": projects, "ast": ast, "range": gcpfilter.time_range(ast), "desc": order.endswith("desc"),
                "size": size or self.config["default_page_size"], "token": token or None, "hash": digest}

    def _cursor(self, query: dict) -> dict:
        tok = query["token"]
        now = time.time()
        if tok is None:
            with self.lock:
                seq = self.store.seq
            c = {"v": 1, "q": seq, "w": now, "k": None, "h": query["hash"], "t": now,
                 "p": int(self.config["partial_pages"])}
        else:
            c = decode_token(tok)
            if c.get("h") != query["hash"]:
                raise ValueError("page_token doesn't match arguments from the request")
            if now - c.get("t", 0) > self.config["page_token_ttl_s"]:
                raise ValueError("The page token has expired.")
        if c["p"] > 0:
            c["p"] -= 1
            c["partial"] = True
        return c


# --- wire helpers -------------------------------------------------------------------------
def error_info(reason: str, metadata: dict | None = None) -> dict:
    return {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com",
            "metadata": {"service": "logging.googleapis.com", **(metadata or {})}}


def google_error(status: int, message: str, details: list | None = None, headers=None) -> Response:
    """google.rpc.Status as JSON: {"error": {"code", "message", "status", "details"?}}."""
    err = {"code": status, "message": message, "status": STATUS_NAMES.get(status, "UNKNOWN")}
    if details:
        err["details"] = details
    return json_response(status, {"error": err}, list(headers or []), content_type=JSON_CT)


def quota_error(project: str | None) -> Response:
    consumer = f"projects/{project or 'unknown'}"
    return google_error(429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' "
                        f"of service 'logging.googleapis.com' for consumer '{consumer}'.",
                        [error_info("RATE_LIMIT_EXCEEDED", {"consumer": consumer,
                                                             "quota_metric": "logging.googleapis.com/read_requests",
                                                             "quota_limit": "ReadRequestsPerMinutePerProject"}),
                         {"@type": "type.googleapis.com/google.rpc.Help",
                          "links": [{"description": "Request a higher quota limit.",
                                     "url": "https://cloud.google.com/docs/quota#requesting_higher_quota"}]}])


def encode_token(c: dict) -> str:
    raw = json.dumps(c, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(tok: str) -> dict:
    try:
        c = json.loads(base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("Invalid page token.") from None
    if not isinstance(c, dict) or c.get("v") != 1 or not {"q", "w", "k", "h", "p"} <= set(c):
        raise ValueError("Invalid page token.")
    return c


def _project_of(log_name: str) -> str | None:
    parts = log_name.split("/")
    return parts[1] if len(parts) >= 4 and parts[0] == "projects" and parts[2] == "logs" else None


def _assertion_issuer(body: bytes) -> str | None:
    """The `iss` of a token request's assertion, unverified, to attribute the request in the log."""
    from urllib.parse import parse_qs
    try:
        assertion = parse_qs(body.decode("utf-8", "replace")).get("assertion", [""])[-1]
        claims = assertion.split(".")[1]
        iss = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))).get("iss")
        return iss if isinstance(iss, str) else None
    except (IndexError, ValueError, AttributeError, binascii.Error):
        return None


def main(argv=None) -> int:
    ap = common_args("Fake Google OAuth token endpoint + Cloud Logging entries.list")
    args = ap.parse_args(argv)
    return serve(args, lambda a, port, stop: GCPFake(port, a.seed, a.state_file, stop))


if __name__ == "__main__":
    raise SystemExit(main())
