#!/usr/bin/python3
"""test_crash.py: a scrapeqd killed with SIGKILL in the middle of a crawl.

Daemon A claims a two-target job (a quick target, then a slow one: 61 pages at about
2 s each), finishes the first target, stores part of the second, and is killed -9.
Daemon B, started at once, must leave the job alone until A's lease expires, then
reclaim it (retry_count + 1, a log line naming A), skip the completed target, finish
the slow one, and leave no duplicate result rows; the progress columns must equal
the real counts.
"""
# integration: daemon

import os
import time

import harness
import testsite
from harness import (Daemon, create_job, db_rows, db_value, duplicate_results, job_events, job_logs,
                     job_results, job_row, new_project, new_target, request, section, sql_str, uuid_of, wait_for,
                     wait_job)


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


Daemon.exclusive()
TOKEN = os.urandom(4).hex()
LEASE = 5
site = testsite.ensure()
model = testsite.Model(site.port)
C = site.origin("crash")
AGENT = "scrapeq/0.1 (crash-test %s)" % TOKEN

section("a two-target job, made while no daemon runs")
project = new_project(name="crash")
t_quick = new_target(project, url=C + "/quick/")
t_slow = new_target(project, url=C + "/slow/")
job = create_job(project, [t_quick, t_slow], {"userAgent": AGENT, "maxPages": 1000})
ju = sql_str(uuid_of(job))
want_quick, _e = testsite.crawl(model, C + "/quick/")
want_slow, _e = testsite.crawl(model, C + "/slow/")
check(len(want_quick) == 5 and len(want_slow) == 61, "the model: 5 quick pages, 61 slow ones")
mark = site.log_size("crash")

section("daemon A crawls, then is killed -9")
a = Daemon("crash-a-%s" % TOKEN, lease_seconds=str(LEASE)).start()


def mid_crawl():
    n = db_value("SELECT COUNT(*) FROM results WHERE job_id = %s AND url LIKE '%%/slow/%%'" % ju)
    done = db_value("SELECT status FROM job_targets WHERE job_id = %s AND position = "
                    "(SELECT MIN(position) FROM job_targets WHERE job_id = %s)" % (ju, ju))
    return int(n or 0) >= 10 and done == "completed"


check(wait_for(mid_crawl, 40, 0.1), "A finished the quick target and stored 10+ pages of the slow one")
before = job_row(job)
stored = int(db_value("SELECT COUNT(*) FROM results WHERE job_id = %s" % ju))
a.kill()
t_kill = time.time()
expiry = float(db_value("SELECT UNIX_TIMESTAMP(lease_expires_at) FROM jobs WHERE id = %s" % ju))
check(before["status"] == "running" and before["lease_owner"] == a.id,
      "the job was running under A's lease", note=str({k: before[k] for k in ("status", "lease_owner")}))
check(not a.alive(), "A is gone (SIGKILL), %d results stored, lease ends in %.1f s" % (stored, expiry - t_kill))

section("daemon B waits for the lease, reclaims, finishes")
b = Daemon("crash-b-%s" % TOKEN, lease_seconds=str(LEASE)).start()


def owner_changed():
    row = job_row(job)
    return row if row["lease_owner"] != a.id else None


changed = wait_for(owner_changed, LEASE + 15, 0.1)
t_changed = time.time()
check(changed is not None and t_changed >= expiry - 0.3,
      "nobody takes the job before A's lease expires (taken %.1f s after the expiry)" % (t_changed - expiry),
      note=str(changed and {k: changed[k] for k in ("status", "lease_owner")}))
check(changed is not None and t_changed - expiry <= 12,
      "B reclaims it within 12 s of the expiry (%.1f s)" % (t_changed - expiry))
row = wait_job(job, 90)
check(row["status"] == "completed", "B completes the job", note=str({k: row[k] for k in ("status", "error")}))
check(row["retry_count"] == 1, "retry_count is 1 after the reclaim", note=str(row["retry_count"]))
logs = [m for _l, m in job_logs(job)]
lost = [m for m in logs if a.id in m]
check(lost and "lost" in lost[0], "a log line names the lost daemon", note=str(lost or logs[-6:]))
check("Job started (retry 1)" in logs, "B logs \"Job started (retry 1)\"", note=str(logs[-8:]))
ev = job_events(job)
started = [d.get("daemon") if isinstance(d, dict) else d for t, d in ev if t == "started"]
requeued = [d for t, d in ev if t == "requeued"]
check(started == [a.id, b.id], "two \"started\" events, by A then by B", note=str(started))
check(len(requeued) == 1 and isinstance(requeued[0], dict) and requeued[0].get("lost_daemon") == a.id,
      "one \"requeued\" event naming the lost daemon", note=str(requeued))

section("what is stored")
res = job_results(job)
check(set(res) == set(want_quick) | set(want_slow), "every page of both targets is a result (%d)"
      % (len(want_quick) + len(want_slow)), note="missing %s" % sorted(set(want_quick) | set(want_slow) - set(res)))
dups = duplicate_results(job)
check(not dups, "no duplicate result rows (SELECT url_hash, COUNT(*) ... HAVING COUNT(*) > 1 is empty)",
      note=str(dups))
tr = {int(p): (s, int(n), t) for p, s, n, t in db_rows(
    "SELECT position, status, results_count, target_id FROM job_targets WHERE job_id = %s" % ju)}
real = dict(db_rows("SELECT target_id, COUNT(*) FROM results WHERE job_id = %s GROUP BY target_id" % ju))
check(all(s == "completed" for s, _n, _t in tr.values()), "both targets completed", note=str(tr))
check(all(n == int(real.get(t, 0)) for _s, n, t in tr.values()),
      "each target's results_count equals its result rows", note="%s vs %s" % (tr, real))
check(row["total_results"] == len(res) and row["completed_targets"] == row["total_targets"] == 2,
      "jobs.total_results (%s) = rows (%d); completed_targets = total_targets = 2 (%s/%s)"
      % (row["total_results"], len(res), row["completed_targets"], row["total_targets"]))
r = request("GET", "/api/v1/jobs/%s" % job)
prog = (r.json or {}).get("progress") or {} if r.status == 200 else {}
check(prog.get("percentage") == 100 and prog.get("total_results") == len(res),
      "GET /api/v1/jobs/{id} shows 100%% and %d results" % len(res), r)
quick = {}
for x in site.access_log("crash", mark):
    if x["agent"] == AGENT and x["path"].startswith("/quick/"):
        quick[x["path"]] = quick.get(x["path"], 0) + 1
check(len(quick) == 5 and all(n == 1 for n in quick.values()),
      "the completed target is not crawled again: each quick page fetched once", note=str(quick))
check(b.stop(20) == 0, "B exits 0 on SIGTERM", note=b.tail())
