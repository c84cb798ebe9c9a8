"""The demo's fake SaaS platforms declared in connectors/ (#13): Okta, Google Workspace, Slack and
Salesforce, one setup function per fake, as scripts/democlouds.py does for the built-in clouds."""
import hashlib
from pathlib import Path

from democlouds import _gcp_key as rsa_key_pair
from democlouds import feed, source

# Obviously fake identities, fixed so that a second run finds what the first one registered.
OKTA_ORG = "contoso"
OKTA_TOKEN = "00demo-okta-api-token-not-real-000000000"
WORKSPACE = {"customer_id": "C0demo0001", "domain": "contoso.example", "admins": ["admin@contoso.example"]}
WORKSPACE_ACCOUNT = "siem-reports@contoso-prod.iam.gserviceaccount.com"
SLACK_ENTERPRISE = "E0DEMO0001"
SALESFORCE_ORG = "00D5gDEMO00000001EAA"
SALESFORCE_USER = "integration@contoso.example"
SALESFORCE_KEY = "3MVG9DEMO.consumer.key.not.real.0000000000000000"


def okta(fake, state_dir):
    """An org with a read-only admin's API token; its System Log."""
    fake.control("POST", "orgs", {"org": OKTA_ORG, "api_token": OKTA_TOKEN})
    feed(fake, "events", [{"tenant": OKTA_ORG, "count": 1500}], {"tenants": [OKTA_ORG], "batch": 2})
    return [source("Okta", "contoso-okta", {"api_token": OKTA_TOKEN}, okta_url=fake.base_url)]


def google_workspace(fake, state_dir):
    """A customer whose service account (key made here once) has domain-wide delegation; the
    collector acts as its admin and reads the login, admin, drive and token applications."""
    private, public = rsa_key_pair(Path(state_dir) / "workspace-key.pem")
    key_id = hashlib.sha1(public.encode()).hexdigest()
    fake.control("POST", "customers", WORKSPACE)
    fake.control("POST", "service-accounts", {"customer_id": WORKSPACE["customer_id"], "client_email": WORKSPACE_ACCOUNT,
                                              "public_key_pem": public, "private_key_id": key_id})
    apps = {"login": 600, "admin": 200, "drive": 700, "token": 200}
    feed(fake, "events", [{"tenant": WORKSPACE["customer_id"], "stream": app, "count": n} for app, n in apps.items()],
         {"tenants": [WORKSPACE["customer_id"]], "batch": 1})
    creds = {"client_email": WORKSPACE_ACCOUNT, "private_key": private, "private_key_id": key_id,
             "admin_email": WORKSPACE["admins"][0]}
    return [source("GoogleWorkspace", "contoso-workspace", creds, google_reports_url=fake.base_url,
                   google_token_url=f"{fake.base_url}/token")]


def slack(fake, state_dir):
    """An Enterprise organization and an Org Owner's user token with auditlogs:read."""
    fake.control("POST", "enterprises", {"id": SLACK_ENTERPRISE, "name": "Contoso", "domain": "contoso"})
    token = fake.control("POST", "tokens", {"enterprise": SLACK_ENTERPRISE})["token"]
    feed(fake, "events", [{"tenant": SLACK_ENTERPRISE, "count": 1200}], {"tenants": [SLACK_ENTERPRISE], "batch": 1})
    return [source("Slack", "contoso-slack", {"token": token}, slack_api_url=fake.base_url)]


def salesforce(fake, state_dir):
    """An org with a connected app (certificate key made here once) pre-authorized for the
    integration user; its Setup Audit Trail and Login History."""
    private, public = rsa_key_pair(Path(state_dir) / "salesforce-key.pem")
    fake.control("POST", "orgs", {"org_id": SALESFORCE_ORG, "domain": "contoso.example", "usernames": [SALESFORCE_USER]})
    fake.control("POST", "connected-apps", {"org_id": SALESFORCE_ORG, "consumer_key": SALESFORCE_KEY,
                                            "public_key_pem": public})
    feed(fake, "events", [{"tenant": SALESFORCE_ORG, "stream": "SetupAuditTrail", "count": 500},
                          {"tenant": SALESFORCE_ORG, "stream": "LoginHistory", "count": 900}],
         {"tenants": [SALESFORCE_ORG], "batch": 1})
    creds = {"consumer_key": SALESFORCE_KEY, "username": SALESFORCE_USER, "private_key_pem": private}
    return [source("Salesforce", "contoso-salesforce", creds, salesforce_instance_url=fake.base_url,
                   salesforce_login_url=fake.base_url)]


# name (var/pids/fake-<name>.pid), module under Tests/integration, what it stands for, setup
CLOUDS = [("okta", "fakes.okta", "Okta (System Log)", okta),
          ("workspace", "fakes.google_workspace", "Google Workspace (Reports API)", google_workspace),
          ("slack", "fakes.slack", "Slack (Audit Logs API)", slack),
          ("salesforce", "fakes.salesforce", "Salesforce (JWT bearer, SOQL)", salesforce)]
