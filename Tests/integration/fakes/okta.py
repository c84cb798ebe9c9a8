"""Fake Okta org(s) on one HTTPS port: the System Log API and the org authorization server's
token endpoint for service apps (client credentials with a private-key JWT).

  POST /oauth2/v1/token   form grant_type=client_credentials, scope=okta.logs.read,
                          client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer,
                          client_assertion=<RS256 JWT: iss = sub = client_id, aud = this URL as called
                          (https://127.0.0.1:PORT/oauth2/v1/token), exp <= 1 h ahead, jti single-use>
                          -> {"token_type":"Bearer","expires_in":3600,"access_token","scope"};
                          errors {"error","error_description"}: 400 invalid_request / unsupported_grant_type /
                          invalid_scope, 401 invalid_client
  GET  /api/v1/logs       Authorization: SSWS <api token> | Bearer <access token with okta.logs.read>
                          ?since=&until=&limit=&after=&sortOrder=ASCENDING|DESCENDING (RFC 3339 times)
                          -> JSON array of LogEvent, oldest first (ASCENDING, the default)
  *    /_control/...      test control API (below and fakes/saascontrol.py)

Log semantics (System Log API reference):
* `since` inclusive (default 7 days ago), `until` exclusive, both on `published`;
  `limit` 1..1000 (default 100).
* Paging by `Link: <https://HOST/api/v1/logs?...&after=CURSOR>; rel="next"` (absolute, on the Host
  the client used, every other parameter repeated; `after` is opaque), plus `rel="self"`.
  A *bounded* request (with `until`) pins a snapshot on its first page and has no next link on its
  last page. A *polling* request (no `until`, ASCENDING) always has a next link, also after an empty
  page: following it later returns events published since (the fake orders polling by
  `published`, where Okta uses persistence time, so an event stamped before the cursor is missed).
* Every response of an org carries `X-Rate-Limit-Limit/-Remaining/-Reset` (epoch seconds) from the
  per-org limit (config `rate_limit`, default 120 requests per 60 s); beyond it 429 E0000047.
* Errors are Okta's `{"errorCode","errorSummary","errorLink","errorId","errorCauses"}`: 400 E0000001
  (bad since/until/limit/sortOrder/after, or filter/q, which the fake does not implement), 401
  E0000011 (missing/unknown/expired token), 403 E0000006 (API token of a non-admin, access token
  without okta.logs.read), 429 E0000047, 5xx E0000009.

Control calls of this fake (the shared ones are in saascontrol.py; `tenant` = the org name):
  POST orgs           {"org", "api_token"?, "admin"?: true} -> {"org", "api_token", "logs_url", "token_url"}
  POST api-tokens     {"org", "api_token"?, "admin"?: true} -> {"api_token"}  (admin false: 403 E0000006)
  POST oauth-clients  {"org", "client_id"?, "public_key_pem"?, "kid"?, "scopes"?: ["okta.logs.read"]}
                      -> {"client_id", "kid", "token_url", "private_key"? (PEM, when the fake made the pair)}
Events: POST /_control/events {"tenant": org, "count", "start", "end"} (stream "logs").

Run: python3 -m fakes.okta --port 0 --cert-dir DIR [--seed N] [--state-file F] [--stream]
"""
from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives import serialization

from . import oktagen, saascontrol
from .control import BadRequest, need
from .gcpauth import new_key
from .odata import TimeRange, decode_token, encode_token
from .saas import SaasFake, parse_ms
from .saasauth import AssertionProblem, check_assertion
from .server import Response, common_args, json_response, serve

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LOGS_SCOPE = "okta.logs.read"
JSON_CT = "application/json"
DAY_MS = 86_400_000
ASSERTION_MESSAGES = {
    "malformed": "The client_assertion token is malformed.",
    "unknown_issuer": "Invalid value for 'client_id' parameter.",
    "algorithm": "The client_assertion token has an invalid signing algorithm.",
    "signature": "The client_assertion signature is invalid.",
    "audience": "The audience claim for client_assertion must be the endpoint invoked for the request.",
    "expired": "The client_assertion token is expired.",
    "too_far": "The client_assertion token has an expiration too far into the future.",
}
ERRORS = {
    400: ("E0000001", "Api validation failed: {}"),
    401: ("E0000011", "Invalid token provided"),
    403: ("E0000006", "You do not have permission to perform the requested action"),
    404: ("E0000007", "Not found: Resource not found: {} (Resource)"),
    429: ("E0000047", "API call exceeded rate limit due to too many requests."),
    500: ("E0000009", "Internal Server Error"),
}


def okta_error(status: int, detail: str = "", causes: list[str] | None = None, headers=None) -> Response:
    code, summary = ERRORS.get(status, ERRORS[500])
    body = {"errorCode": code, "errorSummary": summary.format(detail), "errorLink": code,
            "errorId": "oae" + secrets.token_urlsafe(16)[:22],
            "errorCauses": [{"errorSummary": c} for c in causes or []]}
    return json_response(status, body, list(headers or []), content_type=JSON_CT)


def oauth_error(status: int, code: str, description: str) -> Response:
    return json_response(status, {"error": code, "error_description": description},
                         [("Cache-Control", "no-store"), ("Pragma", "no-cache")], content_type=JSON_CT)


class OktaFake(SaasFake):
    NAME = "okta"
    STREAMS = ("logs",)
    CONFIG = {"rate_limit": {"requests": 120, "window_s": 60}, "default_limit": 100, "max_limit": 1000,
              "default_since_s": 7 * 86_400}

    def reset(self) -> None:
        super().reset()
        with self.lock:
            self.used_jtis: dict[str, float] = {}

    # --- SaasFake hooks -------------------------------------------------------------------
    def generate(self, rng, ms, tenant, stream):
        return oktagen.log_event(rng, ms, tenant)

    def event_id(self, event, stream):
        return event["uuid"]

    def event_ms(self, event, stream):
        return parse_ms(event["published"])

    def fault_response(self, kind, status):
        if kind == "token" and status != 429:
            return oauth_error(status, "server_error" if status >= 500 else "invalid_request", "Injected fault.")
        return okta_error(status, "injected")

    def throttled(self, kind, wait_s):
        return okta_error(429)

    def rate_headers(self, used, reset_in_s):
        limit = self.limiter.requests
        return [("X-Rate-Limit-Limit", str(limit)), ("X-Rate-Limit-Remaining", str(max(0, limit - used))),
                ("X-Rate-Limit-Reset", str(int(time.time() + reset_in_s + 0.999)))]

    # --- routing --------------------------------------------------------------------------
    def handle(self, req) -> Response:
        if req.path.startswith("/_control/"):
            return saascontrol.handle(self, req)
        if req.path == "/oauth2/v1/token":
            return self.serve_token(req, self._issue)
        if req.path == "/api/v1/logs":
            return self._logs(req)
        return okta_error(404, req.path)

    def _org_of_api_token(self, token: str) -> str | None:
        return next((org for org, t in self.tenants.items() if token in t["api_tokens"]), None)

    # --- token endpoint -------------------------------------------------------------------
    def _issue(self, req, form: dict) -> Response:
        if req.method != "POST":
            return oauth_error(405, "invalid_request", "The token endpoint only accepts POST.")
        grant = form.get("grant_type")
        if not grant:
            return oauth_error(400, "invalid_request", "The request is missing a required parameter: grant_type.")
        if grant != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "The authorization grant type is not supported by the "
                               "authorization server. Configured grant types: [client_credentials].")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            return oauth_error(401, "invalid_client",
                               "Client authentication failed. Either the client or the client credentials are invalid.")
        token_url = f"https://{req.host}/oauth2/v1/token"
        with self.lock:
            try:
                claims = check_assertion(form["client_assertion"], self.client_keys, token_url, 3600)
            except AssertionProblem as p:
                return oauth_error(401, "invalid_client", ASSERTION_MESSAGES[p.code])
            client = claims["iss"]
            if claims.get("sub") != client or form.get("client_id", client) != client:
                return oauth_error(401, "invalid_client", "The client_assertion token has an invalid subject.")
            jti = claims.get("jti")
            now = time.time()
            self.used_jtis = {j: exp for j, exp in self.used_jtis.items() if exp > now}  # bounded by expiry
            if jti is not None and jti in self.used_jtis:
                return oauth_error(401, "invalid_client", "The client_assertion token has already been used.")
            if jti is not None:
                self.used_jtis[str(jti)] = float(claims["exp"])
            scope = form.get("scope", "")
            if not scope.split():
                return oauth_error(400, "invalid_scope", "The authorization server resource does not have any "
                                   "configured default scopes, 'scope' must be provided.")
            org, registered = self.client_of(client)
            granted = registered["scopes"]
            if not set(scope.split()) <= set(granted):
                return oauth_error(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed.")
            token = self.issue_token(org, client, scope.split(), "eyJraWQiOiJmYWtlIn0.")
        return json_response(200, {"token_type": "Bearer", "expires_in": int(self.config["token_lifetime_s"]),
                                   "access_token": token, "scope": scope},
                             [("Cache-Control", "no-store"), ("Pragma", "no-cache")], content_type=JSON_CT)

    # --- System Log -----------------------------------------------------------------------
    def _logs(self, req) -> Response:
        scheme, _, value = req.header("authorization").partition(" ")
        value = value.strip()
        org = client = None
        problem = None
        with self.lock:
            if scheme == "SSWS":
                org = self._org_of_api_token(value) if value else None
                if org is None:
                    problem = okta_error(401)
                elif not self.tenants[org]["api_tokens"][value]["admin"]:
                    problem = okta_error(403)
            elif scheme.lower() == "bearer":
                info, bad = self.check_token(value)
                org, client = (info["tenant"], info["client"]) if info else (None, None)
                if bad:
                    problem = okta_error(401, headers=[("WWW-Authenticate", 'Bearer realm="IdpMyAccountAPI", '
                                                        'error="invalid_token", error_description="The token is '
                                                        + ("expired" if bad == "expired" else "invalid") + '."')])
                elif LOGS_SCOPE not in info["scopes"]:
                    problem = okta_error(403, headers=[("WWW-Authenticate", 'Bearer realm="IdpMyAccountAPI", '
                                                        'error="insufficient_scope", scope="okta.logs.read"')])
            else:
                problem = okta_error(401)
        return self.serve(req, "data", org, client, lambda: problem or self._list(req, org), stream="logs",
                          first_page=req.arg("after") is None, limited=True)

    def _list(self, req, org: str) -> Response:
        try:
            q = self._query(req)
        except BadRequest as e:
            field = str(e).split(":")[0]
            return okta_error(400, field, [str(e)])
        recs, nxt = self.page(org, "logs", q["range"], q["desc"], q["cursor"], q["limit"], snapshot=not q["polling"])
        if q["polling"] and nxt is None:  # polling: a next link even at the end, to come back to later
            last = list(recs[-1].key) if recs else (q["cursor"] or {}).get("k")
            nxt = {"q": 0, "w": 0, "k": last}
        base = f"https://{req.host}{req.path}"
        links = [f'<{base}?{req.raw_query}>; rel="self"'] if req.raw_query else [f'<{base}>; rel="self"']
        if nxt is not None:
            params = [(k, v) for k, v in parse_qsl(req.raw_query, keep_blank_values=True) if k != "after"]
            params.append(("after", encode_token({**nxt, "v": 1})))
            links.append(f'<{base}?{urlencode(params)}>; rel="next"')
        body = b"[" + b",".join(r.body for r in recs) + b"]"
        return Response(200, body, [("Content-Type", JSON_CT), *(("Link", link) for link in links)])

    def _query(self, req) -> dict:
        for name in ("filter", "q"):
            if req.arg(name) is not None:
                raise BadRequest(f"{name}: this fake does not implement {name}")
        now_ms = int(time.time() * 1000)
        since = _time_arg(req, "since", now_ms - int(self.config["default_since_s"]) * 1000)
        until = _time_arg(req, "until", None)
        if until is not None and until < since:
            raise BadRequest("until: until must not be before since")
        raw_limit = req.arg("limit")
        try:
            limit = int(raw_limit) if raw_limit is not None else int(self.config["default_limit"])
        except ValueError:
            raise BadRequest("limit: the limit must be an integer") from None
        if not 1 <= limit <= int(self.config["max_limit"]):
            raise BadRequest(f"limit: the limit must be between 1 and {self.config['max_limit']}")
        order = req.arg("sortOrder") or "ASCENDING"
        if order not in ("ASCENDING", "DESCENDING"):
            raise BadRequest("sortOrder: sortOrder must be ASCENDING or DESCENDING")
        cursor = None
        if req.arg("after") is not None:
            try:
                cursor = decode_token(req.arg("after"))
            except ValueError:
                raise BadRequest("after: the after cursor is invalid") from None
        return {"range": TimeRange(since, True, until, False), "limit": limit, "desc": order == "DESCENDING",
                "cursor": cursor, "polling": until is None and order == "ASCENDING"}


def _time_arg(req, name: str, default):
    raw = req.arg(name)
    if raw is None:
        return default
    try:
        return parse_ms(raw)
    except ValueError:
        raise BadRequest(f"{name}: {name} is not a valid ISO 8601 date-time") from None


# --- control calls of this fake -----------------------------------------------------------
def _new_api_token(app, org: str, body: dict) -> str:
    token = str(body.get("api_token") or "00" + secrets.token_urlsafe(30))
    app.tenants[org]["api_tokens"][token] = {"admin": bool(body.get("admin", True))}
    return token


def add_org(app, body, args):
    (org,) = need(body, "org")
    with app.lock:
        app.tenants.setdefault(str(org), {"api_tokens": {}, "clients": {}})
        token = _new_api_token(app, str(org), body)
    return {"org": org, "api_token": token, "logs_url": f"{app.base_url}/api/v1/logs",
            "token_url": f"{app.base_url}/oauth2/v1/token"}


def add_api_token(app, body, args):
    with app.lock:
        org = saascontrol.tenant_of(app, {"tenant": body.get("org")})
        return {"api_token": _new_api_token(app, org, body)}


def add_client(app, body, args):
    """A service app with a public key (made here, private half returned, when none is given)."""
    private, public = None, body.get("public_key_pem")
    if not public:
        private, public = new_key()
    serialization.load_pem_public_key(str(public).encode())  # ValueError (400) for a key that does not parse
    client_id = str(body.get("client_id") or "0oa" + secrets.token_hex(9))
    kid = str(body.get("kid") or secrets.token_hex(8))
    with app.lock:
        org = saascontrol.tenant_of(app, {"tenant": body.get("org")})
        clients = app.tenants[org]["clients"]
        entry = clients.setdefault(client_id, {"keys": {}, "scopes": []})
        entry["keys"][kid] = public
        entry["scopes"] = list(body.get("scopes") or [LOGS_SCOPE])
    out = {"client_id": client_id, "kid": kid, "token_url": f"{app.base_url}/oauth2/v1/token"}
    if private:
        out["private_key"] = private
    return out


OktaFake.ROUTES = {("POST", "orgs"): add_org, ("POST", "api-tokens"): add_api_token,
                   ("POST", "oauth-clients"): add_client}


def main(argv=None) -> int:
    args = common_args("Fake Okta System Log API + org authorization server").parse_args(argv)
    return serve(args, lambda a, port, stop: OktaFake(port, a.seed, a.state_file, stop))


if __name__ == "__main__":
    raise SystemExit(main())
