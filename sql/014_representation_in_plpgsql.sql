-- The representation's functions, unchanged in what they return, move from LANGUAGE sql to
-- PL/pgSQL, so that a write no longer parses and plans them again (issue #14, the API under
-- writes; BENCHMARKS.md).
--
-- A SQL function is either inlined into the query that calls it or run by the SQL-function
-- executor, which parses and plans its body once per statement that calls it. None of these
-- three could be inlined: siem_json_string and siem_json_time are IMMUTABLE but call STABLE
-- functions (to_json, to_char), and siem_source_json holds a sub-select (the cursor without
-- "seen"). So every INSERT or UPDATE of a source (a PUT, each poll's bookkeeping) parsed and
-- planned siem_source_json and its thirteen helper calls for the generated column api_json,
-- after a failed attempt to inline siem_source_json when the statement started: 0.5 of the
-- 1.3 ms of CPU a PUT's UPDATE cost PostgreSQL. PL/pgSQL compiles a function once per
-- session and keeps its statements' plans, and the planner does not try to inline it.
--
-- Same signatures, same volatility (a generated column needs IMMUTABLE), same text for every
-- input: CREATE OR REPLACE keeps the generated column, and the values already stored stay
-- what these functions return, so the column is not re-created (no table rewrite).

CREATE OR REPLACE FUNCTION siem_json_time(t timestamptz) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN CASE WHEN t IS NULL THEN 'null' ELSE '"' || to_char(t AT TIME ZONE 'UTC',
        CASE WHEN extract(microseconds FROM t)::bigint % 1000000 = 0 THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
             ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END) || '"' END;
END $$;

CREATE OR REPLACE FUNCTION siem_json_string(s text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN coalesce(to_json(s)::text, 'null');
END $$;

CREATE OR REPLACE FUNCTION siem_source_json(
    source_id uuid, tenant_id text, platform text, source_name text, polling_interval_minutes integer,
    is_enabled boolean, last_polled_timestamp timestamptz, last_success_timestamp timestamptz,
    next_poll_time timestamptz, error_count integer, last_error text, disabled_reason text,
    settings jsonb, cursor jsonb, credentials_fingerprint text, credentials_key_id text,
    events_collected_total bigint, last_poll_events integer, last_poll_duration_ms integer,
    created_at timestamptz, updated_at timestamptz, credentials_expires_at timestamptz,
    stream_state jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN '{"source_id":"' || source_id::text
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
        || '}';
END $$;
