#!/usr/bin/python3
"""test_durable.py: acknowledged means durable. Six client threads create jobs through
nginx as fast as they get answers, in three dialects (seed 000's v1, each in a project
and with a target of its own made just before; seed 001's /api/scrape-jobs; seed 003's
/workspace/{w}/jobs), each create carrying a marker the test can find in MariaDB. After
a few seconds the stack's mariadbd is killed with SIGKILL and started again with its
own arguments (scripts/stack db-start: same datadir, socket, pid file); the clients
keep going through the outage and after it.

Then: every create that got its 201 exists, whole (job row, every target row, queue
row, 'created' event, log line, audit row), with the id the answer named; every
project and target acknowledged on the way exists; a create answered with an error
(each a 503 in its dialect's envelope) or not answered at all either does not exist
or exists whole (a commit whose OK was lost with the server is the one way an error
can name a job that exists: it is counted apart); no row anywhere points at a job
that does not exist. MariaDB's durability settings are read and checked.
"""

import os
import time

import faults
from faults import Load, create, db_kill, db_start, durability, figures, find_jobs, request, whole_many
from harness import check, section, uuid_of

RUN_BEFORE = float(os.environ.get("FAULTS_DURABLE_BEFORE", "4"))
DOWN = float(os.environ.get("FAULTS_DURABLE_DOWN", "2"))
RUN_AFTER = float(os.environ.get("FAULTS_DURABLE_AFTER", "3"))
DIALECTS = ["v1", "scrapejobs", "workspace"]

section("MariaDB's durability settings")
d = durability()
print("# %s" % " ".join("%s=%s" % kv for kv in d.items()))
check(d["innodb_flush_log_at_trx_commit"] == "1",
      "innodb_flush_log_at_trx_commit = 1: every commit's redo is written and synced before its OK",
      False, str(d))
check(d["log_bin"] == "0" or d["sync_binlog"] == "1",
      "binary log off, or sync_binlog = 1 (log_bin=%s sync_binlog=%s)" % (d["log_bin"], d["sync_binlog"]), False)

section("creates at full speed; mariadbd killed -9 mid-stream, then started again")
tenant = faults.Tenant("durable")


def one(i):
    a = create(DIALECTS[i % len(DIALECTS)], tenant, timeout=20)
    if a.status not in (201, None):
        time.sleep(0.02)   # an outage answers at once: do not spin
    return a


load = Load(one, 6).start()
time.sleep(RUN_BEFORE)
t_kill = time.monotonic()
n_before = len([a for a in load.results if a.acked])
killed = db_kill()
check(True, "mariadbd pid %d killed with SIGKILL after %d acknowledged creates" % (killed, n_before))
time.sleep(DOWN)
rc, out = db_start()
t_up = time.monotonic()
check(rc == 0 and faults.db_pid() is not None, "scripts/stack db-start: mariadbd runs again (recovery %.1f s)"
      % (t_up - t_kill - DOWN), False, out[-400:])
time.sleep(RUN_AFTER)
attempts = load.stop()
check(not load.errors, "the client threads raised nothing", False, str(load.errors[:3]))

jobs = [a for a in attempts if a.status is not None]
acked = [a for a in jobs if a.acked]
errors = [a for a in jobs if a.answered and not a.acked]
unanswered = [a for a in jobs if not a.answered]
after = [a for a in acked if a.t0 > t_up]
first_after = min((a.t1 for a in acked if a.t0 >= t_kill), default=None)

section("what MariaDB holds after the restart")
found = find_jobs(jobs)
states = whole_many(list(found.values()))
missing, broken, wrong_id = [], [], []
for a in acked:
    u = found.get(a.marker)
    if u is None:
        missing.append(a)
        continue
    if u.lower() != faults.job_uuid_any(a.job).lower():
        wrong_id.append((a.job, u))
    w = states[u.lower()]
    if w:
        broken.append((a.dialect, a.job, w))
check(acked and not missing, "every acknowledged create exists (%d of %d)" % (len(acked) - len(missing), len(acked)),
      False, "missing: %s" % [(a.dialect, a.job) for a in missing[:5]])
check(not wrong_id, "each with the id its 201 named", False, str(wrong_id[:5]))
check(not broken, "each whole: job, targets, queue row, created event, log line, audit row", False, str(broken[:5]))

bad_env = [a for a in errors if not faults.unavailable(a.resp)]
check(errors and not bad_env, "every create refused during the outage is a 503 in its dialect's envelope (%d)"
      % len(errors), bad_env[0].resp if bad_env else False)
err_found = [a for a in errors if a.marker in found]
err_broken = [(a.dialect, found[a.marker], states[found[a.marker].lower()]) for a in err_found
              if states[found[a.marker].lower()]]
for a in err_found:
    print("# an errored create exists: %s %s -> %s %s" % (a.dialect, a.marker, a.status, a.resp.raw[:200]))
check(not err_broken, "an errored create that exists anyway (%d: its commit landed, its OK was lost) is whole"
      % len(err_found), False, str(err_broken[:5]))
un_found = [a for a in unanswered if a.marker in found]
un_broken = [(a.dialect, found[a.marker], states[found[a.marker].lower()]) for a in un_found
             if states[found[a.marker].lower()]]
check(not un_broken, "an unanswered create that exists (%d of %d) is whole" % (len(un_found), len(unanswered)),
      False, str(un_broken[:5]))

# The projects and targets the v1 clients made on the way are acknowledged writes too.
acked_setup = {"project": [], "target": []}
for a in attempts:
    for kind, r, _key in a.setup:
        if r.status == 201:
            acked_setup[kind].append(uuid_of(r.json["id"]))
lost_setup = []
for kind, table in (("project", "projects"), ("target", "targets")):
    have = faults.existing(table, acked_setup[kind])
    lost_setup += [(kind, u) for u in acked_setup[kind] if u.lower() not in have]
n_setup = sum(1 for a in attempts for _k, r, _x in a.setup if r.status == 201)
check(not lost_setup, "every acknowledged project and target exists (%d)" % n_setup, False, str(lost_setup[:5]))
orph = faults.orphans(None)
check(orph == 0, "no target, queue, event or log row points at a job that does not exist", False, "%d rows" % orph)
check(len(after) > 0, "creates are acknowledged again after the restart (%d)" % len(after), False)
r = request("GET", "/api/v1/ping?db=1", auth=False)
check(r.status == 200, "ping?db=1 is 200 at the end", r)

by_dialect = {dl: sum(1 for a in acked if a.dialect == dl) for dl in DIALECTS}
figures("durable", acknowledged=len(acked), found=len(acked) - len(missing), errors=len(errors),
        errors_committed=len(err_found), unanswered=len(unanswered), unanswered_found=len(un_found),
        v1=by_dialect["v1"], scrapejobs=by_dialect["scrapejobs"], workspace=by_dialect["workspace"],
        creates_per_s_before=round(n_before / RUN_BEFORE, 1),
        first_201_after_kill_s=(first_after - t_kill) if first_after else -1)

section("a create whose commit succeeded is never answered with an error")
# Each create below is held inside its transaction (a root session locks the project's
# daily counter row); a second root session asks for LOCK TABLES job_targets WRITE,
# which MariaDB grants only when the create's transaction ends, and which then blocks
# any read of job_targets. The first session lets the create go on: it commits, and a
# read of the job made after the commit would wait for the table lock, until mariadbd
# is killed under it and the create is answered 503 for a job that exists. Reading the
# answer inside the transaction (job_create_new, job_domain_create) answers 201.
import subprocess  # noqa: E402
import threading  # noqa: E402

from harness import RUN, db_value, sql_str, wait_for  # noqa: E402

SOCK = os.path.join(faults.RUN, "mysql", "mysqld.sock")


class Root:
    """A root session on the stack's MariaDB whose statements the test sends one by one."""

    def __init__(self):
        self.p = subprocess.Popen(["mariadb", "--no-defaults", "-S", SOCK, "-uroot", "-N", "-B", "-n", "scrapeq"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        self.out = []
        threading.Thread(target=lambda: self.out.extend(iter(self.p.stdout.readline, "")), daemon=True).start()

    def send(self, sql, mark):
        self.p.stdin.write("%s; SELECT '%s';\n" % (sql, mark))
        self.p.stdin.flush()

    def said(self, mark, timeout):
        return wait_for(lambda: any(mark in line for line in self.out), timeout, 0.02)

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()


def held_create(dialect):
    t = faults.Tenant("held")
    if dialect != "v1":
        warm = create(dialect, t)           # the counter row exists from here on
        if not warm.acked:
            raise RuntimeError("cannot create a first job: " + warm.resp.describe())
        pid = t.project
    else:
        pid = None
    a_box = {}
    counter = Root()
    if pid is None:
        # v1 makes a project of its own: lock every counter row of today's new projects
        # is not possible before it exists, so lock the day's rows as they are inserted:
        # hold the gap instead (a locking read of the whole day's range).
        counter.send("BEGIN; SELECT COUNT(*) FROM project_daily_jobs WHERE day = UTC_DATE() FOR UPDATE", "locked")
    else:
        counter.send("BEGIN; SELECT n FROM project_daily_jobs WHERE project_id = %s AND day = UTC_DATE() "
                     "FOR UPDATE" % sql_str(uuid_of(pid)), "locked")
    if not counter.said("locked", 10):
        raise RuntimeError("the counter lock: %s" % counter.out)
    th = threading.Thread(target=lambda: a_box.setdefault("a", create(dialect, t, timeout=60)))
    th.start()
    if not wait_for(lambda: db_value("SELECT COUNT(*) FROM information_schema.INNODB_TRX "
                                     "WHERE trx_state = 'LOCK WAIT'") == "1", 20):
        raise RuntimeError("the create did not wait on the counter row")
    tables = Root()
    tables.send("LOCK TABLES job_targets WRITE", "tables")
    time.sleep(0.3)                          # LOCK TABLES now waits for the create's transaction
    counter.send("ROLLBACK", "released")     # the create goes on and commits
    got_tables = tables.said("tables", 20)
    time.sleep(0.5)                          # a read after the commit is now blocked on job_targets
    done_before_kill = "a" in a_box
    db_kill()
    counter.close()
    tables.close()
    th.join(60)
    rc, out = db_start()
    if rc != 0:
        raise RuntimeError("db-start: " + out[-300:])
    a = a_box.get("a")
    exists = a is not None and a.marker in find_jobs([a])
    return a, exists, got_tables, done_before_kill


for dl in ("scrapejobs", "v1", "workspace"):
    a, exists, got_tables, early = held_create(dl)
    check(got_tables, "%s: the table lock was granted once the create's transaction ended" % dl, False)
    check(exists, "%s: the held create committed (its job exists after the restart)" % dl, False)
    check(exists and a.acked, "%s: ... and was answered 201 (answered %s%s)"
          % (dl, a and a.status, " before the kill" if early else ", after the kill"), a.resp if a else False)
