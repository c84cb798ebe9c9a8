"""Valid source bodies per platform, for the API tests."""
import json
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import appcert

MS_SECRET = "s3cr3t-Value~with.special_chars-0123456789"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def rsa_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


_GCP_KEY = None


def gcp_private_key():
    global _GCP_KEY
    if _GCP_KEY is None:
        _GCP_KEY = rsa_pem()
    return _GCP_KEY


_APP_CERT = None


def app_certificate():
    """One app-registration certificate per test session (RSA generation is the slow part)."""
    global _APP_CERT
    if _APP_CERT is None:
        _APP_CERT = appcert.make("sample-app")
    return _APP_CERT


def credentials(platform, secret=None, certificate=False):
    """Valid credentials; for Microsoft platforms `certificate=True` gives certificate credentials."""
    if platform in ("Microsoft365", "AzureAD"):
        if certificate:
            return app_certificate().credentials(str(uuid.uuid4()), str(uuid.uuid4()))
        return {"tenant_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4()),
                "client_secret": secret or MS_SECRET}
    if platform == "GCP":
        return {"type": "service_account", "project_id": "acme-audit-123",
                "private_key_id": "0123456789abcdef0123456789abcdef01234567",
                "private_key": gcp_private_key(),
                "client_email": "collector@acme-audit-123.iam.gserviceaccount.com",
                "client_id": "109876543210987654321",
                "token_uri": "https://oauth2.googleapis.com/token"}
    if platform == "AWS":
        return {"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": secret or AWS_SECRET,
                "region": "eu-west-1"}
    raise ValueError(platform)


def body(platform="Microsoft365", name=None, as_string=False, certificate=False, **extra):
    creds = credentials(platform, certificate=certificate)
    out = {"platform": platform, "source_name": name or f"{platform}-{uuid.uuid4().hex[:8]}",
           "api_credentials_json": json.dumps(creds) if as_string else creds}
    out.update(extra)
    return out


def secret_values(platform, certificate=False):
    """The secret strings that must never appear in responses or logs."""
    creds = credentials(platform, certificate=certificate)
    if certificate:
        return [creds["private_key_pem"].splitlines()[5]]
    if platform in ("Microsoft365", "AzureAD"):
        return [creds["client_secret"]]
    if platform == "GCP":
        # A distinctive slice of the PEM body.
        return [creds["private_key"].splitlines()[5]]
    return [creds["secret_access_key"]]
