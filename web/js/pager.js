// pager.js: "Previous" and "Next" buttons with a line that says where the reader is.

import { el } from "./dom.js";

export function pager(name, onPrev, onNext) {
  const where = el("span", { class: "where", "aria-live": "polite" });
  const prev = el("button", { type: "button", class: "secondary", on: { click: onPrev } }, "Previous");
  const next = el("button", { type: "button", class: "secondary", on: { click: onNext } }, "Next");
  prev.setAttribute("aria-label", "Previous page of " + name);
  next.setAttribute("aria-label", "Next page of " + name);
  const node = el("nav", { class: "pager", "aria-label": name + " pages" }, prev, " ", where, " ", next);
  return {
    node,
    set(text, hasPrev, hasNext) {
      where.textContent = text;
      prev.disabled = !hasPrev;
      next.disabled = !hasNext;
    },
  };
}
