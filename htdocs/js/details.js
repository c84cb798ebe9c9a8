// One source: status, credential state (never values), settings, checkpoints with rewind.

import { h, clear, timeElement, formatNumber, formatUTC } from "./dom.js";
import { platformLabel, configuredStreams, streamKeys, effectiveSettings } from "./catalog.js";
import { span, streamState, watermarkAge } from "./streams.js";

/**
 * @param {HTMLElement} container
 * @param {object} source
 * @param {{onRewind: (stream: string, watermark: string) => void}} handlers
 */
export function renderDetails(container, source, handlers) {
  clear(container);
  const stats = source.stats || {};
  const creds = source.credentials || {};

  container.append(
    section("Status", "details-status", list([
      ["Platform", platformLabel(source.platform)],
      ["Enabled", source.is_enabled ? "Yes" : `No${source.disabled_reason ? ` — ${source.disabled_reason}` : ""}`],
      ["Polling interval", `${source.polling_interval_minutes} min`],
      ["Last poll", timeElement(source.last_polled_timestamp)],
      ["Last success", timeElement(source.last_success_timestamp)],
      ["Next poll", source.is_enabled ? timeElement(source.next_poll_time) : "not scheduled (disabled)"],
      ["Consecutive errors", String(source.error_count)],
      ["Last error", source.last_error || "–"],
      ["Events collected", formatNumber(stats.events_collected_total)],
      ["Events in the last poll", formatNumber(stats.last_poll_events)],
      ["Last poll duration", stats.last_poll_duration_ms === null || stats.last_poll_duration_ms === undefined
        ? "–" : `${formatNumber(stats.last_poll_duration_ms)} ms`],
      ["Created", timeElement(source.created_at)],
      ["Updated", timeElement(source.updated_at)],
      ["Source id", h("code", {}, source.source_id)],
    ])),

    section("Credentials", "details-credentials",
      list([
        ["Stored", creds.set ? "Yes" : "No"],
        ["Fingerprint", creds.fingerprint ? h("code", { id: "credential-fingerprint" }, creds.fingerprint) : "–"],
        ["Sealed with key", creds.key_id ? h("code", {}, creds.key_id) : "–"],
        ["Expires", expiry(creds.expires_at)],
      ]),
      h("p", { class: "help" }, "Secrets are write-only: the API never returns them. "
        + "The fingerprint changes when the credentials change.")),

    section("Streams", "details-streams", streamsTable(source)),

    section("Settings", "details-settings", settingsList(source)),

    section("Checkpoints", "details-checkpoints", checkpoints(source, handlers)),

    h("section", { class: "panel panel-wide", "aria-labelledby": "details-test-heading" },
      h("h3", { id: "details-test-heading", class: "visually-hidden" }, "Connection test"),
      h("div", { id: "details-test-results", class: "test-results", "aria-live": "polite" })),
  );
}

/** A certificate's end; flagged when it is less than 30 days away or past. */
function expiry(expiresAt) {
  if (!expiresAt) return "not known (client secrets' end dates are kept in Entra ID)";
  const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
  const element = h("span", { id: "credential-expiry" }, timeElement(expiresAt));
  if (days < 30) {
    element.classList.add("warning");
    element.append(days < 0 ? " — expired: upload a new certificate" : ` — in ${Math.floor(days)} days: renew the certificate`);
  }
  return element;
}

function section(title, id, ...content) {
  return h("section", { class: "panel", id, "aria-labelledby": `${id}-heading` },
    h("h3", { id: `${id}-heading` }, title), ...content);
}

function list(rows) {
  return h("dl", { class: "facts" }, rows.map(([term, value]) =>
    h("div", {}, h("dt", {}, term), h("dd", {}, value))));
}

function settingsList(source) {
  const settings = source.settings || {};
  const names = Object.keys(settings);
  const rows = names.map((name) => {
    const value = settings[name];
    const shown = Array.isArray(value) ? value.join(", ") : typeof value === "object" ? JSON.stringify(value) : String(value);
    return [h("code", {}, name), h("span", { class: "wrap", dataset: { setting: name } }, shown)];
  });
  if (!settings.streams) rows.push([h("code", {}, "streams"), `${configuredStreams(source).join(", ")} (default: all)`]);
  return [
    names.length ? null : h("p", { class: "help" }, "Only defaults: no setting was given."),
    list(rows),
  ];
}

/** Each stream's health: a failing or lagging stream is shown even while the source delivers. */
function streamsTable(source) {
  const streams = Object.keys(source.streams || {});
  if (!streams.length) return h("p", { class: "help" }, "Not polled yet: each stream's health appears after the first poll.");
  const labels = { ok: "OK", failing: "Failing", disabled: "Disabled", lagging: "Lagging" };
  return [
    h("p", { class: "help" }, "A stream that fails backs off and, after repeated failures, is disabled on its own; "
      + "edit the source (settings or credentials) to try it again. Lagging: its watermark trails by more than "
      + `${effectiveSettings(source).lag_alert_intervals} polling intervals.`),
    h("div", { class: "table-wrap" }, h("table", { class: "streams" },
      h("caption", { class: "visually-hidden" }, "Health per stream"),
      h("thead", {}, h("tr", {}, ["Stream", "State", "Consecutive errors", "Last error", "Next attempt",
        "Watermark age", "Runs with backlog"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, streams.map((stream) => {
        const stored = source.streams[stream] || {};
        const state = streamState(source, stream);
        const age = watermarkAge(source, stream);
        const detail = state === "disabled" ? stored.disabled_reason : stored.last_error;
        return h("tr", { dataset: { stream, state } },
          h("th", { scope: "row", "data-label": "Stream" }, h("code", {}, stream)),
          h("td", { "data-label": "State", dataset: { col: "state" } },
            h("span", { class: `badge ${state === "ok" ? "ok" : "bad"}` }, labels[state] || state)),
          h("td", { "data-label": "Consecutive errors", class: "num", dataset: { col: "errors" } }, String(stored.error_count ?? 0)),
          h("td", { "data-label": "Last error", dataset: { col: "last_error" } },
            detail ? h("span", { class: "error-text" }, detail) : h("span", { class: "muted" }, "–")),
          h("td", { "data-label": "Next attempt", dataset: { col: "next_attempt" } },
            state === "failing" && stored.next_attempt ? timeElement(stored.next_attempt) : h("span", { class: "muted" }, "–")),
          h("td", { "data-label": "Watermark age", dataset: { col: "age" } },
            age === null ? h("span", { class: "muted" }, "–") : `${span(age)}${state === "lagging" ? " — falling behind" : ""}`),
          h("td", { "data-label": "Runs with backlog", class: "num", dataset: { col: "backlog_runs" } },
            String(stored.backlog_runs ?? 0)));
      })))),
  ];
}

function checkpoints(source, handlers) {
  const cursor = source.cursor && typeof source.cursor === "object" ? source.cursor : {};
  const streams = [...new Set([...streamKeys(source), ...Object.keys(cursor)])];
  const offset = -new Date().getTimezoneOffset();
  const zone = `UTC${offset >= 0 ? "+" : "-"}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0")}:${
    String(Math.abs(offset) % 60).padStart(2, "0")}`;
  return [
    h("p", { class: "help" }, "Each stream's checkpoint moves only after Kafka acknowledged every event before it. "
      + "Rewinding a stream makes the poller collect again from the chosen time (your SIEM may see duplicates)."),
    h("div", { class: "table-wrap" }, h("table", { class: "checkpoints" },
      h("caption", { class: "visually-hidden" }, "Checkpoint per stream"),
      h("thead", {}, h("tr", {}, ["Stream", "Watermark", "Events seen at the watermark", "Slice", "Rewind"]
        .map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, streams.map((stream) => {
        const cp = cursor[stream] || null;
        const inputId = `rewind-${stream}`;
        const input = h("input", { type: "datetime-local", id: inputId, step: "1", required: true,
          "aria-describedby": `${inputId}-help` });
        if (cp && cp.watermark) input.value = toLocalInput(cp.watermark);
        const utcHint = h("span", { id: `${inputId}-help`, class: "help" }, `your local time (${zone})`);
        const update = () => {
          const iso = fromLocalInput(input.value);
          utcHint.textContent = iso ? `= ${formatUTC(new Date(iso))}` : `your local time (${zone})`;
        };
        input.addEventListener("input", update);
        update();
        const form = h("form", { class: "rewind", dataset: { stream } },
          h("label", { for: inputId }, `Rewind ${stream} to`), input, utcHint,
          h("button", { type: "submit", class: "secondary" }, "Rewind"));
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          const iso = fromLocalInput(input.value);
          if (!iso) {
            utcHint.textContent = "Choose a date and time first.";
            input.focus();
            return;
          }
          handlers.onRewind(stream, iso);
        });
        return h("tr", { dataset: { stream } },
          h("th", { scope: "row", "data-label": "Stream" }, h("code", {}, stream)),
          h("td", { "data-label": "Watermark", dataset: { col: "watermark" } },
            cp && cp.watermark ? timeElement(cp.watermark) : h("span", { class: "muted" }, "not polled yet")),
          h("td", { "data-label": "Events seen at the watermark", class: "num", dataset: { col: "seen_count" } },
            cp && typeof cp.seen_count === "number" ? formatNumber(cp.seen_count) : "–"),
          h("td", { "data-label": "Slice", class: "num" },
            cp && typeof cp.slice_seconds === "number" ? `${formatNumber(cp.slice_seconds)} s` : "–"),
          h("td", { "data-label": "Rewind", class: "rewind-cell" }, form));
      })))),
  ];
}

/** RFC 3339 → the "YYYY-MM-DDTHH:MM:SS" local value a datetime-local input takes. */
export function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local value (local time) → RFC 3339 UTC ("…Z"), or null. */
export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value); // no zone in the string: read as local time
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.000Z$/, "Z");
}
