"""The Microsoft fake's certificate credentials: client assertions checked as Entra ID checks
them (signature with the registered certificate's key, thumbprint, audience, issuer and
subject, validity), refused with Entra's AADSTS codes."""
from __future__ import annotations

import datetime as dt
import time

import pytest

import appcert
from fakes import msauth

TENANT, APP, OTHER_APP = "cert-tenant", "44444444-cccc-4ccc-8ccc-444444444444", "55555555-dddd-4ddd-8ddd-555555555555"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@pytest.fixture(scope="module")
def cert():
    return appcert.make("siem-collector")


@pytest.fixture(scope="module")
def stranger():
    """A certificate of another key pair, never registered on APP."""
    return appcert.make("someone-else")


@pytest.fixture
def ms(ms_fake, cert, stranger):
    ms_fake.control("POST", "apps", {"tenant": TENANT, "client_id": APP, "certificate_pem": cert.cert_pem})
    ms_fake.control("POST", "apps", {"tenant": TENANT, "client_id": OTHER_APP, "certificate_pem": stranger.cert_pem})
    return ms_fake


def token_url(fake, tenant=TENANT):
    return f"{fake.base_url}/{tenant}/oauth2/v2.0/token"


def request(fake, assertion=None, client_id=APP, **form):
    body = {"grant_type": "client_credentials", "client_id": client_id, "scope": GRAPH_SCOPE,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion, **form}
    return fake.session().post(token_url(fake), data={k: v for k, v in body.items() if v is not None}, timeout=10)


def refused(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_codes"] == [code] and body["error_description"].startswith(f"AADSTS{code}: ")
    assert body["error"] == ("invalid_client" if status == 401 else "invalid_request")
    return body["error_description"]


@pytest.mark.parametrize("alg,thumbprints", [
    ("RS256", ("x5t",)),                 # the long-documented pairing, MSAL's default
    ("PS256", ("x5t#S256",)),            # the pairing the current docs show
    ("RS256", ("x5t", "x5t#S256")),
])
def test_a_signed_assertion_gets_a_token(ms, cert, alg, thumbprints):
    r = request(ms, appcert.assertion(cert, APP, token_url(ms), alg=alg, thumbprints=thumbprints))
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "Bearer" and r.json()["access_token"]


def test_an_app_may_hold_a_secret_and_a_certificate(ms, cert):
    ms.control("POST", "apps", {"tenant": TENANT, "client_id": APP, "client_secret": "s3cret~both"})
    assert request(ms, appcert.assertion(cert, APP, token_url(ms))).status_code == 200
    plain = {"client_assertion_type": None, "client_assertion": None}
    assert request(ms, client_secret="s3cret~both", **plain).status_code == 200
    refused(request(ms, client_secret="wrong", **plain), 401, 7000215)


def test_a_secret_does_not_open_a_certificate_only_app(ms):
    refused(request(ms, client_secret="anything", client_assertion_type=None), 401, 7000215)


def test_a_certificate_of_another_app_is_not_found(ms, cert, stranger):
    text = refused(request(ms, appcert.assertion(stranger, APP, token_url(ms))), 401, 700027)
    assert "The key was not found." in text and stranger.x5t not in text
    assert f"for app Id '{APP}'" in text
    # The same certificate is fine for the app it is registered on.
    assert request(ms, appcert.assertion(stranger, OTHER_APP, token_url(ms)), client_id=OTHER_APP).status_code == 200


def test_the_right_thumbprint_with_another_key_fails_the_signature(ms, cert, stranger):
    forged = appcert.assertion(cert, APP, token_url(ms), signer=stranger.key)
    text = refused(request(ms, forged), 401, 700027)
    assert "Key was found, but use of the key to verify the signature failed." in text
    assert "Found key 'Start=" in text


@pytest.mark.parametrize("who,make,code", [
    ("no thumbprint", lambda c, url: appcert.assertion(c, APP, url, thumbprints=()), 50027),
    ("not a JWT", lambda c, url: "not.a-jwt", 50027),
    ("HS256", lambda c, url: appcert.assertion(c, APP, url, alg="HS256", signer=b"0" * 32), 700027),
    ("audience of another tenant", lambda c, url: appcert.assertion(c, APP, url.replace(TENANT, "other")), 700023),
    ("audience the v1 endpoint", lambda c, url: appcert.assertion(c, APP, url.replace("/v2.0", "")), 700023),
    ("two audiences", lambda c, url: appcert.assertion(c, APP, [url, url + "x"]), 5002741),
    ("issuer another app", lambda c, url: appcert.assertion(c, APP, url, iss=OTHER_APP), 700021),
    ("subject missing", lambda c, url: appcert.assertion(c, APP, url, sub=None), 700021),
    ("expired an hour ago", lambda c, url: appcert.assertion(c, APP, url, now=time.time() - 4200), 700024),
    ("valid only in an hour", lambda c, url: appcert.assertion(c, APP, url, nbf=int(time.time()) + 3600), 700024),
    ("no expiry", lambda c, url: appcert.assertion(c, APP, url, exp=None), 50027),
])
def test_bad_assertions_are_refused_like_entra_refuses_them(ms, cert, who, make, code):
    text = refused(request(ms, make(cert, token_url(ms))), 401, code)
    if code == 700024:
        assert "Client assertion is not within its valid time range. Current time: " in text


def test_both_thumbprints_must_name_the_same_certificate(ms, cert, stranger):
    mixed = appcert.AppCert(cert.key, cert.cert_pem, cert.key_pem, cert.key_pem_pkcs1, cert.x5t, stranger.x5t_s256)
    text = refused(request(ms, appcert.assertion(mixed, APP, token_url(ms), thumbprints=("x5t", "x5t#S256"))),
                   401, 700027)
    assert "The key was not found." in text


def test_assertion_parameters(ms, cert):
    good = appcert.assertion(cert, APP, token_url(ms))
    assert "'client_assertion_type'" in refused(request(ms, good, client_assertion_type=None), 400, 900144)
    assert "'client_assertion'" in refused(request(ms, None), 400, 900144)
    refused(request(ms, good, client_assertion_type="urn:ietf:params:oauth:client-assertion-type:saml2-bearer"),
            401, 50027)


def test_an_expired_registered_certificate_is_refused(ms_fake):
    old = appcert.make("expired", days=30, not_before=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=60))
    ms_fake.control("POST", "apps", {"tenant": TENANT, "client_id": APP, "certificate_pem": old.cert_pem})
    text = refused(request(ms_fake, appcert.assertion(old, APP, token_url(ms_fake))), 401, 700027)
    assert "The key used is expired." in text


def test_uploading_a_new_certificate_replaces_the_old_one(ms, cert):
    new = appcert.make("rotated")
    ms.control("POST", "apps", {"tenant": TENANT, "client_id": APP, "certificate_pem": [new.cert_pem]})
    assert request(ms, appcert.assertion(new, APP, token_url(ms))).status_code == 200
    refused(request(ms, appcert.assertion(cert, APP, token_url(ms))), 401, 700027)


@pytest.mark.parametrize("body,message", [
    ({"tenant": TENANT, "client_id": APP}, "client_secret and/or certificate_pem"),
    ({"tenant": TENANT, "client_id": APP, "certificate_pem": "-----BEGIN CERTIFICATE-----\nnope\n"}, "certificate_pem"),
])
def test_control_refuses_apps_without_usable_credentials(ms_fake, body, message):
    r = ms_fake.session().post(f"{ms_fake.base_url}/_control/apps", json=body, timeout=10)
    assert r.status_code == 400 and message in r.json()["error"]


def test_certificates_survive_the_state_file(cert):
    identity = msauth.Identity(b"k" * 32)
    identity.register(TENANT, APP, certificates=[cert.cert_pem])
    identity.register(TENANT, OTHER_APP, secret="s")
    restored = msauth.Identity(b"k" * 32)
    restored.load(identity.dump())
    assert restored.apps == identity.apps
    # State files from before certificates: [tenant, client_id, secret].
    restored.load({"apps": [[TENANT, APP, "old-secret"]]})
    assert restored.apps[(TENANT, APP)] == msauth.App("old-secret", [])
