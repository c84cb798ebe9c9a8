"""Who may see across tenants (security issue #10, items 2 and 5).

The cross-tenant roles (`poller`, `metrics`) count only in a token that also carries
`"siem_all_tenants": true`; /metrics trusts no address; siem-api refuses to start with a
JWKS but without the issuer and audience that tie its tokens to this API."""
import json
import subprocess
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import sample_sources
from harness import procs


def sources_url(stack):
    return f"{stack.url}/v1/cloud_api_sources"


def hs256(stack, **claims):
    now = int(time.time())
    return jwt.encode({"sub": "test", "iat": now, "exp": now + 600, **claims}, stack.env["SIEM_JWT_SECRET"],
                      algorithm="HS256")


@pytest.fixture
def two_tenants(stack):
    """One source in each of two fresh tenants: (source ids, admin sessions)."""
    ids, admins = [], []
    for _ in range(2):
        admin = stack.session(stack.token(tenant=f"t-{time.monotonic_ns()}", roles=["admin"]))
        r = admin.post(sources_url(stack), json=sample_sources.body())
        assert r.status_code == 201, r.text
        ids.append(r.json()["source_id"])
        admins.append(admin)
    return ids, admins


def test_metrics_without_a_token_are_refused_even_from_loopback(stack, two_tenants):
    r = stack.session().get(f"{stack.url}/metrics")
    assert r.status_code == 401
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    for source_id in two_tenants[0]:
        assert source_id not in r.text


def test_the_metrics_role_sees_every_tenant_and_nothing_else(stack, two_tenants):
    scraper = stack.session(stack.token(roles=["metrics"]))
    r = scraper.get(f"{stack.url}/metrics")
    assert r.status_code == 200, r.text
    assert all(source_id in r.text for source_id in two_tenants[0])
    # Only metrics: no listing, no internal endpoint.
    assert scraper.get(sources_url(stack)).status_code == 403
    assert scraper.get(f"{sources_url(stack)}/poll/configurations").status_code == 403
    # A tenant's admin still sees its own tenant only.
    own = two_tenants[1][0].get(f"{stack.url}/metrics").text
    assert two_tenants[0][0] in own and two_tenants[0][1] not in own


@pytest.mark.parametrize("role", ["poller", "metrics"])
def test_a_cross_tenant_role_without_the_explicit_claim_is_not_granted(stack, two_tenants, role):
    # What any application of a shared IdP could obtain: the role name, without the claim.
    bare = stack.session(hs256(stack, roles=[role]))
    assert bare.get(f"{sources_url(stack)}/poll/configurations").status_code == 403
    assert bare.get(f"{stack.url}/metrics").status_code in (401, 403)
    claimed = stack.session(hs256(stack, roles=[role], siem_all_tenants=True))
    expected = 200 if role == "poller" else 403
    assert claimed.get(f"{sources_url(stack)}/poll/configurations").status_code == expected
    r = claimed.get(f"{stack.url}/metrics")
    assert r.status_code == 200 and all(source_id in r.text for source_id in two_tenants[0])


def jwks_file(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [dict(public, kid="k1", alg="RS256", use="sig")]}))
    return path


@pytest.mark.parametrize("missing", ["SIEM_JWT_ISSUER", "SIEM_JWT_AUDIENCE", "both"])
def test_siem_api_refuses_a_jwks_without_issuer_and_audience(stack, tmp_path, missing):
    env = procs.clean_env({
        "SIEM_API_DATABASE_URL": stack.env["SIEM_API_DATABASE_URL"],
        "SIEM_MASTER_KEY_FILE": stack.env["SIEM_MASTER_KEY_FILE"],
        "SIEM_JWKS_FILE": str(jwks_file(tmp_path)),
        "SIEM_API_SOCKET": str(tmp_path / "api.sock"),
        "SIEM_JWT_ISSUER": "https://login.example.test/tenant/v2.0",
        "SIEM_JWT_AUDIENCE": "api://siem-collector",
    })
    for name in (["SIEM_JWT_ISSUER", "SIEM_JWT_AUDIENCE"] if missing == "both" else [missing]):
        del env[name]
    proc = subprocess.Popen([stack.bin("siem-api"), "--workers", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        procs.stop(proc)
        pytest.fail("siem-api started with a JWKS but without issuer and audience")
    assert proc.returncode == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "SIEM_JWT_ISSUER" in lines[0] and "SIEM_JWT_AUDIENCE" in lines[0]
    assert not (tmp_path / "api.sock").exists()
