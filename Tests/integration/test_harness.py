"""Tests of the harness helpers: procs (start/stop by PID), kafka.read_topic, devbroker control."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harness import devbroker, kafka, procs

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_MOCK_SRC_CANDIDATES = [
    Path(os.environ.get("SIEM_SHARED_DIR", "/nonexistent")) / "bench/kafka-mock.c",
    REPO_ROOT.parent / "shared/bench/kafka-mock.c",
    Path("/work/shared/bench/kafka-mock.c"),
]


# --- procs --------------------------------------------------------------------------------
def py(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def test_start_reads_ready_line_and_stop_is_clean(tmp_path):
    p = procs.start(py("""
        import signal, sys, time
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        # One write: a SIGTERM between two prints would legitimately lose the second.
        print("ready 123\\nmore output", flush=True)
        time.sleep(60)
    """), log_path=tmp_path / "p.log")
    assert p.ready_line == "ready 123" and p.alive()
    assert p.stop() == 0 and not p.alive()
    assert "more output" in (tmp_path / "p.log").read_text()


def test_start_fails_fast_without_ready_line():
    t0 = time.monotonic()
    with pytest.raises(procs.ProcError, match="no ready line"):
        procs.start(py("import time; time.sleep(60)"), ready_timeout=0.5)
    with pytest.raises(procs.ProcError, match="exited"):
        procs.start(py("import sys; sys.exit(3)"), ready_timeout=5)
    assert time.monotonic() - t0 < 5


def test_stop_by_pid_escalates_to_sigkill():
    child = subprocess.Popen(py("""
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("up", flush=True); time.sleep(60)
    """), stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == b"up"
        t0 = time.monotonic()
        assert procs.stop(child, timeout=0.5) == -9
        assert time.monotonic() - t0 < 3
    finally:
        child.stdout.close()


def test_clean_env_drops_ca_bundle_vars(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/x")
    env = procs.clean_env({"A": "1"})
    assert "REQUESTS_CA_BUNDLE" not in env and env["A"] == "1"


# --- kafka --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kafka_mock(tmp_path_factory):
    """librdkafka's mock cluster (bench/kafka-mock.c from shared/), topic ingest-events, 3 partitions."""
    src = next((p for p in KAFKA_MOCK_SRC_CANDIDATES if p.exists()), None)
    if src is None or shutil.which("gcc") is None or not Path("/usr/include/librdkafka/rdkafka_mock.h").exists():
        pytest.skip("kafka-mock.c, gcc or librdkafka-dev not available")
    binary = tmp_path_factory.mktemp("kmock") / "kafka-mock"
    subprocess.run(["gcc", "-O2", "-o", str(binary), str(src), "-lrdkafka"], check=True, timeout=120)
    p = procs.start([str(binary), "ingest-events", "3"], ready_timeout=15)
    yield p.ready_line
    p.stop()


def test_read_topic_returns_every_message_with_key_value_headers(kafka_mock):
    from confluent_kafka import Producer
    prod = Producer({"bootstrap.servers": kafka_mock, "acks": "all", "log_level": 3})
    sent = []
    for i in range(30):
        key = None if i == 7 else f"tenant-{i % 4}/directoryAudits"
        value = b"not json \xff" if i == 11 else json.dumps({"n": i, "text": "Zoë \"q\" 😀"}).encode()
        prod.produce("ingest-events", value=value, key=key, partition=i % 3,
                     headers=[("source", b"graph"), ("seq", str(i).encode())])
        sent.append(i)
    assert prod.flush(10) == 0
    msgs = kafka.read_topic(kafka_mock, "ingest-events", timeout=20)
    assert len(msgs) == 30
    assert [(m.partition, m.offset) for m in msgs] == sorted((m.partition, m.offset) for m in msgs)
    by_seq = {int(m.headers["seq"]): m for m in msgs}
    assert sorted(by_seq) == sent
    assert by_seq[0].value == {"n": 0, "text": "Zoë \"q\" 😀"} and by_seq[0].key == "tenant-0/directoryAudits"
    assert by_seq[7].key is None and by_seq[11].value == b"not json \xff"
    assert by_seq[3].headers["source"] == "graph" and by_seq[3].raw_headers[0] == ("source", b"graph")
    ends = kafka.partition_ends(kafka_mock, "ingest-events")
    assert sum(hi - lo for lo, hi in ends.values()) == 30
    # Reading again gives the same answer: nothing was committed.
    assert len(kafka.read_topic(kafka_mock, "ingest-events", timeout=20)) == 30


# --- devbroker ----------------------------------------------------------------------------
STAND_IN = r'''#!{python}
"""Stand-in for siem-devbroker implementing the documented CLI/socket contract."""
import argparse, os, signal, socket, sys, threading
ap = argparse.ArgumentParser()
ap.add_argument("--topic"); ap.add_argument("--partitions", type=int); ap.add_argument("--control-socket")
a = ap.parse_args()
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); srv.bind(a.control_socket); srv.listen(4)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *x: stop.set())
def serve():
    while True:
        c, _ = srv.accept()
        with c:
            cmd = c.makefile().readline().split()
            ok = cmd and cmd[0] in ("ping", "broker-down", "broker-up", "produce-errors")
            c.sendall((f"ok {' '.join(cmd[1:]) or 'pong'}\n" if ok else f"error unknown command {cmd}\n").encode())
threading.Thread(target=serve, daemon=True).start()
print("127.0.0.1:9092", flush=True)
stop.wait()
'''


def test_devbroker_helper_against_stand_in(tmp_path, monkeypatch):
    exe = tmp_path / "siem-devbroker"
    exe.write_text(STAND_IN.replace("{python}", sys.executable))
    exe.chmod(0o755)
    monkeypatch.setenv("SIEM_BIN_DIR", str(tmp_path))
    b = devbroker.start_devbroker(tmp_path, partitions=3)
    try:
        assert b.bootstrap == "127.0.0.1:9092"
        assert b.ping() == "pong"
        assert b.broker_down(1) == "1" and b.broker_up(1) == "1"
        assert b.produce_errors(5, "NOT_ENOUGH_REPLICAS") == "5 NOT_ENOUGH_REPLICAS"
        with pytest.raises(devbroker.DevBrokerError, match="error unknown"):
            b.command("explode now")
    finally:
        assert b.stop() == 0
    assert not os.path.exists(b.control_socket)


def test_devbroker_missing_binary(tmp_path, monkeypatch):
    monkeypatch.setenv("SIEM_BIN_DIR", str(tmp_path))
    with pytest.raises(devbroker.DevBrokerError, match="not found"):
        devbroker.start_devbroker(tmp_path)
