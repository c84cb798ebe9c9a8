// Renders a connection test's answer: {ok, results: [{stream, status, detail, sample_events}]}.

import { h, clear, formatNumber } from "./dom.js";
import { TEST_STATUS_LABELS } from "./platforms.js";

export function renderTestResults(container, data, title = "Connection test") {
  clear(container);
  const results = Array.isArray(data?.results) ? data.results : [];
  const ok = Boolean(data?.ok);
  container.append(
    h("h3", {}, title),
    h("p", { class: `test-summary ${ok ? "ok" : "bad"}`, id: `${container.id}-summary` },
      ok ? "Passed: every stream answered." : "Failed: see the streams below."),
  );
  if (!results.length) return;
  container.append(h("div", { class: "table-wrap" }, h("table", { class: "results" },
    h("caption", { class: "visually-hidden" }, `${title}: result per stream`),
    h("thead", {}, h("tr", {},
      ["Stream", "Result", "Provider's reason", "Sample events"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, results.map((r) => h("tr", { dataset: { stream: String(r.stream) } },
      h("td", { "data-label": "Stream" }, h("code", {}, String(r.stream))),
      h("td", { "data-label": "Result" },
        h("span", { class: `badge ${r.status === "ok" ? "ok" : "bad"}`, dataset: { status: String(r.status) } },
          TEST_STATUS_LABELS[r.status] || String(r.status))),
      h("td", { "data-label": "Provider's reason", class: "wrap" }, r.detail ? String(r.detail) : "–"),
      h("td", { "data-label": "Sample events", class: "num" },
        typeof r.sample_events === "number" ? formatNumber(r.sample_events) : "–")))))));
}
