"""Azure Monitor activity log on the Microsoft fake:
GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=...

Answers {"value": [EventData...], "nextLink": "...$skipToken=..."} (nextLink absent on the last
page), with ARM-shaped errors {"error": {"code", "message"}}.  Shares the snapshot paging of
the Graph lists through the app's cursor helpers.
"""
from __future__ import annotations

import json
import re
import time
import uuid

from .msauth import MANAGEMENT
from .odata import FilterError, parse_filter
from .server import Response, json_response

PATH = re.compile(r"^/subscriptions/([^/]+)/providers/microsoft\.insights/eventtypes/management/values/?$",
                  re.IGNORECASE)
API_VERSIONS = ("2015-04-01",)
# Equality clauses the docs allow next to the time range; eventChannels is accepted and ignored.
EQ_FIELDS = {"resourceGroupName", "resourceUri", "resourceProvider", "correlationId", "eventChannels"}


def handle(app, req, subscription: str) -> Response:
    """Logged, fault-injectable entry point; the tenant is the one owning the subscription."""
    with app.lock:
        info, problem = app.identity.check_bearer(req.header("authorization"))
        sub_tenant = app.subscriptions.get(subscription.lower())
    tenant, client = (info.tenant, info.client_id) if info else (None, None)
    first = arg_ci(req, "$skiptoken") is None
    return app._serve(req, "arm", sub_tenant or tenant, client, "activityLogs", first,
                      lambda: _list(app, req, subscription.lower(), sub_tenant, info, problem))


def _list(app, req, sub: str, sub_tenant: str | None, info, problem: str) -> Response:
    if req.method != "GET":
        return error(405, "MethodNotAllowed", "The requested resource does not support http method "
                     f"'{req.method}'.")
    if problem == "missing":
        return error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
    if problem == "unknown":
        return error(401, "InvalidAuthenticationToken", "The access token is invalid.")
    if problem == "expired":
        now = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime())
        exp = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(info.exp))
        return error(401, "ExpiredAuthenticationToken",
                     f"The access token expiry UTC time '{exp}' is earlier than current UTC time '{now}'.")
    if info.audience != MANAGEMENT:
        return error(401, "InvalidAuthenticationTokenAudience",
                     f"The access token has been obtained for wrong audience or resource '{info.aud}'. It "
                     "should exactly match with one of the allowed audiences 'https://management.core.windows.net/',"
                     "'https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.")
    if sub_tenant is None:
        return error(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.")
    if sub_tenant != info.tenant:
        return error(401, "InvalidAuthenticationTokenTenant",
                     f"The access token is from the wrong issuer 'https://sts.windows.net/{info.tenant}/'. It must "
                     f"match the tenant 'https://sts.windows.net/{sub_tenant}/' associated with this subscription.")
    version = req.arg("api-version")
    if not version:
        return error(400, "MissingApiVersionParameter",
                     "The api-version query parameter (?api-version=) is required for all requests.")
    if version not in API_VERSIONS:
        return error(400, "InvalidApiVersionParameter",
                     f"The api-version '{version}' is invalid. The supported versions are '{API_VERSIONS[0]}'.")
    try:
        cursor, eqs = _cursor(app, req, sub, sub_tenant)
    except (FilterError, ValueError) as e:
        return error(400, "BadRequest", str(e))
    pred = _predicate(eqs)
    with app.lock:
        recs, more = app.store.page((sub_tenant, "activityLogs", sub), cursor["rng"], cursor["d"], cursor["k"],
                                    cursor["q"], cursor["w"], cursor["n"], pred)
    next_tok = app._next_token(cursor, recs, more)
    body = b'{"value":[' + b",".join(r.body for r in recs) + b"]"
    if next_tok:
        link = app._next_link(req, app._base(req), req.path, next_tok, "$skipToken")
        body += b',"nextLink":' + json.dumps(link).encode()
    return Response(200, body + b"}", [("Content-Type", "application/json; charset=utf-8"),
                                       ("x-ms-request-id", str(uuid.uuid4())),
                                       ("x-ms-ratelimit-remaining-subscription-reads", "11999")])


def _cursor(app, req, sub: str, tenant: str):
    tok = arg_ci(req, "$skiptoken")
    flt = req.arg("$filter")
    if tok is not None:
        c = app._resume(tok, "activityLogs", tenant)
        return c, c.get("eq") or {}
    if not flt:
        raise ValueError("The $filter query parameter is required and must contain at least "
                     "'eventTimestamp ge <start time>'.")
    rng, eqs = parse_filter(flt, "eventTimestamp", frozenset({"ge", "le"}), quoted_time=True,
                            extra_eq_fields=EQ_FIELDS)
    if rng.lo is None:
        raise ValueError("The $filter must contain 'eventTimestamp ge <start time>'.")
    with app.lock:
        snap = (app.store.seq, time.time())
    eqs = {k: v for k, v in eqs.items() if k != "eventChannels"}  # channel filter: all are "Operation"
    c = {"st": "activityLogs", "t": tenant, "rng": rng, "d": app.config["default_order"] == "desc", "k": None,
         "q": snap[0], "w": snap[1], "n": int(app.config["activity_page_size"]), "sel": None, "e": 0, "eq": eqs}
    return c, eqs


def error(status: int, code: str, message: str, headers=None) -> Response:
    return json_response(status, {"error": {"code": code, "message": message}},
                         [("x-ms-failure-cause", "gateway"), *(headers or [])])


def arg_ci(req, name: str) -> str | None:
    """Query argument by case-insensitive name ($skiptoken vs ARM's $skipToken)."""
    for k, v in req.query.items():
        if k.lower() == name:
            return v[-1]
    return None


def _predicate(eqs: dict):
    if not eqs:
        return None

    def get(obj: dict, field: str):
        if field == "resourceUri":
            return obj.get("resourceId")
        if field == "resourceProvider":
            return (obj.get("resourceProviderName") or {}).get("value")
        return obj.get(field)

    def pred(rec) -> bool:
        obj = json.loads(rec.body)
        return all(str(get(obj, f) or "").lower() == v.lower() for f, v in eqs.items())
    return pred
