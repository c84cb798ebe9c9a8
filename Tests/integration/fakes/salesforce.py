"""Fake Salesforce org(s): the OAuth 2.0 JWT bearer flow and the REST query API over the
SetupAuditTrail and LoginHistory objects.

  POST /services/oauth2/token  form grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, assertion=<RS256
                               JWT: iss = the connected app's consumer key, sub = a username it is approved
                               for, aud = this fake's base URL as called (https://127.0.0.1:PORT, the
                               "login host"), exp at most 3 minutes ahead>
                               -> {"access_token": "<org id>!...", "scope": "api", "instance_url": this fake's
                               base URL, "id", "token_type": "Bearer", "issued_at"}; errors {"error",
                               "error_description"}: 400 unsupported_grant_type, invalid_client_id ("client
                               identifier invalid"), invalid_grant ("invalid assertion", "audience is invalid",
                               "expired authorization code", "user hasn't approved this consumer")
  GET  /services/data/vNN.N/query?q=<SOQL>        (also /queryAll; versions 20.0..62.0)
  GET  /services/data/vNN.N/query/<locator>-<offset>   the `nextRecordsUrl` of the previous page
                               -> {"totalSize", "done", "nextRecordsUrl"? (relative), "records": [{"attributes":
                               {"type", "url"}, <selected fields>, "CreatedBy": {"attributes", "Username"}}]}
                               Authorization: Bearer <access_token>. Batches of 2000 (header
                               `Sforce-Query-Options: batchSize=N`, 200..2000). The query runs once: its rows are
                               fixed for all its pages (locators live `locator_ttl_s`, 900 s).
  *    /_control/...           test control API (below and fakes/saascontrol.py)

SOQL (fakes/soql.py): SELECT fields (one-level relationship fields: CreatedBy.Username, .Name, .Email,
.Id) FROM SetupAuditTrail|LoginHistory [WHERE CreatedDate|LoginTime >=|>|<=|<|= <dateTime> [AND ...]]
[ORDER BY <time field> [ASC|DESC][, Id]] [LIMIT n]. API errors are [{"message", "errorCode"}]:
400 MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE / INVALID_QUERY_LOCATOR, 401 INVALID_SESSION_ID
(missing, unknown or expired session: POST /_control/tokens/expire expires them all), 403
REQUEST_LIMIT_EXCEEDED (config rate_limit, default 15000 API requests per 24 h per org; every API
answer carries `Sforce-Limit-Info: api-usage=N/LIMIT`), 404 NOT_FOUND, 500 UNKNOWN_EXCEPTION,
503 SERVER_UNAVAILABLE.

Control calls of this fake (shared ones in saascontrol.py; `tenant` = the org id, streams =
SetupAuditTrail, LoginHistory):
  POST orgs            {"org_id"?: "00D...", "domain"?: "acme.example", "usernames"?: ["admin@acme.example"]}
                       -> {"org_id", "users": [{"Id", "Username", "Name", "Email"}], "login_url"}
  POST connected-apps  {"org_id", "consumer_key"?, "public_key_pem"?, "approved_users"?: [usernames; default all]}
                       -> {"consumer_key", "login_url", "token_url", "private_key"? (PEM, when the fake made it)}

Run: python3 -m fakes.salesforce --port 0 --cert-dir DIR [--seed N] [--state-file F] [--stream]
"""
from __future__ import annotations

import json
import random
import re
import secrets
import time
from collections import OrderedDict

from cryptography.hazmat.primitives import serialization

from . import saascontrol, sfgen, soql
from .control import BadRequest
from .gcpauth import GRANT, new_key
from .saas import SaasFake, parse_ms
from .saasauth import AssertionProblem, check_assertion
from .server import Response, common_args, json_response, serve

DATA_PATH = re.compile(r"^/services/data/v(\d{2,3}\.\d)/(query|queryAll)(?:/(\w+)-(\d+))?$")
MAX_LOCATORS = 200
MAX_ROWS = 500_000
ASSERTION_ERRORS = {"unknown_issuer": ("invalid_client_id", "client identifier invalid"),
                    "audience": ("invalid_grant", "audience is invalid"),
                    "expired": ("invalid_grant", "expired authorization code"),
                    "too_far": ("invalid_grant", "expired authorization code")}


def sf_error(status: int, code: str, message: str, headers=None) -> Response:
    return json_response(status, [{"message": message, "errorCode": code}], headers)


def oauth_error(status: int, code: str, description: str) -> Response:
    return json_response(status, {"error": code, "error_description": description})


class SalesforceFake(SaasFake):
    NAME = "salesforce"
    STREAMS = tuple(sfgen.SCHEMAS)
    CONFIG = {"token_lifetime_s": 7200, "rate_limit": {"requests": 15000, "window_s": 86400},
              "default_batch_size": 2000, "locator_ttl_s": 900}

    def reset(self) -> None:
        super().reset()
        with self.lock:
            self.locators: OrderedDict[str, dict] = OrderedDict()

    # --- SaasFake hooks -------------------------------------------------------------------
    def generate(self, rng, ms, tenant, stream):
        return sfgen.GENERATORS[stream](rng, ms, self.tenants[tenant])

    def event_id(self, event, stream):
        return event["Id"]

    def event_ms(self, event, stream):
        text = event[sfgen.SCHEMAS[stream].time_field]
        return parse_ms(re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text))

    def fault_response(self, kind, status):
        if kind == "token":
            return oauth_error(status, "unknown_error", "retry your request")
        if status in (403, 429):
            return sf_error(status, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        if status == 401:
            return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if status == 503:
            return sf_error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please retry.")
        return sf_error(status, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if "
                        f"you contact support: {secrets.randbelow(10**9)}-{secrets.randbelow(10**5)} (-1184339286)")

    def throttled(self, kind, wait_s):
        return sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")

    def rate_headers(self, used, reset_in_s):
        return [("Sforce-Limit-Info", f"api-usage={used}/{self.limiter.requests}")]

    # --- routing --------------------------------------------------------------------------
    def handle(self, req) -> Response:
        if req.path.startswith("/_control/"):
            return saascontrol.handle(self, req)
        if req.path == "/services/oauth2/token":
            return self.serve_token(req, self._issue)
        m = DATA_PATH.match(req.path)
        if m and req.method == "GET":
            return self._data(req, *m.groups())
        return sf_error(404, "NOT_FOUND", "The requested resource does not exist")

    # --- OAuth JWT bearer -----------------------------------------------------------------
    def _issue(self, req, form: dict) -> Response:
        if req.method != "POST" or form.get("grant_type") != GRANT:
            return oauth_error(400, "unsupported_grant_type", "grant type not supported")
        base = f"https://{req.host}"
        with self.lock:
            try:
                claims = check_assertion(form.get("assertion", ""), self.client_keys, base, 180, skew_s=0)
            except AssertionProblem as p:
                return oauth_error(400, *ASSERTION_ERRORS.get(p.code, ("invalid_grant", "invalid assertion")))
            org, app = self.client_of(claims["iss"])
            user = next((u for u in self.tenants[org]["users"] if u["Username"] == claims.get("sub")), None)
            if user is None or user["Username"] not in app["approved_users"]:
                return oauth_error(400, "invalid_grant", "user hasn't approved this consumer")
            token = self.issue_token(org, claims["iss"], ["api"], f"{org}!AQ", user=user["Id"])
        return json_response(200, {"access_token": token, "scope": "api", "instance_url": base,
                                   "id": f"{base}/id/{org}/{user['Id']}", "token_type": "Bearer",
                                   "issued_at": str(int(time.time() * 1000))})

    # --- REST query -----------------------------------------------------------------------
    def _data(self, req, version: str, resource: str, locator: str | None, offset: str | None) -> Response:
        scheme, _, token = req.header("authorization").partition(" ")
        with self.lock:
            info, bad = self.check_token(token.strip() if scheme.lower() in ("bearer", "oauth") else "")
        org = info["tenant"] if info else None

        def answer() -> Response:
            if bad:
                return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
            if not 20.0 <= float(version) <= 62.0:
                return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
            if locator is not None:
                return self._more(org, version, locator, int(offset))
            return self._query(req, org, version)
        return self.serve(req, "data", org, info["client"] if info else None, answer,
                          first_page=locator is None, limited=True)

    def _query(self, req, org: str, version: str) -> Response:
        text = req.arg("q")
        if not text:
            return sf_error(400, "MALFORMED_QUERY", "A query string has to be specified")
        try:
            q = soql.parse(text, sfgen.SCHEMAS)
        except soql.SoqlError as e:
            return sf_error(400, e.code, e.message)
        with self.lock:
            recs, _ = self.store.page((org, q.schema.name), q.range, q.desc, None, self.store.seq, time.time(),
                                      q.limit or MAX_ROWS)
        rows = [project(json.loads(r.body), q, version) for r in recs]
        batch = self._batch_size(req)
        locator = None
        if len(rows) > batch:
            locator = "01g5g" + secrets.token_hex(5).upper() + "AAA"
            with self.lock:
                self.locators[locator] = {"org": org, "rows": rows, "batch": batch, "at": time.time()}
                while len(self.locators) > MAX_LOCATORS:
                    self.locators.popitem(last=False)
        return self._page(version, locator, rows, 0, batch)

    def _more(self, org: str, version: str, locator: str, offset: int) -> Response:
        with self.lock:
            entry = self.locators.get(locator)
            fresh = entry is not None and time.time() - entry["at"] <= float(self.config["locator_ttl_s"])
        if not fresh or entry["org"] != org or not 0 < offset < len(entry["rows"]):
            return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(version, locator, entry["rows"], offset, entry["batch"])

    def _page(self, version: str, locator: str | None, rows: list, offset: int, batch: int) -> Response:
        end = offset + batch
        body = {"totalSize": len(rows), "done": end >= len(rows)}
        if end < len(rows):
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
        body["records"] = rows[offset:end]
        return json_response(200, body)

    def _batch_size(self, req) -> int:
        m = re.search(r"batchSize\s*=\s*(\d+)", req.header("sforce-query-options"))
        size = int(m.group(1)) if m else int(self.config["default_batch_size"])
        return max(200, min(2000, size))


def project(row: dict, q: soql.Query, version: str) -> dict:
    """The record as the query API returns it: attributes, then the selected fields in order."""
    out = {"attributes": {"type": q.schema.name, "url": f"/services/data/v{version}/sobjects/{q.schema.name}/{row['Id']}"}}
    for name in q.fields:
        rel, _, sub = name.rpartition(".")
        if not rel:
            out[name] = row.get(name)
            continue
        target = row.get(rel)
        if target is None:
            out[rel] = None
            continue
        kind = q.schema.relations[rel][0]
        nested = out.setdefault(rel, {"attributes": {"type": kind, "url": f"/services/data/v{version}/sobjects/"
                                                                          f"{kind}/{target['Id']}"}})
        nested[sub] = target.get(sub)
    return out


# --- control calls of this fake -----------------------------------------------------------
def add_org(app, body, args):
    org_id = str(body.get("org_id") or "00D5g" + secrets.token_hex(5).upper() + "EAA")
    domain = str(body.get("domain") or "acme.example")
    rng = random.Random(f"salesforce-users/{app.seed}/{org_id}")
    users = [dict(sfgen.user(rng, domain), Username=u, Email=u) for u in body.get("usernames") or [f"admin@{domain}"]]
    users += [sfgen.user(rng, domain) for _ in range(4)]
    with app.lock:
        app.tenants[org_id] = {"org_id": org_id, "domain": domain, "my_domain": domain.split(".")[0], "users": users,
                               "clients": {}}
    return {"org_id": org_id, "users": users, "login_url": app.base_url}


def add_connected_app(app, body, args):
    private, public = None, body.get("public_key_pem")
    if not public:
        private, public = new_key()
    serialization.load_pem_public_key(str(public).encode())  # ValueError (400) for a key that does not parse
    key = str(body.get("consumer_key") or "3MVG9" + secrets.token_urlsafe(60)[:80])
    with app.lock:
        org = saascontrol.tenant_of(app, {"tenant": body.get("org_id")})
        approved = body.get("approved_users") or [u["Username"] for u in app.tenants[org]["users"]]
        if not isinstance(approved, list):
            raise BadRequest("approved_users must be a list of usernames")
        entry = app.tenants[org]["clients"].setdefault(key, {"keys": {}, "approved_users": []})
        entry["keys"][f"cert-{len(entry['keys']) + 1}"] = public
        entry["approved_users"] = [str(u) for u in approved]
    out = {"consumer_key": key, "login_url": app.base_url, "token_url": f"{app.base_url}/services/oauth2/token"}
    if private:
        out["private_key"] = private
    return out


SalesforceFake.ROUTES = {("POST", "orgs"): add_org, ("POST", "connected-apps"): add_connected_app}


def main(argv=None) -> int:
    args = common_args("Fake Salesforce OAuth JWT bearer + REST query API").parse_args(argv)
    return serve(args, lambda a, port, stop: SalesforceFake(port, a.seed, a.state_file, stop))


if __name__ == "__main__":
    raise SystemExit(main())
