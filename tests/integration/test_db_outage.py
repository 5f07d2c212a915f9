#!/usr/bin/python3
"""test_db_outage.py: MariaDB stopped and started again under a running scrapeq-api.

While the database is down every request that needs it is a 503 SERVICE_UNAVAILABLE
in the dialect's envelope within 2 s (never a 401 because a token could not be looked
up, never a hang); ping without db keeps working; once MariaDB is back, service
returns by itself without restarting scrapeq-api or its workers.

Runs last: it stops the stack's database.
"""

import os
import subprocess
import time

from evclient import SSE, WS
from harness import (ADMIN_TOKEN, RUN, check, config_value, is_detail, is_error, new_project, new_target, new_user, request,
                     section, stack)

LIMIT = 2.0
workers = int(config_value("api", "workers", "2"))
threads = int(config_value("api", "threads", "4"))
connections = workers * threads


def api_pids():
    try:
        with open(os.path.join(RUN, "api.pid")) as f:
            pid = f.read().strip()
    except OSError:
        return None, []
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", pid], stdout=subprocess.PIPE, text=True).stdout
    return pid, sorted(out.split())


def timely(r, name):
    return check(r.elapsed < LIMIT, "%s answers within %.0f s (%.2f s)" % (name, LIMIT, r.elapsed), r)


section("before")
project = new_project()
new_target(project)
r = request("POST", "/api/v1/projects/%s/jobs" % project, {})
job = r.json.get("id") if r.status == 201 else "job_" + "0" * 32
_name, password, fresh_token = new_user("outage")
r = request("GET", "/api/v1/ping?db=1", auth=False)
check(r.status == 200, "the database is up before the test", r)
pid_before, workers_before = api_pids()
check(pid_before is not None and len(workers_before) >= 1, "scrapeq-api runs with workers",
      note="pid %s workers %s" % (pid_before, workers_before))

# Watchers of the job on scrapeq-events, connected before the outage: they must get the
# cancel written after it, once the hub's own connection is back.
ws_before = WS("/api/v1/jobs/%s/ws" % job, ADMIN_TOKEN)
check(ws_before.status == 101 and ws_before.recv_json(5) is not None, "a WebSocket watcher of the job before")
sse_before = SSE("/api/v1/jobs/%s/events" % job, ADMIN_TOKEN)
check(sse_before.status == 200, "an SSE watcher of the job before")

section("database stopped")
rc, out = stack("db-stop")
check(rc == 0, "scripts/stack db-stop", note=out.strip()[-300:])
try:
    r = request("GET", "/api/v1/ping", auth=False)
    check(r.status == 200 and r.json == {"status": "ok"}, "ping without db still answers 200", r)
    # Several rounds so that every worker thread's connection meets the outage.
    worst = 0.0
    bad = None
    for i in range(connections * 2):
        r = request("GET", "/api/v1/ping?db=1", auth=False, timeout=10)
        worst = max(worst, r.elapsed)
        e = (r.json or {}).get("error") if isinstance(r.json, dict) else None
        if not (r.status == 503 and isinstance(e, dict) and e.get("code") == "SERVICE_UNAVAILABLE"):
            bad = bad or r
    check(bad is None, "ping?db=1 is 503 SERVICE_UNAVAILABLE on every try (%d tries)" % (connections * 2), bad)
    check(worst < LIMIT, "every ping?db=1 answered within %.0f s (worst %.2f s)" % (LIMIT, worst))

    r = request("GET", "/api/v1/jobs/%s" % job)
    is_error(r, 503, "SERVICE_UNAVAILABLE", "GET job is 503 SERVICE_UNAVAILABLE")
    timely(r, "GET job")
    # GET /metrics (README "Metrics"): still 200 with the pool's own counters, and the
    # outage as a value; the text still passes promtool.
    r = request("GET", "/metrics", auth=False)
    check(r.status == 200 and b"\nscrapeq_database_up 0\n" in r.raw and
          b"scrapeq_http_requests_total{" in r.raw and b"scrapeq_jobs{" not in r.raw,
          "GET /metrics: 200, scrapeq_database_up 0, the pool's counters and no database figures", r)
    timely(r, "GET /metrics")
    p = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=r.raw, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    check(p.returncode == 0, "promtool check metrics passes it", note=p.stdout[-300:])
    r = request("GET", "/api/v1/projects")
    is_error(r, 503, "SERVICE_UNAVAILABLE", "GET projects is 503")
    timely(r, "GET projects")
    r = request("POST", "/api/v1/projects/%s/jobs" % project, {})
    is_error(r, 503, "SERVICE_UNAVAILABLE", "POST jobs is 503")
    timely(r, "POST jobs")
    r = request("POST", "/api/v1/projects", {"name": "during outage"})
    is_error(r, 503, "SERVICE_UNAVAILABLE", "POST projects is 503")
    r = request("GET", "/api/v1/projects", token=fresh_token)
    is_error(r, 503, "SERVICE_UNAVAILABLE", "a token never seen before is 503, not 401 (cannot be checked)")
    timely(r, "the unseen token")
    r = request("POST", "/auth/login", {"username": _name, "password": password}, auth=False)
    is_detail(r, 503, "/auth/login is 503 in the {\"detail\"} envelope")
    timely(r, "/auth/login")
    t0 = time.monotonic()
    c = SSE("/api/v1/jobs/%s/events" % job, fresh_token)
    check(c.status == 503 and c.body.get("error", {}).get("code") == "SERVICE_UNAVAILABLE" and
          time.monotonic() - t0 < LIMIT, "scrapeq-events: a new SSE watcher is 503 SERVICE_UNAVAILABLE in time",
          note="got %s %r in %.2f s" % (c.status, c.body, time.monotonic() - t0))
    t0 = time.monotonic()
    c = WS("/api/v1/jobs/%s/ws" % job, ADMIN_TOKEN)
    check(c.status == 503 and time.monotonic() - t0 < LIMIT,
          "scrapeq-events: a new WebSocket watcher is 503 before any upgrade (cached token, job unreadable)",
          note="got %s %r" % (c.status, c.body))
finally:
    rc, out = stack("db-start")
    check(rc == 0, "scripts/stack db-start", note=out.strip()[-300:])

section("database started again")
deadline = time.monotonic() + 15
t0 = time.monotonic()
while True:
    r = request("GET", "/api/v1/ping?db=1", auth=False)
    if r.status == 200 or time.monotonic() > deadline:
        break
    time.sleep(0.2)
check(r.status == 200 and r.json == {"status": "ok", "db": "ok"},
      "ping?db=1 is 200 again (after %.1f s)" % (time.monotonic() - t0), r)
bad = None
for i in range(connections * 3):
    r = request("GET", "/api/v1/jobs/%s" % job)
    if r.status != 200:
        bad = bad or r
check(bad is None, "GET job is 200 on every try again (%d tries)" % (connections * 3), bad)
r = request("GET", "/api/v1/projects", token=fresh_token)
check(r.status == 200, "the unseen token works now", r)
r = request("POST", "/auth/login", {"username": _name, "password": password}, auth=False)
check(r.status == 200, "login works again", r)
r = request("POST", "/api/v1/jobs/%s/cancel" % job)
check(r.status == 200 and r.json.get("status") == "cancelled", "writes work again", r)
msgs = ws_before.until_close(10)
check(msgs and msgs[-1]["type"] == "cancelled" and ws_before.close_code == 1000,
      "the WebSocket watcher from before the outage gets 'cancelled' and close 1000 (the hub reconnected)",
      note="got %r close %r" % (msgs, ws_before.close_code))
evs = sse_before.collect(5, 5)
check(any(e[1] == "cancelled" for e in evs), "the SSE watcher from before gets the 'cancelled' event",
      note="got %r" % evs)
sse_before.close()
c = SSE("/api/v1/jobs/%s/events" % job, ADMIN_TOKEN)
check(c.status == 200, "a new SSE watcher is served again", note="got %s" % c.status)
c.close()
pid_after, workers_after = api_pids()
check(pid_after == pid_before, "scrapeq-api was not restarted (pid %s)" % pid_before,
      note="before %s after %s" % (pid_before, pid_after))
check(workers_after == workers_before, "no worker died or was replaced",
      note="before %s after %s" % (workers_before, workers_after))
