// project.js: the projects list, and one project's page: its targets, a form to start a
// crawl, a form to add a target, and its jobs with a live progress bar each (the
// project's event stream).

import { el, clear, table, setNotice, text, time, progressBar, setProgress, statusBadge } from "./dom.js";
import { api } from "./session.js";
import { watch } from "./events.js";
import { pager } from "./pager.js";
import { crawlForm, targetForm, fillTargets, jobHref } from "./forms.js";

const JOBS_PER_PAGE = 20;
const PROJECTS_PER_PAGE = 50;
const POLL_MS = 3000;             // the job list's reload while its event stream is down
const TARGETS_MAX = 100;          // the crawl form lists a project's first 100 targets

function heading(root, title) {
  const h = el("h1", { tabindex: "-1" }, title);
  root.appendChild(h);
  h.focus();
  return h;
}

// --- #/ -------------------------------------------------------------------------------

export function projectsView(root) {
  heading(root, "Projects");
  const msg = el("div");
  const list = el("div", { "aria-busy": "true" });
  let gone = false;
  let current = 1;
  const projectsPager = pager("projects", () => load(current - 1), () => load(current + 1));
  root.append(msg, list);

  // A server administrator (or anyone in many projects) pages through them.
  async function load(page) {
    try {
      const r = await api(`/api/v1/projects?per_page=${PROJECTS_PER_PAGE}&page=${Math.max(1, page)}`);
      if (gone) return;
      current = r.page;
      list.removeAttribute("aria-busy");
      clear(list);
      setNotice(msg, "", "");
      if (r.total === 0) {
        list.append(el("p", null, "You are a member of no project yet. A server administrator adds you with ",
          el("code", null, "scrapeqctl member add"), "."));
        return;
      }
      list.append(table("Your projects", ["Project", "Your role", "Workspace", "Created"], r.items, (p) => [
        el("a", { href: "#/projects/" + encodeURIComponent(p.id) }, text(p.name)),
        text(p.role), text(p.workspace_id), time(p.created_at)]));
      if (r.pages > 1) {
        list.append(projectsPager.node);
        projectsPager.set(`Page ${r.page} of ${r.pages} (${r.total} projects)`, r.page > 1, r.page < r.pages);
      }
    } catch (e) {
      if (!gone) setNotice(msg, "error", e.message);
    }
  }

  load(1);
  return () => {
    gone = true;
  };
}

// --- #/projects/{p} ------------------------------------------------------------------------

export function projectView(root, pid) {
  const base = "/api/v1/projects/" + encodeURIComponent(pid);
  const h = heading(root, "Project");
  const msg = el("div");
  const intro = el("p");
  root.append(el("p", null, el("a", { href: "#/" }, "All projects")), intro, msg);
  const state = { gone: false, stream: null, project: null, page: 1, rows: new Map(), reload: 0, poll: 0 };

  const jobsSection = el("section", { "aria-labelledby": "jobs-title" }, el("h2", { id: "jobs-title" }, "Jobs"));
  const live = el("p", { id: "live", class: "muted", role: "status" }, "");
  const jobsMsg = el("div");
  const jobsBox = el("div");
  const jobsPager = pager("jobs", () => loadJobs(state.page - 1), () => loadJobs(state.page + 1));
  jobsSection.append(live, jobsMsg, jobsBox, jobsPager.node);

  async function loadJobs(page) {
    try {
      const r = await api(`${base}/jobs?per_page=${JOBS_PER_PAGE}&page=${Math.max(1, page)}`);
      if (state.gone) return;
      state.page = r.page;
      renderJobs(r.items);
      jobsPager.set(r.total === 0 ? "No jobs yet" : `Page ${r.page} of ${r.pages} (${r.total} jobs)`,
        r.page > 1, r.page < r.pages);
      setNotice(jobsMsg, "", "");
    } catch (e) {
      if (!state.gone) setNotice(jobsMsg, "error", e.message);
    }
  }

  function renderJobs(items) {
    state.rows.clear();
    const rows = items.map((j) => {
      const p = j.progress || {};
      const bar = progressBar("Progress of job " + j.id, p.percentage);
      const status = el("td", null, statusBadge(j.status));
      const results = el("td", null, text(p.total_results));
      const tr = el("tr", { "data-job": j.id },
        el("th", { scope: "row" }, el("a", { href: jobHref(j.id) }, text(j.id))),
        status, el("td", null, bar), results, el("td", null, text(j.source)), el("td", null, time(j.created_at)));
      state.rows.set(j.id, { status, bar, results });
      return tr;
    });
    const t = el("table", { id: "jobs" }, el("caption", null, "Jobs of this project, newest first"),
      el("thead", null, el("tr", null, ["Job", "Status", "Progress", "Results", "Source", "Created"].map(
        (c) => el("th", { scope: "col" }, c)))),
      el("tbody", null, rows));
    clear(jobsBox).append(items.length ? t : el("p", null, "No jobs yet."));
  }

  function onEvent(type, d) {
    const row = state.rows.get(d.job_id);
    if (!row) {
      // A job this page does not show yet (just created): page 1 shows it after a reload.
      if (state.page === 1 && !state.reload)
        state.reload = setTimeout(() => {
          state.reload = 0;
          loadJobs(1);
        }, 300);
      return;
    }
    row.status.replaceChildren(statusBadge(d.status));
    setProgress(row.bar, d.percentage);
    if (typeof d.results_count === "number") row.results.textContent = String(d.results_count);
  }

  function onState(s, why) {
    // Without the stream (the hub away) the list is reloaded every few seconds instead,
    // until the stream is live again.
    if (s === "live") {
      clearInterval(state.poll);
      state.poll = 0;
    } else if (s === "retrying" && !state.poll) {
      state.poll = setInterval(() => loadJobs(state.page), POLL_MS);
    }
    live.textContent = s === "live" ? "Live updates on." :
      s === "connecting" ? "Connecting to live updates…" : "Live updates interrupted (" + why + "); retrying.";
    // The stream starts live (or resumes from its last event): a reload catches what
    // changed between the list's answer and the stream's start.
    if (s === "live") loadJobs(state.page);
  }

  api(base).then(async (p) => {
    if (state.gone) return;
    state.project = p;
    h.textContent = p.name;
    document.title = p.name + " · scrapeq";
    intro.textContent = `Your role here: ${p.role}. Workspace ${p.workspace_id}.`;
    const may = p.may || {};
    if (may.run_jobs) root.append(crawlForm(base, p, () => loadJobs(1)));
    if (may.manage) root.append(targetForm(base, () => refreshTargets()));
    root.append(jobsSection);
    await Promise.all([refreshTargets(), loadJobs(1)]);
    if (!state.gone) state.stream = watch(base + "/events", onEvent, onState);
  }).catch((e) => {
    if (!state.gone) setNotice(msg, "error", e.message);
  });

  async function refreshTargets() {
    const box = root.querySelector("#crawl-targets");
    if (!box) return;
    try {
      const r = await api(`${base}/targets?per_page=${TARGETS_MAX}`);
      fillTargets(box, r.items);
    } catch (e) {
      setNotice(root.querySelector("#crawl-msg"), "error", e.message);
    }
  }

  return () => {
    state.gone = true;
    clearTimeout(state.reload);
    clearInterval(state.poll);
    if (state.stream) state.stream.close();
  };
}
