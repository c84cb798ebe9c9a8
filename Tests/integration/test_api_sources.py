"""CRUD on /v1/cloud_api_sources through nginx over HTTPS, against PostgreSQL."""

import pytest

from sample_sources import body

PLATFORMS = ["Microsoft365", "AzureAD", "GCP", "AWS"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_create_get_list_update_delete(stack, admin, tenant, platform):
    created = admin.post(f"{stack.url}/v1/cloud_api_sources", json=body(platform, name="primary"))
    assert created.status_code == 201, created.text
    source = created.json()
    sid = source["source_id"]
    assert created.headers["Location"] == f"/v1/cloud_api_sources/{sid}"
    assert source["tenant_id"] == tenant
    assert source["platform"] == platform
    assert source["source_name"] == "primary"
    assert source["polling_interval_minutes"] == 15
    assert source["is_enabled"] is True
    assert source["error_count"] == 0
    assert source["credentials"]["set"] is True
    assert source["credentials"]["fingerprint"].startswith("sha256:")
    assert "api_credentials_json" not in source and "api_credentials" not in source

    got = admin.get(f"{stack.url}/v1/cloud_api_sources/{sid}")
    assert got.status_code == 200
    assert got.json() == source

    listed = admin.get(f"{stack.url}/v1/cloud_api_sources").json()
    assert [s["source_id"] for s in listed["items"]] == [sid]
    assert listed["next_page_token"] is None

    # PUT without credentials keeps them (same fingerprint), changes the rest.
    update = {"platform": platform, "source_name": "renamed", "polling_interval_minutes": 60,
              "is_enabled": False, "settings": {"initial_lookback_minutes": 120}}
    put = admin.put(f"{stack.url}/v1/cloud_api_sources/{sid}", json=update)
    assert put.status_code == 200, put.text
    updated = put.json()
    assert updated["source_name"] == "renamed"
    assert updated["polling_interval_minutes"] == 60
    assert updated["is_enabled"] is False
    assert updated["settings"] == {"initial_lookback_minutes": 120}
    assert updated["credentials"]["fingerprint"] == source["credentials"]["fingerprint"]

    # PUT with new credentials changes the fingerprint.
    new_body = body(platform, name="renamed")
    if platform in ("Microsoft365", "AzureAD"):
        new_body["api_credentials_json"]["client_secret"] = "another-secret-value-123"
    elif platform == "AWS":
        new_body["api_credentials_json"]["secret_access_key"] = "another/secret/access/key/value/12"
    else:
        new_body["api_credentials_json"]["private_key_id"] = "abcdef0123456789"
    put2 = admin.put(f"{stack.url}/v1/cloud_api_sources/{sid}", json=new_body)
    assert put2.status_code == 200, put2.text
    assert put2.json()["credentials"]["fingerprint"] != source["credentials"]["fingerprint"]

    deleted = admin.delete(f"{stack.url}/v1/cloud_api_sources/{sid}")
    assert deleted.status_code == 204
    assert admin.get(f"{stack.url}/v1/cloud_api_sources/{sid}").status_code == 404
    assert admin.delete(f"{stack.url}/v1/cloud_api_sources/{sid}").status_code == 404


def test_credentials_may_be_a_json_string(stack, admin):
    r = admin.post(f"{stack.url}/v1/cloud_api_sources", json=body("AWS", as_string=True))
    assert r.status_code == 201, r.text


def test_list_filters_and_pages(stack, admin):
    for i in range(5):
        assert admin.post(f"{stack.url}/v1/cloud_api_sources",
                          json=body("AWS", name=f"aws-{i}", is_enabled=i % 2 == 0)).status_code == 201
    for i in range(3):
        assert admin.post(f"{stack.url}/v1/cloud_api_sources",
                          json=body("GCP", name=f"gcp-{i}")).status_code == 201

    aws = admin.get(f"{stack.url}/v1/cloud_api_sources", params={"platform": "AWS"}).json()["items"]
    assert sorted(s["source_name"] for s in aws) == [f"aws-{i}" for i in range(5)]
    enabled = admin.get(f"{stack.url}/v1/cloud_api_sources",
                        params={"platform": "AWS", "is_enabled": "true"}).json()["items"]
    assert sorted(s["source_name"] for s in enabled) == ["aws-0", "aws-2", "aws-4"]

    seen, token = [], None
    for _ in range(10):  # bounded: 8 sources, pages of 3
        params = {"limit": 3}
        if token:
            params["page_token"] = token
        page = admin.get(f"{stack.url}/v1/cloud_api_sources", params=params).json()
        seen += [s["source_name"] for s in page["items"]]
        token = page["next_page_token"]
        if not token:
            break
    assert seen == sorted(seen) and len(seen) == 8 and len(set(seen)) == 8


def test_duplicate_name_is_409_and_changes_nothing(stack, admin, db, tenant):
    assert admin.post(f"{stack.url}/v1/cloud_api_sources", json=body(name="dup")).status_code == 201
    r = admin.post(f"{stack.url}/v1/cloud_api_sources", json=body(name="dup"))
    assert r.status_code == 409
    assert r.headers["Content-Type"].startswith("application/problem+json")
    count = db.execute("SELECT count(*) FROM cloud_api_sources WHERE tenant_id = %s", (tenant,)).fetchone()[0]
    assert count == 1


def test_rename_onto_existing_name_is_409(stack, admin):
    a = admin.post(f"{stack.url}/v1/cloud_api_sources", json=body("AWS", name="a")).json()
    admin.post(f"{stack.url}/v1/cloud_api_sources", json=body("AWS", name="b"))
    r = admin.put(f"{stack.url}/v1/cloud_api_sources/{a['source_id']}",
                  json={"platform": "AWS", "source_name": "b"})
    assert r.status_code == 409
    assert admin.get(f"{stack.url}/v1/cloud_api_sources/{a['source_id']}").json()["source_name"] == "a"


def test_put_answers_whichever_path_it_takes(stack, admin, tenant, db):
    """A PUT that keeps the credentials updates in one statement unless the stored platform
    differs; every answer must be the one the read-first path gives."""
    src = admin.post(f"{stack.url}/v1/cloud_api_sources", json=body("AWS", name="kept")).json()
    url = f"{stack.url}/v1/cloud_api_sources/{src['source_id']}"
    missing = f"{stack.url}/v1/cloud_api_sources/00000000-0000-4000-8000-000000000000"
    stored = lambda: db.execute("SELECT platform, polling_interval_minutes FROM cloud_api_sources "
                                "WHERE source_id = %s", (src["source_id"],)).fetchone()

    r = admin.put(url, json={"platform": "GCP", "source_name": "kept", "polling_interval_minutes": 30})
    assert r.status_code == 400, r.text
    assert r.json()["errors"] == [{"field": "api_credentials_json", "message": "is required when the platform changes"}]
    r = admin.put(url, json={"platform": "GCP", "source_name": "kept", "polling_interval_minutes": 0})
    assert r.status_code == 400, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["polling_interval_minutes", "api_credentials_json"]
    assert stored() == ("AWS", 15)

    assert admin.put(missing, json={"platform": "AWS", "source_name": "x"}).status_code == 404
    assert admin.put(missing, json={"platform": "AWS", "source_name": "x", "polling_interval_minutes": 0}).status_code == 404
    assert admin.put(missing, json=body("GCP", name="x")).status_code == 404

    r = admin.put(url, json={"platform": "AWS", "source_name": "kept", "polling_interval_minutes": 30})
    assert r.status_code == 200, r.text
    assert r.json()["polling_interval_minutes"] == 30
    assert r.json()["credentials"]["fingerprint"] == src["credentials"]["fingerprint"]
    r = admin.put(url, json=body("GCP", name="kept"))
    assert r.status_code == 200, r.text
    assert r.json()["platform"] == "GCP"
    assert stored() == ("GCP", 15)


def test_health_needs_no_token(stack):
    r = stack.session().get(f"{stack.url}/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}


def test_http_redirects_to_https(stack):
    import requests
    r = requests.get(f"http://127.0.0.1:{stack.ports['http']}/v1/health", allow_redirects=False, timeout=5)
    assert r.status_code == 301
    assert r.headers["Location"].startswith("https://")


SECURITY_HEADERS = ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                    "Content-Security-Policy", "Permissions-Policy")


def assert_security_headers(r):
    missing = [name for name in SECURITY_HEADERS if not r.headers.get(name)]
    assert not missing, (r.url, r.status_code, missing)
    assert "max-age" in r.headers["Strict-Transport-Security"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]


def test_security_headers(stack, admin):
    r = admin.get(f"{stack.url}/v1/cloud_api_sources")
    assert_security_headers(r)
    assert r.headers["X-Request-ID"]


@pytest.mark.parametrize("path", ["/", "/js/app.js", "/css/app.css", "/openapi.yaml"])
def test_static_files_are_revalidated_and_keep_the_security_headers(stack, path):
    # no-cache: the browser keeps the file but asks each time, so an upgrade is seen at once.
    s = stack.session()
    r = s.get(f"{stack.url}{path}")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["ETag"] and r.headers["Last-Modified"]
    assert_security_headers(r)  # a location's own add_header must not drop the server's
    again = s.get(f"{stack.url}{path}", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "no-cache"
    assert_security_headers(again)
    assert_security_headers(s.get(f"{stack.url}/no-such-file.js"))
