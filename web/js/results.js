// results.js: a job's results (a table paged by offset, and the whole as CSV) and its
// crawl errors, as two panels of the job page.

import { el, clear, table, setNotice, text } from "./dom.js";
import { api } from "./session.js";
import { pager } from "./pager.js";

const PAGE_SIZES = [5, 20, 50, 100];
const ERRORS_MAX = 100;
const COLUMNS = [["url", "URL"], ["status_code", "HTTP status"], ["title", "Title"], ["depth", "Depth"],
  ["bytes", "Bytes"], ["fetch_ms", "Fetch ms"]];

export function section(id, title, ...children) {
  return el("section", { id, "aria-labelledby": id + "-title" }, el("h2", { id: id + "-title" }, title), ...children);
}

// path: "/api/v1/jobs/{id}". Returns {node, load(offset), reload(), shownTotal()}.
export function resultsPanel(path) {
  const st = { offset: 0, limit: 20, total: -1, gone: false };
  const msg = el("div");
  const box = el("div");
  const size = el("select", { id: "page-size", on: { change: () => { st.limit = Number(size.value); load(0); } } },
    PAGE_SIZES.map((n) => el("option", { value: String(n), selected: n === st.limit }, String(n))));
  const csv = el("button", { type: "button", id: "csv", class: "secondary", on: { click: download } }, "Download CSV");
  const nav = pager("results", () => load(Math.max(0, st.offset - st.limit)), () => load(st.offset + st.limit));
  const node = section("results", "Results",
    el("p", { class: "toolbar" }, el("label", { for: "page-size" }, "Rows per page"), size, " ", csv),
    msg, box, nav.node);

  async function load(offset) {
    try {
      const cols = COLUMNS.map((c) => c[0]).join(",");
      const r = await api(`${path}/results?offset=${offset}&limit=${st.limit}&columns=${cols}`);
      st.offset = r.offset;
      st.total = r.total;
      clear(box).append(r.items.length === 0 ? el("p", null, "No results yet.") :
        table("Results " + (r.offset + 1) + " to " + (r.offset + r.items.length) + " of " + r.total,
          COLUMNS.map((c) => c[1]), r.items, (it) => COLUMNS.map(([k]) =>
            k === "url" ? el("span", { class: "url" }, text(it.url)) : text(it[k]))));
      nav.set(r.total === 0 ? "No results" : `Rows ${r.offset + 1}–${r.offset + r.items.length} of ${r.total}`,
        r.offset > 0, r.next !== null && r.next !== undefined);
      setNotice(msg, "", "");
    } catch (e) {
      setNotice(msg, "error", e.message);
    }
  }

  // The CSV through fetch with the token in a header, handed to the browser as a file:
  // no token in a URL, and the API's own name for it. It is held in memory meanwhile.
  async function download() {
    csv.disabled = true;
    try {
      const resp = await api(path + "/results?format=csv", { raw: true, accept: "text/csv" });
      const blob = await resp.blob();
      const m = (resp.headers.get("Content-Disposition") || "").match(/filename="([A-Za-z0-9_.-]{1,100})"/);
      const name = m ? m[1] : "results.csv";
      const a = el("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      setNotice(msg, "info", `Downloaded ${name} (${blob.size} bytes).`);
    } catch (e) {
      setNotice(msg, "error", e.message);
    } finally {
      csv.disabled = false;
    }
  }

  return { node, load, reload: () => load(st.offset), shownTotal: () => st.total };
}

// The URLs a job did not store and why (the first ERRORS_MAX). Returns {node, load()}.
export function errorsPanel(path) {
  const box = el("div");
  const node = section("errors", "Crawl errors", box);
  async function load() {
    try {
      const r = await api(`${path}/errors?limit=${ERRORS_MAX}`);
      const what = r.total > r.items.length ? `The first ${r.items.length} of ${r.total} URLs not stored` :
        `${r.total} URL${r.total === 1 ? "" : "s"} not stored`;
      clear(box).append(r.items.length === 0 ? el("p", null, "No crawl errors.") :
        table(what, ["URL", "Kind", "HTTP status", "Message"], r.items,
          (it) => [el("span", { class: "url" }, text(it.url)), text(it.kind), text(it.status_code), text(it.message)]));
    } catch (e) {
      clear(box).append(el("p", { class: "notice error", role: "alert" }, e.message));
    }
  }
  return { node, load };
}
