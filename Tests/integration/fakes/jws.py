"""JWS compact serialization, as the fakes' token endpoints read client-signed JWTs:
split into header, claims and signature, and verify RS256 / PS256 with a public key.
"""
from __future__ import annotations

import base64
import binascii
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# RS256 is RSASSA-PKCS1-v1_5, PS256 RSASSA-PSS with MGF1 and a salt as long as the hash (RFC 7518 §3.3, §3.5).
PADDINGS = {
    "RS256": lambda: padding.PKCS1v15(),
    "PS256": lambda: padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
}


def b64url_decode(text: str) -> bytes:
    """Unpadded base64url; ValueError for anything else."""
    if not text or any(c in text for c in "+/="):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def split(jwt: str) -> tuple[dict, dict, bytes, bytes]:
    """(header, claims, signing input, signature); ValueError when it is not a JWS with JSON objects."""
    parts = jwt.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWS compact serialization")
    try:
        header, claims = json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("header or claims are not JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("header or claims are not objects")
    # An empty signature (alg "none") is a signature that does not verify, not a malformed token.
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), b64url_decode(parts[2]) if parts[2] else b""


def verifies(public_key, alg: str, signing_input: bytes, signature: bytes) -> bool:
    """Whether `signature` is `alg` (RS256 or PS256) over `signing_input` by `public_key`'s private key."""
    if alg not in PADDINGS or not isinstance(public_key, rsa.RSAPublicKey):
        return False
    try:
        public_key.verify(signature, signing_input, PADDINGS[alg](), hashes.SHA256())
        return True
    except InvalidSignature:
        return False
