#!/usr/bin/python3
"""test_events_daemon.py: scrapeq-events while a real scrapeqd runs jobs on the local test
site: a WebSocket watcher reads a whole job from pending to completed (every target's
messages, progress, then completed and a normal close), the job's and the project's SSE
streams carry every outbox row of it once and in order, and a job whose only target
fails ends its watch with target_failed and failed (with the error)."""
# integration: daemon

import os
import time

import testsite
import harness
from harness import ADMIN_TOKEN, Daemon, create_job, db_sql, new_project, new_target, section, sql_str, uuid_of
from evclient import SSE, WS


def check(cond, name, note=None):
    return harness.check(cond, name, False, note)


def outbox_ids(job):
    return [int(x) for x in db_sql("SELECT id FROM job_events WHERE job_id = %s ORDER BY id"
                                   % sql_str(uuid_of(job))).split()]


Daemon.exclusive()
site = testsite.ensure()
T = site.origin("tidy")
UA = "scrapeq/0.1 (events-test %s)" % os.urandom(4).hex()

section("a WebSocket watcher reads a whole job, pending to completed")
p = new_project(name="events ws")
targets = [new_target(p, url=T + "/s1.html"), new_target(p, url=T + "/s2.html"), new_target(p, url=T + "/s3.html")]
job = create_job(p, targets, {"depth": 1, "userAgent": UA})
ws = WS("/api/v1/jobs/%s/ws?token=%s" % (job, ADMIN_TOKEN))
check(ws.status == 101, "upgraded (101) while the job is pending", "got %s %r" % (ws.status, ws.body))
first = ws.recv_json(5)
check(first and first["type"] == "progress" and first["data"]["status"] == "pending" and
      first["data"]["job_id"] == job, "first: the job's state, pending", "got %r" % first)
sse_job = SSE("/api/v1/jobs/%s/events" % job, ADMIN_TOKEN, last_event_id=0)
sse_proj = SSE("/api/v1/projects/%s/events" % p, ADMIN_TOKEN, last_event_id=0)
# The failing job of the last section: created (with its options) before any daemon runs.
p2 = new_project(name="events fail")
dead = new_target(p2, url="http://127.0.0.1:1/")
job2 = create_job(p2, [dead], {"userAgent": UA}, max_retries=0)
ws2 = WS("/api/v1/jobs/%s/ws" % job2, ADMIN_TOKEN)

d = Daemon("events-d1")
d.start()
t0 = time.monotonic()
msgs = ws.until_close(120)
took = time.monotonic() - t0
types = [m["type"] for m in msgs]
check(ws.close_code == 1000, "the watch ends with close 1000 when the job completes (%.1f s)" % took,
      "close %r %r" % (ws.close_code, ws.close_reason))
check(types and types[-1] == "completed" and types.count("completed") == 1,
      "'completed' is the last message, once", "types %r" % types)
for kind in ("target_started", "target_completed"):
    got = sorted(m["data"]["current_target"] for m in msgs if m["type"] == kind)
    check(got == sorted(targets), "a %s message for each of the 3 targets, naming it (tgt_)" % kind,
          "got %r want %r" % (got, sorted(targets)))
for t in targets:
    seq = [m["type"] for m in msgs if m["type"].startswith("target_") and m["data"]["current_target"] == t]
    check(seq == ["target_started", "target_completed"], "target %s: started, then completed" % t[:12],
          "got %r" % seq)
check(all(m["data"]["job_id"] == job and set(m) == {"type", "data"} for m in msgs) and
      all(isinstance(m["data"]["percentage"], int) and 0 <= m["data"]["percentage"] <= 100 for m in msgs),
      "every message: seed 000's {type, data} for this job, percentage 0..100")
check(any(m["type"] == "progress" and m["data"]["status"] == "running" for m in msgs),
      "progress messages while running", "types %r" % types)
last = msgs[-1]["data"] if msgs else {}
row = harness.job_row(job)
check(last.get("status") == "completed" and last.get("percentage") == 100 and
      last.get("results_count") == row["total_results"] and row["total_results"] > 0,
      "completed: 100%%, results_count = the job's %s results" % row["total_results"], "got %r" % last)
# The created row may come live too, when the hub's tick had not read it before the watcher came.
want_n = len([1 for t, _ in harness.job_events(job) if t != "created"])
got_n = len([m for m in msgs if m["data"]["event"] != "created"])
check(got_n == want_n, "one message per outbox row after the first state (%d)" % want_n,
      "got %d messages for %d rows" % (got_n, want_n))

section("the job's and the project's SSE streams carry every row once, in order")
ids = outbox_ids(job)
got_j = [e[0] for e in sse_job.collect(len(ids), 20)]
got_p = [e[0] for e in sse_proj.collect(len(ids), 20)]
check(got_j == ids, "job stream from Last-Event-ID 0: all %d rows" % len(ids), "got %r want %r" % (got_j, ids))
check(got_p == ids, "project stream from Last-Event-ID 0: all %d rows" % len(ids), "got %r want %r" % (got_p, ids))
sse_job.close()
sse_proj.close()

section("a job whose target fails: target_failed, then failed with its error, then close")
msgs2 = ws2.until_close(120) if ws2.status == 101 else []
types2 = [m["type"] for m in msgs2]
check("target_failed" in types2 and types2[-1] == "failed" and ws2.close_code == 1000,
      "target_failed, then failed last, then close 1000", "types %r close %r" % (types2, ws2.close_code))
check(msgs2 and isinstance(msgs2[-1]["data"].get("error"), dict),
      "failed carries the job's error object", "got %r" % (msgs2[-1] if msgs2 else None))
d.stop()
