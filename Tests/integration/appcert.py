"""App-registration certificates for the tests: a key pair and a self-signed certificate (what
`openssl req -x509` gives an operator), their thumbprints, and client assertions signed the way
MSAL signs them, to exercise the Microsoft fake directly."""
from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from dataclasses import dataclass

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from fakes.jws import b64url_encode


@dataclass
class AppCert:
    key: rsa.RSAPrivateKey
    cert_pem: str
    key_pem: str          # PKCS#8, "BEGIN PRIVATE KEY"
    key_pem_pkcs1: str    # "BEGIN RSA PRIVATE KEY"
    x5t: str              # base64url SHA-1 of the DER certificate
    x5t_s256: str         # base64url SHA-256

    def credentials(self, tenant: str, client_id: str, pkcs1: bool = False) -> dict:
        """A source's `api_credentials_json` with this certificate."""
        return {"tenant_id": tenant, "client_id": client_id, "certificate_pem": self.cert_pem,
                "private_key_pem": self.key_pem_pkcs1 if pkcs1 else self.key_pem}


def make(cn: str = "siem-collector", days: int = 365, key: rsa.RSAPrivateKey | None = None,
         not_before: dt.datetime | None = None) -> AppCert:
    """A self-signed certificate valid from `not_before` (default an hour ago) for `days`."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = not_before or dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)

    def key_text(fmt):
        return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()
    return AppCert(key, cert.public_bytes(serialization.Encoding.PEM).decode(),
                   key_text(serialization.PrivateFormat.PKCS8), key_text(serialization.PrivateFormat.TraditionalOpenSSL),
                   b64url_encode(hashlib.sha1(der).digest()), b64url_encode(hashlib.sha256(der).digest()))


def assertion(cert: AppCert, client_id: str, aud, *, alg: str = "RS256", thumbprints=("x5t",),
              signer: rsa.RSAPrivateKey | None = None, now: float | None = None, lifetime: int = 600,
              **claims) -> str:
    """A client assertion for `client_id` at token endpoint `aud`; keyword claims override or (None) drop."""
    now = int(time.time() if now is None else now)
    headers = {"x5t": cert.x5t, "x5t#S256": cert.x5t_s256}
    payload = {"aud": aud, "iss": client_id, "sub": client_id, "jti": str(uuid.uuid4()),
               "nbf": now, "iat": now, "exp": now + lifetime, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, signer or cert.key, algorithm=alg,
                      headers={k: headers[k] for k in thumbprints})
