#!/usr/bin/python3
"""test_crawl.py: what scrapeqd fetches and stores for each job config, against the
local test site (testsite.py), compared with the site's model: the exact set of
result URLs (and their depths) and of error URLs (and their kinds), per job.

Each job runs in its own project and sends its own user agent ("scrapeq/0.1 (job
NAME)": the robots.txt product token stays "scrapeq"), so the test site's access
logs tell the jobs' requests apart: robots.txt once per origin, no page twice, the
job's delays kept, gzip asked for.
"""
# integration: daemon

import json
import os
import time

import testsite
import harness
from harness import (Daemon, create_job, db_rows, db_value, duplicate_results, job_errors, job_events,
                     job_logs, job_results, job_row, new_project, new_target, release, request, section,
                     sql_str, uuid_of, wait_job, api_list)


def check(cond, name, resp=False, note=None):
    """harness.check, showing an HTTP exchange only when one is passed (most checks here read MariaDB)."""
    return harness.check(cond, name, resp, note)


Daemon.exclusive()
RUN_TOKEN = os.urandom(4).hex()     # this run's requests, apart from an earlier run's
site = testsite.ensure()
model = testsite.Model(site.port)
P = site.port
M = site.origin("main")
S = site.origin("subs")
T = site.origin("tidy")
DAEMON_UA = "scrapeq/0.1 (+integration %s)" % RUN_TOKEN


def ua(name):
    return "scrapeq/0.1 (job %s %s)" % (name, RUN_TOKEN)


class Job:
    def __init__(self, name, url, config=None, model_kw=None, max_retries=None, hold=False, targets=None):
        self.name = name
        self.url = url
        self.config = dict(config or {})
        if name != "default":
            self.config.setdefault("userAgent", ua(name))
        self.agent = self.config.get("userAgent", DAEMON_UA)
        self.model_kw = model_kw
        self.project = new_project(name="crawl %s" % name, max_results_per_target=100)
        self.target = new_target(self.project, url=url)
        self.id = create_job(self.project, [self.target], self.config, max_retries=max_retries, hold=hold)
        self.row = None
        self.marks = {o: site.log_size(o) for o in ("main", "subs", "ext", "tidy", "polite")}

    def expected(self):
        return testsite.crawl(model, self.url, **self.model_kw)

    def requests(self, origin):
        return [r for r in site.access_log(origin, self.marks[origin]) if r["agent"] == self.agent]


JOBS = {}


def add(name, url, config=None, **kw):
    model_kw = kw.pop("model", None)
    JOBS[name] = Job(name, url, config, model_kw, **kw)
    return JOBS[name]


section("jobs created with their config through the API while no scrapeqd runs")
add("default", M + "/", {}, model={})
add("depth1", M + "/", {"depth": 1}, model={"depth": 1})
add("include", M + "/blog/", {"includePaths": ["^/blog/"]}, model={"include": ["^/blog/"]})
add("exclude", M + "/", {"excludePaths": ["^/blog/", "\\.csv$"]}, model={"exclude": ["^/blog/", "\\.csv$"]})
add("noquery", M + "/", {"ignoreQueryParameters": True}, model={"ignore_query": True})
add("norobots", M + "/", {"respectRobots": False}, model={"respect_robots": False})
add("nositemap", M + "/", {"ignoreSitemap": True}, model={"ignore_sitemap": True})
add("external", M + "/", {"allowExternalLinks": True, "depth": 1}, model={"allow_external": True, "depth": 1})
add("subs", S + "/", {}, model={})
add("subdomains", S + "/", {"includeSubdomains": True}, model={"include_subdomains": True})
add("maxpages", T + "/", {"maxPages": 5})
add("maxresults", T + "/", {"max_results_per_target": 3})
add("selectors", M + "/products/widget.html",
    {"includePaths": ["^/products/widget\\.html$"],
     "selectors": {"price": "//span[@class='price']", "heading": "//h1", "missing": "//table"}})
add("timeout", M + "/slow.html", {"timeout": 1000, "includePaths": ["^/slow\\.html$"], "ignoreSitemap": True},
    max_retries=0)
add("polite", site.origin("polite") + "/", {})
add("delay", T + "/", {"delay": 700, "maxPages": 6})
# Held until the two above end: the same hosts without a delay must not be slowed.
add("after-delay", T + "/", {"maxPages": 6}, hold=True)
add("polite-norobots", site.origin("polite") + "/", {"respectRobots": False}, hold=True)
check(len(JOBS) == 18, "18 crawl jobs created")

section("one scrapeqd crawls them")
daemon = Daemon("crawl-1", user_agent=DAEMON_UA).start()
t0 = time.monotonic()
for name in ("delay", "polite"):
    wait_job(JOBS[name].id, 120)
release(JOBS["after-delay"].id)
release(JOBS["polite-norobots"].id)
for j in JOBS.values():
    j.row = wait_job(j.id, 180)
check(all(j.row["status"] in ("completed", "failed", "cancelled") for j in JOBS.values()),
      "every job ended within 180 s (%.0f s)" % (time.monotonic() - t0),
      note=", ".join("%s=%s" % (j.name, j.row["status"]) for j in JOBS.values()))


def diff(want, got):
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    return "missing %s; unexpected %s" % (missing, extra)


def check_progress(j, results):
    row = j.row
    n = len(results)
    check(row["total_results"] == n, "%s: jobs.total_results (%s) is the number of result rows (%d)"
          % (j.name, row["total_results"], n))
    tr = db_rows("SELECT status, results_count FROM job_targets WHERE job_id = %s" % sql_str(uuid_of(j.id)))
    check(len(tr) == 1 and int(tr[0][1]) == n, "%s: job_targets.results_count is %d" % (j.name, n),
          note="job_targets: %s" % tr)
    want_target = "completed" if row["status"] == "completed" else "failed"
    check(len(tr) == 1 and tr[0][0] == want_target, "%s: the target is %s" % (j.name, want_target),
          note="job_targets: %s" % tr)
    check(row["completed_targets"] == row["total_targets"] == 1,
          "%s: completed_targets = total_targets = 1" % j.name,
          note="%s/%s" % (row["completed_targets"], row["total_targets"]))
    check(not duplicate_results(j.id), "%s: no duplicate result rows" % j.name)


def check_logs(j, results):
    logs = [m for _l, m in job_logs(j.id)]
    first = logs.index("Job started") if "Job started" in logs else None
    check(first is not None and logs.count("Job started") == 1 and not [m for m in logs[:first] if m != "Job queued with 1 target"],
          "%s: \"Job started\" once, the first line after the API's \"Job queued\"" % j.name, note=str(logs[:3]))
    check("Scraping target: %s" % j.url in logs, "%s: log \"Scraping target: %s\"" % (j.name, j.url),
          note=str(logs[:6]))
    if j.row["status"] == "completed":
        want = "Target completed: %d results" % len(results)
        check(want in logs, "%s: log \"%s\"" % (j.name, want), note=str([m for m in logs if "Target" in m]))


def check_api(j, results, errors):
    items = api_list("/api/v1/jobs/%s/results?limit=1000" % j.id)
    check(items is not None and sorted(i.get("url") for i in items) == sorted(results),
          "%s: GET /api/v1/jobs/{id}/results lists the same URLs as the database" % j.name)
    items = api_list("/api/v1/jobs/%s/errors?limit=1000" % j.id)
    check(items is not None and sorted(i.get("url") for i in items) == sorted(errors),
          "%s: GET /api/v1/jobs/{id}/errors lists the same URLs as the database" % j.name)


def check_requests(j, origin, retried=()):
    reqs = j.requests(origin)
    robots = [r for r in reqs if r["path"] == "/robots.txt"]
    by_host = {}
    for r in robots:
        by_host[r["host"]] = by_host.get(r["host"], 0) + 1
    check(reqs and all(n == 1 for n in by_host.values()),
          "%s: robots.txt fetched once per host (%s)" % (j.name, by_host))
    pages = {}
    for r in reqs:
        if r["path"] not in ("/robots.txt", "/sitemap.xml"):
            key = (r["host"], r["path"])
            pages[key] = pages.get(key, 0) + 1
    twice = {k: n for k, n in pages.items() if n > 1 and k[1] not in retried}
    check(not twice, "%s: no page fetched twice" % j.name, note=str(twice))
    return reqs


def check_crawl(j, sitemap_only=(), redirects=False):
    """The exact sets against the model; redirect errors (the loop) are compared only
    when redirects is set (the default job), so one finding is reported once."""
    want_res, want_err = j.expected()
    results = job_results(j.id)
    errors = job_errors(j.id)
    check(j.row["status"] == "completed", "%s: the job completed" % j.name, note="status %s, error %s"
          % (j.row["status"], j.row["error"]))
    check(set(results) == set(want_res), "%s: exactly the expected %d result URLs" % (j.name, len(want_res)),
          note=diff(want_res, results))
    bad = {u: (results[u]["depth"], d) for u, d in want_res.items()
           if u in results and u not in sitemap_only and results[u]["depth"] != d}
    check(not bad, "%s: every result has its link depth" % j.name, note="url: (stored, expected) %s" % bad)
    plain_want = {u: k for u, k in want_err.items() if k[0] != "redirects"}
    plain_got = {u: (k, s) for u, (k, s, _m) in errors.items() if k != "redirects"}
    check(set(plain_got) == set(plain_want), "%s: exactly the expected %d error URLs (redirect errors apart)"
          % (j.name, len(plain_want)), note=diff(plain_want, plain_got))
    wrong = {u: (plain_got[u], k) for u, k in plain_want.items() if u in plain_got and (
        plain_got[u][0] != k[0] or (k[1] is not None and plain_got[u][1] != k[1]))}
    check(not wrong, "%s: every error has its kind and status" % j.name, note="url: (stored, expected) %s" % wrong)
    redir_want = sorted(u for u, k in want_err.items() if k[0] == "redirects")
    redir_got = sorted(u for u, (k, _s, _m) in errors.items() if k == "redirects")
    if redirects:
        check(redir_got == redir_want, "%s: redirect errors are exactly %s (the URL the page links to, "
              "not a later hop of the chain)" % (j.name, redir_want),
              note="stored: %s" % {u: errors[u] for u in redir_got})
    check_progress(j, results)
    check_logs(j, results)
    check_api(j, results, errors)
    return results, errors


section("default config: depth 3, robots, sitemap, redirects, errors, extraction")
j = JOBS["default"]
results, errors = check_crawl(j, sitemap_only=[M + "/orphan.html"], redirects=True)
check(M + "/orphan.html" in results, "default: the page only the sitemap lists is crawled")
check(M + "/moved.html" in results and M + "/old-page.html" not in results,
      "default: a 301 is stored under its final URL")
check(M + "/chain-1" not in errors and M + "/chain-2" not in errors,
      "default: a two-hop redirect chain to a page already crawled is no error (not a \"loop\")",
      note=str({u: errors[u] for u in errors if "chain" in u}))
check(M + "/pdf-only.html" not in results and M + "/csv-only.html" not in results,
      "default: URLs inside the PDF, CSV and .bak bodies are not followed")
w = results.get(M + "/products/widget.html", {})
check(w.get("title") == testsite.WIDGET_TITLE, "default: the widget's title (UTF-8, from a gzip'd page)",
      note=repr(w.get("title")))
check(w.get("description") == "A widget for testing." and w.get("canonical_url") == M + "/products/widget.html",
      "default: meta description and the canonical URL made absolute",
      note="%r %r" % (w.get("description"), w.get("canonical_url")))
check(w.get("links_count") == 2 and w.get("images_count") == 2 and w.get("products_count") == 1,
      "default: the widget has 2 links, 2 images, 1 product",
      note="%s %s %s" % (w.get("links_count"), w.get("images_count"), w.get("products_count")))
prods = (w.get("data") or {}).get("products") if isinstance(w.get("data"), dict) else None
check(prods == [{"name": "Widget", "price": "19.99", "currency": "EUR"}],
      "default: data.products holds the JSON-LD Product's name, price, currency", note=repr(w.get("data")))
check(w.get("status_code") == 200 and (w.get("content_type") or "").startswith("text/html")
      and isinstance(w.get("fetch_ms"), int) and w.get("bytes", 0) > 0,
      "default: status 200, text/html, bytes and fetch_ms", note=repr({k: w.get(k) for k in
                                                                         ("status_code", "content_type", "bytes",
                                                                          "fetch_ms")}))
pdf = results.get(M + "/files/report.pdf", {})
check(pdf.get("content_type") == "application/pdf" and pdf.get("bytes") == len(testsite.pdf_bytes(P))
      and not pdf.get("title") and not pdf.get("links_count"),
      "default: the PDF is recorded (type, size), not parsed", note=repr(pdf))
csv = results.get(M + "/files/data.csv", {})
check((csv.get("content_type") or "").startswith("text/csv"), "default: the CSV is recorded as text/csv",
      note=repr(csv.get("content_type")))
logs = [m for _l, m in job_logs(j.id)]
rl = [m for m in logs if m.startswith("Rate limited")]
check(rl and all(m == "Rate limited, waiting 1 seconds" for m in rl),
      "default: the 429 with Retry-After: 1 logs \"Rate limited, waiting 1 seconds\"", note=str(rl))
busy = [r for r in j.requests("main") if r["path"] == "/busy.html"]
check(len(busy) >= 2 and all(b["start"] - a["end"] >= 0.9 for a, b in zip(busy, busy[1:])),
      "default: busy.html is asked again only after its Retry-After (%d tries)" % len(busy),
      note=str([(round(r["start"], 2), round(r["end"], 2)) for r in busy]))
check(errors.get(M + "/busy.html", (None,))[0] == "http" and errors.get(M + "/busy.html", (0, 0))[1] == 429,
      "default: busy.html ends as an http 429 error")
# dropped.html: nginx closes the connection unanswered (444), and libcurl itself
# retries a request whose reused connection died (up to CONN_MAX_RETRIES, 5), so
# that URL may show several times; the crawler asked once (one error row).
RETRIED = ("/busy.html", "/dropped.html")
reqs = check_requests(j, "main", retried=RETRIED)
check(reqs and all("gzip" in r["accept_encoding"] for r in reqs if r["path"].endswith(".html")),
      "default: every page request asks for gzip")
check(not [r for r in reqs if r["path"] == "/private/secret.html"], "default: robots.txt-blocked pages never fetched")
starts = sorted(r["start"] for r in reqs)
check(len(starts) > 10 and min(b - a for a, b in zip(starts, starts[1:])) < 0.5,
      "default: the Crawl-delay: 30 of another agent's robots.txt group is not applied")
for host_log in ("ext", "subs"):
    check(not j.requests(host_log), "default: no request to the other hosts (%s)" % host_log)
st = j.row["stats"] or {}
keys = {"pagesProcessed", "totalPages", "successfulRequests", "failedRequests", "avgResponseTime",
        "bytesDownloaded", "dataExtracted", "errors"}
check(isinstance(st, dict) and keys <= set(st) and isinstance(st.get("errors"), list),
      "default: stats has seed 001's keys", note=json.dumps(st)[:300])
de = st.get("dataExtracted") if isinstance(st, dict) else None
check(isinstance(de, dict) and {"products", "images", "links", "documents"} <= set(de)
      and all(isinstance(de[k], int) for k in ("products", "images", "links", "documents"))
      and de["links"] > 0 and all({"url", "error", "timestamp"} <= set(e) for e in st.get("errors", [])),
      "default: dataExtracted is seed 001's {products, images, links, documents}; errors carry "
      "url, error, timestamp", note=json.dumps(st)[:300])
check(isinstance(st, dict) and st.get("successfulRequests", -1) >= len(results)
      and st.get("pagesProcessed", -1) >= len(results) and st.get("bytesDownloaded", 0) > 0,
      "default: stats count at least the stored pages", note=json.dumps(st)[:300])
ev = [t for t, _d in job_events(j.id) if t != "progress"]
check(ev[:2] == ["created", "started"] and ev[-1:] == ["completed"] and ev.count("started") == 1
      and "target_started" in ev and "target_completed" in ev,
      "default: events: created, started (once), target_started, target_completed ... completed",
      note=str(ev))
r = request("GET", "/api/v1/jobs/%s" % j.id)
prog = (r.json or {}).get("progress") or {} if r.status == 200 else {}
check(r.status == 200 and r.json.get("status") == "completed" and prog.get("percentage") == 100
      and prog.get("total_results") == len(results) and prog.get("completed_targets") == 1,
      "default: GET /api/v1/jobs/{id} shows completed, 100%, the result count", r)

section("depth 1")
check_crawl(JOBS["depth1"], sitemap_only=[M + "/orphan.html"])
check_requests(JOBS["depth1"], "main", retried=RETRIED)

section("includePaths / excludePaths")
check_crawl(JOBS["include"])
check_crawl(JOBS["exclude"], sitemap_only=[M + "/orphan.html"])
check(not [r for r in JOBS["exclude"].requests("main") if r["path"].startswith("/blog/")],
      "exclude: no /blog/ page is fetched at all")

section("ignoreQueryParameters")
res, _e = check_crawl(JOBS["noquery"], sitemap_only=[M + "/orphan.html"])
check(M + "/list.html" in res and not [u for u in res if "?" in u], "noquery: list.html once, no query strings")

section("respectRobots: false")
res, _e = check_crawl(JOBS["norobots"], sitemap_only=[M + "/orphan.html"])
check(M + "/private/secret.html" in res and M + "/files/notes.bak" in res,
      "norobots: robots.txt-disallowed pages are crawled")

section("ignoreSitemap")
check_crawl(JOBS["nositemap"])
check(not [r for r in JOBS["nositemap"].requests("main") if r["path"] == "/sitemap.xml"],
      "nositemap: sitemap.xml is not fetched")
check(len([r for r in JOBS["default"].requests("main") if r["path"] == "/sitemap.xml"]) == 1,
      "default: sitemap.xml (named by robots.txt) is fetched once")

section("allowExternalLinks (depth 1)")
res, _e = check_crawl(JOBS["external"], sitemap_only=[M + "/orphan.html"])
check(site.url("ext", "/elsewhere.html") in res and S + "/" in res,
      "external: the other hosts' pages linked from the start page are crawled")

section("includeSubdomains")
res, _e = check_crawl(JOBS["subs"])
check(set(res) == {S + "/", S + "/local.html", "http://www.localhost:%d/w.html" % P},
      "subs: by default the site is localhost and www.localhost")
res, _e = check_crawl(JOBS["subdomains"])
check("http://sub.localhost:%d/page.html" % P in res and "http://deep.sub.localhost:%d/x.html" % P in res
      and not [u for u in res if "notlocalhost" in u or "localhost.example" in u],
      "subdomains: sub.localhost and deep.sub.localhost are in, notlocalhost and localhost.example are not")

section("maxPages, max_results_per_target")
tidy_all, _e = testsite.crawl(model, T + "/")
for name, n in (("maxpages", 5), ("maxresults", 3)):
    jj = JOBS[name]
    res = job_results(jj.id)
    check(jj.row["status"] == "completed", "%s: the job completed" % name, note=str(jj.row["status"]))
    check(len(res) == n and set(res) <= set(tidy_all) and T + "/" in res,
          "%s: exactly %d results, all pages of the site, the start page among them" % (name, n),
          note=str(sorted(res)))
    check_progress(jj, res)
    pages = [r for r in jj.requests("tidy") if r["path"] != "/robots.txt" and r["path"] != "/sitemap.xml"]
    check(len(pages) == n, "%s: %d pages fetched, no more" % (name, n), note=str([r["path"] for r in pages]))

section("selectors")
jj = JOBS["selectors"]
res = job_results(jj.id)
w = res.get(M + "/products/widget.html", {})
fields = (w.get("data") or {}).get("fields") if isinstance(w.get("data"), dict) else None
check(jj.row["status"] == "completed" and list(res) == [M + "/products/widget.html"],
      "selectors: one result, the widget page", note=str(sorted(res)))
check(fields == {"price": "19.99 EUR", "heading": testsite.WIDGET_TITLE, "missing": None},
      "selectors: data.fields has each selector's value (null when nothing matches)", note=repr(w.get("data")))

section("per-job timeout")
jj = JOBS["timeout"]
errs = job_errors(jj.id)
check(jj.row["status"] == "failed", "timeout: the job whose only page times out fails (max_retries 0)",
      note=str(jj.row["status"]))
e = errs.get(M + "/slow.html")
check(e is not None and e[0] == "fetch" and "time" in (e[2] or "").lower(),
      "timeout: slow.html is a fetch error that says it timed out", note=str(errs))
err = jj.row["error"]
check(isinstance(err, dict) and err.get("message"), "timeout: the failed job has an error object", note=repr(err))
# The fetch's own time, not the job's: another job's 429 (Retry-After) may pause this
# host for every job a while, which is right, and would make the job slower.
st = jj.row["stats"] if isinstance(jj.row["stats"], dict) else {}
took = st.get("avgResponseTime")
check(st.get("pagesProcessed") == 1 and isinstance(took, int) and 900 <= took < 2500,
      "timeout: the fetch was cut after about 1 s (it took %s ms; the page takes 3 s)" % took,
      note=json.dumps(st)[:300])


def gaps(reqs):
    starts = sorted(r["start"] for r in reqs if r["path"] not in ("/robots.txt", "/sitemap.xml"))
    return [round(b - a, 2) for a, b in zip(starts, starts[1:])]


section("politeness: robots.txt Crawl-delay, the job's delay, and neither leaking to other jobs")
jj = JOBS["polite"]
res = job_results(jj.id)
g = gaps(jj.requests("polite"))
check(jj.row["status"] == "completed" and len(res) == 4, "polite: 4 results", note=str(sorted(res)))
check(len(g) == 3 and min(g) >= 0.9, "polite: Crawl-delay: 1 keeps page fetches >= 1 s apart", note=str(g))
jj = JOBS["delay"]
g = gaps(jj.requests("tidy"))
check(len(g) == 5 and min(g) >= 0.6, "delay: \"delay\": 700 keeps fetches >= 0.7 s apart", note=str(g))
jj = JOBS["after-delay"]
reqs = [r for r in jj.requests("tidy") if r["path"] not in ("/robots.txt", "/sitemap.xml")]
span = max(r["start"] for r in reqs) - min(r["start"] for r in reqs) if reqs else None
check(jj.row["status"] == "completed" and len(reqs) == 6 and span is not None and span < 1.5,
      "after-delay: a later job on the same host without a delay is not slowed by the earlier job's delay "
      "(6 fetches within %s s)" % (None if span is None else round(span, 2)), note="gaps %s" % gaps(reqs))
jj = JOBS["polite-norobots"]
reqs = [r for r in jj.requests("polite") if r["path"] not in ("/robots.txt", "/sitemap.xml")]
span = max(r["start"] for r in reqs) - min(r["start"] for r in reqs) if reqs else None
check(jj.row["status"] == "completed" and len(reqs) == 4 and span is not None and span < 1.5,
      "polite-norobots: respectRobots false does not honour Crawl-delay, not even one another job "
      "met before (4 fetches within %s s)" % (None if span is None else round(span, 2)), note="gaps %s" % gaps(reqs))

section("the daemon")
check(daemon.alive(), "scrapeqd is still running after every crawl")
code = daemon.stop(20)
check(code == 0, "scrapeqd exits 0 on SIGTERM", note="exit %s; log tail:\n%s" % (code, daemon.tail()))
check(not duplicate_results(), "no duplicate result rows in the whole database")
