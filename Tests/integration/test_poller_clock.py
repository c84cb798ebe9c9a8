"""A host whose clock runs fast must not move a watermark into the future (events
stamped between the database's now and the host's would never be read): the poller
takes "now" from PostgreSQL, and refuses to run when the host is more than 60 s off.
The host clock is faked with libfaketime (Debian's `faketime`, in TEST_PACKAGES)."""
import datetime as dt
import json
import shutil
import subprocess

import pytest

from pollerkit import PollerKit, iso

FAKETIME = shutil.which("faketime")


@pytest.fixture
def kit(stack, ms_fake, cert_dir):
    return PollerKit(stack, ms_fake, cert_dir)


def run_fast(kit, seconds, *args):
    """The poller with its wall clock `seconds` ahead (monotonic untouched), through the
    `faketime` wrapper: an LD_PRELOAD set by Python's exec loses the Swift binary's argv."""
    assert FAKETIME, "faketime missing: apt-get install faketime (scripts/test installs it)"
    command = [FAKETIME, "-m", "--exclude-monotonic", "-f", f"+{seconds}s", *kit.poller_args(*args)]
    proc = subprocess.run(command, env=kit.env(), capture_output=True, text=True, timeout=120)
    proc.log = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    return proc


def when(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_fast_host_clock_never_moves_a_watermark_past_the_database_now(kit, row_writes):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 20, iso(1800), iso(60))
    source = kit.create_source(app, streams=["directory_audits"], initial_lookback_minutes=60)
    proc = run_fast(kit, 45, "--source", source["source_id"])
    assert proc.returncode == 0, proc.stderr
    # Each write, as the database's clock saw it: no watermark or poll time is ahead of it.
    writes = row_writes(source["source_id"])
    watermarks = [(when(c["directory_audits"]["watermark"]), at) for _, at, c, _ in writes if "directory_audits" in c]
    polled = [(last, at) for _, at, _, last in writes if last is not None]
    assert watermarks and polled
    assert [w for w in watermarks if w[0] > w[1]] == []
    assert [p for p in polled if p[0] > p[1]] == []
    # The fake clock did reach the poller (else this test proves nothing).
    line = [entry for entry in proc.log if entry["msg"] == "source polled"][0]
    assert when(line["ts"]) > polled[-1][1] + dt.timedelta(seconds=30), proc.stderr
    assert len(kit.read()) == 20


def test_a_host_clock_more_than_a_minute_off_refuses_to_run(kit):
    app = kit.new_app()
    kit.add_events(app, "directoryAudits", 20, iso(1800), iso(60))
    source = kit.create_source(app, streams=["directory_audits"], initial_lookback_minutes=60)
    proc = run_fast(kit, 7200, "--source", source["source_id"])
    assert proc.returncode == 2, proc.stderr
    assert len(proc.log) == 1, proc.stderr
    line = proc.log[0]
    assert line["level"] == "critical" and "clock" in line["error"] and "60 s" in line["error"], line
    state = kit.source(source["source_id"])
    assert state["cursor"] == {} and state["last_polled_timestamp"] is None
    assert kit.requests(kind="data", tenant=app.tenant) == []
    assert kit.topic_size() == 0
