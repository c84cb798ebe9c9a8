"""siem-api keeps rendered listings in memory, labelled with the tenant's change
count (sql/008). A listing must never be older than the database: writes through
the API, the poller's direct writes and an operator's psql all show in the very
next listing, whichever worker answers it."""
import os
import subprocess

import psycopg
import pytest

from sample_sources import body

# More requests than siem-api has workers, so every worker's view is exercised.
REPEAT = 12


def listings(admin, url, **params):
    """The same listing fetched REPEAT times; all answers must agree."""
    pages = [admin.get(url, params=params) for _ in range(REPEAT)]
    assert all(p.status_code == 200 for p in pages), [p.text for p in pages if p.status_code != 200]
    first = pages[0].json()
    assert all(p.json() == first for p in pages)
    return first


def change_count(db, tenant):
    row = db.execute("SELECT change_count FROM cloud_api_source_changes WHERE tenant_id = %s", (tenant,)).fetchone()
    return row[0] if row else 0


@pytest.fixture
def three_sources(stack, admin):
    url = f"{stack.url}/v1/cloud_api_sources"
    ids = []
    for name in ("alpha", "beta", "gamma"):
        created = admin.post(url, json=body("AWS", name=name))
        assert created.status_code == 201, created.text
        ids.append(created.json()["source_id"])
    return url, ids


def test_writes_through_the_api_show_in_the_next_listing(stack, admin, three_sources):
    url, (alpha, beta, _) = three_sources
    assert [s["source_name"] for s in listings(admin, url)["items"]] == ["alpha", "beta", "gamma"]
    put = admin.put(f"{url}/{alpha}", json={"platform": "AWS", "source_name": "alpha", "is_enabled": False})
    assert put.status_code == 200, put.text
    assert [s["is_enabled"] for s in listings(admin, url)["items"]] == [False, True, True]
    assert admin.delete(f"{url}/{beta}").status_code == 204
    assert [s["source_name"] for s in listings(admin, url)["items"]] == ["alpha", "gamma"]
    assert admin.post(url, json=body("GCP", name="delta")).status_code == 201
    assert [s["source_name"] for s in listings(admin, url)["items"]] == ["alpha", "delta", "gamma"]
    # Filters and pages are listings of their own and follow the same rule.
    assert [s["source_name"] for s in listings(admin, url, platform="GCP")["items"]] == ["delta"]
    page = listings(admin, url, limit=2)
    assert [s["source_name"] for s in page["items"]] == ["alpha", "delta"]
    rest = listings(admin, url, limit=2, page_token=page["next_page_token"])
    assert [s["source_name"] for s in rest["items"]] == ["gamma"]


def test_writes_outside_the_api_show_in_the_next_listing(stack, admin, db, tenant, three_sources):
    """The poller and operators write to PostgreSQL directly, not through siem-api."""
    url, (alpha, beta, gamma) = three_sources
    listings(admin, url)
    db.execute("UPDATE cloud_api_sources SET last_error = 'throttled', error_count = 2 WHERE source_id = %s", (beta,))
    items = listings(admin, url)["items"]
    assert [(s["last_error"], s["error_count"]) for s in items] == [(None, 0), ("throttled", 2), (None, 0)]

    db.execute("""INSERT INTO cloud_api_sources (tenant_id, platform, source_name, api_credentials,
                      credentials_key_id, credentials_fingerprint)
                  SELECT tenant_id, platform, 'copied-by-hand', api_credentials, credentials_key_id, credentials_fingerprint
                  FROM cloud_api_sources WHERE source_id = %s""", (gamma,))
    assert [s["source_name"] for s in listings(admin, url)["items"]] == ["alpha", "beta", "copied-by-hand", "gamma"]
    db.execute("DELETE FROM cloud_api_sources WHERE source_id = %s", (alpha,))
    assert [s["source_name"] for s in listings(admin, url)["items"]] == ["beta", "copied-by-hand", "gamma"]


def test_the_poll_status_endpoint_shows_in_the_next_listing(stack, admin, three_sources):
    url, (alpha, _, _) = three_sources
    listings(admin, url)
    poller = stack.session(stack.token(roles=["poller"]))
    status = poller.post(f"{url}/poll/status", json={
        "source_id": alpha, "status": "error", "polled_at": "2026-11-27T05:00:00Z",
        "message": "AccessDenied: not authorized"})
    assert status.status_code == 200, status.text
    first = listings(admin, url)["items"][0]
    assert first["source_id"] == alpha and first["error_count"] == 1
    assert "AccessDenied" in first["last_error"]


def test_each_statement_counts_once_per_tenant_it_touches(stack, admin, db, tenant, three_sources):
    url, ids = three_sources
    other = f"{tenant}-other"
    other_admin = stack.session(stack.token(tenant=other, roles=["admin"]))
    assert other_admin.post(url, json=body("GCP", name="elsewhere")).status_code == 201
    before, other_before = change_count(db, tenant), change_count(db, other)
    assert before >= 3 and other_before >= 1

    db.execute("UPDATE cloud_api_sources SET last_error = 'x' WHERE tenant_id IN (%s, %s)", (tenant, other))
    assert (change_count(db, tenant), change_count(db, other)) == (before + 1, other_before + 1)
    db.execute("UPDATE cloud_api_sources SET last_error = 'x' WHERE tenant_id = %s AND false", (tenant,))
    assert change_count(db, tenant) == before + 1  # no row changed, no change counted

    # TRUNCATE cannot name the tenants it empties, so it counts for all (rolled back here).
    with db.transaction(force_rollback=True):
        db.execute("TRUNCATE cloud_api_sources")
        assert (change_count(db, tenant), change_count(db, other)) == (before + 2, other_before + 2)
    assert len(listings(admin, url)["items"]) == 3


def test_the_api_role_reads_only_its_tenants_count_and_cannot_change_it(stack, db, tenant, three_sources):
    with psycopg.connect(stack.env["DATABASE_URL"]) as conn:
        conn.execute("SET ROLE siem_api")
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (tenant,))
        rows = conn.execute("SELECT tenant_id FROM cloud_api_source_changes").fetchall()
        assert rows == [(tenant,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE cloud_api_source_changes SET change_count = 0")


@pytest.mark.parametrize("value", ["lots", "-1", "65537"])
def test_siem_api_refuses_a_bad_cache_size_naming_the_variable(stack, value):
    env = {k: v for k, v in stack.env.items() if k.startswith("SIEM_") or k == "DATABASE_URL"}
    env.update(PATH=os.environ["PATH"], SIEM_API_LISTING_CACHE_MB=value)
    proc = subprocess.run([stack.bin("siem-api"), "--socket", "/nonexistent/siem-api.sock"], env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "SIEM_API_LISTING_CACHE_MB must be an integer from 0 to 65536" in lines[0]
