// The sources table: columns, sorting (headers are buttons; aria-sort tells the state).

import { h, clear, timeElement, formatNumber } from "./dom.js";
import { platformLabel } from "./catalog.js";
import { streamProblems } from "./streams.js";

const byText = (get) => (a, b) => String(get(a) ?? "").localeCompare(String(get(b) ?? ""), undefined,
  { sensitivity: "base", numeric: true });
const byNumber = (get) => (a, b) => (get(a) ?? -Infinity) - (get(b) ?? -Infinity);
// Missing times sort first ascending ("never polled" is the oldest poll).
const byTime = (get) => byNumber((s) => (get(s) ? Date.parse(get(s)) : null));

export const COLUMNS = [
  { key: "name", label: "Name", compare: byText((s) => s.source_name),
    cell: (s) => h("a", { href: `#/source/${encodeURIComponent(s.source_id)}`, class: "source-link",
      dataset: { action: "details" } }, s.source_name) },
  { key: "platform", label: "Platform", compare: byText((s) => platformLabel(s.platform)),
    cell: (s) => platformLabel(s.platform) },
  { key: "enabled", label: "Enabled", compare: byNumber((s) => (s.is_enabled ? 1 : 0)),
    cell: (s) => h("span", { class: `badge ${s.is_enabled ? "ok" : "off"}`, title: s.disabled_reason || null },
      s.is_enabled ? "Yes" : "No") },
  { key: "last_poll", label: "Last poll", compare: byTime((s) => s.last_polled_timestamp),
    cell: (s) => timeElement(s.last_polled_timestamp) },
  { key: "next_poll", label: "Next poll", compare: byTime((s) => s.next_poll_time),
    cell: (s) => (s.is_enabled ? nextPollCell(s) : h("span", { class: "muted" }, "not scheduled")) },
  { key: "errors", label: "Consecutive errors", numeric: true, compare: byNumber((s) => s.error_count),
    cell: (s) => errorsCell(s) },
  { key: "last_error", label: "Last error", compare: byText((s) => s.last_error || ""),
    cell: (s) => (s.last_error ? h("span", { class: "error-text" }, s.last_error) : h("span", { class: "muted" }, "–")) },
  { key: "events", label: "Events collected", numeric: true,
    compare: byNumber((s) => s.stats?.events_collected_total), cell: (s) => formatNumber(s.stats?.events_collected_total) },
];

// Cron runs the poller every minute, so a source this far past its next poll has
// not been picked up at all: the same rule as `siem-ctl status`.
export const OVERDUE_AFTER_MS = 10 * 60 * 1000;

export function isOverdue(source, now = Date.now()) {
  const next = Date.parse(source.next_poll_time);
  return source.is_enabled && !Number.isNaN(next) && now - next > OVERDUE_AFTER_MS;
}

/** The source's own count, and a badge when a stream fails or lags while the source delivers. */
function errorsCell(source) {
  const count = h("span", { class: source.error_count ? "badge bad" : "" }, String(source.error_count));
  const problems = source.is_enabled ? streamProblems(source) : [];
  if (!problems.length) return count;
  const worst = problems[0].state;
  const label = worst === "lagging" ? "lagging" : `stream ${worst}`;
  return h("span", {}, count, " ", h("span", {
    class: "badge bad", dataset: { streamAlert: worst }, title: problems.map((p) => p.note).join("\n"),
  }, problems.length > 1 ? `${label} +${problems.length - 1}` : label));
}

function nextPollCell(source) {
  const time = timeElement(source.next_poll_time);
  if (!isOverdue(source)) return time;
  return h("span", {}, time, " ", h("span", {
    class: "badge bad", dataset: { overdue: "" },
    title: "No poller has picked this source up since it became due: is cron running siem-poller?",
  }, "overdue"));
}

/**
 * Renders header and rows. `actions(source)` returns the row's action buttons.
 * `sort` is {key, direction: "ascending"|"descending"}; onSort(key) asks to change it.
 */
export function renderTable({ head, body, sources, sort, onSort, actions }) {
  clear(head);
  for (const col of COLUMNS) {
    const active = sort.key === col.key;
    const ariaSort = active ? sort.direction : "none";
    const indicator = h("span", { class: "sort-indicator", "aria-hidden": "true" },
      active ? (sort.direction === "ascending" ? "▲" : "▼") : "↕");
    head.append(h("th", { scope: "col", "aria-sort": ariaSort, class: col.numeric ? "num" : null, dataset: { key: col.key } },
      h("button", { type: "button", class: "sort", dataset: { sortKey: col.key }, onclick: () => onSort(col.key) },
        col.label, indicator)));
  }
  head.append(h("th", { scope: "col" }, h("span", {}, "Actions")));

  clear(body);
  for (const source of sortSources(sources, sort)) {
    body.append(h("tr", { dataset: { sourceId: source.source_id }, class: source.is_enabled ? null : "disabled" },
      COLUMNS.map((col, i) => h(i === 0 ? "th" : "td",
        { scope: i === 0 ? "row" : null, "data-label": col.label, class: col.numeric ? "num" : null,
          dataset: { col: col.key } }, col.cell(source))),
      h("td", { "data-label": "Actions", class: "actions-cell" }, h("div", { class: "row-actions" }, actions(source)))));
  }
}

export function sortSources(sources, sort) {
  const col = COLUMNS.find((c) => c.key === sort.key) || COLUMNS[0];
  const sign = sort.direction === "descending" ? -1 : 1;
  return [...sources].sort((a, b) => sign * col.compare(a, b) || byText((s) => s.source_name)(a, b));
}

export function nextSort(current, key) {
  if (current.key === key) {
    return { key, direction: current.direction === "ascending" ? "descending" : "ascending" };
  }
  return { key, direction: "ascending" };
}
