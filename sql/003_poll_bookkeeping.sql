-- The schedule rules, implemented once, here, and used by both the poller and
-- the API's internal endpoint POST /v1/cloud_api_sources/poll/status:
--   success: error_count := 0, next poll after one interval (at once when a backlog
--            is left, so a large backlog keeps its place in the next tick)
--   failure: error_count += 1, next poll after interval * 2^error_count (capped at 24 h),
--            and after p_max_failures consecutive failures the source is disabled
--            with the reason recorded.
CREATE FUNCTION siem_record_poll_outcome(
    p_source_id      uuid,
    p_success        boolean,
    p_polled_at      timestamptz,
    p_error          text,
    p_events         integer,
    p_duration_ms    integer,
    p_max_failures   integer,
    p_backlog_left   boolean DEFAULT false
) RETURNS TABLE (
    source_id uuid, is_enabled boolean, error_count integer,
    next_poll_time timestamptz, disabled_reason text
)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE cloud_api_sources AS s SET
        last_polled_timestamp  = p_polled_at,
        last_success_timestamp = CASE WHEN p_success THEN p_polled_at ELSE s.last_success_timestamp END,
        error_count            = CASE WHEN p_success THEN 0 ELSE s.error_count + 1 END,
        last_error             = CASE WHEN p_success THEN NULL ELSE left(coalesce(p_error, 'unknown error'), 500) END,
        next_poll_time         = p_polled_at + CASE
            WHEN p_success AND p_backlog_left THEN interval '0'
            WHEN p_success THEN make_interval(mins => s.polling_interval_minutes)
            ELSE LEAST(interval '24 hours',
                       make_interval(mins => s.polling_interval_minutes) * power(2, LEAST(s.error_count + 1, 16)))
            END,
        is_enabled             = CASE
            WHEN NOT p_success AND s.error_count + 1 >= p_max_failures THEN false
            ELSE s.is_enabled END,
        disabled_reason        = CASE
            WHEN NOT p_success AND s.error_count + 1 >= p_max_failures
                THEN 'disabled after ' || (s.error_count + 1) || ' consecutive failures; last error: '
                     || left(coalesce(p_error, 'unknown error'), 300)
            ELSE s.disabled_reason END,
        events_collected_total = s.events_collected_total + greatest(coalesce(p_events, 0), 0),
        last_poll_events       = greatest(coalesce(p_events, 0), 0),
        last_poll_duration_ms  = p_duration_ms
    WHERE s.source_id = p_source_id
    RETURNING s.source_id, s.is_enabled, s.error_count, s.next_poll_time, s.disabled_reason
$$;

-- Sources due for polling, without secrets, across tenants (for the poller role
-- of the API, which otherwise only sees one tenant's rows).
CREATE FUNCTION siem_due_sources(p_now timestamptz, p_limit integer)
RETURNS TABLE (
    source_id uuid, tenant_id text, platform text, source_name text,
    polling_interval_minutes integer, last_polled_timestamp timestamptz,
    next_poll_time timestamptz, error_count integer, settings jsonb, cursor jsonb
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT source_id, tenant_id, platform, source_name, polling_interval_minutes,
           last_polled_timestamp, next_poll_time, error_count, settings, cursor
    FROM cloud_api_sources
    WHERE is_enabled AND next_poll_time <= p_now
    ORDER BY next_poll_time
    LIMIT p_limit
$$;

REVOKE ALL ON FUNCTION siem_record_poll_outcome(uuid, boolean, timestamptz, text, integer, integer, integer, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION siem_due_sources(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION siem_record_poll_outcome(uuid, boolean, timestamptz, text, integer, integer, integer, boolean) TO siem_api, siem_poller;
GRANT EXECUTE ON FUNCTION siem_due_sources(timestamptz, integer) TO siem_api, siem_poller;
