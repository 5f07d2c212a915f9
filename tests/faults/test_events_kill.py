#!/usr/bin/python3
"""test_events_kill.py: scrapeq-events killed with SIGKILL while watchers follow jobs
that a scrapeqd is crawling.

Two jobs on the test site's slow pages, each watched through nginx by two WebSocket
watchers and two SSE watchers (from Last-Event-ID 0, so each SSE stream should carry
every outbox row of its job), and each project by an SSE watcher. Once progress
flows, the hub is killed -9 and started again the way the stack supervises it
(scripts/stack events-start; in production systemd's Restart=on-failure,
etc/systemd/scrapeq-events.service). Every watcher reconnects as soon as nginx stops
answering 503: SSE watchers with the Last-Event-ID they last saw, WebSocket watchers
afresh. Then: each SSE stream holds every job_events row of its job (or project)
exactly once, in id order; each WebSocket watcher's first message after the
reconnect is the job's state then, and it ends with 'completed' and close 1000.
"""
# faults: daemon

import os
import socket
import threading
import time

import faults
import testsite
from evclient import SSE, WS
from faults import figures
from harness import (ADMIN_TOKEN, RUN, Daemon, check, create_job, db_rows, new_project, new_target, release,
                     section, sql_str, stack, uuid_of, wait_for, wait_job)

TOKEN = os.urandom(3).hex()
MAXP = 14

Daemon.exclusive()
site = testsite.ensure()
C = site.origin("crash")

section("two jobs, watched, crawled by one daemon")
jobs, projects = [], []
for i in range(2):
    p = new_project(name="events-kill %d" % i)
    t = new_target(p, url=C + "/slow/")
    projects.append(p)
    jobs.append(create_job(p, [t], {"userAgent": "scrapeq/0.1 (events-kill %s)" % TOKEN, "maxPages": MAXP},
                           hold=True))


def hub_up():
    return os.path.exists(os.path.join(RUN, "events.sock"))


class SSEWatcher:
    """Follows one SSE stream to the end of its job, reconnecting with Last-Event-ID."""

    def __init__(self, path, job):
        self.path, self.job = path, job
        self.events, self.reconnects, self.refused = [], 0, 0
        self.last = 0
        self.t_lost = self.t_back = None
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        deadline = time.monotonic() + 150
        try:
            while time.monotonic() < deadline:
                c = SSE(self.path, ADMIN_TOKEN, last_event_id=self.last, timeout=5)
                if c.status != 200:
                    self.refused += 1
                    time.sleep(0.1)
                    continue
                if self.t_lost is not None and self.t_back is None:
                    self.t_back = time.monotonic()
                while time.monotonic() < deadline:
                    try:
                        e = c.next(2)
                    except socket.timeout:
                        if self.finished():
                            c.close()
                            return
                        continue
                    except OSError:
                        e = None
                    if e is None:
                        break
                    if e[0] is not None:
                        # the SSE event name is the WebSocket message type; data.event is the row's type
                        d = e[2].get("data") if isinstance(e[2], dict) else None
                        kind = d.get("event") if isinstance(d, dict) and d.get("event") else e[1]
                        self.events.append((e[0], kind))
                        self.last = e[0]
                    if self.finished():
                        c.close()
                        return
                c.close()
                self.reconnects += 1
                if self.t_lost is None:
                    self.t_lost = time.monotonic()
        except Exception as ex:  # noqa: BLE001 - reported by the test
            self.error = "%s: %s" % (type(ex).__name__, ex)

    def finished(self):
        want = {"completed", "failed", "cancelled"}
        if self.job is not None:
            return any(t in want for _i, t in self.events)
        return all(any(t in want and j for _i, t in self.events) for j in jobs) and self.done_all()

    def done_all(self):
        return all(wait_job(j, 0)["status"] == "completed" for j in jobs)


class WSWatcher:
    """Follows one job's WebSocket; after a lost connection, connects again."""

    def __init__(self, job):
        self.job = job
        self.sessions = []        # [messages] per connection
        self.close_code = None
        self.refused = 0
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        deadline = time.monotonic() + 150
        try:
            while time.monotonic() < deadline:
                c = WS("/api/v1/jobs/%s/ws" % self.job, ADMIN_TOKEN, timeout=5)
                if c.status != 101:
                    self.refused += 1
                    time.sleep(0.1)
                    continue
                msgs = []
                self.sessions.append(msgs)
                while time.monotonic() < deadline:
                    try:
                        m = c.recv_json(2)
                    except socket.timeout:
                        continue
                    except (OSError, ValueError):
                        m = False
                    if m is None:
                        self.close_code = c.close_code
                        return
                    if m is False:
                        break
                    msgs.append(m)
        except Exception as ex:  # noqa: BLE001
            self.error = "%s: %s" % (type(ex).__name__, ex)


sse = []
for j in jobs:
    sse += [SSEWatcher("/api/v1/jobs/%s/events" % j, j) for _ in range(2)]
psse = [SSEWatcher("/api/v1/projects/%s/events" % p, None) for p in projects]
for w, j in zip(psse, jobs):
    w.finished = (lambda jj: (lambda: any(t == "completed" for _i, t in w_events(jj))))(j)
ws = [WSWatcher(j) for j in jobs for _ in range(2)]


def w_events(j):
    return [e for w in psse if w.path.endswith(projects[jobs.index(j)] + "/events") for e in w.events]


for w in sse + psse + ws:
    w.thread.start()
time.sleep(0.5)
d = Daemon("evkill-%s" % TOKEN, lease_seconds="10").start()
for j in jobs:
    release(j)
check(wait_for(lambda: all(len(w.events) >= 4 for w in sse), 30, 0.1), "progress flows to every SSE watcher",
      False, str([len(w.events) for w in sse]))

section("scrapeq-events killed -9, started again")
pid = int(open(os.path.join(RUN, "events.pid")).read().strip())
os.kill(pid, 9)
t_kill = time.monotonic()
time.sleep(1.0)
rc, out = stack("events-start")
t_up = time.monotonic()
check(rc == 0, "scripts/stack events-start: a new hub (was pid %d)" % pid, False, out[-300:])
for w in sse + psse + ws:
    w.thread.join(150)
rows = [j for j in jobs if wait_job(j, 60)["status"] == "completed"]
check(len(rows) == 2, "both jobs completed", False)
check(not any(w.error for w in sse + psse + ws), "no watcher raised", False,
      str([w.error for w in sse + psse + ws if w.error][:3]))

section("what the watchers got")
lost_total = dup_total = 0
for w in sse:
    want = [(int(i), t) for i, t in db_rows("SELECT id, type FROM job_events WHERE job_id = %s ORDER BY id"
                                             % sql_str(uuid_of(w.job)))]
    got = w.events
    ids = [i for i, _t in got]
    lost = sorted(set(want) - set(got))
    dups = len(ids) - len(set(ids))
    lost_total += len(lost)
    dup_total += dups
    check(w.reconnects >= 1 and not lost and not dups and got == want,
          "SSE %s: every outbox row once, in order, across %d reconnect(s) (%d rows)"
          % (w.job[-6:], w.reconnects, len(want)), False,
          "lost %s, %d duplicates, in order: %s" % (lost[:5], dups, ids == sorted(ids)))
for w, p in zip(psse, projects):
    want = [int(i) for (i,) in db_rows("SELECT id FROM job_events WHERE project_id = %s AND id >= %d ORDER BY id"
                                      % (sql_str(uuid_of(p)), min([i for i, _t in w.events] or [0])))]
    ids = [i for i, _t in w.events]
    lost = sorted(set(want) - set(ids))
    dups = len(ids) - len(set(ids))
    lost_total += len(lost)
    dup_total += dups
    check(w.reconnects >= 1 and not lost and not dups and ids == sorted(ids),
          "project SSE: every row once, in order, across %d reconnect(s) (%d rows)" % (w.reconnects, len(ids)),
          False, "lost %s, %d duplicates" % (lost[:5], dups))
for w in ws:
    ok = len(w.sessions) >= 2 and w.close_code == 1000
    first = w.sessions[-1][0] if len(w.sessions) >= 2 and w.sessions[-1] else None
    last = w.sessions[-1][-1] if len(w.sessions) >= 2 and w.sessions[-1] else None
    check(ok and first is not None and last is not None and last.get("type") == "completed",
          "WebSocket %s: reconnected (%d sessions), first message the state then (%s), 'completed', close %s"
          % (w.job[-6:], len(w.sessions), first and first.get("type"), w.close_code), False,
          str([len(s) for s in w.sessions]))
    before = [m for m in (w.sessions[0] if w.sessions else []) if isinstance(m.get("data"), dict)]
    if first is not None and before and isinstance(first.get("data"), dict):
        check(first["data"].get("results_count", 0) >= before[-1]["data"].get("results_count", 0),
              "WebSocket %s: the state after the reconnect is not older than the last one before" % w.job[-6:],
              False, "%s then %s" % (before[-1], first))
reconnect = [w.t_back - t_kill for w in sse + psse if w.t_back]
check(d.stop(20) == 0, "the daemon exits 0 on SIGTERM", False, d.tail())
figures("events_kill", sse_watchers=len(sse) + len(psse), ws_watchers=len(ws), hub_down_s=round(t_up - t_kill, 2),
        sse_reconnected_after_kill_s_max=round(max(reconnect or [-1]), 2), events_lost=lost_total,
        events_duplicated=dup_total)

section("a resume that reaches a hub started while MariaDB was down")
# A hub that starts while the database is down cannot read where the outbox ends; a
# watcher admitted once the database is back, before the hub's next tick, must still
# get the rows after its Last-Event-ID. A second hub with a 5 s tick makes that window
# wide (the stack's own ticks every 150 ms); the watcher talks to its unix socket.
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402

from harness import BIN, CONF, db_sql, request  # noqa: E402

p3 = new_project(name="events-restart")
new_target(p3, url="http://127.0.0.1:9/never")
r = request("POST", "/api/v1/projects/%s/jobs" % p3, {})
check(r.status == 201, "a job no daemon runs", r)
J = r.json["id"]
c = SSE("/api/v1/jobs/%s/events" % J, ADMIN_TOKEN, last_event_id=0)
first = c.collect(1, 5)
c.close()
check(first and first[0][0], "its 'created' row through the stack's hub (id %s)" % (first and first[0][0]), False)
L = first[0][0] if first else 0
conf3 = os.path.join(RUN, "events-slowtick.conf")
sock3 = os.path.join(RUN, "events-slowtick.sock")
text = open(CONF).read()
text = re.sub(r"(?m)^(listen|tick_ms) = .*\n", "", text)
if re.search(r"(?m)^\[events\]$", text) is None:
    text += "\n[events]\n"
text = re.sub(r"(?m)^\[events\]$", "[events]\nlisten = unix:%s\ntick_ms = 5000" % sock3, text)
with open(conf3, "w") as f:
    f.write(text)
u = sql_str(uuid_of(J))
d = sql_str(json.dumps({"status": "pending", "percentage": 0, "current_target": None, "results_count": 0}))
db_sql("INSERT INTO job_events (job_id, project_id, type, data) SELECT j.id, j.project_id, 'progress', %s "
       "FROM jobs j JOIN seq_1_to_5 s WHERE j.id = %s" % (d, u))
want = [int(x) for (x,) in db_rows("SELECT id FROM job_events WHERE job_id = %s AND id > %d ORDER BY id" % (u, L))]
rc, out = stack("db-stop")
check(rc == 0, "MariaDB stopped; 5 rows were written after the watcher's last id", False, out[-300:])
hub3 = None
try:
    hub3 = subprocess.Popen([os.path.join(BIN, "scrapeq-events"), "-c", conf3], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    check(wait_for(lambda: os.path.exists(sock3), 10), "a second hub starts (5 s tick) while MariaDB is down", False)
    time.sleep(0.3)
    rc, out = stack("db-start")
    check(rc == 0, "MariaDB started again", False, out[-300:])
    w3 = None
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10:
        w3 = SSE("/api/v1/jobs/%s/events" % J, ADMIN_TOKEN, last_event_id=L, unix=sock3, timeout=5)
        if w3.status == 200:
            break
        time.sleep(0.01)
    admitted = time.monotonic() - t0
    got = w3.collect(len(want), 8) if w3 is not None and w3.status == 200 else []
    if w3 is not None and w3.status == 200:
        w3.close()
    check([e[0] for e in got] == want, "the watcher admitted %.2f s after the restart gets the %d rows after its "
          "Last-Event-ID, in order" % (admitted, len(want)), False, "got %s, want %s" % ([e[0] for e in got], want))
finally:
    if hub3 is not None:
        hub3.terminate()
        hub3.wait(10)
    if faults.db_pid() is None:
        stack("db-start")
    os.unlink(conf3)
