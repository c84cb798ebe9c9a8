"""Seeded generator of Salesforce SetupAuditTrail and LoginHistory rows, and the two objects'
schemas for the SOQL parser. Field names follow the Object Reference; dateTimes are printed as
the REST API prints them (`2026-12-04T16:00:00.000+0000`). About one row in six carries awkward text.
"""
from __future__ import annotations

import random

from .msgen import AWKWARD, FIRST, LAST, UPN_LOCAL
from .msgen import _ip as ip_address
from .saas import iso_ms
from .soql import Schema

USER_FIELDS = ["Id", "Username", "Name", "Email"]
SCHEMAS = {
    "SetupAuditTrail": Schema("SetupAuditTrail", "CreatedDate",
                              ["Id", "Action", "Section", "CreatedDate", "CreatedById", "Display", "DelegateUser",
                               "ResponsibleNamespacePrefix", "CreatedByContext", "CreatedByIssuer"],
                              {"CreatedBy": ("User", USER_FIELDS)}),
    "LoginHistory": Schema("LoginHistory", "LoginTime",
                           ["Id", "UserId", "LoginTime", "LoginType", "SourceIp", "LoginUrl", "AuthenticationServiceId",
                            "LoginGeoId", "TlsProtocol", "CipherSuite", "OptionsIsGet", "OptionsIsPost", "Browser",
                            "Platform", "Status", "Application", "ClientVersion", "ApiType", "ApiVersion",
                            "CountryIso", "AuthMethodReference"]),
}
# (Action, Section, Display template)
SETUP_ACTIONS = [
    ("changedPassword", "Manage Users", "Changed password for user {target}"),
    ("PermSetAssign", "Manage Users", "Permission set Modify All Data: assigned to {target}"),
    ("createdUser", "Manage Users", "Created new user {target}"),
    ("deactivatedUser", "Manage Users", "Deactivated user {target}"),
    ("changedProfileForUser", "Manage Users", "Changed profile for user {target} from Standard User to System Administrator"),
    ("suOrgAdminLogin", "Manage Users", "Logged in using Login-As access for {target}"),
    ("changedSessionTimeout", "Session Settings", "Changed session timeout from 2 hours to 12 hours"),
    ("insertConnectedApplication", "Connected Apps", "Created connected app SIEM collector"),
    ("changedPasswordPolicy", "Password Policies", "Changed minimum password length from 8 to 12"),
]
LOGIN_TYPES = [("Application", "Browser", "N/A", "N/A"), ("Remote Access 2.0", "Salesforce for iOS", "N/A", "N/A"),
               ("SAML Idp Initiated SSO", "Browser", "N/A", "N/A"), ("Other Apex API", "Data Loader", "SOAP Partner", "60.0")]
STATUSES = ["Success", "Success", "Success", "Invalid Password", "Failed: Computer activation required",
            "Restricted IP"]
BROWSERS = [("Chrome 124", "Windows 10"), ("Safari 17", "Mac OSX"), ("Unknown", "Unknown"), ("Firefox 125", "Linux")]


def sf_time(ms: int) -> str:
    """2026-12-04T16:00:00.000+0000, the REST API's dateTime."""
    return iso_ms(ms)[:-1] + "+0000"


def sf_id(rng: random.Random, prefix: str) -> str:
    return prefix + "5g" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                                   for _ in range(13))


def user(rng: random.Random, domain: str) -> dict:
    f, l = rng.choice(FIRST), rng.choice(LAST)
    username = f"{UPN_LOCAL[f, l]}@{domain}"
    return {"Id": sf_id(rng, "005"), "Username": username, "Name": f"{f} {l}", "Email": username}


def setup_audit_trail(rng: random.Random, ms: int, org: dict) -> dict:
    awk = rng.random() < 0.17
    action, section, display = rng.choice(SETUP_ACTIONS)
    actor = rng.choice(org["users"])
    target = user(rng, org["domain"])["Username"]
    delegate = rng.choice(org["users"])["Username"] if action == "suOrgAdminLogin" else None
    return {"Id": sf_id(rng, "0Ym"), "Action": action, "Section": section, "CreatedDate": sf_time(ms),
            "CreatedById": actor["Id"], "CreatedBy": dict(actor),
            "Display": rng.choice(AWKWARD) if awk else display.format(target=target),
            "DelegateUser": delegate, "ResponsibleNamespacePrefix": None, "CreatedByContext": None,
            "CreatedByIssuer": None}


def login_history(rng: random.Random, ms: int, org: dict) -> dict:
    login_type, application, api_type, api_version = rng.choice(LOGIN_TYPES)
    browser, platform = rng.choice(BROWSERS)
    return {"Id": sf_id(rng, "0Ya"), "UserId": rng.choice(org["users"])["Id"], "LoginTime": sf_time(ms),
            "LoginType": login_type, "SourceIp": ip_address(rng),
            "LoginUrl": rng.choice(["login.salesforce.com", f"{org['my_domain']}.my.salesforce.com"]),
            "AuthenticationServiceId": None, "LoginGeoId": sf_id(rng, "04F"), "TlsProtocol": "TLS 1.3",
            "CipherSuite": "TLS_AES_256_GCM_SHA384", "OptionsIsGet": False, "OptionsIsPost": True,
            "Browser": browser, "Platform": platform, "Status": rng.choice(STATUSES), "Application": application,
            "ClientVersion": "N/A", "ApiType": api_type, "ApiVersion": api_version,
            "CountryIso": rng.choice(["US", "DE", "JP", "BR", None]), "AuthMethodReference": None}


GENERATORS = {"SetupAuditTrail": setup_audit_trail, "LoginHistory": login_history}
