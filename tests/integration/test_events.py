#!/usr/bin/python3
"""test_events.py: scrapeq-events through nginx, without a scrape daemon: who may watch
(401, 404 across tenants, before any upgrade), what a watcher is sent first (a finished
job's final message and a close, a running job's progress), live changes from the API
(cancel), SSE resume with Last-Event-ID (nothing lost, nothing twice), id gaps of
concurrent transactions, and a slow watcher dropped while a reader on the same job
keeps everything. Events are written as the core writes them: the API's changes, or
rows put into job_events in MariaDB the way the daemon's transactions put them."""

import json
import os
import re
import socket
import subprocess
import threading
import time

import evclient
import harness
from harness import ADMIN_TOKEN, check, ctl, db_sql, db_value, is_error, new_project, new_target, \
    new_user, request, section, sql_str, uuid_of
from evclient import SSE, WS


def new_job(project):
    r = request("POST", "/api/v1/projects/%s/jobs" % project, {})
    if r.status != 201:
        raise RuntimeError("cannot create a job: " + r.describe())
    return r.json["id"]


def fresh_job():
    p = new_project()
    t = new_target(p, url="http://127.0.0.1:9/never")
    return p, t, new_job(p)


def ws_path(job):
    return "/api/v1/jobs/%s/ws" % job


def sse_path(job):
    return "/api/v1/jobs/%s/events" % job


def put_events(job, n, kind="progress", data=None):
    """Writes n outbox rows for job in one transaction, as the daemon's flush does; returns their ids."""
    u = sql_str(uuid_of(job))
    d = sql_str(json.dumps(data or {"status": "running", "percentage": 10, "current_target": None,
                                    "results_count": 1}))
    db_sql("INSERT INTO job_events (job_id, project_id, type, data) SELECT j.id, j.project_id, %s, %s "
           "FROM jobs j JOIN seq_1_to_%d s WHERE j.id = %s" % (sql_str(kind), d, n, u))
    return [int(x) for x in db_sql("SELECT id FROM job_events WHERE job_id = %s AND type = %s ORDER BY id"
                                   % (u, sql_str(kind))).split()]


# Other files of the suite leave their jobs pending: the hub has to be up regardless.
section("the hub is up and GET /api/v1/status says so")
r = request("GET", "/api/v1/status")
check(r.status == 200 and isinstance(r.json, dict) and r.json.get("events") == {"up": True},
      "GET /api/v1/status reports events.up true", r)

P, T, J = fresh_job()
KA = SSE(sse_path(J), ADMIN_TOKEN)     # idle all along: read at the end for its keep-alive comments
KA_T0 = time.monotonic()
KW = WS(ws_path(J), ADMIN_TOKEN)      # the same, a WebSocket: it gets pings

section("401 before any upgrade: no token, a bad one, in the header or ?token=")
for name, path, tok in (("WS without a token", ws_path(J), None),
                        ("WS with a bad bearer token", ws_path(J), "sq_" + "0" * 64),
                        ("SSE without a token", sse_path(J), None),
                        ("project SSE with a bad token", "/api/v1/projects/%s/events" % P, "nonsense")):
    c = (WS if "WS" in name else SSE)(path, tok)
    check(c.status == 401 and isinstance(c.body, dict) and c.body.get("error", {}).get("code") ==
          "UNAUTHORIZED", "%s: 401 UNAUTHORIZED" % name, False, "got %s %r" % (c.status, c.body))
c = WS(ws_path(J) + "?token=sq_" + "1" * 64)
check(c.status == 401, "WS with a bad ?token=: 401", False, "got %s" % c.status)
c = SSE(sse_path(J) + "?token=a%20b")
check(c.status == 401, "SSE with a ?token= that is not a token: 401", False, "got %s" % c.status)

section("404 for another tenant's job or project, an unknown or malformed id: never upgraded")
name, pw, other = new_user("evother")
for label, c in (("WS", WS(ws_path(J), other)), ("job SSE", SSE(sse_path(J), other)),
                 ("project SSE", SSE("/api/v1/projects/%s/events" % P, other)),
                 ("WS, unknown job", WS(ws_path("job_" + "0" * 32), ADMIN_TOKEN)),
                 ("SSE, malformed id", SSE(sse_path("job_xyz"), ADMIN_TOKEN)),
                 ("WS ?token= of another tenant", WS(ws_path(J) + "?token=" + other))):
    check(c.status == 404 and isinstance(c.body, dict) and c.body.get("error", {}).get("code") == "NOT_FOUND",
          "%s: 404 NOT_FOUND" % label, False, "got %s %r" % (c.status, c.body))
ctl("member", "add", "--project", P, "--user", name, "--role", "viewer")
c = WS(ws_path(J), other)
check(c.status == 101, "a viewer of the project may watch its job (101)", False, "got %s %r" % (c.status, c.body))
c.close()
c = SSE("/api/v1/projects/%s/events" % P, other)
check(c.status == 200, "a viewer may follow the project's stream (200)", False, "got %s" % c.status)
c.close()

section("a login JWT works as an API token does")
lname, lpw, _ = new_user("evlogin")
ctl("member", "add", "--project", P, "--user", lname, "--role", "member")
jwt = harness.login(lname, lpw)["access_token"]
c = SSE(sse_path(J), jwt)
check(c.status == 200 and c.headers.get("content-type", "").startswith("text/event-stream"),
      "SSE with a login JWT in the header: 200 text/event-stream", False, "got %s" % c.status)
c.close()
c = WS(ws_path(J) + "?token=" + jwt)
check(c.status == 101, "WS with a login JWT in ?token=: 101", False, "got %s" % c.status)
c.close()

section("wrong method, missing upgrade, malformed Last-Event-ID")
r = request("POST", sse_path(J), {})
is_error(r, 405, "METHOD_NOT_ALLOWED", "POST to an SSE route: 405")
r = request("GET", ws_path(J))
is_error(r, 400, "VALIDATION_ERROR", "GET of the WS route without an upgrade: 400", "WebSocket")
c = WS(sse_path(J), ADMIN_TOKEN)
check(c.status != 101, "a WebSocket upgrade on an SSE route is not upgraded", False, "got %s" % c.status)
c = SSE(sse_path(J), ADMIN_TOKEN, last_event_id="12abc")
check(c.status == 400 and "Last-Event-ID" in json.dumps(c.body), "Last-Event-ID '12abc': 400 naming it",
      False, "got %s %r" % (c.status, c.body))
c = SSE(sse_path(J), ADMIN_TOKEN, last_event_id="99999999999999999999")
check(c.status == 400, "Last-Event-ID past 2^63: 400", False, "got %s" % c.status)

section("a finished job's watcher gets its final message, then a normal close")
p2, t2, j2 = fresh_job()
db_sql("UPDATE jobs SET status = 'completed', total_targets = 1, completed_targets = 1, total_results = 12, "
       "started_at = NOW(6), completed_at = NOW(6) WHERE id = %s" % sql_str(uuid_of(j2)))
db_sql("DELETE FROM job_queue WHERE job_id = %s" % sql_str(uuid_of(j2)))
c = WS(ws_path(j2), ADMIN_TOKEN)
msgs = c.until_close(10) if c.status == 101 else []
check(len(msgs) == 1 and msgs[0]["type"] == "completed" and msgs[0]["data"]["job_id"] == j2 and
      msgs[0]["data"]["status"] == "completed" and msgs[0]["data"]["percentage"] == 100 and
      msgs[0]["data"]["results_count"] == 12 and set(msgs[0]) == {"type", "data"},
      "completed job: one 'completed' message in seed 000's shape", False, "got %r" % msgs)
check(c.close_code == 1000, "then close code 1000", False, "got %r %r" % (c.close_code, c.close_reason))

p3, t3, j3 = fresh_job()
db_sql("UPDATE jobs SET status = 'failed', error = '{\"code\":\"target_failed\",\"message\":\"boom\"}', "
       "completed_at = NOW(6) WHERE id = %s" % sql_str(uuid_of(j3)))
db_sql("DELETE FROM job_queue WHERE job_id = %s" % sql_str(uuid_of(j3)))
c = WS(ws_path(j3) + "?token=" + ADMIN_TOKEN)
msgs = c.until_close(10) if c.status == 101 else []
check(len(msgs) == 1 and msgs[0]["type"] == "failed" and
      msgs[0]["data"]["error"] == {"code": "target_failed", "message": "boom"} and c.close_code == 1000,
      "failed job: one 'failed' message with its error, then close 1000", False, "got %r %r" % (msgs, c.close_code))

section("a running job's watcher gets its current progress first, and stays")
p4, t4, j4 = fresh_job()
db_sql("UPDATE jobs SET status = 'running', started_at = NOW(6), total_targets = 4, completed_targets = 2, "
       "total_results = 7, current_target = %s WHERE id = %s" % (sql_str(uuid_of(t4)), sql_str(uuid_of(j4))))
c = WS(ws_path(j4), ADMIN_TOKEN)
m = c.recv_json(5) if c.status == 101 else None
check(m == {"type": "progress", "data": {"job_id": j4, "status": "running", "percentage": 50,
                                          "current_target": t4, "results_count": 7, "event": "progress"}},
      "mid-run: progress 50%, the v1 target id, 7 results", False, "got %r" % m)
try:
    extra = c.recv(0.5)
    still = extra is not None
except socket.timeout:
    still = True
check(still and c.close_code is None, "the watch stays open", False, "close %r" % c.close_code)

section("live: the job's events arrive in order, seed 000's types")
ids = put_events(j4, 1, "target_started", {"position": 0, "results_count": 0})
ids += put_events(j4, 1, "progress", {"status": "running", "percentage": 75, "current_target": uuid_of(t4),
                                       "results_count": 9})
got = [c.recv_json(5) for _ in range(2)]
check([g["type"] for g in got] == ["target_started", "progress"] and got[1]["data"]["percentage"] == 75 and
      got[1]["data"]["current_target"] == t4 and got[1]["data"]["results_count"] == 9,
      "target_started then progress (75%, current_target as tgt_)", False, "got %r" % got)
c.close()

section("cancel through the API: the watcher gets 'cancelled', then a normal close")
p5, t5, j5 = fresh_job()
c = WS(ws_path(j5), ADMIN_TOKEN)
first = c.recv_json(5)
check(first["type"] == "progress" and first["data"]["status"] == "pending", "pending job: progress/pending first",
      False, "got %r" % first)
r = request("POST", "/api/v1/jobs/%s/cancel" % j5, {})
check(r.status == 200, "cancel", r)
msgs = c.until_close(10)
check(msgs and msgs[-1]["type"] == "cancelled" and msgs[-1]["data"]["status"] == "cancelled" and
      c.close_code == 1000, "'cancelled' last, then close 1000", False, "got %r %r" % (msgs, c.close_code))

section("SSE: Last-Event-ID resumes with nothing lost and nothing twice")
p6, t6, j6 = fresh_job()
s = SSE(sse_path(j6), ADMIN_TOKEN, last_event_id=0)
first = s.collect(21, 15)
created = db_value("SELECT MIN(id) FROM job_events WHERE job_id = %s" % sql_str(uuid_of(j6)))
ids = put_events(j6, 20)
first += s.collect(20 - (len(first) - 1), 15)
got = [e[0] for e in first]
want = [int(created)] + ids
check(got == want, "a stream from Last-Event-ID 0 has the created event and 20 progress rows, in id order",
      False, "got %r want %r" % (got, want))
check(all(e[2]["data"]["job_id"] == j6 for e in first) and first[0][1] == "progress" and
      first[0][2]["data"]["event"] == "created", "each frame: id, event, seed 000's message as data", False,
      "got %r" % first[:2])
s.close()
more = put_events(j6, 30)
s2 = SSE(sse_path(j6), ADMIN_TOKEN, last_event_id=ids[9])
rest = s2.collect(40, 15)
want = ids[10:] + more[20:]
got = [e[0] for e in rest]
check(got == want, "resumed after the 10th: the 10 after it and the 10 written meanwhile, once each",
      False, "got %r want %r" % (got, want))
s2.close()

section("the project stream carries every job of the project")
pp = new_project()
new_target(pp, url="http://127.0.0.1:9/x")
ja = new_job(pp)
s = SSE("/api/v1/projects/%s/events" % pp, ADMIN_TOKEN, last_event_id=0)
db_sql("UPDATE jobs SET status = 'cancelled', cancelled_at = NOW(6) WHERE id = %s" % sql_str(uuid_of(ja)))
jb = new_job(pp)
evs = s.collect(2, 10)
check(sorted(e[2]["data"]["job_id"] for e in evs) == sorted([ja, jb]),
      "project SSE: the created events of both jobs", False, "got %r" % evs)
s.close()

section("id gaps: a row committed late is still delivered, in order within the grace")
p7, t7, j7 = fresh_job()
s = SSE(sse_path(j7), ADMIN_TOKEN)
time.sleep(0.4)
u = sql_str(uuid_of(j7))
sock = harness.os.path.join(harness.RUN, "mysql", "mysqld.sock")


def slow_insert(sleep, tag):
    """A transaction that takes its id, says so on stdout, and commits sleep seconds later."""
    sql = ("START TRANSACTION; INSERT INTO job_events (job_id, project_id, type, data) SELECT id, project_id, "
           "'progress', '{\"status\":\"running\",\"results_count\":%d}' FROM jobs WHERE id = %s; "
           "SELECT 'inserted'; DO SLEEP(%s); COMMIT;" % (tag, u, sleep))
    p = subprocess.Popen(["mariadb", "--no-defaults", "--unbuffered", "-N", "-B", "-S", sock, "-uroot", "scrapeq",
                          "-e", sql], stdout=subprocess.PIPE, text=True)
    p.stdout.readline()
    return p


s.collect(1, 1)     # the created event, when the stream began before the hub's tick saw it
a = slow_insert(0.15, 1)
put_events(j7, 1, "progress", {"status": "running", "results_count": 2})
a.wait()
evs = s.collect(2, 10)
check([e[2]["data"]["results_count"] for e in evs] == [1, 2] and evs[0][0] < evs[1][0],
      "a transaction committing 0.1 s late: its row first (ids in order)", False, "got %r" % evs)
a = slow_insert(1.5, 3)
put_events(j7, 1, "progress", {"status": "running", "results_count": 4})
a.wait()
evs = s.collect(2, 10)
check([e[2]["data"]["results_count"] for e in evs] == [4, 3] and evs[0][0] is not None and evs[1][0] is None,
      "a transaction committing 1.5 s late (past the gap grace): delivered late, without an id line", False,
      "got %r" % evs)
s.close()
all_ids = [int(x) for x in db_sql("SELECT id FROM job_events WHERE job_id = %s ORDER BY id" % u).split()]
s = SSE(sse_path(j7), ADMIN_TOKEN, last_event_id=0)
got = [e[0] for e in s.collect(len(all_ids), 10)]
check(got == all_ids, "a resume from 0 afterwards has every row once, in id order", False,
      "got %r want %r" % (got, all_ids))
s.close()

section("a slow watcher is dropped with close code 4008; a reader of the same job keeps everything")
p8, t8, j8 = fresh_job()
slow = WS(ws_path(j8), ADMIN_TOKEN, rcvbuf=4096)
fast = WS(ws_path(j8), ADMIN_TOKEN)
fast.recv_json(5)
N = 60000
counted = {"n": 0, "last": None}


def reader():
    try:
        while counted["n"] < N:
            m = fast.recv(30)
            if m is None:
                break
            counted["n"] += 1
    except Exception as e:  # noqa: BLE001 - reported through the check below
        counted["last"] = repr(e)


th = threading.Thread(target=reader)
th.start()
# 2,000 rows every 0.25 s: a pace a reader in Python keeps up with, through nginx.
for _ in range(N // 2000):
    put_events(j8, 2000)
    time.sleep(0.25)
th.join(120)
check(counted["n"] == N and fast.close_code is None, "the reading watcher got all %d messages" % N, False,
      "got %d, close %r, %s" % (counted["n"], fast.close_code, counted["last"]))
fast.close()
n = 0
try:
    while slow.recv(30) is not None:
        n += 1
except Exception as e:  # noqa: BLE001
    slow.close_code = slow.close_code or repr(e)
check(slow.close_code == 4008 and n < N, "the watcher that did not read was dropped (4008) after %d" % n, False,
      "close %r after %d" % (slow.close_code, n))


def hub_log():
    with open(harness.os.path.join(harness.RUN, "events.log")) as f:
        return f.read()


check(harness.wait_for(lambda: "slow watcher" in hub_log() or None, 5, 0.1),
      "the hub's log says it dropped a slow watcher")

section("an idle SSE stream gets a keep-alive comment every 15 s")
try:
    KA.collect(10, max(0.5, 17 - (time.monotonic() - KA_T0)))
except OSError:
    pass
check(KA.status == 200 and "keep-alive" in KA.comments and not KA.closed,
      "': keep-alive' arrived on a stream idle for 15 s, and it is still open", False,
      "comments %r, closed %r" % (KA.comments, KA.closed))
KA.close()
try:
    while KW.recv(0.5) is not None:
        pass
except socket.timeout:
    pass
check(KW.status == 101 and KW.pings >= 1 and KW.close_code is None,
      "an idle WebSocket gets a ping (answered with a pong) and stays open", False,
      "pings %d close %r" % (KW.pings, KW.close_code))
KW.close()

section("the hub stopped: GET /api/v1/status says so, nginx answers 503 in the v1 envelope; started again")
rc, out = harness.stack("events-stop")
check(rc == 0, "scripts/stack events-stop", False, out[-300:])
r = request("GET", "/api/v1/status")
check(r.status == 200 and r.json.get("events") == {"up": False}, "GET /api/v1/status: events.up false", r)
r = request("GET", sse_path(J))
is_error(r, 503, "SERVICE_UNAVAILABLE", "SSE while the hub is down: 503 SERVICE_UNAVAILABLE", "event hub")
c = WS(ws_path(J), ADMIN_TOKEN)
check(c.status == 503 and isinstance(c.body, dict) and c.body.get("error", {}).get("code") == "SERVICE_UNAVAILABLE",
      "WS while the hub is down: 503 SERVICE_UNAVAILABLE", False, "got %s %r" % (c.status, c.body))
rc, out = harness.stack("events-start")
check(rc == 0, "scripts/stack events-start", False, out[-300:])
r = request("GET", "/api/v1/status")
check(r.json.get("events") == {"up": True}, "GET /api/v1/status: events.up true again", r)
c = WS(ws_path(J), ADMIN_TOKEN)
check(c.status == 101 and c.recv_json(5)["type"] == "progress", "a watcher is served again", False,
      "got %s" % c.status)
c.close()

section("max_watchers: a second hub allowing one watcher refuses the second with 503")
conf2 = os.path.join(harness.RUN, "events-max1.conf")
sock2 = os.path.join(harness.RUN, "events-max1.sock")
text = open(harness.CONF).read()
# The stack's [events] without its listen and max_watchers lines (a run dir's config is
# written once, maybe before the hub's keys existed), then the second hub's own.
text = re.sub(r"(?m)^(listen|max_watchers) = .*\n", "", text)
if re.search(r"(?m)^\[events\]$", text) is None:
    text += "\n[events]\n"
text = re.sub(r"(?m)^\[events\]$", "[events]\nlisten = unix:%s\nmax_watchers = 1" % sock2, text)
with open(conf2, "w") as f:
    f.write(text)
hub2 = subprocess.Popen([os.path.join(harness.BIN, "scrapeq-events"), "-c", conf2], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
try:
    harness.wait_for(lambda: os.path.exists(sock2), 10)
    one = SSE(sse_path(J), ADMIN_TOKEN, unix=sock2)
    two = SSE(sse_path(J), ADMIN_TOKEN, unix=sock2)
    three = WS(ws_path(J), ADMIN_TOKEN, unix=sock2)
    check(one.status == 200, "the first watcher: 200", False, "got %s" % one.status)
    check(two.status == 503 and two.body.get("error", {}).get("code") == "SERVICE_UNAVAILABLE" and
          "watchers" in two.body["error"]["message"], "the second SSE watcher: 503 naming the watchers", False,
          "got %s %r" % (two.status, two.body))
    check(three.status == 503, "a WebSocket past the bound: 503 before any upgrade", False, "got %s" % three.status)
    one.close()
finally:
    hub2.terminate()
    hub2.wait(10)
    os.unlink(conf2)
