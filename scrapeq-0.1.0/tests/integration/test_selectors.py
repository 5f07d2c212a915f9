#!/usr/bin/python3
"""test_selectors.py: a job's XPath selectors run in scrapeqd's selector workers, off the
loop that fetches and heartbeats, under a CPU-time bound per page ([daemon]
selector_cpu_ms). A hostile selector (count(//*[. = string(/)]), a minute of CPU on the
test site's 2 MB page) is cut off after its 5 s and named in a "selector" crawl error,
while a normal job on the same daemon completes in seconds and the heartbeats go on;
benign selectors still give their values, on the hostile job's other pages too. Then,
with a bound of a minute: a cancel and a SIGTERM with such a page in a worker are as
prompt as without.
"""
# integration: daemon

import datetime
import os
import signal
import time

import testsite
import harness
from harness import (Daemon, api_list, create_job, db_rows, job_errors, job_results, job_row, new_project,
                     new_target, release, request, section, sql_str, uuid_of, wait_for, wait_job)


def check(cond, name, resp=False, note=None):
    """harness.check, showing an HTTP exchange only when one is passed."""
    return harness.check(cond, name, resp, note)


Daemon.exclusive()
TOKEN = os.urandom(4).hex()
site = testsite.ensure()
X = site.origin("xpath")
T = site.origin("tidy")
HOSTILE = "count(//*[. = string(/)])"
LEASE = 6                      # the heartbeat comes every LEASE / 3 s
CPU_S = 5                      # [daemon] selector_cpu_ms: long enough to see heartbeats go on meanwhile
MAX_BODY = "4M"                # the big page is about 2 MB


def ua(name):
    return "scrapeq/0.1 (selectors-test %s %s)" % (name, TOKEN)


def job(name, url, config):
    p = new_project(name="selectors %s" % name)
    cfg = {"userAgent": ua(name), "ignoreSitemap": True}
    cfg.update(config)
    return create_job(p, [new_target(p, url=url)], cfg, max_retries=0, hold=True)


def unix(sql):
    """The first column of a query's rows as Unix seconds (times are stored in UTC)."""
    return [float(r[0]) if r[0] is not None else None
            for r in db_rows("SET time_zone = '+00:00'; " + sql)]


def times(j):
    """(started_at, completed_at) of a job as Unix seconds, or Nones."""
    u = sql_str(uuid_of(j))
    t = unix("SELECT UNIX_TIMESTAMP(started_at) FROM jobs WHERE id = %s UNION ALL "
             "SELECT UNIX_TIMESTAMP(completed_at) FROM jobs WHERE id = %s" % (u, u))
    return (t[0], t[1]) if len(t) == 2 and None not in t else (None, None)


def fetched(name, path):
    """When (nginx's $msec, the response's end) the job's agent got path from the xpath site, or None."""
    for r in site.access_log("xpath"):
        if r["agent"] == ua(name) and r["path"] == path:
            return r["end"]
    return None


def workers(daemon):
    """Pids of the selector workers (children run with --selector-worker) of a daemon."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == daemon.pid and b"--selector-worker" in argv:
            out.append(int(pid))
    return out


def heartbeat(did):
    """The daemon's heartbeat_at from GET /api/v1/status, as Unix seconds, or None."""
    r = request("GET", "/api/v1/status")
    items = ((r.json or {}).get("daemons") or {}).get("items") or [] if r.status == 200 else []
    for i in items:
        if i.get("id") == did and i.get("heartbeat_at"):
            return datetime.datetime.fromisoformat(i["heartbeat_at"].replace("Z", "+00:00")).timestamp()
    return None


section("jobs made while no scrapeqd runs (held)")
SEL = {"heading": "//h1", "price": "//span[@class='price']", "slow": HOSTILE}
alone = job("alone", T + "/", {"depth": 2})
hostile = job("hostile", X + "/", {"depth": 1, "selectors": SEL})
normal = job("normal", T + "/", {"depth": 2})
benign = job("benign", T + "/", {"depth": 2, "selectors": {"heading": "//h1", "title": "string(//title)"}})
cancelled = job("cancel", X + "/big.html", {"depth": 0, "selectors": {"slow": HOSTILE}})
term = job("term", X + "/big.html", {"depth": 0, "selectors": {"slow": HOSTILE}})
tidy_pages = len(testsite.TIDY)

section("a normal job alone")
d = Daemon("sel-1-%s" % TOKEN, lease_seconds=str(LEASE), max_body=MAX_BODY,
           selector_cpu_ms=str(CPU_S * 1000)).start()
release(alone)
ra = wait_job(alone, 60)
s0, e0 = times(alone)
alone_s = e0 - s0 if s0 is not None else None
check(ra["status"] == "completed" and len(job_results(alone)) == tidy_pages,
      "the normal job completes alone with its %d pages" % tidy_pages, note=str(ra["status"]))
check(workers(d) == [], "no selector worker runs for jobs without selectors", note=str(workers(d)))

section("a hostile selector beside a normal job, on one daemon")
release(hostile)
got = wait_for(lambda: fetched("hostile", "/big.html"), 30)
check(got is not None, "the hostile job fetched the 2 MB page")
time.sleep(0.3)                 # its selectors are in a worker now
release(normal)
release(benign)
beats = []


def watch():
    hb = heartbeat(d.id)
    if hb is not None and (not beats or beats[-1] != hb):
        beats.append(hb)
    return job_row(hostile)["status"] in harness.TERMINAL


t_watch = time.monotonic()
wait_for(watch, 90, 0.25)
rh, rn, rb = job_row(hostile), wait_job(normal, 30), wait_job(benign, 30)
s1, e1 = times(normal)
sh, eh = times(hostile)
normal_s = e1 - s1 if s1 is not None else None
check(rn["status"] == "completed" and len(job_results(normal)) == tidy_pages,
      "the normal job completes with its %d pages" % tidy_pages, note=str(rn["status"]))
check(normal_s is not None and normal_s < 10 and eh is not None and e1 < eh,
      "it completes in seconds (%s s; %s s alone), while the hostile page is still in its worker"
      % (None if normal_s is None else round(normal_s, 2), None if alone_s is None else round(alone_s, 2)),
      note="normal ended %s, hostile ended %s" % (e1, eh))
gaps = [round(b - a, 1) for a, b in zip(beats, beats[1:])]
check(len(beats) >= 2 and max(gaps) <= LEASE / 3 + 2,
      "heartbeats go on meanwhile (GET /api/v1/status: %d beats, gaps %s s)" % (len(beats), gaps),
      note="watched %.1f s" % (time.monotonic() - t_watch))
check(len(workers(d)) <= 2, "at most SQ_SELECTOR_WORKERS (2) selector workers", note=str(workers(d)))

section("the hostile job: a crawl error naming the selector, its other pages' values")
check(rh["status"] == "completed", "the hostile job completes", note=str(rh["status"]))
errs = api_list("/api/v1/jobs/%s/errors" % hostile)
want_msg = "selector 'slow' exceeded its CPU time (%d s)" % CPU_S
check(errs is not None and [(e.get("url"), e.get("kind"), e.get("message")) for e in errs] ==
      [(X + "/big.html", "selector", want_msg)],
      "GET errors: the big page is a 'selector' error: \"%s\"" % want_msg, note=str(errs))
r = request("GET", "/api/v1/jobs/%s/errors?kind=selector" % hostile)
check(r.status == 200 and [e.get("url") for e in r.json.get("items", [])] == [X + "/big.html"],
      "kind=selector lists it", r)
res = job_results(hostile)
check(sorted(res) == [X + "/", X + "/small.html"], "the two other pages are results", note=str(sorted(res)))
f = ((res.get(X + "/small.html") or {}).get("data") or {}).get("fields")
check(isinstance(f, dict) and f.get("heading") == "Small" and f.get("price") == "19.99 EUR" and
      f.get("slow") is not None, "small.html: every selector has its value (price 19.99 EUR)", note=repr(f))
cut = unix("SELECT UNIX_TIMESTAMP(created_at) FROM crawl_errors WHERE job_id = %s" % sql_str(uuid_of(hostile)))
took = cut[0] - got if cut and cut[0] and got else None
check(took is not None and CPU_S - 0.1 <= took < CPU_S + 10,
      "the big page was cut off %s s after it was fetched (%d s of CPU, the parse, a 200 ms flush)"
      % (None if took is None else round(took, 2), CPU_S))
check(not harness.duplicate_results(hostile), "no duplicate result rows")
sb, eb = times(benign)
print("# measured: hostile page cut off %.2f s after its fetch; normal job %.2f s beside it, %.2f s alone; "
      "the job with benign selectors %.2f s" % (took or -1, normal_s or -1, alone_s or -1,
                                                 eb - sb if sb is not None else -1))

section("a benign selector job beside it")
res = job_results(benign)
fields = [((x.get("data") or {}).get("fields") or {}) for x in res.values()]
check(rb["status"] == "completed" and len(res) == tidy_pages and
      all(fl.get("heading") and fl.get("title") == fl.get("heading") for fl in fields),
      "every page has its fields (heading, title)", note=str(fields[:3]))
check(job_errors(benign) == {}, "and no crawl error", note=str(job_errors(benign)))
code = d.stop(20)
check(code == 0 and workers(d) == [], "scrapeqd exits 0 on SIGTERM; no worker is left",
      note="exit %s; log tail:\n%s" % (code, d.tail()))

section("cancel and SIGTERM with a page in a worker (bound: a minute)")
d2 = Daemon("sel-2-%s" % TOKEN, lease_seconds=str(LEASE), max_body=MAX_BODY, grace_seconds="3",
            selector_cpu_ms="60000").start()
release(cancelled)
check(wait_for(lambda: fetched("cancel", "/big.html"), 30) is not None, "cancel: the big page was fetched")
time.sleep(0.5)
before = workers(d2)
t0 = time.monotonic()
r = request("POST", "/api/v1/jobs/%s/cancel" % cancelled)
rc = wait_job(cancelled, 20)
took = time.monotonic() - t0
check(r.status == 200 and rc["status"] == "cancelled", "the job is cancelled", r)
gone = wait_for(lambda: len(before) == 1 and not (set(before) & set(workers(d2))), 5)
took = time.monotonic() - t0
check(gone and took < 2, "the daemon saw it and killed its worker within %.1f s (not a minute)" % took,
      note="before %s, now %s" % (before, workers(d2)))
check(job_errors(cancelled) == {}, "no crawl error for the page dropped", note=str(job_errors(cancelled)))
release(term)
check(wait_for(lambda: fetched("term", "/big.html"), 30) is not None, "SIGTERM: the big page was fetched")
time.sleep(0.5)
t0 = time.monotonic()
code = d2.stop(60)
took = time.monotonic() - t0
check(code == 0 and took < 3 + 4, "scrapeqd exits 0 after its 3 s grace, in %.1f s" % took,
      note="exit %s; log tail:\n%s" % (code, d2.tail()))
rt = job_row(term)
check(rt["status"] == "pending" and job_errors(term) == {}, "the job was released back to the queue, no error",
      note=str(rt["status"]))
request("POST", "/api/v1/jobs/%s/cancel" % term)
