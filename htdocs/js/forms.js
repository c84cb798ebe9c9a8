// The create/edit form: platform-specific credential and setting fields, the request
// body it makes, and API field errors shown next to their inputs.

import { h, clear } from "./dom.js";
import { applyChoices, credentialField, credentialValues } from "./credentials.js";
import { field, errorElement } from "./fields.js";
import { intervalRules, platformSpec, platforms } from "./catalog.js";
import { credentialDefinitions, documentField, settingDefinitions } from "./formdefs.js";
import { renderTestResults } from "./results.js";

const GENERAL = "general";

/**
 * Builds the form into `form` and returns a controller.
 * @param {HTMLFormElement} form
 * @param {{mode: "create"|"edit", source?: object, onSubmit: Function, onTest: Function, onCancel: Function}} options
 */
export function sourceForm(oldForm, options) {
  const { mode, source } = options;
  const state = { platform: source ? source.platform : platforms()[0].name };
  const interval = intervalRules();
  // A fresh <form> each time: listeners of an earlier render must not fire on this one.
  const form = oldForm.cloneNode(false);
  oldForm.replaceWith(form);

  const errorBox = h("div", { id: "form-errors", class: "form-errors", role: "alert", tabindex: "-1", hidden: true });

  const platformSelect = h("select", { id: "f-platform", name: "platform" },
    platforms().map((p) => h("option", { value: p.name }, p.label)));
  platformSelect.value = state.platform;

  const nameInput = h("input", { id: "f-source_name", name: "source_name", type: "text", maxlength: "200",
    required: true, autocomplete: "off",
    value: source ? source.source_name : "" });
  const intervalInput = h("input", { id: "f-polling_interval_minutes", name: "polling_interval_minutes",
    type: "number", min: String(interval.minimum), max: String(interval.maximum), step: "1", inputmode: "numeric",
    value: String(source ? source.polling_interval_minutes : interval.default) });
  const enabledInput = h("input", { id: "f-is_enabled", name: "is_enabled", type: "checkbox",
    "aria-describedby": "f-is_enabled-error", checked: source ? source.is_enabled : true });

  const general = h("fieldset", {},
    h("legend", {}, "Source"),
    field("f-platform", "Platform", platformSelect,
      mode === "edit" ? "Changing the platform needs new credentials." : ""),
    field("f-source_name", "Name", nameInput, "Unique in your tenant, 1 to 200 characters."),
    field("f-polling_interval_minutes", "Polling interval (minutes)", intervalInput,
      `${interval.minimum} to ${interval.maximum}. Default ${interval.default}.`),
    h("div", { class: "field checkbox" }, enabledInput,
      h("label", { for: "f-is_enabled" }, "Enabled (polled on schedule)"),
      errorElement("f-is_enabled")));

  const credentials = h("fieldset", { id: "f-credentials" });
  const collection = h("fieldset", { id: "f-collection" });
  const endpoints = h("fieldset", { id: "f-endpoints" });
  const results = h("div", { id: "form-test-results", class: "test-results", "aria-live": "polite" });

  const saveButton = h("button", { type: "submit", class: "primary", id: "form-save" },
    mode === "edit" ? "Save changes" : "Create source");
  const testButton = h("button", { type: "button", class: "secondary", id: "form-test" }, "Test connection");
  const cancelButton = h("button", { type: "button", class: "secondary", id: "form-cancel" }, "Cancel");

  form.append(errorBox, general, credentials, collection, endpoints,
    h("div", { class: "actions" }, saveButton, testButton, cancelButton), results);

  /** The platform's form definitions, from the catalog. */
  function definitions() {
    const spec = platformSpec(state.platform);
    return { spec, credentials: credentialDefinitions(spec), collection: settingDefinitions(spec, "collection"),
      endpoints: settingDefinitions(spec, "platform"), streams: spec.streams.map((s) => [s.name, s.label]) };
  }

  function renderPlatformParts(values) {
    const spec = definitions();
    const showChosen = () => applyChoices(credentials, spec.credentials);
    clear(credentials).append(h("legend", {}, "Credentials"), errorElement("f-credentials"),
      h("p", { class: "help", id: "f-credentials-help" }, mode === "edit"
        ? `Stored credentials are kept unless you type new ones here (fingerprint ${
          source.credentials?.fingerprint || "unknown"}). To replace them, fill in all the fields.`
        : "Sent once over HTTPS and stored encrypted; the API never shows them again."),
      ...spec.credentials.map((def) => credentialField(def, showChosen)));
    showChosen();

    const settings = values || {};
    const chosen = Array.isArray(settings.streams) && settings.streams.length ? settings.streams : null;
    const streamBoxes = h("fieldset", { id: "f-streams", class: "checkbox-group", "aria-describedby": "f-streams-error" },
      h("legend", {}, "Streams (log types) to collect"),
      spec.streams.map(([stream, label]) => h("div", { class: "field checkbox" },
        h("input", { type: "checkbox", id: `f-stream-${stream}`, name: "streams", value: stream,
          checked: chosen ? chosen.includes(stream) : true }),
        h("label", { for: `f-stream-${stream}` }, `${label} `, h("code", {}, stream)))),
      errorElement("f-streams"));
    clear(collection).append(h("legend", {}, "Collection"), streamBoxes,
      ...spec.collection.map((def) => settingField(def, settings[def.name])));

    clear(endpoints).append(h("legend", {}, "Endpoints (optional overrides)"),
      ...spec.endpoints.map((def) => settingField(def, settings[def.name])));
  }

  // On a platform change keep what applies to both (the common settings), drop the rest.
  platformSelect.addEventListener("change", () => {
    const kept = {};
    for (const def of definitions().collection) {
      const input = form.querySelector(`#f-settings-${def.name}`);
      if (input && input.value !== "") kept[def.name] = input.value;
    }
    state.platform = platformSelect.value;
    renderPlatformParts(kept);
    clearErrors();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const draft = collect();
    if (draft) options.onSubmit(draft.body, controller);
  });
  testButton.addEventListener("click", () => {
    const draft = collect();
    if (draft) options.onTest(draft.body, draft.hasCredentials, controller);
  });
  cancelButton.addEventListener("click", () => options.onCancel());

  function collect() {
    clearErrors();
    const spec = definitions();
    const body = {
      platform: state.platform,
      source_name: nameInput.value,
      is_enabled: enabledInput.checked,
    };
    if (intervalInput.value.trim() !== "") body.polling_interval_minutes = integerOrRaw(intervalInput.value);

    const settings = {};
    for (const def of [...spec.collection, ...spec.endpoints]) {
      const input = form.querySelector(`#f-settings-${def.name}`);
      const value = settingValue(def, input.value);
      if (value !== undefined) settings[def.name] = value;
    }
    const checked = [...form.querySelectorAll('input[name="streams"]')].filter((b) => b.checked).map((b) => b.value);
    // All boxes ticked means "every stream of the platform", the API's default (new streams included).
    if (checked.length !== spec.streams.length) settings.streams = checked;
    body.settings = settings;

    const localErrors = [];
    const creds = credentialValues(credentials, spec.credentials, localErrors);
    if (localErrors.length) {
      showErrors(localErrors);
      return null;
    }
    if (creds) body.api_credentials_json = creds;
    return { body, hasCredentials: Boolean(creds) };
  }

  function clearErrors() {
    errorBox.hidden = true;
    clear(errorBox);
    for (const el of form.querySelectorAll(".field-error")) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  /** Shows API (or local) field errors next to their inputs; the rest in the box on top. */
  function showErrors(fieldErrors, generalMessage) {
    clearErrors();
    const unplaced = [];
    let first = null;
    for (const error of fieldErrors) {
      const target = targetFor(error.field, state.platform);
      const errorEl = target.id === GENERAL ? null : form.querySelector(`#${target.id}-error`);
      if (!errorEl) {
        unplaced.push(`${error.field}: ${error.message}`);
        continue;
      }
      const text = `${target.prefix}${error.message}`;
      errorEl.textContent = errorEl.textContent ? `${errorEl.textContent} ${text}` : text;
      errorEl.hidden = false;
      const input = form.querySelector(`#${target.id}`);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
    }
    if (generalMessage || unplaced.length) {
      errorBox.append(h("p", {}, generalMessage || "The source was not saved:"));
      if (unplaced.length) errorBox.append(h("ul", {}, unplaced.map((t) => h("li", {}, t))));
      errorBox.hidden = false;
    }
    // The first invalid control in reading order gets the focus (else the box on top).
    const focusTarget = form.querySelector('[aria-invalid="true"]') || first || (errorBox.hidden ? null : errorBox);
    if (focusTarget) focusTarget.focus();
  }

  function setBusy(busy) {
    for (const b of [saveButton, testButton]) b.disabled = busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  renderPlatformParts(source ? source.settings : {});
  const controller = {
    showErrors,
    clearErrors,
    setBusy,
    showTestResults(data, title) { renderTestResults(results, data, title); },
    clearTestResults() { clear(results); },
    get platform() { return state.platform; },
  };
  return controller;
}

function settingField(def, value) {
  const id = `f-settings-${def.name}`;
  let input;
  if (def.kind === "select") {
    input = h("select", { id, name: def.name },
      def.options.map(([v, label]) => h("option", { value: v }, label)));
    input.value = typeof value === "string" ? value : "";
  } else if (def.kind === "list" || def.kind === "textarea") {
    input = h("textarea", { id, name: def.name, rows: "3", spellcheck: "false" });
    input.value = Array.isArray(value) ? value.join("\n") : value === undefined || value === null ? "" : String(value);
  } else {
    const numeric = def.kind === "int";
    input = h("input", { id, name: def.name, type: numeric ? "number" : def.kind === "url" ? "url" : "text",
      min: numeric ? String(def.min) : null, max: numeric ? String(def.max) : null, step: numeric ? "1" : null,
      inputmode: numeric ? "numeric" : null, placeholder: def.placeholder || null, autocomplete: "off",
      spellcheck: "false" });
    input.value = value === undefined || value === null ? "" : String(value);
  }
  return field(id, def.label, input, def.help || "");
}

/** Which element shows an API error about `field`, and a prefix naming a sub-field if needed. */
export function targetFor(fieldName, platform) {
  const spec = platformSpec(platform);
  if (["platform", "source_name", "polling_interval_minutes", "is_enabled"].includes(fieldName)) {
    return { id: `f-${fieldName}`, prefix: "" };
  }
  if (fieldName === "settings.streams") return { id: "f-streams", prefix: "" };
  if (fieldName.startsWith("settings.")) {
    const name = fieldName.slice("settings.".length);
    const known = spec && spec.settings.some((d) => d.name === name && d.type !== "subset_of");
    return known ? { id: `f-settings-${name}`, prefix: "" } : { id: GENERAL, prefix: "" };
  }
  if (fieldName === "api_credentials_json") return { id: "f-credentials", prefix: "" };
  if (fieldName.startsWith("api_credentials_json.")) {
    const name = fieldName.slice("api_credentials_json.".length);
    const documentName = spec && documentField(spec);
    if (documentName) {
      // The key is one JSON document: name the member the API complains about.
      return { id: `f-cred-${documentName}`, prefix: name === documentName ? "" : `${name}: ` };
    }
    const known = spec && spec.credentials.fields.some((d) => d.name === name);
    return known ? { id: `f-cred-${name}`, prefix: "" } : { id: "f-credentials", prefix: `${name}: ` };
  }
  return { id: GENERAL, prefix: "" };
}

function integerOrRaw(text) {
  const trimmed = text.trim();
  // Anything but a plain integer goes as typed, so the API's message names the problem.
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function settingValue(def, raw) {
  if (def.kind === "list") {
    const items = raw.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
    return items.length ? items : undefined;
  }
  if (raw.trim() === "") return undefined;
  if (def.kind === "int") return integerOrRaw(raw);
  if (def.kind === "url") return raw.trim();
  return raw;
}
