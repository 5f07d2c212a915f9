#!/usr/bin/python3
"""test_outbox.py: every change of a job writes one job_events row through the lifecycle door.

A seed 001 worker walks one job through every client move from the service's answers:
created, claimed with /next, updated without a move, failed, marked cancelled (the seed's
failed -> cancelled), retried, cancelled again. The outbox (job_events, which the event
hub and webhooks read) then holds one row per change, in order, each status move with
its old and new status; the daemon's own moves are checked by the daemon suite's files.
"""

import harness
from harness import check, job_events, new_user, request, section

NAME, PASSWORD, TOKEN = new_user("outbox")


def data(r):
    return r.json.get("data") if isinstance(r.json, dict) else None


def call(method, path, body=None):
    return request(method, path, body, token=TOKEN)


section("a seed 001 worker's job, move by move")
r = call("POST", "/api/v1/projects", {"name": harness.uniq("outbox ")})
check(r.status == 201, "a project of the worker's own", r)
P = r.json.get("id") if r.status == 201 else None
r = call("POST", "/api/scrape-jobs", {"domain": "outbox.example.com", "project_id": P})
check(r.status == 201 and (data(r) or {}).get("status") == "pending", "the job is created pending", r)
J = (data(r) or {}).get("id", "")
r = call("POST", "/api/scrape-jobs/next")
check(r.status == 200 and (data(r) or {}).get("id") == J, "/next claims it", r)
steps = [
    ("PUT", "/api/scrape-jobs/%s" % J, {"stats": {"pages": 3}}, 200, "a PUT without a status"),
    ("PUT", "/api/scrape-jobs/%s" % J, {"status": "failed", "error_message": "boom"}, 200, "PUT failed"),
    ("PUT", "/api/scrape-jobs/%s" % J, {"status": "cancelled"}, 200, "PUT cancelled on a failed job"),
    ("POST", "/api/scrape-jobs/%s/retry" % J, None, 200, "retry of the cancelled job"),
    ("DELETE", "/api/scrape-jobs/%s" % J, None, 200, "DELETE cancels the pending job"),
]
for method, path, body, want, name in steps:
    r = call(method, path, body)
    check(r.status in (want, 201, 204), name + " is accepted", r)

ev = job_events(J)
types = [t for t, _d in ev]
check(types == ["created", "started", "updated", "failed", "cancelled", "requeued", "cancelled"],
      "one event per change, in order: created, started, updated, failed, cancelled, requeued, cancelled",
      note=str(types))
moves = [(d.get("old_status"), d.get("status")) for t, d in ev if t not in ("created", "updated")]
check(moves == [("pending", "running"), ("running", "failed"), ("failed", "cancelled"),
                ("cancelled", "pending"), ("pending", "cancelled")],
      "each move's event names its old and new status", note=str(moves))
started = ev[1][1] if len(ev) > 1 else {}
check(isinstance(started, dict) and started.get("daemon", "").startswith("api:"),
      "the claim's event names the worker that holds the lease", note=str(started))
failed = ev[3][1] if len(ev) > 3 else {}
check(isinstance(failed, dict) and isinstance(failed.get("error"), dict)
      and "boom" in failed["error"].get("message", ""), "the failed event carries the error", note=str(failed))
check(all(isinstance(d, dict) and "total_results" in d for t, d in ev if t not in ("created", "updated")),
      "every status event carries total_results", note=str(ev))

section("a refused move writes nothing")
before = len(job_events(J))
r = call("PUT", "/api/scrape-jobs/%s" % J, {"status": "running"})
check(r.status == 400, "cancelled -> running is refused", r)
r = call("DELETE", "/api/scrape-jobs/%s" % J)
check(r.status in (400, 409), "a second cancel is refused", r)
check(len(job_events(J)) == before, "no event for either refusal", note=str(job_events(J)[before:]))
