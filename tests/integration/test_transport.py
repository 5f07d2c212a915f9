#!/usr/bin/python3
"""test_transport.py: FastCGI connections kept between nginx and the pool (issue 13).

nginx keeps its connections to scrapeq-api (the upstream "scrapeq_api" with keepalive in
nginx/scrapeq-http.conf, fastcgi_keep_conn on in nginx/scrapeq.conf). The stack's nginx
has 2 workers x keepalive 32: more idle connections than the pool has threads (2 x 4).
What must hold: no request waits on a thread that an idle kept connection holds, no 502
or 503 under more client connections than threads with GETs and POSTs mixed (nginx
never retries a POST, so a POST sent on a connection the pool closed would fail), every
answer is the right one, and when a worker dies with kept connections nginx goes on.
"""

import concurrent.futures
import os
import signal
import subprocess
import time

from harness import (BASE, RUN, check, db_value, new_project, new_target, request, section,
                     uuid_of, wait_for)

API_SOCK = os.path.join(RUN, "api.sock")


def workers():
    sup = int(open(os.path.join(RUN, "api.pid")).read().strip())
    with open("/proc/%d/task/%d/children" % (sup, sup)) as f:
        return sup, [int(p) for p in f.read().split()]


def threads_total():
    w = t = None
    with open(os.path.join(RUN, "scrapeq.conf")) as f:
        for line in f:
            k, _, v = line.partition("=")
            if k.strip() == "workers":
                w = int(v)
            elif k.strip() == "threads":
                t = int(v)
    return w * t


def pool_connections():
    """Connections open on the pool's socket (server side, established), from ss -x."""
    out = subprocess.run(["ss", "-xnH", "state", "established"], stdout=subprocess.PIPE,
                         text=True).stdout
    return sum(1 for line in out.splitlines() if (" %s " % API_SOCK) in line)


def spread(n, fn):
    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        return list(ex.map(fn, range(n)))


project = new_project()
target0 = new_target(project)
job = request("POST", "/api/v1/projects/%s/jobs" % project, {"target_ids": [target0]})
if job.status != 201:
    raise RuntimeError("cannot create the test job: " + job.describe())
job_id = job.json["id"]
THREADS = threads_total()

section("200 clients at once, GETs and POSTs mixed, through kept connections")


def mixed(i):
    got = []
    for k in range(4):
        if k % 2 == 0:
            r = request("GET", "/api/v1/jobs/%s" % job_id)
            got.append((r, r.status == 200 and isinstance(r.json, dict) and r.json.get("id") == job_id))
        else:
            url = "%s/demo-site/t%d-%d" % (BASE, i, k)
            r = request("POST", "/api/v1/projects/%s/targets" % project, {"url": url})
            got.append((r, r.status == 201 and isinstance(r.json, dict) and r.json.get("url") == url))
    return got


t0 = time.monotonic()
res = [x for per in spread(200, mixed) for x in per]
took = time.monotonic() - t0
bad = [r for r, ok in res if not ok]
codes = sorted(set(r.status for r, _ in res))
check(not bad, "800 requests from 200 clients (400 GET job, 400 POST target): every answer right, "
      "statuses %s, in %.1f s" % (codes, took), bad[0] if bad else None)
check(not [r for r, _ in res if r.status in (502, 503, 504, 0)], "none is a 502, 503, 504 or a dropped connection")
posted = sum(1 for r, ok in res if ok and r.method == "POST")
n = int(db_value("SELECT COUNT(*) FROM targets WHERE project_id = '%s'" % uuid_of(project)))
check(n == posted + 1, "the project has exactly the %d targets the POSTs created, plus the first (%d)" % (posted, n))

section("idle kept connections hold no thread")
kept = pool_connections()
check(kept > THREADS, "nginx keeps more connections to the pool than it has threads (%d open, %d threads)"
      % (kept, THREADS))
t0 = time.monotonic()
pings = spread(4 * THREADS, lambda i: request("GET", "/api/v1/ping?db=1", auth=False))
took = time.monotonic() - t0
check(all(p.status == 200 and p.json == {"status": "ok", "db": "ok"} for p in pings) and took < 5,
      "meanwhile %d concurrent ping?db=1 all answer, in %.2f s" % (len(pings), took),
      [p for p in pings if p.status != 200][0] if [p for p in pings if p.status != 200] else None)
time.sleep(1.5)
t0 = time.monotonic()
r = request("GET", "/api/v1/jobs/%s" % job_id)
check(r.status == 200 and time.monotonic() - t0 < 1, "after 1.5 s of quiet a request is answered at once "
      "(%.0f ms)" % ((time.monotonic() - t0) * 1000), r)

section("a worker killed while it holds kept connections")
sup, before = workers()
check(len(before) >= 2, "the pool has %d workers" % len(before))
spread(64, lambda i: request("GET", "/api/v1/ping", auth=False))      # spread connections over both
victim = before[0]
os.kill(victim, signal.SIGKILL)
wait_for(lambda: not os.path.exists("/proc/%d/stat" % victim) or
         open("/proc/%d/stat" % victim).read().split(") ")[1][0] == "Z", 5)
gets = spread(64, lambda i: request("GET", "/api/v1/jobs/%s" % job_id))
bad = [g for g in gets if g.status != 200 or g.json.get("id") != job_id]
check(not bad, "right after the kill, 64 concurrent GET job: all 200 (nginx retries a GET whose cached "
      "connection died on a new one)", bad[0] if bad else None)
ok = wait_for(lambda: len(workers()[1]) == len(before) and victim not in workers()[1], 10)
check(ok, "the supervisor starts a new worker (%s -> %s)" % (before, workers()[1]))
posts = spread(64, lambda i: request("POST", "/api/v1/projects/%s/targets" % project,
                                     {"url": "%s/demo-site/after-kill-%d" % (BASE, i)}))
bad = [p for p in posts if p.status != 201]
check(not bad, "then 64 concurrent POST target: all 201", bad[0] if bad else None)
n2 = int(db_value("SELECT COUNT(*) FROM targets WHERE project_id = '%s'" % uuid_of(project)))
check(n2 == n + 64, "and exactly 64 more targets exist (%d -> %d)" % (n, n2))

section("a kept connection nginx closes is closed by the pool too")
# nginx's upstream keepalive_timeout (60 s) is too long to wait for here; a reload of
# nginx makes its old workers close their idle cached connections.
open_before = pool_connections()
os.kill(int(open(os.path.join(RUN, "nginx.pid")).read().strip()), signal.SIGHUP)
time.sleep(0.5)
r = request("GET", "/api/v1/ping", auth=False)
ok = wait_for(lambda: pool_connections() <= 2 * 2 + 2, 10)
check(r.status == 200 and ok, "after an nginx reload the pool's open connections drop (%d -> %d)"
      % (open_before, pool_connections()), r)
