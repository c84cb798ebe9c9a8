"""Credentials are stored only as ciphertext, never appear in responses or logs,
and are bound to their row: ciphertext moved to another row does not decrypt."""
import os
import subprocess

import pytest

from sample_sources import body, secret_values


@pytest.mark.parametrize("platform,certificate", [("Microsoft365", False), ("AzureAD", True), ("GCP", False),
                                                  ("AWS", False)])
def test_secrets_never_leave_in_clear(stack, admin, db, platform, certificate):
    url = f"{stack.url}/v1/cloud_api_sources"
    payload = body(platform, certificate=certificate)
    secrets = secret_values(platform, certificate=certificate)
    responses = [admin.post(url, json=payload)]
    sid = responses[0].json()["source_id"]
    responses.append(admin.get(f"{url}/{sid}"))
    responses.append(admin.get(url))
    responses.append(admin.put(f"{url}/{sid}", json=payload))
    bad = dict(payload, polling_interval_minutes=-1)
    responses.append(admin.post(url, json=bad))
    for r in responses:
        for secret in secrets:
            assert secret not in r.text

    row = db.execute("SELECT api_credentials, credentials_key_id, settings::text, cursor::text "
                     "FROM cloud_api_sources WHERE source_id = %s", (sid,)).fetchone()
    envelope = bytes(row[0])
    for secret in secrets:
        assert secret.encode() not in envelope
        assert secret not in row[2] and secret not in row[3]
    assert row[1] and row[1].encode() in envelope  # the key id travels with the envelope

    log = stack.api_log()
    for secret in secrets:
        assert secret not in log


def check_credentials(stack):
    env = dict(os.environ, DATABASE_URL=stack.env["DATABASE_URL"],
               SIEM_MASTER_KEY_FILE=stack.env["SIEM_MASTER_KEY_FILE"])
    return subprocess.run([stack.bin("siem-ctl"), "check-credentials"], env=env,
                          capture_output=True, text=True, timeout=60)


def test_moved_ciphertext_does_not_decrypt(stack, admin, db):
    url = f"{stack.url}/v1/cloud_api_sources"
    a = admin.post(url, json=body("AWS", name="a")).json()["source_id"]
    b = admin.post(url, json=body("AWS", name="b")).json()["source_id"]
    before = check_credentials(stack)
    assert f"{b} ok" in before.stdout, before.stdout + before.stderr

    db.execute("UPDATE cloud_api_sources SET api_credentials = "
               "(SELECT api_credentials FROM cloud_api_sources WHERE source_id = %s) WHERE source_id = %s", (a, b))
    after = check_credentials(stack)
    assert after.returncode != 0
    assert f"{a} ok" in after.stdout
    assert f"{b} FAILED" in after.stdout
    for secret in secret_values("AWS"):
        assert secret not in after.stdout + after.stderr
