-- Two application roles, so that tenant isolation holds in the database too:
--   siem_api     the REST responder: sees only the rows of the tenant named by the
--                session setting app.tenant_id (set from the verified JWT per request)
--   siem_poller  the cron poller: works across tenants (it polls every due source)
-- The roles are created without LOGIN; deployments grant LOGIN and a password
-- (scripts/stack does it for the local stack).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'siem_api') THEN
        CREATE ROLE siem_api NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'siem_poller') THEN
        CREATE ROLE siem_poller NOLOGIN;
    END IF;
END $$;

GRANT USAGE ON SCHEMA public TO siem_api, siem_poller;
GRANT SELECT, INSERT, UPDATE, DELETE ON cloud_api_sources TO siem_api;
GRANT SELECT, UPDATE ON cloud_api_sources TO siem_poller;

ALTER TABLE cloud_api_sources ENABLE ROW LEVEL SECURITY;

-- An unset app.tenant_id reads as NULL, so a request that forgot to set it sees nothing.
CREATE POLICY tenant_isolation ON cloud_api_sources
    TO siem_api
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

CREATE POLICY poller_all_tenants ON cloud_api_sources
    TO siem_poller
    USING (true)
    WITH CHECK (true);
