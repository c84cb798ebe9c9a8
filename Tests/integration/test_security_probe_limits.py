"""Source tests cannot starve the API (security issue #10, item 4).

A source test waits on a provider for up to 20 s on one of siem-api's workers. At most two
run per tenant, counted in PostgreSQL (so across workers and processes), and at most half of
a process's workers run them, so one tenant's hanging tests never stall another's listing."""
import concurrent.futures
import time
import uuid

from advisory_locks import PROBE_NAMESPACE
from pollerkit import PollerKit


def probe_body(kit, app):
    return {"platform": "Microsoft365", "source_name": f"probe-{uuid.uuid4().hex[:6]}",
            "api_credentials_json": app.credentials(),
            "settings": {"authority_host": kit.fake.base_url, "graph_endpoint": kit.fake.base_url,
                         "streams": ["directory_audits"]}}


def test_four_hanging_tests_of_one_tenant_leave_other_tenants_listing_fast(stack, ms_fake, cert_dir):
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    kit.fault(path="oauth2/v2.0/token", kind="delay", delay_s=6, count=4)
    other = stack.session(stack.token(tenant=f"other-{uuid.uuid4().hex[:8]}", roles=["viewer"]))
    url = f"{stack.url}/v1/cloud_api_sources"

    def probe():
        return kit.admin.post(f"{url}/test", json=probe_body(kit, app), timeout=60)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        probes = [pool.submit(probe) for _ in range(4)]
        time.sleep(1.0)   # the admitted tests are now waiting on the slow token endpoint
        started = time.monotonic()
        listing = other.get(url, timeout=30)
        elapsed = time.monotonic() - started
        results = [f.result() for f in probes]
    assert listing.status_code == 200
    assert elapsed < 1.0, f"another tenant's listing took {elapsed:.2f} s"
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 200, 429, 429], [r.text for r in results]
    for refused in (r for r in results if r.status_code == 429):
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert int(refused.headers["Retry-After"]) > 0
        assert app.secret not in refused.text


def test_the_per_tenant_count_lives_in_postgresql(stack, ms_fake, cert_dir, db):
    """Slots held by another connection (as by another siem-api process) count too."""
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    url = f"{stack.url}/v1/cloud_api_sources/test"
    holder = db.connection if hasattr(db, "connection") else db
    keys = [f"{kit.siem_tenant}#{slot}" for slot in range(2)]
    for key in keys:
        holder.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (PROBE_NAMESPACE, key))
    try:
        r = kit.admin.post(url, json=probe_body(kit, app), timeout=60)
        assert r.status_code == 429 and "2 source tests" in r.text
    finally:
        for key in keys:
            holder.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (PROBE_NAMESPACE, key))
    r = kit.admin.post(url, json=probe_body(kit, app), timeout=60)
    assert r.status_code == 200 and r.json()["ok"] is True, r.text
