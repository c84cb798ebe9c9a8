// The admin page: sign-in, routing (#/, #/new, #/source/{id}, #/source/{id}/edit), actions.

import { Api, ApiError, replacementBody } from "./api.js";
import { storedToken, storeToken, clearToken, decodeToken, describeClaims, normalizeToken } from "./auth.js";
import { h, clear, byId, formatUTC, relative } from "./dom.js";
import { renderTable, nextSort, COLUMNS } from "./table.js";
import { renderDetails } from "./details.js";
import { sourceForm } from "./forms.js";
import { loadCatalog, forgetCatalog } from "./catalog.js";
import { renderTestResults } from "./results.js";

const api = new Api(storedToken);
const state = {
  claims: null,
  sources: [],
  sort: { key: "name", direction: "ascending" },
  loadedAt: null,
};

const VIEWS = ["view-sign-in", "view-sources", "view-details", "view-form"];

// ---------------------------------------------------------------- messages

function setStatus(text) {
  const el = byId("status");
  // Re-set even when unchanged, so screen readers announce a repeated message.
  el.textContent = "";
  if (text) window.setTimeout(() => { el.textContent = text; }, 20);
}

function showAlert(text) {
  const el = byId("alert");
  clear(el);
  if (!text) {
    el.hidden = true;
    return;
  }
  el.append(h("p", {}, text));
  el.hidden = false;
}

function clearMessages() {
  showAlert(null);
  byId("status").textContent = "";
}

/** What a failed call means to an operator. Returns true when it was handled (401). */
function explain(error, doing) {
  if (!(error instanceof ApiError)) {
    showAlert(`${doing} failed: ${error.message}`);
    return false;
  }
  if (error.status === 401) {
    signOut(`Your session ended: the API refused the token (${error.message}). Sign in with a new token.`);
    return true;
  }
  if (error.status === 403) {
    const roles = state.claims?.roles?.length ? state.claims.roles.join(", ") : "none";
    showAlert(`Your role cannot do this: ${doing} needs a role your token does not carry (your roles: ${roles}). `
      + `The API said: ${error.message}`);
    return false;
  }
  showAlert(`${doing} failed (${error.status || "no answer"}): ${error.message}`);
  return false;
}

// ---------------------------------------------------------------- sign-in

function showIdentity() {
  const box = byId("identity");
  if (!state.claims) {
    box.hidden = true;
    return;
  }
  const { tenant, roles, expiry } = state.claims;
  byId("role-note").hidden = roles.includes("admin");
  byId("identity-tenant").textContent = tenant || "(none in token)";
  byId("identity-roles").textContent = roles.length ? roles.join(", ") : "(none)";
  const expiryEl = byId("identity-expiry");
  clear(expiryEl);
  if (expiry) {
    expiryEl.append(h("time", { datetime: expiry.toISOString() }, `${formatUTC(expiry)} (${relative(expiry)})`));
  } else {
    expiryEl.textContent = "no expiry claim";
  }
  box.hidden = false;
}

function signOut(message) {
  clearToken();
  forgetCatalog();
  state.claims = null;
  state.sources = [];
  clear(byId("sources-body"));
  clear(byId("details-body"));
  clear(byId("source-form"));
  showIdentity();
  showView("view-sign-in");
  clearMessages();
  if (message) showAlert(message);
  else setStatus("Signed out. The token was removed from this browser tab.");
  const input = byId("token-input");
  input.value = "";
  input.focus();
}

function onSignIn(event) {
  event.preventDefault();
  const input = byId("token-input");
  const error = byId("token-error");
  error.hidden = true;
  input.removeAttribute("aria-invalid");
  const token = normalizeToken(input.value);
  let claims;
  try {
    if (!token) throw new Error("Paste a token first.");
    claims = describeClaims(decodeToken(token));
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  storeToken(token);
  state.claims = claims;
  input.value = "";
  clearMessages();
  showIdentity();
  route();
}

// ---------------------------------------------------------------- views

function showView(id) {
  for (const view of VIEWS) byId(view).hidden = view !== id;
}

function focusHeading(id) {
  const el = byId(id);
  if (el) el.focus({ preventScroll: false });
}

async function route() {
  if (!storedToken()) {
    showView("view-sign-in");
    return;
  }
  if (!state.claims) {
    try {
      state.claims = describeClaims(decodeToken(storedToken()));
    } catch {
      signOut("The stored token could not be read. Sign in again.");
      return;
    }
    showIdentity();
  }
  // Every view names platforms and builds forms from the catalog: it comes first.
  try {
    await loadCatalog(api);
  } catch (error) {
    explain(error, "Loading the platform catalog");
    return;
  }
  const hash = location.hash || "#/";
  let match;
  if (hash === "#/new") {
    showCreate();
  } else if ((match = hash.match(/^#\/source\/([^/]+)\/edit$/))) {
    await showEdit(decodeURIComponent(match[1]));
  } else if ((match = hash.match(/^#\/source\/([^/]+)$/))) {
    await showDetails(decodeURIComponent(match[1]));
  } else {
    showView("view-sources");
    await loadSources();
  }
}

// ---------------------------------------------------------------- sources table

async function loadSources({ announce = true } = {}) {
  const button = byId("refresh");
  button.disabled = true;
  byId("sources-wrap").setAttribute("aria-busy", "true");
  try {
    state.sources = await api.listSources();
    state.loadedAt = new Date();
    renderSources();
    bumpGeneration("sources-wrap");
    if (announce) setStatus(`Loaded ${state.sources.length} source${state.sources.length === 1 ? "" : "s"}.`);
  } catch (error) {
    explain(error, "Loading the sources");
  } finally {
    button.disabled = false;
    byId("sources-wrap").setAttribute("aria-busy", "false");
  }
}

// Auto-refresh: an operator watching sources recover need not press Refresh. A tick is
// skipped while the tab is hidden, the table is not shown, a load is running, or the
// keyboard focus is in the table (re-rendering would take it away).
let autoRefreshTimer = null;

function setAutoRefresh(on) {
  window.clearInterval(autoRefreshTimer);
  autoRefreshTimer = null;
  sessionStorage.setItem("siem.autoRefresh", on ? "1" : "0");
  if (!on) return;
  const interval = Number(byId("auto-refresh").dataset.intervalMs) || 30000;
  autoRefreshTimer = window.setInterval(() => {
    const table = byId("sources-table");
    if (document.visibilityState !== "visible" || byId("view-sources").hidden || byId("refresh").disabled
        || table.contains(document.activeElement)) return;
    loadSources({ announce: false });
  }, interval);
}

/** Counts renders of a region (data-generation), so scripts and tests can tell a fresh one. */
function bumpGeneration(id) {
  const el = byId(id);
  el.dataset.generation = String(Number(el.dataset.generation || 0) + 1);
}

function renderSources(focusSortKey) {
  renderTable({
    head: byId("sources-head"),
    body: byId("sources-body"),
    sources: state.sources,
    sort: state.sort,
    onSort: (key) => {
      state.sort = nextSort(state.sort, key);
      renderSources(key);
      const label = COLUMNS.find((c) => c.key === key)?.label || key;
      setStatus(`Sorted by ${label.toLowerCase()}, ${state.sort.direction}.`);
    },
    actions: rowActions,
  });
  byId("sources-empty").hidden = state.sources.length > 0;
  byId("sources-meta").textContent = state.loadedAt
    ? `${state.sources.length} source${state.sources.length === 1 ? "" : "s"} · loaded ${formatUTC(state.loadedAt)}`
    : "";
  if (focusSortKey) byId("sources-head").querySelector(`button[data-sort-key="${focusSortKey}"]`)?.focus();
}

function rowActions(source) {
  return actionButtons(source, { inTable: true });
}

function actionButtons(source, { inTable }) {
  const name = source.source_name;
  const button = (action, text, handler, cls = "secondary") => h("button",
    { type: "button", class: `${cls} small`, dataset: { action }, "aria-label": inTable ? `${text}: ${name}` : null,
      onclick: handler }, text);
  const link = (action, text, href) => h("a", { href, class: "button secondary small", dataset: { action },
    "aria-label": inTable ? `${text}: ${name}` : null }, text);
  const id = encodeURIComponent(source.source_id);
  return [
    link("edit", "Edit", `#/source/${id}/edit`),
    button("toggle", source.is_enabled ? "Disable" : "Enable", () => toggleEnabled(source)),
    button("poll-now", "Poll now", () => pollNow(source)),
    button("test", "Test", () => testSource(source, inTable)),
    button("delete", "Delete", () => deleteSource(source), "danger"),
  ];
}

async function afterChange() {
  // Re-read so every figure is the API's, not a local guess.
  if (location.hash.startsWith("#/source/")) await route();
  else await loadSources({ announce: false });
}

async function toggleEnabled(source) {
  const enable = !source.is_enabled;
  try {
    await api.replaceSource(source.source_id, replacementBody(source, { is_enabled: enable }));
    showAlert(null);
    setStatus(enable ? `${source.source_name} enabled; its failure count was reset.`
      : `${source.source_name} disabled; the poller skips it until it is enabled again.`);
    await afterChange();
  } catch (error) {
    explain(error, enable ? "Enabling the source" : "Disabling the source");
  }
}

async function pollNow(source) {
  try {
    const updated = await api.pollNow(source.source_id);
    showAlert(null);
    setStatus(`${source.source_name} is due now: the poller collects it on its next run`
      + (updated?.next_poll_time ? ` (next poll ${formatUTC(new Date(updated.next_poll_time))}).` : "."));
    await afterChange();
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      showAlert(`${source.source_name} cannot be polled now: ${error.message}.`);
      return;
    }
    explain(error, "Poll now");
  }
}

async function testSource(source, fromTable) {
  if (fromTable) {
    // Results are shown in the source's details view.
    location.hash = `#/source/${encodeURIComponent(source.source_id)}`;
    if (!(await waitForDetails(source.source_id))) return;
  }
  const container = byId("details-test-results");
  clear(container).append(h("p", {}, `Testing ${source.source_name}…`));
  setStatus(`Testing ${source.source_name}…`);
  try {
    const data = await api.testSource(source.source_id);
    renderTestResults(container, data, `Connection test of ${source.source_name}`);
    setStatus(`Test of ${source.source_name}: ${data.ok ? "passed" : "failed"}.`);
  } catch (error) {
    clear(container);
    explain(error, "Testing the source");
  }
}

let detailsShown = null;
/** Resolves once the details of `id` are on screen; false if they did not come within 15 s. */
function waitForDetails(id) {
  const deadline = Date.now() + 15000;
  return new Promise((resolve) => {
    const check = () => {
      if (detailsShown === id) resolve(true);
      else if (Date.now() > deadline || !location.hash.startsWith("#/source/")) resolve(false);
      else window.setTimeout(check, 30);
    };
    check();
  });
}

async function deleteSource(source) {
  const confirmed = await confirmDialog({
    title: `Delete ${source.source_name}?`,
    text: `The source "${source.source_name}" (${source.platform}) and its checkpoints are removed; the poller stops `
      + "collecting it. Events already in Kafka stay. This cannot be undone.",
    confirm: "Delete source",
  });
  if (!confirmed) {
    setStatus("Nothing was deleted.");
    return;
  }
  try {
    await api.deleteSource(source.source_id);
    showAlert(null);
    setStatus(`Deleted ${source.source_name}.`);
    if (location.hash.startsWith("#/source/")) location.hash = "#/";
    else await loadSources({ announce: false });
  } catch (error) {
    explain(error, "Deleting the source");
  }
}

/** A modal <dialog>: resolves true on confirm, false on cancel or Escape. */
function confirmDialog({ title, text, confirm }) {
  const dialog = byId("confirm-dialog");
  byId("confirm-title").textContent = title;
  byId("confirm-text").textContent = text;
  const ok = byId("confirm-ok");
  const cancel = byId("confirm-cancel");
  ok.textContent = confirm;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const finish = (result) => {
      ok.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      if (dialog.open) dialog.close();
      if (opener && document.contains(opener)) opener.focus();
      resolve(result);
    };
    const onOk = () => finish(true);
    const onCancel = (event) => {
      event.preventDefault();
      finish(false);
    };
    ok.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    cancel.focus(); // the safe choice has the focus
  });
}

// ---------------------------------------------------------------- details

async function showDetails(id) {
  detailsShown = null;
  showView("view-details");
  const heading = byId("details-heading");
  heading.textContent = "Loading…";
  clear(byId("details-actions"));
  clear(byId("details-body"));
  try {
    const source = await api.getSource(id);
    heading.textContent = source.source_name;
    document.title = `${source.source_name} – SIEM collector`;
    byId("details-actions").append(...actionButtons(source, { inTable: false }));
    renderDetails(byId("details-body"), source, { onRewind: (stream, watermark) => rewind(source, stream, watermark) });
    detailsShown = id;
    bumpGeneration("details-body");
    focusHeading("details-heading");
  } catch (error) {
    heading.textContent = "Source not available";
    if (!explain(error, "Loading the source") && error.status === 404) {
      showAlert("This source does not exist (or belongs to another tenant). It may have been deleted.");
    }
  }
}

async function rewind(source, stream, watermark) {
  const when = formatUTC(new Date(watermark));
  const confirmed = await confirmDialog({
    title: `Rewind ${stream}?`,
    text: `The poller collects "${stream}" of ${source.source_name} again from ${when}. Events after that time are `
      + "sent to Kafka again, so the SIEM may see duplicates (same event ids).",
    confirm: "Rewind",
  });
  if (!confirmed) {
    setStatus("The checkpoint was not changed.");
    return;
  }
  try {
    await api.rewind(source.source_id, stream, watermark);
    showAlert(null);
    setStatus(`${stream} of ${source.source_name} rewound to ${when}.`);
    await showDetails(source.source_id);
  } catch (error) {
    if (error instanceof ApiError && error.fieldErrors.length) {
      showAlert(`Rewind failed: ${error.fieldErrors.map((e) => `${e.field} ${e.message}`).join("; ")}`);
      return;
    }
    explain(error, "Rewinding the checkpoint");
  }
}

// ---------------------------------------------------------------- create / edit

function showCreate() {
  showView("view-form");
  byId("form-heading").textContent = "New source";
  document.title = "New source – SIEM collector";
  sourceForm(byId("source-form"), {
    mode: "create",
    onSubmit: async (body, form) => {
      form.setBusy(true);
      try {
        const created = await api.createSource(body);
        clear(byId("source-form")); // typed secrets leave the page
        setStatus(`Created ${created.source_name}.`);
        showAlert(null);
        location.hash = `#/source/${encodeURIComponent(created.source_id)}`;
      } catch (error) {
        formError(error, form, "Creating the source");
      } finally {
        form.setBusy(false);
      }
    },
    onTest: (body, hasCredentials, form) => runDraftTest(body, hasCredentials, form, null),
    onCancel: () => { location.hash = "#/"; },
  });
  focusHeading("form-heading");
}

async function showEdit(id) {
  showView("view-form");
  const heading = byId("form-heading");
  heading.textContent = "Loading…";
  clear(byId("source-form"));
  let source;
  try {
    source = await api.getSource(id);
  } catch (error) {
    heading.textContent = "Source not available";
    explain(error, "Loading the source");
    return;
  }
  heading.textContent = `Edit ${source.source_name}`;
  document.title = `Edit ${source.source_name} – SIEM collector`;
  sourceForm(byId("source-form"), {
    mode: "edit",
    source,
    onSubmit: async (body, form) => {
      form.setBusy(true);
      try {
        // Without typed credentials body has no api_credentials_json: the stored ones are kept.
        const updated = await api.replaceSource(source.source_id, body);
        clear(byId("source-form"));
        setStatus(`Saved ${updated.source_name}${body.api_credentials_json ? " with new credentials" : ""}.`);
        showAlert(null);
        location.hash = `#/source/${encodeURIComponent(source.source_id)}`;
      } catch (error) {
        formError(error, form, "Saving the source");
      } finally {
        form.setBusy(false);
      }
    },
    onTest: (body, hasCredentials, form) => runDraftTest(body, hasCredentials, form, source),
    onCancel: () => { location.hash = `#/source/${encodeURIComponent(source.source_id)}`; },
  });
  focusHeading("form-heading");
}

function formError(error, form, doing) {
  if (error instanceof ApiError && (error.status === 400 || error.status === 409) ) {
    form.showErrors(error.fieldErrors, error.fieldErrors.length ? null : `${doing} failed: ${error.message}`);
    setStatus(`${doing} failed: ${error.fieldErrors.length || 1} problem${error.fieldErrors.length > 1 ? "s" : ""}.`);
    return;
  }
  if (error instanceof ApiError && error.status !== 401 && error.status !== 403) {
    form.showErrors([], `${doing} failed (${error.status || "no answer"}): ${error.message}`);
    return;
  }
  explain(error, doing);
}

async function runDraftTest(body, hasCredentials, form, stored) {
  form.setBusy(true);
  form.clearTestResults();
  setStatus("Testing the connection…");
  try {
    // Editing without new credentials: test what is stored (the saved settings and credentials).
    const useStored = Boolean(stored && !hasCredentials);
    const data = useStored ? await api.testSource(stored.source_id) : await api.testDraft(body);
    form.showTestResults(data, useStored ? "Connection test (saved settings and credentials)" : "Connection test");
    setStatus(`Connection test ${data.ok ? "passed" : "failed"}.`);
  } catch (error) {
    formError(error, form, "The connection test");
  } finally {
    form.setBusy(false);
  }
}

// ---------------------------------------------------------------- start

function start() {
  byId("sign-in-form").addEventListener("submit", onSignIn);
  byId("sign-out").addEventListener("click", () => signOut());
  byId("refresh").addEventListener("click", () => loadSources());
  const autoRefresh = byId("auto-refresh");
  autoRefresh.checked = sessionStorage.getItem("siem.autoRefresh") === "1";
  autoRefresh.addEventListener("change", () => setAutoRefresh(autoRefresh.checked));
  setAutoRefresh(autoRefresh.checked);
  window.addEventListener("hashchange", () => {
    clearMessagesOnNavigation();
    route();
  });
  route();
}

function clearMessagesOnNavigation() {
  showAlert(null);
}

start();
