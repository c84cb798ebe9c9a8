// Each stream's health (the API's `streams`, sql/012) with its lag judged now: the rules of
// siem_stream_metrics, so the page, /metrics and `siem-ctl status` agree.

import { effectiveSettings } from "./catalog.js";

/** The stream's watermark age in ms, or null before its first checkpoint. */
export function watermarkAge(source, stream, now = Date.now()) {
  const mark = source.cursor?.[stream]?.watermark;
  const at = mark ? Date.parse(mark) : NaN;
  return Number.isNaN(at) ? null : now - at;
}

/** disabled or failing as the poller left it; else lagging when behind by more than the threshold; else ok. */
export function streamState(source, stream, now = Date.now()) {
  const stored = source.streams?.[stream] || {};
  if (stored.state === "disabled" || stored.state === "failing") return stored.state;
  // The source's own threshold, else the catalog's default (the rule of sql/012).
  const intervals = effectiveSettings(source).lag_alert_intervals;
  const age = watermarkAge(source, stream, now);
  const limit = source.polling_interval_minutes * intervals * 60_000;
  return source.is_enabled && age !== null && age > limit ? "lagging" : "ok";
}

/** "3h", "25m", "2d": how far behind a watermark is. */
export function span(ms) {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${Math.max(1, minutes)}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h${minutes % 60 ? `${minutes % 60}m` : ""}`;
  return `${Math.floor(minutes / 1440)}d`;
}

/** What is wrong with one stream, in words, or null. */
export function streamNote(source, stream, now = Date.now()) {
  const stored = source.streams?.[stream] || {};
  switch (streamState(source, stream, now)) {
    case "disabled": return `${stream} disabled: ${stored.disabled_reason || "after repeated failures"}`;
    case "failing": return `${stream} failing (${stored.error_count} errors): ${stored.last_error || ""}`;
    case "lagging": return `${stream} falling behind: watermark ${span(watermarkAge(source, stream, now))} old`;
    default: return null;
  }
}

/** The streams in trouble, worst first: [{stream, state, note}]. */
export function streamProblems(source, now = Date.now()) {
  const rank = { disabled: 0, failing: 1, lagging: 2 };
  return Object.keys(source.streams || {})
    .map((stream) => ({ stream, state: streamState(source, stream, now), note: streamNote(source, stream, now) }))
    .filter((p) => p.note)
    .sort((a, b) => rank[a.state] - rank[b.state]);
}
