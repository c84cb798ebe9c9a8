"""Seeded generator of Admin SDK Reports API activities (activities.list items).

Shape per the Reports API reference: kind "admin#reports#activity", id{time, uniqueQualifier
(int64 as a string), applicationName, customerId}, etag, actor{callerType, email, profileId},
ipAddress, ownerDomain (drive), events[{type, name, parameters[{name, value | boolValue |
intValue | multiValue}]}]. Event names and parameters are the documented ones of the login,
admin, drive and token applications. About one activity in six carries awkward text.
"""
from __future__ import annotations

import random

from .msgen import AWKWARD, FIRST, LAST, UPN_LOCAL
from .msgen import _ip as ip_address
from .saas import iso_ms

APPLICATIONS = ("login", "admin", "drive", "token")
OAUTH_APPS = [("1041831412594-abcdefg.apps.googleusercontent.com", "Slack", ["openid", "email", "profile"]),
              ("722914583301-0a1b2c3d.apps.googleusercontent.com", "Zoom",
               ["https://www.googleapis.com/auth/calendar.readonly"]),
              ("77185425430.apps.googleusercontent.com", "Google Chrome", ["https://www.google.com/accounts/OAuthLogin"])]


def _p(name: str, value) -> dict:
    """One event parameter, typed as the API types it."""
    if isinstance(value, bool):
        return {"name": name, "boolValue": value}
    if isinstance(value, int):
        return {"name": name, "intValue": str(value)}
    if isinstance(value, list):
        return {"name": name, "multiValue": value}
    return {"name": name, "value": value}


def _email(rng: random.Random, domain: str) -> str:
    f, l = rng.choice(FIRST), rng.choice(LAST)
    return f"{UPN_LOCAL[f, l]}@{domain}"


def _login(rng, domain, awk):
    name = rng.choice(["login_success", "login_success", "login_failure", "logout", "login_challenge",
                       "suspicious_login"])
    params = [_p("login_type", rng.choice(["google_password", "saml", "reauth"])),
              _p("login_challenge_method", rng.sample(["password", "google_authenticator", "security_key"], 2)),
              _p("is_suspicious", name == "suspicious_login")]
    if name == "login_failure":
        params.append(_p("login_failure_type", "login_failure_invalid_password"))
    return {"type": "account_warning" if name == "suspicious_login" else "login", "name": name,
            "parameters": params}


def _admin(rng, domain, awk):
    kind, name, extra = rng.choice([
        ("USER_SETTINGS", "CREATE_USER", []), ("USER_SETTINGS", "SUSPEND_USER", []),
        ("USER_SETTINGS", "CHANGE_PASSWORD", []),
        ("DELEGATED_ADMIN_SETTINGS", "ASSIGN_ROLE", [_p("ROLE_NAME", "_SEED_ADMIN_ROLE")]),
        ("SECURITY_SETTINGS", "ENFORCE_STRONG_AUTHENTICATION", [_p("ORG_UNIT_NAME", "/Engineering")]),
        ("GROUP_SETTINGS", "ADD_GROUP_MEMBER", [_p("GROUP_EMAIL", f"soc@{domain}")])])
    return {"type": kind, "name": name,
            "parameters": [_p("USER_EMAIL", _email(rng, domain)), *extra]}


def _drive(rng, domain, awk):
    name = rng.choice(["view", "edit", "download", "change_user_access", "create", "delete"])
    title = rng.choice(AWKWARD) if awk else rng.choice(["Q4 board deck", "Incident 4711 timeline", "Gehälter 2027"])
    params = [_p("doc_id", "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
                                   for _ in range(44))),
              _p("doc_title", title), _p("doc_type", rng.choice(["document", "spreadsheet", "pdf", "folder"])),
              _p("owner", _email(rng, domain)), _p("primary_event", True), _p("billable", True),
              _p("visibility", rng.choice(["private", "shared_internally", "people_with_link", "shared_externally"]))]
    return {"type": "acl_change" if name == "change_user_access" else "access", "name": name, "parameters": params}


def _token(rng, domain, awk):
    client_id, app, scopes = rng.choice(OAUTH_APPS)
    name = rng.choice(["authorize", "authorize", "revoke", "request"])
    return {"type": "auth", "name": name,
            "parameters": [_p("client_id", client_id), _p("app_name", app), _p("client_type", "WEB"),
                           _p("scope", scopes)]}


EVENTS = {"login": _login, "admin": _admin, "drive": _drive, "token": _token}


def activity(rng: random.Random, ms: int, customer: dict, application: str) -> dict:
    awk = rng.random() < 0.17
    domain = customer["domain"]
    actor_email = rng.choice(customer["admins"]) if application == "admin" else _email(rng, domain)
    out = {
        "kind": "admin#reports#activity",
        "id": {"time": iso_ms(ms), "uniqueQualifier": str(rng.randrange(-2**63, 2**63)),
               "applicationName": application, "customerId": customer["customer_id"]},
        "etag": f'"{rng.getrandbits(64):016x}/{rng.getrandbits(64):016x}"',
        "actor": {"callerType": "USER", "email": actor_email, "profileId": str(rng.randrange(10**20, 10**21))},
        "ipAddress": ip_address(rng),
        "events": [EVENTS[application](rng, domain, awk)],
    }
    if application == "drive":
        out["ownerDomain"] = domain
    return out
