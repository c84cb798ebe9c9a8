-- The API's representation of a source, rendered by PostgreSQL when the row is
-- written, and the listing's order. Sources are read far more often than they
-- change (at most once per poll), and rendering 21 columns through their output
-- functions on every read cost more than the query itself.

-- The listing is in code-point order of source_name (COLLATE "C"): the same order
-- on every database whatever its locale, and a byte comparison where the locale's
-- collation costs a strcoll() per comparison. (tenant_id, source_name) is unique,
-- so the name alone pages through the keyset.
DROP INDEX IF EXISTS cloud_api_sources_tenant_idx;
CREATE INDEX cloud_api_sources_tenant_name_order_idx
    ON cloud_api_sources (tenant_id, source_name COLLATE "C");

-- RFC 3339 in UTC as a JSON string (or null), microseconds only when there are any:
-- exactly what the Swift code writes (UTCTimestamp.rfc3339). Only numeric patterns,
-- so to_char's locale does not matter and the result depends on the value alone.
CREATE FUNCTION siem_json_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t IS NULL THEN 'null' ELSE '"' || to_char(t AT TIME ZONE 'UTC',
        CASE WHEN extract(microseconds FROM t)::bigint % 1000000 = 0 THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
             ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END) || '"' END
$$;

-- A JSON string (RFC 8259 escaping by to_json), or null.
CREATE FUNCTION siem_json_string(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(to_json(s)::text, 'null')
$$;

-- The source as GET /v1/cloud_api_sources/{id} returns it (see htdocs/openapi.yaml,
-- schema Source). Credentials appear only as "set", a fingerprint and the key id.
-- To change the representation: a new migration that replaces this function and
-- re-creates the api_json column (DROP COLUMN, ADD COLUMN).
CREATE FUNCTION siem_source_json(
    source_id uuid, tenant_id text, platform text, source_name text, polling_interval_minutes integer,
    is_enabled boolean, last_polled_timestamp timestamptz, last_success_timestamp timestamptz,
    next_poll_time timestamptz, error_count integer, last_error text, disabled_reason text,
    settings jsonb, cursor jsonb, credentials_fingerprint text, credentials_key_id text,
    events_collected_total bigint, last_poll_events integer, last_poll_duration_ms integer,
    created_at timestamptz, updated_at timestamptz) RETURNS text
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
        || ',"cursor":' || cursor::text
        || ',"credentials":{"set":true,"fingerprint":' || public.siem_json_string(credentials_fingerprint)
        || ',"key_id":' || public.siem_json_string(credentials_key_id)
        || '},"stats":{"events_collected_total":' || events_collected_total::text
        || ',"last_poll_events":' || last_poll_events::text
        || ',"last_poll_duration_ms":' || coalesce(last_poll_duration_ms::text, 'null')
        || '},"created_at":' || public.siem_json_time(created_at)
        || ',"updated_at":' || public.siem_json_time(updated_at)
        || '}'
$$;

-- Stored generated columns are computed after BEFORE triggers, so api_json carries
-- the updated_at that cloud_api_sources_touch sets.
ALTER TABLE cloud_api_sources
    ADD COLUMN api_json text NOT NULL GENERATED ALWAYS AS (siem_source_json(
        source_id, tenant_id, platform, source_name, polling_interval_minutes, is_enabled,
        last_polled_timestamp, last_success_timestamp, next_poll_time, error_count, last_error,
        disabled_reason, settings, cursor, credentials_fingerprint, credentials_key_id,
        events_collected_total, last_poll_events, last_poll_duration_ms, created_at, updated_at)) STORED,
    ADD COLUMN settings_text text NOT NULL GENERATED ALWAYS AS (settings::text) STORED;
