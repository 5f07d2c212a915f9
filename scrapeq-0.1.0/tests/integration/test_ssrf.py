#!/usr/bin/python3
"""test_ssrf.py: the crawler never connects to loopback, private, link-local,
unique-local, shared or metadata addresses unless [daemon] allow_networks lists them,
redirects included, and says so: crawl_errors rows of kind "refused", a warning in
the job's log, the job failed when every target was refused.

The daemon here runs with allow_networks = 127.0.0.2/32 only: 127.0.0.2 plays the
part of a public site (there is no DNS here), and its /to-* paths redirect to
127.0.0.1, 169.254.169.254, 10.0.0.1 and localhost. Names that resolve to private
addresses are "localhost" and "sub.localhost" (libcurl resolves *.localhost itself):
the guard judges the address each connection is opened to, so a public-looking name
that resolves to a private address is the same case. The test site's nginx logs show
that no request with this test's user agent reached the loopback servers.
"""
# integration: daemon

import os
import re

import harness
import testsite
from harness import (REPO, Daemon, create_job, db_rows, job_errors, job_logs, job_row, new_project, request,
                     section, sql_str, uuid_of, wait_job)


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


Daemon.exclusive()
TOKEN = os.urandom(4).hex()
site = testsite.ensure()
P = site.port
E = site.origin("ext")
AGENT = "scrapeq/0.1 (ssrf-test %s)" % TOKEN

section("the shipped config allowlists nothing")
with open(os.path.join(REPO, "etc", "scrapeq.conf")) as f:
    live = [line for line in f if re.match(r"^\s*allow_networks\s*=\s*\S", line)]
check(not live, "etc/scrapeq.conf sets no allow_networks (only a commented example)", note=str(live))

DIRECT = [  # (URL, what it is)
    ("http://127.0.0.1:%d/" % P, "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[::1]:%d/" % P, "IPv6 loopback"),
    ("http://[::ffff:127.0.0.1]:%d/mapped" % P, "IPv4-mapped loopback"),
    ("http://2130706433:%d/decimal" % P, "loopback as one decimal number"),
    ("http://0x7f000001:%d/hex" % P, "loopback in hex"),
    ("http://0.0.0.0:%d/" % P, "unspecified (reaches local services on Linux)"),
    ("http://localhost:%d/" % P, "a name that resolves to loopback"),
    ("http://sub.localhost:%d/page.html" % P, "a subdomain name that resolves to loopback"),
    ("http://[fd00::1]/", "unique-local"),
    ("http://100.64.0.1/", "shared (CGNAT)"),
    ("http://192.168.1.1/", "private"),
]
REDIRECTS = [  # (URL on the allowlisted host, where it sends the crawler)
    (E + "/to-loopback", "http://127.0.0.1:%d/" % P),
    (E + "/to-metadata", "http://169.254.169.254/latest/meta-data/"),
    (E + "/to-private", "http://10.0.0.1/"),
    (E + "/to-localhost", "http://localhost:%d/" % P),
]


def targets_for(project, urls):
    """Creates the targets through the API; returns ({url: target id}, {url: refusal})."""
    ids, refused = {}, {}
    for u in urls:
        r = request("POST", "/api/v1/projects/%s/targets" % project, {"url": u})
        if r.status == 201:
            ids[u] = r.json["id"]
        else:
            refused[u] = "%s %s" % (r.status, (r.json or {}).get("error", {}).get("message", ""))
    return ids, refused


section("jobs (made while no daemon runs)")
jobs = {}
for name, urls, cfg in (
        ("direct", [u for u, _w in DIRECT], {}),
        ("direct-norobots", [u for u, _w in DIRECT], {"respectRobots": False}),
        ("redirects", [u for u, _t in REDIRECTS], {"allowExternalLinks": True}),
        ("redirects-norobots", [u for u, _t in REDIRECTS], {"allowExternalLinks": True, "respectRobots": False}),
        ("in-scope", [E + "/", E + "/to-loopback"], {})):
    p = new_project(name="ssrf %s" % name)
    ids, api_refused = targets_for(p, urls)
    if api_refused:
        print("# %s: the API refused these targets: %s" % (name, api_refused))
    cfg = dict(cfg, userAgent=AGENT, timeout=5000)
    jobs[name] = (create_job(p, list(ids.values()), cfg, max_retries=0), ids, api_refused)
check(all(len(ids) + len(refused) > 0 for _j, ids, refused in jobs.values()), "jobs created")
marks = {o: site.log_size(o) for o in ("main", "subs", "ext")}

section("a daemon whose allowlist is 127.0.0.2/32 only")
d = Daemon("ssrf-%s" % TOKEN, allow_networks="127.0.0.2/32", user_agent=AGENT, timeout="5").start()
rows = {name: wait_job(j, 60) for name, (j, _i, _r) in jobs.items()}
check(all(r["status"] in ("completed", "failed") for r in rows.values()), "every job ended",
      note=str({n: r["status"] for n, r in rows.items()}))


def norm(u):
    return testsite._norm(u)


def refused_rows(name, urls, what, only_targets=True):
    j, ids, _api = jobs[name]
    errs = job_errors(j)
    for u in urls:
        if only_targets and u not in ids:
            continue
        n = norm(u)
        # libcurl writes numeric IPv4 hosts in dotted form: look for the URL by path too.
        hit = errs.get(n) or next((errs[k] for k in errs if k.endswith(n.split("/", 3)[-1]) and
                                   re.sub(r"//[^/]+", "", k) == re.sub(r"//[^/]+", "", n)), None)
        check(hit is not None and hit[0] == "refused",
              "%s: %s (%s) is refused: crawl_errors kind \"refused\"" % (name, u, what(u)),
              note="stored: %s" % (hit,))
    return errs


section("direct targets")
for name in ("direct", "direct-norobots"):
    j, ids, _api = jobs[name]
    refused_rows(name, ids, lambda u: dict(DIRECT)[u])
    row = rows[name]
    check(row["status"] == "failed" and isinstance(row["error"], dict) and row["error"].get("message"),
          "%s: every target refused: the job failed, with an error object" % name,
          note=str({k: row[k] for k in ("status", "error", "retry_count")}))
    ts = db_rows("SELECT status, error FROM job_targets WHERE job_id = %s" % sql_str(uuid_of(j)))
    check(ts and all(s == "failed" and e and "efused" in e for s, e in ts),
          "%s: each target failed with the refusal as its reason" % name, note=str(ts[:4]))
    logs = [m for lvl, m in job_logs(j) if lvl == "warning" and m.startswith("Refused")]
    check(len(logs) >= len(ids), "%s: a warning \"Refused: ... address\" in the job's log per target (%d)"
          % (name, len(logs)), note=str(logs[:3]))

section("redirects from the allowlisted host")
for name in ("redirects", "redirects-norobots"):
    j, ids, _api = jobs[name]
    refused_rows(name, [t for _u, t in REDIRECTS], lambda u: "a redirect's destination", only_targets=False)
    row = rows[name]
    check(row["status"] == "failed", "%s: the job failed (every redirect led to a refused address)" % name,
          note=str({k: row[k] for k in ("status", "error")}))
j, ids, _api = jobs["in-scope"]
row = rows["in-scope"]
errs = job_errors(j)
check(row["status"] == "completed" and E + "/to-loopback" in errs,
      "in-scope: without allowExternalLinks the redirect off the site is an error, the other target completes",
      note="%s %s" % (row["status"], errs))

section("nothing reached the loopback servers")
leaked = [(o, x["host"], x["path"]) for o in ("main", "subs") for x in site.access_log(o, marks[o])
          if x["agent"] == AGENT]
check(not leaked, "no request with this test's user agent reached 127.0.0.1 (main, localhost)", note=str(leaked))
ext = [x["path"] for x in site.access_log("ext", marks["ext"]) if x["agent"] == AGENT]
check(any(p.startswith("/to-") for p in ext), "the allowlisted host was fetched (the redirects were followed)",
      note=str(ext))
check(d.stop(20) == 0, "the daemon exits 0 on SIGTERM", note=d.tail())
