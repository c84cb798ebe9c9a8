"""No server-side request forgery through settings (security issue #10, item 3).

A tenant admin may point a source's endpoints only at the platform's public hosts (of the
source's national cloud) or at hosts the operator allowed in SIEM_PROVIDER_HOST_ALLOWLIST
(the test stack allows 127.0.0.1, localhost and *.example.test). Anything else is refused with
400 naming the field, and neither siem-api's source test nor the poller ever connects there,
whatever the row in the database says."""
import socket
import threading
import uuid

import pytest

import sample_sources
from pollerkit import PollerKit, source_lines

# 127.0.0.2 is loopback but not allowlisted: it stands for an internal service
# (a metadata endpoint, an admin console) that a tenant must never make us call.
INTERNAL_HOST = "127.0.0.2"


class Listener:
    """A TCP listener on the internal host that counts connections and answers with a canary."""

    CANARY = f"internal-service-body-{uuid.uuid4().hex}"

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((INTERNAL_HOST, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self):
        return f"https://{INTERNAL_HOST}:{self.port}"

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(self.CANARY)}\r\n\r\n{self.CANARY}".encode())

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def internal():
    listener = Listener()
    yield listener
    listener.close()


def sources_url(stack):
    return f"{stack.url}/v1/cloud_api_sources"


def endpoint_cases(url):
    """(platform, body changes, the field the API must name) for every endpoint a source can set."""
    gcp = sample_sources.credentials("GCP")
    return [
        ("Microsoft365", {"settings": {"authority_host": url}}, "settings.authority_host"),
        ("Microsoft365", {"settings": {"graph_endpoint": url}}, "settings.graph_endpoint"),
        ("AzureAD", {"settings": {"management_endpoint": url}}, "settings.management_endpoint"),
        ("GCP", {"settings": {"logging_endpoint": url}}, "settings.logging_endpoint"),
        ("AWS", {"settings": {"endpoint_url": url}}, "settings.endpoint_url"),
        ("GCP", {"api_credentials_json": dict(gcp, token_uri=f"{url}/token")}, "api_credentials_json.token_uri"),
    ]


@pytest.mark.parametrize("case", range(6))
def test_every_endpoint_outside_the_platforms_hosts_is_refused_by_name(stack, admin, internal, case):
    platform, changes, field = endpoint_cases(internal.url)[case]
    body = dict(sample_sources.body(platform), **changes)
    r = admin.post(sources_url(stack), json=body)
    assert r.status_code == 400, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert field in [e["field"] for e in r.json()["errors"]]
    assert admin.get(sources_url(stack)).json()["items"] == []
    # The source test refuses the same body without calling anything.
    r = admin.post(f"{sources_url(stack)}/test", json=body)
    assert r.status_code == 400 and field in r.text
    assert internal.CANARY not in r.text
    assert internal.connections == 0


@pytest.mark.parametrize("url", [
    "https://169.254.169.254/latest/meta-data",            # a cloud metadata service
    "https://graph.microsoft.com.evil.example/",           # a lookalike suffix
    "https://evilgraph.microsoft.com/",                     # a lookalike label
    "https://graph.microsoft.com:8443@127.0.0.2/",          # user information naming another host
    "https://GRAPH.microsoft.com.internal/",
])
def test_lookalikes_of_public_hosts_are_refused(stack, admin, url):
    r = admin.post(sources_url(stack), json=sample_sources.body(settings={"graph_endpoint": url}))
    assert r.status_code == 400, r.text
    assert "settings.graph_endpoint" in [e["field"] for e in r.json()["errors"]]


def test_public_hosts_of_the_sources_national_cloud_are_accepted(stack, admin):
    accepted = [
        ("Microsoft365", {"cloud": "usgov", "authority_host": "https://login.microsoftonline.us",
                          "graph_endpoint": "https://graph.microsoft.us/"}),
        ("AzureAD", {"cloud": "china", "management_endpoint": "https://management.chinacloudapi.cn"}),
        ("GCP", {"logging_endpoint": "https://logging.googleapis.com"}),
        ("AWS", {"endpoint_url": "https://cloudtrail-fips.us-gov-west-1.amazonaws.com"}),
        ("AWS", {"endpoint_url": "https://vpce-0a1b2c3d.cloudtrail.eu-west-1.vpce.amazonaws.com"}),
    ]
    for platform, settings in accepted:
        r = admin.post(sources_url(stack), json=sample_sources.body(platform, settings=settings))
        assert r.status_code == 201, (settings, r.text)
    # Another cloud's host is not this cloud's: GCC High's Graph for a global source.
    r = admin.post(sources_url(stack), json=sample_sources.body(settings={"graph_endpoint": "https://graph.microsoft.us"}))
    assert r.status_code == 400 and "settings.graph_endpoint" in r.text


def test_a_put_cannot_move_an_endpoint_outside_and_changes_nothing(stack, admin, internal):
    created = admin.post(sources_url(stack), json=sample_sources.body()).json()
    url = f"{sources_url(stack)}/{created['source_id']}"
    r = admin.put(url, json={"platform": "Microsoft365", "source_name": created["source_name"],
                             "settings": {"graph_endpoint": internal.url}})
    assert r.status_code == 400 and "settings.graph_endpoint" in r.text
    assert admin.get(url).json()["settings"] == {}


def test_the_poller_and_the_stored_source_test_refuse_a_row_written_around_the_api(
        stack, ms_fake, cert_dir, db, internal):
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    source = kit.create_source(app, streams=["directory_audits"])
    # As psql, an old version or a narrowed allowlist could have left it.
    db.execute("UPDATE cloud_api_sources SET settings = settings || jsonb_build_object('graph_endpoint', %s::text) "
               "WHERE source_id = %s", (internal.url, source["source_id"]))
    proc = kit.run_poller("--source", source["source_id"])
    assert proc.returncode == 1
    line = source_lines(proc)[0]
    assert line["error.kind"] == "configuration" and "settings.graph_endpoint" in line["error"]
    r = kit.admin.post(f"{sources_url(stack)}/{source['source_id']}/test")
    assert r.status_code == 200
    assert {x["status"] for x in r.json()["results"]} == {"error"}
    assert "settings.graph_endpoint" in r.text and internal.CANARY not in r.text
    assert internal.connections == 0
    assert len(kit.requests(kind="token", tenant=app.tenant)) == 0
