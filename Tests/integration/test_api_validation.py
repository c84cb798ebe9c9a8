"""Every kind of bad input gets a problem+json naming the field, changes nothing,
and never echoes a secret."""
import datetime as dt
import json

import pytest

import appcert
from sample_sources import app_certificate, body


def problem(r, status):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    doc = r.json()
    assert doc["status"] == status and doc["title"]
    return doc


def fields(doc):
    return {e["field"] for e in doc.get("errors", [])}


def with_creds(platform, certificate=False, **changes):
    b = body(platform, certificate=certificate)
    for k, v in changes.items():
        if v is None:
            b["api_credentials_json"].pop(k)
        else:
            b["api_credentials_json"][k] = v
    return b


INVALID = [
    ("missing platform", {k: v for k, v in body().items() if k != "platform"}, "platform"),
    ("unknown platform", dict(body(), platform="Azure"), "platform"),
    ("platform not a string", dict(body(), platform=3), "platform"),
    ("missing name", {k: v for k, v in body().items() if k != "source_name"}, "source_name"),
    ("empty name", dict(body(), source_name=""), "source_name"),
    ("long name", dict(body(), source_name="x" * 201), "source_name"),
    ("name with control char", dict(body(), source_name="a\u0007b"), "source_name"),
    ("name padded", dict(body(), source_name=" a "), "source_name"),
    ("interval zero", dict(body(), polling_interval_minutes=0), "polling_interval_minutes"),
    ("interval too big", dict(body(), polling_interval_minutes=1441), "polling_interval_minutes"),
    ("interval fraction", dict(body(), polling_interval_minutes=1.5), "polling_interval_minutes"),
    ("interval string", dict(body(), polling_interval_minutes="15"), "polling_interval_minutes"),
    ("enabled not bool", dict(body(), is_enabled="yes"), "is_enabled"),
    ("unknown field", dict(body(), colour="blue"), "colour"),
    ("settings not object", dict(body(), settings=[1]), "settings"),
    ("unknown setting", dict(body(), settings={"graph_endpointt": "https://x"}), "settings.graph_endpointt"),
    ("http endpoint", dict(body(), settings={"graph_endpoint": "http://graph.example"}), "settings.graph_endpoint"),
    ("bad cloud", dict(body(), settings={"cloud": "mars"}), "settings.cloud"),
    ("bad stream", dict(body(), settings={"streams": ["cloudtrail"]}), "settings.streams"),
    ("setting of other platform", dict(body("AWS"), settings={"graph_endpoint": "https://g"}), "settings.graph_endpoint"),
    ("missing credentials", {k: v for k, v in body().items() if k != "api_credentials_json"}, "api_credentials_json"),
    ("credentials not JSON", dict(body(), api_credentials_json="{not json"), "api_credentials_json"),
    ("credentials array", dict(body(), api_credentials_json=[1, 2]), "api_credentials_json"),
    ("ms tenant missing", with_creds("Microsoft365", tenant_id=None), "api_credentials_json.tenant_id"),
    ("ms client id not guid", with_creds("Microsoft365", client_id="abc"), "api_credentials_json.client_id"),
    ("ms secret missing", with_creds("AzureAD", client_secret=None), "api_credentials_json.client_secret"),
    ("ms secret not string", with_creds("AzureAD", client_secret=12345), "api_credentials_json.client_secret"),
    ("ms unknown field", with_creds("Microsoft365", password="x"), "api_credentials_json.password"),
    ("ms bad private key", with_creds("Microsoft365", certificate=True, private_key_pem="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"), "api_credentials_json.private_key_pem"),
    ("ms key of another certificate", with_creds("AzureAD", certificate=True, private_key_pem=appcert.make("other").key_pem), "api_credentials_json.private_key_pem"),
    ("ms certificate garbage", with_creds("Microsoft365", certificate=True, certificate_pem="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"), "api_credentials_json.certificate_pem"),
    ("ms certificate expired", with_creds("Microsoft365", certificate=True, certificate_pem=appcert.make("old", days=30, key=app_certificate().key, not_before=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=60)).cert_pem), "api_credentials_json.certificate_pem"),
    ("ms secret and certificate", with_creds("Microsoft365", certificate=True, client_secret="s3cret-and-a-cert"), "api_credentials_json"),
    ("gcp wrong type", with_creds("GCP", type="user"), "api_credentials_json.type"),
    ("gcp key does not parse", with_creds("GCP", private_key="-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"), "api_credentials_json.private_key"),
    ("gcp missing email", with_creds("GCP", client_email=None), "api_credentials_json.client_email"),
    ("gcp http token uri", with_creds("GCP", token_uri="http://oauth2.googleapis.com/token"), "api_credentials_json.token_uri"),
    ("aws bad key id", with_creds("AWS", access_key_id="akia-lower"), "api_credentials_json.access_key_id"),
    ("aws short secret", with_creds("AWS", secret_access_key="short"), "api_credentials_json.secret_access_key"),
    ("aws bad region", with_creds("AWS", region="Europe"), "api_credentials_json.region"),
    ("aws missing region", with_creds("AWS", region=None), "api_credentials_json.region"),
]


@pytest.mark.parametrize("label,payload,field", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_create_is_400_naming_the_field(stack, admin, db, tenant, label, payload, field):
    r = admin.post(f"{stack.url}/v1/cloud_api_sources", json=payload)
    doc = problem(r, 400)
    assert field in fields(doc), doc
    assert field in doc["detail"]
    text = r.text
    creds = payload.get("api_credentials_json")
    if isinstance(creds, dict):
        for key in ("client_secret", "secret_access_key", "private_key", "private_key_pem"):
            value = creds.get(key)
            if isinstance(value, str) and len(value) > 4:
                assert value not in text
    assert db.execute("SELECT count(*) FROM cloud_api_sources WHERE tenant_id = %s", (tenant,)).fetchone()[0] == 0


@pytest.mark.parametrize("raw,status", [
    (b"{not json", 400),
    (b"[1,2,3]", 400),
    (b'{"platform":"AWS","platform":"GCP"}', 400),
    (b"", 400),
    (b'{"a":' * 100 + b"1" + b"}" * 100, 400),
    (b"\xff\xfe", 400),
])
def test_malformed_bodies(stack, admin, raw, status):
    r = admin.post(f"{stack.url}/v1/cloud_api_sources", data=raw, headers={"Content-Type": "application/json"})
    problem(r, status)


def test_wrong_content_type_is_415(stack, admin):
    r = admin.post(f"{stack.url}/v1/cloud_api_sources", data=json.dumps(body()),
                   headers={"Content-Type": "text/plain"})
    problem(r, 415)


def test_oversized_body_is_413(stack, admin, db, tenant):
    big = dict(body(), settings={"filter": "x" * 70000})
    r = admin.post(f"{stack.url}/v1/cloud_api_sources", json=big)
    assert r.status_code == 413
    assert db.execute("SELECT count(*) FROM cloud_api_sources WHERE tenant_id = %s", (tenant,)).fetchone()[0] == 0


def test_unknown_route_and_method(stack, admin):
    problem(admin.get(f"{stack.url}/v1/nothing-here"), 404)
    r = admin.patch(f"{stack.url}/v1/cloud_api_sources", json={})
    problem(r, 405)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_bad_ids_and_query_parameters(stack, admin):
    problem(admin.get(f"{stack.url}/v1/cloud_api_sources/not-a-uuid"), 404)
    problem(admin.get(f"{stack.url}/v1/cloud_api_sources/00000000-0000-0000-0000-000000000000"), 404)
    assert "limit" in fields(problem(admin.get(f"{stack.url}/v1/cloud_api_sources?limit=0"), 400))
    assert "platform" in fields(problem(admin.get(f"{stack.url}/v1/cloud_api_sources?platform=x"), 400))
    assert "page_token" in fields(problem(admin.get(f"{stack.url}/v1/cloud_api_sources?page_token=zzz"), 400))
    assert "sort" in fields(problem(admin.get(f"{stack.url}/v1/cloud_api_sources?sort=name"), 400))


def test_invalid_update_changes_nothing(stack, admin):
    created = admin.post(f"{stack.url}/v1/cloud_api_sources", json=body("AWS", name="keep")).json()
    url = f"{stack.url}/v1/cloud_api_sources/{created['source_id']}"
    problem(admin.put(url, json={"platform": "AWS", "source_name": "keep", "polling_interval_minutes": 0}), 400)
    # Changing the platform needs new credentials.
    doc = problem(admin.put(url, json={"platform": "GCP", "source_name": "keep"}), 400)
    assert "api_credentials_json" in fields(doc)
    assert admin.get(url).json() == created
