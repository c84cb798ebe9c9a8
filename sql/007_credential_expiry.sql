-- When a source's credentials stop working on their own: the notAfter of a Microsoft
-- certificate credential (Entra ID refuses an expired one, and the poller then fails
-- with AADSTS700027 in the middle of the night). Recorded when credentials are stored;
-- NULL for credentials without a known end (client secrets' ends live in Entra ID,
-- service-account keys and access keys carry none). Shown as credentials.expires_at.
ALTER TABLE cloud_api_sources ADD COLUMN credentials_expires_at timestamptz;

-- The representation gains the field: replace the function and re-create the column
-- (a generated column pins its function's signature).
ALTER TABLE cloud_api_sources DROP COLUMN api_json;
DROP FUNCTION siem_source_json(uuid, text, text, text, integer, boolean, timestamptz, timestamptz,
    timestamptz, integer, text, text, jsonb, jsonb, text, text, bigint, integer, integer,
    timestamptz, timestamptz);

CREATE FUNCTION siem_source_json(
    source_id uuid, tenant_id text, platform text, source_name text, polling_interval_minutes integer,
    is_enabled boolean, last_polled_timestamp timestamptz, last_success_timestamp timestamptz,
    next_poll_time timestamptz, error_count integer, last_error text, disabled_reason text,
    settings jsonb, cursor jsonb, credentials_fingerprint text, credentials_key_id text,
    events_collected_total bigint, last_poll_events integer, last_poll_duration_ms integer,
    created_at timestamptz, updated_at timestamptz, credentials_expires_at timestamptz) RETURNS text
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
        credentials_expires_at)) STORED;
