"""The module boundaries of #12 as the linker sees them: siem-api checks credentials and
runs probes through Providers, and links neither Kafka nor the poller's tick; the
development tooling (the Kafka mock cluster, the topic reader) is in no production binary."""
import os
import subprocess
from pathlib import Path

import pytest

BIN_DIR = Path(os.environ.get("SIEM_BIN_DIR", ""))


def linked_libraries(binary):
    out = subprocess.run(["ldd", str(BIN_DIR / binary)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def modules_defined(binary):
    """The Swift modules whose code the binary holds (mangled names start with `$s<len><Module>`)."""
    out = subprocess.run(["nm", "--defined-only", str(BIN_DIR / binary)], capture_output=True, text=True, check=True).stdout
    modules = set()
    for line in out.splitlines():
        symbol = line.split()[-1]
        if symbol.startswith("$s") and symbol[2:3].isdigit():
            digits = "".join(c for c in symbol[2:5] if c.isdigit())
            modules.add(symbol[2 + len(digits):2 + len(digits) + int(digits)])
    return modules


@pytest.fixture(autouse=True)
def built():
    if not (BIN_DIR / "siem-api").exists():
        pytest.fail(f"no siem-api in SIEM_BIN_DIR={BIN_DIR}")


def test_siem_api_links_no_kafka():
    libraries = linked_libraries("siem-api")
    assert not any("rdkafka" in name for name in libraries), libraries
    assert any("libcurl" in name for name in libraries), "probes reach the providers through libcurl"
    assert any("libpq" in name for name in libraries)


def test_siem_api_holds_the_providers_but_not_the_tick():
    modules = modules_defined("siem-api")
    assert {"API", "Providers", "Catalog", "Curl"} <= modules, modules
    assert not modules & {"Poller", "Kafka", "KafkaDevTools", "PollerBench"}, modules


def test_the_poller_links_kafka_and_no_dev_tooling():
    assert any("rdkafka" in name for name in linked_libraries("siem-poller"))
    assert {"Poller", "Providers", "Kafka"} <= modules_defined("siem-poller")
    for binary in ("siem-poller", "siem-api", "siem-ctl"):
        assert "KafkaDevTools" not in modules_defined(binary), binary


def test_no_binary_holds_the_test_fakes():
    for binary in ("siem-poller", "siem-api", "siem-ctl", "siem-devbroker"):
        assert "TestSupport" not in modules_defined(binary), binary


def test_only_the_benchmark_may_read_plain_http():
    """`HTTPClientConfiguration.allowsPlainHTTPOnLoopback` exists so `siem-poller bench` can read
    the same plain-HTTP pages as the Python peer; nothing on a production path may set it."""
    sources = Path(__file__).resolve().parents[2] / "Sources"
    setters = sorted(str(path.relative_to(sources)) for path in sources.rglob("*.swift")
                     if "allowsPlainHTTPOnLoopback = true" in path.read_text())
    assert setters == ["PollerBench/GraphPagesBench.swift"], setters
