"""The documented field mapping (README), written again in Python so the tests
can check what the poller put into Kafka against the fake's original records."""
import datetime as dt
import re


def rfc3339(text):
    """The poller's timestamp form: UTC, microseconds only when non-zero."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", text)
    assert m, text
    base, frac, zone = m.groups()
    micros = int((frac or "0")[:6].ljust(6, "0"))
    t = dt.datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone)).astimezone(dt.timezone.utc)
    out = t.strftime("%Y-%m-%dT%H:%M:%S")
    return out + (f".{micros:06d}" if micros else "") + "Z"


def text(value):
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def first(*values):
    for v in values:
        if isinstance(v, str) and v:
            return v
    return None


def dig(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def directory_audit(ev):
    result = {"success": "success", "failure": "failure", "timeout": "failure"}.get(ev.get("result"))
    return {
        "timestamp": rfc3339(ev["activityDateTime"]),
        "user": first(dig(ev, "initiatedBy", "user", "userPrincipalName"),
                      dig(ev, "initiatedBy", "app", "servicePrincipalName"),
                      dig(ev, "initiatedBy", "app", "displayName")),
        "activity": text(ev.get("activityDisplayName")),
        "result": result,
        "source_ip": text(dig(ev, "initiatedBy", "user", "ipAddress")),
        "application": first(dig(ev, "initiatedBy", "app", "displayName"), ev.get("loggedByService")),
        "log_type": "audit_log",
    }


def sign_in(ev):
    code = dig(ev, "status", "errorCode")
    return {
        "timestamp": rfc3339(ev["createdDateTime"]),
        "user": text(ev.get("userPrincipalName")),
        "activity": "sign-in",
        "result": None if not isinstance(code, int) else ("success" if code == 0 else "failure"),
        "source_ip": text(ev.get("ipAddress")),
        "application": text(ev.get("appDisplayName")),
        "log_type": "sign_in_log",
    }
