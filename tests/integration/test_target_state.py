#!/usr/bin/python3
"""test_target_state.py: jobs.target_state (sql/012, issue 13) always equals the job's
job_targets rows, the aggregate GET job used to compute on every read.

A two-target job (5 quick pages, then 61 slow ones) is created, crawled by daemon A,
sampled while A works (every read must see the row and its targets agree: they change in
one transaction), A is killed -9 and daemon B reclaims the job after its lease, then the
job is cancelled while B crawls and retried; a one-target job completes. At every step
the column equals JSON_ARRAYAGG over job_targets, and GET /api/v1/jobs/{id} shows
exactly the job_targets rows as target_status."""
# integration: daemon

import os

import harness
import testsite
from harness import (Daemon, create_job, db_rows, db_value, job_row, new_project, new_target, request, section,
                     sql_str, uuid_of, wait_for, wait_job)


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


AGG = ("SELECT JSON_ARRAYAGG(JSON_ARRAY(jt.target_id, jt.status, jt.results_count, jt.started_at, "
       "jt.completed_at) ORDER BY jt.position) FROM job_targets jt WHERE jt.job_id = j.id")


def agrees(job):
    """1 when the job's row holds its targets' state (one statement: one snapshot)."""
    return db_value("SELECT j.target_state <=> (%s) FROM jobs j WHERE j.id = %s"
                    % (AGG, sql_str(uuid_of(job)))) == "1"


def target_rows(job):
    return [("tgt_" + t.replace("-", ""), st, int(n)) for t, st, n in db_rows(
        "SELECT target_id, status, results_count FROM job_targets WHERE job_id = %s ORDER BY position"
        % sql_str(uuid_of(job)))]


def api_matches(job):
    """GET job's target_status against the job_targets rows: (ok, note). A daemon may be
    working the job, so the answer counts only when the rows are the same before and after it."""
    note = ""
    for _ in range(50):
        before = target_rows(job)
        r = request("GET", "/api/v1/jobs/%s" % job)
        got = [(t.get("target_id"), t.get("status"), t.get("results_count"))
               for t in (r.json or {}).get("target_status", [])] if r.status == 200 else None
        after = target_rows(job)
        note = "api %s, rows %s" % (got, after)
        if before == after:
            return got == after, note
    return False, "the rows never stood still: " + note


def both(job, what):
    check(agrees(job), "%s: target_state equals the job_targets aggregate" % what,
          note=db_rows("SELECT target_state FROM jobs WHERE id = %s" % sql_str(uuid_of(job))))
    ok, note = api_matches(job)
    check(ok, "%s: GET job's target_status is the job_targets rows" % what, note=note)


Daemon.exclusive()
TOKEN = os.urandom(4).hex()
LEASE = 5
site = testsite.ensure()
C = site.origin("crash")
AGENT = "scrapeq/0.1 (target-state-test %s)" % TOKEN

section("created")
project = new_project(name="target state")
t_quick = new_target(project, url=C + "/quick/")
t_slow = new_target(project, url=C + "/slow/")
job = create_job(project, [t_quick, t_slow], {"userAgent": AGENT, "maxPages": 1000})
ju = sql_str(uuid_of(job))
both(job, "a pending job of two targets")

section("crawled by A, sampled while it works")
a = Daemon("tstate-a-%s" % TOKEN, lease_seconds=str(LEASE)).start()
samples = []


def mid_crawl():
    samples.append(agrees(job))
    n = db_value("SELECT results_count FROM job_targets WHERE job_id = %s AND position = 2" % ju)
    return int(n or 0) >= 5


check(wait_for(mid_crawl, 40, 0.05), "A finished the quick target and stored 5+ pages of the slow one")
check(len(samples) >= 5 and all(samples), "every one of %d reads during the crawl saw the row and its targets "
      "agree" % len(samples), note=str(samples.count(False)))
both(job, "mid-crawl")

section("A killed -9, B reclaims after the lease")
a.kill()
b = Daemon("tstate-b-%s" % TOKEN, lease_seconds=str(LEASE)).start()
check(wait_for(lambda: job_row(job)["retry_count"] == 1, LEASE + 20, 0.1), "B reclaimed the job (retry_count 1)")
both(job, "reclaimed")
check(wait_for(lambda: db_value("SELECT status FROM job_targets WHERE job_id = %s AND position = 2" % ju)
               == "running", 20, 0.1), "B crawls the slow target again")
both(job, "B crawling")

section("cancelled while B crawls, then retried")
r = request("POST", "/api/v1/jobs/%s/cancel" % job)
check(r.status in (200, 202), "cancel is accepted", r)
row = wait_job(job, 30)
check(row["status"] == "cancelled", "the job is cancelled", note=row["status"])
both(job, "cancelled")
r = request("POST", "/api/v1/jobs/%s/retry" % job)
check(r.status in (200, 201), "retry is accepted", r)
rj = r.json.get("id") if r.status in (200, 201) else None
if rj:
    both(rj, "the retry's new job")
    request("POST", "/api/v1/jobs/%s/cancel" % rj)
    wait_job(rj, 30)
    both(rj, "the retry, cancelled")
both(job, "the retried job")

section("a one-target job completes")
one = create_job(project, [t_quick], {"userAgent": AGENT, "maxPages": 1000})
row = wait_job(one, 60)
check(row["status"] == "completed", "it completes", note=row["status"])
both(one, "completed")
check(b.stop(20) == 0, "B exits 0 on SIGTERM", note=b.tail())
bad = db_value("SELECT COUNT(*) FROM jobs j WHERE j.project_id = %s AND NOT (j.target_state <=> (%s))"
               % (sql_str(uuid_of(project)), AGG))
check(bad == "0", "no job of the project disagrees with its targets (%s)" % bad)
