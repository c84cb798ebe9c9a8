"""siem-ctl status: every source's state from PostgreSQL, worst first, with a note
saying what to look at; exit 1 when a source needs attention (a monitoring check)."""
import json
import os
import subprocess

from sample_sources import body, secret_values


def status(stack, *args, database_url=None):
    env = dict(os.environ, DATABASE_URL=database_url or stack.env["DATABASE_URL"])
    return subprocess.run([stack.bin("siem-ctl"), "status", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def make_sources(stack, admin, db, names):
    url = f"{stack.url}/v1/cloud_api_sources"
    ids = {}
    for name in names:
        created = admin.post(url, json=body("AzureAD", name=name))
        assert created.status_code == 201, created.text
        ids[name] = created.json()["source_id"]
    return url, ids


def set_state(db, sid, sql):
    db.execute(f"UPDATE cloud_api_sources SET {sql} WHERE source_id = %s", (sid,))


def test_the_table_puts_the_worst_first_and_says_what_to_look_at(stack, admin, db, tenant):
    url, ids = make_sources(stack, admin, db, ["healthy", "broken", "stalled", "off", "fresh", "cert"])
    polled = "last_polled_timestamp = now() - interval '2 minutes', last_success_timestamp = now() - interval '2 minutes'"
    set_state(db, ids["healthy"], f"{polled}, next_poll_time = now() + interval '13 minutes'")
    set_state(db, ids["broken"], "last_polled_timestamp = now() - interval '5 minutes', error_count = 2, "
              "last_error = 'AADSTS7000215: Invalid client secret provided.' || chr(10) || 'Trace ID: 1234', "
              "next_poll_time = now() + interval '25 minutes'")
    set_state(db, ids["stalled"], f"{polled}, next_poll_time = now() - interval '3 hours'")
    assert admin.put(f"{url}/{ids['off']}", json={"platform": "AzureAD", "source_name": "off",
                                                  "is_enabled": False}).status_code == 200
    set_state(db, ids["cert"], f"{polled}, next_poll_time = now() + interval '13 minutes', "
              "credentials_expires_at = now() + interval '5 days'")

    proc = status(stack, "--tenant", tenant)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["STATE", "TENANT", "SOURCE", "PLATFORM", "LAST", "SUCCESS", "NEXT", "POLL",
                                "ERRORS", "EVENTS", "NOTE"]
    rows = {line.split()[2]: line for line in lines[1:7]}
    assert [line.split()[0] for line in lines[1:7]] == ["overdue", "failing", "expiring", "pending", "ok", "disabled"]
    assert [line.split()[2] for line in lines[1:7]] == ["stalled", "broken", "cert", "fresh", "healthy", "off"]
    assert "should have been polled 3h ago: is cron running siem-poller?" in rows["stalled"]
    assert rows["broken"].rstrip().endswith("AADSTS7000215: Invalid client secret provided.")
    assert "Trace ID" not in proc.stdout  # one line per source
    assert "credentials expire in 4d" in rows["cert"] or "credentials expire in 5d" in rows["cert"]
    assert "2m ago" in rows["healthy"] and ("in 12m" in rows["healthy"] or "in 13m" in rows["healthy"])
    assert all(line == line.rstrip() for line in lines)
    assert "never" in rows["fresh"] and "not polled yet" in rows["fresh"]
    assert "disabled by an operator" in rows["off"]
    assert lines[-1].startswith("6 source(s): 1 overdue, 1 failing, 1 expiring, 1 pending, 1 ok, 1 disabled; "
                                "newest poll 2m ago.")
    for secret in secret_values("AzureAD"):
        assert secret not in proc.stdout


def test_json_lines_carry_the_state_and_the_times(stack, admin, db, tenant):
    _, ids = make_sources(stack, admin, db, ["only"])
    set_state(db, ids["only"], "error_count = 1, last_error = 'HTTP 503 from Graph', "
              "next_poll_time = '2099-01-01 00:00:00+00', last_polled_timestamp = '2026-11-27 01:02:03+00'")
    proc = status(stack, "--tenant", tenant, "--json")
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stdout.splitlines()
    got = json.loads(line)
    assert got["state"] == "failing" and got["source_id"] == ids["only"] and got["tenant_id"] == tenant
    assert got["next_poll_time"] == "2099-01-01T00:00:00Z"
    assert got["last_polled_timestamp"] == "2026-11-27T01:02:03Z"
    assert got["last_error"] == "HTTP 503 from Graph" and got["credentials_expires_at"] is None
    assert not any("credential" in k and k != "credentials_expires_at" for k in got)


def test_all_is_well_exits_zero(stack, admin, db, tenant):
    url, ids = make_sources(stack, admin, db, ["fine", "paused"])
    set_state(db, ids["fine"], "last_polled_timestamp = now(), last_success_timestamp = now(), "
              "next_poll_time = now() + interval '15 minutes'")
    set_state(db, ids["paused"], "is_enabled = false, disabled_reason = '10 consecutive failures; last: boom'")
    proc = status(stack, "--tenant", tenant)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "10 consecutive failures; last: boom" in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("2 source(s): 1 ok, 1 disabled;")
    # A source more overdue than the threshold given turns the check red.
    set_state(db, ids["fine"], "next_poll_time = now() - interval '6 minutes'")
    assert status(stack, "--tenant", tenant).returncode == 0
    assert status(stack, "--tenant", tenant, "--overdue-minutes", "5").returncode == 1


def test_bad_input_gets_one_line_naming_the_problem(stack, tenant):
    proc = status(stack, "--overdue-minutes", "0")
    assert proc.returncode != 0 and "--overdue-minutes must be 1 to 10080" in proc.stderr
    empty = status(stack, "--tenant", tenant)
    assert empty.returncode == 0 and empty.stdout.strip() == "no sources"
    password = "not-the-real-password"
    down = status(stack, database_url=f"postgresql://siem:{password}@127.0.0.1:1/siem?connect_timeout=3")
    assert down.returncode != 0 and "database:" in down.stderr
    assert password not in down.stderr + down.stdout
