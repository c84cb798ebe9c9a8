"""Tests of the fake Slack Audit Logs API (fakes/slack.py): user tokens and scopes, cursor
paging newest first, oldest/latest windows, filters, Tier-3 limits with Retry-After, faults,
request log, state file. No stack needed: a requests client plays the collector."""
import time

import pytest
import requests

from fakes.process import start_fake
from fakes.pytest_fixtures import fake_fixtures

T0 = 1_796_400_000   # 2026-12-04T16:00:00Z in unix seconds


slack_process, slack, http = fake_fixtures("fakes.slack", "slack", seed=9)


def enterprise(slack, **body):
    """An Enterprise org and an owner's user token with auditlogs:read."""
    org = slack.control("POST", "enterprises", {"id": "E0ACME0001", "name": "Acme", "domain": "acme", **body})
    return org["id"], slack.control("POST", "tokens", {"enterprise": org["id"]})["token"]


def logs(http, slack, token, **params):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return http.get(f"{slack.base_url}/audit/v1/logs", params=params, headers=headers)


def read_all(http, slack, token, **params):
    entries, pages = [], 0
    while pages < 100:
        r = logs(http, slack, token, **params)
        assert r.status_code == 200, r.text
        entries += r.json()["entries"]
        pages += 1
        params["cursor"] = r.json()["response_metadata"]["next_cursor"]
        if params["cursor"] == "":
            return entries, pages
    raise AssertionError("paging did not end")


# --- auth ---------------------------------------------------------------------------------
def test_tokens_and_scopes_are_checked(slack, http):
    eid, token = enterprise(slack)
    assert token.startswith("xoxp-")
    assert logs(http, slack, token).status_code == 200
    cases = [(None, 401, "not_authed"), ("xoxp-1-2-3-nope", 401, "invalid_auth")]
    narrow = slack.control("POST", "tokens", {"enterprise": eid, "scopes": ["admin.users:read"]})["token"]
    bot = slack.control("POST", "tokens", {"enterprise": eid, "type": "bot"})["token"]
    cases += [(narrow, 403, "missing_scope"), (bot, 403, "not_allowed_token_type")]
    for tok, status, error in cases:
        r = logs(http, slack, tok)
        assert (r.status_code, r.json()) == (status, {"ok": False, "error": error, **(
            {"needed": "auditlogs:read", "provided": "admin.users:read"} if error == "missing_scope" else {})}), tok
    assert bot.startswith("xoxb-")


def test_non_enterprise_plans_and_expired_or_revoked_tokens(slack, http):
    _, token = enterprise(slack)
    slack.control("POST", "enterprises", {"id": "E0SMALL001", "plan": "business+"})
    small = slack.control("POST", "tokens", {"enterprise": "E0SMALL001"})["token"]
    assert logs(http, slack, small).json()["error"] == "feature_not_enabled"
    assert slack.control("POST", "tokens/expire", {"tenant": "E0ACME0001"})["expired"] == 1
    r = logs(http, slack, token)
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
    assert logs(http, slack, small).json()["error"] == "feature_not_enabled"   # other org untouched
    slack.control("POST", "tokens/revoke", {})
    assert logs(http, slack, token).json()["error"] == "invalid_auth"


# --- paging, windows, filters -------------------------------------------------------------
def test_cursor_paging_newest_first_to_the_end(slack, http):
    eid, token = enterprise(slack)
    made = slack.control("POST", "events", {"tenant": eid, "count": 230, "start": T0, "end": T0 + 2300})
    entries, pages = read_all(http, slack, token, limit=100)
    assert pages == 3 and len(entries) == 230 and len({e["id"] for e in entries}) == 230
    assert [e["date_create"] for e in entries] == sorted((e["date_create"] for e in entries), reverse=True)
    assert {e["id"] for e in entries} == set(made["ids"])
    last = logs(http, slack, token, limit=100, oldest=T0 + 2300)
    assert last.json()["response_metadata"] == {"next_cursor": ""} and len(last.json()["entries"]) == 1


def test_oldest_and_latest_are_inclusive_seconds(slack, http):
    eid, token = enterprise(slack)
    slack.control("POST", "events", {"tenant": eid, "times": [T0 - 1, T0, T0 + 1, T0 + 1.5, T0 + 2]})
    entries, _ = read_all(http, slack, token, oldest=T0, latest=T0 + 1)
    assert [e["date_create"] for e in entries] == [T0 + 1, T0 + 1, T0]
    assert len(read_all(http, slack, token, oldest=T0 + 2)[0]) == 1
    assert len(read_all(http, slack, token, latest=T0 - 1)[0]) == 1


def test_an_iteration_is_a_snapshot_and_cursors_belong_to_their_query(slack, http):
    eid, token = enterprise(slack)
    slack.control("POST", "events", {"tenant": eid, "count": 10, "start": T0, "end": T0 + 100})
    first = logs(http, slack, token, limit=4, oldest=T0).json()
    slack.control("POST", "events", {"tenant": eid, "count": 3, "start": T0 + 200, "end": T0 + 300})
    cursor = first["response_metadata"]["next_cursor"]
    rest, _ = read_all(http, slack, token, limit=4, oldest=T0, cursor=cursor)
    assert len(first["entries"]) + len(rest) == 10
    r = logs(http, slack, token, limit=4, oldest=T0 + 1, cursor=cursor)
    assert r.status_code == 400 and r.json()["error"] == "invalid_cursor"


def test_action_actor_and_entity_filters(slack, http):
    eid, token = enterprise(slack)
    slack.control("POST", "events", {"tenant": eid, "count": 60, "start": T0, "end": T0 + 600})
    everything = slack.control("GET", "events", tenant=eid)["value"]
    logins = [e for e in everything if e["action"] in ("user_login", "user_logout")]
    got, _ = read_all(http, slack, token, action="user_login,user_logout", limit=5)
    assert sorted(e["id"] for e in got) == sorted(e["id"] for e in logins) and logins
    actor = everything[7]["actor"]["user"]["id"]
    assert [e["id"] for e in read_all(http, slack, token, actor=actor)[0]] == [everything[7]["id"]]
    kind = everything[3]["entity"]["type"]
    entity = everything[3]["entity"][kind]["id"]
    assert [e["id"] for e in read_all(http, slack, token, entity=entity)[0]] == [everything[3]["id"]]


@pytest.mark.parametrize("params,error", [
    ({"limit": 0}, "invalid_arguments"), ({"limit": 10000}, "invalid_arguments"),
    ({"limit": "ten"}, "invalid_arguments"), ({"oldest": "yesterday"}, "invalid_arguments"),
    ({"oldest": T0 + 1, "latest": T0}, "invalid_arguments"), ({"cursor": "garbage"}, "invalid_cursor"),
])
def test_bad_arguments(slack, http, params, error):
    _, token = enterprise(slack)
    r = logs(http, slack, token, **params)
    assert r.status_code == 400 and r.json()["ok"] is False and r.json()["error"] == error
    if error == "invalid_arguments":
        assert r.json()["response_metadata"]["messages"][0].startswith("[ERROR] ")


# --- limits, faults, request log, generator, state ----------------------------------------
def test_tier_limit_answers_429_with_retry_after(slack, http):
    eid, token = enterprise(slack)
    assert slack.control("GET", "config")["rate_limit"] == {"requests": 50, "window_s": 60}
    slack.control("POST", "config", {"rate_limit": {"requests": 3, "window_s": 30}})
    got = [logs(http, slack, token) for _ in range(4)]
    assert [g.status_code for g in got] == [200, 200, 200, 429]
    assert got[3].json() == {"ok": False, "error": "ratelimited"}
    assert 1 <= int(got[3].headers["Retry-After"]) <= 30
    # The limit is organization-wide: a second token of the same org is throttled too.
    other = slack.control("POST", "tokens", {"enterprise": eid})["token"]
    assert logs(http, slack, other).status_code == 429
    assert slack.control("GET", "pacing", window_s=30)["max_in_window"] == {eid: 5}


def test_injected_faults(slack, http):
    eid, token = enterprise(slack)
    slack.control("POST", "events", {"tenant": eid, "count": 2})
    for spec in ({"kind": "429"}, {"kind": "500"}, {"kind": "503", "retry_after": 7}, {"kind": "truncate"}):
        slack.control("POST", "faults", {"path": "^/audit/v1/logs$", **spec})
    r = logs(http, slack, token)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1" and r.json()["error"] == "ratelimited"
    r = logs(http, slack, token)
    assert r.status_code == 500 and r.json()["error"] == "internal_error"
    r = logs(http, slack, token)
    assert r.status_code == 503 and r.headers["Retry-After"] == "7"
    with pytest.raises(requests.exceptions.RequestException):
        logs(http, slack, token)
    assert len(logs(http, slack, token).json()["entries"]) == 2


def test_request_log(slack, http):
    eid, token = enterprise(slack)
    slack.control("POST", "events", {"tenant": eid, "count": 3})
    read_all(http, slack, token, limit=2)
    logs(http, slack, "xoxp-bad")
    reqs = slack.control("GET", "requests")["value"]
    assert [(r["tenant"], r["status"], r["first_page"]) for r in reqs] == [
        (eid, 200, True), (eid, 200, False), (None, 401, True)]
    assert all(r["kind"] == "data" and r["stream"] == "logs" for r in reqs)
    assert len(slack.control("GET", "requests", tenant=eid, limit=1)["value"]) == 1


def test_generated_entries_are_complete_and_deterministic(slack):
    eid, _ = enterprise(slack)
    made = slack.control("POST", "events", {"tenant": eid, "count": 50, "start": T0, "end": T0 + 500})
    entries = slack.control("GET", "events", tenant=eid)["value"]
    for e in entries:
        assert isinstance(e["date_create"], int) and e["action"] and e["id"]
        assert e["actor"]["type"] == "user" and set(e["actor"]["user"]) == {"id", "name", "email"}
        assert e["entity"]["type"] in e["entity"] and e["entity"][e["entity"]["type"]]["id"]
        assert e["context"]["location"] == {"type": "enterprise", "id": eid, "name": "Acme", "domain": "acme"}
        assert {"ua", "ip_address", "session_id"} <= set(e["context"])
    assert len({e["entity"]["type"] for e in entries}) >= 4
    slack.control("POST", "reset")
    enterprise(slack)
    assert slack.control("POST", "events", {"tenant": eid, "count": 50, "start": T0, "end": T0 + 500})["ids"] == made["ids"]


def test_state_file_survives_a_restart(cert_dir, tmp_path):
    state = tmp_path / "slack-state.json"
    first = start_fake("fakes.slack", cert_dir, state_file=state)
    try:
        eid, token = enterprise(first)
        first.control("POST", "events", {"tenant": eid, "count": 4, "start": time.time() - 60})
    finally:
        assert first.stop() == 0
    second = start_fake("fakes.slack", cert_dir, state_file=state)
    try:
        with second.session() as s:
            r = s.get(f"{second.base_url}/audit/v1/logs", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and len(r.json()["entries"]) == 4
    finally:
        second.stop()
