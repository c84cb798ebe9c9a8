"""RS256 JWT assertions as the Okta and Salesforce token endpoints check them (private_key_jwt
client authentication and the JWT-bearer grant): signature against the caller's registered
public keys, audience, expiry. Each fake maps the problem codes to its own error text.
"""
from __future__ import annotations

import time

from cryptography.hazmat.primitives import serialization

from . import jws


class AssertionProblem(ValueError):
    """code: malformed | unknown_issuer | algorithm | signature | audience | expired | too_far"""

    def __init__(self, code: str, claims: dict | None = None):
        super().__init__(code)
        self.code = code
        self.claims = claims or {}


def check_assertion(assertion: str, keys_for, audience: str, max_future_s: float, skew_s: float = 300) -> dict:
    """The claims of `assertion` once verified. `keys_for(header, claims)` answers the public key
    PEMs of the issuer it names ({} when the issuer is unknown, None for "unknown issuer")."""
    try:
        header, claims, signing_input, signature = jws.split(assertion)
    except ValueError:
        raise AssertionProblem("malformed") from None
    pems = keys_for(header, claims)
    if pems is None:
        raise AssertionProblem("unknown_issuer", claims)
    if header.get("alg") != "RS256":
        raise AssertionProblem("algorithm", claims)
    if not any(jws.verifies(serialization.load_pem_public_key(p.encode()), "RS256", signing_input, signature)
               for p in pems):
        raise AssertionProblem("signature", claims)
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and aud == [audience]):
        raise AssertionProblem("audience", claims)
    exp, now = claims.get("exp"), time.time()
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or exp < now - skew_s:
        raise AssertionProblem("expired", claims)
    if exp > now + max_future_s + skew_s:
        raise AssertionProblem("too_far", claims)
    return claims


def unverified_claims(assertion: str) -> dict:
    """The claims of a JWT without any check, to attribute a request in the log."""
    try:
        return jws.split(assertion)[1]
    except ValueError:
        return {}
