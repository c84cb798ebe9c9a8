"""Throwaway CA + one server certificate for 127.0.0.1 / ::1 / localhost.

Every fake and the local stack share the same files, so clients only ever need ca.pem:
  DIR/ca.pem  DIR/ca-key.pem  DIR/server.pem  DIR/server-key.pem
Run `python3 -m fakes.tls DIR` to create them from a shell.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 30
# Reuse existing files only while they stay valid for at least this long.
MIN_REMAINING = dt.timedelta(days=1)


@dataclass(frozen=True)
class CertPaths:
    dir: Path
    ca: Path
    ca_key: Path
    cert: Path
    key: Path


def paths(cert_dir: str | os.PathLike) -> CertPaths:
    d = Path(cert_dir)
    return CertPaths(d, d / "ca.pem", d / "ca-key.pem", d / "server.pem", d / "server-key.pem")


def ensure_certs(cert_dir: str | os.PathLike) -> CertPaths:
    """Create the CA and server cert in cert_dir unless valid ones are already there."""
    p = paths(cert_dir)
    p.dir.mkdir(parents=True, exist_ok=True)
    # Several fakes may start at once with the same dir: serialize creation.
    with open(p.dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _still_valid(p):
            _create(p)
    return p


def _still_valid(p: CertPaths) -> bool:
    if not all(f.exists() for f in (p.ca, p.ca_key, p.cert, p.key)):
        return False
    cert = x509.load_pem_x509_certificate(p.cert.read_bytes())
    return cert.not_valid_after_utc - dt.datetime.now(dt.timezone.utc) > MIN_REMAINING


def _create(p: CertPaths) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    # EC keys: fast to generate and accepted by OpenSSL/libcurl, Python and browsers.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "siem integration test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    san = x509.SubjectAlternativeName([
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    _write(p.ca, ca.public_bytes(pem), 0o644)
    _write(p.ca_key, _key_pem(ca_key), 0o600)
    _write(p.cert, cert.public_bytes(pem), 0o644)
    _write(p.key, _key_pem(key), 0o600)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes, mode: int) -> None:
    # Write-then-rename so a reader never sees a half-written PEM.
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 -m fakes.tls DIR")
    c = ensure_certs(sys.argv[1])
    print(json.dumps({"ca": str(c.ca), "cert": str(c.cert), "key": str(c.key)}))
