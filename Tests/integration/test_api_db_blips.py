"""A database blip is harmless to siem-api: after every worker's PostgreSQL session is
terminated (a failover, a restart, an operator's pg_terminate_backend), health, listings
and writes answer exactly as before, whichever path the first request after the blip
takes. Row-level security must see the request's tenant on the new session: a missing
app.tenant_id would make a listing silently empty."""
import time

import pytest

from sample_sources import body

# More requests than siem-api has workers (4): workers take requests in turn, so each sees several.
REPEAT = 12


def terminate_api_sessions(db):
    """Ends every siem-api backend and waits (bounded) until PostgreSQL has reaped them."""
    killed = db.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE usename = 'siem_api'").fetchone()[0]
    assert killed >= 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = db.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = 'siem_api'").fetchone()[0]
        if left == 0:
            return
        time.sleep(0.05)
    raise AssertionError("siem-api backends still alive 10 s after pg_terminate_backend")


def api_backends(db):
    return {row[0] for row in db.execute("SELECT pid FROM pg_stat_activity WHERE usename = 'siem_api'").fetchall()}


def names(session, url):
    r = session.get(url)
    assert r.status_code == 200, r.text
    return [item["source_name"] for item in r.json()["items"]]


@pytest.mark.parametrize("first", [None, "/v1/health", "/metrics"])
def test_a_terminated_session_changes_no_answer(stack, db, admin, tenant, first):
    url = f"{stack.url}/v1/cloud_api_sources"
    created = [admin.post(url, json=body("AWS", name=f"blip-{i}")) for i in range(2)]
    assert [r.status_code for r in created] == [201, 201], [r.text for r in created]
    expected = ["blip-0", "blip-1"]
    # Every worker scopes its session to this tenant and caches the listing.
    assert [names(admin, url) for _ in range(REPEAT)] == [expected] * REPEAT

    terminate_api_sessions(db)
    first_statuses = [admin.get(f"{stack.url}{first}").status_code for _ in range(REPEAT)] if first else []
    # The tenant's real sources, not an empty page, on every worker.
    assert [names(admin, url) for _ in range(REPEAT)] == [expected] * REPEAT
    assert first_statuses == [200] * len(first_statuses)

    terminate_api_sessions(db)
    health = [admin.get(f"{stack.url}/v1/health") for _ in range(REPEAT)]
    assert [(r.status_code, r.json()) for r in health] == [(200, {"status": "ok", "database": "ok"})] * REPEAT

    terminate_api_sessions(db)
    posted = [admin.post(url, json=body("AWS", name=f"blip-post-{i:02}")) for i in range(REPEAT)]
    assert [r.status_code for r in posted] == [201] * REPEAT, [r.text for r in posted if r.status_code != 201]
    expected += [f"blip-post-{i:02}" for i in range(REPEAT)]
    assert [names(admin, url) for _ in range(REPEAT)] == [expected] * REPEAT
    # The rows belong to this tenant (row-level security's WITH CHECK held on the new sessions).
    tenants = db.execute("SELECT DISTINCT tenant_id FROM cloud_api_sources WHERE source_id = ANY(%s::uuid[])",
                         ([r.json()["source_id"] for r in posted],)).fetchall()
    assert tenants == [(tenant,)]
    # Back to normal: the sessions are kept, not re-opened on every request.
    sessions = api_backends(db)
    assert [names(admin, url) for _ in range(REPEAT)] == [expected] * REPEAT
    assert admin.get(f"{stack.url}/v1/health").status_code == 200
    assert api_backends(db) == sessions


def test_requests_right_after_terminations_never_see_the_dead_session(stack, db, admin):
    """The server's goodbye (FATAL) reaches siem-api a moment before the socket closes: a
    request in between must still be answered on a new session, not with a 503."""
    url = f"{stack.url}/v1/cloud_api_sources"
    assert admin.post(url, json=body("AWS", name="blip-burst")).status_code == 201
    statuses = []
    for _ in range(40):
        terminate_api_sessions(db)
        statuses += [admin.get(url).status_code for _ in range(8)]
    assert statuses == [200] * len(statuses), sorted(set(statuses))
