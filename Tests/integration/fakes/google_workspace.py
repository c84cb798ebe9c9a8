"""Fake Google Workspace Admin SDK Reports API with service-account domain-wide delegation.

  POST /token   form grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, assertion=<RS256 JWT
                signed with the service account's key (kid = private_key_id): iss = client_email,
                sub = the admin user to act as, scope = https://www.googleapis.com/auth/
                admin.reports.audit.readonly, aud = this URL as called, iat/exp at most 1 h apart>
                -> {"access_token": "ya29...", "expires_in": 3599, "token_type": "Bearer"}.
                400 invalid_request / unsupported_grant_type / invalid_grant / invalid_scope;
                401 unauthorized_client when `sub` is missing, not a user of a customer that delegated
                to this service account, or the scope is not among the delegated ones.
  GET  /admin/reports/v1/activity/users/{all|<email>}/applications/{login|admin|drive|token}
                ?startTime=&endTime= (RFC 3339, both inclusive; endTime default now) &maxResults=
                (1..1000, default 1000) &pageToken= &eventName= &actorIpAddress= &customerId=
                -> {"kind": "admin#reports#activities", "etag", "items": [...newest first...],
                "nextPageToken"?}; "items" is left out when empty, "nextPageToken" on the last page.
                An activity becomes visible `lag_s[application]` seconds after its time (Google
                documents hours of lag for some applications); the first page pins a snapshot.
  *    /_control/...  test control API (below and fakes/saascontrol.py)

API errors are Google's {"error": {"code", "message", "errors": [{"message", "domain", "reason"}],
"status"}}: 401 authError (bad/expired token; a delegated user who is not an admin: "Access
denied. You are not authorized to read activity records."), 403 insufficientPermissions (token
without the reports scope), 400 invalid (bad parameters, page token of another query, startTime
older than `retention_days`), 429 rateLimitExceeded (config rate_limit per customer; config
`throttle_status` 403 answers userRateLimitExceeded instead), 5xx backendError.

Control calls of this fake (shared ones in saascontrol.py; `tenant` = the customer id, streams =
the four applications):
  POST customers         {"customer_id"?: "C0...", "domain": "acme.example", "admins": ["admin@acme.example"],
                          "users"?: [non-admin users]} -> {"customer_id", "domain", "admins"}
  POST service-accounts  {"customer_id", "client_email"?, "public_key_pem"?, "private_key_id"?,
                          "delegated"?: true, "scopes"?: [the reports scope]} -> {"key": service-account key
                          JSON with token_uri = this fake's /token and "private_key" when the fake made it}
  config lag_s           {"login": 0, "admin": 0, "drive": 0, "token": 0} seconds per application

Run: python3 -m fakes.google_workspace --port 0 --cert-dir DIR [--seed N] [--state-file F] [--stream]
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from urllib.parse import unquote

from cryptography.hazmat.primitives import serialization

from . import gwsgen, saascontrol
from .control import BadRequest, need
from .gcp import STATUS_NAMES
from .gcpauth import GRANT, key_json, new_key
from .gcpauth import error as oauth_error
from .odata import TimeRange, decode_token, encode_token
from .saas import SaasFake, parse_ms
from .saasauth import AssertionProblem, check_assertion
from .server import Response, common_args, json_response, serve

REPORTS_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
ACTIVITY_PATH = re.compile(r"^/admin/reports/v1/activity/users/([^/]+)/applications/([^/]+)$")
JSON_CT = "application/json; charset=UTF-8"
UNAUTHORIZED_CLIENT = ("Client is unauthorized to retrieve access tokens using this method, or client not "
                       "authorized for any of the scopes requested.")
SHORT_LIVED = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
               "Check your iat and exp values in the JWT claim.")


def api_error(status: int, message: str, reason: str, headers=None) -> Response:
    err = {"code": status, "message": message,
           "errors": [{"message": message, "domain": "usageLimits" if "RateLimit" in reason else "global",
                       "reason": reason}],
           "status": STATUS_NAMES.get(status, "UNKNOWN")}
    if status == 401:
        err["errors"][0].update(location="Authorization", locationType="header")
    return json_response(status, {"error": err}, list(headers or []), content_type=JSON_CT)


class WorkspaceFake(SaasFake):
    NAME = "gws"
    STREAMS = gwsgen.APPLICATIONS
    CONFIG = {"token_lifetime_s": 3599, "default_max_results": 1000, "max_results": 1000, "retention_days": 180,
              "lag_s": {app: 0 for app in gwsgen.APPLICATIONS}, "throttle_status": 429}

    # --- SaasFake hooks -------------------------------------------------------------------
    def generate(self, rng, ms, tenant, stream):
        return gwsgen.activity(rng, ms, self.tenants[tenant], stream)

    def event_id(self, event, stream):
        return f"{event['id']['time']}/{event['id']['uniqueQualifier']}"

    def event_ms(self, event, stream):
        return parse_ms(event["id"]["time"])

    def fault_response(self, kind, status):
        if kind == "token":
            return oauth_error(status, "rate_limit_exceeded" if status == 429 else "internal_failure", "Backend Error")
        if status in (403, 429):
            return self.throttled(kind, 1)
        return api_error(status, "Backend Error" if status >= 500 else "Injected fault.",
                         "backendError" if status >= 500 else "invalid")

    def throttled(self, kind, wait_s):
        if int(self.config["throttle_status"]) == 403:
            return api_error(403, "User Rate Limit Exceeded", "userRateLimitExceeded")
        return api_error(429, "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' "
                         "of service 'admin.googleapis.com'.", "rateLimitExceeded")

    # --- routing --------------------------------------------------------------------------
    def handle(self, req) -> Response:
        if req.path.startswith("/_control/"):
            return saascontrol.handle(self, req)
        if req.path == "/token":
            return self.serve_token(req, self._issue)
        m = ACTIVITY_PATH.match(req.path)
        if m and req.method == "GET":
            return self._activities(req, unquote(m.group(1)), m.group(2))
        return api_error(404, f"The requested URL {req.path} was not found on this server.", "notFound")

    # --- token endpoint -------------------------------------------------------------------
    def _issue(self, req, form: dict) -> Response:
        if req.method != "POST":
            return oauth_error(405, "invalid_request", f"HTTP method {req.method} is not supported by this URL")
        if not form.get("grant_type"):
            return oauth_error(400, "invalid_request", "Missing required parameter: grant_type")
        if form["grant_type"] != GRANT:
            return oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {form['grant_type']}")
        if not form.get("assertion"):
            return oauth_error(400, "invalid_request", "Missing required parameter: assertion")
        token_url = f"https://{req.host}/token"
        with self.lock:
            try:
                claims = check_assertion(form["assertion"], self.client_keys, token_url, 3600, skew_s=0)
            except AssertionProblem as p:
                return oauth_error(400, "invalid_grant", {
                    "malformed": "Invalid JWT: Malformed token.", "unknown_issuer": "Invalid grant: account not found",
                    "algorithm": "Invalid JWT Signature.", "signature": "Invalid JWT Signature.",
                    "audience": f"Invalid JWT: Failed audience check. The right audience is {token_url}",
                }.get(p.code, SHORT_LIVED))
            iat, exp = claims.get("iat"), claims["exp"]
            if not isinstance(iat, int) or not 0 < exp - iat <= 3600 or iat > time.time() + 300:
                return oauth_error(400, "invalid_grant", SHORT_LIVED)
            scopes = str(claims.get("scope") or "").split()
            if not scopes:
                return oauth_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
            customer, account = self.client_of(claims["iss"])
            sub = claims.get("sub")
            known = self.tenants[customer]["admins"] + self.tenants[customer]["users"]
            if not (account["delegated"] and sub in known and set(scopes) <= set(account["scopes"])):
                return oauth_error(401, "unauthorized_client", UNAUTHORIZED_CLIENT)
            token = self.issue_token(customer, claims["iss"], scopes, "ya29.a0", subject=sub)
        return json_response(200, {"access_token": token, "expires_in": int(self.config["token_lifetime_s"]),
                                   "token_type": "Bearer"},
                             [("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")])

    # --- activities.list ------------------------------------------------------------------
    def _activities(self, req, user_key: str, application: str) -> Response:
        scheme, _, token = req.header("authorization").partition(" ")
        with self.lock:
            info, bad = self.check_token(token.strip() if scheme.lower() == "bearer" else "")
            customer = info["tenant"] if info else None
            problem = None
            if bad:
                problem = api_error(401, "Request had invalid authentication credentials. Expected OAuth 2 access "
                                    "token, login cookie or other valid authentication credential.", "authError",
                                    [("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/"')])
            elif REPORTS_SCOPE not in info["scopes"]:
                problem = api_error(403, "Request had insufficient authentication scopes.", "insufficientPermissions")
            elif info["subject"] not in self.tenants[customer]["admins"]:
                problem = api_error(401, "Access denied. You are not authorized to read activity records.",
                                    "authError")
        return self.serve(req, "data", customer, info["client"] if info else None,
                          lambda: problem or self._list(req, customer, user_key, application),
                          stream=application, first_page=req.arg("pageToken") is None, limited=True)

    def _list(self, req, customer: str, user_key: str, application: str) -> Response:
        try:
            q = self._query(req, customer, user_key, application)
        except BadRequest as e:
            return api_error(400, str(e), "invalid")
        lag_ms = int(float(self.config["lag_s"].get(application, 0)) * 1000)
        cutoff = int(q["cursor"]["w"] * 1000) - lag_ms
        wanted = (q["user"], q["event"], q["ip"])

        def pred(rec) -> bool:
            if rec.ticks > cutoff:
                return False           # not visible yet: this application's reporting lag
            if not any(wanted):
                return True
            a = json.loads(rec.body)
            return ((not q["user"] or a["actor"].get("email") == q["user"])
                    and (not q["event"] or any(e["name"] == q["event"] for e in a["events"]))
                    and (not q["ip"] or a.get("ipAddress") == q["ip"]))
        recs, nxt = self.page(customer, application, q["range"], True, q["cursor"], q["size"], pred)
        parts = [b'"kind":"admin#reports#activities"',
                 b'"etag":' + json.dumps(f'"{secrets.token_hex(12)}"').encode()]
        if recs:
            parts.append(b'"items":[' + b",".join(r.body for r in recs) + b"]")
        if nxt:
            parts.append(b'"nextPageToken":' + json.dumps(encode_token({**nxt, "v": 1, "h": q["hash"]})).encode())
        return Response(200, b"{" + b",".join(parts) + b"}", [("Content-Type", JSON_CT)])

    def _query(self, req, customer: str, user_key: str, application: str) -> dict:
        if application not in gwsgen.APPLICATIONS:
            raise BadRequest(f"Invalid value '{application}'. Values must match the following regular expression: "
                             "'(login)|(admin)|(drive)|(token)' (this fake serves these four).")
        if user_key != "all" and "@" not in user_key:
            raise BadRequest(f"Invalid value '{user_key}' for userKey: use all or an e-mail address.")
        if req.arg("customerId") not in (None, customer):
            raise BadRequest("Bad Request: customerId does not match the authorized customer.")
        now_ms = int(time.time() * 1000)
        times = {}
        for name in ("startTime", "endTime"):
            raw = req.arg(name)
            try:
                times[name] = parse_ms(raw) if raw is not None else None
            except ValueError:
                raise BadRequest(f"Invalid value '{raw}' for {name}: use RFC 3339, e.g. 2010-10-28T10:26:35.000Z") from None
        start, end = times["startTime"], times["endTime"] if times["endTime"] is not None else now_ms
        if start is not None and start > end:
            raise BadRequest("Start time must be less than or equal to the end time.")
        if start is not None and start < now_ms - int(self.config["retention_days"]) * 86_400_000:
            raise BadRequest(f"Start time should not be more than {self.config['retention_days']} days in the past.")
        raw_size = req.arg("maxResults")
        if raw_size is not None and (not raw_size.isdigit() or not 1 <= int(raw_size) <= int(self.config["max_results"])):
            raise BadRequest(f"Invalid value '{raw_size}' for maxResults: must be between 1 and {self.config['max_results']}.")
        digest = hashlib.sha256(json.dumps([user_key, application, req.arg("startTime"), req.arg("endTime"),
                                            req.arg("eventName"), req.arg("actorIpAddress")]).encode()).hexdigest()[:16]
        if req.arg("pageToken") is not None:
            try:
                cursor = decode_token(req.arg("pageToken"))
            except ValueError:
                raise BadRequest("Invalid page token.") from None
            if cursor.get("h") != digest:
                raise BadRequest("Invalid page token: it belongs to another query.")
        else:
            with self.lock:
                cursor = {"q": self.store.seq, "w": time.time(), "k": None}
        return {"range": TimeRange(start, True, end, True), "cursor": cursor, "hash": digest,
                "size": int(raw_size or self.config["default_max_results"]),
                "user": None if user_key == "all" else user_key, "event": req.arg("eventName"),
                "ip": req.arg("actorIpAddress")}


# --- control calls of this fake -----------------------------------------------------------
def add_customer(app, body, args):
    domain, admins = need(body, "domain", "admins")
    if not isinstance(admins, list) or not all(isinstance(a, str) for a in admins):
        raise BadRequest("admins must be a list of e-mail addresses")
    cid = str(body.get("customer_id") or "C0" + secrets.token_hex(4))
    with app.lock:
        app.tenants[cid] = {"customer_id": cid, "domain": str(domain), "admins": admins,
                            "users": [str(u) for u in body.get("users") or []], "clients": {}}
    return {"customer_id": cid, "domain": domain, "admins": admins}


def add_service_account(app, body, args):
    private, public = None, body.get("public_key_pem")
    if not public:
        private, public = new_key()
    serialization.load_pem_public_key(str(public).encode())  # ValueError (400) for a key that does not parse
    with app.lock:
        cid = saascontrol.tenant_of(app, {"tenant": body.get("customer_id")})
        email = str(body.get("client_email") or f"reports-{secrets.token_hex(3)}@siem-collector.iam.gserviceaccount.com")
        key_id = str(body.get("private_key_id") or secrets.token_hex(20))
        account = app.tenants[cid]["clients"].setdefault(
            email, {"keys": {}, "client_id": str(secrets.randbelow(10**21)), "delegated": True, "scopes": []})
        account["keys"][key_id] = public
        account["delegated"] = bool(body.get("delegated", True))
        account["scopes"] = list(body.get("scopes") or [REPORTS_SCOPE])
        client_id = account["client_id"]
    project = email.split("@", 1)[1].split(".", 1)[0]
    return {"key": key_json(f"{app.base_url}/token", project, key_id, email, client_id, private)}


WorkspaceFake.ROUTES = {("POST", "customers"): add_customer, ("POST", "service-accounts"): add_service_account}


def main(argv=None) -> int:
    args = common_args("Fake Google Workspace Admin SDK Reports API + OAuth token endpoint").parse_args(argv)
    return serve(args, lambda a, port, stop: WorkspaceFake(port, a.seed, a.state_file, stop))


if __name__ == "__main__":
    raise SystemExit(main())
