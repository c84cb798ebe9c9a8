"""Bearer-token authentication and roles."""
import base64
import json
import time

import jwt

from sample_sources import body


def sources_url(stack):
    return f"{stack.url}/v1/cloud_api_sources"


def assert_401(r):
    assert r.status_code == 401, r.text
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.headers["Content-Type"].startswith("application/problem+json")


def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def claims(tenant, **extra):
    now = int(time.time())
    out = {"sub": "test", "tenant_id": tenant, "roles": ["admin"], "iat": now, "exp": now + 600}
    out.update(extra)
    return out


def test_no_token(stack):
    assert_401(stack.session().get(sources_url(stack)))
    assert_401(stack.session().post(sources_url(stack), json=body()))


def test_not_a_bearer_scheme(stack, tenant):
    s = stack.session()
    s.headers["Authorization"] = "Basic dXNlcjpwYXNz"
    assert_401(s.get(sources_url(stack)))


def test_garbage_token(stack):
    assert_401(stack.session("not.a.jwt").get(sources_url(stack)))
    assert_401(stack.session("abc").get(sources_url(stack)))


def test_bad_signature(stack, tenant):
    token = jwt.encode(claims(tenant), "some-other-secret-that-is-long-enough!!", algorithm="HS256")
    r = stack.session(token).get(sources_url(stack))
    assert_401(r)
    assert token not in r.text


def test_expired(stack, tenant):
    secret = stack.env["SIEM_JWT_SECRET"]
    token = jwt.encode(claims(tenant, exp=int(time.time()) - 3600), secret, algorithm="HS256")
    assert_401(stack.session(token).get(sources_url(stack)))


def test_not_yet_valid(stack, tenant):
    secret = stack.env["SIEM_JWT_SECRET"]
    token = jwt.encode(claims(tenant, nbf=int(time.time()) + 3600), secret, algorithm="HS256")
    assert_401(stack.session(token).get(sources_url(stack)))


def test_missing_exp(stack, tenant):
    secret = stack.env["SIEM_JWT_SECRET"]
    c = claims(tenant)
    del c["exp"]
    assert_401(stack.session(jwt.encode(c, secret, algorithm="HS256")).get(sources_url(stack)))


def test_alg_none(stack, tenant):
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims(tenant))}."
    assert_401(stack.session(token).get(sources_url(stack)))
    token = f"{b64({'alg': 'None', 'typ': 'JWT'})}.{b64(claims(tenant))}."
    assert_401(stack.session(token).get(sources_url(stack)))


def test_algorithm_confusion(stack, tenant):
    # HS512 / RS256 headers with a signature made from the HS256 secret are refused.
    secret = stack.env["SIEM_JWT_SECRET"]
    assert_401(stack.session(jwt.encode(claims(tenant), secret, algorithm="HS512")).get(sources_url(stack)))
    header = b64({"alg": "RS256", "typ": "JWT"})
    payload = b64(claims(tenant))
    import hashlib
    import hmac
    sig = base64.urlsafe_b64encode(hmac.new(secret.encode(), f"{header}.{payload}".encode(),
                                            hashlib.sha256).digest()).rstrip(b"=").decode()
    assert_401(stack.session(f"{header}.{payload}.{sig}").get(sources_url(stack)))


def test_valid_pyjwt_token_is_accepted(stack, tenant):
    secret = stack.env["SIEM_JWT_SECRET"]
    token = jwt.encode(claims(tenant), secret, algorithm="HS256")
    assert stack.session(token).get(sources_url(stack)).status_code == 200


def test_viewer_reads_but_cannot_write(stack, tenant):
    admin = stack.session(stack.token(tenant=tenant, roles=["admin"]))
    created = admin.post(sources_url(stack), json=body()).json()
    viewer = stack.session(stack.token(tenant=tenant, roles=["viewer"]))
    assert viewer.get(sources_url(stack)).status_code == 200
    assert viewer.get(f"{sources_url(stack)}/{created['source_id']}").status_code == 200
    for r in (viewer.post(sources_url(stack), json=body()),
              viewer.put(f"{sources_url(stack)}/{created['source_id']}", json=body()),
              viewer.delete(f"{sources_url(stack)}/{created['source_id']}")):
        assert r.status_code == 403, r.text
        assert r.headers["Content-Type"].startswith("application/problem+json")


def test_wrong_role_and_no_tenant(stack, tenant):
    poller = stack.session(stack.token(roles=["poller"]))
    assert poller.get(sources_url(stack)).status_code == 403
    no_tenant_admin = stack.session(stack.token(roles=["admin"]))
    assert no_tenant_admin.get(sources_url(stack)).status_code == 403
    admin = stack.session(stack.token(tenant=tenant, roles=["admin"]))
    assert admin.get(f"{sources_url(stack)}/poll/configurations").status_code == 403
    assert admin.post(f"{sources_url(stack)}/poll/status", json={}).status_code == 403
