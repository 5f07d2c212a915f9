#!/usr/bin/python3
"""test_metrics_daemon.py: GET /metrics' page counters after real crawls of the local
test site: fetched, stored, failed and bytes grow by exactly what the jobs' own stats
say, within a heartbeat; a daemon that stops flushes what it did since its last
heartbeat; started again under the same id it keeps adding to its row; daemons alive
follows it."""
# integration: daemon

import time

import testsite
import harness
from harness import wait_for, Daemon, create_job, job_row, new_project, new_target, section, wait_job
from metricsclient import diff, scrape, val


def check(cond, name, note=None):
    return harness.check(cond, name, False, note)




PAGES = ("scrapeq_pages_fetched_total", "scrapeq_pages_stored_total", "scrapeq_pages_failed_total",
         "scrapeq_fetched_bytes_total")
STATS = ("pagesProcessed", "resultsStored", "failedRequests", "bytesDownloaded")


def crawl(url, config):
    p = new_project(name="metrics crawl", max_results_per_target=100)
    t = new_target(p, url=url)
    j = create_job(p, [t], config)
    row = wait_job(j, 120)
    return j, row


def totals(samples):
    return tuple(val(samples, n) for n in PAGES)


Daemon.exclusive()
site = testsite.ensure()
M = site.origin("main")

section("a crawl: the page counters grow by the job's own stats within a heartbeat (lease 6 s: every 2 s)")
_, s0 = scrape()
d = Daemon("metrics-d1").start()
check(wait_for(lambda: val(scrape()[1], "scrapeq_daemons_alive") >= 1, 10), "scrapeq_daemons_alive counts it")
j1, row = crawl(M + "/", {"depth": 1})
check(row["status"] == "completed", "the crawl completed", "status %s" % row["status"])
st = row["stats"] or {}
want = tuple(st.get(k, -1) for k in STATS)
check(want[0] > 0 and want[1] > 0 and want[3] > 0, "it fetched and stored pages: %s" % (want,))
got = wait_for(lambda: (lambda s: totals(s) if tuple(a - b for a, b in zip(totals(s), totals(s0))) == want
                        else None)(scrape()[1]), 15)
_, s1 = scrape()
check(got is not None, "fetched, stored, failed, bytes grew by the job's stats %s" % (want,),
      "grew by %s" % (tuple(diff(s0, s1, n) for n in PAGES),))

section("a crawl with failing URLs counts them as failed")
j2, row = crawl(M + "/", {"depth": 1, "excludePaths": []})
bad, brow = crawl(site.origin("main") + "/no-such-page-%d" % int(time.time()), {"depth": 0})
st2, stb = row["stats"] or {}, brow["stats"] or {}
want2 = tuple(st2.get(k, 0) + stb.get(k, 0) for k in STATS)
check(stb.get("failedRequests", 0) >= 1, "the missing page is a failed request: %s" % stb.get("failedRequests"))
got = wait_for(lambda: tuple(diff(s1, scrape()[1], n) for n in PAGES) == want2, 15)
check(got, "the counters grew by both jobs' stats %s" % (want2,),
      "grew by %s" % (tuple(diff(s1, scrape()[1], n) for n in PAGES),))

section("a stopping daemon flushes; the same id started again keeps adding; alive follows it")
_, s2 = scrape()
j3, row = crawl(M + "/", {"depth": 0})
st3 = row["stats"] or {}
rc = d.stop()
check(rc == 0, "scrapeqd stopped cleanly", "exit %s" % rc)
_, s3 = scrape()
check(tuple(diff(s2, s3, n) for n in PAGES) == tuple(st3.get(k, 0) for k in STATS),
      "at once after its stop the counters hold the last job's stats (no heartbeat lost)",
      "grew by %s, want %s" % (tuple(diff(s2, s3, n) for n in PAGES), tuple(st3.get(k, 0) for k in STATS)))
check(val(s3, "scrapeq_daemons_alive") == val(s0, "scrapeq_daemons_alive"),
      "a stopped daemon is not alive")
d = Daemon("metrics-d1").start()
j4, row = crawl(M + "/", {"depth": 0})
st4 = row["stats"] or {}
got = wait_for(lambda: tuple(diff(s3, scrape()[1], n) for n in PAGES) == tuple(st4.get(k, 0) for k in STATS), 15)
check(got, "started again as metrics-d1, its row's counters go on from where they were")
_, s4 = scrape()
check(all(val(s4, n) >= val(s3, n) for n in PAGES), "no counter went back")
d.stop()
