// The credential part of the create/edit form: inputs per platform (text, secrets, a JSON key
// or PEM texts pasted or loaded from a file, a choice between alternatives) and the
// api_credentials_json they make. Secrets are never prefilled: the API never gives them back.

import { h } from "./dom.js";
import { field } from "./fields.js";

/** The input (or group) for one credential definition of platforms.js. */
export function credentialField(def, onChoice) {
  const id = `f-cred-${def.name}`;
  if (def.kind === "choice") return choiceField(def, id, onChoice);
  if (def.kind === "json-file" || def.kind === "pem-file") return fileBackedField(def, id);
  const input = h("input", { id, name: def.name, type: def.kind === "password" ? "password" : "text",
    autocomplete: def.autocomplete || "off", spellcheck: "false", placeholder: def.placeholder || null,
    class: def.kind === "password" ? "secret" : null });
  return shownWhen(def, field(id, def.label, input, def.help));
}

/** Shows the fields of the chosen alternative and hides the others (hidden ones are not sent). */
export function applyChoices(container, definitions) {
  for (const def of definitions.filter((d) => d.kind === "choice")) {
    const chosen = container.querySelector(`input[name="${def.name}"]:checked`)?.value;
    for (const el of container.querySelectorAll(`[data-when-${def.name}]`)) {
      el.hidden = el.getAttribute(`data-when-${def.name}`) !== chosen;
    }
  }
}

/**
 * The api_credentials_json of the form, or null when no credential field was filled in
 * (on edit: keep what is stored). Problems found before sending go to `localErrors`.
 */
export function credentialValues(container, definitions, localErrors) {
  const values = {};
  for (const def of definitions) {
    if (def.kind === "choice") continue;
    const input = container.querySelector(`#f-cred-${def.name}`);
    if (!input || input.closest("[hidden]")) continue;
    if (def.kind === "json-file") return jsonKey(input, def, localErrors);
    // Secrets and PEM texts go exactly as typed or loaded; ids and regions lose stray spaces.
    const raw = input.value;
    const value = def.kind === "password" || def.kind === "pem-file" ? raw : raw.trim();
    if (value.trim() !== "") values[def.name] = value;
  }
  return Object.keys(values).length ? values : null;
}

function jsonKey(textarea, def, localErrors) {
  const text = textarea.value.trim();
  if (!text) return null;
  try {
    const parsed = JSON.parse(text);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    return parsed;
  } catch (error) {
    localErrors.push({ field: `api_credentials_json.${def.name}`,
      message: `is not valid JSON (${error.message}). Paste the whole key file.` });
    return null;
  }
}

function choiceField(def, id, onChoice) {
  const options = def.options.map(([value, label], index) => {
    const optionId = `${id}-${value}`;
    const radio = h("input", { type: "radio", id: optionId, name: def.name, value, checked: index === 0 });
    radio.addEventListener("change", onChoice);
    return h("div", { class: "field checkbox" }, radio, h("label", { for: optionId }, label));
  });
  return h("fieldset", { id, class: "checkbox-group", "aria-describedby": `${id}-help` },
    h("legend", {}, def.label), ...options, h("p", { id: `${id}-help`, class: "help" }, def.help));
}

/** A textarea for a pasted document, with a file input that loads one into it. */
function fileBackedField(def, id) {
  const textarea = h("textarea", { id, name: def.name, rows: def.kind === "pem-file" ? "5" : "6",
    spellcheck: "false", autocomplete: "off", class: def.secret || def.kind === "json-file" ? "secret" : null,
    placeholder: def.placeholder || null });
  const fileId = `${id}-file`;
  const status = h("p", { id: `${fileId}-status`, class: "help", "aria-live": "polite" });
  const fileInput = h("input", { id: fileId, type: "file", accept: def.accept,
    "aria-describedby": `${fileId}-status` });
  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    if (file.size > 32 * 1024) {
      status.textContent = `${file.name} is too large (over 32 KiB) for ${def.fileWhat}.`;
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      textarea.value = String(reader.result);
      status.textContent = `Loaded ${file.name}${summary(def.kind, textarea.value)}.`;
    });
    reader.addEventListener("error", () => { status.textContent = `Could not read ${file.name}.`; });
    reader.readAsText(file);
  });
  const block = field(id, def.label, textarea, def.help);
  block.append(h("div", { class: "field file" }, h("label", { for: fileId }, def.fileLabel), fileInput, status));
  return shownWhen(def, block);
}

/** What a loaded file turned out to hold, without repeating any of it but public names. */
function summary(kind, text) {
  if (kind === "pem-file") {
    const match = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
    return match ? ` (${match[1].toLowerCase()})` : " (no PEM block found)";
  }
  try {
    const key = JSON.parse(text);
    return key.client_email ? ` (${key.client_email})` : "";
  } catch {
    return " (not valid JSON)";
  }
}

/** Marks a field that belongs to one alternative of a choice (see applyChoices). */
function shownWhen(def, element) {
  if (def.when) element.setAttribute(`data-when-${def.when[0]}`, def.when[1]);
  return element;
}
