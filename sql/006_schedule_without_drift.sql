-- Polls keep their cadence under cron. Before, the next poll was one interval after
-- the poll *ended*, so a source polled by a cron tick at 12:00 (taking a few seconds)
-- was due at 12:01:0x, just after the 12:01 tick looked: a 1-minute source was polled
-- every 2 minutes, an N-minute source every N+1. Now:
--   * the schedule is anchored on when the poll started (p_polled_at - p_duration_ms);
--   * a source is due when its next poll time is at most 30 seconds away, which absorbs
--     the start-up jitter of a tick and the order of sources within it.
-- Ticks are a minute apart and intervals whole minutes, so no source is polled early by
-- more than that grace.

-- The due rule, in one place: due when the next poll time is at most 30 seconds away.
CREATE FUNCTION siem_poll_due_by(p_now timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_now + interval '30 seconds'
$$;

CREATE OR REPLACE FUNCTION siem_record_poll_outcome(
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
        next_poll_time         = CASE
            WHEN p_success AND p_backlog_left THEN p_polled_at
            ELSE p_polled_at - make_interval(secs => greatest(coalesce(p_duration_ms, 0), 0) / 1000.0) + CASE
                WHEN p_success THEN make_interval(mins => s.polling_interval_minutes)
                ELSE LEAST(interval '24 hours',
                           make_interval(mins => s.polling_interval_minutes) * power(2, LEAST(s.error_count + 1, 16)))
                END
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

CREATE OR REPLACE FUNCTION siem_due_sources(p_now timestamptz, p_limit integer)
RETURNS TABLE (
    source_id uuid, tenant_id text, platform text, source_name text,
    polling_interval_minutes integer, last_polled_timestamp timestamptz,
    next_poll_time timestamptz, error_count integer, settings jsonb, cursor jsonb
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT source_id, tenant_id, platform, source_name, polling_interval_minutes,
           last_polled_timestamp, next_poll_time, error_count, settings, cursor
    FROM cloud_api_sources
    WHERE is_enabled AND next_poll_time <= public.siem_poll_due_by(p_now)
    ORDER BY next_poll_time
    LIMIT p_limit
$$;
