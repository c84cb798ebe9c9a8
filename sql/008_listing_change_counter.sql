-- A per-tenant count of changes to cloud_api_sources, so that siem-api can keep
-- rendered listings in memory and still never serve a stale one: before answering
-- from memory it reads this one row, and any committed write (through the API,
-- by the poller, or by hand in psql) has already bumped it in its own transaction.
-- The count only grows; a tenant without a row has count 0.
CREATE TABLE cloud_api_source_changes (
    tenant_id    text PRIMARY KEY,
    change_count bigint NOT NULL
);

-- Runs as the owner: the API's role may read its tenant's count but not set it.
-- Statement-level, so a bulk update bumps each tenant once; rows are locked in
-- tenant order, so two statements touching several tenants cannot deadlock here. PL/pgSQL plans a statement when it first runs, so each branch
-- names only the transition tables its event has.
CREATE FUNCTION cloud_api_sources_count_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    tenants text[] := '{}';
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        tenants := tenants || ARRAY(SELECT tenant_id FROM changed_new);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        tenants := tenants || ARRAY(SELECT tenant_id FROM changed_old);
    END IF;
    INSERT INTO cloud_api_source_changes AS c (tenant_id, change_count)
    SELECT DISTINCT t, 1 FROM unnest(tenants) AS t ORDER BY t
    ON CONFLICT (tenant_id) DO UPDATE SET change_count = c.change_count + 1;
    RETURN NULL;
END $$;

-- PostgreSQL allows transition tables on single-event triggers only.
CREATE TRIGGER cloud_api_sources_count_insert
    AFTER INSERT ON cloud_api_sources REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION cloud_api_sources_count_change();
CREATE TRIGGER cloud_api_sources_count_update
    AFTER UPDATE ON cloud_api_sources REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION cloud_api_sources_count_change();
CREATE TRIGGER cloud_api_sources_count_delete
    AFTER DELETE ON cloud_api_sources REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION cloud_api_sources_count_change();

-- TRUNCATE has no transition tables: it counts as a change for every tenant.
CREATE FUNCTION cloud_api_sources_count_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE cloud_api_source_changes SET change_count = change_count + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER cloud_api_sources_count_truncate
    AFTER TRUNCATE ON cloud_api_sources
    FOR EACH STATEMENT EXECUTE FUNCTION cloud_api_sources_count_truncate();

-- Sources that exist before this migration count as one change per tenant.
INSERT INTO cloud_api_source_changes (tenant_id, change_count)
SELECT DISTINCT tenant_id, 1 FROM cloud_api_sources;

ALTER TABLE cloud_api_source_changes ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON cloud_api_source_changes TO siem_api;
CREATE POLICY tenant_isolation ON cloud_api_source_changes
    TO siem_api
    USING (tenant_id = current_setting('app.tenant_id', true));
REVOKE ALL ON FUNCTION cloud_api_sources_count_change() FROM PUBLIC;
REVOKE ALL ON FUNCTION cloud_api_sources_count_truncate() FROM PUBLIC;
