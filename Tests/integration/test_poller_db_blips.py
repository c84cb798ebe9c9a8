"""A poller whose PostgreSQL session ends mid-poll has lost its advisory lock with it:
it must stop that source without writing anything, because a second poller may
already hold the lock and be polling the same source. Nothing is lost: what the
first had published is in Kafka, and the second re-reads from the stored checkpoint."""
import collections
import subprocess
import time

import pytest

from pollerkit import PollerKit, iso, source_lines


@pytest.fixture
def kit(stack, ms_fake, cert_dir):
    return PollerKit(stack, ms_fake, cert_dir)


def named_url(kit, name):
    """The poller's database URL with an application_name, to tell two pollers' sessions apart."""
    url = kit.stack.env["SIEM_POLLER_DATABASE_URL"]
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


def terminate(db, application_name):
    """Ends that poller's sessions; returns the database time just after they are gone."""
    killed = db.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE usename = 'siem_poller' AND application_name = %s", (application_name,)).fetchone()[0]
    assert killed >= 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if db.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                      (application_name,)).fetchone()[0] == 0:
            return db.execute("SELECT clock_timestamp()").fetchone()[0]
        time.sleep(0.05)
    raise AssertionError(f"{application_name}'s sessions still alive 10 s after pg_terminate_backend")


def test_a_poller_that_lost_its_lock_writes_nothing_and_nothing_is_lost(kit, db, row_writes):
    app = kit.new_app()
    audits = kit.add_events(app, "directoryAudits", 300, iso(3000), iso(100))
    signins = kit.add_events(app, "signIns", 40, iso(3000), iso(100))
    # Directory audits come first; one slice of three pages, and the second page hangs.
    source = kit.create_source(app, page_size=100, initial_lookback_minutes=60)
    sid = source["source_id"]
    kit.fault(path="auditLogs/directoryAudits", kind="delay", delay_s=8, count=1, skip=1)
    first = subprocess.Popen(kit.poller_args("--source", sid), env=kit.env(SIEM_POLLER_DATABASE_URL=named_url(kit, "siem-first")),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The first page was served: the first poller now waits for the second, mid-slice.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not kit.requests(kind="data", tenant=app.tenant):
            time.sleep(0.05)
        assert kit.requests(kind="data", tenant=app.tenant), "the first poller never asked for a page"
        lost_at = terminate(db, "siem-first")
        second = kit.run_poller("--source", sid, SIEM_POLLER_DATABASE_URL=named_url(kit, "siem-second"))
        _, first_err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=10)
    assert second.returncode == 0, second.stderr
    assert source_lines(second)[0]["outcome"] == "success"

    # The first wrote nothing after its session (and so its lock) was gone: no checkpoint, no outcome.
    writes = row_writes(sid)
    late = [(app_name, at) for app_name, at, _, _ in writes if app_name == "siem-first" and at >= lost_at]
    assert late == [], first_err
    assert "lost the source lock" in first_err, first_err
    # No stream was polled by both: the sign-ins were read once, by the second poller.
    assert len(kit.requests(kind="data", tenant=app.tenant, stream="signIns")) == 1

    # Nothing lost: every event at least once, and the stored checkpoint is the second poller's last.
    counts = collections.Counter(m.key for m in kit.read())
    assert set(counts) == set(audits) | set(signins)
    # The stored cursor (the API's representation leaves out each checkpoint's "seen").
    cursor = db.execute("SELECT cursor FROM cloud_api_sources WHERE source_id = %s", (sid,)).fetchone()[0]
    assert set(cursor) == {"directory_audits", "sign_ins"}
    assert [w for w in writes if w[2] == cursor][-1][0] == "siem-second"
    # A further poll finds nothing new behind that checkpoint.
    again = kit.poll(source)
    assert source_lines(again)[0]["events"] == 0
    assert set(m.key for m in kit.read()) == set(counts)
