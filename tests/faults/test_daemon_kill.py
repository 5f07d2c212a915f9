#!/usr/bin/python3
"""test_daemon_kill.py: a scrapeqd killed with SIGKILL while it and a second daemon
crawl several jobs at once.

Daemon A takes two jobs and daemon B two others (each job: the test site's quick
target, 5 pages, and its slow target, pages at about 1 KB/s, at most 16 of them). When
A has stored part of each of its slow targets it is killed -9. B finishes its own jobs,
reclaims A's once their leases expire and completes them. Then: every job completed;
A's jobs with retry_count 1, B's with 0; no duplicate result rows; each target's
results_count and each job's total_results equal the rows; every page fetched at
most twice (once by A, once by B). Figures: time from the kill to the reclaim and to
the last completion. test_crash.py (integration) has the one-job version with the
exact page lists and the log lines; this one is about several jobs on two daemons.
"""
# faults: daemon

import os
import time

import faults  # noqa: F401 (puts tests/integration on the path)
import testsite
from faults import figures
from harness import (Daemon, check, create_job, db_rows, db_value, duplicate_results, job_row, new_project,
                     new_target, release, section, sql_str, uuid_of, wait_for)

LEASE = 5
MAXP = 16
TOKEN = os.urandom(3).hex()

Daemon.exclusive()
site = testsite.ensure()
C = site.origin("crash")
AGENT = "scrapeq/0.1 (daemon-kill %s)" % TOKEN

section("four jobs of two targets each, held while no daemon runs")
jobs = []
for i in range(4):
    p = new_project(name="daemon-kill %d" % i)
    tq = new_target(p, url=C + "/quick/")
    ts = new_target(p, url=C + "/slow/")
    jobs.append(create_job(p, [tq, ts], {"userAgent": AGENT, "maxPages": MAXP}, hold=True))
ju = [sql_str(uuid_of(j)) for j in jobs]

section("A takes two, B takes two")
# A fetches one page at a time, so that the kill finds both its jobs mid-target: with
# the default 8 connections to the crash origin (issue 13 stopped CURLOPT_PIPEWAIT from
# holding plain-HTTP fetches one behind another) A had stored 20 and 18 of each job's
# 21 pages by the time both had 3 slow ones, and finished one before the kill.
a = Daemon("kill-a-%s" % TOKEN, lease_seconds=str(LEASE), max_jobs="2", claim_batch="2",
           per_host_connections="1").start()
release(jobs[0])
release(jobs[1])
check(wait_for(lambda: all(job_row(j)["lease_owner"] == a.id for j in jobs[:2]), 20),
      "A runs jobs 1 and 2", False, str([job_row(j)["lease_owner"] for j in jobs[:2]]))
b = Daemon("kill-b-%s" % TOKEN, lease_seconds=str(LEASE), max_jobs="4", claim_batch="2").start()
release(jobs[2])
release(jobs[3])
check(wait_for(lambda: all(job_row(j)["lease_owner"] == b.id for j in jobs[2:]), 20),
      "B runs jobs 3 and 4", False, str([job_row(j)["lease_owner"] for j in jobs[2:]]))


def slow_stored(u):
    return int(db_value("SELECT COUNT(*) FROM results WHERE job_id = %s AND url LIKE '%%/slow/%%'" % u) or 0)


# A's host queue may serve one job's pages ahead of the other's, so one of its jobs can
# finish before the other has 3 slow pages: the kill then finds only one mid-target, and
# the expectations below follow what each job was at the kill.
check(wait_for(lambda: all(slow_stored(u) >= 3 or job_row(j)["status"] == "completed"
                           for j, u in zip(jobs[:2], ju[:2])), 60, 0.1),
      "A stored 3+ slow pages of each of its jobs (or finished one)", False,
      str([slow_stored(u) for u in ju[:2]]))
stored = [int(db_value("SELECT COUNT(*) FROM results WHERE job_id = %s" % u)) for u in ju[:2]]
a.kill()
t_kill = time.monotonic()
cut = [job_row(j)["status"] == "running" for j in jobs[:2]]    # A's jobs the kill cut short
check(not a.alive() and any(cut), "A killed -9 with %s results stored, %d of its 2 jobs mid-crawl"
      % (stored, sum(cut)), False)

section("B finishes everything")


def owner_b():
    return all(job_row(j)["lease_owner"] == b.id or job_row(j)["status"] == "completed" for j in jobs[:2])


wait_for(owner_b, LEASE + 20, 0.1)
t_reclaim = time.monotonic() - t_kill
done = wait_for(lambda: all(job_row(j)["status"] in ("completed", "failed", "cancelled") for j in jobs), 120, 0.2)
t_done = time.monotonic() - t_kill
rows = [job_row(j) for j in jobs]
check(done and all(r["status"] == "completed" for r in rows), "all four jobs completed, %.1f s after the kill"
      % t_done, False, str([r["status"] for r in rows]))
want = [1 if c else 0 for c in cut] + [0, 0]
check([r["retry_count"] for r in rows] == want, "retry_count 1 for A's jobs cut by the kill, 0 for the others",
      False, "%s, want %s" % ([r["retry_count"] for r in rows], want))
check(t_reclaim >= LEASE - 1, "A's jobs were not taken before their lease ran out (%.1f s after the kill)"
      % t_reclaim, False)
dups = [d for j in jobs for d in duplicate_results(j)]
check(not dups, "no duplicate result rows", False, str(dups[:5]))
bad = []
for j, u, r in zip(jobs, ju, rows):
    real = dict(db_rows("SELECT target_id, COUNT(*) FROM results WHERE job_id = %s GROUP BY target_id" % u))
    for tid, n, st in db_rows("SELECT target_id, results_count, status FROM job_targets WHERE job_id = %s" % u):
        if int(n) != int(real.get(tid, 0)) or st != "completed":
            bad.append((j, tid, n, real.get(tid), st))
    total = sum(int(v) for v in real.values())
    if r["total_results"] != total or r["completed_targets"] != r["total_targets"]:
        bad.append((j, "job", r["total_results"], total, r["completed_targets"], r["total_targets"]))
    if total != 5 + MAXP:
        bad.append((j, "results", total, "want", 5 + MAXP))
check(not bad, "each target's results_count and each job's total_results equal the rows (%d each)" % (5 + MAXP),
      False, str(bad[:5]))
fetched = {}
for x in site.access_log("crash", 0):
    if x["agent"] == AGENT and x["path"].startswith(("/quick/", "/slow/")):   # not robots.txt, sitemaps
        fetched[x["path"]] = fetched.get(x["path"], 0) + 1
# Four jobs share the pages: each page at most 4 fetches + one refetch per job of A's.
check(fetched and max(fetched.values()) <= 6, "no page fetched more than once per job, but A's pages once more "
      "by B (max %d fetches of a page by 4 jobs)"
      % max(fetched.values() or [0]), False)
check(b.stop(20) == 0, "B exits 0 on SIGTERM", False, b.tail())
figures("daemon_kill", jobs=4, daemons=2, lease_s=LEASE, kill_to_reclaim_s=round(t_reclaim, 1),
        kill_to_all_completed_s=round(t_done, 1), duplicates=len(dups),
        refetched_pages=sum(1 for v in fetched.values() if v > 4))
