"""KAFKA_PROPERTIES and KAFKA_PROPERTIES_FILE: commas inside values work, and a bad line is
reported by where it is, never by what it holds (it may be a pasted PEM key or a password)."""
import subprocess

import pytest

from canary import canary
from pollerkit import PollerKit, iso, source_lines


def run_poller(stack, **env):
    """One tick with nothing due except what a test made due; the environment as cron gives it."""
    full = {"PATH": "/usr/bin:/bin", "SIEM_POLLER_DATABASE_URL": stack.env["SIEM_POLLER_DATABASE_URL"],
            "SIEM_MASTER_KEY_FILE": stack.env["SIEM_MASTER_KEY_FILE"], "KAFKA_BROKERS": stack.env["KAFKA_BROKERS"],
            **env}
    return subprocess.run([stack.bin("siem-poller"), "run"], env=full, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("variable,text,message", [
    ("KAFKA_PROPERTIES_FILE", "# SASL\nsasl.username=collector\n{secret}\nsasl.password=p\n",
     "KAFKA_PROPERTIES_FILE line 3: expected name=value"),
    ("KAFKA_PROPERTIES", "message.timeout.ms=3000\n{secret}", "KAFKA_PROPERTIES line 2: expected name=value"),
    # Is "word=x" a property, or part of the password? Refused: one property per line settles it.
    ("KAFKA_PROPERTIES", "sasl.password={secret},word=x", "KAFKA_PROPERTIES entry 1: ambiguous comma"),
], ids=["file line", "inline line", "ambiguous comma"])
def test_bad_text_is_named_by_where_it_is_never_by_what_it_holds(stack, tmp_path, only_new_sources_due,
                                                                   variable, text, message):
    secret = canary("kafka")
    text = text.format(secret=secret)
    if variable == "KAFKA_PROPERTIES_FILE":
        (tmp_path / "kafka.properties").write_text(text)
        text = str(tmp_path / "kafka.properties")
    proc = run_poller(stack, **{variable: text})
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert secret not in proc.stdout + proc.stderr


def test_commas_inside_values_reach_librdkafka(stack, ms_fake, cert_dir, only_new_sources_due):
    kit = PollerKit(stack, ms_fake, cert_dir)
    app = kit.new_app()
    ids = kit.add_events(app, "directoryAudits", 7, iso(1800), iso(60))
    source = kit.create_source(app, streams=["directory_audits"])
    # Two bootstrap servers (the second refuses connections) and a cipher list: both hold commas.
    properties = (f"bootstrap.servers={stack.env['KAFKA_BROKERS']},127.0.0.1:9,"
                  "ssl.cipher.suites=ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384,"
                  "message.timeout.ms=10000")
    proc = kit.poll(source, KAFKA_PROPERTIES=properties)
    assert source_lines(proc)[0]["events"] == 7
    assert sorted(m.key for m in kit.read()) == sorted(ids)


@pytest.mark.parametrize("text", ["message.timeout.ms=9999999", "acks=1"])
def test_weakening_properties_are_still_refused(stack, ms_fake, cert_dir, only_new_sources_due, text):
    kit = PollerKit(stack, ms_fake, cert_dir)
    source = kit.create_source(kit.new_app(), streams=["directory_audits"])
    proc = kit.run_poller("--source", source["source_id"], KAFKA_PROPERTIES=text)
    assert proc.returncode == 2, proc.stderr
    assert f"property {text.split('=')[0]}" in proc.stderr
