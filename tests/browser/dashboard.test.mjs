// dashboard.test.mjs: the dashboard (web/) in the system's headless chromium, against a
// private stack with scrapeqd (tests/browser/run brings what it needs). It logs in
// with the keyboard, sees a wrong password's error from the API, starts the demo crawl
// (adding the demo site as a target through the page when it is missing), watches the
// job's bar reach 100 %, reads the job page (chart, log, targets, results paged, the
// CSV download checked against the API, crawl errors), cancels a slow crawl, checks
// that a viewer sees no cancel or retry button, and that the session was refreshed.
//
// Each check prints "ok - ..." or "not ok - ..."; the last line is
// "browser: N passed, N failed" (scripts/check counts it). Exit status 1 on a failure.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const RUN = process.env.SCRAPEQ_RUN ? path.resolve(process.env.SCRAPEQ_RUN) : path.join(REPO, "run");
const BIN = process.env.SCRAPEQ_BIN_DIR || REPO;
const CHROMIUM = process.env.SCRAPEQ_CHROMIUM || "/usr/bin/chromium";
const BUDGET_MS = 110000;         // the whole test; scripts/check's step stays under 2 minutes
const SLOW = 5000;                // the cancelled crawl's delay between requests (ms)
const FAST = 400;                 // the watched crawls' delay: a dozen pages in a few seconds

let passed = 0, failed = 0;
function check(cond, name, note) {
  if (cond) {
    passed++;
    console.log("ok - " + name);
  } else {
    failed++;
    console.log("not ok - " + name + (note !== undefined ? "  [" + String(note).slice(0, 400) + "]" : ""));
  }
  return !!cond;
}
function section(t) {
  console.log("# " + t);
}
function finish() {
  if (hubStopped) {
    try {
      stack("events-start");    // leave the stack as it was found
    } catch (e) { /* reported by the checks already */ }
  }
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

function read(name) {
  return fs.readFileSync(path.join(RUN, name), "utf8").trim();
}
function confValue(sectionName, key) {
  let cur = "";
  for (const line of fs.readFileSync(path.join(RUN, "scrapeq.conf"), "utf8").split("\n")) {
    const s = line.trim();
    const m = s.match(/^\[(.+)\]$/);
    if (m) cur = m[1];
    else if (cur === sectionName && s.startsWith(key)) {
      const kv = s.match(/^([a-z_]+)\s*=\s*(.*)$/);
      if (kv && kv[1] === key) return kv[2];
    }
  }
  return null;
}
function stack(cmd) {
  execFileSync(path.join(REPO, "scripts", "stack"), [cmd], { env: { ...process.env, SCRAPEQ_RUN: RUN },
    stdio: ["ignore", "ignore", "pipe"], timeout: 60000 });
}
function ctl(...args) {
  return execFileSync(path.join(BIN, "scrapeqctl"), ["-c", path.join(RUN, "scrapeq.conf"), ...args],
    { encoding: "utf8", timeout: 30000 }).trim();
}

const BASE = read("base_url").replace(/\/$/, "");
const ADMIN_PW = read("admin.password");
const ADMIN_TOKEN = read("admin.token");
const PROJECT = read("project.id");
const TTL = Number(confValue("auth", "access_token_ttl") || "900");
const DASH = BASE + "/scrapeq/";

async function apiGet(p) {
  const r = await fetch(BASE + p, { headers: { Authorization: "Bearer " + ADMIN_TOKEN } });
  return { status: r.status, json: await r.json() };
}

// RFC 4180: quoted cells may hold commas, quotes ("") and line breaks; records end in CRLF.
function parseCsv(s) {
  const rows = [];
  let row = [], cell = "", i = 0, q = false;
  while (i < s.length) {
    const c = s[i];
    if (q) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { q = false; i++; continue; }
      cell += c; i++; continue;
    }
    if (c === '"') { q = true; i++; continue; }
    if (c === ",") { row.push(cell); cell = ""; i++; continue; }
    if (c === "\r" && s[i + 1] === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; i += 2; continue; }
    cell += c; i++;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

async function waitFile(dir, re, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const f = fs.readdirSync(dir).find((n) => re.test(n));
    if (f) return path.join(dir, f);
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

// Runs fn; a timeout or an exception is a failed check, and the test goes on.
async function step(name, fn) {
  try {
    return await fn();
  } catch (e) {
    check(false, name, e && (process.env.DEBUG ? e.stack : e.message));
    return undefined;
  }
}

const budget = setTimeout(() => {
  check(false, "the test finishes within " + BUDGET_MS / 1000 + " s");
  finish();
}, BUDGET_MS);

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "scrapeq-chromium-"));
const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "scrapeq-downloads-"));
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  userDataDir: profile,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage"],
});

const consoleErrors = [];
const network = { refreshOk: 0, refreshOther: 0, api401: 0, tokenInUrl: [] };
const page = await browser.newPage();
page.setDefaultTimeout(20000);
page.on("console", (m) => {
  const where = (m.location() && m.location().url) || "";
  // Chromium reports every failed load as an error: the wrong password's 401 is meant,
  // and so are the event streams' 503s while the test has stopped the hub.
  const meant = (where.endsWith("/auth/login") && m.text().includes("401")) ||
    (where.endsWith("/events") && m.text().includes("503") && hubOutages > 0);
  if (m.type() === "error" && !meant)
    consoleErrors.push(m.text() + (where ? " (" + where + ")" : ""));
});
page.on("pageerror", (e) => consoleErrors.push("pageerror: " + e.message));
let hubStopped = false;
let hubOutages = 0;               // the console may report an outage's 503s after it ended
const streams = [];                // requests of event streams: their Last-Event-ID and auth
page.on("request", (r) => {
  if (/[?&](token|access_token)=/.test(r.url())) network.tokenInUrl.push(r.url());
  if (/\/events$/.test(new URL(r.url()).pathname)) {
    const h = r.headers();
    streams.push({ lastEventId: h["last-event-id"], auth: /^Bearer .+/.test(h.authorization || "") });
  }
});
page.on("response", (r) => {
  const u = new URL(r.url());
  if (u.pathname === "/auth/refresh") {
    if (r.status() === 200) network.refreshOk++;
    else network.refreshOther++;
  } else if (u.pathname.startsWith("/api/") && r.status() === 401) {
    network.api401++;
  }
});
const cdp = await browser.target().createCDPSession();
await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads, eventsEnabled: true });

const text = (sel) => page.$eval(sel, (e) => e.textContent);

// WCAG 2's contrast ratio of each visible text's colour against the first opaque
// background behind it; returns the texts below 4.5:1.
function lowContrast() {
  return page.evaluate(() => {
    const rgb = (s) => {
      const m = s.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(",").map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = (c) => {
      const f = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    const bg = (e) => {
      for (; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const bad = [], seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n; (n = walker.nextNode());) {
      const e = n.parentElement;
      if (!e || seen.has(e) || !n.textContent.trim() || e.closest("noscript")) continue;
      seen.add(e);
      const cs = getComputedStyle(e);
      if (cs.visibility === "hidden" || cs.display === "none" || e.getClientRects().length === 0) continue;
      const l1 = lum(rgb(cs.color)), l2 = lum(bg(e));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      if (ratio < 4.5) bad.push(`${e.tagName.toLowerCase()}.${e.className} ${ratio.toFixed(2)} "${n.textContent.trim().slice(0, 30)}"`);
    }
    return { checked: seen.size, bad };
  });
}
async function checkContrast(where) {
  const r = await lowContrast();
  check(r.checked > 5 && r.bad.length === 0, `text contrast is at least 4.5:1 on ${where} (${r.checked} texts)`,
    r.bad.join("; "));
}
const exists = async (sel) => (await page.$(sel)) !== null;
const activeId = () => page.evaluate(() => document.activeElement && document.activeElement.id);

async function tabTo(pred, arg, max = 25) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(pred, arg)) return true;
  }
  return false;
}

// Starts a crawl of the demo target from the project page; returns the new job's id.
async function startCrawl(targetUrl, delay) {
  await page.waitForSelector("#crawl input[name=target]");
  // The first target with the demo site's URL, and no other.
  const picked = await page.$$eval("#crawl input[name=target]", (els, url) => {
    let n = 0;
    for (const e of els) e.checked = n === 0 && e.parentElement.textContent.includes(url) && ++n === 1;
    return n;
  }, targetUrl);
  if (picked !== 1) throw new Error("no target for " + targetUrl + " in the crawl form");
  await page.$eval("#crawl-delay", (e, d) => { e.value = String(d); }, delay);
  await page.click("#crawl button[type=submit]");
  await page.waitForFunction(() => {
    const a = document.querySelector("#crawl-msg a[href^='#/jobs/']");
    return a && a.textContent;
  });
  return page.$eval("#crawl-msg a[href^='#/jobs/']", (a) => a.textContent);
}

async function waitJobDone(id, ms = 40000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await apiGet("/api/v1/jobs/" + id);
    if (r.status === 200 && ["completed", "failed", "cancelled"].includes(r.json.status)) return r.json;
    if (Date.now() > end) return r.json;
    await new Promise((res) => setTimeout(res, 250));
  }
}

const started = Date.now();
// A job left pending or running by an earlier run would refuse a new one (JOB_RUNNING).
for (const status of ["pending", "running"]) {
  const r = await apiGet(`/api/v1/projects/${PROJECT}/jobs?status=${status}&per_page=100`);
  for (const j of (r.json && r.json.items) || [])
    await fetch(`${BASE}/api/v1/jobs/${j.id}/cancel`, { method: "POST", headers: { Authorization: "Bearer " + ADMIN_TOKEN } });
}
check(TTL <= 30, "the stack's [auth] access_token_ttl is short enough to see refreshes (<= 30 s)",
  "got " + TTL + "; start the stack with SCRAPEQ_ACCESS_TOKEN_TTL=10");

// --- login ------------------------------------------------------------------------------
section("login");
await step("the dashboard loads", async () => {
  const resp = await page.goto(DASH, { waitUntil: "domcontentloaded" });
  check(resp.status() === 200, "GET /scrapeq/ is 200", resp.status());
  const h = resp.headers();
  check(/script-src 'self'/.test(h["content-security-policy"] || "") &&
    !/unsafe-inline/.test(h["content-security-policy"] || ""),
  "it is served with a Content-Security-Policy without unsafe-inline", h["content-security-policy"]);
  check(h["x-content-type-options"] === "nosniff" && h["referrer-policy"] === "no-referrer",
    "nosniff and no-referrer headers", JSON.stringify(h));
  await page.waitForSelector("#login");
  check(await activeId() === "username", "the user name field has the focus");
});

await step("a wrong password shows the API's error", async () => {
  const api = await fetch(BASE + "/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "wrong-" + ADMIN_PW }) });
  const detail = (await api.json()).detail;
  check(api.status === 401 && typeof detail === "string", "the API answers 401 {detail}", api.status);
  await page.type("#username", "admin");
  await page.type("#password", "not-" + ADMIN_PW);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#login-msg [role=alert]");
  check(await text("#login-msg [role=alert]") === detail, "the page shows the answer's detail as its text",
    await text("#login-msg [role=alert]"));
  check(await exists("#login") && !(await exists("#logout")), "and stays on the login form");
  await checkContrast("the login form with its error");
});

await step("keyboard-only login", async () => {
  await page.reload({ waitUntil: "domcontentloaded" });
  await page.waitForSelector("#login");
  // From the top of the page, as a keyboard user arrives: the skip link, then the form.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  check(await tabTo(() => document.activeElement.id === "username"), "Tab reaches the user name field");
  await page.keyboard.type("admin");
  await page.keyboard.press("Tab");
  check(await activeId() === "password", "Tab moves on to the password field");
  await page.keyboard.type(ADMIN_PW);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#logout");
  check((await text("#who")).includes("Signed in as admin"), "Enter logs in: signed in as admin");
  const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
  check(stored[0] === 0 && stored[1] === 0 && stored[2] === "", "no token in localStorage, sessionStorage or cookies",
    JSON.stringify(stored));
  // The stack's first project is the oldest: on a stack with many projects it is on a
  // later page of the list (newest first), reached with the pager's Next button.
  const link = `a[href='#/projects/${PROJECT}']`;
  const next = "button[aria-label='Next page of projects']";
  await page.waitForSelector(`${link}, ${next}:not([disabled])`);
  for (let i = 0; i < 200 && !(await exists(link)); i++) {
    const where = await text(".pager .where");
    await page.focus(next);
    await page.keyboard.press("Enter");
    await page.waitForFunction((w) => document.querySelector(".pager .where").textContent !== w, {}, where);
  }
  check(await exists(link), "the stack's first project is listed (paging with the keyboard if needed)");
  check(await tabTo((p) => document.activeElement.getAttribute("href") === "#/projects/" + p, PROJECT, 250),
    "Tab reaches the stack's first project's link");
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  });
  check(ring, "the focused link shows a visible focus ring");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#jobs-title");
  check(page.url().endsWith("#/projects/" + PROJECT), "Enter opens the project", page.url());
});

// --- the demo crawl -----------------------------------------------------------------------
section("the demo crawl from the project page");
const site = BASE + "/demo-site/";
let job1 = null, job2 = null, job3 = null;
await step("the demo target exists or is added through the page", async () => {
  await page.waitForSelector("#crawl");
  check(await exists("#add-target"), "the owner sees the add-target form");
  const labels = await page.$$eval("#crawl-targets label", (ls) => ls.map((l) => l.textContent));
  if (!labels.some((l) => l.includes(site))) {
    await page.type("#target-url", site);
    await page.type("#target-name", "Demo site");
    await page.click("#add-target button[type=submit]");
    await page.waitForFunction((u) => [...document.querySelectorAll("#crawl-targets label")]
      .some((l) => l.textContent.includes(u)), {}, site);
    check((await text("#target-msg")).includes("Added target"), "the target was added through the page");
  } else {
    check(true, "the demo target is already there");
  }
  const r = await apiGet(`/api/v1/projects/${PROJECT}/targets?per_page=100`);
  check(r.json.items.some((t) => t.url === site), "the API lists the demo target");
});

await step("start a crawl and watch its bar in the job list", async () => {
  job1 = await startCrawl(site, FAST);
  check(/^job_[0-9a-f]{32}$/.test(job1), "the page names the new job", job1);
  await page.waitForSelector(`tr[data-job='${job1}'] progress`);
  const seen = new Set();
  const end = Date.now() + 40000;
  let value = -1;
  while (Date.now() < end) {
    value = await page.$eval(`tr[data-job='${job1}'] progress`, (p) => p.value).catch(() => -1);
    seen.add(value);
    if (value === 100) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  check(value === 100, "the job's bar in the list reaches 100 %", [...seen].join(","));
  await page.waitForFunction((j) => {
    const s = document.querySelector(`tr[data-job='${j}'] .status`);
    return s && s.textContent === "completed";
  }, { timeout: 10000 }, job1);
  check(true, "its status in the list turns completed without a reload");
  check((await text("#live")).includes("Live updates on"), "the page says live updates are on");
  const role = await page.$eval(`tr[data-job='${job1}'] progress`, (p) => p.getAttribute("aria-label"));
  check(role && role.includes(job1), "the bar is a labelled <progress>", role);
  await checkContrast("the project page");
});

section("the job page while it runs");
await step("a second crawl, followed on its page", async () => {
  await waitJobDone(job1);
  job2 = await startCrawl(site, FAST);
  await page.click(`#crawl-msg a[href='#/jobs/${job2}']`);
  await page.waitForSelector("#summary progress");
  const end = Date.now() + 40000;
  let value = -1;
  while (Date.now() < end && value !== 100) {
    value = await page.$eval("#summary progress", (p) => p.value);
    await new Promise((r) => setTimeout(r, 100));
  }
  check(value === 100, "the job page's bar reaches 100 %", value);
  await page.waitForFunction(() => document.querySelector("#job-status .status")?.textContent === "completed");
  check(true, "the job page says completed");
  await page.waitForFunction(() => Number(document.querySelector("svg.chart")?.dataset.peak) > 0, { timeout: 5000 });
  const chart = await page.$eval("svg.chart", (s) => ({ points: Number(s.dataset.points), peak: Number(s.dataset.peak),
    bars: s.querySelectorAll("rect").length }));
  check(chart.points >= 2 && chart.peak > 0 && chart.bars >= 2, "the chart drew pages per second while it ran",
    JSON.stringify(chart));
  check(/peak [1-9]/.test(await text("#chart-summary")), "and says its peak in words", await text("#chart-summary"));
  const logged = await page.waitForFunction(() => [...document.querySelectorAll("#log li")]
    .some((l) => l.textContent.includes("Job completed")), { timeout: 10000 }).then(() => true, () => false);
  check(logged, "the log tail shows the job's last line", await text("#log"));
  check(await page.$eval("#log", (l) => l.getAttribute("role")) === "log", "the log is a live region (role=log)");
  const targets = await page.$$eval("#targets tbody tr", (rs) => rs.map((r) => r.textContent));
  check(targets.length === 1 && targets[0].includes("completed"), "the target's row says completed", targets.join("|"));
  await checkContrast("the job page");
});

section("results, CSV, errors");
await step("results are paged", async () => {
  const all = (await apiGet(`/api/v1/jobs/${job2}/results?limit=1000`)).json;
  check(all.total >= 6, "the API has at least 6 results for the demo crawl", all.total);
  await page.select("#page-size", "5");
  await page.waitForFunction(() => document.querySelectorAll("#results tbody tr").length === 5);
  const urls1 = await page.$$eval("#results tbody tr td:first-child", (c) => c.map((x) => x.textContent));
  check(JSON.stringify(urls1) === JSON.stringify(all.items.slice(0, 5).map((i) => i.url)),
    "page 1 (5 a page) shows the API's first 5 results in order");
  check((await text("#results .pager .where")) === `Rows 1–5 of ${all.total}`, "the pager says rows 1–5",
    await text("#results .pager .where"));
  await page.click("#results .pager button:last-child");
  await page.waitForFunction((t) => document.querySelector("#results .pager .where").textContent.startsWith("Rows 6–"),
    {}, all.total);
  const urls2 = await page.$$eval("#results tbody tr td:first-child", (c) => c.map((x) => x.textContent));
  check(JSON.stringify(urls2) === JSON.stringify(all.items.slice(5, 10).map((i) => i.url)),
    "Next shows results 6 to 10", urls2.join(" "));
  await page.click("#results .pager button:first-child");
  await page.waitForFunction(() => document.querySelector("#results .pager .where").textContent.startsWith("Rows 1–"));
  check(true, "Previous goes back to rows 1–5");
});

await step("the CSV download matches the API's results", async () => {
  const all = (await apiGet(`/api/v1/jobs/${job2}/results?limit=1000`)).json;
  await page.click("#csv");
  const file = await waitFile(downloads, new RegExp("^" + job2 + "\\.csv$"), 10000);
  check(file !== null, "a file " + job2 + ".csv was downloaded", fs.readdirSync(downloads).join(","));
  if (!file) return;
  const rows = parseCsv(fs.readFileSync(file, "utf8"));
  const head = rows[0] || [];
  check(head.includes("url") && head.includes("title") && head.includes("status_code"), "it has the header row",
    head.join(","));
  const body = rows.slice(1);
  check(body.length === all.total, `it has one row per result (${all.total})`, body.length);
  const iu = head.indexOf("url"), it = head.indexOf("title"), is = head.indexOf("status_code");
  const same = body.every((r, n) => r[iu] === all.items[n].url && r[it] === (all.items[n].title ?? "") &&
    r[is] === String(all.items[n].status_code));
  check(same, "each row's url, title and status code are the API's, in order");
  check(await page.evaluate(() => [...document.querySelectorAll("a[href^='blob:']")].length === 0),
    "the temporary download link is gone from the page");
});

await step("crawl errors are listed", async () => {
  const errs = (await apiGet(`/api/v1/jobs/${job2}/errors?limit=100`)).json;
  const rows = await page.$$eval("#errors tbody tr", (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
  check(rows.length === errs.items.length && rows.every((r, n) => r[0] === errs.items[n].url &&
    r[1] === errs.items[n].kind), "the errors table is the API's /errors (" + errs.items.length + ")",
  JSON.stringify(rows).slice(0, 300));
  check(rows.some((r) => r[0] === site + "blog/missing.html" && r[1] === "http" && r[2] === "404"),
    "the demo site's broken link is among them (blog/missing.html, http, 404)");
});

section("cancel and retry");
await step("cancel a slow crawl with the button; retry becomes possible", async () => {
  // A page load forgets the session (tokens live in memory only).
  await page.reload({ waitUntil: "domcontentloaded" });
  await page.waitForSelector("#login");
  check(true, "a reload asks for the password again (the tokens were in memory only)");
  await page.type("#username", "admin");
  await page.type("#password", ADMIN_PW);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#logout");
  await page.evaluate((p) => { location.hash = "#/projects/" + p; }, PROJECT);
  await page.waitForSelector("#crawl");
  job3 = await startCrawl(site, SLOW);
  await page.click(`#crawl-msg a[href='#/jobs/${job3}']`);
  await page.waitForSelector("#cancel");
  await page.waitForFunction(() => !document.querySelector("#cancel").disabled);
  check(await page.$eval("#retry", (b) => b.disabled), "while it runs, retry is disabled and cancel is not");

  // The event hub goes away and comes back: the page resumes from the last event it saw.
  await page.waitForFunction(() => Number(document.querySelector("#live").dataset.lastEvent) > 0);
  const before = Number(await page.$eval("#live", (e) => e.dataset.lastEvent));
  stack("events-stop");
  hubStopped = true;
  hubOutages++;
  await page.waitForFunction(() => document.querySelector("#live").textContent.includes("interrupted"),
    { timeout: 10000 });
  check(true, "with the hub stopped the page says live updates are interrupted");
  streams.length = 0;
  await page.click("#cancel");
  await page.waitForFunction(() => document.querySelector("#job-status .status")?.textContent === "cancelled",
    { timeout: 15000 });
  check(true, "the Cancel button cancels the job; the page sees it without the hub (it polls the job meanwhile)");
  const j = (await apiGet("/api/v1/jobs/" + job3)).json;
  check(j.status === "cancelled", "the API agrees", j.status);
  stack("events-start");
  hubStopped = false;
  await page.waitForFunction((b) => Number(document.querySelector("#live").dataset.lastEvent) > b,
    { timeout: 15000 }, before);
  check(true, "after the hub is back the page gets the events it missed (past event " + before + ")");
  const resumed = streams.filter((r) => r.lastEventId !== undefined);
  check(resumed.length > 0 && resumed.every((r) => Number(r.lastEventId) >= before && r.auth),
    "its reconnects sent Last-Event-ID and the token in the Authorization header", JSON.stringify(streams));
  await page.waitForFunction(() => !document.querySelector("#retry").disabled && document.querySelector("#cancel").disabled);
  check(true, "once cancelled, retry is enabled and cancel is not");
});

await step("without the hub the job list reloads itself", async () => {
  stack("events-stop");
  hubStopped = true;
  hubOutages++;
  await page.evaluate((p) => { location.hash = "#/projects/" + p; }, PROJECT);
  await page.waitForFunction(() => document.querySelector("#live")?.textContent.includes("interrupted"),
    { timeout: 10000 });
  const site = BASE + "/demo-site/";
  const targets = (await apiGet(`/api/v1/projects/${PROJECT}/targets?per_page=100`)).json.items;
  const tid = targets.find((t) => t.url === site).id;
  const r = await fetch(`${BASE}/api/v1/projects/${PROJECT}/jobs`, { method: "POST",
    headers: { Authorization: "Bearer " + ADMIN_TOKEN, "Content-Type": "application/json" },
    body: JSON.stringify({ target_ids: [tid], config: { delay: SLOW } }) });
  const made = await r.json();
  check(r.status === 201, "a job made through the API meanwhile", r.status);
  await page.waitForSelector(`tr[data-job='${made.id}']`, { timeout: 10000 });
  check(true, "appears in the list with no event stream");
  await fetch(`${BASE}/api/v1/jobs/${made.id}/cancel`, { method: "POST", headers: { Authorization: "Bearer " + ADMIN_TOKEN } });
  await page.waitForFunction((j) => document.querySelector(`tr[data-job='${j}'] .status`)?.textContent === "cancelled",
    { timeout: 15000 }, made.id);
  check(true, "and its cancel shows there too");
  stack("events-start");
  hubStopped = false;
  await page.waitForFunction(() => document.querySelector("#live").textContent.includes("Live updates on"),
    { timeout: 15000 });
  check(true, "the list's stream is live again once the hub is back");
});
if (hubStopped) {
  stack("events-start");
  hubStopped = false;
}

section("a viewer");
await step("a viewer sees no cancel, retry, crawl or target controls", async () => {
  const name = "viewer" + Date.now().toString(36);
  const pw = "pw-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  const pwfile = path.join(RUN, ".pw-" + name);
  fs.writeFileSync(pwfile, pw, { mode: 0o600 });
  try {
    ctl("user", "add", name, "--password-file", pwfile);
  } finally {
    fs.unlinkSync(pwfile);
  }
  ctl("member", "add", "--project", PROJECT, "--user", name, "--role", "viewer");
  const ended = page.waitForResponse((r) => r.url().endsWith("/auth/logout"));
  await page.click("#logout");
  await page.waitForSelector("#login");
  check(!(await exists("#who button")), "Log out returns to the login form");
  const out = await ended;
  const sent = JSON.parse(out.request().postData() || "{}").refresh_token || "";
  check(out.status() === 204 && sent !== "", "and ends the session on the server: POST /auth/logout, 204",
    out.status());
  const again = await fetch(BASE + "/auth/refresh", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: sent }) });
  check(again.status === 401, "the logged-out session's refresh token is refused (401)", again.status);
  await page.type("#username", name);
  await page.type("#password", pw);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#logout");
  await page.evaluate((j) => { location.hash = "#/jobs/" + j; }, job3);
  await page.waitForFunction(() => document.querySelector("#job-status .status")?.textContent === "cancelled");
  await page.waitForSelector("#targets tbody tr");
  check(!(await exists("#cancel")) && !(await exists("#retry")), "the viewer's job page has no cancel or retry button");
  await page.evaluate((p) => { location.hash = "#/projects/" + p; }, PROJECT);
  await page.waitForSelector("#jobs");
  check(!(await exists("#crawl")) && !(await exists("#add-target")), "nor a crawl or add-target form");
  check((await page.$$(`tr[data-job] progress`)).length >= 3, "but sees the jobs and their bars");
});

// --- the session ------------------------------------------------------------------------
section("the session");
await step("the access token was refreshed before it expired", async () => {
  // The viewer's session has run for a few seconds; wait into its first refresh if need be.
  await page.waitForFunction(() => document.querySelector("#renewed")?.textContent !== "",
    { timeout: TTL * 1000 + 5000 });
  check(network.refreshOk >= 1, "POST /auth/refresh answered 200 at least once", JSON.stringify(network));
  check(network.refreshOther === 0, "and never refused", JSON.stringify(network));
  check(network.api401 === 0, "no API call met an expired token (no 401)", JSON.stringify(network));
  const elapsed = (Date.now() - started) / 1000;
  check(elapsed > TTL || TTL > 30, `the test outlived one access token (${elapsed.toFixed(0)} s > ${TTL} s)`);
  check(/session renewed at/.test(await text("#renewed")), "the header says when the session was renewed",
    await text("#renewed"));
  const r = await page.evaluate(async () => (await fetch("/api/v1/ping")).status);
  check(r === 200, "the page still talks to the API");
});

section("hygiene");
check(network.tokenInUrl.length === 0, "no request carried a token in its URL", network.tokenInUrl.join(" "));
check(consoleErrors.length === 0, "no console errors or Content-Security-Policy violations", consoleErrors.join(" | "));
const unlabelled = await page.evaluate(() => [...document.querySelectorAll("input, select, button, progress")]
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.textContent.trim())
  .map((e) => e.outerHTML.slice(0, 80)));
check(unlabelled.length === 0, "every control on the last page has a label", unlabelled.join(" "));

clearTimeout(budget);
await browser.close();
fs.rmSync(profile, { recursive: true, force: true });
fs.rmSync(downloads, { recursive: true, force: true });
console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
finish();
