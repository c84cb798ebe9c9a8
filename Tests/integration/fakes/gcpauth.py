"""Google OAuth 2.0 token endpoint for service accounts (JWT bearer grant, RFC 7523) and
bearer checks, as the Google fake needs them.

`POST /token` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`.
The assertion's RS256 signature is verified with the public key registered for the
account (the `kid` picks the key), then `iss`, `aud`, `scope`, `iat`/`exp` are checked.
Errors are Google's `{"error", "error_description"}` (400 `invalid_grant`, …).
Callers hold the app lock.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import jws
from .server import Response, json_response

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LOGGING_READ_SCOPES = {
    "https://www.googleapis.com/auth/logging.read", "https://www.googleapis.com/auth/logging.admin",
    "https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/cloud-platform.read-only",
}
MAX_ASSERTION_S = 3600
CLOCK_SKEW_S = 300
MAX_TOKENS = 20_000
NO_STORE = [("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"), ("Pragma", "no-cache")]


@dataclass
class ServiceAccount:
    email: str
    project: str
    keys: dict[str, str] = field(default_factory=dict)    # private_key_id -> public key PEM
    readable: list[str] = field(default_factory=list)     # projects whose logs it may list


@dataclass
class TokenInfo:
    email: str
    project: str
    scopes: list[str]
    exp: float


def new_key() -> tuple[str, str]:
    """(private PKCS#8 PEM, public PEM) of a fresh 2048-bit RSA key, like a downloaded JSON key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def key_json(token_uri: str, project: str, key_id: str, email: str, client_id: str, private: str | None) -> dict:
    """A service account's JSON key file as the Cloud console hands it out (with `private_key`
    only when the fake made the pair)."""
    key = {"type": "service_account", "project_id": project, "private_key_id": key_id, "client_email": email,
           "client_id": client_id, "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": token_uri,
           "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
           "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email.replace('@', '%40')}",
           "universe_domain": "googleapis.com"}
    if private:
        key["private_key"] = private
    return key


class GoogleAuth:
    def __init__(self):
        self.accounts: dict[str, ServiceAccount] = {}
        self.tokens: dict[str, TokenInfo] = {}
        self.lifetime_s = 3599

    # --- control side -------------------------------------------------------------------
    def register(self, email: str, project: str, key_id: str, public_pem: str, readable: list[str]) -> ServiceAccount:
        serialization.load_pem_public_key(public_pem.encode())  # refuse a key that does not parse
        sa = self.accounts.get(email)
        if sa is None:
            sa = self.accounts[email] = ServiceAccount(email, project, readable=[project])
        elif sa.project != project:
            raise ValueError(f"{email} belongs to project {sa.project}")
        sa.keys[key_id] = public_pem
        sa.readable = sorted(set(sa.readable) | set(readable))
        return sa

    def revoke(self, email: str | None = None) -> int:
        doomed = [t for t, i in self.tokens.items() if email is None or i.email == email]
        for t in doomed:
            del self.tokens[t]
        return len(doomed)

    def dump(self) -> dict:
        return {"accounts": {e: asdict(a) for e, a in self.accounts.items()},
                "tokens": {t: asdict(i) for t, i in self.tokens.items()}, "lifetime_s": self.lifetime_s}

    def load(self, d: dict) -> None:
        self.accounts = {e: ServiceAccount(**a) for e, a in d.get("accounts", {}).items()}
        self.tokens = {t: TokenInfo(**i) for t, i in d.get("tokens", {}).items()}
        self.lifetime_s = d.get("lifetime_s", 3599)

    # --- wire side ----------------------------------------------------------------------
    def token_request(self, method: str, content_type: str, body: bytes, token_url: str) -> tuple[Response, str | None]:
        """POST /token. Returns the response and the account e-mail the assertion named (if any)."""
        if method != "POST":
            return error(405, "invalid_request", f"HTTP method {method} is not supported by this URL"), None
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()} \
            if "x-www-form-urlencoded" in content_type.lower() else {}
        grant = form.get("grant_type")
        if not grant:
            return error(400, "invalid_request", "Missing required parameter: grant_type"), None
        if grant != GRANT:
            return error(400, "unsupported_grant_type", f"Invalid grant_type: {grant}"), None
        assertion = form.get("assertion")
        if not assertion:
            return error(400, "invalid_request", "Missing required parameter: assertion"), None
        try:
            header, claims, signing_input, signature = jws.split(assertion)
        except ValueError:
            return error(400, "invalid_grant", "Invalid JWT: Malformed token."), None
        email = claims.get("iss") if isinstance(claims.get("iss"), str) else None
        if header.get("alg") != "RS256":
            return error(400, "invalid_grant", "Invalid JWT Signature."), email
        sa = self.accounts.get(email or "")
        if sa is None:
            return error(400, "invalid_grant", "Invalid grant: account not found"), email
        kid = header.get("kid")
        candidates = [sa.keys[kid]] if kid in sa.keys else ([] if kid else list(sa.keys.values()))
        if not any(_verifies(pem, signing_input, signature) for pem in candidates):
            return error(400, "invalid_grant", "Invalid JWT Signature."), email
        if claims.get("aud") != token_url:
            return error(400, "invalid_grant",
                         f"Invalid JWT: Failed audience check. The right audience is {token_url}"), email
        iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
        if not (isinstance(iat, int) and isinstance(exp, int) and 0 < exp - iat <= MAX_ASSERTION_S
                and iat <= now + CLOCK_SKEW_S and exp >= now - CLOCK_SKEW_S):
            return error(400, "invalid_grant",
                         "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                         "Check your iat and exp values in the JWT claim."), email
        scope = claims.get("scope")
        if not isinstance(scope, str) or not scope.split():
            return error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided."), email
        return json_response(200, self._issue(sa, scope.split()), NO_STORE), email

    def _issue(self, sa: ServiceAccount, scopes: list[str]) -> dict:
        now = time.time()
        if len(self.tokens) >= MAX_TOKENS:  # bounded: drop expired first, then the oldest
            for k in [k for k, v in self.tokens.items() if v.exp <= now] or list(self.tokens)[: MAX_TOKENS // 10]:
                del self.tokens[k]
        token = "ya29.c." + secrets.token_urlsafe(96)
        self.tokens[token] = TokenInfo(sa.email, sa.project, scopes, now + self.lifetime_s)
        return {"access_token": token, "expires_in": self.lifetime_s, "token_type": "Bearer"}

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


def error(status: int, code: str, description: str) -> Response:
    return json_response(status, {"error": code, "error_description": description}, NO_STORE)


def _verifies(public_pem: str, signing_input: bytes, signature: bytes) -> bool:
    return jws.verifies(serialization.load_pem_public_key(public_pem.encode()), "RS256", signing_input, signature)
