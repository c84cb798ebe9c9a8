"""Just enough SOQL for audit collection, as the Salesforce fake answers it:

    SELECT <field>[, <field> | <Relationship>.<field> ...] FROM <object>
    [WHERE <time field> <op> <dateTime literal> [AND <time field> <op> <dateTime literal> ...]]
    [ORDER BY <time field> [ASC|DESC] [, Id [ASC|DESC]]] [LIMIT <n>]

Keywords and names are case-insensitive (answers use the schema's spelling); ops are
= < <= > >=; dateTime literals are unquoted RFC 3339 (`2026-12-04T16:00:00Z`, `.000Z`,
`+01:00`). Anything else raises SoqlError with Salesforce's error code and message shape
(MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .odata import TimeRange
from .saas import parse_ms

TOKEN = re.compile(r"\s*(?:(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))"
                   r"|(?P<num>\d+(?![\w-]))|(?P<str>'(?:[^'\\]|\\.)*')|(?P<op>>=|<=|!=|<>|=|<|>)|(?P<punct>[,()])"
                   r"|(?P<word>[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*(?::\d+)?)|(?P<other>\S+))")
OPS = {"=": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
MAX_LIMIT = 50_000
RESERVED = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "ORDER", "BY", "GROUP", "LIMIT", "OFFSET"}


@dataclass
class Schema:
    name: str
    time_field: str
    fields: list[str]
    relations: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # name -> (type, fields)


@dataclass
class Query:
    schema: Schema
    fields: list[str]            # canonical, e.g. ["Id", "CreatedBy.Username"]
    range: TimeRange
    desc: bool
    limit: int | None


class SoqlError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _error(code: str, text: str, pos: int, message: str) -> SoqlError:
    col = max(0, pos)
    return SoqlError(code, f"\n{text}\n{' ' * col}^\nERROR at Row:1:Column:{col + 1}\n{message}")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        kind = m.lastgroup
        out.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, schemas: dict[str, Schema]):
        self.text, self.schemas = text, schemas
        self.toks = _tokens(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("eof", "<EOF>", len(self.text))

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def malformed(self, tok, message=None) -> SoqlError:
        return _error("MALFORMED_QUERY", self.text, tok[2], message or f"unexpected token: {tok[1]}")

    def keyword(self, word: str) -> bool:
        kind, value, _ = self.peek()
        if kind == "word" and value.upper() == word:
            self.i += 1
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.keyword(word):
            raise self.malformed(self.peek())

    def parse(self) -> Query:
        self.expect("SELECT")
        raw_fields = [self.field_token()]
        while self.peek()[1] == ",":
            self.take()
            raw_fields.append(self.field_token())
        self.expect("FROM")
        obj = self.take()
        if obj[0] != "word":
            raise self.malformed(obj)
        schema = next((s for n, s in self.schemas.items() if n.lower() == obj[1].lower()), None)
        if schema is None:
            raise SoqlError("INVALID_TYPE", f"\n{self.text}\n{' ' * obj[2]}^\nERROR at Row:1:Column:{obj[2] + 1}\n"
                            f"sObject type '{obj[1]}' is not supported. If you are attempting to use a custom "
                            "object, be sure to append the '__c' after the entity name. Please reference your "
                            "WSDL or the describe call for the appropriate names.")
        fields = [self.field(schema, f) for f in raw_fields]
        rng = TimeRange()
        if self.keyword("WHERE"):
            self.condition(schema, rng)
            while self.keyword("AND"):
                self.condition(schema, rng)
        desc = False
        if self.keyword("ORDER"):
            self.expect("BY")
            desc = self.order_item(schema, schema.time_field)
            if self.peek()[1] == ",":
                self.take()
                if self.order_item(schema, "Id") != desc:
                    raise self.malformed(self.peek(), "the fake orders by Id only in the time field's direction")
        limit = None
        if self.keyword("LIMIT"):
            tok = self.take()
            if tok[0] != "num" or not 0 < int(tok[1]) <= MAX_LIMIT:
                raise self.malformed(tok)
            limit = int(tok[1])
        if self.peek()[0] != "eof":
            raise self.malformed(self.peek())
        return Query(schema, fields, rng, desc, limit)

    def field_token(self):
        tok = self.take()
        if tok[0] != "word" or tok[1].upper() in RESERVED:
            raise self.malformed(tok)
        return tok

    def field(self, schema: Schema, tok) -> str:
        kind, value, pos = tok
        entity, names, prefix = schema.name, schema.fields, ""
        if "." in value:
            rel, _, value = value.partition(".")
            match = next((r for r in schema.relations if r.lower() == rel.lower()), None)
            if match is None:
                raise _error("INVALID_FIELD", self.text, pos,
                             f"Didn't understand relationship '{rel}' in field path. If you are attempting to use a "
                             "custom relationship, be sure to append the '__r' after the custom relationship name. "
                             "Please reference your WSDL or the describe call for the appropriate names.")
            (entity, names), prefix = schema.relations[match], f"{match}."
        canon = next((f for f in names if f.lower() == value.lower()), None)
        if canon is None:
            raise _error("INVALID_FIELD", self.text, pos,
                         f"No such column '{value}' on entity '{entity}'. If you are attempting to use a custom field, "
                         "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
                         "describe call for the appropriate names.")
        return prefix + canon

    def condition(self, schema: Schema, rng: TimeRange) -> None:
        name, op, value = self.take(), self.take(), self.take()
        if name[0] != "word" or name[1].lower() != schema.time_field.lower():
            raise self.malformed(name, f"this fake filters {schema.name} on {schema.time_field} only")
        if op[0] != "op" or op[1] not in OPS:
            raise self.malformed(op)
        if value[0] == "word":
            raise self.malformed(value, "date literals such as LAST_N_DAYS are not implemented by this fake")
        if value[0] in ("eof", "op", "punct"):
            raise self.malformed(value)
        if value[0] != "dt":
            raise _error("INVALID_FIELD", self.text, value[2],
                         f"value of filter criterion for field '{schema.time_field}' must be of type dateTime "
                         "and should not be enclosed in quotes")
        rng.tighten(OPS[op[1]], parse_ms(value[1]))

    def order_item(self, schema: Schema, expected: str) -> bool:
        tok = self.take()
        if tok[0] != "word" or tok[1].lower() != expected.lower():
            raise self.malformed(tok, f"this fake orders {schema.name} by {schema.time_field} (then Id) only")
        if self.keyword("DESC"):
            return True
        self.keyword("ASC")
        return False


def parse(text: str, schemas: dict[str, Schema]) -> Query:
    return _Parser(text, schemas).parse()
