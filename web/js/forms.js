// forms.js: a project page's two forms: start a crawl of some of its targets (with
// optional results per target and delay), and add a target by its start URL.

import { el, clear, setNotice, text } from "./dom.js";
import { api } from "./session.js";

export function jobHref(id) {
  return "#/jobs/" + encodeURIComponent(id);
}

export function fillTargets(box, items) {
  const keep = new Set([...box.querySelectorAll("input:checked")].map((i) => i.value));
  clear(box).append(el("legend", null, "Targets to crawl"));
  if (items.length === 0) box.append(el("p", null, "This project has no targets yet."));
  items.forEach((t, i) => {
    const id = "t-" + i;
    box.append(el("div", { class: "check" },
      el("input", { type: "checkbox", id, name: "target", value: t.id, checked: keep.has(t.id),
        disabled: !t.enabled }),
      el("label", { for: id }, text(t.name || t.url), " ", el("span", { class: "muted" }, text(t.url)),
        t.enabled ? "" : " (disabled)")));
  });
}

function numberField(id, label, min, max, hint) {
  return el("p", null, el("label", { for: id }, label),
    el("input", { id, type: "number", min, max, step: 1, inputmode: "numeric", "aria-describedby": id + "-hint" }),
    el("span", { id: id + "-hint", class: "hint" }, hint));
}

export function crawlForm(base, project, created) {
  const msg = el("div", { id: "crawl-msg" });
  const form = el("form", { id: "crawl", "aria-labelledby": "crawl-title" },
    el("h2", { id: "crawl-title" }, "Start a crawl"),
    el("fieldset", { id: "crawl-targets" }, el("legend", null, "Targets to crawl")),
    numberField("crawl-max", "Results per target", 1, project.max_results_per_target,
      `optional, up to ${project.max_results_per_target}`),
    numberField("crawl-delay", "Delay between requests to a host (ms)", 0, 600000, "optional, 0 to 600000"),
    el("p", null, el("button", { type: "submit" }, "Start crawl")), msg);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { target_ids: [...form.querySelectorAll("input[name=target]:checked")].map((i) => i.value) };
    const max = form.querySelector("#crawl-max").value, delay = form.querySelector("#crawl-delay").value;
    if (max !== "") body.max_results_per_target = Number(max);
    if (delay !== "") body.config = { delay: Number(delay) };
    const button = form.querySelector("button");
    button.disabled = true;
    setNotice(msg, "info", "Starting the crawl…");
    try {
      const job = await api(base + "/jobs", { method: "POST", body });
      clear(msg).append(el("p", { class: "notice info", role: "status" }, "Started job ",
        el("a", { href: jobHref(job.id) }, text(job.id)), "."));
      created();
    } catch (e) {
      setNotice(msg, "error", e.message);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export function targetForm(base, added) {
  const msg = el("div", { id: "target-msg" });
  const url = el("input", { id: "target-url", type: "url", required: true, maxlength: 2048,
    placeholder: "https://example.org/" });
  const name = el("input", { id: "target-name", maxlength: 200 });
  const form = el("form", { id: "add-target", "aria-labelledby": "target-title" },
    el("h2", { id: "target-title" }, "Add a target"),
    el("p", null, el("label", { for: "target-url" }, "Start URL"), url),
    el("p", null, el("label", { for: "target-name" }, "Name (optional)"), name),
    el("p", null, el("button", { type: "submit" }, "Add target")), msg);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { url: url.value.trim() };
    if (name.value.trim() !== "") body.name = name.value.trim();
    try {
      const t = await api(base + "/targets", { method: "POST", body });
      setNotice(msg, "info", "Added target " + t.url + ".");
      url.value = name.value = "";
      added();
    } catch (e) {
      setNotice(msg, "error", e.message);
    }
  });
  return form;
}
