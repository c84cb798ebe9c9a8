"""Tenants alternating on ONE PostgreSQL session (siem-api with a single worker) each see
only their own rows, also right after a statement failed. The session's app.tenant_id is
sent together with the statement: when the statement fails, PostgreSQL rolls the new
setting back with it, and the next request must not trust it. The listing filters on the
tenant AND row-level security reads the setting, so a stale setting shows up here as an
empty listing, a 404 for an existing source, or a write refused by the policy."""
import uuid

import pytest

from sample_sources import body

ROUNDS = 6


@pytest.fixture
def one_worker(stack):
    stack.restart_api(SIEM_API_WORKERS="1")
    try:
        yield
    finally:
        stack.restart_api()


def names(session, url):
    r = session.get(url)
    assert r.status_code == 200, r.text
    return sorted(item["source_name"] for item in r.json()["items"])


def test_alternating_tenants_on_one_session_see_only_their_rows(stack, one_worker):
    url = f"{stack.url}/v1/cloud_api_sources"
    tenants = {}
    for label in ("a", "b"):
        session = stack.session(stack.token(tenant=f"switch-{label}-{uuid.uuid4().hex[:8]}"))
        created = [session.post(url, json=body("AWS", name=f"{label}-{i}")) for i in range(2)]
        assert [r.status_code for r in created] == [201, 201], [r.text for r in created]
        tenants[label] = (session, [r.json()["source_id"] for r in created])
    (a, a_ids), (b, b_ids) = tenants["a"], tenants["b"]

    for _ in range(ROUNDS):
        assert names(a, url) == ["a-0", "a-1"]
        assert names(b, url) == ["b-0", "b-1"]
        # A statement that fails after the switch to B (unique name): its setting is rolled back.
        assert b.post(url, json=body("AWS", name="b-0")).status_code == 409
        assert names(b, url) == ["b-0", "b-1"]
        assert b.get(f"{url}/{b_ids[0]}").status_code == 200
        # The same after the switch back to A, on a single-row read and a write.
        assert a.post(url, json=body("AWS", name="a-1")).status_code == 409
        assert a.get(f"{url}/{a_ids[1]}").status_code == 200
        assert a.get(f"{url}/{b_ids[1]}").status_code == 404
        assert b.post(url, json=body("AWS", name="b-1")).status_code == 409
        put = b.put(f"{url}/{b_ids[1]}", json=body("AWS", name="b-1", polling_interval_minutes=30))
        assert put.status_code == 200, put.text
        assert names(a, url) == ["a-0", "a-1"]
        assert names(b, url) == ["b-0", "b-1"]
