#!/usr/bin/python3
"""test_api_kill.py: scrapeq-api workers killed with SIGKILL.

1. A worker holding an open transaction: a seed 001 create is made to wait inside
   its transaction (the job and target rows written, the daily counter's row locked
   by a root session), its worker is found (the thread blocked on MariaDB, from
   /proc) and killed -9. nginx answers the create 503 in seed 001's envelope (the
   snippet's error_page); the supervisor starts a new worker (new pid, same count);
   once the lock is released the dead transaction is rolled back: no job, no counter
   step, no orphan row; requests after it succeed.
2. Under load: client threads create and read jobs in three dialects while each
   worker in turn is killed -9. Every answer is a success or a 503 in its dialect's
   envelope; every acknowledged create exists whole; an errored one is absent or
   whole; the worker count is back each time with new pids.
"""

import os
import signal
import subprocess
import threading
import time

import faults
from faults import Load, api_workers, create, figures, find_jobs, request, whole_many
from harness import RUN, check, db_value, section, sql_str, uuid_of, wait_for

N = len(api_workers())
SOCK = os.path.join(RUN, "mysql", "mysqld.sock")
WAITING = {0, 7, 45, 232, 271}   # read, poll, recvfrom, epoll_wait, ppoll: a thread talking to MariaDB


def blocked_worker():
    """The worker one of whose threads waits on MariaDB (the others wait in accept)."""
    for pid in api_workers():
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for tid in tids:
            if int(tid) == pid:
                continue    # the worker's main thread waits for signals
            try:
                with open("/proc/%d/task/%s/syscall" % (pid, tid)) as f:
                    nr = f.read().split()[0]
            except (OSError, IndexError):
                continue
            if nr.isdigit() and int(nr) in WAITING:
                return pid
    return None


def replaced(before, killed):
    """Waits until the supervisor has as many workers as before, none of them killed."""
    def ok():
        now = api_workers()
        return now if len(now) == len(before) and not set(now) & set(killed) else None
    t0 = time.monotonic()
    now = wait_for(ok, 10, 0.05)
    return now, time.monotonic() - t0


section("a worker killed -9 while its request holds an open transaction")
check(N >= 1, "scrapeq-api runs %d workers" % N, False)
tenant = faults.Tenant("apikill")
first = create("scrapejobs", tenant)
check(first.acked, "a first create in the project (its daily counter row exists)", first.resp)
pu = sql_str(uuid_of(tenant.project))
count_before = db_value("SELECT n FROM project_daily_jobs WHERE project_id = %s AND day = UTC_DATE()" % pu)
locker = subprocess.Popen(["mariadb", "--no-defaults", "-S", SOCK, "-uroot", "-N", "-B", "-n", "scrapeq"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
locker.stdin.write("BEGIN; SELECT n FROM project_daily_jobs WHERE project_id = %s AND day = UTC_DATE() "
                   "FOR UPDATE; SELECT 'locked';\n" % pu)
locker.stdin.flush()
got = []
reader = threading.Thread(target=lambda: got.extend(iter(locker.stdout.readline, "")), daemon=True)
reader.start()
check(wait_for(lambda: any("locked" in g for g in got), 10), "a root session holds the counter row")
held = {}
th = threading.Thread(target=lambda: held.setdefault("a", create("scrapejobs", tenant, timeout=30)))
th.start()
waiting = wait_for(lambda: db_value("SELECT COUNT(*) FROM information_schema.INNODB_TRX "
                                    "WHERE trx_state = 'LOCK WAIT'") == "1", 10)
check(waiting, "the create waits inside its transaction (job rows written, counter locked)")
victim = wait_for(blocked_worker, 5, 0.05)
check(victim is not None, "its worker found: pid %s, the one whose thread waits on MariaDB" % victim, False)
before = api_workers()
t_kill = time.monotonic()
if victim is not None:
    os.kill(victim, signal.SIGKILL)
th.join(30)
a = held.get("a")
check(a is not None and a.status == 503 and faults.unavailable(a.resp),
      "the in-flight create is a 503 in seed 001's envelope (nginx's error_page) after %.2f s"
      % ((a.t1 - t_kill) if a and a.t1 else -1), a.resp if a else False)
now, took = replaced(before, [victim])
check(now is not None and victim not in now,
      "the supervisor replaced it: %s -> %s in %.2f s" % (before, now, took), False)
locker.stdin.write("ROLLBACK; SELECT 'released';\n")
locker.stdin.flush()
check(wait_for(lambda: any("released" in g for g in got), 10), "the root session lets the row go")
locker.stdin.close()
locker.wait(10)
gone = wait_for(lambda: db_value("SELECT COUNT(*) FROM information_schema.INNODB_TRX") == "0", 10)
check(gone, "the dead worker's transaction is over (rolled back by MariaDB)")
found = find_jobs([a]) if a else {}
check(a is not None and a.marker not in found, "its job does not exist", False, str(found))
count_after = db_value("SELECT n FROM project_daily_jobs WHERE project_id = %s AND day = UTC_DATE()" % pu)
check(count_after == count_before, "the daily counter did not move (%s)" % count_after, False)
check(faults.orphans(None) == 0, "no row points at a job that does not exist", False)
rs = [request("GET", "/api/scrape-jobs/%s" % first.job) for _ in range(3 * N * 4)]
check(all(r.status == 200 for r in rs), "%d requests after it all succeed" % len(rs),
      next((r for r in rs if r.status != 200), False))
hold_kill_s = took

section("workers killed -9 one after another under load")
DIALECTS = ["v1", "scrapejobs", "workspace"]
readers_job = first.job


def one(i):
    if i % 4 == 3:
        t0 = time.monotonic()
        r = request("GET", "/api/scrape-jobs/%s" % readers_job)
        return ("read", r, time.monotonic() - t0)
    return ("create", create(DIALECTS[i % 3], tenant), None)


load = Load(one, 8).start()
time.sleep(2)
kills = []
for v in api_workers():     # each worker of the start, in turn
    ws = api_workers()
    os.kill(v, signal.SIGKILL)
    now, took = replaced(ws, [v])
    kills.append((v, now, took))
    time.sleep(1.5)
time.sleep(1)
out = load.stop()
check(not load.errors, "the client threads raised nothing", False, str(load.errors[:3]))
for v, now, took in kills:
    check(now is not None and v not in now, "worker %d replaced in %.2f s (workers now %s)" % (v, took, now), False)
creates = [x[1] for x in out if x[0] == "create" and x[1].status is not None]
reads = [x[1] for x in out if x[0] == "read"]
acked = [c for c in creates if c.acked]
errs = [c for c in creates if not c.acked]
bad = [c for c in errs if not faults.unavailable(c.resp)]
check(not bad, "every create not acknowledged is a 503 in its dialect's envelope (%d of %d)" % (len(errs), len(creates)),
      bad[0].resp if bad else False)
rbad = [r for r in reads if r.status != 200 and not faults.unavailable(r)]
check(not rbad, "every read is a 200 or a 503 in seed 001's envelope (%d reads, %d 503s)"
      % (len(reads), sum(1 for r in reads if r.status == 503)), rbad[0] if rbad else False)
found = find_jobs(creates)
states = whole_many(list(found.values()))
missing = [c for c in acked if c.marker not in found]
broken = [(c.dialect, states[found[c.marker].lower()]) for c in acked if c.marker in found
          and states[found[c.marker].lower()]]
check(acked and not missing, "every acknowledged create exists (%d)" % len(acked), False,
      str([(c.dialect, c.job) for c in missing[:5]]))
check(not broken, "each whole", False, str(broken[:5]))
err_found = [c for c in errs if c.marker in found]
err_broken = [c for c in err_found if states[found[c.marker].lower()]]
check(not err_broken, "an errored create that exists anyway (%d: committed, then its worker died) is whole"
      % len(err_found), False)
check(faults.orphans(None) == 0, "no row points at a job that does not exist", False)
after = api_workers()
check(len(after) == N, "the same number of workers at the end (%d)" % N, False, str(after))
rs = [request("GET", "/api/scrape-jobs/%s" % readers_job) for _ in range(N * 8)]
check(all(r.status == 200 for r in rs), "requests after the kills all succeed (%d)" % len(rs),
      next((r for r in rs if r.status != 200), False))
figures("api_kill", workers=N, hold_kill_replaced_s=round(hold_kill_s, 2),
        kills=len(kills), replaced_s_max=round(max(k[2] for k in kills), 2),
        requests=len(creates) + len(reads), creates_acked=len(acked), answered_503=len(errs) + sum(
            1 for r in reads if r.status == 503), errored_but_committed=len(err_found))
