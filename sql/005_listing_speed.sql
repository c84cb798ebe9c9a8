-- What the API's source listing reads on every call, prepared once per write.

-- The listing is in code-point order of source_name (COLLATE "C"): the same order
-- on every database whatever its locale, and a byte comparison where the locale's
-- collation costs a strcoll() per comparison. (tenant_id, source_name) is unique,
-- so the name alone pages through the keyset.
DROP INDEX IF EXISTS cloud_api_sources_tenant_idx;
CREATE INDEX cloud_api_sources_tenant_name_order_idx
    ON cloud_api_sources (tenant_id, source_name COLLATE "C");

-- settings and cursor as JSON text, rendered when a row is written (a poll or an
-- edit) instead of by jsonb's output function for every row of every listing,
-- where it cost a quarter of the query.
ALTER TABLE cloud_api_sources
    ADD COLUMN settings_text text GENERATED ALWAYS AS (settings::text) STORED,
    ADD COLUMN cursor_text text GENERATED ALWAYS AS (cursor::text) STORED;
