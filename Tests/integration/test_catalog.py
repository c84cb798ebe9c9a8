"""One catalog per platform (#12): GET /v1/platforms serves Sources/Catalog, and what else
names platforms or settings (the OpenAPI document, the database's CHECK constraint) agrees
with it, so a platform or setting added to the catalog cannot be forgotten elsewhere."""
import json
import re

import pytest

from stack import ROOT
from test_openapi import SPEC, check

SETTINGS = SPEC["components"]["schemas"]["Settings"]["properties"]
BUILT_IN = ["Microsoft365", "AzureAD", "GCP", "AWS"]
# The platforms declared in connectors/ (#13), registered after the built-in ones in file-name order.
DECLARED = [json.loads(path.read_text())["platform"] for path in sorted((ROOT / "connectors").glob("*.json"))]


@pytest.fixture(scope="module")
def catalog(stack):
    r = stack.session(stack.token(roles=["viewer"])).get(f"{stack.url}/v1/platforms")
    assert r.status_code == 200, r.text
    return r.json()


def catalog_settings(catalog):
    """Every setting name with each platform's description of it."""
    found = {}
    for platform in catalog["platforms"]:
        for setting in platform["settings"]:
            found.setdefault(setting["name"], []).append(setting)
    return found


def test_any_valid_token_may_read_the_catalog_and_it_matches_its_schema(stack, tenant):
    url = f"{stack.url}/v1/platforms"
    r = stack.session().get(url)
    assert r.status_code == 401 and r.headers["Content-Type"].startswith("application/problem+json")
    check(r, "/v1/platforms", "get")
    for roles in (["admin"], ["viewer"], ["poller"], ["metrics"]):
        r = stack.session(stack.token(tenant=tenant, roles=roles)).get(url)
        assert r.status_code == 200, (roles, r.text)
        check(r, "/v1/platforms", "get")


def test_the_catalog_describes_every_platform(catalog):
    by_name = {p["name"]: p for p in catalog["platforms"]}
    assert list(by_name) == BUILT_IN + DECLARED
    assert catalog["source"]["polling_interval_minutes"] == {"minimum": 1, "maximum": 1440, "default": 15}
    azure = by_name["AzureAD"]
    activity = next(s for s in azure["streams"] if s["name"] == "activity_log")
    assert activity["key"] == "activity_log:<subscription>" and activity["key_setting"] == "subscription_ids"
    assert {p: by_name[p]["overlap_floor_minutes"] for p in BUILT_IN} == {"Microsoft365": 2, "AzureAD": 2, "GCP": 1, "AWS": 5}
    overlap = {p: next(s for s in by_name[p]["settings"] if s["name"] == "overlap_minutes")["minimum"] for p in BUILT_IN}
    assert overlap == {"Microsoft365": 2, "AzureAD": 2, "GCP": 1, "AWS": 5}
    assert by_name["AWS"]["defaults"] == {"initial_lookback_minutes": 1440, "dedup_max_ids": 50000, "lag_alert_intervals": 4}
    assert [c["name"] for c in by_name["Microsoft365"]["clouds"]] == ["global", "usgov", "dod", "china"]
    assert by_name["GCP"]["clouds"] == []
    ms = by_name["Microsoft365"]["credentials"]
    assert [o["value"] for o in ms["choice"]["options"]] == ["secret", "certificate"]
    assert {f["name"]: f["kind"] for f in ms["fields"]} == {
        "tenant_id": "text", "client_id": "text", "client_secret": "secret", "certificate_pem": "pem", "private_key_pem": "pem"}
    # Definitions only: a credential field carries no value member.
    for platform in catalog["platforms"]:
        for field in platform["credentials"]["fields"]:
            assert "value" not in field and "default" not in field


def test_openapi_platform_enum_is_the_catalogs(catalog):
    assert SPEC["components"]["schemas"]["Platform"]["enum"] == [p["name"] for p in catalog["platforms"]]


def test_openapi_settings_schema_is_the_catalogs(catalog):
    settings = catalog_settings(catalog)
    assert set(SETTINGS) == set(settings)
    for name, described in settings.items():
        prop, first = SETTINGS[name], described[0]
        default = first["default"]
        assert all(d["default"] == default for d in described), name
        assert prop.get("default") == default, name
        kind = first["type"]
        if kind == "integer":
            assert prop["type"] == "integer", name
            # The document's minimum is the schema's; a platform may raise it (the overlap floor).
            assert prop["minimum"] == min(d["minimum"] for d in described), name
            assert prop["maximum"] == first["maximum"], name
        elif kind == "url":
            assert prop == {**prop, "type": "string", "format": "uri"}, name
        elif kind == "text":
            assert prop["type"] == "string" and prop["maxLength"] == first["max_length"], name
        elif kind == "text_list":
            assert prop["type"] == "array" and prop["items"]["type"] == "string", name
            assert prop["maxItems"] == first["max_items"], name
        elif kind == "one_of":
            assert prop["enum"] == [o["value"] for o in first["options"]], name
        elif kind == "subset_of":
            every = [o["value"] for d in described for o in d["options"]]
            assert prop["items"]["enum"] == every, name
        else:
            pytest.fail(f"{name}: unknown setting type {kind}")


def test_database_platform_check_admits_every_catalog_name_and_nothing_else(catalog, db):
    """Platforms can be declared in connectors/ (#13), so the CHECK is no longer a list (sql/013):
    it admits the catalog's name shape, every registered platform passes, and garbage does not."""
    rows = db.execute("""
        SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE t.relname = 'cloud_api_sources' AND c.contype = 'c'
          AND pg_get_constraintdef(c.oid) LIKE '%platform%'""").fetchall()
    assert len(rows) == 1, rows
    (pattern,) = re.findall(r"'([^']+)'::text", rows[0][0])
    for name in [p["name"] for p in catalog["platforms"]]:
        assert db.execute("SELECT %s ~ %s", (name, pattern)).fetchone()[0], name
    for garbage in ["", "okta", "Okta Inc", "A", "Okta'; DROP", "Ökta", "X" * 41]:
        assert not db.execute("SELECT %s ~ %s", (garbage, pattern)).fetchone()[0], garbage


def test_the_admin_page_keeps_no_copy_of_the_catalog(catalog):
    """The page builds its forms from GET /v1/platforms: no platform, stream or setting name
    is spelled out in its scripts (settings.streams is the API's field, not a catalog fact)."""
    names = {p["name"] for p in catalog["platforms"]}
    names |= {s["name"] for p in catalog["platforms"] for s in p["streams"]}
    names |= {s["name"] for p in catalog["platforms"] for s in p["settings"] if s["name"] != "streams"}
    for path in sorted((ROOT / "htdocs" / "js").glob("*.js")):
        quoted = set(re.findall(r"""["'`]([A-Za-z0-9_]+)["'`]""", path.read_text()))
        assert not quoted & names, (path.name, sorted(quoted & names))


def test_the_databases_lag_rule_uses_the_catalogs_default(catalog):
    """sql/012 judges lag in SQL (for /metrics and siem-ctl status): its fallback for a source
    without lag_alert_intervals must be the catalog's default, which the poller and the page use."""
    sql = (ROOT / "sql" / "012_stream_health.sql").read_text()
    fallbacks = set(re.findall(r"'lag_alert_intervals'\)::integer,\s*(\d+)\)", sql))
    defaults = {p["defaults"]["lag_alert_intervals"] for p in catalog["platforms"]}
    assert fallbacks and {int(f) for f in fallbacks} == defaults, (fallbacks, defaults)
