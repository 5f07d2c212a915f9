#!/usr/bin/python3
"""test_outage.py: MariaDB unreachable for 30 s under load (scripts/stack db-stop, then
db-start), with a scrapeqd and scrapeq-events attached.

Client threads read and create jobs in every dialect (v1, seed 001, 002, 003, 004)
and log in through seed 003 before, during and after. During the outage every
request that needs the database is a 503 in its dialect's envelope within the
connect timeout ([database] connect_timeout) plus a second; afterwards service comes
back without any restart: the same worker pids, and a burst of concurrent requests
is answered by every thread of every worker (each thread's bytes written, from
/proc/<pid>/task/<tid>/io, grow). The scrape daemon that ran through the outage
completes a job created after it, and an SSE watcher of the project, connected before
the outage, receives that job's events.

Prints the figures: answers during the outage, max and p99 answer time, time to the
first success after MariaDB is back.

tests/integration/test_db_outage.py covers one request of each kind during a short
stop; this is the long version under load.
"""
# faults: daemon

import os
import signal
import socket
import threading
import time

import faults
from evclient import SSE
from faults import Load, api_workers, figures, pct, request, stack, thread_writes
from harness import ADMIN_TOKEN, Daemon, check, config_value, section, wait_for, wait_job

OUTAGE = float(os.environ.get("FAULTS_OUTAGE_SECONDS", "30"))
RTO = float(config_value("database", "read_timeout", "30"))
# With a short read_timeout (scripts/check's faults stack: 3 s) the hang outlasts it.
HUNG = float(os.environ.get("FAULTS_HUNG_SECONDS", str(RTO + 3 if RTO <= 10 else 5)))
CTO = float(config_value("database", "connect_timeout", "1"))
LIMIT = CTO + 1.0

section("before: a daemon, a watcher, the load")
Daemon.exclusive()
daemon = Daemon("outage-%s" % os.urandom(3).hex()).start()
tenant = faults.Tenant("outage")
seed = faults.create("scrapejobs", tenant)
check(seed.acked, "a job to read", seed.resp)
jid = seed.job                        # the canonical UUID (seed 001 shows it)
hexid = jid.replace("-", "")
name, password, _tok = faults.harness.new_user("outage")
r = request("PUT", "/api/v1/projects/%s/members/%s" % (tenant.project, name), {"role": "member"})
check(r.status in (200, 201), "a member who logs in during the load", r)
watch = SSE("/api/v1/projects/%s/events" % tenant.project, ADMIN_TOKEN)
check(watch.status == 200, "an SSE watcher of the project")
# The watcher reads all along, as a client does: one that stops reading while the load
# creates jobs in its project is dropped by the hub as slow ([events] queue_max).
watched = []                          # (id, event, data), then None when the stream ended


def read_watch():
    while True:
        try:
            e = watch.next(1.0)
        except socket.timeout:
            continue
        except OSError:
            e = None
        watched.append(e)
        if e is None:
            return


threading.Thread(target=read_watch, daemon=True).start()
pid_before = faults.api_pid()
workers_before = api_workers()

READS = [
    ("v1", lambda: request("GET", "/api/v1/jobs/job_%s" % hexid)),
    ("v1 list", lambda: request("GET", "/api/v1/projects/%s/jobs?per_page=5" % tenant.project)),
    ("seed 001", lambda: request("GET", "/api/scrape-jobs/%s" % jid)),
    ("seed 002", lambda: request("GET", "/v1/jobs/%s" % hexid)),
    ("seed 003", lambda: request("GET", "/workspace/%d/jobs/job_%s" % (tenant.workspace, hexid))),
    ("seed 004", lambda: request("GET", "/api/jobs/%s" % jid)),
    ("seed 001 create", lambda: faults.create("scrapejobs", tenant).resp),
    ("seed 003 create", lambda: faults.create("workspace", tenant).resp),
    ("login", lambda: request("POST", "/auth/login", {"username": name, "password": password}, auth=False)),
]


# Logins at most two a second across the threads: a login flood meets nginx's
# limit_req on /auth/ (429) and the API's Argon2id bound (503 "Too many logins at
# once") by design, which is not what this file measures.
LOGIN_EVERY = 0.5
login_lock = threading.Lock()
login_last = [0.0]


def login_due():
    with login_lock:
        if time.monotonic() - login_last[0] < LOGIN_EVERY:
            return False
        login_last[0] = time.monotonic()
        return True


def one(i):
    kind, fn = READS[(i + one.n[i]) % len(READS)]
    one.n[i] += 1
    if kind == "login" and not login_due():
        kind, fn = READS[0]
    t0 = time.monotonic()
    r = fn()
    t1 = time.monotonic()
    if r.status != 200 and r.status != 201:
        time.sleep(0.01)
    return (kind, t0, t1, r)


one.n = [0] * 8
load = Load(one, 8).start()
time.sleep(3)

section("MariaDB unreachable for %.0f s" % OUTAGE)
rc, out = stack("db-stop")
t_down = time.monotonic()
check(rc == 0, "scripts/stack db-stop", False, out[-300:])
time.sleep(OUTAGE)
t_start = time.monotonic()
rc, out = stack("db-start")
t_back = time.monotonic()
check(rc == 0, "scripts/stack db-start after %.1f s" % (t_start - t_down), False, out[-300:])
first_ok = wait_for(lambda: next((x for x in list(load.results) if x[1] >= t_back and x[3].status in (200, 201)),
                                 None), 30, 0.05)
time.sleep(3)
res = load.stop()
check(not load.errors, "the client threads raised nothing", False, str(load.errors[:3]))

section("what the clients saw")
during = [x for x in res if x[1] >= t_down and x[2] <= t_start]
by_kind = {}
for kind, t0, t1, r in during:
    by_kind.setdefault(kind, []).append(r)
for kind, _fn in READS:
    rs = by_kind.get(kind, [])
    bad = [r for r in rs if not faults.unavailable(r)]
    check(rs and not bad, "%s during the outage: 503 in its envelope every time (%d)" % (kind, len(rs)),
          bad[0] if bad else False)
times = [x[2] - x[1] for x in during]
slow = [x for x in during if x[2] - x[1] > LIMIT]
check(times and not slow, "every answer during the outage within connect_timeout + 1 s = %.0f s (max %.3f s)"
      % (LIMIT, max(times or [0])), slow[0][3] if slow else False)
check(first_ok is not None, "a request succeeds after MariaDB is back (%.2f s after db-start returned)"
      % ((first_ok[2] - t_back) if first_ok else -1), False)
print("# after db-start: %d requests, statuses %s" % (
    sum(1 for x in res if x[1] >= t_back), sorted({x[3].status for x in res if x[1] >= t_back})))
late = [x for x in res if x[1] >= t_back + 2 and x[3].status not in (200, 201)]
check(not late, "every request from 2 s after the restart on succeeds (%d)"
      % sum(1 for x in res if x[1] >= t_back + 2), late[0][3] if late else False)

section("no wedged worker, no restart")
check(faults.api_pid() == pid_before and api_workers() == workers_before,
      "the same supervisor and workers as before (%s)" % workers_before, False, str(api_workers()))
w0 = thread_writes()
threads = int(config_value("api", "threads", "4"))
burst_hits = []


def burst():
    for _ in range(25):
        burst_hits.append(request("GET", "/api/v1/jobs/job_%s" % hexid).status)


ths = [threading.Thread(target=burst) for _ in range(len(workers_before) * threads * 2)]
for t in ths:
    t.start()
for t in ths:
    t.join(60)
w1 = thread_writes()
answered = [k for k in w1 if k in w0 and w1[k] > w0[k]]
serving = len(workers_before) * threads
check(all(s == 200 for s in burst_hits), "a burst of %d concurrent GETs: all 200" % len(burst_hits), False)
check(len(answered) >= serving, "every worker thread answered in the burst (%d of %d threads, %d workers)"
      % (len(answered), serving, len({p for p, _t in answered})), False, str(sorted(answered)))

section("scrapeqd and scrapeq-events after the outage")
job = faults.create("scrapejobs", tenant)
check(job.acked, "a job created after the outage", job.resp)
row = wait_job("job_" + job.job.replace("-", ""), 60) if job.acked else None
check(row is not None and row["status"] == "completed", "the daemon that ran through the outage completes it",
      False, str(row and row["status"]))
check(daemon.alive(), "that daemon is the same process (pid %d)" % daemon.pid, False)
want = "job_" + job.job.replace("-", "")


def job_events_seen():
    return [e[1] for e in list(watched) if e is not None and isinstance(e[2], dict)
            and isinstance(e[2].get("data"), dict) and e[2]["data"].get("job_id") == want]


wait_for(lambda: (lambda s: s if s and s[-1] in ("completed", "failed", "cancelled") else None)(
    job_events_seen()) or (None in watched or None), 20, 0.1)
seen = job_events_seen()
print("# the watcher read %d events through the load and the outage%s" % (
    len([e for e in watched if e is not None]), "; its stream ended" if None in watched else ""))
check(seen and seen[-1] == "completed",
      "the SSE watcher connected before the outage gets the new job's events (%s)" % ", ".join(seen), False)
watch.close()

section("MariaDB hung (SIGSTOP) for %.0f s: connections open, nothing answers" % HUNG)
# Not refused but silent, as behind a network partition: the connect timeout does not
# apply to a connection already open; a statement waits for the server's answer up to
# [database] read_timeout, then the connection is dropped, one reconnect waits up to
# connect_timeout, and the request is a 503. A hang shorter than read_timeout is waited out.
pid_db = faults.db_pid()
hung = Load(lambda i: (time.monotonic(), request("GET", "/api/scrape-jobs/%s" % jid, timeout=90),
                       time.monotonic()), 8).start()
time.sleep(1)
os.kill(pid_db, signal.SIGSTOP)


def all_stopped(pid):
    """Every thread of pid in state T: kill() returns before a busy process has stopped."""
    try:
        tids = os.listdir("/proc/%d/task" % pid)
        for tid in tids:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                if f.read().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
                    return False
    except OSError:
        return False
    return True


wait_for(lambda: all_stopped(pid_db) or None, 5, 0.01)
t_stop = time.monotonic()
try:
    time.sleep(HUNG)
finally:
    os.kill(pid_db, signal.SIGCONT)
t_cont = time.monotonic()
time.sleep(2)
hres = hung.stop(120)
hung_during = [x for x in hres if t_stop <= x[0] < t_cont]
hung_waits = [x[2] - x[0] for x in hres if x[0] < t_cont and x[2] > t_stop]
hbad = [x[1] for x in hres if x[1].status != 200 and not faults.unavailable(x[1])]
check(not hbad, "every request around the hang is a 200 or a 503 in its envelope (%d)" % len(hres),
      hbad[0] if hbad else False)
if HUNG > RTO:
    # The statement's wait, then one reconnect's; plus one more reconnect's of waiting
    # for a thread: nginx keeps its FastCGI connections, and a kept connection belongs
    # to one worker process, so a request can wait for a thread of that process while
    # another process's threads are free (seen once: 5.0 s against 4.0 s usually).
    bound = RTO + 2 * CTO + 0.5
    cut = [x for x in hres if x[0] < t_cont - bound and x[2] > t_stop]
    late = [x for x in cut if x[2] - x[0] > bound]
    check(cut and not late and all(x[1].status == 503 for x in cut if x[0] >= t_stop),
          "with read_timeout %.0f s every request during the hang is a 503 within %.1f s (%d, longest %.2f s)"
          % (RTO, bound, len(cut), max([x[2] - x[0] for x in cut] or [0])), late[0][1] if late else False)
check(any(x[0] >= t_cont + 1 and x[1].status == 200 for x in hres),
      "requests succeed again once MariaDB runs (%d started during the hang, longest wait %.1f s)"
      % (len(hung_during), max(hung_waits or [0])), False)
check(faults.api_pid() == pid_before and api_workers() == workers_before,
      "no worker was replaced (%s)" % api_workers(), False)

figures("outage_hung", seconds=HUNG, read_timeout_s=RTO, started_during=len(hung_during),
        answered_503=sum(1 for x in hres if x[1].status == 503),
        longest_wait_s=round(max(hung_waits or [0]), 2))
figures("outage", seconds=round(t_start - t_down, 1), answers_during=len(during),
        all_503=sum(1 for x in during if x[3].status == 503), max_s=round(max(times or [0]), 3),
        p99_s=round(pct(times, 99), 3), p50_s=round(pct(times, 50), 3),
        first_success_after_back_s=round((first_ok[2] - t_back) if first_ok else -1, 3),
        connect_timeout_s=CTO, threads_answering=len(answered), threads=serving)
