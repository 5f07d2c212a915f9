// dom.js: building the page from API data. Text goes in with textContent only: no API
// value is ever parsed as HTML.

// el("tag", {attr: value, class: "x", on: {click: fn}}, child, "text", ...)
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "on") {
      for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    } else if (k === "class") {
      e.className = v;
    } else if (k in e && typeof v !== "string") {
      e[k] = v;                       // properties such as value, checked, max
    } else {
      e.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(e, children);
  return e;
}

export function append(parent, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

export function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
  return e;
}

export function text(v) {
  return v === null || v === undefined ? "" : String(v);
}

// A table with a caption, a header row and one row per item; cells(item) gives each
// row's cells as nodes or strings.
export function table(caption, heads, items, cells) {
  const thead = el("thead", null, el("tr", null, heads.map((h) => el("th", { scope: "col" }, h))));
  const tbody = el("tbody", null, items.map((it) => el("tr", null, cells(it).map((c) => el("td", null, c)))));
  return el("table", null, el("caption", null, caption), thead, tbody);
}

// A message line that screen readers announce: role=alert for errors, status otherwise.
export function notice(kind, message) {
  return el("p", { class: "notice " + kind, role: kind === "error" ? "alert" : "status" }, message);
}

export function setNotice(box, kind, message) {
  clear(box);
  if (message) box.appendChild(notice(kind, message));
}

export function time(iso) {
  return iso ? el("time", { datetime: iso }, iso.replace("T", " ").replace("Z", " UTC")) : "";
}

// A job's progress bar (a real <progress>: the role progressbar and its value come with it).
export function progressBar(label, pct) {
  const v = Math.max(0, Math.min(100, Number(pct) || 0));
  return el("span", { class: "bar" },
    el("progress", { max: 100, value: v, "aria-label": label }),
    el("span", { class: "pct", "aria-hidden": "true" }, v + "\u00a0%"));
}

export function setProgress(bar, pct) {
  const v = Math.max(0, Math.min(100, Number(pct) || 0));
  bar.querySelector("progress").value = v;
  bar.querySelector(".pct").textContent = v + "\u00a0%";
}

export function statusBadge(status) {
  return el("span", { class: "status s-" + (/^[a-z]+$/.test(status) ? status : "unknown") }, text(status));
}
