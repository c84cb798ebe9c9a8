"""Advisory-lock keys are defined once, in Sources/Storage/AdvisoryLocks.swift (#12): no Swift,
SQL, script or test carries a copy of them (tests read them through advisory_locks.py)."""
import re
from pathlib import Path

import advisory_locks

ROOT = Path(__file__).resolve().parents[2]
SEARCHED = ["Sources", "sql", "scripts", "Tests", "cron"]
SUFFIXES = {".swift", ".sql", ".py", ".sh", ""}


def spellings(value):
    """A key as code may spell it: decimal, hex, with or without `_` separators."""
    decimal, hexadecimal = str(value), f"{value:x}"
    return {decimal, f"{value:_}", hexadecimal, re.sub(r"(?<=.)(?=(.{4})+$)", "_", hexadecimal)}


def test_each_key_is_written_in_one_file_only():
    keys = {"sourceSeed": advisory_locks.SOURCE_SEED, "migrations": advisory_locks.MIGRATIONS,
            "probeNamespace": advisory_locks.PROBE_NAMESPACE}
    copies = []
    for folder in SEARCHED:
        for path in (ROOT / folder).rglob("*"):
            if not path.is_file() or path.suffix not in SUFFIXES or path == advisory_locks.SWIFT or ".build" in path.parts:
                continue
            text = path.read_text(errors="replace").lower()
            for name, value in keys.items():
                if any(re.search(rf"(?<![0-9a-z_]){re.escape(s)}(?![0-9a-z_])", text) for s in spellings(value)):
                    copies.append(f"{path.relative_to(ROOT)}: {name}")
    assert copies == []


def test_the_keys_differ():
    assert len({advisory_locks.SOURCE_SEED, advisory_locks.MIGRATIONS, advisory_locks.PROBE_NAMESPACE}) == 3
