"""The fleet benchmark's connector side (scripts/bench_fleet.py): customers of the four declared
platforms (connectors/*.json) in their HTTPS fakes (Tests/integration/fakes/okta.py,
google_workspace.py, slack.py, salesforce.py), one stream each, as fleetclouds.Identity.

Each customer is a tenant of its fake (Okta org, Workspace customer, Slack enterprise,
Salesforce org). A tick costs a source one data request (100 events fit one page of every API)
plus, where the connector signs a JWT, one token request (Workspace, Salesforce).

The connectors pace by what their declaration names (Okta: the org URL, Salesforce: the instance
URL): in the fakes every org of one process shares its URL, so its budget (60 and 100 requests a
minute) would be shared by orgs that each have their own at the real API. Hence a fake holds at
most CONNECTOR_CUSTOMERS_PER_FAKE customers, under every connector's per-minute budget.
"""
import hashlib
import os

from fleetclouds import Identity

CONNECTORS = ("Okta", "GoogleWorkspace", "Slack", "Salesforce")
CONNECTOR_CUSTOMERS_PER_FAKE = int(os.environ.get("FLEET_CONNECTOR_CUSTOMERS_PER_FAKE", "50"))
# The fake module and the stream (fake's name, connector's name) each platform's sources read.
FAKE_MODULE = {"Okta": "okta", "GoogleWorkspace": "google_workspace", "Slack": "slack", "Salesforce": "salesforce"}
STREAM = {"Okta": ("logs", "system_log"), "GoogleWorkspace": ("login", "login_activity"),
          "Slack": ("logs", "audit_logs"), "Salesforce": ("SetupAuditTrail", "setup_audit_trail")}


def customers(platform, fake, name, numbers, keys):
    """Customers `numbers` of `platform` in `fake` (named `name` in the benchmark); `keys`: RSA
    key pairs shared by the JWT-signing ones (making one per customer takes minutes)."""
    make = {"Okta": _okta, "GoogleWorkspace": _workspace, "Slack": _slack, "Salesforce": _salesforce}[platform]
    out = []
    for i in numbers:
        key, credentials, settings = make(fake, i, keys[i % len(keys)])
        out.append(Identity(platform, key, name, credentials,
                            {**settings, "streams": [STREAM[platform][1]]}))
    return out


def _okta(fake, i, _key):
    org = fake.control("POST", "orgs", {"org": f"fleet-okta-{i:04d}"})
    return org["org"], {"api_token": org["api_token"]}, {"okta_url": fake.base_url}


def _workspace(fake, i, key):
    private, public = key
    domain = f"fleet{i:04d}.example"
    customer = fake.control("POST", "customers", {"customer_id": f"C0fleet{i:04d}", "domain": domain,
                                                  "admins": [f"admin@{domain}"]})["customer_id"]
    account = fake.control("POST", "service-accounts", {
        "customer_id": customer, "client_email": f"reports-{i:04d}@fleet-bench.iam.gserviceaccount.com",
        "public_key_pem": public, "private_key_id": hashlib.sha1(f"{customer}{public}".encode()).hexdigest()})["key"]
    return customer, {"client_email": account["client_email"], "private_key": private,
                      "private_key_id": account["private_key_id"], "admin_email": f"admin@{domain}"}, \
        {"google_reports_url": fake.base_url, "google_token_url": f"{fake.base_url}/token"}


def _slack(fake, i, _key):
    enterprise = fake.control("POST", "enterprises", {"id": f"EFLEET{i:04d}", "domain": f"fleet{i:04d}"})["id"]
    token = fake.control("POST", "tokens", {"enterprise": enterprise})["token"]
    return enterprise, {"token": token}, {"slack_api_url": fake.base_url}


def _salesforce(fake, i, key):
    private, public = key
    org = fake.control("POST", "orgs", {"org_id": f"00DFLEET{i:07d}EAA", "domain": f"fleet{i:04d}.example"})
    app = fake.control("POST", "connected-apps", {"org_id": org["org_id"], "public_key_pem": public,
                                                  "consumer_key": f"3MVG9fleet{i:04d}" + "x" * 20})
    return org["org_id"], {"consumer_key": app["consumer_key"], "username": org["users"][0]["Username"],
                           "private_key_pem": private}, \
        {"salesforce_instance_url": fake.base_url, "salesforce_login_url": fake.base_url}


def add_events(fake, ident, count, start, end):
    """`count` new events of the customer's one stream, stamped evenly over [start, end] (epoch s)."""
    fake.control("POST", "events", {"tenant": ident.key, "stream": STREAM[ident.platform][0], "count": count,
                                    "start": start, "end": end, "return_ids": False})
