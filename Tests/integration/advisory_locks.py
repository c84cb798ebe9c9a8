"""The advisory-lock keys of Sources/Storage/AdvisoryLocks.swift, read from that file so the
tests that hold a poller's or a probe's lock never carry a copy that could drift."""
import re
from pathlib import Path

SWIFT = Path(__file__).resolve().parents[2] / "Sources" / "Storage" / "AdvisoryLocks.swift"


def _constant(name):
    text = SWIFT.read_text()
    match = re.search(rf"static let {name}: Int\d+ = (0x[0-9A-Fa-f_]+|[0-9_]+)\n", text)
    if match is None:
        raise LookupError(f"{SWIFT}: no integer constant {name}")
    return int(match.group(1).replace("_", ""), 0)


SOURCE_SEED = _constant("sourceSeed")          # hashtextextended(source_id, SOURCE_SEED)
MIGRATIONS = _constant("migrations")
PROBE_NAMESPACE = _constant("probeNamespace")  # pg_advisory_lock(PROBE_NAMESPACE, hashtext(tenant || '#' || slot))
