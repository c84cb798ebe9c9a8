-- /metrics also reports when a source's credentials stop working on their own (a
-- Microsoft certificate's notAfter, sql/007), so that monitoring can warn before a
-- source starts failing, and its next poll time, so that it can tell when no poller
-- runs at all. `siem-ctl status` reads the same rows, with the last error and the
-- reason a source was disabled. The result type changes, so the function is re-created.
DROP FUNCTION siem_source_metrics(text);

CREATE FUNCTION siem_source_metrics(p_tenant text)
RETURNS TABLE (
    source_id uuid, tenant_id text, platform text, source_name text, is_enabled boolean,
    events_collected_total bigint, last_poll_events integer, last_poll_duration_ms integer,
    error_count integer, last_polled_timestamp timestamptz, last_success_timestamp timestamptz,
    credentials_expires_at timestamptz, next_poll_time timestamptz,
    last_error text, disabled_reason text
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT source_id, tenant_id, platform, source_name, is_enabled, events_collected_total,
           last_poll_events, last_poll_duration_ms, error_count, last_polled_timestamp, last_success_timestamp,
           credentials_expires_at, next_poll_time, last_error, disabled_reason
    FROM cloud_api_sources
    WHERE p_tenant IS NULL OR tenant_id = p_tenant
    ORDER BY tenant_id, source_name
$$;

REVOKE ALL ON FUNCTION siem_source_metrics(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION siem_source_metrics(text) TO siem_api, siem_poller;
