// The platform catalog as GET /v1/platforms serves it (Sources/Catalog): platforms, their
// streams, settings, credential fields and defaults. Loaded once per sign-in, read
// synchronously afterwards; the page keeps no copy of these facts.

let catalog = null;

/** Fetches the catalog unless it is loaded already. */
export async function loadCatalog(api) {
  if (!catalog) catalog = await api.platforms();
  return catalog;
}

/** Drops the catalog (sign-out): the next sign-in reads it again. */
export function forgetCatalog() {
  catalog = null;
}

/** Every platform, in the catalog's order. */
export function platforms() {
  return catalog ? catalog.platforms : [];
}

export function platformSpec(name) {
  return platforms().find((p) => p.name === name) || null;
}

export function platformLabel(name) {
  return platformSpec(name)?.label || name;
}

/** The settings a source polls with: its own, else its platform's defaults (the poller's). */
export function effectiveSettings(source) {
  return { ...(platformSpec(source.platform)?.defaults || {}), ...(source.settings || {}) };
}

/** Limits and default of polling_interval_minutes. */
export function intervalRules() {
  return catalog.source.polling_interval_minutes;
}

/** The streams a source collects: its settings.streams, else all of its platform's. */
export function configuredStreams(source) {
  const all = (platformSpec(source.platform)?.streams || []).map((s) => s.name);
  const chosen = source.settings && Array.isArray(source.settings.streams) ? source.settings.streams : null;
  return chosen && chosen.length ? chosen : all;
}

/** The keys the poller keeps checkpoints under: a per-item stream has one per item of its list setting. */
export function streamKeys(source) {
  const streams = platformSpec(source.platform)?.streams || [];
  const settings = source.settings || {};
  return configuredStreams(source).flatMap((name) => {
    const stream = streams.find((s) => s.name === name);
    if (!stream || !stream.key_setting) return [name];
    const items = Array.isArray(settings[stream.key_setting]) ? settings[stream.key_setting] : [];
    return items.map((item) => `${name}:${item}`);
  });
}
