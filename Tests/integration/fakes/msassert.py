"""Certificate credentials of the Microsoft fake: the certificates registered on an app, and the
check of a `client_assertion` as Entra ID makes it ("Microsoft identity platform application
authentication certificate credentials").

The assertion is a JWS signed RS256 (or PS256) with the certificate's key; its header names the
certificate by `x5t` (base64url SHA-1 of the DER) and/or `x5t#S256` (SHA-256); `aud` is the token
endpoint, `iss` = `sub` = the client id, `exp` in the future, `nbf` (if any) not in the future.
Refusals carry the AADSTS codes and reasons Entra ID gives for the same mistakes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding

from . import jws

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLOCK_SKEW_S = 300
DOCS = "Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."


@dataclass(frozen=True)
class AppCertificate:
    """A certificate uploaded to an app registration (its keyCredentials)."""
    pem: str
    sha1: bytes
    sha256: bytes
    public_key: rsa.RSAPublicKey
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def load(cls, pem: str) -> AppCertificate:
        """ValueError unless `pem` is a PEM X.509 certificate with an RSA key."""
        try:
            cert = x509.load_pem_x509_certificate(pem.encode())
        except (ValueError, TypeError) as e:
            raise ValueError(f"certificate_pem is not a PEM X.509 certificate: {e}") from None
        if not isinstance(cert.public_key(), rsa.RSAPublicKey):
            raise ValueError("certificate_pem must hold an RSA key")
        der = cert.public_bytes(Encoding.DER)
        return cls(pem, hashlib.sha1(der).digest(), hashlib.sha256(der).digest(), cert.public_key(),
                   cert.not_valid_before_utc, cert.not_valid_after_utc)

    def found_key(self) -> str:
        fmt = "%m/%d/%Y %H:%M:%S"
        return f"Found key 'Start={self.start.strftime(fmt)}, End={self.end.strftime(fmt)}'"


class Rejected(Exception):
    """An assertion Entra ID would refuse: HTTP status, OAuth error, AADSTS code and message."""

    def __init__(self, code: int, message: str, status: int = 401, error: str = "invalid_client"):
        super().__init__(message)
        self.status, self.error, self.code, self.message = status, error, code, message


def check(assertion: str, certificates: list[AppCertificate], client_id: str, token_url: str,
          now: float | None = None) -> None:
    """Raises Rejected unless `assertion` authenticates `client_id` at `token_url`."""
    now = time.time() if now is None else now
    try:
        header, claims, signing_input, signature = jws.split(assertion)
    except ValueError:
        raise Rejected(50027, "Invalid JWT token. Token format not valid.") from None
    cert, thumbprint = _certificate(header, certificates, client_id)
    if now > cert.end.timestamp():
        raise Rejected(700027, f"Client assertion contains an invalid signature. [Reason - The key used is expired., "
                               f"Thumbprint of key used by client: '{thumbprint}', {cert.found_key()}]")
    if not jws.verifies(cert.public_key, header.get("alg"), signing_input, signature):
        raise Rejected(700027, "Client assertion contains an invalid signature. [Reason - Key was found, but use of "
                               f"the key to verify the signature failed., Thumbprint of key used by client: "
                               f"'{thumbprint}', {cert.found_key()}]")
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise Rejected(700021, f"Client assertion application identifier doesn't match 'client_id' parameter. {DOCS}")
    _check_audience(claims.get("aud"), token_url)
    _check_time(claims, now)


def _certificate(header: dict, certificates: list[AppCertificate], client_id: str) -> tuple[AppCertificate, str]:
    """The registered certificate the header's thumbprint(s) name, and the thumbprint as Entra prints it."""
    named = {"sha1": header.get("x5t"), "sha256": header.get("x5t#S256")}
    if not any(isinstance(v, str) and v for v in named.values()):
        raise Rejected(50027, "Invalid JWT token. No certificate thumbprint specified in token header.")
    wanted = {}
    for kind, value in named.items():
        if value is None:
            continue
        try:
            wanted[kind] = jws.b64url_decode(str(value))
        except ValueError:
            wanted[kind] = b""
    printed = next(iter(wanted.values())).hex().upper()
    for cert in certificates:
        if all(getattr(cert, kind) == digest for kind, digest in wanted.items()):
            return cert, printed
    raise Rejected(700027, "Client assertion contains an invalid signature. [Reason - The key was not found., "
                           f"Thumbprint of key used by client: '{printed}', Please visit the Azure Portal, Graph "
                           f"Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]")


def _check_audience(aud, token_url: str) -> None:
    audiences = aud if isinstance(aud, list) else [aud]
    if len(audiences) > 1:
        raise Rejected(5002741, f"Number of audience values in the provided client credential exceed maximum "
                                f"allowed. {len(audiences)} audience values provided, maximum allowed is 1.")
    if audiences[0] != token_url:
        raise Rejected(700023, f"Client assertion audience claim does not match Realm issuer. {DOCS}")


def _check_time(claims: dict, now: float) -> None:
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or not isinstance(nbf, (int, float)):
        raise Rejected(50027, "Invalid JWT token. Token format not valid.")
    if exp + CLOCK_SKEW_S <= now or nbf - CLOCK_SKEW_S > now:
        raise Rejected(700024, f"Client assertion is not within its valid time range. Current time: {_ticks(now)}, "
                               f"assertion valid from {_ticks(nbf)}, expiry time of assertion {_ticks(exp)}. {DOCS}")


def _ticks(seconds: float) -> str:
    """Entra's timestamps: seven fractional digits, Z."""
    when = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}0Z"
