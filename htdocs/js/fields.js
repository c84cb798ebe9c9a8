// One labelled form field: label, control, help text and the place its error appears,
// tied together with aria-describedby so screen readers read all three.

import { h } from "./dom.js";

export function field(id, labelText, input, helpText) {
  input.setAttribute("aria-describedby", helpText ? `${id}-help ${id}-error` : `${id}-error`);
  return h("div", { class: "field" },
    h("label", { for: id }, labelText), input,
    helpText ? h("p", { id: `${id}-help`, class: "help" }, helpText) : null,
    errorElement(id));
}

export function errorElement(id) {
  return h("p", { id: `${id}-error`, class: "field-error", hidden: true });
}
