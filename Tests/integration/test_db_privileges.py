"""What each database role may do, read from the catalogs and compared with the table
below, so that a migration that grants, revokes or forgets something fails here; and
the tenant boundary of the API's role (sql/002, sql/008, sql/010).

OWNER stands for the role that owns the tables (whoever ran the migrations)."""
import os
import subprocess
import uuid

import psycopg
import pytest

from sample_sources import body
from stack import ROOT

ROLES = ("siem_api", "siem_poller", "siem_cross_tenant")

# (table, grantee) -> privileges; PUBLIC and the owner's own are listed too when present.
TABLE_PRIVILEGES = {
    ("cloud_api_sources", "siem_api"): {"SELECT", "INSERT", "UPDATE", "DELETE"},
    ("cloud_api_sources", "siem_poller"): {"SELECT", "UPDATE"},
    ("cloud_api_sources", "siem_cross_tenant"): {"SELECT", "UPDATE"},
    ("cloud_api_source_changes", "siem_api"): {"SELECT"},
    ("cloud_api_source_changes", "siem_cross_tenant"): {"SELECT", "INSERT", "UPDATE"},
}

# function -> (owner, SECURITY DEFINER, who besides the owner may execute it)
FUNCTIONS = {
    "cloud_api_sources_count_change": ("siem_cross_tenant", True, set()),
    "cloud_api_sources_count_truncate": ("siem_cross_tenant", True, set()),
    "cloud_api_sources_reset_streams": ("OWNER", False, {"PUBLIC"}),
    "cloud_api_sources_touch": ("OWNER", False, {"PUBLIC"}),
    "siem_due_sources": ("siem_cross_tenant", True, {"siem_api", "siem_poller"}),
    "siem_json_string": ("OWNER", False, {"PUBLIC"}),
    "siem_json_time": ("OWNER", False, {"PUBLIC"}),
    "siem_poll_due_by": ("OWNER", False, {"PUBLIC"}),
    "siem_record_poll_outcome": ("siem_cross_tenant", True, {"siem_api", "siem_poller"}),
    "siem_source_json": ("OWNER", False, {"PUBLIC"}),
    "siem_record_source_poll": ("siem_cross_tenant", True, {"siem_poller"}),
    "siem_source_metrics": ("siem_cross_tenant", True, {"siem_api", "siem_poller"}),
    "siem_stream_metrics": ("siem_cross_tenant", True, {"siem_api", "siem_poller"}),
    "siem_stream_rows": ("OWNER", False, {"siem_api", "siem_cross_tenant"}),
}

# Schema public: who besides its owner has what (U usage, C create).
SCHEMA_PUBLIC = {"PUBLIC": "U", "siem_api": "U", "siem_poller": "U", "siem_cross_tenant": "U"}

# table -> (row level security enabled, forced on the owner too)
ROW_SECURITY = {
    "cloud_api_sources": (True, True),
    "cloud_api_source_changes": (True, True),
    "schema_migrations": (False, False),
}

TENANT = "(tenant_id = current_setting('app.tenant_id'::text, true))"
# (table, policy) -> (roles, command, USING, WITH CHECK)
POLICIES = {
    ("cloud_api_sources", "tenant_isolation"): ("siem_api", "ALL", TENANT, TENANT),
    ("cloud_api_sources", "poller_all_tenants"): ("siem_poller", "ALL", "true", "true"),
    ("cloud_api_sources", "cross_tenant_functions"): ("siem_cross_tenant", "ALL", "true", "true"),
    ("cloud_api_sources", "owner_maintenance"): ("OWNER", "ALL", "true", "true"),
    ("cloud_api_source_changes", "tenant_isolation"): ("siem_api", "ALL", TENANT, None),
    ("cloud_api_source_changes", "cross_tenant_functions"): ("siem_cross_tenant", "ALL", "true", "true"),
    ("cloud_api_source_changes", "owner_maintenance"): ("OWNER", "ALL", "true", "true"),
}

# role -> (superuser, bypass RLS, create role, create db, can log in); None: not checked
# (the migrations create siem_api and siem_poller without LOGIN, deployments add it).
ROLE_ATTRIBUTES = {
    "siem_api": (False, False, False, False, None),
    "siem_poller": (False, False, False, False, None),
    "siem_cross_tenant": (False, False, False, False, False),
}


@pytest.fixture(scope="module")
def owner(db):
    return db.execute("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'public.cloud_api_sources'::regclass"
                      ).fetchone()[0]


def named(value, owner):
    return owner if value == "OWNER" else value


def test_table_privileges(db, owner):
    rows = db.execute("""
        SELECT c.relname, coalesce(nullif(a.grantee::regrole::text, '-'), 'PUBLIC'), a.privilege_type
        FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND a.grantee <> c.relowner""").fetchall()
    actual = {}
    for table, role, privilege in rows:
        actual.setdefault((table, role), set()).add(privilege)
    assert actual == TABLE_PRIVILEGES
    columns = db.execute("""
        SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND a.attacl IS NOT NULL""").fetchall()
    assert columns == [], "column-level grants are not expected"


def test_functions_owners_and_execute(db, owner):
    rows = db.execute("""
        SELECT p.proname, p.proowner::regrole::text, p.prosecdef,
               coalesce(array_agg(coalesce(nullif(a.grantee::regrole::text, '-'), 'PUBLIC'))
                        FILTER (WHERE a.grantee <> p.proowner AND a.privilege_type = 'EXECUTE'), '{}')
        FROM pg_proc p CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
        WHERE p.pronamespace = 'public'::regnamespace
        GROUP BY p.oid, p.proname, p.proowner, p.prosecdef""").fetchall()
    actual = {name: (fowner, definer, set(grantees)) for name, fowner, definer, grantees in rows}
    expected = {name: (named(o, owner), d, g) for name, (o, d, g) in FUNCTIONS.items()}
    assert actual == expected


def test_schema_public(db):
    rows = db.execute("""
        SELECT coalesce(nullif(a.grantee::regrole::text, '-'), 'PUBLIC'), a.privilege_type
        FROM pg_namespace n CROSS JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
        WHERE n.nspname = 'public' AND a.grantee <> n.nspowner""").fetchall()
    actual = {}
    for role, privilege in rows:
        actual[role] = "".join(sorted(actual.get(role, "") + privilege[0]))
    assert actual == SCHEMA_PUBLIC
    for role in ROLES:
        assert not db.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", (role,)).fetchone()[0], role


def test_row_security_is_enabled_and_forced(db):
    rows = db.execute("""
        SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')""").fetchall()
    assert {name: (enabled, forced) for name, enabled, forced in rows} == ROW_SECURITY


def test_policies(db, owner):
    rows = db.execute("""
        SELECT tablename, policyname, array_to_string(roles, ','), cmd, qual, with_check
        FROM pg_policies WHERE schemaname = 'public'""").fetchall()
    actual = {(t, p): (roles, cmd, qual, check) for t, p, roles, cmd, qual, check in rows}
    expected = {key: (named(roles, owner), cmd, qual, check) for key, (roles, cmd, qual, check) in POLICIES.items()}
    assert actual == expected


def test_role_attributes_and_memberships(db):
    rows = db.execute("""
        SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolcanlogin
        FROM pg_roles WHERE rolname = ANY(%s)""", (list(ROLES),)).fetchall()
    actual = {name: attrs for name, *attrs in rows}
    assert set(actual) == set(ROLES)
    for role, expected in ROLE_ATTRIBUTES.items():
        assert [a for a, e in zip(actual[role], expected) if e is not None] == \
               [e for e in expected if e is not None], role
    # Nobody acts as these roles, and they act as nobody else.
    members = db.execute("""
        SELECT m.roleid::regrole::text, m.member::regrole::text FROM pg_auth_members m
        WHERE m.roleid::regrole::text = ANY(%s) OR m.member::regrole::text = ANY(%s)""",
                         (list(ROLES), list(ROLES))).fetchall()
    assert members == []


def insert_source(db, tenant):
    return db.execute("""
        INSERT INTO cloud_api_sources (tenant_id, platform, source_name, api_credentials, credentials_key_id,
                                       credentials_fingerprint, next_poll_time)
        VALUES (%s, 'AWS', 'src', '\\x00', 'k', 'sha256:0', now() - interval '1 minute') RETURNING source_id::text""",
                      (tenant,)).fetchone()[0]


def test_api_role_stays_in_its_tenant_and_cross_tenant_functions_still_work(stack, db):
    tenant_a, tenant_b = f"a-{uuid.uuid4().hex[:8]}", f"b-{uuid.uuid4().hex[:8]}"
    insert_source(db, tenant_a)
    source_b = insert_source(db, tenant_b)
    with psycopg.connect(stack.env["SIEM_API_DATABASE_URL"], autocommit=True) as api:
        api.execute("SELECT set_config('app.tenant_id', %s, false)", (tenant_a,))
        assert api.execute("DELETE FROM cloud_api_sources WHERE tenant_id = %s", (tenant_b,)).rowcount == 0
        assert api.execute("SELECT tenant_id FROM cloud_api_source_changes WHERE tenant_id = %s",
                           (tenant_b,)).fetchall() == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # moving a row out of the tenant
            api.execute("UPDATE cloud_api_sources SET tenant_id = %s WHERE tenant_id = %s", (tenant_b, tenant_a))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # only the trigger counts changes
            api.execute("UPDATE cloud_api_source_changes SET change_count = 0")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            api.execute("CREATE TABLE public.planted (x int)")
        # The poller-role endpoints' functions cross tenants, as their owner's policy allows.
        due = {r[0] for r in api.execute("SELECT source_id::text FROM siem_due_sources(now(), 100000)")}
        assert source_b in due
        recorded = api.execute("SELECT error_count FROM siem_record_poll_outcome(%s::uuid, false, now(), 'x', 0, 5, 10)",
                               (source_b,)).fetchone()
        assert recorded == (1,)
        counts_before = db.execute("SELECT change_count FROM cloud_api_source_changes WHERE tenant_id = %s",
                                   (tenant_a,)).fetchone()[0]
        api.execute("UPDATE cloud_api_sources SET polling_interval_minutes = 30")  # the trigger counts it
    assert db.execute("SELECT change_count FROM cloud_api_source_changes WHERE tenant_id = %s",
                      (tenant_a,)).fetchone()[0] == counts_before + 1
    assert db.execute("SELECT count(*) FROM cloud_api_sources WHERE tenant_id = %s", (tenant_b,)).fetchone()[0] == 1


@pytest.fixture
def database_owned_by_a_plain_role(stack, db):
    """A fresh database whose migrations run as a role that is not a superuser (as on a
    managed PostgreSQL), so FORCE binds the owner; dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    role, name, password = f"siem_migrator_{suffix}", f"siem_force_{suffix}", uuid.uuid4().hex
    db.execute(f'CREATE ROLE "{role}" LOGIN CREATEROLE PASSWORD \'{password}\'')
    db.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')
    try:
        base = psycopg.conninfo.conninfo_to_dict(stack.env["DATABASE_URL"])
        yield {"owner": psycopg.conninfo.make_conninfo(**dict(base, user=role, password=password, dbname=name)),
               "api": psycopg.conninfo.make_conninfo(
                   **dict(psycopg.conninfo.conninfo_to_dict(stack.env["SIEM_API_DATABASE_URL"]), dbname=name))}
    finally:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_migrations_and_definer_functions_work_under_force_for_a_plain_owner(stack, database_owned_by_a_plain_role):
    urls = database_owned_by_a_plain_role
    env = dict(os.environ, DATABASE_URL=urls["owner"])
    result = subprocess.run([stack.bin("siem-ctl"), "migrate", "--sql-dir", str(ROOT / "sql")], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with psycopg.connect(urls["owner"], autocommit=True) as owner:
        assert owner.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (False,)
        assert owner.execute("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'cloud_api_sources'"
                             ).fetchone() == (True,)
        source = insert_source(owner, "tenant-a")  # owner_maintenance; the count trigger runs as siem_cross_tenant
        assert owner.execute("SELECT change_count FROM cloud_api_source_changes").fetchall() == [(1,)]
        owner.execute("UPDATE cloud_api_sources SET api_credentials = '\\x01'")  # as rotate-credentials does
        assert owner.execute("SELECT count(*) FROM cloud_api_sources").fetchone() == (1,)
    with psycopg.connect(urls["api"], autocommit=True) as api:
        assert [r[0] for r in api.execute("SELECT source_id::text FROM siem_due_sources(now(), 10)")] == [source]
        assert api.execute("SELECT count(*) FROM siem_source_metrics(NULL)").fetchone() == (1,)
        assert api.execute("SELECT error_count FROM siem_record_poll_outcome(%s::uuid, true, now(), NULL, 3, 5, 10)",
                           (source,)).fetchone() == (0,)


def test_admin_and_viewer_metrics_do_not_go_through_the_cross_tenant_function(stack, db, tenant):
    """siem_api keeps siem_source_metrics for a poller's (or loopback's) /metrics over every
    tenant; an admin's or viewer's /metrics reads its tenant's rows under row security."""
    assert stack.session(stack.token(tenant=tenant)).post(f"{stack.url}/v1/cloud_api_sources",
                                                          json=body()).status_code == 201
    other = insert_source(db, f"o-{uuid.uuid4().hex[:8]}")
    db.execute("REVOKE EXECUTE ON FUNCTION siem_source_metrics(text) FROM siem_api")
    db.execute("REVOKE EXECUTE ON FUNCTION siem_stream_metrics(text) FROM siem_api")
    try:
        for role in ("admin", "viewer"):
            r = stack.session(stack.token(tenant=tenant, roles=[role])).get(f"{stack.url}/metrics")
            assert r.status_code == 200, r.text
            assert f'tenant="{tenant}"' in r.text and other not in r.text
        # The revoke does bite where the function is still the way.
        assert stack.session(stack.token(roles=["poller"])).get(f"{stack.url}/metrics").status_code >= 500
    finally:
        db.execute("GRANT EXECUTE ON FUNCTION siem_source_metrics(text) TO siem_api")
        db.execute("GRANT EXECUTE ON FUNCTION siem_stream_metrics(text) TO siem_api")
