"""siem-ctl rotate-credentials against concurrent writes: a row is re-sealed only if it is unchanged
since it was read, so credentials written through the API during a rotation are never reverted."""
import base64
import json
import os
import re
import subprocess
import threading
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sample_sources import AWS_SECRET, body, credentials

ASSOCIATED_DATA_PREFIX = b"siem-collector/credential\x00"


def key_ring(text):
    """{key id: key bytes} of a master key file."""
    ring = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key_id, key = line.split()
            ring[key_id] = base64.b64decode(key)
    return ring


def open_envelope(envelope, ring, tenant, source_id):
    """(key id, credentials) of a sealed row, as CredentialCipher documents the envelope."""
    envelope = bytes(envelope)
    assert envelope[0] == 1
    header_end = 2 + envelope[1]
    key_id = envelope[2:header_end].decode()
    binding = b"".join(len(p).to_bytes(4, "big") + p for p in (tenant.encode(), source_id.encode()))
    nonce, sealed = envelope[header_end:header_end + 12], envelope[header_end + 12:]
    plaintext = AESGCM(ring[key_id]).decrypt(nonce, sealed, ASSOCIATED_DATA_PREFIX + envelope[:header_end] + binding)
    return key_id, json.loads(plaintext)


def rotate(stack, key_file, pause=False):
    env = dict(os.environ, DATABASE_URL=stack.env["DATABASE_URL"], SIEM_MASTER_KEY_FILE=str(key_file))
    env.pop("SIEM_MASTER_KEY", None)
    if pause:
        env["SIEM_CTL_TEST_PAUSE_AFTER_READ"] = "1"
    return subprocess.Popen([stack.bin("siem-ctl"), "rotate-credentials"], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_rotation_never_reverts_credentials_written_meanwhile(stack, admin, db, tenant, tmp_path):
    url = f"{stack.url}/v1/cloud_api_sources"
    sources = []
    for _ in range(40):
        r = admin.post(url, json=body("AWS"))
        assert r.status_code == 201, r.text
        sources.append(r.json())
    stack_key_text = Path(stack.env["SIEM_MASTER_KEY_FILE"]).read_text()
    new_id = f"k-rotation-{uuid.uuid4().hex[:8]}"
    new_line = f"{new_id} {base64.b64encode(os.urandom(32)).decode()}\n"
    rotated_ring = tmp_path / "rotated.key"     # the new key on top: it seals, the stack's key only opens
    rotated_ring.write_text(new_line + stack_key_text)
    restored_ring = tmp_path / "restored.key"   # the stack's key back on top, for the tests that follow
    restored_ring.write_text(stack_key_text.rstrip("\n") + "\n" + new_line)
    ring = key_ring(rotated_ring.read_text())

    expected = {s["source_id"]: AWS_SECRET for s in sources}
    proc = rotate(stack, rotated_ring, pause=True)
    watchdog = threading.Timer(120, proc.kill)  # a hung rotation must not hang the suite
    watchdog.start()
    try:
        line = proc.stdout.readline()
        assert line.startswith("paused"), line + proc.stderr.read()
        # The writer: while the rotation holds what it read, new credentials for half the rows,
        # and two rows go away altogether.
        for s in sources[::2]:
            secret = f"written-during-rotation-{uuid.uuid4().hex}"
            put = {"platform": "AWS", "source_name": s["source_name"],
                   "api_credentials_json": credentials("AWS", secret=secret)}
            r = admin.put(f"{url}/{s['source_id']}", json=put)
            assert r.status_code == 200, r.text
            expected[s["source_id"]] = secret
        for s in sources[1:5:2]:
            assert admin.delete(f"{url}/{s['source_id']}").status_code == 204
            del expected[s["source_id"]]
        out, err = proc.communicate("\n", timeout=120)
        rows = db.execute("SELECT source_id::text, tenant_id, api_credentials FROM cloud_api_sources "
                          "WHERE source_id = ANY(%s::uuid[])", (list(expected),)).fetchall()
        stored = {row[0]: open_envelope(row[2], ring, row[1], row[0]) for row in rows}
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        back = rotate(stack, restored_ring)
        back_out, back_err = back.communicate(timeout=120)
        assert "re-sealed" in back_out, back_out + back_err

    # Every row holds what the writer last wrote, sealed with the new key.
    assert set(stored) == set(expected)
    for source_id, (key_id, creds) in stored.items():
        assert (key_id, creds["secret_access_key"]) == (new_id, expected[source_id]), source_id
    # Rows other tests left unopenable (moved ciphertext) may fail; none of these.
    failed = [line for line in out.splitlines() if " FAILED " in line]
    assert not [line for line in failed if line.split()[0] in expected], out
    assert proc.returncode == (1 if failed else 0), out + err
    summary = re.search(r"re-sealed (\d+) source\(s\) with key (\S+); (\d+) changed since read \(read again and "
                        r"retried\), (\d+) skipped as still changing, (\d+) failed", out)
    assert summary, out
    assert int(summary[1]) >= len(expected) and summary[2] == new_id
    assert [int(n) for n in summary.groups()[2:]] == [22, 0, len(failed)], out
