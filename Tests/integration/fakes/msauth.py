"""Microsoft identity platform v2.0 client-credentials token endpoint, and bearer checks.

Apps authenticate with a client secret or a certificate's client assertion (msassert.py).
Errors mirror the real AADSTS JSON: {"error", "error_description": "AADSTSnnn: ...\\r\\nTrace ID...",
"error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}.  Tokens look like JWTs
(so a client may read `exp`), but the fake validates them by lookup, which is what lets the
control API revoke them all at once.  Callers hold the app lock.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qs

from . import msassert
from .jws import b64url_encode
from .server import Response, json_response

GRAPH, MANAGEMENT = "graph", "management"
# Resource identifiers a client-credentials scope may name (everything before "/.default").
RESOURCES = {
    "https://graph.microsoft.com": (GRAPH, "https://graph.microsoft.com"),
    "00000003-0000-0000-c000-000000000000": (GRAPH, "https://graph.microsoft.com"),
    "https://management.azure.com": (MANAGEMENT, "https://management.azure.com/"),
    "https://management.core.windows.net": (MANAGEMENT, "https://management.core.windows.net/"),
}
MAX_TOKENS = 20_000


@dataclass
class App:
    """An app registration's credentials: a secret and/or certificates (PEM), as Entra allows both."""
    secret: str | None = None
    certificates: list[str] = field(default_factory=list)


@dataclass
class TokenInfo:
    tenant: str
    client_id: str
    audience: str      # GRAPH | MANAGEMENT
    aud: str           # the aud claim
    exp: float
    iat: float


class Identity:
    def __init__(self, signing_key: bytes):
        self.apps: dict[tuple[str, str], App] = {}      # (tenant, client_id) -> credentials
        self.tokens: dict[str, TokenInfo] = {}
        self.lifetime_s = 3599
        self._key = signing_key
        # Extra resource ids this fake answers for, as a national cloud or a proxy
        # in front of Graph would be named: resource id -> (audience, aud claim).
        self.resources: dict[str, tuple[str, str]] = {}

    # --- control side -------------------------------------------------------------------
    def tenants(self) -> set[str]:
        return {t for t, _ in self.apps}

    def register(self, tenant: str, client_id: str, secret: str | None = None,
                 certificates: list[str] | None = None) -> None:
        """Adds the app, or replaces the kinds of credential given (rotation). ValueError for a bad certificate."""
        checked = [msassert.AppCertificate.load(pem).pem for pem in certificates or []]
        app = self.apps.setdefault((tenant, client_id), App())
        if secret is not None:
            app.secret = secret
        if certificates is not None:
            app.certificates = checked

    def add_resource(self, resource: str, audience: str) -> None:
        if audience not in (GRAPH, MANAGEMENT):
            raise ValueError(f"audience must be {GRAPH!r} or {MANAGEMENT!r}")
        self.resources[resource.rstrip("/")] = (audience, resource.rstrip("/"))

    def revoke(self, tenant: str | None = None, client_id: str | None = None) -> int:
        doomed = [t for t, i in self.tokens.items()
                  if (tenant is None or i.tenant == tenant) and (client_id is None or i.client_id == client_id)]
        for t in doomed:
            del self.tokens[t]
        return len(doomed)

    def dump(self) -> dict:
        return {"apps": [[t, c, a.secret, a.certificates] for (t, c), a in self.apps.items()],
                "lifetime_s": self.lifetime_s,
                "tokens": {k: asdict(v) for k, v in self.tokens.items()}}

    def load(self, d: dict) -> None:
        # State files written before certificates hold [tenant, client_id, secret].
        self.apps = {(a[0], a[1]): App(a[2], list(a[3]) if len(a) > 3 else []) for a in d.get("apps", [])}
        self.lifetime_s = d.get("lifetime_s", 3599)
        self.tokens = {k: TokenInfo(**v) for k, v in d.get("tokens", {}).items()}

    # --- wire side ----------------------------------------------------------------------
    def token_request(self, tenant: str, method: str, content_type: str, body: bytes,
                      corr: str, token_url: str) -> tuple[Response, str | None]:
        """Handle POST /{tenant}/oauth2/v2.0/token (`token_url`, a client assertion's audience).
        Returns the response and the client id seen."""
        if method != "POST":
            return aad_error(400, "invalid_request", 900561,
                             f"The endpoint only accepts POST, OPTIONS requests. Received a {method} request.", corr), None
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()} \
            if "x-www-form-urlencoded" in content_type.lower() else {}
        client_id = form.get("client_id")
        if tenant not in self.tenants():
            return aad_error(400, "invalid_request", 90002,
                             f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
                             "signing into the correct cloud. Check with your subscription administrator, this may "
                             "happen if there are no active subscriptions for the tenant.", corr), client_id
        for name in ("grant_type", "client_id"):
            if not form.get(name):
                return missing_param(name, corr), client_id
        if form["grant_type"] != "client_credentials":
            return aad_error(400, "unsupported_grant_type", 70003,
                             "The app requested an unsupported grant type ...", corr), client_id
        app = self.apps.get((tenant, client_id))
        if app is None:
            return aad_error(400, "unauthorized_client", 700016,
                             f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. "
                             "This can happen if the application has not been installed by the administrator of the "
                             "tenant or consented to by any user in the tenant. You may have sent your authentication "
                             "request to the wrong tenant.", corr), client_id
        refused = _authenticate(app, form, client_id, token_url, corr)
        if refused:
            return refused, client_id
        if not form.get("scope"):
            return missing_param("scope", corr), client_id
        resource, err = _resource_of(form["scope"], tenant, corr, self.resources)
        if err:
            return err, client_id
        audience, aud = resource
        return json_response(200, self._issue(tenant, client_id, audience, aud), AAD_HEADERS), client_id

    def _issue(self, tenant: str, client_id: str, audience: str, aud: str) -> dict:
        now = time.time()
        if len(self.tokens) >= MAX_TOKENS:  # bounded: drop expired first, then the oldest
            for k in [k for k, v in self.tokens.items() if v.exp <= now] or list(self.tokens)[: MAX_TOKENS // 10]:
                del self.tokens[k]
        info = TokenInfo(tenant, client_id, audience, aud, now + self.lifetime_s, now)
        claims = {"aud": aud, "iss": f"https://sts.windows.net/{tenant}/", "iat": int(now), "nbf": int(now),
                  "exp": int(info.exp), "appid": client_id, "tid": tenant, "idtyp": "app", "ver": "1.0",
                  "roles": ["AuditLog.Read.All", "Directory.Read.All", "IdentityRiskEvent.Read.All"],
                  "uti": uuid.uuid4().hex[:22]}
        token = _jwt(claims, self._key)
        self.tokens[token] = info
        return {"token_type": "Bearer", "expires_in": self.lifetime_s, "ext_expires_in": self.lifetime_s,
                "access_token": token}

    def check_bearer(self, auth_header: str) -> tuple[TokenInfo | None, str]:
        """(info, problem) with problem in "", "missing", "unknown", "expired"."""
        scheme, _, token = auth_header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, "missing"
        info = self.tokens.get(token.strip())
        if info is None:
            return None, "unknown"
        if info.exp <= time.time():
            return info, "expired"
        return info, ""


def _authenticate(app: App, form: dict, client_id: str, token_url: str, corr: str) -> Response | None:
    """None when the request proves it is the app, by client assertion or secret; else the refusal."""
    if form.get("client_assertion") or form.get("client_assertion_type"):
        for name in ("client_assertion_type", "client_assertion"):
            if not form.get(name):
                return missing_param(name, corr)
        if form["client_assertion_type"] != msassert.ASSERTION_TYPE:
            # The fake's guess: the docs name only the jwt-bearer type.
            return aad_error(401, "invalid_client", 50027,
                             "Invalid JWT token. The client_assertion_type is not supported.", corr)
        certificates = [msassert.AppCertificate.load(pem) for pem in app.certificates]
        try:
            msassert.check(form["client_assertion"], certificates, client_id, token_url)
        except msassert.Rejected as r:
            return aad_error(r.status, r.error, r.code, r.message, corr)
        return None
    if not form.get("client_secret"):
        return aad_error(401, "invalid_client", 7000218,
                         "The request body must contain the following parameter: 'client_assertion' or "
                         "'client_secret'.", corr)
    if app.secret is None or not hmac.compare_digest(form["client_secret"].encode(), app.secret.encode()):
        return aad_error(401, "invalid_client", 7000215,
                         "Invalid client secret provided. Ensure the secret being sent in the request is the "
                         f"client secret value, not the client secret ID, for a secret added to app '{client_id}'.",
                         corr)
    return None


AAD_HEADERS = [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache")]


def aad_error(status: int, error: str, code: int, msg: str, corr: str) -> Response:
    trace = str(uuid.uuid4())
    ts = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    return json_response(status, {
        "error": error,
        "error_description": f"AADSTS{code}: {msg}\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {ts}",
        "error_codes": [code], "timestamp": ts, "trace_id": trace, "correlation_id": corr,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }, AAD_HEADERS)


def missing_param(name: str, corr: str) -> Response:
    return aad_error(400, "invalid_request", 900144,
                     f"The request body must contain the following parameter: '{name}'.", corr)


def _resource_of(scope: str, tenant: str, corr: str, extra: dict | None = None):
    known = dict(RESOURCES, **(extra or {}))
    found = set()
    for s in scope.split():
        if not s.endswith("/.default"):
            return None, aad_error(400, "invalid_scope", 1002012,
                                   f"The provided value for scope {scope} is not valid. Client credential flows must "
                                   "have a scope value with /.default suffixed to the resource identifier "
                                   "(application ID URI).", corr)
        res = s[: -len("/.default")].rstrip("/")
        if res not in known:
            return None, aad_error(400, "invalid_resource", 500011,
                                   f"The resource principal named {res} was not found in the tenant named {tenant}. "
                                   "This can happen if the application has not been installed by the administrator "
                                   "of the tenant or consented to by any user in the tenant. You might have sent "
                                   "your authentication request to the wrong tenant.", corr)
        found.add(known[res])
    if len(found) != 1:
        return None, aad_error(400, "invalid_scope", 70011,
                               f"The provided request must include a 'scope' input parameter. The provided value for "
                               f"the input parameter 'scope' is not valid. The scope {scope} is not valid.", corr)
    return found.pop(), None


def _jwt(claims: dict, key: bytes) -> str:
    head = b64url_encode(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    body = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    sig = b64url_encode(hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"
