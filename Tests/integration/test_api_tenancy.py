"""Two tenants cannot see, change or delete each other's sources, through the
API and, for the API's database role, in PostgreSQL itself (row-level security)."""
import uuid

import psycopg

from sample_sources import body


def test_tenants_are_isolated(stack):
    a = stack.session(stack.token(tenant=f"a-{uuid.uuid4().hex[:8]}"))
    b = stack.session(stack.token(tenant=f"b-{uuid.uuid4().hex[:8]}"))
    url = f"{stack.url}/v1/cloud_api_sources"
    src = a.post(url, json=body("AWS", name="shared-name")).json()
    sid = src["source_id"]

    # Same name in another tenant is fine: names are unique per tenant.
    assert b.post(url, json=body("AWS", name="shared-name")).status_code == 201

    assert [s["source_id"] for s in a.get(url).json()["items"]] == [sid]
    assert sid not in [s["source_id"] for s in b.get(url).json()["items"]]
    # 404, exactly as for an id that does not exist: no existence leak.
    missing = b.get(f"{url}/{uuid.uuid4()}")
    other = b.get(f"{url}/{sid}")
    assert other.status_code == missing.status_code == 404
    assert other.json()["title"] == missing.json()["title"]
    assert other.json()["detail"] == missing.json()["detail"]
    assert b.put(f"{url}/{sid}", json=body("AWS", name="stolen")).status_code == 404
    assert b.delete(f"{url}/{sid}").status_code == 404
    # Untouched.
    assert a.get(f"{url}/{sid}").json() == src


def test_row_level_security_confines_the_api_role(stack, db):
    tenant_a, tenant_b = f"a-{uuid.uuid4().hex[:8]}", f"b-{uuid.uuid4().hex[:8]}"
    for tenant in (tenant_a, tenant_b):
        s = stack.session(stack.token(tenant=tenant))
        assert s.post(f"{stack.url}/v1/cloud_api_sources", json=body()).status_code == 201
    with psycopg.connect(stack.env["SIEM_API_DATABASE_URL"], autocommit=True) as api_conn:
        # Without a tenant set, the API role sees nothing at all.
        assert api_conn.execute("SELECT count(*) FROM cloud_api_sources").fetchone()[0] == 0
        api_conn.execute("SELECT set_config('app.tenant_id', %s, false)", (tenant_a,))
        tenants = {r[0] for r in api_conn.execute("SELECT tenant_id FROM cloud_api_sources")}
        assert tenants == {tenant_a}
        # Even an unconstrained UPDATE/DELETE only reaches the tenant's rows.
        api_conn.execute("UPDATE cloud_api_sources SET polling_interval_minutes = 77")
        try:
            api_conn.execute("INSERT INTO cloud_api_sources (tenant_id, platform, source_name, api_credentials,"
                             " credentials_key_id, credentials_fingerprint) VALUES (%s, 'AWS', 'x', '\\x00', 'k', 'f')",
                             (tenant_b,))
            raise AssertionError("insert into another tenant was allowed")
        except psycopg.errors.InsufficientPrivilege:
            pass
    b_interval = db.execute("SELECT polling_interval_minutes FROM cloud_api_sources WHERE tenant_id = %s",
                            (tenant_b,)).fetchone()[0]
    assert b_interval == 15
