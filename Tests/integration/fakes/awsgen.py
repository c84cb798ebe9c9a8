"""Seeded generator of CloudTrail management events, as LookupEvents returns them.

Each LookupEvents event carries EventId, EventName, ReadOnly ("true"/"false", a string),
AccessKeyId, EventTime (epoch seconds), EventSource, Username, Resources and CloudTrailEvent:
the CloudTrail record serialized as a JSON string (eventVersion, userIdentity, eventTime,
eventSource, eventName, awsRegion, sourceIPAddress, userAgent, errorCode/errorMessage on failed
calls, requestParameters, responseElements, requestID, eventID, readOnly, eventType,
managementEvent, recipientAccountId, eventCategory, tlsDetails). Identities are IAM users,
assumed roles, the root user and AWS services; failed console sign-ins carry no errorCode, only
`errorMessage` and `responseElements.ConsoleLogin: "Failure"`, as CloudTrail records them.
About one event in six carries awkward text in its user agent or request parameters.
"""
from __future__ import annotations

import json
import random
import time

from .msgen import AWKWARD, _ip, _uuid
from .odata import TICKS

USERS = ["alice", "bob", "carol.ops", "deploy-bot", "søren", "mei", "terraform", "ci-runner"]
ROLES = [("OrganizationAccountAccessRole", "alice"), ("GitHubActionsDeploy", "gha-run-4711"),
         ("AWSReservedSSO_AdministratorAccess_0f1e2d3c", "bob@example.com"), ("SiemReader", "siem-poller")]
AGENTS = ["aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8",
          "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.0 md/arch#x86_64 lang/python#3.12.2",
          "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
          "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0",
          "console.amazonaws.com"]
SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com", "config.amazonaws.com"]


def _key_id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=16))


def _identity(rng: random.Random, account: str, ticks: int) -> dict:
    """userIdentity: an IAM user, an assumed role, the root user or an AWS service."""
    kind = rng.random()
    if kind < 0.45:
        user = rng.choice(USERS)
        key = _key_id(rng, "AKIA")
        return {"type": "IAMUser", "principalId": _key_id(rng, "AIDA"), "arn": f"arn:aws:iam::{account}:user/{user}",
                "accountId": account, "accessKeyId": key, "userName": user}
    if kind < 0.8:
        role, session = rng.choice(ROLES)
        key = _key_id(rng, "ASIA")
        role_id = _key_id(rng, "AROA")
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ticks // TICKS - rng.randint(60, 3600)))
        return {"type": "AssumedRole", "principalId": f"{role_id}:{session}",
                "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account,
                "accessKeyId": key,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": role_id,
                                                     "arn": f"arn:aws:iam::{account}:role/{role}",
                                                     "accountId": account, "userName": role},
                                   "webIdFederationData": {},
                                   "attributes": {"creationDate": created, "mfaAuthenticated": "false"}}}
    if kind < 0.88:
        key = _key_id(rng, "ASIA")
        return {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root",
                "accountId": account, "accessKeyId": key}
    service = rng.choice(SERVICES)
    return {"type": "AWSService", "invokedBy": service}


def _call(rng: random.Random, account: str, region: str, awk: bool) -> dict:
    """eventSource, eventName, readOnly, request/response, resources, possibly an error."""
    name = rng.choice(AWKWARD) if awk else f"res-{rng.randrange(16**6):06x}"
    instance = f"i-{rng.randrange(16**17):017x}"
    choice = rng.randrange(9)
    if choice == 0:
        return {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "readOnly": False,
                "requestParameters": {"userName": name, "path": "/"},
                "responseElements": {"user": {"path": "/", "userName": name, "userId": _key_id(rng, "AIDA"),
                                              "arn": f"arn:aws:iam::{account}:user/{name}",
                                              "createDate": "Nov 20, 2026 10:00:00 AM"}},
                "resources": [("AWS::IAM::User", name)]}
    if choice == 1:
        return {"eventSource": "iam.amazonaws.com", "eventName": "AttachUserPolicy", "readOnly": False,
                "requestParameters": {"userName": name, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
                "responseElements": None,
                "resources": [("AWS::IAM::Policy", "arn:aws:iam::aws:policy/AdministratorAccess"),
                              ("AWS::IAM::User", name)],
                "error": ("AccessDenied", f"User: arn:aws:iam::{account}:user/ci-runner is not authorized to perform: "
                          f"iam:AttachUserPolicy on resource: user {name} because no identity-based policy allows "
                          "the iam:AttachUserPolicy action") if rng.random() < 0.3 else None}
    if choice == 2:
        return {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "readOnly": False,
                "requestParameters": {"instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1,
                                                                  "maxCount": 1}]},
                                      "instanceType": "t3.micro", "monitoring": {"enabled": False},
                                      "disableApiTermination": False, "tagSpecificationSet": {"items": [
                                          {"resourceType": "instance", "tags": [{"key": "Name", "value": name}]}]}},
                "responseElements": {"requestId": _uuid(rng), "reservationId": f"r-{rng.randrange(16**17):017x}",
                                     "ownerId": account, "instancesSet": {"items": [{"instanceId": instance,
                                                                                     "currentState": {"code": 0, "name": "pending"}}]}},
                "resources": [("AWS::EC2::Instance", instance)]}
    if choice == 3:
        return {"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "readOnly": True,
                "requestParameters": {"instancesSet": {}, "filterSet": {}}, "responseElements": None, "resources": []}
    if choice == 4:
        return {"eventSource": "ec2.amazonaws.com", "eventName": "AuthorizeSecurityGroupIngress", "readOnly": False,
                "requestParameters": {"groupId": f"sg-{rng.randrange(16**17):017x}", "ipPermissions": {"items": [
                    {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                     "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0", "description": name}]}}]}},
                "responseElements": None, "resources": [],
                "error": ("Client.UnauthorizedOperation", "You are not authorized to perform this operation. "
                          "Encoded authorization failure message: " + "".join(rng.choices("abcdefXYZ0123-_", k=40)))
                if rng.random() < 0.3 else None}
    if choice == 5:
        return {"eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy", "readOnly": False,
                "requestParameters": {"bucketName": f"logs-{account}-{region}", "Host": "s3.amazonaws.com",
                                      "bucketPolicy": {"Version": "2012-10-17", "Statement": [
                                          {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                           "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::logs-{account}/*",
                                           "Sid": name}]}, "policy": ""},
                "responseElements": None, "resources": [("AWS::S3::Bucket", f"logs-{account}-{region}")]}
    if choice == 6:
        return {"eventSource": "sts.amazonaws.com", "eventName": "AssumeRole", "readOnly": True,
                "requestParameters": {"roleArn": f"arn:aws:iam::{account}:role/Deploy", "roleSessionName": name,
                                      "durationSeconds": 3600},
                "responseElements": {"credentials": {"accessKeyId": _key_id(rng, "ASIA"),
                                                     "expiration": "Nov 20, 2026 11:00:00 AM"},
                                     "assumedRoleUser": {"assumedRoleId": f"{_key_id(rng, 'AROA')}:{name}",
                                                         "arn": f"arn:aws:sts::{account}:assumed-role/Deploy/{name}"}},
                "resources": [("AWS::IAM::Role", f"arn:aws:iam::{account}:role/Deploy")]}
    if choice == 7:
        return {"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging", "readOnly": False,
                "requestParameters": {"name": f"arn:aws:cloudtrail:{region}:{account}:trail/org-trail"},
                "responseElements": None, "resources": [("AWS::CloudTrail::Trail", "org-trail")]}
    failed = rng.random() < 0.35
    return {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "readOnly": False,
            "eventType": "AwsConsoleSignIn", "requestParameters": None,
            "responseElements": {"ConsoleLogin": "Failure" if failed else "Success"},
            "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                                    "MFAUsed": "No"},
            "resources": [], "console_failure": failed}


def record(rng: random.Random, ticks: int, account: str, region: str) -> dict:
    """One CloudTrail record (the document inside CloudTrailEvent)."""
    awk = rng.random() < 0.17
    identity = _identity(rng, account, ticks)
    call = _call(rng, account, region, awk)
    event_id = _uuid(rng)
    service_call = identity["type"] == "AWSService"
    rec = {
        "eventVersion": "1.09" if rng.random() < 0.7 else "1.08",
        "userIdentity": identity,
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ticks // TICKS)),
        "eventSource": call["eventSource"],
        "eventName": call["eventName"],
        "awsRegion": region,
        "sourceIPAddress": identity["invokedBy"] if service_call else _ip(rng),
        "userAgent": identity["invokedBy"] if service_call else (rng.choice(AWKWARD) if awk else rng.choice(AGENTS)),
    }
    if call.get("error"):
        rec["errorCode"], rec["errorMessage"] = call["error"]
    if call.get("console_failure"):
        rec["errorMessage"] = "Failed authentication"
    rec["requestParameters"] = call["requestParameters"]
    rec["responseElements"] = None if call.get("error") else call["responseElements"]
    if "additionalEventData" in call:
        rec["additionalEventData"] = call["additionalEventData"]
    rec.update({
        "requestID": _uuid(rng), "eventID": event_id, "readOnly": call["readOnly"],
        "resources": [{"accountId": account, "type": t, "ARN": n} for t, n in call["resources"]] or None,
        "eventType": call.get("eventType", "AwsServiceEvent" if service_call else "AwsApiCall"),
        "managementEvent": True, "recipientAccountId": account, "eventCategory": "Management",
    })
    if rec["resources"] is None:
        del rec["resources"]
    if not service_call:
        rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                             "clientProvidedHostHeader": f"{call['eventSource'].split('.')[0]}.{region}.amazonaws.com"}
    return rec


def lookup_event(rec: dict, ticks: int, fractional: bool = False) -> dict:
    """The LookupEvents wrapper around a record. EventTime is whole seconds like eventTime unless
    `fractional` keeps the sub-second part (LookupEvents' timestamp type allows it)."""
    identity = rec.get("userIdentity") or {}
    username = identity.get("userName")
    if identity.get("type") == "AssumedRole":
        username = identity.get("arn", "").rsplit("/", 1)[-1]
    elif identity.get("type") == "Root":
        username = "root"
    out = {"EventId": rec["eventID"], "EventName": rec["eventName"],
           "ReadOnly": "true" if rec.get("readOnly") else "false"}
    if identity.get("accessKeyId"):
        out["AccessKeyId"] = identity["accessKeyId"]
    out["EventTime"] = ticks / TICKS if fractional else ticks // TICKS
    out["EventSource"] = rec["eventSource"]
    if username:
        out["Username"] = username
    out["Resources"] = [{"ResourceType": r["type"], "ResourceName": r["ARN"]} for r in rec.get("resources", [])]
    out["CloudTrailEvent"] = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    return out


def java_seconds(seconds: float | int) -> str:
    """Epoch seconds as AWS's Java services print a double: 1.700000123E9, 1.7000001235E9."""
    whole, _, frac = repr(float(seconds)).partition(".")
    digits = whole + frac.rstrip("0")
    mantissa = digits[0] + "." + (digits[1:].rstrip("0") or "0")
    return f"{mantissa}E{len(whole) - 1}"


def dumps_event(ev: dict) -> bytes:
    """Serialize with EventTime in Java's double notation (json.dumps cannot be told to)."""
    marker = "\u0000EventTime\u0000"
    body = json.dumps({**ev, "EventTime": marker}, ensure_ascii=False, separators=(",", ":"))
    return body.replace(json.dumps(marker), java_seconds(ev["EventTime"]), 1).encode("utf-8")
