-- Platforms are no longer a fixed list (issue #13): besides the built-in ones, a platform can be
-- declared by a file in connectors/ and registered at start. The API checks a source's platform
-- against that catalog; the database keeps a format check on the name, so nothing but a
-- catalog-shaped name (letters and digits, starting with a capital) can ever be stored.
ALTER TABLE cloud_api_sources DROP CONSTRAINT cloud_api_sources_platform_check;
ALTER TABLE cloud_api_sources ADD CONSTRAINT cloud_api_sources_platform_check
    CHECK (platform ~ '^[A-Z][A-Za-z0-9]{1,39}$');
