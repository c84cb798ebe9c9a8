"""The demo's fake clouds, one setup function per fake (see Tests/integration/fakes/).

Each function takes a running fake (a fakes.process.FakeClient) and the demo's state directory,
registers the demo's identities in it, gives a fresh fake a few hours of backlog, keeps its live
stream of new events going, and returns the API bodies of the sources that collect from it.
Every step is safe to repeat on a fake a previous run set up.
"""
import hashlib
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from fakes.gcpauth import new_key

BACKLOG_S = 6 * 3600            # history a fresh fake starts with
LOOKBACK_MINUTES = 480          # a new source's first poll reaches back past all of it
STREAM = {"enabled": True, "interval_s": 5}

# Obviously fake identities, fixed so that a second run finds what the first one registered.
MS_TENANT = "00000000-0000-4000-8000-0000000000d1"
MS_APP = {"tenant": MS_TENANT, "client_id": "00000000-0000-4000-8000-0000000000c1",
          "client_secret": "demo-client-secret-not-real"}
AZURE_SUBSCRIPTIONS = ["00000000-0000-4000-8000-00000000a001", "00000000-0000-4000-8000-00000000a002"]
GCP_PROJECT = "contoso-prod"
GCP_ACCOUNT = f"siem-collector@{GCP_PROJECT}.iam.gserviceaccount.com"
GCP_CLIENT_ID = "100000000000000000d01"
AWS_KEY = {"account": "123456789012", "access_key_id": "AKIADEMO0000NOTREAL1",
           "secret_access_key": "demo/secret/access/key/not/real/000000000"}
AWS_REGION = "eu-west-1"


def source(platform, name, credentials, **settings):
    """A source body for POST /v1/cloud_api_sources, polled every minute."""
    return {"platform": platform, "source_name": name, "api_credentials_json": credentials,
            "polling_interval_minutes": 1, "is_enabled": True,
            "settings": {"initial_lookback_minutes": LOOKBACK_MINUTES, **settings}}


def feed(fake, path, backlog, stream):
    """Seed a fake that never streamed with BACKLOG_S of events (`backlog`: control bodies for
    POST /_control/<path>, each with a count), then (re)start its live stream."""
    status = fake.control("GET", "stream")
    if "added" not in status:
        now = time.time()
        for body in backlog:
            fake.control("POST", path, {**body, "start": now - BACKLOG_S, "end": now - 60,
                                        "return_ids": False, "return_entries": False}, timeout=120)
    if not status.get("enabled"):
        fake.control("POST", "stream", {**STREAM, **stream})


def microsoft(fake, state_dir):
    """One Entra tenant and app registration, read by a Microsoft365 source (directory audits,
    sign-ins) and an AzureAD source (risk detections, provisioning, and the activity logs of two
    subscriptions). The fake serves Graph as 127.0.0.1 and, so that tokens for the two differ in
    audience as they do in Azure, Resource Manager as localhost."""
    arm = f"https://localhost:{fake.port}"
    fake.control("POST", "apps", MS_APP)
    fake.control("POST", "resources", {"resource": fake.base_url, "audience": "graph"})
    fake.control("POST", "resources", {"resource": arm, "audience": "management"})
    for sub in AZURE_SUBSCRIPTIONS:
        fake.control("POST", "subscriptions", {"tenant": MS_TENANT, "subscription_id": sub})
    backlog = [{"stream": "directoryAudits", "count": 600}, {"stream": "signIns", "count": 900},
               {"stream": "provisioning", "count": 400}, {"stream": "riskDetections", "count": 60},
               *({"stream": "activityLogs", "subscription": sub, "count": 500} for sub in AZURE_SUBSCRIPTIONS)]
    feed(fake, "events", [{"tenant": MS_TENANT, **b} for b in backlog], {"tenants": [MS_TENANT], "batch": 2})
    creds = {"tenant_id": MS_TENANT, "client_id": MS_APP["client_id"], "client_secret": MS_APP["client_secret"]}
    graph = {"authority_host": fake.base_url, "graph_endpoint": fake.base_url}
    return [source("Microsoft365", "contoso-m365", creds, **graph),
            source("AzureAD", "contoso-entra", creds, **graph, management_endpoint=arm,
                   subscription_ids=AZURE_SUBSCRIPTIONS)]


def gcp(fake, state_dir):
    """A service account whose RSA key is made here once (kept in the state directory); the fake
    gets its public half to check the poller's token assertions. Audit logs of its project, and a
    non-audit log the source's default filter leaves out."""
    private, public = _gcp_key(Path(state_dir) / "gcp-key.pem")
    key = fake.control("POST", "service-accounts", {
        "project_id": GCP_PROJECT, "client_email": GCP_ACCOUNT, "public_key_pem": public,
        "private_key_id": hashlib.sha1(public.encode()).hexdigest()})["key"]
    backlog = [{"log": "activity", "count": 700}, {"log": "data_access", "count": 1200},
               {"log": "system_event", "count": 100}, {"log": "syslog", "count": 300}]
    feed(fake, "entries", [{"project": GCP_PROJECT, **b} for b in backlog],
         {"projects": [GCP_PROJECT], "logs": ["activity", "data_access", "system_event"], "batch": 1})
    key.update(private_key=private, client_id=GCP_CLIENT_ID)   # the fake numbers accounts at random
    return [source("GCP", "contoso-gcp", key, logging_endpoint=fake.base_url)]


def _gcp_key(path):
    """(private PEM, public PEM) of the demo's service-account key, made on first use."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(new_key()[0])
    private = path.read_text()
    public = serialization.load_pem_private_key(private.encode(), None).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def aws(fake, state_dir):
    """An IAM user's access key allowed to call CloudTrail LookupEvents in one account; its
    management events in one region."""
    fake.control("POST", "keys", {**AWS_KEY, "user_name": "siem-reader"})
    feed(fake, "events", [{"account": AWS_KEY["account"], "region": AWS_REGION, "count": 1500}],
         {"accounts": [AWS_KEY["account"]], "regions": [AWS_REGION], "batch": 3})
    creds = {"access_key_id": AWS_KEY["access_key_id"], "secret_access_key": AWS_KEY["secret_access_key"],
             "region": AWS_REGION}
    return [source("AWS", "contoso-aws", creds, endpoint_url=fake.base_url)]


# name (var/pids/fake-<name>.pid), module under Tests/integration, what it stands for, setup
CLOUDS = [("microsoft", "fakes.microsoft", "Microsoft (Entra ID, Graph, Azure Resource Manager)", microsoft),
          ("gcp", "fakes.gcp", "Google Cloud (OAuth, Cloud Logging)", gcp),
          ("aws", "fakes.aws", "AWS (CloudTrail)", aws)]
