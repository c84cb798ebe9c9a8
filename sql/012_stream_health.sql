-- Failures are charged to what failed (issue #11). Each stream of a source (a Graph list,
-- one subscription's activity log, ...) keeps its own health, written by the poller with
-- the poll's outcome, in one statement:
--   {"<stream>": {"state": "ok" | "failing" | "disabled" | "lagging",
--                 "error_count": n, "last_error": text, "last_success": time,
--                 "last_attempt": time, "next_attempt": time, "disabled_reason": text,
--                 "lagging": bool, "backlog_runs": n, "watermark": time}}
-- A failing stream backs off and is eventually disabled alone; the source's own
-- error_count counts only what fails the whole source (credentials, or every stream).
ALTER TABLE cloud_api_sources
    ADD COLUMN stream_state jsonb NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(stream_state) = 'object');

-- Editing what a stream depends on (settings, credentials) or enabling the source again
-- gives every stream a fresh start: that is how an operator re-enables a disabled stream.
CREATE FUNCTION cloud_api_sources_reset_streams() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.settings IS DISTINCT FROM OLD.settings
       OR NEW.api_credentials IS DISTINCT FROM OLD.api_credentials
       OR (NEW.is_enabled AND NOT OLD.is_enabled) THEN
        NEW.stream_state := '{}'::jsonb;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cloud_api_sources_reset_streams
    BEFORE UPDATE ON cloud_api_sources
    FOR EACH ROW EXECUTE FUNCTION cloud_api_sources_reset_streams();

-- The representation gains "streams" and loses each checkpoint's "seen" (the ids kept to
-- drop re-reads: up to 50,000 per stream, of no use to a reader, who still sees
-- "seen_count"): replace the function and re-create the column (a generated column pins
-- its function's signature), as sql/007 did.
ALTER TABLE cloud_api_sources DROP COLUMN api_json;
DROP FUNCTION siem_source_json(uuid, text, text, text, integer, boolean, timestamptz, timestamptz,
    timestamptz, integer, text, text, jsonb, jsonb, text, text, bigint, integer, integer,
    timestamptz, timestamptz, timestamptz);

CREATE FUNCTION siem_source_json(
    source_id uuid, tenant_id text, platform text, source_name text, polling_interval_minutes integer,
    is_enabled boolean, last_polled_timestamp timestamptz, last_success_timestamp timestamptz,
    next_poll_time timestamptz, error_count integer, last_error text, disabled_reason text,
    settings jsonb, cursor jsonb, credentials_fingerprint text, credentials_key_id text,
    events_collected_total bigint, last_poll_events integer, last_poll_duration_ms integer,
    created_at timestamptz, updated_at timestamptz, credentials_expires_at timestamptz,
    stream_state jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '{"source_id":"' || source_id::text
        || '","tenant_id":' || public.siem_json_string(tenant_id)
        || ',"platform":' || public.siem_json_string(platform)
        || ',"source_name":' || public.siem_json_string(source_name)
        || ',"polling_interval_minutes":' || polling_interval_minutes::text
        || ',"is_enabled":' || is_enabled::text
        || ',"last_polled_timestamp":' || public.siem_json_time(last_polled_timestamp)
        || ',"last_success_timestamp":' || public.siem_json_time(last_success_timestamp)
        || ',"next_poll_time":' || public.siem_json_time(next_poll_time)
        || ',"error_count":' || error_count::text
        || ',"last_error":' || public.siem_json_string(last_error)
        || ',"disabled_reason":' || public.siem_json_string(disabled_reason)
        || ',"settings":' || settings::text
        || ',"cursor":' || (SELECT coalesce(jsonb_object_agg(e.key,
                                CASE WHEN jsonb_typeof(e.value) = 'object' THEN e.value - 'seen' ELSE e.value END),
                                '{}'::jsonb) FROM jsonb_each(cursor) AS e)::text
        || ',"streams":' || stream_state::text
        || ',"credentials":{"set":true,"fingerprint":' || public.siem_json_string(credentials_fingerprint)
        || ',"key_id":' || public.siem_json_string(credentials_key_id)
        || ',"expires_at":' || public.siem_json_time(credentials_expires_at)
        || '},"stats":{"events_collected_total":' || events_collected_total::text
        || ',"last_poll_events":' || last_poll_events::text
        || ',"last_poll_duration_ms":' || coalesce(last_poll_duration_ms::text, 'null')
        || '},"created_at":' || public.siem_json_time(created_at)
        || ',"updated_at":' || public.siem_json_time(updated_at)
        || '}'
$$;

ALTER TABLE cloud_api_sources
    ADD COLUMN api_json text NOT NULL GENERATED ALWAYS AS (siem_source_json(
        source_id, tenant_id, platform, source_name, polling_interval_minutes, is_enabled,
        last_polled_timestamp, last_success_timestamp, next_poll_time, error_count, last_error,
        disabled_reason, settings, cursor, credentials_fingerprint, credentials_key_id,
        events_collected_total, last_poll_events, last_poll_duration_ms, created_at, updated_at,
        credentials_expires_at, stream_state)) STORED;

-- The poller's record of one poll: the streams' health and the source's outcome together.
--   'success'  at least one stream delivered (the others' failures are theirs):
--              the schedule rules of siem_record_poll_outcome for a success
--   'failure'  what failed is the source (credentials, or every stream it tried)
--   'idle'     no stream was due (all backing off or disabled): the source keeps its
--              error count and is looked at again after one interval
CREATE FUNCTION siem_record_source_poll(
    p_source_id uuid, p_outcome text, p_polled_at timestamptz, p_error text, p_events integer,
    p_duration_ms integer, p_max_failures integer, p_backlog_left boolean, p_stream_state jsonb
) RETURNS TABLE (
    source_id uuid, is_enabled boolean, error_count integer,
    next_poll_time timestamptz, disabled_reason text
)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_outcome NOT IN ('success', 'failure', 'idle') THEN
        RAISE EXCEPTION 'unknown poll outcome %', p_outcome USING ERRCODE = '22023';
    END IF;
    UPDATE cloud_api_sources AS s SET stream_state = p_stream_state
    WHERE s.source_id = p_source_id AND p_stream_state IS NOT NULL AND jsonb_typeof(p_stream_state) = 'object';
    IF p_outcome = 'idle' THEN
        RETURN QUERY
        UPDATE cloud_api_sources AS s SET
            last_polled_timestamp = p_polled_at,
            next_poll_time        = p_polled_at + make_interval(mins => s.polling_interval_minutes),
            last_poll_events      = 0,
            last_poll_duration_ms = p_duration_ms
        WHERE s.source_id = p_source_id
        RETURNING s.source_id, s.is_enabled, s.error_count, s.next_poll_time, s.disabled_reason;
    ELSE
        RETURN QUERY SELECT * FROM public.siem_record_poll_outcome(
            p_source_id, p_outcome = 'success', p_polled_at, p_error, p_events, p_duration_ms,
            p_max_failures, p_backlog_left);
    END IF;
END $$;

-- Per stream, for /metrics and siem-ctl status. The watermark is the checkpoint's (the
-- truth, also after a rewind); its age is judged by the database's clock. A stream is
-- lagging when its watermark is more than settings.lag_alert_intervals (default 4)
-- polling intervals old: the rule the poller applies at the end of each poll.
-- siem_stream_rows runs as its caller, under row security: an admin's or viewer's /metrics
-- reads its own tenant through it. siem_stream_metrics, every tenant's, runs as
-- siem_cross_tenant (below) for the metrics and poller roles and siem-ctl status.
CREATE FUNCTION siem_stream_rows(p_tenant text)
RETURNS TABLE (
    source_id uuid, tenant_id text, platform text, source_name text, source_enabled boolean,
    stream text, state text, error_count integer, last_error text, disabled_reason text,
    next_attempt timestamptz, backlog_runs integer, watermark timestamptz,
    watermark_age_seconds double precision, lagging boolean,
    events_truncated_total bigint, records_dropped_total bigint
)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT s.source_id, s.tenant_id, s.platform, s.source_name, s.is_enabled,
           e.key, coalesce(e.value ->> 'state', 'ok'), coalesce((e.value ->> 'error_count')::integer, 0),
           e.value ->> 'last_error', e.value ->> 'disabled_reason',
           (e.value ->> 'next_attempt')::timestamptz, coalesce((e.value ->> 'backlog_runs')::integer, 0),
           w.watermark, extract(epoch FROM now() - w.watermark)::double precision,
           coalesce(s.is_enabled AND e.value ->> 'state' IS DISTINCT FROM 'disabled'
                    AND now() - w.watermark > make_interval(mins => s.polling_interval_minutes)
                        * coalesce((s.settings ->> 'lag_alert_intervals')::integer, 4), false),
           coalesce((e.value ->> 'events_truncated_total')::bigint, 0),
           coalesce((e.value ->> 'records_dropped_total')::bigint, 0)
    FROM cloud_api_sources AS s
    CROSS JOIN LATERAL jsonb_each(s.stream_state) AS e
    CROSS JOIN LATERAL (SELECT (s.cursor -> e.key ->> 'watermark')::timestamptz AS watermark) AS w
    WHERE p_tenant IS NULL OR s.tenant_id = p_tenant
    ORDER BY s.tenant_id, s.source_name, e.key
$$;

CREATE FUNCTION siem_stream_metrics(p_tenant text)
RETURNS TABLE (
    source_id uuid, tenant_id text, platform text, source_name text, source_enabled boolean,
    stream text, state text, error_count integer, last_error text, disabled_reason text,
    next_attempt timestamptz, backlog_runs integer, watermark timestamptz,
    watermark_age_seconds double precision, lagging boolean,
    events_truncated_total bigint, records_dropped_total bigint
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM public.siem_stream_rows(p_tenant)
$$;

REVOKE ALL ON FUNCTION siem_record_source_poll(uuid, text, timestamptz, text, integer, integer, integer, boolean, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION siem_stream_metrics(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION siem_record_source_poll(uuid, text, timestamptz, text, integer, integer, integer, boolean, jsonb) TO siem_poller;
REVOKE ALL ON FUNCTION siem_stream_rows(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION siem_stream_metrics(text) TO siem_api, siem_poller;
-- siem_cross_tenant runs it for siem_stream_metrics; siem_api for its tenant's /metrics.
GRANT EXECUTE ON FUNCTION siem_stream_rows(text) TO siem_api, siem_cross_tenant;

-- The cross-tenant functions belong to siem_cross_tenant, as sql/010 set out: it crosses
-- tenants through its policy, with only the rights these functions use.
DO $$
DECLARE
    superuser boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
BEGIN
    IF NOT superuser THEN
        GRANT CREATE ON SCHEMA public TO siem_cross_tenant;
    END IF;
    ALTER FUNCTION siem_record_source_poll(uuid, text, timestamptz, text, integer, integer, integer, boolean, jsonb)
        OWNER TO siem_cross_tenant;
    ALTER FUNCTION siem_stream_metrics(text) OWNER TO siem_cross_tenant;
    IF NOT superuser THEN
        REVOKE CREATE ON SCHEMA public FROM siem_cross_tenant;
    END IF;
END $$;
