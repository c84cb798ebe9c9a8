"""Seeded generator of Slack Audit Logs API entries.

Shape of an entry as the Audit Logs API reference shows it: id (UUID), date_create (unix
seconds), action, actor{type:"user", user{id,name,email}}, entity{type, <type>{...}} for user,
channel, file, app and workspace entities, context{location{type,id,name,domain}, ua,
ip_address, session_id}, and `details` for the actions that carry them. About one entry in
six carries awkward text.
"""
from __future__ import annotations

import random

from .msgen import AWKWARD, FIRST, LAST, UPN_LOCAL
from .msgen import _ip as ip_address
from .msgen import _uuid as uuid4

# (action, entity type, details or None)
ACTIONS = [
    ("user_login", "user", None),
    ("user_logout", "user", None),
    ("user_session_invalidated", "user", {"reason": "admin_invalidated"}),
    ("user_created", "user", None),
    ("user_deactivated", "user", None),
    ("role_change_to_admin", "user", None),
    ("file_downloaded", "file", None),
    ("file_shared", "file", {"shared_to": "external"}),
    ("public_channel_created", "channel", None),
    ("private_channel_created", "channel", None),
    ("user_channel_join", "channel", None),
    ("app_installed", "app", {"app_owner_id": None, "is_internal_integration": False}),
    ("app_scopes_expanded", "app", {"new_scopes": ["channels:history", "files:read"]}),
    ("pref.sso_setting_changed", "workspace", {"new_value": "required", "previous_value": "optional"}),
]
AGENTS = ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Slack/4.38.125 Chrome/122.0.6261.156 Electron/29.4.0 Safari/537.36 Sonic Slack_SSB/4.38.125",
          "com.tinyspeck.chatlyio/24.04.10 (iPhone; iOS 17.4.1; Scale/3.00)",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
          "Safari/537.36", "Slack-Audit-Client/1.0"]


def slack_id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))


def _user(rng: random.Random, domain: str, awkward: bool) -> dict:
    f, l = rng.choice(FIRST), rng.choice(LAST)
    return {"id": slack_id(rng, "W"), "name": rng.choice(AWKWARD) if awkward else f"{f} {l}",
            "email": f"{UPN_LOCAL[f, l]}@{domain}"}


def _entity(rng: random.Random, kind: str, domain: str, awkward: bool) -> dict:
    if kind == "user":
        return {"type": "user", "user": _user(rng, domain, awkward)}
    if kind == "channel":
        return {"type": "channel", "channel": {"id": slack_id(rng, "C"), "privacy": rng.choice(["public", "private"]),
                                               "name": rng.choice(["general", "soc-alerts", "incident-4711", "random"]),
                                               "is_shared": False, "is_org_shared": rng.random() < 0.2}}
    if kind == "file":
        name = rng.choice(["budget-2027.xlsx", "customer list.csv", "übersicht.pdf"])
        return {"type": "file", "file": {"id": slack_id(rng, "F"), "name": name, "filetype": name.rsplit(".", 1)[1],
                                         "title": rng.choice(AWKWARD) if awkward else name}}
    if kind == "app":
        return {"type": "app", "app": {"id": slack_id(rng, "A"), "name": rng.choice(["Jira Cloud", "PagerDuty", "GitHub"]),
                                       "is_distributed": True, "is_directory_approved": rng.random() < 0.7,
                                       "is_workflow_app": False, "scopes": ["channels:read", "chat:write"]}}
    return {"type": "workspace", "workspace": {"id": slack_id(rng, "T"), "name": "Acme Engineering",
                                               "domain": "acme-eng"}}


def entry(rng: random.Random, ms: int, enterprise: dict) -> dict:
    awk = rng.random() < 0.17
    action, kind, details = rng.choice(ACTIONS)
    domain = enterprise["email_domain"]
    out = {
        "id": uuid4(rng),
        "date_create": ms // 1000,
        "action": action,
        "actor": {"type": "user", "user": _user(rng, domain, awk)},
        "entity": _entity(rng, kind, domain, awk),
        "context": {"location": {"type": "enterprise", "id": enterprise["id"], "name": enterprise["name"],
                                 "domain": enterprise["domain"]},
                    "ua": rng.choice(AWKWARD) if awk else rng.choice(AGENTS),
                    "ip_address": ip_address(rng),
                    "session_id": rng.randrange(10**12, 10**13)},
    }
    if details is not None:
        out["details"] = dict(details)
    return out
