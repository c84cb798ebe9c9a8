"""OData bits the Microsoft fakes need: timestamps, the time-range `$filter`, opaque skip tokens.

Timestamps are kept as integer 100-ns ticks since the Unix epoch: Graph and ARM print up to
7 fractional digits, and comparing ints keeps filters exact at that precision.
"""
from __future__ import annotations

import base64
import calendar
import datetime as dt
import json
import re
import time
from dataclasses import dataclass

TICKS = 10_000_000  # per second

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$")


def now_ticks() -> int:
    return time.time_ns() // 100


def parse_time(s: str) -> int:
    """ISO 8601 (date only, or date-time with optional fraction and Z/offset) -> ticks."""
    m = _ISO.match(s.strip())
    if not m:
        raise ValueError(f"not a DateTimeOffset: {s!r}")
    y, mo, d, h, mi, sec, frac, tz = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0), 0, 0, 0))
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        hh, mm = int(tz[1:3]), int(tz[-2:])
        secs -= sign * (hh * 3600 + mm * 60)
    return secs * TICKS + int((frac or "0")[:7].ljust(7, "0"))


def format_time(ticks: int) -> str:
    """Ticks -> '2026-11-20T10:00:00.1234567Z' with trailing zeros trimmed, as Graph prints them."""
    secs, frac = divmod(ticks, TICKS)
    base = dt.datetime.fromtimestamp(secs, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    f = f"{frac:07d}".rstrip("0")
    return f"{base}.{f}Z" if f else f"{base}Z"


def as_ticks(value) -> int:
    """Accept ticks (int), epoch seconds (float) or an ISO string."""
    if isinstance(value, bool):
        raise ValueError("bad time")
    if isinstance(value, int) and value > 10**15:
        return value
    if isinstance(value, (int, float)):
        return int(value * TICKS)
    return parse_time(str(value))


class FilterError(ValueError):
    pass


@dataclass
class TimeRange:
    """Half-open/closed interval on ticks; None means unbounded."""
    lo: int | None = None
    lo_incl: bool = True
    hi: int | None = None
    hi_incl: bool = True

    def tighten(self, op: str, t: int) -> None:
        if op in ("ge", "gt", "eq"):
            incl = op != "gt"
            if self.lo is None or t > self.lo or (t == self.lo and not incl):
                self.lo, self.lo_incl = t, incl
        if op in ("le", "lt", "eq"):
            incl = op != "lt"
            if self.hi is None or t < self.hi or (t == self.hi and not incl):
                self.hi, self.hi_incl = t, incl

    def contains(self, t: int) -> bool:
        if self.lo is not None and (t < self.lo or (t == self.lo and not self.lo_incl)):
            return False
        if self.hi is not None and (t > self.hi or (t == self.hi and not self.hi_incl)):
            return False
        return True


_CLAUSE = re.compile(
    r"^\s*(?P<field>[A-Za-z_][\w/]*)\s+(?P<op>eq|ne|ge|gt|le|lt)\s+"
    r"(?P<value>'(?:[^']|'')*'|[^\s()']+)\s*$", re.IGNORECASE)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\s+and\s+|.", re.IGNORECASE | re.DOTALL)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _split_and(text: str) -> list[str]:
    """Split on ` and ` outside quoted literals."""
    parts, buf = [], []
    for m in _TOKENS.finditer(text):
        tok = m.group(0)
        if _AND.fullmatch(tok):
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(tok)
    parts.append("".join(buf))
    return parts


def _strip_parens(text: str) -> str:
    """Drop parentheses that wrap the whole text: "(a) and (b)" keeps its own."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def parse_filter(text: str, time_field: str, allowed_ops: set[str], quoted_time: bool,
                 extra_eq_fields: set[str] = frozenset()) -> tuple[TimeRange, dict[str, str]]:
    """Parse `F op V and F op V ...` where F is the time field (or an `eq`-only extra field).

    quoted_time: Graph wants bare DateTimeOffset literals (quoting one is a type error there);
    the ARM activity log wants them quoted.  Returns the time range and the extra equalities.
    """
    rng, eqs = TimeRange(), {}
    body = _strip_parens(text)
    if not body:
        raise FilterError("empty $filter")
    for clause in _split_and(body):
        clause = _strip_parens(clause)
        m = _CLAUSE.match(clause)
        if not m:
            raise FilterError(f"Invalid filter clause: {clause!r}")
        field, op, value = m["field"], m["op"].lower(), m["value"]
        if field.lower() in {f.lower() for f in extra_eq_fields}:
            if op != "eq" or not value.startswith("'"):
                raise FilterError(f"Unsupported operator on {field}")
            eqs[field] = value[1:-1].replace("''", "'")
            continue
        if field.lower() != time_field.lower():
            raise FilterError(f"Unsupported filter property: {field}")
        if op not in allowed_ops:
            raise FilterError(f"Unsupported operator '{op}' on {field}")
        is_quoted = value.startswith("'")
        if is_quoted != quoted_time:
            raise FilterError(
                f"A binary operator with incompatible types was detected. Found operand types "
                f"'Edm.DateTimeOffset' and '{'Edm.String' if is_quoted else 'Edm.Untyped'}' for operator kind '{op}'.")
        try:
            t = parse_time(value[1:-1] if is_quoted else value)
        except ValueError as e:
            raise FilterError(str(e)) from None
        rng.tighten(op, t)
    return rng, eqs


def encode_token(obj: dict) -> str:
    raw = json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(tok: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("invalid skip token") from None
    if not isinstance(obj, dict) or obj.get("v") != 1:
        raise ValueError("invalid skip token")
    return obj
