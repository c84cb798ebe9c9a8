// Tiny DOM helpers. Text always goes in through textContent, never as HTML,
// so source names, errors and provider messages cannot inject markup.

/**
 * h("button", {type: "button", class: "x", onclick: fn, dataset: {id}}, "text", child…)
 * Attributes with value false/null/undefined are left out; true sets an empty attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name === "value") {
      el.value = value;
    } else if (name === "checked") {
      el.checked = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function byId(id) {
  return document.getElementById(id);
}

/** "2026-11-27T01:02:03.456Z" → "2026-11-27 01:02:03 UTC" inside a <time>. */
export function timeElement(value, empty = "never") {
  if (!value) return h("span", { class: "muted" }, empty);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return h("span", {}, value);
  return h("time", { datetime: value, title: `${relative(date)} (${date.toLocaleString()} local time)` },
    formatUTC(date));
}

export function formatUTC(date) {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function relative(date, now = new Date()) {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const [n, unit] = abs < 60 ? [abs, "s"] : abs < 3600 ? [Math.round(abs / 60), "min"]
    : abs < 172800 ? [Math.round(abs / 3600), "h"] : [Math.round(abs / 86400), "days"];
  return seconds >= 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

export function formatNumber(n) {
  return typeof n === "number" ? n.toLocaleString("en-US") : "–";
}
