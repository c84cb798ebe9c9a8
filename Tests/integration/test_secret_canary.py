"""Canaries: unique secrets planted in every credential input (through the API, in valid and
invalid bodies, POST, PUT and both source tests) and every configuration input (the JWT secret,
the master key, Kafka properties inline and in a file, database passwords) show up nowhere after
the poller ran with them: not in an API response (body or headers), not in the poller's output,
not in a file under the test stack's var dir; in plain, base64, base64url, hex or JSON-escaped form."""
import base64
import os
import time
import uuid
from pathlib import Path

import jwt
import pytest

from canary import Scanner, canary
from fakes.process import start_fake
from pollerkit import GCPKit, PollerKit, iso, source_lines
from sample_sources import rsa_pem


@pytest.fixture(scope="module")
def gcp_fake(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.gcp", cert_dir, seed=5, log_path=tmp_path_factory.mktemp("logs") / "gcp.log")
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def aws_fake(cert_dir, tmp_path_factory):
    fake = start_fake("fakes.aws", cert_dir, seed=5, log_path=tmp_path_factory.mktemp("logs") / "aws.log")
    yield fake
    fake.stop()


def recording(session, seen):
    session.hooks["response"].append(lambda r, *args, **kwargs: seen.append(r))
    return session


def response_text(r):
    return "\n".join([str(r.status_code), *(f"{k}: {v}" for k, v in r.headers.items()), r.text])


def replacement(source, credentials):
    """A PUT body: the source as it is, with other credentials."""
    return {"platform": source["platform"], "source_name": source["source_name"],
            "api_credentials_json": credentials, "polling_interval_minutes": 15, "settings": source["settings"]}


def key_lines(pem):
    """Three full lines from the middle of a PEM body (the first ones are the same in every RSA key)."""
    return [line for line in pem.splitlines()[4:-2] if len(line) >= 60][:3]


def test_no_canary_leaves_in_any_form(stack, db, ms_fake, gcp_fake, aws_fake, cert_dir, tmp_path,
                                      only_new_sources_due):
    scan, seen, outputs = Scanner(), [], []
    url = f"{stack.url}/v1/cloud_api_sources"
    ms = PollerKit(stack, ms_fake, cert_dir)
    recording(ms.admin, seen)

    # Microsoft, client secret (the fake knows it, so the poll succeeds), then a new one by PUT.
    app = ms.new_app()
    scan.add("ms client_secret", app.secret)
    ms.add_events(app, "directoryAudits", 3, iso(1800), iso(60))
    good = ms.create_source(app, streams=["directory_audits"])
    put_secret = canary("msput")
    scan.add("ms client_secret (PUT)", put_secret)
    ms_fake.control("POST", "apps", {"tenant": app.tenant, "client_id": app.client_id, "client_secret": put_secret})
    r = ms.admin.put(f"{url}/{good['source_id']}", json=replacement(good, dict(app.credentials(), client_secret=put_secret)))
    assert r.status_code == 200, r.text
    # Microsoft, a secret the fake refuses: the poll and the source tests fail.
    wrong = canary("mswrong")
    scan.add("ms wrong client_secret", wrong)
    refused = ms.create_source(app, secret=wrong, streams=["directory_audits"])
    # Microsoft, certificate and private key.
    cert_app = ms.new_app(certificate=True)
    for n, line in enumerate(key_lines(cert_app.certificate.key_pem) + key_lines(cert_app.certificate.key_pem_pkcs1)):
        scan.add(f"ms private_key_pem line {n}", line)
    scan.add("ms private_key_pem", cert_app.certificate.key_pem)
    cert_source = ms.create_source(cert_app, streams=["directory_audits"])

    # GCP: the fake makes the service-account key.
    gcp = GCPKit(stack, gcp_fake, cert_dir)
    recording(gcp.admin, seen)
    gcp_key = gcp.new_account()
    scan.add("gcp private_key", gcp_key["private_key"])
    for n, line in enumerate(key_lines(gcp_key["private_key"])):
        scan.add(f"gcp private_key line {n}", line)
    gcp_source = gcp.create_source(gcp_key)

    # AWS: a temporary key (secret and session token).
    aws_secret, aws_token = canary("awssecret"), canary("awstoken") * 3
    scan.add("aws secret_access_key", aws_secret)
    scan.add("aws session_token", aws_token)
    access_key_id = "ASIA" + uuid.uuid4().hex[:16].upper()
    aws_fake.control("POST", "keys", {"account": "123456789012", "access_key_id": access_key_id,
                                      "secret_access_key": aws_secret, "session_token": aws_token, "allowed": True})
    aws_credentials = {"access_key_id": access_key_id, "secret_access_key": aws_secret,
                       "session_token": aws_token, "region": "eu-west-1"}
    r = ms.admin.post(url, json={"platform": "AWS", "source_name": f"aws-{uuid.uuid4().hex[:8]}",
                                 "api_credentials_json": aws_credentials,
                                 "settings": {"endpoint_url": aws_fake.base_url, "initial_lookback_minutes": 60}})
    assert r.status_code == 201, r.text
    aws_source = r.json()

    # Bodies the API refuses (400), each with canaries of its own: POST, PUT, the draft test.
    def planted(label):
        value = canary(label)
        scan.add(f"refused {label}", value)
        return value

    other_key = rsa_pem()  # a real key, but not the certificate's
    for n, line in enumerate(key_lines(other_key)):
        scan.add(f"mismatched private key line {n}", line)
    ids = {"tenant_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4())}
    rejected = [
        ("Microsoft365", {"tenant_id": "not a tenant!", "client_id": "x", "client_secret": planted("msbadtenant")}),
        ("Microsoft365", dict(ids, certificate_pem=cert_app.certificate.cert_pem,
                              private_key_pem=f"-----BEGIN PRIVATE KEY-----\n{planted('mspem')}\n-----END PRIVATE KEY-----\n")),
        ("AzureAD", dict(ids, certificate_pem=cert_app.certificate.cert_pem, private_key_pem=other_key)),
        ("AzureAD", dict(ids, client_secret=planted("msboth"), certificate_pem=cert_app.certificate.cert_pem,
                         private_key_pem=cert_app.certificate.key_pem)),
        ("GCP", dict(gcp_key, private_key=f"-----BEGIN PRIVATE KEY-----\n{planted('gcppem')}\n-----END PRIVATE KEY-----\n")),
        ("GCP", dict(gcp_key, type="authorized_user")),
        ("AWS", {"access_key_id": "not-an-id", "secret_access_key": planted("awsbad"), "session_token": planted("awstok")}),
        ("AWS", dict(aws_credentials, secret_access_key=planted("awsctl") + "\u0001")),
        ("GCP", f'{{"type": "service_account", "private_key": "{planted("gcpjson")}'),  # not JSON at all
    ]
    for platform, credentials in rejected:
        body = {"platform": platform, "source_name": f"bad-{uuid.uuid4().hex[:8]}", "api_credentials_json": credentials}
        assert ms.admin.post(url, json=body).status_code == 400
        assert ms.admin.post(f"{url}/test", json=body).status_code == 400
        target = {"Microsoft365": good, "AzureAD": good, "GCP": gcp_source, "AWS": aws_source}[platform]
        session = gcp.admin if platform == "GCP" else ms.admin
        assert session.put(f"{url}/{target['source_id']}", json=replacement(target, credentials)).status_code == 400
    raw = planted("rawbody")
    r = ms.admin.post(url, data=f'{{"platform": "AWS", "api_credentials_json": {{"secret_access_key": "{raw}"',
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400

    # Source tests: stored sources, and a draft with a secret the fake refuses.
    for session, source in [(ms.admin, good), (ms.admin, refused), (ms.admin, cert_source), (gcp.admin, gcp_source),
                            (ms.admin, aws_source)]:
        assert session.post(f"{url}/{source['source_id']}/test").status_code == 200
    draft = {"platform": "Microsoft365", "source_name": "draft",
             "api_credentials_json": dict(app.credentials(), client_secret=planted("msdraft")),
             "settings": {"authority_host": ms_fake.base_url, "graph_endpoint": ms_fake.base_url}}
    assert ms.admin.post(f"{url}/test", json=draft).status_code == 200

    # A token signed with another HS256 secret.
    forged_secret = canary("jwt")
    scan.add("forged token's HS256 secret", forged_secret)
    forged = jwt.encode({"tenant_id": ms.siem_tenant, "roles": ["admin"], "exp": int(time.time()) + 600},
                        forged_secret, algorithm="HS256")
    assert recording(stack.session(forged), seen).get(url).status_code == 401

    # The poller, with canaries in its master key ring, Kafka properties (inline and file) and database URL.
    master_text = Path(stack.env["SIEM_MASTER_KEY_FILE"]).read_text()
    old_key = os.urandom(32)
    scan.add("an older master key", old_key)
    ring = master_text.rstrip("\n") + f"\nk-canary-old {base64.b64encode(old_key).decode()}\n"
    sasl_password, key_password = canary("saslpw"), canary("sslkeypw")
    scan.add("sasl.password", sasl_password)
    scan.add("ssl.key.password", key_password)
    properties_file = tmp_path / "kafka.properties"  # outside var/: it holds a secret on purpose
    properties_file.write_text(f"# TLS\nssl.key.password={key_password}\n")
    run = ms.run_poller(SIEM_MASTER_KEY=ring, KAFKA_PROPERTIES_FILE=properties_file,
                        KAFKA_PROPERTIES=f"sasl.username=collector,sasl.password={sasl_password},message.timeout.ms=10000")
    outputs.append(("the poller run", run))
    assert run.returncode in (0, 1), run.stderr
    outcomes = {line["source.id"]: line["outcome"] for line in source_lines(run)}
    assert set(outcomes) == {s["source_id"] for s in [good, refused, cert_source, gcp_source, aws_source]}, run.stderr
    assert outcomes[good["source_id"]] == "success" and outcomes[refused["source_id"]] == "error", run.stderr

    # Runs that stop at their configuration (exit 2), each with a canary in what is wrong.
    pem_file = tmp_path / "pasted.properties"
    pem_file.write_text(f"sasl.username=collector\n{other_key}")
    misconfigured = {
        "a bad KAFKA_PROPERTIES line": {"KAFKA_PROPERTIES": f"message.timeout.ms=3000\n{planted('kafkaline')}"},
        "a PEM key pasted into KAFKA_PROPERTIES_FILE": {"KAFKA_PROPERTIES_FILE": pem_file},
        "an ambiguous comma": {"KAFKA_PROPERTIES": f"sasl.password={planted('kafkacomma')},word=x"},
        "a value librdkafka refuses": {"KAFKA_PROPERTIES": f"ssl.endpoint.identification.algorithm={planted('rdkval')}"},
        "a wrong database password": {"SIEM_POLLER_DATABASE_URL":
                                      f"postgresql://siem_poller:{planted('pgpw')}@127.0.0.1:{stack.ports['pg']}/siem"},
        "a malformed master key": {"SIEM_MASTER_KEY": f"k-1 {planted('masterkey')}!"},
    }
    for what, env in misconfigured.items():
        proc = ms.run_poller("--source", good["source_id"], **env)
        outputs.append((what, proc))
        assert proc.returncode == 2, f"{what}: {proc.stderr}"

    # The stack's own secrets are canaries too.
    secrets_dir = stack.var_dir / "secrets"
    for name in ("jwt-secret", "pg-admin", "pg-api", "pg-poller"):
        scan.add(f"stack {name}", (secrets_dir / name).read_text().strip())
    for line in master_text.splitlines():
        if line.strip() and not line.startswith("#"):
            scan.add(f"stack master key {line.split()[0]}", base64.b64decode(line.split()[1]))

    leaks = []
    for r in seen:
        leaks += scan.leaks(f"response to {r.request.method} {r.url} ({r.status_code})", response_text(r))
    for what, proc in outputs:
        leaks += scan.leaks(f"output of {what}", proc.stdout + proc.stderr)
    skip = [
        secrets_dir,                      # where the stack keeps its secrets, by design (mode 0700)
        stack.var_dir / "stack.env",      # a client's environment (mode 0600): database URLs and the JWT secret
        stack.var_dir / "pg" / "data",    # PostgreSQL's files (non-root layout): credentials sealed, role passwords as SCRAM verifiers
    ]
    files = list(scan.files(stack.var_dir, skip))
    assert any(p.name == "siem-api.log" for p in files)
    # As root, PostgreSQL runs outside var/; its server log is scanned all the same (not its data files).
    data_dir = Path(db.execute("SHOW data_directory").fetchone()[0])
    files += [p for p in [data_dir.parent / "postgres.log"] if p.is_file() and p not in files]
    for path in files:
        leaks += scan.leaks(str(path), path.read_bytes())
    assert not leaks, "\n".join(leaks)
