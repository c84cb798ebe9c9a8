"""Seeded generator of Cloud Logging LogEntry records carrying Cloud Audit Logs.

Field names and nesting follow the LogEntry and google.cloud.audit.AuditLog reference:
protoPayload{@type, status, authenticationInfo, requestMetadata{callerIp,
callerSuppliedUserAgent, requestAttributes, destinationAttributes}, serviceName, methodName,
authorizationInfo[], resourceName, request, resourceLocation}, insertId, resource{type,labels},
timestamp, severity, logName (`projects/<p>/logs/cloudaudit.googleapis.com%2F<log>`),
receiveTimestamp, operation. Every entry comes from its own RNG seeded by
(seed, project, log, serial). About one in six carries awkward text.
"""
from __future__ import annotations

import random

from .gcpfilter import NS, format_ns
from .msgen import AWKWARD, FIRST, LAST, UPN_LOCAL

AUDIT_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog"
LOGS = ("activity", "data_access", "system_event", "policy")
OTHER_LOGS = ("syslog", "run.googleapis.com%2Frequests")   # not audit logs: the default filter skips them
ZONES = ["europe-west1-b", "us-central1-a", "asia-northeast1-c", "southamerica-east1-a"]
AGENTS = ["google-cloud-sdk gcloud/471.0.0 command/gcloud.compute.instances.create",
          "Terraform/1.7.5 (+https://www.terraform.io) Terraform-Plugin-SDK/2.10.1 terraform-provider-google/5.22.0",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0,gzip(gfe)",
          "google-api-go-client/0.5 kubernetes-engine", "(gzip),gzip(gfe)"]
# (service, method, permission, resource type, log)
OPERATIONS = {
    "activity": [
        ("compute.googleapis.com", "v1.compute.instances.insert", "compute.instances.create", "gce_instance"),
        ("compute.googleapis.com", "v1.compute.firewalls.patch", "compute.firewalls.update", "gce_firewall_rule"),
        ("storage.googleapis.com", "storage.buckets.create", "storage.buckets.create", "gcs_bucket"),
        ("storage.googleapis.com", "storage.setIamPermissions", "storage.buckets.setIamPolicy", "gcs_bucket"),
        ("iam.googleapis.com", "google.iam.admin.v1.CreateServiceAccountKey", "iam.serviceAccountKeys.create",
         "service_account"),
        ("cloudresourcemanager.googleapis.com", "SetIamPolicy", "resourcemanager.projects.setIamPolicy", "project"),
        ("container.googleapis.com", "google.container.v1.ClusterManager.CreateCluster", "container.clusters.create",
         "gke_cluster"),
    ],
    "data_access": [
        ("storage.googleapis.com", "storage.objects.get", "storage.objects.get", "gcs_bucket"),
        ("bigquery.googleapis.com", "google.cloud.bigquery.v2.JobService.InsertJob", "bigquery.jobs.create",
         "bigquery_project"),
        ("secretmanager.googleapis.com", "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion",
         "secretmanager.versions.access", "audited_resource"),
    ],
    "system_event": [
        ("compute.googleapis.com", "compute.instances.migrateOnHostMaintenance", "", "gce_instance"),
        ("compute.googleapis.com", "compute.instances.preempted", "", "gce_instance"),
    ],
    "policy": [
        ("storage.googleapis.com", "storage.objects.list", "storage.objects.list", "gcs_bucket"),
    ],
}
FAILURES = [(7, "PERMISSION_DENIED"), (5, "NOT_FOUND"), (3, "Invalid value for field 'resource.name'"),
            (9, "The resource 'projects/x/zones/y/instances/z' is not ready")]


def rng_for(seed: int, project: str, log: str, serial: int) -> random.Random:
    return random.Random(f"gcp/{seed}/{project}/{log}/{serial}")


def insert_id(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    body = "".join(rng.choice(alphabet) for _ in range(12))
    return ("-" + body) if rng.random() < 0.3 else body


def _ip(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.08:
        return "private"            # Google's value for calls from inside a VPC
    if r < 0.12:
        return "gce-internal-ip"
    if r < 0.25:
        return f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
    return f"{rng.randint(20, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _principal(rng: random.Random, project: str) -> str:
    if rng.random() < 0.35:
        return f"{rng.choice(['deployer', 'ci-runner', 'backup'])}@{project}.iam.gserviceaccount.com"
    f, l = rng.choice(FIRST), rng.choice(LAST)
    return f"{UPN_LOCAL[f, l].strip('.') or 'user'}{rng.randint(1, 99)}@example.com"


def _resource(rng: random.Random, project: str, rtype: str) -> tuple[str, dict]:
    zone = rng.choice(ZONES)
    labels = {"project_id": project}
    if rtype == "gce_instance":
        iid = str(rng.randrange(10**18, 10**19))
        labels.update(zone=zone, instance_id=iid)
        return f"projects/{project}/zones/{zone}/instances/vm-{rng.randrange(100):02d}", labels
    if rtype == "gce_firewall_rule":
        labels.update(firewall_rule_id=str(rng.randrange(10**18, 10**19)))
        return f"projects/{project}/global/firewalls/allow-ssh-{rng.randrange(10)}", labels
    if rtype == "gcs_bucket":
        bucket = f"{project}-data-{rng.randrange(100)}"
        labels.update(bucket_name=bucket, location=zone.rsplit("-", 1)[0])
        obj = rng.choice(["reports/2026/q4.csv", "backups/db.sql.gz", "naïve café/übersicht.pdf"])
        return f"projects/_/buckets/{bucket}/objects/{obj}", labels
    if rtype == "service_account":
        labels.update(email_id=f"deployer@{project}.iam.gserviceaccount.com",
                      unique_id=str(rng.randrange(10**20, 10**21)))
        return f"projects/-/serviceAccounts/{labels['unique_id']}", labels
    if rtype == "gke_cluster":
        labels.update(cluster_name=f"prod-{rng.randrange(5)}", location=zone)
        return f"projects/{project}/locations/{zone}/clusters/{labels['cluster_name']}", labels
    if rtype == "bigquery_project":
        labels.update(location="EU")
        return f"projects/{project}/jobs/bquxjob_{rng.getrandbits(32):08x}", labels
    return f"projects/{project}", labels


def audit_entry(rng: random.Random, ns: int, project: str, log: str) -> dict:
    awk = rng.random() < 0.17
    service, method, permission, rtype = rng.choice(OPERATIONS[log])
    resource_name, labels = _resource(rng, project, rtype)
    failed = log == "policy" or rng.random() < 0.12
    system = log == "system_event"
    payload: dict = {"@type": AUDIT_TYPE}
    code = 0
    if failed:
        # VPC Service Controls / org-policy denials are always PERMISSION_DENIED.
        code, message = FAILURES[0] if log == "policy" else rng.choice(FAILURES)
        payload["status"] = {"code": code, "message": rng.choice(AWKWARD) if awk else message}
    elif log == "activity":
        payload["status"] = {}          # proto3 JSON: an OK status has no fields
    if system:
        payload["authenticationInfo"] = {}
    else:
        email = _principal(rng, project)
        payload["authenticationInfo"] = {"principalEmail": email,
                                         "principalSubject": ("serviceAccount:" if "gserviceaccount" in email
                                                              else "user:") + email}
        payload["requestMetadata"] = {
            "callerIp": _ip(rng),
            "callerSuppliedUserAgent": rng.choice(AWKWARD) if awk else rng.choice(AGENTS),
            "requestAttributes": {"time": format_ns(ns), "auth": {}},
            "destinationAttributes": {},
        }
    payload["serviceName"] = service
    payload["methodName"] = method
    if permission:
        payload["authorizationInfo"] = [{"resource": resource_name, "permission": permission,
                                         "granted": code != 7, "resourceAttributes": {}}]
    payload["resourceName"] = resource_name
    request_type = f"{method}Request" if method.startswith("google.") else method.removeprefix("v1.")
    payload["request"] = {"@type": f"type.googleapis.com/{request_type}", "name": resource_name}
    payload["resourceLocation"] = {"currentLocations": [labels.get("zone", "global")]}
    entry = {
        "protoPayload": payload,
        "insertId": insert_id(rng),
        "resource": {"type": rtype, "labels": labels},
        "timestamp": format_ns(ns),
        "severity": "ERROR" if failed else ("INFO" if log == "data_access" else "NOTICE"),
        "logName": f"projects/{project}/logs/cloudaudit.googleapis.com%2F{log}",
        "receiveTimestamp": format_ns(ns + rng.randint(20_000_000, 2 * NS)),
    }
    if log == "activity" and rng.random() < 0.4:
        entry["operation"] = {"id": f"operation-{ns // 1_000_000}-{rng.getrandbits(40):010x}",
                              "producer": service, "first": True}
    return entry


def other_entry(rng: random.Random, ns: int, project: str, log: str) -> dict:
    """A non-audit entry (syslog line, Cloud Run request log) that an audit filter must skip."""
    entry = {"insertId": insert_id(rng), "timestamp": format_ns(ns), "severity": "INFO",
             "logName": f"projects/{project}/logs/{log}", "receiveTimestamp": format_ns(ns + 50_000_000),
             "resource": {"type": "gce_instance", "labels": {"project_id": project, "zone": rng.choice(ZONES),
                                                              "instance_id": str(rng.randrange(10**18, 10**19))}}}
    if log == "syslog":
        entry["textPayload"] = rng.choice(["sshd[812]: Accepted publickey for deploy", "kernel: eth0 link up",
                                           rng.choice(AWKWARD)])
    else:
        entry["httpRequest"] = {"requestMethod": "GET", "requestUrl": "https://svc.example.com/health",
                                "status": 200, "remoteIp": _ip(rng), "latency": "0.004s"}
    return entry


def entry(rng: random.Random, ns: int, project: str, log: str) -> dict:
    return audit_entry(rng, ns, project, log) if log in LOGS else other_entry(rng, ns, project, log)


def log_name(project: str, log: str) -> str:
    return f"projects/{project}/logs/cloudaudit.googleapis.com%2F{log}" if log in LOGS \
        else f"projects/{project}/logs/{log}"
