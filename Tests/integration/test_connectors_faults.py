"""One fault suite for every declared connector (#13): the engine keeps the built-in providers'
guarantees whatever the platform. Each case runs against each platform's HTTPS fake, with the
real poller: 5xx retried, 429 waited out (Retry-After, Okta's rate-limit headers), an expired token
refreshed once (a fixed token: bad credentials), bad credentials fail the source, a missing
permission fails the stream. Repeated next tokens/links: test_connectors_fifth.py (the fakes of
the four platforms never loop)."""
from dataclasses import dataclass

import pytest

from connectorkit import by_key
from fakes.gcpauth import new_key
from fakes.process import start_fake
from pollerkit import iso, source_lines
from test_connectors_google_workspace import WorkspaceKit, activity_id
from test_connectors_okta import OktaKit
from test_connectors_salesforce import SalesforceKit
from test_connectors_slack import SlackKit


@dataclass
class Setup:
    tenant: str
    credentials: dict
    ids: list


def okta_setup(kit):
    org = kit.new_org()
    client = kit.fake.control("POST", "oauth-clients", {"org": org["org"]})
    ids = kit.add_events(org["org"], 30, iso(3000), iso(60))
    return Setup(org["org"], {"client_id": client["client_id"], "private_key_pem": client["private_key"],
                              "key_id": client["kid"]}, ids)


def slack_setup(kit):
    enterprise = kit.new_enterprise()
    return Setup(enterprise["id"], {"token": enterprise["token"]}, kit.add_events(enterprise["id"], 30, iso(3000), iso(60)))


def workspace_setup(kit):
    customer, key = kit.new_customer()
    kit.add_events(customer["customer_id"], 30, iso(3000), iso(60), stream="login")
    ids = [activity_id(a) for a in kit.fake_events(customer["customer_id"], stream="login")]
    return Setup(customer["customer_id"], kit.credentials(key), ids)


def salesforce_setup(kit):
    org, connected = kit.new_org()
    ids = kit.add_events(org["org_id"], 30, iso(3000), iso(60), stream="LoginHistory")
    return Setup(org["org_id"], kit.credentials(org, connected), ids)


@dataclass
class Connector:
    kit: type
    fake: str
    data_path: str
    setup: object
    refreshes: bool           # an OAuth token (refreshed on a 401) rather than a fixed one
    bad: object               # credentials the platform refuses, from a Setup
    denied: object = None     # credentials without the permission to read the logs, or None


CONNECTORS = {
    "Okta": Connector(OktaKit, "fakes.okta", "^/api/v1/logs$", okta_setup, True,
                      lambda kit, s: dict(s.credentials, private_key_pem=new_key()[0]),
                      lambda kit, s: {"api_token": kit.fake.control("POST", "api-tokens",
                                                                      {"org": s.tenant, "admin": False})["api_token"]}),
    "Slack": Connector(SlackKit, "fakes.slack", "^/audit/v1/logs$", slack_setup, False,
                       lambda kit, s: {"token": "xoxp-1-2-3-" + "0" * 40},
                       lambda kit, s: {"token": kit.fake.control("POST", "tokens", {
                           "enterprise": s.tenant, "scopes": ["admin.teams:read"]})["token"]}),
    "GoogleWorkspace": Connector(WorkspaceKit, "fakes.google_workspace", "^/admin/reports/", workspace_setup, True,
                                 lambda kit, s: dict(s.credentials, private_key=new_key()[0]),
                                 lambda kit, s: dict(s.credentials, admin_email="clerk@acme.example")),
    "Salesforce": Connector(SalesforceKit, "fakes.salesforce", "^/services/data/", salesforce_setup, True,
                            lambda kit, s: dict(s.credentials, private_key_pem=new_key()[0])),
}


@pytest.fixture(scope="module")
def fakes(cert_dir, tmp_path_factory):
    started = {}
    logs = tmp_path_factory.mktemp("logs")

    def get(name):
        if name not in started:
            started[name] = start_fake(CONNECTORS[name].fake, cert_dir, seed=29, log_path=logs / f"{name}.log")
        return started[name]
    yield get
    for fake in started.values():
        fake.stop()


@pytest.fixture(params=list(CONNECTORS))
def connector(request, stack, fakes, cert_dir):
    spec = CONNECTORS[request.param]
    fake = fakes(request.param)
    fake.control("POST", "reset")
    kit = spec.kit(stack, fake, cert_dir)
    return spec, kit


def data_calls(kit, tenant):
    return kit.requests(kind="data", tenant=tenant)


def test_server_errors_are_retried(connector):
    spec, kit = connector
    setup = spec.setup(kit)
    source = kit.create_source(setup.credentials)
    kit.fault(path=spec.data_path, kind="503", count=1)
    kit.fault(path=spec.data_path, kind="500", count=1)
    proc = kit.poll(source)
    counts = by_key(kit.read())
    assert set(counts) == set(setup.ids) and max(counts.values()) == 1, (data_calls(kit, setup.tenant), proc.stderr[-3000:])
    assert [c["status"] for c in data_calls(kit, setup.tenant)[:3]] == [503, 500, 200]


def test_throttling_waits_for_retry_after(connector):
    spec, kit = connector
    setup = spec.setup(kit)
    source = kit.create_source(setup.credentials)
    kit.fault(path=spec.data_path, kind="429", count=1, retry_after=2)
    kit.poll(source)
    assert set(by_key(kit.read())) == set(setup.ids)
    calls = data_calls(kit, setup.tenant)
    assert [c["status"] for c in calls[:2]] == [429, 200]
    assert calls[1]["ts"] - calls[0]["ts"] >= 1.9


def test_a_refused_token_is_refreshed_once(connector):
    spec, kit = connector
    setup = spec.setup(kit)
    source = kit.create_source(setup.credentials)
    # The platform refuses the token in the middle of the run, as when it expires or is revoked.
    kit.fault(path=spec.data_path, kind="status", status=401, count=1, skip=1)
    proc = kit.run_poller("--source", source["source_id"])
    if spec.refreshes:
        assert proc.returncode == 0, proc.stderr
        assert len(kit.requests(kind="token", tenant=setup.tenant)) == 2
        assert [c["status"] for c in data_calls(kit, setup.tenant)].count(401) == 1
    else:
        # A fixed token cannot be refreshed: the platform's refusal is the source's failure.
        assert proc.returncode == 1
        assert source_lines(proc)[0]["error.kind"] == "bad credentials"
        return
    assert set(by_key(kit.read())) == set(setup.ids)


def test_bad_credentials_fail_the_source(connector):
    spec, kit = connector
    setup = spec.setup(kit)
    source = kit.create_source(spec.bad(kit, setup))
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["outcome"] == "error" and line["error.kind"] == "bad credentials"
    state = kit.source(source["source_id"])
    assert state["error_count"] == 1 and state["cursor"] == {}
    assert kit.topic_size() == 0


# The Salesforce fake has no user without the permission to read its logs.
@pytest.mark.parametrize("connector", [name for name, spec in CONNECTORS.items() if spec.denied], indirect=True)
def test_a_missing_permission_fails_the_stream(connector):
    spec, kit = connector
    setup = spec.setup(kit)
    source = kit.create_source(spec.denied(kit, setup))
    proc = kit.run_poller("--source", source["source_id"])
    line = source_lines(proc)[0]
    assert line["error.kind"] == "missing permission", line
    streams = kit.source(source["source_id"])["streams"]
    assert streams and all(s["state"] == "failing" for s in streams.values())
    assert kit.topic_size() == 0


def test_the_source_test_reads_a_page_of_each_stream_and_names_refused_credentials(connector):
    spec, kit = connector
    setup = spec.setup(kit)
    result = kit.test_draft(setup.credentials)
    assert result["ok"] is True, result
    statuses = {x["stream"]: x["status"] for x in result["results"]}
    assert set(statuses.values()) == {"ok"} and len(statuses) >= 1
    bad = kit.test_draft(spec.bad(kit, setup))
    assert bad["ok"] is False and {x["status"] for x in bad["results"]} == {"bad_credentials"}, bad
    assert kit.topic_size() == 0


def test_okta_rate_limit_headers_pace_the_poller(stack, fakes, cert_dir):
    """Okta says how many requests are left and when its window resets: the poller stops at zero
    and waits for the reset instead of running into 429s."""
    fake = fakes("Okta")
    fake.control("POST", "reset")
    fake.control("POST", "config", {"rate_limit": {"requests": 4, "window_s": 3}})
    kit = OktaKit(stack, fake, cert_dir)
    setup = okta_setup(kit)
    source = kit.create_source(setup.credentials, page_size=5)
    kit.poll(source)
    assert set(by_key(kit.read())) == set(setup.ids)
    calls = data_calls(kit, setup.tenant)
    assert len(calls) >= 7 and [c["status"] for c in calls].count(429) <= 1
    assert calls[-1]["ts"] - calls[0]["ts"] >= 2.5
