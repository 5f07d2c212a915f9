// job.js: one job's page: its status and progress bar, cancel and retry for who may,
// the pages-per-second chart, its targets, the log's tail, its results (paged, and as
// CSV), and the URLs it did not store (results.js). Live from the job's event stream.

import { el, clear, table, setNotice, text, time, progressBar, setProgress, statusBadge } from "./dom.js";
import { api } from "./session.js";
import { watch } from "./events.js";
import { RateChart } from "./chart.js";
import { jobHref } from "./forms.js";
import { section, resultsPanel, errorsPanel } from "./results.js";

const LOG_LINES = 50;
const POLL_MS = 2000;             // the log and the results page while the job runs
const TERMINAL = new Set(["completed", "failed", "cancelled"]);
const CAN_CANCEL = new Set(["pending", "running"]);
const CAN_RETRY = new Set(["failed", "cancelled"]);

export function jobView(root, jid) {
  const path = "/api/v1/jobs/" + encodeURIComponent(jid);
  const st = { gone: false, job: null, project: null, targets: new Map(), stream: null, poll: 0,
    chart: null, streamLive: false };

  const h = el("h1", { tabindex: "-1" }, "Job " + jid);
  const back = el("p", null, el("a", { href: "#/" }, "All projects"));
  const msg = el("div");
  root.append(back, h, msg);
  h.focus();

  // Summary: status, progress, counts; the live parts are announced politely.
  const statusLine = el("p", { id: "job-status", "aria-live": "polite" });
  const bar = progressBar("Progress of job " + jid, 0);
  const live = el("p", { id: "live", class: "muted", role: "status" });
  const actions = el("div", { id: "actions" });
  const actionMsg = el("div");
  const summary = section("summary", "Status", statusLine, el("p", null, bar), live, actions, actionMsg);

  const chartFig = el("div", { id: "chart" });
  const chartWords = el("p", { id: "chart-summary" });
  const chartSec = section("rate", "Pages per second", chartFig, chartWords);

  const targetsBox = el("div");
  const targetsSec = section("targets", "Targets", targetsBox);

  const logList = el("ol", { id: "log", role: "log", "aria-label": "Log tail", class: "log" });
  const logMsg = el("div");
  const logSec = section("logs", "Log (last " + LOG_LINES + " lines)", logMsg, logList);

  const results = resultsPanel(path);
  const errors = errorsPanel(path);

  root.append(summary, chartSec, targetsSec, logSec, results.node, errors.node);
  st.chart = new RateChart(chartFig, chartWords);

  // --- rendering -------------------------------------------------------------------------

  function showJob(j) {
    st.job = j;
    const p = j.progress || {};
    document.title = j.id + " · scrapeq";
    clear(statusLine).append("Status: ", statusBadge(j.status), ` · ${text(p.total_results)} results · `,
      `${text(p.completed_targets)} of ${text(p.total_targets)} targets done`,
      j.started_at ? " · started " : "", time(j.started_at),
      j.completed_at ? " · ended " : "", time(j.completed_at),
      typeof j.duration_seconds === "number" ? ` · ${j.duration_seconds} s` : "");
    if (j.error && typeof j.error === "object" && j.error.message)
      statusLine.append(el("span", { class: "error-text" }, " · " + text(j.error.message)));
    setProgress(bar, p.percentage);
    st.chart.see(p.total_results);
    if (j.status === "running") st.chart.start();
    if (TERMINAL.has(j.status)) st.chart.stop();
    showActions();
    showTargets(j.target_status || []);
  }

  function showActions() {
    clear(actions);
    const may = (st.project && st.project.may) || {};
    if (!may.run_jobs || !st.job) return;
    const s = st.job.status;
    actions.append(
      el("button", { type: "button", id: "cancel", disabled: !CAN_CANCEL.has(s), on: { click: cancel } }, "Cancel job"),
      " ",
      el("button", { type: "button", id: "retry", disabled: !CAN_RETRY.has(s), on: { click: retry } }, "Retry job"),
      el("p", { class: "hint" }, "A job can be cancelled while it is pending or running, and retried once it " +
        "has failed or been cancelled."));
  }

  function showTargets(list) {
    const rows = list.map((t) => {
      const info = st.targets.get(t.target_id);
      return { id: t.target_id, label: info ? info.name || info.url : t.target_id, url: info ? info.url : "",
        status: t.status, results: t.results_count };
    });
    clear(targetsBox).append(rows.length === 0 ? el("p", null, "No targets.") :
      table("Targets of this job", ["Target", "Status", "Results"], rows, (r) => [
        el("span", { "data-target": r.id }, text(r.label), r.url && r.url !== r.label ?
          el("span", { class: "muted" }, " " + r.url) : ""),
        statusBadge(r.status), text(r.results)]));
  }

  function setTarget(id, status, count) {
    if (!st.job || !Array.isArray(st.job.target_status)) return;
    const t = st.job.target_status.find((x) => x.target_id === id);
    if (!t) return;
    t.status = status;
    if (typeof count === "number") t.results_count = count;
    showTargets(st.job.target_status);
  }

  // --- loading ---------------------------------------------------------------------------

  async function loadJob() {
    const j = await api(path);
    if (st.gone) return;
    if (!st.project || st.project.id !== j.project_id) {
      const pbase = "/api/v1/projects/" + encodeURIComponent(j.project_id);
      const [p, tl] = await Promise.all([api(pbase), api(pbase + "/targets?per_page=100")]);
      st.project = p;
      for (const t of tl.items) st.targets.set(t.id, t);
      clear(back).append(el("a", { href: "#/projects/" + encodeURIComponent(p.id) }, "Project " + p.name));
    }
    if (!st.gone) showJob(j);
  }

  async function loadLogs() {
    try {
      const r = await api(`${path}/logs?limit=${LOG_LINES}`);
      if (st.gone) return;
      clear(logList).append(...r.logs.map((l) => el("li", { class: "lvl-" + (/^[a-z]+$/.test(l.level) ? l.level : "x") },
        time(l.timestamp), " ", el("span", { class: "level" }, text(l.level)), " ", text(l.message))));
      setNotice(logMsg, "", "");
    } catch (e) {
      if (!st.gone) setNotice(logMsg, "error", e.message);
    }
  }

  async function act(what) {
    clear(actionMsg);
    try {
      const r = await api(`${path}/${what}`, { method: "POST" });
      if (what === "retry" && r && r.id) {
        location.hash = jobHref(r.id);
        return;
      }
      setNotice(actionMsg, "info", what === "cancel" ? "Cancel requested." : "Done.");
      await refreshAll();
    } catch (e) {
      setNotice(actionMsg, "error", e.message);
    }
  }
  function cancel() { act("cancel"); }
  function retry() { act("retry"); }

  async function refreshAll() {
    await loadJob();
    await Promise.all([loadLogs(), results.reload(), errors.load()]);
  }

  // --- live ------------------------------------------------------------------------------

  function onEvent(type, d, id) {
    if (id) live.dataset.lastEvent = id;    // where a resumed stream starts again
    if (!st.job || d.job_id !== st.job.id) return;
    st.job.status = d.status;
    if (st.job.progress) {
      st.job.progress.percentage = d.percentage;
      st.job.progress.total_results = d.results_count;
    }
    if (type === "target_started") setTarget(d.current_target, "running");
    else if (type === "target_completed") setTarget(d.current_target, "completed", d.target_results_count);
    else if (type === "target_failed") setTarget(d.current_target, "failed", d.target_results_count);
    st.chart.see(d.results_count);
    if (TERMINAL.has(type) || TERMINAL.has(d.status)) {
      st.chart.stop();
      refreshAll();
      return;
    }
    showJob(st.job);
  }

  function onState(s, why) {
    st.streamLive = s === "live";
    live.textContent = s === "live" ? "Live updates on." :
      s === "connecting" ? "Connecting to live updates…" : "Live updates interrupted (" + why + "); retrying.";
    if (s === "live") refreshAll();
  }

  function tick() {
    if (st.gone) return;
    if (st.job && !TERMINAL.has(st.job.status)) {
      // Without the event stream (the hub away) the job's own answer tells its state.
      if (!st.streamLive) loadJob().catch(() => {});
      loadLogs();
      const n = st.job.progress ? st.job.progress.total_results : -1;
      if (n !== results.shownTotal()) results.reload();
    }
    st.poll = setTimeout(tick, POLL_MS);
  }

  refreshAll().then(() => {
    if (st.gone) return;
    st.stream = watch(path + "/events", onEvent, onState);
    st.poll = setTimeout(tick, POLL_MS);
  }).catch((e) => {
    if (!st.gone) setNotice(msg, "error", e.message);
  });

  return () => {
    st.gone = true;
    clearTimeout(st.poll);
    st.chart.dispose();
    if (st.stream) st.stream.close();
  };
}
