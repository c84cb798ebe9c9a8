-- Row-level security binds everyone, the tables' owner included, and each cross-tenant
-- reach is a policy that names who has it.
--
-- Before, the owner (whoever runs the migrations and siem-ctl) bypassed every policy, and
-- so did the SECURITY DEFINER functions it owned: they run as the owner. With FORCE they
-- would see no row at all unless a policy lets them, so:
--   * the SECURITY DEFINER functions now belong to siem_cross_tenant, a role that cannot
--     log in, is granted exactly the table rights these functions use, and crosses tenants
--     through the policy cross_tenant_functions (no BYPASSRLS, no DDL, no DELETE);
--   * the owner keeps its cross-tenant maintenance (data migrations, check-credentials,
--     rotate-credentials) through the policy owner_maintenance. A superuser bypasses row
--     security whatever FORCE says.
--
-- siem_api keeps EXECUTE on siem_due_sources and siem_record_poll_outcome (only its
-- poller-role endpoints call them: GET .../poll/configurations, POST .../poll/status) and
-- on siem_source_metrics (GET /metrics over every tenant, for a poller token or a loopback
-- caller); an admin's or viewer's /metrics reads its own tenant's rows under row security
-- and never calls it. siem_api is one database role for every request, so the database
-- cannot tell those requests apart; the API's controllers do. The change-count trigger
-- functions stay executable by no one.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'siem_cross_tenant') THEN
        CREATE ROLE siem_cross_tenant NOLOGIN;
    END IF;
END $$;

GRANT USAGE ON SCHEMA public TO siem_cross_tenant;
-- siem_due_sources, siem_source_metrics: read; siem_record_poll_outcome: update.
GRANT SELECT, UPDATE ON cloud_api_sources TO siem_cross_tenant;
-- cloud_api_sources_count_change / _truncate: upsert a tenant's count.
GRANT SELECT, INSERT, UPDATE ON cloud_api_source_changes TO siem_cross_tenant;

CREATE POLICY cross_tenant_functions ON cloud_api_sources
    TO siem_cross_tenant USING (true) WITH CHECK (true);
CREATE POLICY cross_tenant_functions ON cloud_api_source_changes
    TO siem_cross_tenant USING (true) WITH CHECK (true);

-- A role that is not a superuser may give a function away only to a role it belongs to
-- that may create in the schema; the membership stays, so that later migrations can
-- replace these functions.
DO $$
DECLARE
    superuser boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
BEGIN
    IF NOT superuser THEN
        EXECUTE format('GRANT siem_cross_tenant TO %I', current_user);
        GRANT CREATE ON SCHEMA public TO siem_cross_tenant;
    END IF;
    ALTER FUNCTION siem_due_sources(timestamptz, integer) OWNER TO siem_cross_tenant;
    ALTER FUNCTION siem_record_poll_outcome(uuid, boolean, timestamptz, text, integer, integer, integer, boolean)
        OWNER TO siem_cross_tenant;
    ALTER FUNCTION siem_source_metrics(text) OWNER TO siem_cross_tenant;
    ALTER FUNCTION cloud_api_sources_count_change() OWNER TO siem_cross_tenant;
    ALTER FUNCTION cloud_api_sources_count_truncate() OWNER TO siem_cross_tenant;
    IF NOT superuser THEN
        REVOKE CREATE ON SCHEMA public FROM siem_cross_tenant;
    END IF;
END $$;

-- The policy names the tables' owner, whatever that role is called in this deployment.
DO $$
DECLARE
    owner text := (SELECT relowner::regrole::text FROM pg_class WHERE oid = 'public.cloud_api_sources'::regclass);
BEGIN
    EXECUTE format('CREATE POLICY owner_maintenance ON cloud_api_sources TO %s USING (true) WITH CHECK (true)', owner);
    EXECUTE format('CREATE POLICY owner_maintenance ON cloud_api_source_changes TO %s USING (true) WITH CHECK (true)', owner);
END $$;

ALTER TABLE cloud_api_sources FORCE ROW LEVEL SECURITY;
ALTER TABLE cloud_api_source_changes FORCE ROW LEVEL SECURITY;

-- Nobody but the schema's owner creates objects in it (PostgreSQL 15 made this the default
-- for new databases; older ones and upgraded clusters still let every role create there,
-- e.g. a function that shadows one the definer functions call).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
