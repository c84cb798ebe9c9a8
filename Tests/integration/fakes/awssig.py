"""SigV4 verification the way an AWS front end does it, for the fake CloudTrail.

The signature is recomputed with botocore's `SigV4Auth` (the AWS SDK's own canonicalization)
over exactly the headers the client listed in `SignedHeaders`, then compared in constant time.
Everything AWS checks first is checked here too, in AWS's order and with AWS's error codes and
messages: the Authorization header's shape, X-Amz-Date (present, well formed, within 5 minutes),
the access key, the credential scope (date, region, service, terminator), the session token of
temporary keys, and finally the signature. All these errors are HTTP 400 for JSON 1.1 services.
"""
from __future__ import annotations

import calendar
import hmac
import time
from dataclasses import dataclass, field

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
AMZ_DATE = "%Y%m%dT%H%M%SZ"


class AWSError(Exception):
    """An AWS JSON 1.1 error: `{"__type": code, "message": message}` with `status`."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass
class AccessKey:
    access_key_id: str
    secret: str
    account: str
    user_name: str
    session_token: str | None = None   # temporary (ASIA…) keys must send it
    expires_at: float | None = None    # wall seconds; temporary keys only
    allowed: bool = True               # False: cloudtrail:LookupEvents is denied

    @property
    def arn(self) -> str:
        if self.session_token:
            return f"arn:aws:sts::{self.account}:assumed-role/SiemReader/{self.user_name}"
        return f"arn:aws:iam::{self.account}:user/{self.user_name}"


@dataclass
class Verified:
    key: AccessKey
    region: str
    amz_date: str


@dataclass
class _Parsed:
    access_key_id: str = ""
    scope: list[str] = field(default_factory=list)
    signed_headers: list[str] = field(default_factory=list)
    signature: str = ""


class _ListedHeaders(SigV4Auth):
    """botocore's canonical request, over the client's SignedHeaders list (not botocore's own
    choice of headers): a server verifies what the client says it signed."""

    def __init__(self, credentials, service, region, names: list[str]):
        super().__init__(credentials, service, region)
        self._names = names

    def headers_to_sign(self, request):
        out = HTTPHeaders()
        for name in self._names:
            out[name] = request.headers.get(name, "")
        return out


def parse_authorization(value: str) -> _Parsed:
    if not value:
        raise AWSError(400, "MissingAuthenticationTokenException", "Missing Authentication Token")
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AWSError(400, "IncompleteSignatureException", f"Unsupported AWS 'algorithm': '{algorithm}'")
    parts = {}
    for item in rest.split(","):
        name, eq, val = item.strip().partition("=")
        if eq:
            parts[name] = val
    missing = [p for p in ("Credential", "Signature", "SignedHeaders") if p not in parts]
    if missing:
        raise AWSError(400, "IncompleteSignatureException", " ".join(
            f"Authorization header requires '{p}' parameter." for p in missing) + f" Authorization={value}")
    scope = parts["Credential"].split("/")
    if len(scope) != 5:
        raise AWSError(400, "IncompleteSignatureException",
                       f"Credential should have five parts separated by '/': '{parts['Credential']}'")
    return _Parsed(scope[0], scope[1:], [h for h in parts["SignedHeaders"].split(";") if h], parts["Signature"])


def verify(req, keys: dict[str, AccessKey], regions: set[str], service: str,
           max_skew_s: float = 300.0, now: float | None = None) -> Verified:
    """The caller of `req` (a fakes.server.Request), or AWSError exactly as AWS would answer."""
    now = time.time() if now is None else now
    p = parse_authorization(req.header("authorization"))
    amz_date = req.header("x-amz-date")
    if not amz_date:
        raise AWSError(400, "IncompleteSignatureException",
                       "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    try:
        signed_at = calendar.timegm(time.strptime(amz_date, AMZ_DATE))
    except ValueError:
        raise AWSError(400, "IncompleteSignatureException",
                       f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'.") from None
    fmt = lambda t: time.strftime(AMZ_DATE, time.gmtime(t))  # noqa: E731
    if signed_at < now - max_skew_s:
        raise AWSError(400, "InvalidSignatureException", f"Signature expired: {amz_date} is now earlier than "
                       f"{fmt(now - max_skew_s)} ({fmt(now)} - {max_skew_s / 60:g} min.)")
    if signed_at > now + max_skew_s:
        raise AWSError(400, "InvalidSignatureException", f"Signature not yet current: {amz_date} is still later "
                       f"than {fmt(now + max_skew_s)} ({fmt(now)} + {max_skew_s / 60:g} min.)")
    key = keys.get(p.access_key_id)
    if key is None:
        raise AWSError(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
    day, region, svc, terminator = p.scope
    if day != amz_date[:8]:
        raise AWSError(400, "InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from "
                       f"ISO-8601 version of date from HTTP: '{day}' != '{amz_date[:8]}', from '{amz_date}'.")
    if region not in regions:
        raise AWSError(400, "InvalidSignatureException", f"Credential should be scoped to a valid region, not '{region}'. ")
    if svc != service:
        raise AWSError(400, "InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'. ")
    if terminator != "aws4_request":
        raise AWSError(400, "InvalidSignatureException",
                       f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. ")
    for needed in ("host", "x-amz-date"):
        if needed not in p.signed_headers:
            raise AWSError(400, "InvalidSignatureException",
                           f"'{needed.title()}' must be a 'SignedHeader' in the AWS Authorization.")
    token = req.header("x-amz-security-token") or None
    if token != key.session_token:
        raise AWSError(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
    if key.expires_at is not None and key.expires_at <= now:
        raise AWSError(400, "ExpiredTokenException", "The security token included in the request is expired")

    query = f"?{req.raw_query}" if req.raw_query else ""
    signed = {name: req.header(name) for name in p.signed_headers}
    areq = AWSRequest(method=req.method, url=f"https://{req.host}{req.path}{query}", data=req.body, headers=signed)
    areq.context["timestamp"] = amz_date
    signer = _ListedHeaders(Credentials(key.access_key_id, key.secret, key.session_token), service, region,
                            p.signed_headers)
    canonical = signer.canonical_request(areq)
    to_sign = signer.string_to_sign(areq, canonical)
    expected = signer.signature(to_sign, areq)
    if not hmac.compare_digest(expected, p.signature):
        # AWS appends both strings; the canonical one includes x-amz-security-token when signed.
        raise AWSError(400, "InvalidSignatureException",
                       "The request signature we calculated does not match the signature you provided. Check your "
                       "AWS Secret Access Key and signing method. Consult the service documentation for details."
                       f"\n\nThe Canonical String for this request should have been\n'{canonical}'\n\n"
                       f"The String-to-Sign should have been\n'{to_sign}'\n")
    return Verified(key, region, amz_date)
