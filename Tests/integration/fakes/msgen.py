"""Seeded generators of Microsoft audit records with the real field names and nesting.

Shapes follow the Graph v1.0 docs (directoryAudit, signIn, provisioningObjectSummary,
riskDetection) and the Azure Monitor EventData schema. About one record in six carries
awkward text (quotes, backslashes, control characters, non-BMP unicode, U+2028, nulls) so
that the poller's JSON handling is exercised, not just the happy path.
"""
from __future__ import annotations

import hashlib
import random

from .odata import format_time

FIRST = ["Alice", "Bob", "Zoë", "Dmitri", "Eve", "Fatima", "Gustavo", "Hiro", "Søren", "Jamal",
         "Łukasz", "Mei", "Nadia", "Oluwaseun", "Priya", "Ólafur", "Rosa", "李", "Tariq", "Ines"]
LAST = ["Smith", "O'Brien", "García", "Müller", "Nakamura", "Okafor", "Kowalski", "Nguyen",
        "Silva", "Haddad", "Johansson", "Petrov", "雷", "Dubois", "D'Angelo", "Chen"]
AWKWARD = [
    'Quote "inside" and \'single\'', "back\\slash C:\\Users\\x \\u0041 not-an-escape",
    "tab\tand\nnewline\r\nCRLF", "emoji 😀👩‍💻 outside the BMP", "line\u2028separator\u2029para",
    "</script><b>html</b>&amp;", '{"json":"inside a string"}', "zero\u200bwidth\ufeffBOM", "\u0001\u001fctrl",
    "", "Ελληνικά – العربية – עברית", "a" * 300,
]
AUDIT_ACTIVITIES = [
    ("UserManagement", "Update user", "Update", "Core Directory", "User"),
    ("UserManagement", "Add user", "Add", "Core Directory", "User"),
    ("UserManagement", "Reset user password", "Update", "Self-service Password Management", "User"),
    ("GroupManagement", "Add member to group", "Assign", "Core Directory", "Group"),
    ("GroupManagement", "Remove member from group", "Unassign", "Core Directory", "Group"),
    ("ApplicationManagement", "Consent to application", "Assign", "Core Directory", "ServicePrincipal"),
    ("ApplicationManagement", "Update application – Certificates and secrets management ", "Update",
     "Core Directory", "Application"),
    ("RoleManagement", "Add member to role", "Assign", "Core Directory", "Role"),
    ("Policy", "Update conditional access policy", "Update", "Conditional Access", "Policy"),
    ("UserManagement", "User registered security info", "Add", "Authentication Methods", "User"),
    ("GroupManagement", "GroupLifecyclePolicies_Get", "Update", "Self-service Group Management", "N/A"),
]
APPS = [("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
        ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
        ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"),
        ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"),
        ("de8bc8b5-d9f9-48b1-a8ad-b748da725064", "Graph Explorer")]
CLIENT_APPS = ["Browser", "Mobile Apps and Desktop clients", "Exchange ActiveSync", "IMAP4", "Other clients"]
LOCATIONS = [("Redmond", "Washington", "US", 47.6805, -122.1209), ("København", "Hovedstaden", "DK", 55.6761, 12.5683),
             ("São Paulo", "São Paulo", "BR", -23.5505, -46.6333), ("Zürich", "Zürich", "CH", 47.3769, 8.5417),
             ("東京", "東京都", "JP", 35.6762, 139.6503), (None, None, None, None, None)]
SIGNIN_ERRORS = [(0, None), (0, None), (0, None), (50126, "Error validating credentials due to invalid username or password."),
                 (50074, "Strong Authentication is required."), (50053, "Account is locked because user tried to sign in too many times with an incorrect user ID or password."),
                 (53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")]
RISK_TYPES = ["unfamiliarFeatures", "anonymizedIPAddress", "unlikelyTravel", "maliciousIPAddress",
              "leakedCredentials", "passwordSpray", "suspiciousBrowser"]
ARM_OPS = [("Microsoft.Compute/virtualMachines/write", "Create or Update Virtual Machine", "Microsoft.Compute", "virtualMachines", "PUT"),
           ("Microsoft.Storage/storageAccounts/listKeys/action", "List Storage Account Keys", "Microsoft.Storage", "storageAccounts", "POST"),
           ("Microsoft.Network/networkSecurityGroups/securityRules/write", "Create or Update Security Rule", "Microsoft.Network", "networkSecurityGroups", "PUT"),
           ("Microsoft.Authorization/roleAssignments/write", "Create role assignment", "Microsoft.Authorization", "roleAssignments", "PUT"),
           ("Microsoft.KeyVault/vaults/delete", "Delete Key Vault", "Microsoft.KeyVault", "vaults", "DELETE")]

STREAM_TIME_FIELD = {"directoryAudits": "activityDateTime", "signIns": "createdDateTime",
                     "provisioning": "activityDateTime", "riskDetections": "lastUpdatedDateTime",
                     "activityLogs": "eventTimestamp"}
STREAM_ID_FIELD = {"activityLogs": "eventDataId"}  # the rest use "id"


def rng_for(seed: int, tenant: str, stream: str, serial: int) -> random.Random:
    # String seeds hash deterministically (sha512), unlike hash() of tuples across runs.
    return random.Random(f"{seed}/{tenant}/{stream}/{serial}")


def _uuid(rng: random.Random) -> str:
    # Same result as str(uuid.UUID(int=..., version=4)), without the slow constructor.
    n = (rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
    return f"{rng.randint(20, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _upn_local(first: str, last: str) -> str:
    return "".join(c for c in f"{first}.{last}".lower() if c.isascii() and (c.isalnum() or c == ".")) or "user"


UPN_LOCAL = {(f, l): _upn_local(f, l) for f in FIRST for l in LAST}


def _person(rng: random.Random, awkward: bool) -> tuple[str, str]:
    f, l = rng.choice(FIRST), rng.choice(LAST)
    name = f"{f} {l}" if not awkward else rng.choice(AWKWARD)
    return name, f"{UPN_LOCAL[f, l]}{rng.randint(1, 99)}@contoso.onmicrosoft.com"


def directory_audit(rng: random.Random, ticks: int, ctx: dict) -> dict:
    awk = rng.random() < 0.17
    cat, act, op, svc, target_type = rng.choice(AUDIT_ACTIVITIES)
    corr = _uuid(rng)
    if rng.random() < 0.8:
        name, upn = _person(rng, awk)
        initiated = {"app": None, "user": {"id": _uuid(rng), "displayName": name, "userPrincipalName": upn,
                                           "ipAddress": _ip(rng), "userType": None, "homeTenantId": None,
                                           "homeTenantName": None}}
    else:
        app_id, app_name = rng.choice(APPS)
        initiated = {"app": {"appId": app_id, "displayName": app_name, "servicePrincipalId": _uuid(rng),
                             "servicePrincipalName": None}, "user": None}
    tname, tupn = _person(rng, awk and rng.random() < 0.5)
    failed = rng.random() < 0.1
    return {
        "id": f"Directory_{corr}_{''.join(rng.choices('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', k=5))}_{rng.randint(10**7, 10**9)}",
        "category": cat,
        "correlationId": corr,
        "result": "failure" if failed else "success",
        "resultReason": (rng.choice(AWKWARD) if awk else "Microsoft.Online.Workflows.ObjectAlreadyExistsException")
        if failed else "",
        "activityDisplayName": act,
        "activityDateTime": format_time(ticks),
        "loggedByService": svc,
        "operationType": op,
        "initiatedBy": initiated,
        "targetResources": [{
            "id": _uuid(rng), "displayName": tname if target_type != "N/A" else None, "type": target_type,
            "userPrincipalName": tupn if target_type == "User" else None,
            "groupType": "unifiedGroups" if target_type == "Group" else None,
            "modifiedProperties": [
                {"displayName": "AccountEnabled", "oldValue": "[true]", "newValue": "[false]"},
                {"displayName": "Included Updated Properties", "oldValue": None, "newValue": '"AccountEnabled"'},
            ] if op == "Update" else [],
        }],
        "additionalDetails": [{"key": "User-Agent", "value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
                              {"key": "TargetId.UserType", "value": "Member" if not awk else rng.choice(AWKWARD)}],
    }


def sign_in(rng: random.Random, ticks: int, ctx: dict) -> dict:
    awk = rng.random() < 0.17
    name, upn = _person(rng, awk)
    app_id, app_name = rng.choice(APPS)
    code, reason = rng.choice(SIGNIN_ERRORS)
    city, state, country, lat, lon = rng.choice(LOCATIONS)
    risky = rng.random() < 0.1
    return {
        "id": _uuid(rng),
        "createdDateTime": format_time(ticks),
        "userDisplayName": name,
        "userPrincipalName": upn,
        "userId": _uuid(rng),
        "appId": app_id,
        "appDisplayName": app_name,
        "ipAddress": _ip(rng),
        "clientAppUsed": rng.choice(CLIENT_APPS),
        "correlationId": _uuid(rng),
        "conditionalAccessStatus": rng.choice(["success", "failure", "notApplied"]),
        "isInteractive": rng.random() < 0.7,
        "riskDetail": "none",
        "riskLevelAggregated": "medium" if risky else "none",
        "riskLevelDuringSignIn": "medium" if risky else "none",
        "riskState": "atRisk" if risky else "none",
        "riskEventTypes": ["unfamiliarFeatures"] if risky else [],
        "riskEventTypes_v2": ["unfamiliarFeatures"] if risky else [],
        "resourceDisplayName": "Microsoft Graph",
        "resourceId": "00000003-0000-0000-c000-000000000000",
        "status": {"errorCode": code, "failureReason": reason if not awk or not code else rng.choice(AWKWARD),
                   "additionalDetails": None if not code else "MFA requirement satisfied by claim in the token"},
        "deviceDetail": {"deviceId": "" if rng.random() < 0.6 else _uuid(rng), "displayName": None,
                         "operatingSystem": rng.choice(["Windows 10", "MacOs", "Ios", "Android", "Linux"]),
                         "browser": rng.choice(["Edge 124.0.0", "Chrome 124.0.0", "Safari 17.4", "Rich Client 4.61.0.0"]),
                         "isCompliant": None if rng.random() < 0.5 else rng.random() < 0.5,
                         "isManaged": None, "trustType": None},
        "location": {"city": city, "state": state, "countryOrRegion": country,
                     "geoCoordinates": None if lat is None else {"altitude": None, "latitude": lat, "longitude": lon}},
        "appliedConditionalAccessPolicies": [
            {"id": _uuid(rng), "displayName": "Require MFA for admins", "enforcedGrantControls": ["Mfa"],
             "enforcedSessionControls": [], "result": rng.choice(["success", "notApplied", "notEnabled"])}],
    }


def provisioning(rng: random.Random, ticks: int, ctx: dict) -> dict:
    awk = rng.random() < 0.17
    name, upn = _person(rng, awk)
    ok = rng.random() < 0.85
    sp = _uuid(rng)
    return {
        "id": _uuid(rng),
        "activityDateTime": format_time(ticks),
        "tenantId": ctx["tenant"],
        "jobId": f"aws.{rng.getrandbits(128):032x}.{_uuid(rng)}",
        "cycleId": _uuid(rng),
        "changeId": _uuid(rng),
        "provisioningAction": rng.choice(["create", "update", "delete", "disable", "other"]),
        "durationInMilliseconds": rng.randint(40, 9000),
        "provisioningStatusInfo": {"status": "success" if ok else "failure", "errorInformation": None if ok else {
            "errorCode": "ContosoEntryConflict", "reason": rng.choice(AWKWARD) if awk else "Conflict (409): user exists",
            "additionalDetails": None, "errorCategory": "nonServiceFailure", "recommendedAction": None}},
        "provisioningSteps": [
            {"name": "EntryImport", "provisioningStepType": "import", "status": "success",
             "description": f"Retrieved User '{upn}' from Azure Active Directory", "details": {}},
            {"name": "EntryExportAdd", "provisioningStepType": "export", "status": "success" if ok else "failure",
             "description": f"User '{name}' was created in Contoso", "details": {"ReportableIdentifier": upn}}],
        "modifiedProperties": [{"displayName": "displayName", "oldValue": None, "newValue": name},
                               {"displayName": "userPrincipalName", "oldValue": None, "newValue": upn}],
        "servicePrincipal": {"id": sp, "displayName": "Contoso"},
        "sourceSystem": {"id": _uuid(rng), "displayName": "Azure Active Directory", "details": {}},
        "targetSystem": {"id": _uuid(rng), "displayName": "Contoso",
                         "details": {"ApplicationId": _uuid(rng), "ServicePrincipalId": sp,
                                     "ServicePrincipalDisplayName": "Contoso"}},
        "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
        "sourceIdentity": {"id": _uuid(rng), "displayName": name, "identityType": "User", "details": {}},
        "targetIdentity": {"id": "", "displayName": "", "identityType": "User", "details": {}},
    }


def risk_detection(rng: random.Random, ticks: int, ctx: dict) -> dict:
    awk = rng.random() < 0.17
    name, upn = _person(rng, awk)
    city, state, country, lat, lon = rng.choice(LOCATIONS)
    req = _uuid(rng)
    t = format_time(ticks)
    return {
        "id": hashlib.sha256(req.encode()).hexdigest(),
        "requestId": req,
        "correlationId": _uuid(rng),
        "riskEventType": rng.choice(RISK_TYPES),
        "riskState": "atRisk",
        "riskLevel": rng.choice(["low", "medium", "high"]),
        "riskDetail": "none",
        "source": "IdentityProtection",
        "detectionTimingType": rng.choice(["realtime", "nearRealtime", "offline"]),
        "activity": rng.choice(["signin", "user"]),
        "tokenIssuerType": "AzureAD",
        "ipAddress": _ip(rng),
        "location": {"city": city, "state": state, "countryOrRegion": country,
                     "geoCoordinates": None if lat is None else {"altitude": None, "latitude": lat, "longitude": lon}},
        "activityDateTime": t,
        "detectedDateTime": t,
        "lastUpdatedDateTime": t,
        "userId": _uuid(rng),
        "userDisplayName": name,
        "userPrincipalName": upn,
        # Graph serializes this one as a JSON *string* holding a JSON array.
        "additionalInfo": '[{"Key":"userAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0"}]',
    }


def activity_event(rng: random.Random, ticks: int, ctx: dict) -> dict:
    sub, tenant = ctx["subscription"], ctx["tenant"]
    op, op_name, ns, rtype, method = rng.choice(ARM_OPS)
    rg = rng.choice(["rg-prod", "rg-dev", "RG-Ünïcode", "rg-shared"])
    res = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{rtype}/{rng.choice(['vm01', 'kv-main', 'st0042'])}"
    data_id = _uuid(rng)
    status = rng.choice(["Succeeded", "Succeeded", "Started", "Accepted", "Failed"])
    caller, _ = _person(rng, False)
    t = format_time(ticks)
    dotnet_ticks = ticks + 621355968000000000  # ARM event ids end in .NET ticks
    return {
        "authorization": {"action": op, "scope": res},
        "caller": caller.split()[0].lower() + "@contoso.onmicrosoft.com",
        "channels": "Operation",
        "claims": {"aud": "https://management.core.windows.net/", "appid": _uuid(rng),
                   "http://schemas.microsoft.com/identity/claims/tenantid": tenant, "ipaddr": _ip(rng)},
        "correlationId": _uuid(rng),
        "description": "" if rng.random() < 0.8 else rng.choice(AWKWARD),
        "eventDataId": data_id,
        "eventName": {"value": "EndRequest" if status != "Started" else "BeginRequest",
                      "localizedValue": "End request" if status != "Started" else "Begin request"},
        "category": {"value": "Administrative", "localizedValue": "Administrative"},
        "eventTimestamp": t,
        "id": f"{res}/events/{data_id}/ticks/{dotnet_ticks}",
        "level": "Error" if status == "Failed" else "Informational",
        "operationId": _uuid(rng),
        "operationName": {"value": op, "localizedValue": op_name},
        "resourceGroupName": rg,
        "resourceProviderName": {"value": ns, "localizedValue": ns},
        "resourceType": {"value": f"{ns}/{rtype}", "localizedValue": f"{ns}/{rtype}"},
        "resourceId": res,
        "status": {"value": status, "localizedValue": status},
        "subStatus": {"value": "Created" if status == "Succeeded" else "", "localizedValue": "Created (HTTP Status Code: 201)" if status == "Succeeded" else ""},
        "submissionTimestamp": format_time(ticks + rng.randint(5, 90) * 10_000_000),
        "subscriptionId": sub,
        "tenantId": tenant,
        "properties": {"statusCode": "Created" if status == "Succeeded" else "Conflict",
                       "serviceRequestId": None if rng.random() < 0.5 else _uuid(rng),
                       "eventCategory": "Administrative", "entity": res, "message": op, "hierarchy": f"{tenant}/{sub}"},
        "httpRequest": {"clientRequestId": _uuid(rng), "clientIpAddress": _ip(rng), "method": method},
    }


GENERATORS = {"directoryAudits": directory_audit, "signIns": sign_in, "provisioning": provisioning,
              "riskDetections": risk_detection, "activityLogs": activity_event}
