#!/usr/bin/python3
"""test_schedules_daemon.py: schedules fired by scrapeqd. Two daemons fire several
schedules over several slots: each (schedule, slot) makes exactly one job, which runs
to completed through the daemons and shows source "scheduled" and its schedule_id; a
slot missed while every daemon was down fires once when one starts; slots refused by
the daily limit and by a run already pending are recorded on the schedule and in the
daemon's log and not tried again; and a real every-minute slot fires on its own.

To keep it fast, a schedule's next_run_at is moved into the past in MariaDB (a slot
that is due, as after a pause); what happens next is the daemons' doing.
"""
# integration: daemon

import atexit
import datetime
import os
import time

import harness
from harness import (Daemon, create_job, db_rows, db_sql, db_value, new_project, new_target, request, section,
                     sql_str, uuid_of, wait_for)


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


YEARLY = "0 0 1 1 *"
CFG = {"depth": 0}
TOKEN = os.urandom(3).hex()


def db_now():
    return datetime.datetime.strptime(db_value("SELECT UTC_TIMESTAMP()"), "%Y-%m-%d %H:%M:%S")


BASE_TIME = None


def slot_ago(minutes):
    """A whole minute `minutes` before this file started, as DATETIME text (so each
    call's slot is fixed, whatever the clock does meanwhile)."""
    global BASE_TIME
    if BASE_TIME is None:
        BASE_TIME = db_now()
    t = BASE_TIME - datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%d %H:%M:00")


MINE = []


@atexit.register
def _disable_mine():
    """Schedules this file made never fire again, even when it stopped half-way."""
    for sid in MINE:
        db_sql("UPDATE schedules SET enabled = 0, next_run_at = NULL WHERE id = %s" % sql_str(uuid_of(sid)))


def new_schedule(project, cron, **fields):
    body = {"cron": cron, "config": CFG}
    body.update(fields)
    r = request("POST", "/api/v1/projects/%s/schedules" % project, body)
    if r.status != 201:
        raise RuntimeError("cannot create a schedule: " + r.describe())
    MINE.append(r.json["id"])
    return r.json["id"]


def set_due(sid, slot):
    db_sql("UPDATE schedules SET next_run_at = %s WHERE id = %s" % (sql_str(slot), sql_str(uuid_of(sid))))


def sched(sid):
    rows = db_rows("SELECT DATE_FORMAT(next_run_at, '%%Y-%%m-%%d %%H:%%i:%%s'), "
                   "DATE_FORMAT(last_run_at, '%%Y-%%m-%%d %%H:%%i:%%s'), last_error, last_job_id "
                   "FROM schedules WHERE id = %s" % sql_str(uuid_of(sid)))
    return rows[0] if rows else [None] * 4


def jobs_of(sid):
    return db_rows("SELECT id, DATE_FORMAT(scheduled_at, '%%Y-%%m-%%d %%H:%%i:%%s'), status, source "
                   "FROM jobs WHERE schedule_id = %s ORDER BY scheduled_at" % sql_str(sid))


def runs_of(sid):
    return db_rows("SELECT DATE_FORMAT(slot, '%%Y-%%m-%%d %%H:%%i:%%s'), job_id, error, fired_by "
                   "FROM schedule_runs WHERE schedule_id = %s ORDER BY slot" % sql_str(uuid_of(sid)))


def public_job(u):
    return "job_" + u.replace("-", "")


def log_count(d, needle):
    return sum(1 for line in d.log_text().splitlines() if needle in line)


Daemon.exclusive()
A = Daemon("sched-a-" + TOKEN)
B = Daemon("sched-b-" + TOKEN)
A.start(wait=False)
B.start(wait=False)
check(wait_for(lambda: A.registered() and B.registered(), 20), "two daemons registered",
      note=A.tail(3) + B.tail(3))

section("a real every-minute slot (checked at the end)")
p0 = new_project(name="sched natural")
new_target(p0)
s0 = new_schedule(p0, "* * * * *")
first_slot = sched(s0)[0]
check(first_slot is not None and first_slot.endswith(":00"), "next_run_at is a whole minute: %s" % first_slot)

section("two daemons, six schedules, four slots each")
K, ROUNDS = 6, 4
scheds = []
for i in range(K):
    p = new_project(name="sched race %d" % i)
    new_target(p)
    scheds.append((p, new_schedule(p, YEARLY)))
slots = []
for rnd in range(ROUNDS):
    slot = slot_ago(30 - rnd)
    slots.append(slot)
    for _, sid in scheds:
        set_due(sid, slot)
    fired = wait_for(lambda: all(sched(sid)[1] == slot for _, sid in scheds), 30, 0.2)
    check(fired, "slot %d (%s): every schedule fired it" % (rnd + 1, slot),
          note="; ".join("%s %s" % (sid, sched(sid)) for _, sid in scheds))
    # the project's one active run must end before its next slot, or JOB_RUNNING refuses it
    done = wait_for(lambda: all(j[2] in ("completed", "failed", "cancelled")
                                for _, sid in scheds for j in jobs_of(sid)), 60, 0.2)
    check(done, "slot %d: its jobs ran to their end" % (rnd + 1))
once = True
fired_by = set()
for p, sid in scheds:
    js, rs = jobs_of(sid), runs_of(sid)
    ok = [j[1] for j in js] == slots and [r[0] for r in rs] == slots and \
        sorted(r[1] for r in rs) == sorted(j[0] for j in js) and all(r[2] is None for r in rs)
    once = once and ok
    fired_by.update(r[3] for r in rs)
    if not ok:
        print("#   %s: jobs %s runs %s" % (sid, js, rs))
check(once, "each (schedule, slot) made exactly one job (%d schedules x %d slots), recorded once" % (K, ROUNDS))
check(fired_by <= {A.id, B.id} and fired_by, "slots were fired by these daemons: %s" % sorted(fired_by))
print("# slots fired by daemon: %s" % {d: sum(1 for _, sid in scheds for r in runs_of(sid) if r[3] == d)
                                        for d in (A.id, B.id)})
j = jobs_of(scheds[0][1])
check(all(x[2] == "completed" and x[3] == "scheduled" for x in j), "every such job completed, source scheduled",
      note=str(j))
jid = public_job(j[-1][0]) if j else "job_" + "0" * 32
r = request("GET", "/api/v1/jobs/%s" % jid)
harness.check(r.status == 200 and r.json.get("source") == "scheduled" and r.json.get("status") == "completed"
              and r.json.get("schedule_id") == scheds[0][1] and r.json.get("progress", {}).get("percentage") == 100,
              "GET job: completed, source scheduled, schedule_id the schedule's", r)
r = request("GET", "/api/v1/projects/%s/jobs?source=scheduled" % scheds[0][0])
harness.check(r.status == 200 and r.json.get("total") == ROUNDS, "the project's jobs ?source=scheduled: %d" % ROUNDS, r)
r = request("GET", "/api/v1/projects/%s/schedules/%s" % scheds[0])
harness.check(r.status == 200 and r.json.get("last_job_id") == jid and r.json.get("last_error") is None
              and r.json.get("last_run_at") == slots[-1].replace(" ", "T") + "Z"
              and r.json.get("next_run_at", "").endswith("-01-01T00:00:00Z"),
              "the schedule shows last_run_at, last_job_id, and next_run_at the next 1 January", r)
logs = db_rows("SELECT message FROM job_logs WHERE job_id = %s ORDER BY id" % sql_str(j[-1][0])) if j else []
check(any("queued" in m[0].lower() for m in logs), "the job's log has its queued line", note=str(logs[:3]))
audit = db_value("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'job' AND action = 'create' AND "
                 "entity_id = %s" % sql_str(j[-1][0])) if j else "0"
check(audit == "1", "the job's creation is audited")

section("slots missed while every daemon was down fire once")
pm = new_project(name="sched missed")
new_target(pm)
sm = new_schedule(pm, "* * * * *")
pj = new_project(name="sched running")
tj = new_target(pj)
sj = new_schedule(pj, YEARLY)
A.stop()
B.stop()
check(not A.alive() and not B.alive(), "both daemons stopped")
held = create_job(pj, target_ids=[tj], config=CFG, hold=True)   # a pending run: JOB_RUNNING for sj
missed = slot_ago(10)
set_due(sm, missed)
set_due(sj, slot_ago(3))
time.sleep(1.5)
check(jobs_of(sm) == [] and runs_of(sm) == [], "nothing fires while no daemon runs")
restart = db_now().strftime("%Y-%m-%d %H:%M:%S")
A2 = Daemon("sched-a2-" + TOKEN)
A2.start()
check(wait_for(lambda: sched(sm)[1] == missed, 20, 0.2), "after a restart the missed slot fired",
      note=str(sched(sm)))
js = jobs_of(sm)
before = [x for x in js if x[1] < restart]
check(len(before) == 1 and before[0][1] == missed,
      "one job for the ten missed slots, for the first of them (%s)" % missed, note=str(js))
nxt = sched(sm)[0]
check(nxt is not None and nxt > restart[:16] and nxt.endswith(":00"),
      "next_run_at moved past now to a whole minute (%s > %s)" % (nxt, restart))
time.sleep(2.5)
check(len([x for x in jobs_of(sm) if x[1] < restart]) == 1 and len([r for r in runs_of(sm) if r[0] < restart]) == 1,
      "and no more of them fire later")
request("DELETE", "/api/v1/projects/%s/schedules/%s" % (pm, sm))

section("a slot refused by a pending run (JOB_RUNNING)")
check(wait_for(lambda: sched(sj)[1] is not None, 20, 0.2), "the schedule's due slot was taken")
row = sched(sj)
check(row[2] is not None and "already running" in row[2], "last_error says why: %s" % row[2])
check(jobs_of(sj) == [] and len(runs_of(sj)) == 1 and runs_of(sj)[0][2] == row[2],
      "no job; the slot's run records the refusal", note=str(runs_of(sj)))
check(row[0] is not None and row[0].endswith("-01-01 00:00:00"), "next_run_at moved on: %s" % row[0])
request("POST", "/api/v1/jobs/%s/cancel" % held)

section("a slot refused by the daily limit")
pr = new_project(name="sched limited")
new_target(pr)
r = request("PATCH", "/api/v1/projects/%s" % pr, {"daily_job_limit": 0})
harness.check(r.status == 200, "the project's daily_job_limit is 0", r)
sr = new_schedule(pr, YEARLY)
rslot = slot_ago(2)
set_due(sr, rslot)
check(wait_for(lambda: sched(sr)[1] == rslot, 20, 0.2), "the refused slot was taken", note=str(sched(sr)))
row = sched(sr)
check(row[2] is not None and "Daily job limit" in row[2], "last_error names the daily limit: %s" % row[2])
check(jobs_of(sr) == [], "no job was created")
check(row[0] is not None and row[0] > rslot, "next_run_at still advanced: %s" % row[0])
time.sleep(3)
rs = runs_of(sr)
check(len(rs) == 1 and rs[0][0] == rslot and rs[0][1] is None and "Daily job limit" in (rs[0][2] or ""),
      "one run recorded with the refusal, not retried in a loop", note=str(rs))
needle = "schedule %s: slot" % sr
check(log_count(A2, needle) == 1, "the daemon's log says so once (%d line(s))" % log_count(A2, needle),
      note=A2.tail(5))
r = request("GET", "/api/v1/projects/%s/schedules/%s" % (pr, sr))
harness.check(r.status == 200 and "Daily job limit" in (r.json.get("last_error") or "")
              and r.json.get("last_job_id") is None and r.json.get("last_run_at") == rslot.replace(" ", "T") + "Z",
              "the API shows last_error and last_run_at of the refused slot", r)

section("SIGHUP: the restarted schedule thread takes [limits] jobs_per_day")
# The stack's limit is higher than 1; lowered to 1 on SIGHUP, a project with one job
# today has its next scheduled slot refused. Before the fix the schedule thread
# restarted with the old limit and created the job.
with open(A2.conf) as f:
    text = f.read()
lines = text.splitlines()
limited = [("jobs_per_day = 1" if ln.strip().startswith("jobs_per_day") else ln) for ln in lines]
check(limited != lines, "the daemon's config has a [limits] jobs_per_day line to lower")
ph = new_project(name="sched hup limit")
th = new_target(ph)
r = request("POST", "/api/v1/projects/%s/jobs" % ph, {"target_ids": [th], "config": CFG})
harness.check(r.status == 201, "the project's one job of today is created", r)
if r.status == 201:
    check(harness.wait_job(r.json["id"], 30)["status"] == "completed", "and runs to completed")
marks = log_count(A2, "config reloaded")
with open(A2.conf + ".tmp", "w") as f:
    f.write("\n".join(limited) + "\n")
os.replace(A2.conf + ".tmp", A2.conf)
A2.signal(1)
check(wait_for(lambda: log_count(A2, "config reloaded") > marks, 5), "the daemon reloaded", note=A2.tail(3))
sh = new_schedule(ph, YEARLY)
hslot = slot_ago(4)
set_due(sh, hslot)
check(wait_for(lambda: sched(sh)[1] == hslot, 20, 0.2), "the slot was taken after the reload", note=str(sched(sh)))
row = sched(sh)
check(jobs_of(sh) == [] and row[2] is not None and "Daily job limit" in row[2],
      "refused by the reloaded jobs_per_day = 1, no job created: %s" % row[2], note=str(jobs_of(sh)))
with open(A2.conf + ".tmp", "w") as f:
    f.write(text)
os.replace(A2.conf + ".tmp", A2.conf)
A2.signal(1)
check(wait_for(lambda: log_count(A2, "config reloaded") > marks + 1, 5), "and reloaded back", note=A2.tail(3))
request("DELETE", "/api/v1/projects/%s/schedules/%s" % (ph, sh))

section("the real every-minute slot")
target_time = datetime.datetime.strptime(first_slot, "%Y-%m-%d %H:%M:%S") + datetime.timedelta(seconds=4)
wait_for(lambda: db_now() >= target_time, 75, 0.5)
check(wait_for(lambda: [x for x in jobs_of(s0) if x[1] == first_slot], 10, 0.2),
      "the slot %s fired by itself" % first_slot, note=str(jobs_of(s0)))
js = jobs_of(s0)
check(len([x for x in js if x[1] == first_slot]) == 1 and len([r for r in runs_of(s0) if r[0] == first_slot]) == 1,
      "once", note=str(js))
request("DELETE", "/api/v1/projects/%s/schedules/%s" % (p0, s0))
for p, sid in scheds:
    request("DELETE", "/api/v1/projects/%s/schedules/%s" % (p, sid))
request("DELETE", "/api/v1/projects/%s/schedules/%s" % (pr, sr))
request("DELETE", "/api/v1/projects/%s/schedules/%s" % (pj, sj))
code = A2.stop()
check(code == 0, "SIGTERM stops the daemon with its schedule thread: exit %s" % code)
