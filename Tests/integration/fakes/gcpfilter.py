"""A real parser and evaluator for the subset of the Cloud Logging query language that
audit-log collectors send, plus RFC 3339 timestamps at nanosecond precision.

Grammar (Logging query language; note that OR binds tighter than AND there):

    expr       := or_term ( [AND] or_term )*          juxtaposition is an implicit AND
    or_term    := unary ( OR unary )*
    unary      := NOT unary | "-" unary | "(" expr ")" | comparison
    comparison := path op value
    path       := name ( "." name )*                  e.g. protoPayload.authenticationInfo.principalEmail
    op         := = | != | < | <= | > | >= | : | =~ | !~
    value      := "quoted \\"string\\"" | bare-word | *  (with ":" only: field present)

`timestamp`/`receiveTimestamp` compare as instants, `severity` by level, numbers as
numbers, `:` is a case-insensitive substring match, `=~` a regular expression search.
`logName` values match with or without the %2F encoding of the log id.
Anything else (a bare global search term, an unknown operator, an unbalanced
parenthesis, an unparseable timestamp) raises FilterError, which the fake answers
with 400 INVALID_ARGUMENT like Google.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .odata import TimeRange

NS = 1_000_000_000
SEVERITY = {"DEFAULT": 0, "DEBUG": 100, "INFO": 200, "NOTICE": 300, "WARNING": 400, "ERROR": 500,
            "CRITICAL": 600, "ALERT": 700, "EMERGENCY": 800}
TIME_FIELDS = {"timestamp", "receiveTimestamp"}
MAX_FILTER = 20_000  # characters, as documented for entries.list

_TS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$")


class FilterError(ValueError):
    def __init__(self, column: int, token: str, why: str = "syntax error"):
        super().__init__(f"Unparseable filter: {why} at line 1, column {column}, token '{token}'")
        self.column = column


def parse_ns(text: str) -> int:
    """RFC 3339 -> nanoseconds since the epoch (fraction up to 9 digits, Z or offset)."""
    m = _TS.match(text.strip())
    if not m:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    y, mo, d, h, mi, s, frac, tz = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
    if tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        secs -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    return secs * NS + int((frac or "0").ljust(9, "0"))


def format_ns(ns: int) -> str:
    """Nanoseconds -> RFC 3339 UTC with 0, 3, 6 or 9 fraction digits, as proto3 JSON prints them."""
    secs, frac = divmod(ns, NS)
    base = dt.datetime.fromtimestamp(secs, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if frac == 0:
        return base + "Z"
    if frac % 1_000_000 == 0:
        return f"{base}.{frac // 1_000_000:03d}Z"
    if frac % 1_000 == 0:
        return f"{base}.{frac // 1_000:06d}Z"
    return f"{base}.{frac:09d}Z"


# --- syntax tree -------------------------------------------------------------------------
@dataclass
class Cmp:
    path: tuple[str, ...]
    op: str
    value: str          # decoded text of the value
    quoted: bool
    time_ns: int | None = None   # for timestamp fields
    regex: re.Pattern | None = None


@dataclass
class Not:
    arg: object


@dataclass
class And:
    args: list


@dataclass
class Or:
    args: list


_WS = re.compile(r"\s+")
_NAME = re.compile(r"[A-Za-z_@][A-Za-z0-9_@]*")
_OP = re.compile(r"<=|>=|!=|=~|!~|=|<|>|:")
_BARE = re.compile(r"[^\s()\"]+")
_KEYWORD = re.compile(r"(AND|OR|NOT)(?=[\s()\"]|$)")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.i = 0

    def error(self, why: str = "syntax error"):
        m = _BARE.match(self.text, self.i)
        tok = self.text[self.i] if self.i < len(self.text) and not m else (m.group(0) if m else "<EOF>")
        raise FilterError(self.i + 1, tok, why)

    def ws(self) -> None:
        m = _WS.match(self.text, self.i)
        if m:
            self.i = m.end()

    def peek_keyword(self) -> str | None:
        self.ws()
        m = _KEYWORD.match(self.text, self.i)
        return m.group(1) if m else None

    def at_end(self) -> bool:
        self.ws()
        return self.i >= len(self.text)

    def parse(self):
        if self.at_end():
            return And([])
        node = self.expr()
        if not self.at_end():
            self.error()
        return node

    def expr(self):
        args = [self.or_term()]
        while True:
            kw = self.peek_keyword()
            if kw == "AND":
                self.i += 3
            elif self.at_end() or self.text[self.i] == ")" or kw == "OR":
                break
            args.append(self.or_term())   # juxtaposition: implicit AND
        return args[0] if len(args) == 1 else And(args)

    def or_term(self):
        args = [self.unary()]
        while self.peek_keyword() == "OR":
            self.i += 2
            args.append(self.unary())
        return args[0] if len(args) == 1 else Or(args)

    def unary(self):
        self.ws()
        if self.peek_keyword() == "NOT":
            self.i += 3
            return Not(self.unary())
        if self.text.startswith("-", self.i):
            self.i += 1
            return Not(self.unary())
        if self.text.startswith("(", self.i):
            self.i += 1
            node = self.expr()
            self.ws()
            if not self.text.startswith(")", self.i):
                self.error("expected ')'")
            self.i += 1
            return node
        return self.comparison()

    def comparison(self) -> Cmp:
        start = self.i
        parts = []
        while True:
            m = _NAME.match(self.text, self.i)
            if not m or m.group(0) in ("AND", "OR", "NOT"):
                self.error()
            parts.append(m.group(0))
            self.i = m.end()
            if not self.text.startswith(".", self.i):
                break
            self.i += 1
        self.ws()
        m = _OP.match(self.text, self.i)
        if not m:
            # A lone word is a global search over every field: not supported by this fake.
            self.i = start
            self.error("global restrictions are not supported")
        op = m.group(0)
        self.i = m.end()
        self.ws()
        value, quoted = self.value()
        cmp = Cmp(tuple(parts), op, value, quoted)
        if cmp.path[-1] in TIME_FIELDS and len(cmp.path) == 1 and op not in (":", "=~", "!~"):
            try:
                cmp.time_ns = parse_ns(value)
            except ValueError:
                raise FilterError(start + 1, value, "invalid timestamp") from None
        if op in ("=~", "!~"):
            try:
                cmp.regex = re.compile(value)
            except re.error:
                raise FilterError(start + 1, value, "invalid regular expression") from None
        return cmp

    def value(self) -> tuple[str, bool]:
        if self.text.startswith('"', self.i):
            out, j = [], self.i + 1
            while j < len(self.text):
                c = self.text[j]
                if c == "\\" and j + 1 < len(self.text):
                    out.append(self.text[j + 1])
                    j += 2
                    continue
                if c == '"':
                    self.i = j + 1
                    return "".join(out), True
                out.append(c)
                j += 1
            self.error("unterminated string")
        m = _BARE.match(self.text, self.i)
        if not m:
            self.error("expected a value")
        self.i = m.end()
        return m.group(0), False


def parse(text: str):
    if len(text) > MAX_FILTER:
        raise FilterError(MAX_FILTER, text[MAX_FILTER:MAX_FILTER + 10], "filter longer than 20000 characters")
    return _Parser(text).parse()


def time_range(node) -> TimeRange:
    """The `timestamp` bounds implied by the top-level conjuncts (for the store's index)."""
    rng = TimeRange()
    for c in (node.args if isinstance(node, And) else [node]):
        if isinstance(c, Cmp) and c.path == ("timestamp",) and c.time_ns is not None:
            op = {">=": "ge", ">": "gt", "<=": "le", "<": "lt", "=": "eq"}.get(c.op)
            if op:
                rng.tighten(op, c.time_ns)
    return rng


# --- evaluation --------------------------------------------------------------------------
def matches(node, entry: dict) -> bool:
    if isinstance(node, And):
        return all(matches(a, entry) for a in node.args)
    if isinstance(node, Or):
        return any(matches(a, entry) for a in node.args)
    if isinstance(node, Not):
        return not matches(node.arg, entry)
    return _compare(node, entry)


def _lookup(entry: dict, path: tuple[str, ...]):
    cur = entry
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return _MISSING
        cur = cur[key]
    return cur


_MISSING = object()


def _compare(c: Cmp, entry: dict) -> bool:
    have = _lookup(entry, c.path)
    if c.op == ":" and c.value == "*" and not c.quoted:
        return have is not _MISSING and have is not None
    if have is _MISSING or have is None:
        return c.op == "!=" or c.op == "!~"
    if c.time_ns is not None:
        try:
            return _order(c.op, parse_ns(str(have)), c.time_ns)
        except ValueError:
            return False
    if c.path == ("severity",):
        want = SEVERITY.get(c.value.upper(), None)
        if want is None and c.value.lstrip("-").isdigit():
            want = int(c.value)
        got = SEVERITY.get(str(have).upper(), 0)
        if want is not None and c.op not in (":", "=~", "!~"):
            return _order(c.op, got, want)
    if isinstance(have, (dict, list)):
        text = _flatten(have)
    elif isinstance(have, bool):
        text = "true" if have else "false"
    else:
        text = str(have)
    want_text = c.value
    if c.path == ("logName",):
        text, want_text = text.replace("%2F", "/").replace("%2f", "/"), want_text.replace("%2F", "/").replace("%2f", "/")
    if c.op == ":":
        return want_text.lower() in text.lower()
    if c.op == "=~":
        return c.regex.search(text) is not None
    if c.op == "!~":
        return c.regex.search(text) is None
    if isinstance(have, (int, float)) and not isinstance(have, bool):
        try:
            return _order(c.op, have, float(want_text))
        except ValueError:
            return c.op == "!="
    return _order(c.op, text, want_text)


def _order(op: str, a, b) -> bool:
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _flatten(value) -> str:
    if isinstance(value, dict):
        return " ".join(_flatten(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_flatten(v) for v in value)
    return "" if value is None else str(value)
