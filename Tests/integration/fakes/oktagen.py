"""Seeded generator of Okta System Log LogEvent objects.

Field names and nesting follow the System Log API's LogEvent reference: uuid, published,
eventType, version, severity, legacyEventType, displayMessage, actor{id,type,alternateId,
displayName,detailEntry}, client{userAgent{rawUserAgent,os,browser},zone,device,id,ipAddress,
geographicalContext{city,state,country,postalCode,geolocation{lat,lon}}}, device,
authenticationContext, outcome{result,reason}, target[], transaction, debugContext{debugData},
request{ipChain[]}, securityContext. About one event in six carries awkward text.
"""
from __future__ import annotations

import random

from .msgen import AWKWARD, FIRST, LAST, LOCATIONS, UPN_LOCAL
from .msgen import _ip as ip_address
from .msgen import _uuid as uuid4
from .saas import iso_ms

# (eventType, legacyEventType, displayMessage, target kinds, possible outcomes, failure reasons)
EVENT_TYPES = [
    ("user.session.start", "core.user_auth.login_success", "User login to Okta", [],
     ["SUCCESS", "SUCCESS", "FAILURE"], ["INVALID_CREDENTIALS", "VERIFICATION_ERROR"]),
    ("user.authentication.sso", "app.auth.sso", "User single sign on to app", ["AppInstance", "AppUser"],
     ["SUCCESS"], []),
    ("user.authentication.auth_via_mfa", "core.user.factor.attempt_success", "Authentication of user via MFA",
     ["User"], ["SUCCESS", "FAILURE"], ["INVALID_CREDENTIALS"]),
    ("policy.evaluate_sign_on", None, "Evaluation of sign-on policy", ["PolicyEntity", "PolicyRule"],
     ["ALLOW", "CHALLENGE", "DENY"], ["Sign-on policy evaluation resulted in DENY"]),
    ("user.lifecycle.create", "core.user.config.user_creation.success", "Create Okta user", ["User"],
     ["SUCCESS"], []),
    ("group.user_membership.add", "core.user_group_member.user_add", "Add user to group membership",
     ["User", "UserGroup"], ["SUCCESS"], []),
    ("application.user_membership.add", "app.generic.provision.assign_user_to_app",
     "Add user to application membership", ["AppUser", "AppInstance"], ["SUCCESS"], []),
    ("user.account.lock", "core.user_auth.account_locked", "Max sign in attempts exceeded", ["User"],
     ["FAILURE"], ["LOCKED_OUT"]),
    ("system.api_token.create", "api.token.create", "Create API token", ["Token"], ["SUCCESS"], []),
    ("user.session.end", "core.user_auth.logout_success", "User logout from Okta", [], ["SUCCESS"], []),
]
APPS = [("Salesforce.com", "salesforce"), ("Slack", "slack"), ("Google Workspace", "google"),
        ("AWS IAM Identity Center", "amazon_aws_sso"), ("Zoom", "zoomus")]
AGENTS = [("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
           "Safari/605.1.15", "Mac OS X", "SAFARI"),
          ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
           "Safari/537.36", "Windows 10", "CHROME"),
          ("okta-sdk-python/2.9.2 python/3.11.4 Linux/6.1.0", "Linux", "UNKNOWN"),
          ("Okta Verify/9.14.0 iOS/17.4.1", "iOS", "UNKNOWN")]
ISPS = [(15169, "google", "google llc", "google.com"), (16509, "amazon", "amazon.com inc.", "amazonaws.com"),
        (3320, "deutsche telekom ag", "deutsche telekom ag", "t-ipconnect.de"), (None, None, None, None)]


def okta_id(rng: random.Random, prefix: str) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return prefix + "".join(rng.choice(alphabet) for _ in range(17))


def _geo(rng: random.Random) -> dict:
    city, state, country, lat, lon = rng.choice(LOCATIONS)
    if city is None:
        return {"city": None, "state": None, "country": None, "postalCode": None, "geolocation": None}
    return {"city": city, "state": state, "country": country, "postalCode": f"{rng.randint(1000, 99999)}",
            "geolocation": {"lat": lat, "lon": lon}}


def _person(rng: random.Random, domain: str, awkward: bool) -> dict:
    f, l = rng.choice(FIRST), rng.choice(LAST)
    return {"id": okta_id(rng, "00u"), "type": "User", "alternateId": f"{UPN_LOCAL[f, l]}@{domain}",
            "displayName": rng.choice(AWKWARD) if awkward else f"{f} {l}", "detailEntry": None}


def _target(rng: random.Random, kind: str, domain: str, awkward: bool) -> dict:
    if kind in ("User", "AppUser"):
        return dict(_person(rng, domain, awkward), type=kind)
    if kind == "AppInstance":
        label, name = rng.choice(APPS)
        return {"id": okta_id(rng, "0oa"), "type": kind, "alternateId": label, "displayName": label,
                "detailEntry": {"signOnModeType": "SAML_2_0", "appName": name}}
    if kind == "UserGroup":
        name = rng.choice(["Engineering", "Finance", "SOC analysts", "Everyone"])
        return {"id": okta_id(rng, "00g"), "type": kind, "alternateId": "unknown", "displayName": name,
                "detailEntry": None}
    if kind == "Token":
        return {"id": okta_id(rng, "00T"), "type": kind, "alternateId": "unknown", "displayName": "siem-collector",
                "detailEntry": None}
    return {"id": okta_id(rng, "00p" if kind == "PolicyEntity" else "0pr"), "type": kind, "alternateId": "unknown",
            "displayName": "Default Policy" if kind == "PolicyEntity" else "Catch-all Rule", "detailEntry": None}


def log_event(rng: random.Random, ms: int, org: str) -> dict:
    awk = rng.random() < 0.17
    domain = f"{org}.example.com"
    event_type, legacy, message, targets, outcomes, reasons = rng.choice(EVENT_TYPES)
    result = rng.choice(outcomes)
    failed = result in ("FAILURE", "DENY")
    ip = ip_address(rng)
    geo = _geo(rng)
    raw_agent, os_name, browser = rng.choice(AGENTS)
    asn, as_org, isp, isp_domain = rng.choice(ISPS)
    request_id = okta_id(rng, "Z") + okta_id(rng, "")[:8]
    return {
        "actor": _person(rng, domain, awk),
        "client": {"userAgent": {"rawUserAgent": rng.choice(AWKWARD) if awk else raw_agent, "os": os_name,
                                 "browser": browser},
                   "zone": "null", "device": "Computer" if browser != "UNKNOWN" else "Unknown", "id": None,
                   "ipAddress": ip, "geographicalContext": geo},
        "device": None,
        "authenticationContext": {"authenticationProvider": None, "credentialProvider": None,
                                  "credentialType": None, "issuer": None, "interface": None,
                                  "authenticationStep": 0,
                                  "externalSessionId": "idx" + okta_id(rng, "")[:20]},
        "displayMessage": message,
        "eventType": event_type,
        "outcome": {"result": result, "reason": rng.choice(reasons) if failed and reasons else None},
        "published": iso_ms(ms),
        "securityContext": {"asNumber": asn, "asOrg": as_org, "isp": isp, "domain": isp_domain,
                            "isProxy": False if asn else None},
        "severity": "WARN" if failed else "INFO",
        "debugContext": {"debugData": {"requestId": request_id, "requestUri": "/idp/idx/identify",
                                       "url": "/idp/idx/identify?", "threatSuspected": "false"}},
        "legacyEventType": legacy,
        "transaction": {"type": "WEB", "id": request_id, "detail": {}},
        "uuid": uuid4(rng),
        "version": "0",
        "request": {"ipChain": [{"ip": ip, "geographicalContext": geo, "version": "V6" if ":" in ip else "V4",
                                 "source": None}]},
        "target": [_target(rng, kind, domain, awk) for kind in targets],
    }
