-- The registry of cloud sources to poll. One row per (tenant, source).
-- Secrets live only in api_credentials, as an AES-256-GCM envelope made by the
-- application (see Sources/Secrets); the database never sees them in clear.
CREATE TABLE cloud_api_sources (
    source_id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id                 text        NOT NULL
        CHECK (tenant_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
    platform                  text        NOT NULL
        CHECK (platform IN ('Microsoft365', 'AzureAD', 'GCP', 'AWS')),
    source_name               text        NOT NULL
        CHECK (char_length(source_name) BETWEEN 1 AND 200),
    api_credentials           bytea       NOT NULL,
    credentials_key_id        text        NOT NULL,
    credentials_fingerprint   text        NOT NULL,
    polling_interval_minutes  integer     NOT NULL DEFAULT 15
        CHECK (polling_interval_minutes BETWEEN 1 AND 1440),
    last_polled_timestamp     timestamptz,
    last_success_timestamp    timestamptz,
    is_enabled                boolean     NOT NULL DEFAULT true,
    -- Consecutive failures; reset to 0 by a successful poll.
    error_count               integer     NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    last_error                text,
    disabled_reason           text,
    next_poll_time            timestamptz NOT NULL DEFAULT now(),
    -- Non-secret configuration: endpoint overrides, streams, lookback, page size.
    settings                  jsonb       NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(settings) = 'object'),
    -- The poller's checkpoint per stream; moved only after Kafka acknowledged.
    cursor                    jsonb       NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(cursor) = 'object'),
    -- Operator counters (graphed from /metrics).
    events_collected_total    bigint      NOT NULL DEFAULT 0,
    last_poll_events          integer     NOT NULL DEFAULT 0,
    last_poll_duration_ms     integer,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cloud_api_sources_tenant_name_key UNIQUE (tenant_id, source_name)
);

-- Serves the poller's due query (enabled rows ordered by next_poll_time) as an
-- index range scan, whatever the number of idle sources.
CREATE INDEX cloud_api_sources_due_idx
    ON cloud_api_sources (next_poll_time) WHERE is_enabled;

-- Serves the API's per-tenant listing in name order.
CREATE INDEX cloud_api_sources_tenant_idx
    ON cloud_api_sources (tenant_id, source_name);

CREATE FUNCTION cloud_api_sources_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE TRIGGER cloud_api_sources_touch
    BEFORE UPDATE ON cloud_api_sources
    FOR EACH ROW EXECUTE FUNCTION cloud_api_sources_touch();
