"""Headless Chromium for the admin-page tests, trusting the local stack's CA.

Chromium on Linux trusts the CAs in the NSS database of `$HOME/.pki/nssdb`. This
machine has no `certutil` (libnss3-tools) and the tests must not touch the real
home directory, so `trust_ca()` writes a private NSS database with the stack's CA
marked as a trusted TLS issuer, through libnss3 itself (ctypes, the same calls
certutil -A makes), and the browser runs with HOME pointing at it. The browser
therefore validates the server's certificate chain for real: no
--ignore-certificate-errors. (libnss3 comes with the chromium package.)
"""
import ctypes
import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class _Trust(ctypes.Structure):
    # CERTCertTrust in nss/certt.h
    _fields_ = [("sslFlags", ctypes.c_uint), ("emailFlags", ctypes.c_uint), ("objectSigningFlags", ctypes.c_uint)]


def trust_ca(home: Path, ca_pem: Path, nickname="siem-test-ca"):
    """Create HOME/.pki/nssdb (if needed) holding `ca_pem` as a trusted CA ("C,,").

    Runs in a child process: NSS keeps global state that must not live in pytest's process
    (a second initialisation in the same process with another directory would fail).
    """
    db = Path(home) / ".pki" / "nssdb"
    db.mkdir(parents=True, exist_ok=True)
    code = "import sys, browser; browser._nss_import(sys.argv[1], sys.argv[2], sys.argv[3])"
    done = subprocess.run([sys.executable, "-c", code, str(db), str(ca_pem), nickname],
                          cwd=str(Path(__file__).resolve().parent), capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"could not make Chromium trust {ca_pem}:\n{done.stderr}")
    return db


def _nss_import(db_dir, ca_pem, nickname):
    nss = ctypes.CDLL(ctypes.util.find_library("nss3") or "libnss3.so")
    smime = ctypes.CDLL(ctypes.util.find_library("smime3") or "libsmime3.so")  # CERT_DecodeCertFromPackage
    nss.NSS_InitReadWrite.argtypes = [ctypes.c_char_p]
    smime.CERT_DecodeCertFromPackage.restype = ctypes.c_void_p
    smime.CERT_DecodeCertFromPackage.argtypes = [ctypes.c_char_p, ctypes.c_int]
    nss.PK11_GetInternalKeySlot.restype = ctypes.c_void_p
    nss.PK11_NeedUserInit.argtypes = [ctypes.c_void_p]
    nss.PK11_InitPin.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    nss.PK11_ImportCert.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    nss.CERT_GetDefaultCertDB.restype = ctypes.c_void_p
    nss.CERT_DecodeTrustString.argtypes = [ctypes.POINTER(_Trust), ctypes.c_char_p]
    nss.CERT_ChangeCertTrust.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(_Trust)]
    nss.CERT_DestroyCertificate.argtypes = [ctypes.c_void_p]
    nss.PK11_FreeSlot.argtypes = [ctypes.c_void_p]

    def check(status, what):
        if status != 0:
            raise RuntimeError(f"NSS {what} failed (PR error {ctypes.CDLL(ctypes.util.find_library('nspr4') or 'libnspr4.so').PR_GetError()})")

    check(nss.NSS_InitReadWrite(f"sql:{db_dir}".encode()), "NSS_InitReadWrite")
    slot = nss.PK11_GetInternalKeySlot()
    if nss.PK11_NeedUserInit(slot):
        check(nss.PK11_InitPin(slot, None, b""), "PK11_InitPin")  # empty password, as certutil -N --empty-password
    pem = Path(ca_pem).read_bytes()
    cert = smime.CERT_DecodeCertFromPackage(pem, len(pem))
    if not cert:
        raise RuntimeError(f"NSS could not decode {ca_pem}")
    check(nss.PK11_ImportCert(slot, cert, 0, nickname.encode(), 0), "PK11_ImportCert")
    trust = _Trust()
    check(nss.CERT_DecodeTrustString(ctypes.byref(trust), b"C,,"), "CERT_DecodeTrustString")
    check(nss.CERT_ChangeCertTrust(nss.CERT_GetDefaultCertDB(), cert, ctypes.byref(trust)), "CERT_ChangeCertTrust")
    nss.CERT_DestroyCertificate(cert)
    nss.PK11_FreeSlot(slot)
    check(nss.NSS_Shutdown(), "NSS_Shutdown")


def start_chromium(home: Path, width=1280, height=900, downloads: Path = None):
    """A headless Chromium whose HOME (and so NSS database) is `home`."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", f"--user-data-dir={home / 'profile'}",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--lang=en-US"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    env = {k: v for k, v in os.environ.items()
           if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    env["HOME"] = str(home)
    env["TZ"] = "UTC"  # datetime-local inputs are local time; UTC keeps the tests' arithmetic plain
    service = Service(CHROMEDRIVER, env=env, log_output=str(home / "chromedriver.log"))
    return webdriver.Chrome(service=service, options=options)
