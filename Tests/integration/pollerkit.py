"""Helpers for the end-to-end poller tests: register sources through the API
against a fake cloud, run the real siem-poller binary, read Kafka back."""
import json
import os
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass

import appcert
from harness import kafka

HEALTH_LOG_TYPE = "collector_health"


def broker_command(control_socket, line, timeout=10.0):
    """One command to the stack's dev broker (see siem-devbroker --control-socket)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(control_socket)
        s.sendall(line.encode() + b"\n")
        reply = b""
        while b"\n" not in reply and len(reply) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    text = reply.decode().strip()
    assert text.startswith("ok"), f"{line!r} -> {text!r}"
    return text


@dataclass
class MicrosoftApp:
    tenant: str       # the customer's directory (Entra) tenant id
    client_id: str
    secret: str | None
    certificate: appcert.AppCert | None = None   # registered instead of the secret

    def credentials(self, pkcs1=False):
        """The source's `api_credentials_json`: the certificate (with its key) if it has one, else the secret."""
        if self.certificate:
            return self.certificate.credentials(self.tenant, self.client_id, pkcs1=pkcs1)
        return {"tenant_id": self.tenant, "client_id": self.client_id, "client_secret": self.secret}


class KitBase:
    """What every provider's end-to-end test needs: a fresh topic and SIEM tenant, the API,
    the poller binary and Kafka. Subclasses add their fake cloud's setup."""

    def __init__(self, stack, fake, cert_dir):
        self.stack = stack
        self.fake = fake
        self.cert_dir = cert_dir
        self.topic = f"events-{uuid.uuid4().hex[:10]}"
        broker_command(stack.env["SIEM_KAFKA_CONTROL"], f"create-topic {self.topic} 3")
        self.siem_tenant = f"soc-{uuid.uuid4().hex[:8]}"
        self.admin = stack.session(stack.token(tenant=self.siem_tenant, roles=["admin"]))

    def fault(self, **rule):
        return self.fake.control("POST", "faults", rule)

    def requests(self, **query):
        return self.fake.control("GET", "requests", **query)["value"]

    def post_source(self, platform, credentials, **settings):
        body = {"platform": platform, "source_name": f"src-{uuid.uuid4().hex[:8]}",
                "api_credentials_json": credentials, "polling_interval_minutes": 15,
                "settings": {"initial_lookback_minutes": 180, **settings}}
        r = self.admin.post(f"{self.stack.url}/v1/cloud_api_sources", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def source(self, source_id):
        r = self.admin.get(f"{self.stack.url}/v1/cloud_api_sources/{source_id}")
        assert r.status_code == 200, r.text
        return r.json()

    # -- poller ---------------------------------------------------------------------------
    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "AWS_CA_BUNDLE", "SSL_CERT_FILE")}
        env.update({
            "SIEM_POLLER_DATABASE_URL": self.stack.env["SIEM_POLLER_DATABASE_URL"],
            "SIEM_MASTER_KEY_FILE": self.stack.env["SIEM_MASTER_KEY_FILE"],
            "KAFKA_BROKERS": self.stack.env["KAFKA_BROKERS"],
            "KAFKA_TOPIC": self.topic,
            "SIEM_CA_BUNDLE": str(self.cert_dir / "ca.pem"),
            "SIEM_PROVIDER_HOST_ALLOWLIST": self.stack.env["SIEM_PROVIDER_HOST_ALLOWLIST"],
        })
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def poller_args(self, *args):
        return [self.stack.bin("siem-poller"), "run", *args]

    def run_poller(self, *args, timeout=120, **env):
        proc = subprocess.run(self.poller_args(*args), env=self.env(**env), capture_output=True,
                              text=True, timeout=timeout)
        proc.log = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
        return proc

    def poll(self, source, *args, **env):
        """Poll one source now (as an operator's --source would), asserting success."""
        proc = self.run_poller("--source", source["source_id"], *args, **env)
        assert proc.returncode == 0, proc.stderr
        return proc

    def topic_size(self):
        """Collected events in the topic (the poller's collector_health events are not counted)."""
        ends = kafka.partition_ends(self.stack.env["KAFKA_BROKERS"], self.topic)
        total = sum(hi - lo for lo, hi in ends.values())
        return total - len(self.read_health()) if total else 0

    def _read_all(self, timeout=30):
        return kafka.read_topic(self.stack.env["KAFKA_BROKERS"], self.topic, timeout=timeout)

    def read(self, timeout=30):
        """The collected events in the topic, without the poller's own collector_health events
        (those share the topic by design; read_health() returns them)."""
        return [m for m in self._read_all(timeout) if m.headers.get("log_type") != HEALTH_LOG_TYPE]

    def read_health(self, timeout=30):
        return [m for m in self._read_all(timeout) if m.headers.get("log_type") == HEALTH_LOG_TYPE]


class PollerKit(KitBase):
    """Microsoft365 and AzureAD sources against the fake Microsoft cloud."""

    def __init__(self, stack, fake, cert_dir):
        super().__init__(stack, fake, cert_dir)
        # The poller names the fake's own URL as the token scope's resource, as it
        # would a national cloud or a proxy in front of Graph.
        fake.control("POST", "resources", {"resource": fake.base_url, "audience": "graph"})

    def enable_arm(self):
        """The same fake under the name `localhost` (its certificate covers it), registered as
        the Azure Resource Manager resource, so Graph and ARM tokens have distinct audiences.
        Returns the URL to use as the source's `management_endpoint`."""
        url = f"https://localhost:{self.fake.port}"
        self.fake.control("POST", "resources", {"resource": url, "audience": "management"})
        return url

    # -- fake cloud ---------------------------------------------------------------------
    def new_app(self, certificate=False):
        """An app registration with a secret, or (certificate=True) with a new certificate only."""
        tenant, client_id = str(uuid.uuid4()), str(uuid.uuid4())
        if certificate:
            app = MicrosoftApp(tenant, client_id, None, appcert.make(f"siem-{client_id[:8]}"))
            credential = {"certificate_pem": app.certificate.cert_pem}
        else:
            app = MicrosoftApp(tenant, client_id, f"secret-{uuid.uuid4().hex}")
            credential = {"client_secret": app.secret}
        self.fake.control("POST", "apps", {"tenant": tenant, "client_id": client_id, **credential})
        return app

    def add_events(self, app, stream, count, start, end, **extra):
        """`extra`: e.g. subscription=... for activityLogs."""
        return self.fake.control("POST", "events", {"tenant": app.tenant, "stream": stream, "count": count,
                                                    "start": start, "end": end, **extra})["ids"]

    def fake_events(self, app, stream, **query):
        return self.fake.control("GET", "events", tenant=app.tenant, stream=stream, **query)["value"]

    # -- API ------------------------------------------------------------------------------
    def create_source(self, app, platform="Microsoft365", secret=None, credentials=None, **settings):
        """`secret` overrides the app's secret; `credentials` replaces the app's credentials altogether."""
        settings = {"authority_host": self.fake.base_url, "graph_endpoint": self.fake.base_url, **settings}
        if credentials is None:
            credentials = dict(app.credentials(), client_secret=secret) if secret else app.credentials()
        return self.post_source(platform, credentials, **settings)

class GCPKit(KitBase):
    """GCP sources against the fake Google Cloud (fakes/gcp.py)."""

    def new_account(self, project=None, readable=()):
        """A service account with a fresh key made by the fake; returns the key JSON."""
        project = project or f"proj-{uuid.uuid4().hex[:8]}"
        return self.fake.control("POST", "service-accounts", {"project_id": project,
                                                              "readable_projects": list(readable)})["key"]

    def add_entries(self, project, count, start, end, log="activity"):
        """Generated audit entries; returns the poller's event ids for them."""
        made = self.fake.control("POST", "entries", {"project": project, "count": count, "start": start,
                                                     "end": end, "log": log})["entries"]
        return [gcp_event_id(e) for e in made]

    def fake_entries(self, project):
        return self.fake.control("GET", "entries", project=project)["entries"]

    def create_source(self, key, **settings):
        return self.post_source("GCP", key, **{"logging_endpoint": self.fake.base_url, **settings})


def gcp_event_id(entry):
    """The poller's event id for a LogEntry: insertId is unique only within its log."""
    return f"{entry['logName']}#{entry['insertId']}"


def iso(seconds_ago):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds_ago))


def source_lines(proc):
    return [line for line in proc.log if line.get("msg") == "source polled"]
