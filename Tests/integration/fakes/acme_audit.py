"""A made-up audit API the connector engine has never seen ("Acme Audit"), for the fifth-connector
test (#13): a platform added by a declaration file alone. It deliberately differs from the four
SaaS APIs: HTTP basic auth, offset paging, unix-second times, records under `data.events`, and
a composite id (`ref.node` + `ref.seq`).

  GET /v2/audit/events?from=<unix s>&to=<unix s>&count=<1..200>&skip=<n>
      Authorization: Basic base64(account:key)
      -> {"data": {"events": [...oldest first]}, "total": records up to this page}   both bounds inclusive
      401 {"error": {"code": "unauthorized", "message": "unknown account or key"}}
      400 {"error": {"code": "bad_request", "message": "..."}}
  &paging=cursor: the page's offset travels as an opaque `cursor` instead ({"next": "<cursor>" | ""});
  &paging=link:   a `Link: <...&cursor=...>; rel="next"` header instead (none on the last page).
  config {"loop": true}: an API in a loop, handing out the same cursor / next link on every page.
  event: {"ref": {"node": "n1", "seq": 17}, "at": 1733306400, "who": {"login": "ada"}, "what": "file.read",
          "status": "OK" | "DENIED", "from_ip": "198.51.100.7", "app": "vault"}

Control (fakes/saascontrol.py, plus): POST accounts {"account"} -> {"account", "key"}.
Run: python3 -m fakes.acme_audit --port 0 --cert-dir DIR
"""
from __future__ import annotations

import base64
import binascii
import json
import secrets
from urllib.parse import parse_qsl, urlencode

from . import saascontrol
from .control import need
from .odata import TimeRange
from .saas import SaasFake
from .server import Response, common_args, json_response, serve

MAX_COUNT = 200


def acme_error(status: int, code: str, message: str):
    return json_response(status, {"error": {"code": code, "message": message}}, [])


class AcmeAuditFake(SaasFake):
    NAME = "acme"
    STREAMS = ("events",)
    CONFIG = {"loop": False}

    def generate(self, rng, ms, tenant, stream):
        return {"ref": {"node": rng.choice(["n1", "n2", "n3"]), "seq": rng.randrange(1, 10**9)},
                "at": ms // 1000, "who": {"login": rng.choice(["ada", "grace", "linus", ""])},
                "what": rng.choice(["file.read", "file.write", "login", "key.rotate"]),
                "status": rng.choice(["OK", "OK", "DENIED"]),
                "from_ip": f"198.51.100.{rng.randrange(1, 255)}", "app": rng.choice(["vault", "portal"])}

    def event_id(self, event, stream):
        return f"{event['ref']['node']}|{event['ref']['seq']}"

    def event_ms(self, event, stream):
        return int(event["at"]) * 1000

    def fault_response(self, kind, status):
        return acme_error(status, "injected", "injected fault")

    def throttled(self, kind, wait_s):
        return acme_error(429, "slow_down", "too many requests")

    def handle(self, req):
        if req.path.startswith("/_control/"):
            return saascontrol.handle(self, req)
        if req.path != "/v2/audit/events":
            return acme_error(404, "not_found", req.path)
        account = self._account(req.header("authorization"))
        first = (req.arg("skip") or "0") == "0" and req.arg("cursor") is None
        return self.serve(req, "data", account, None,
                          lambda: self._events(req, account) if account else acme_error(401, "unauthorized", "unknown account or key"),
                          stream="events", first_page=first, limited=True)

    def _account(self, header: str) -> str | None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            account, _, key = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        with self.lock:
            return account if key and key in self.tenants.get(account, {}).get("keys", ()) else None

    def _events(self, req, account: str):
        try:
            lo, hi = int(req.arg("from")), int(req.arg("to"))
            count, skip = int(req.arg("count") or 50), int(req.arg("skip") or 0)
            if req.arg("cursor") is not None:
                skip = int(base64.urlsafe_b64decode(req.arg("cursor").encode()).decode().removeprefix("at-"))
        except (TypeError, ValueError, binascii.Error, UnicodeDecodeError):
            return acme_error(400, "bad_request", "from, to, count and skip must be integers")
        if not 1 <= count <= MAX_COUNT or skip < 0 or hi < lo:
            return acme_error(400, "bad_request", f"count must be 1..{MAX_COUNT}, skip >= 0, to >= from")
        recs, _ = self.page(account, "events", TimeRange(lo * 1000, True, hi * 1000 + 999, True), False, None,
                            skip + count + 1, snapshot=False)  # one more: is there a next page?
        more = skip + count < len(recs)
        # In a loop, the API keeps answering with the cursor of its second page.
        after = count if self.config["loop"] else skip + count
        cursor = base64.urlsafe_b64encode(f"at-{after}".encode()).decode() if more or self.config["loop"] else ""
        body = b'{"data":{"events":[' + b",".join(r.body for r in recs[skip:skip + count]) + b']},"total":' \
            + str(min(len(recs), skip + count)).encode()
        headers = [("Content-Type", "application/json")]
        if req.arg("paging") == "cursor":
            body += b',"next":' + json.dumps(cursor).encode()
        elif req.arg("paging") == "link" and cursor:
            query = [(k, v) for k, v in parse_qsl(req.raw_query, keep_blank_values=True) if k != "cursor"]
            headers.append(("Link", f'<https://{req.host}{req.path}?{urlencode(query + [("cursor", cursor)])}>; rel="next"'))
        return Response(200, body + b"}", headers)


def add_account(app, body, args):
    (account,) = need(body, "account")
    key = secrets.token_urlsafe(24)
    with app.lock:
        app.tenants.setdefault(str(account), {"keys": []})["keys"].append(key)
    return {"account": account, "key": key}


AcmeAuditFake.ROUTES = {("POST", "accounts"): add_account}


def main(argv=None) -> int:
    args = common_args("Fake Acme Audit API (a connector the engine has never seen)").parse_args(argv)
    return serve(args, lambda a, port, stop: AcmeAuditFake(port, a.seed, a.state_file, stop))


if __name__ == "__main__":
    raise SystemExit(main())
