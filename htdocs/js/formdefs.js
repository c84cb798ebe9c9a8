// Turns a catalog platform (GET /v1/platforms) into the field definitions the form
// renders (forms.js, credentials.js): the catalog says what is asked, this says how.

import { fileHints } from "./platforms.js";

/** Credential inputs in order; a choice (secret or certificate) comes before its alternatives. */
export function credentialDefinitions(spec) {
  const { choice, fields } = spec.credentials;
  const defs = [];
  for (const field of fields) {
    if (choice && field.alternative && !defs.some((d) => d.kind === "choice")) {
      defs.push({ name: choice.name, label: choice.label, kind: "choice", help: choice.help,
        options: choice.options.map((o) => [o.value, o.label]) });
    }
    defs.push(credentialDefinition(field, choice));
  }
  return defs;
}

function credentialDefinition(field, choice) {
  const def = { name: field.name, label: field.label, help: field.help, placeholder: field.placeholder || null,
    secret: field.secret, when: field.alternative && choice ? [choice.name, field.alternative] : null };
  if (!field.required && !field.alternative) def.label = `${field.label} (optional)`;
  if (field.kind === "text") return { ...def, kind: "text", autocomplete: "off" };
  // Browsers may offer to generate a required secret, never an optional one.
  if (field.kind === "secret") return { ...def, kind: "password", autocomplete: field.required ? "new-password" : "off" };
  return { ...def, kind: field.kind === "pem" ? "pem-file" : "json-file", ...fileHints(field) };
}

/** The credential field that holds a whole key document (GCP), if the platform has one. */
export function documentField(spec) {
  const fields = spec.credentials.fields;
  return fields.length === 1 && fields[0].kind === "file" ? fields[0].name : null;
}

/** Settings of one group ("collection" or "platform"), streams aside (they are checkboxes). */
export function settingDefinitions(spec, group) {
  return spec.settings.filter((s) => s.group === group && s.type !== "subset_of").map(settingDefinition);
}

function settingDefinition(setting) {
  const def = { name: setting.name, label: setting.label, help: helpText(setting), placeholder: setting.placeholder };
  switch (setting.type) {
    case "integer": return { ...def, kind: "int", min: setting.minimum, max: setting.maximum };
    case "url": return { ...def, kind: "url" };
    case "text_list": return { ...def, kind: "list" };
    case "one_of": {
      const fallback = setting.options.find((o) => o.value === setting.default);
      return { ...def, kind: "select", options: [["", fallback ? `Default (${fallback.label.toLowerCase()})` : "Default"],
        ...setting.options.map((o) => [o.value, o.label])] };
    }
    default: return { ...def, kind: "textarea" };
  }
}

/** The catalog's help as a sentence, with the default when there is one (a choice shows it as an option). */
function helpText(setting) {
  let text = setting.help ? `${setting.help[0].toUpperCase()}${setting.help.slice(1)}.` : "";
  if (setting.default !== null && setting.default !== undefined && setting.type !== "one_of") {
    text += ` Default: ${setting.default}.`;
  }
  return text.trim();
}
