"""Fake Slack Audit Logs API (Enterprise organizations) on one HTTPS port.

  GET /audit/v1/logs   Authorization: Bearer xoxp-... (an org owner's user token with auditlogs:read)
                       ?oldest=&latest= (unix seconds, both inclusive) &limit= (1..9999, default 100)
                       &cursor= &action=a,b &actor=<user id> &entity=<entity id>
                       -> {"entries": [...newest first...], "response_metadata": {"next_cursor": "..."}};
                       next_cursor is "" on the last page. The first page pins a snapshot: entries that
                       arrive later never shift an iteration under way.
  *   /_control/...    test control API (below and fakes/saascontrol.py)

Errors are {"ok": false, "error": "<code>"} with the HTTP status the Audit Logs API documents:
401 not_authed (no token) / invalid_auth (unknown or revoked) / token_expired, 403 missing_scope
(+ "needed", "provided") / not_allowed_token_type (a bot token) / feature_not_enabled (not an
Enterprise plan), 400 invalid_arguments (+ response_metadata.messages) / invalid_cursor, 429
ratelimited with Retry-After (seconds; Tier 3: config rate_limit, default 50 per 60 s for the whole
organization), 500 internal_error, 503 service_unavailable.

Control calls of this fake (the shared ones are in saascontrol.py; `tenant` = the enterprise id):
  POST enterprises  {"id"?: "E...", "name"?, "domain"?, "plan"?: "enterprise"} -> {"id", "name", "domain"}
  POST tokens       {"enterprise", "scopes"?: ["auditlogs:read"], "type"?: "user"|"bot"} -> {"token"}
                    (user tokens never expire unless POST tokens/expire says so)
Events: POST /_control/events {"tenant": enterprise id, "count", "start", "end"} (stream "logs").

Run: python3 -m fakes.slack --port 0 --cert-dir DIR [--seed N] [--state-file F] [--stream]
"""
from __future__ import annotations

import json
import math
import secrets

from . import saascontrol, slackgen
from .control import BadRequest
from .odata import TimeRange, decode_token, encode_token
from .saas import SaasFake
from .server import Response, common_args, json_response, serve

SCOPE = "auditlogs:read"
TEN_YEARS_S = 10 * 365 * 86_400
STATUS_OF = {"not_authed": 401, "invalid_auth": 401, "token_expired": 401, "missing_scope": 403,
             "not_allowed_token_type": 403, "feature_not_enabled": 403, "invalid_arguments": 400,
             "invalid_cursor": 400, "ratelimited": 429, "internal_error": 500, "service_unavailable": 503}


def slack_error(code: str, status: int | None = None, headers=None, **extra) -> Response:
    return json_response(status or STATUS_OF[code], {"ok": False, "error": code, **extra}, headers)


class SlackFake(SaasFake):
    NAME = "slack"
    STREAMS = ("logs",)
    CONFIG = {"rate_limit": {"requests": 50, "window_s": 60}, "default_limit": 100, "max_limit": 9999}
    FAULT_RETRY_AFTER = True

    # --- SaasFake hooks -------------------------------------------------------------------
    def generate(self, rng, ms, tenant, stream):
        return slackgen.entry(rng, ms, self.tenants[tenant])

    def event_id(self, event, stream):
        return event["id"]

    def event_ms(self, event, stream):
        return int(event["date_create"]) * 1000

    def fault_response(self, kind, status):
        code = {429: "ratelimited", 503: "service_unavailable"}.get(status, "internal_error")
        return slack_error(code, status)

    def throttled(self, kind, wait_s):
        return slack_error("ratelimited", headers=[("Retry-After", str(max(1, math.ceil(wait_s))))])

    # --- routing --------------------------------------------------------------------------
    def handle(self, req) -> Response:
        if req.path.startswith("/_control/"):
            return saascontrol.handle(self, req)
        if req.path == "/audit/v1/logs" and req.method == "GET":
            return self._logs(req)
        return json_response(404, {"ok": False, "error": "unknown_method"})

    def _logs(self, req) -> Response:
        scheme, _, token = req.header("authorization").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        with self.lock:
            info, bad = self.check_token(token)
            tenant = info["tenant"] if info else None
            problem = None
            if bad:
                problem = slack_error({"missing": "not_authed", "unknown": "invalid_auth",
                                       "expired": "token_expired"}[bad])
            elif info["type"] != "user":
                problem = slack_error("not_allowed_token_type")
            elif SCOPE not in info["scopes"]:
                problem = slack_error("missing_scope", needed=SCOPE, provided=",".join(info["scopes"]))
            elif self.tenants[tenant]["plan"] != "enterprise":
                problem = slack_error("feature_not_enabled")
        return self.serve(req, "data", tenant, info["client"] if info else None,
                          lambda: problem or self._list(req, tenant), stream="logs",
                          first_page=not req.arg("cursor"), limited=True)

    def _list(self, req, tenant: str) -> Response:
        try:
            q = self._query(req)
        except BadRequest as e:
            return slack_error("invalid_arguments", response_metadata={"messages": [f"[ERROR] {e}"]})
        except ValueError:
            return slack_error("invalid_cursor")
        actions, actor, entity = q["actions"], q["actor"], q["entity"]

        def pred(rec) -> bool:
            if not (actions or actor or entity):
                return True
            e = json.loads(rec.body)
            ent = e.get("entity", {})
            return ((not actions or e.get("action") in actions)
                    and (not actor or e.get("actor", {}).get("user", {}).get("id") == actor)
                    and (not entity or ent.get(ent.get("type"), {}).get("id") == entity))
        recs, nxt = self.page(tenant, "logs", q["range"], True, q["cursor"], q["limit"], pred)
        cursor = encode_token({**nxt, "v": 1, "h": q["hash"]}) if nxt else ""
        body = (b'{"entries":[' + b",".join(r.body for r in recs) + b'],"response_metadata":'
                + json.dumps({"next_cursor": cursor}).encode() + b"}")
        return Response(200, body, [("Content-Type", "application/json; charset=utf-8")])

    def _query(self, req) -> dict:
        def seconds(name: str):
            raw = req.arg(name)
            if raw in (None, ""):
                return None
            if not raw.isdigit():
                raise BadRequest(f"{name} must be a unix timestamp in seconds")
            return int(raw)
        oldest, latest = seconds("oldest"), seconds("latest")
        if oldest is not None and latest is not None and oldest > latest:
            raise BadRequest("oldest must not be after latest")
        raw_limit = req.arg("limit") or str(self.config["default_limit"])
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= int(self.config["max_limit"]):
            raise BadRequest(f"limit must be between 1 and {self.config['max_limit']}")
        filters = [req.arg("action") or "", req.arg("actor") or "", req.arg("entity") or ""]
        digest = "|".join([str(oldest), str(latest), *filters])
        cursor = None
        if req.arg("cursor"):
            cursor = decode_token(req.arg("cursor"))   # ValueError: invalid_cursor
            if cursor.get("h") != digest:
                raise ValueError("cursor from another query")
        rng = TimeRange(None if oldest is None else oldest * 1000, True,
                        None if latest is None else latest * 1000, True)
        return {"range": rng, "limit": int(raw_limit), "cursor": cursor, "hash": digest,
                "actions": set(filter(None, filters[0].split(","))), "actor": filters[1], "entity": filters[2]}


# --- control calls of this fake -----------------------------------------------------------
def add_enterprise(app, body, args):
    eid = str(body.get("id") or "E" + secrets.token_hex(5).upper())
    name = str(body.get("name") or "Acme Corp")
    domain = str(body.get("domain") or "acme")
    with app.lock:
        app.tenants[eid] = {"id": eid, "name": name, "domain": domain, "email_domain": f"{domain}.example.com",
                            "plan": str(body.get("plan") or "enterprise")}
    return {"id": eid, "name": name, "domain": domain}


def add_token(app, body, args):
    kind = str(body.get("type") or "user")
    if kind not in ("user", "bot"):
        raise BadRequest("type must be user or bot")
    scopes = body.get("scopes") or [SCOPE]
    if not isinstance(scopes, list):
        raise BadRequest("scopes must be a list")
    with app.lock:
        tenant = saascontrol.tenant_of(app, {"tenant": body.get("enterprise")})
        prefix = "xoxp-" if kind == "user" else "xoxb-"
        numbers = "-".join(str(secrets.randbelow(10**12)) for _ in range(3)) + "-"
        token = app.issue_token(tenant, f"{kind}-{len(app.tokens) + 1}", [str(s) for s in scopes], prefix + numbers,
                                lifetime_s=TEN_YEARS_S, type=kind)
    return {"token": token}


SlackFake.ROUTES = {("POST", "enterprises"): add_enterprise, ("POST", "tokens"): add_token}


def main(argv=None) -> int:
    args = common_args("Fake Slack Audit Logs API").parse_args(argv)
    return serve(args, lambda a, port, stop: SlackFake(port, a.seed, a.state_file, stop))


if __name__ == "__main__":
    raise SystemExit(main())
