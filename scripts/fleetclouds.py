"""The fleet benchmark's cloud side (scripts/bench_fleet.py): many customer identities in the
HTTPS fakes (Tests/integration/fakes/), each with one stream of events, and the API bodies of
the sources that read them.

An Identity is one customer account at one cloud (a Microsoft app in its own Entra tenant, a GCP
project with its service account, an AWS account with an access key). Every source reads one
stream, so a tick costs each source one token request (AWS: none, requests are signed) and one
data request (AWS: two, CloudTrail pages hold at most 50 events).
"""
import hashlib
import uuid
from dataclasses import dataclass

from fakes.gcpauth import new_key

LOOKBACK_MINUTES = 59           # first poll: one slice (the poller slices at 60 min) that holds the events
POLLING_MINUTES = 60            # sources polled in one tick are not due again during the benchmark
GCP_KEYS = 8                    # RSA keys shared by the GCP service accounts (making 500 takes minutes)
# The Google fake keeps every project's entries in one time-ordered list and reads them all to
# answer one project's entries.list: with 500 projects its CPU, not the poller, sets the pace.
# So the projects are spread over several fakes, as they would be over Google's servers.
GCP_PROJECTS_PER_FAKE = 20
AWS_REGION = "eu-west-1"


@dataclass
class Identity:
    platform: str
    key: str                    # the fake's per-customer key: Entra tenant, GCP project, AWS account
    fake: str                   # which fake serves it: microsoft | gcp-<n> | aws
    credentials: dict
    settings: dict

    def source_body(self, name):
        return {"platform": self.platform, "source_name": name, "api_credentials_json": self.credentials,
                "polling_interval_minutes": POLLING_MINUTES, "is_enabled": True,
                "settings": {"initial_lookback_minutes": LOOKBACK_MINUTES, **self.settings}}


def _uuid(*parts):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "fleet-bench/" + "/".join(map(str, parts))))


def microsoft(fake, platform, count):
    """`count` app registrations, each in its own tenant; a Microsoft365 source reads its directory
    audits, an AzureAD source its provisioning log."""
    fake.control("POST", "resources", {"resource": fake.base_url, "audience": "graph"})
    stream = {"Microsoft365": "directory_audits", "AzureAD": "provisioning"}[platform]
    out = []
    for i in range(count):
        tenant, client_id = _uuid(platform, "tenant", i), _uuid(platform, "app", i)
        secret = "fleet-secret-" + hashlib.sha256(client_id.encode()).hexdigest()[:32]
        fake.control("POST", "apps", {"tenant": tenant, "client_id": client_id, "client_secret": secret})
        out.append(Identity(platform, tenant, "microsoft",
                            {"tenant_id": tenant, "client_id": client_id, "client_secret": secret},
                            {"authority_host": fake.base_url, "graph_endpoint": fake.base_url, "streams": [stream]}))
    return out


def gcp_keys():
    return [new_key() for _ in range(GCP_KEYS)]


def gcp(fake, name, numbers, keys):
    """Projects `numbers`, each with its own service account (`keys`: a small pool of key pairs)."""
    out = []
    for i in numbers:
        project = f"fleet-proj-{i:04d}"
        private, public = keys[i % GCP_KEYS]
        key = fake.control("POST", "service-accounts", {
            "project_id": project, "client_email": f"collector@{project}.iam.gserviceaccount.com",
            "public_key_pem": public, "private_key_id": hashlib.sha1(f"{project}{public}".encode()).hexdigest()})["key"]
        key["private_key"] = private
        out.append(Identity("GCP", project, name, key, {"logging_endpoint": fake.base_url}))
    return out


def aws(fake, count):
    """`count` AWS accounts, each with an access key allowed to call LookupEvents."""
    out = []
    for i in range(count):
        account = f"{700000000000 + i:012d}"
        key_id = f"AKIAFLEET{i:011d}"
        secret = hashlib.sha256(f"fleet-aws-{i}".encode()).hexdigest()[:40]
        fake.control("POST", "keys", {"account": account, "access_key_id": key_id, "secret_access_key": secret})
        out.append(Identity("AWS", account, "aws",
                            {"access_key_id": key_id, "secret_access_key": secret, "region": AWS_REGION},
                            {"endpoint_url": fake.base_url}))
    return out


def add_events(fake, ident, count, start, end):
    """`count` new events of the identity's stream, stamped evenly over [start, end] (epoch s)."""
    if ident.platform in ("Microsoft365", "AzureAD"):
        stream = "directoryAudits" if ident.platform == "Microsoft365" else "provisioning"
        fake.control("POST", "events", {"tenant": ident.key, "stream": stream, "count": count,
                                        "start": start, "end": end, "return_ids": False})
    elif ident.platform == "GCP":
        fake.control("POST", "entries", {"project": ident.key, "log": "activity", "count": count,
                                         "start": start, "end": end, "return_ids": False, "return_entries": False})
    else:
        fake.control("POST", "events", {"account": ident.key, "region": AWS_REGION, "count": count,
                                        "start": start, "end": end, "return_ids": False})


def set_latency(fake, seconds):
    """Every request to the fake's cloud API (token and data; not /_control/) waits `seconds`
    first, as a request across the internet would: one queued `delay` fault that never runs out."""
    fake.control("DELETE", "faults")
    fake.control("POST", "faults", {"path": "^/", "kind": "delay", "delay_s": seconds, "count": 10**9})
