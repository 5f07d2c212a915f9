#!/usr/bin/python3
"""test_race.py: four scrapeqd processes and 500 queued no-op jobs (type 'noop', put in
jobs and job_queue directly, in one transaction, while the four poll): every job ends
completed exactly once: one "started" event, one "completed" event, one "Job started"
log line each, nothing left queued or leased, and the trigger-kept job_counts agree.
"""
# integration: daemon

import os
import time
import uuid

import harness
from harness import Daemon, db_rows, db_sql, db_value, new_project, section, sql_str, uuid_of, wait_for

N = 500
DAEMONS = 4


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


def uuid7():
    """A time-ordered UUID (version 7), like the ones scrapeq makes."""
    ms = int(time.time() * 1000)
    rnd = int.from_bytes(os.urandom(10), "big")
    v = (ms << 80) | (0x7 << 76) | ((rnd >> 68) & 0xFFF) << 64 | (0b10 << 62) | (rnd & ((1 << 62) - 1))
    return str(uuid.UUID(int=v))


Daemon.exclusive()
TOKEN = os.urandom(4).hex()
project = new_project(name="race")
pu = uuid_of(project)

section("%d daemons" % DAEMONS)
ds = [Daemon("race-%d-%s" % (i, TOKEN)) for i in range(1, DAEMONS + 1)]
for d in ds:
    d.start(wait=False)
check(wait_for(lambda: all(d.registered() for d in ds), 20), "all %d registered" % DAEMONS,
      note="; ".join(d.tail(3) for d in ds))

section("%d no-op jobs queued in one transaction" % N)
ids = [uuid7() for _ in range(N)]
values = ", ".join("(%s, %s, 'noop', 'pending', 'api', '{}')" % (sql_str(i), sql_str(pu)) for i in ids)
qvalues = ", ".join("(%s, 0, NOW(6))" % sql_str(i) for i in ids)
t0 = time.monotonic()
db_sql("START TRANSACTION; INSERT INTO jobs (id, project_id, type, status, source, config) VALUES %s; "
       "INSERT INTO job_queue (job_id, priority, run_after) VALUES %s; COMMIT;" % (values, qvalues))
IN = "job_id IN (SELECT id FROM jobs WHERE project_id = %s)" % sql_str(pu)


def finished():
    return db_value("SELECT COUNT(*) FROM jobs WHERE project_id = %s AND status = 'completed'" % sql_str(pu)) \
        == str(N)


done = wait_for(finished, 120, 0.2)
took = time.monotonic() - t0
check(done, "all %d jobs completed (%.1f s)" % (N, took),
      note=str(db_rows("SELECT status, COUNT(*) FROM jobs WHERE project_id = %s GROUP BY status" % sql_str(pu))))
time.sleep(1.0)   # anything a second claim would do shows up now

section("exactly once")
started = db_rows("SELECT job_id, COUNT(*) FROM job_events WHERE type = 'started' AND %s GROUP BY job_id" % IN)
counts = [int(n) for _j, n in started]
check(len(started) == N and all(n == 1 for n in counts),
      "every job has exactly one \"started\" event (%d jobs have one, %d have more)"
      % (counts.count(1), len([n for n in counts if n > 1])),
      note=str([r for r in started if int(r[1]) != 1][:10]))
completed = db_rows("SELECT job_id, COUNT(*) FROM job_events WHERE type = 'completed' AND %s GROUP BY job_id" % IN)
check(len(completed) == N and all(int(n) == 1 for _j, n in completed),
      "every job has exactly one \"completed\" event", note=str([r for r in completed if int(r[1]) != 1][:10]))
logs = db_rows("SELECT message, COUNT(*), COUNT(DISTINCT job_id) FROM job_logs WHERE %s GROUP BY message" % IN)
by = {m: (int(n), int(d)) for m, n, d in logs}
check(by.get("Job started") == (N, N), "\"Job started\" is logged once per job", note=str(by))
check(by.get("Job completed") == (N, N), "\"Job completed\" is logged once per job", note=str(by))
rest = db_rows("SELECT COUNT(*), SUM(retry_count), SUM(lease_owner IS NOT NULL), SUM(started_at IS NULL), "
               "SUM(completed_at IS NULL) FROM jobs WHERE project_id = %s" % sql_str(pu))[0]
check(rest == [str(N), "0", "0", "0", "0"],
      "no retries, no lease left, started_at and completed_at set on all", note=str(rest))
check(db_value("SELECT COUNT(*) FROM job_queue WHERE %s" % IN) == "0", "nothing left in job_queue")
jc = dict(db_rows("SELECT status, SUM(n) FROM job_counts WHERE project_id = %s GROUP BY status HAVING SUM(n) <> 0"
                  % sql_str(pu)))
check(jc == {"completed": str(N)}, "job_counts (kept by triggers) says %d completed and nothing else" % N,
      note=str(jc))
share = db_rows("SELECT JSON_VALUE(data, '$.daemon'), COUNT(*) FROM job_events WHERE type = 'started' AND %s "
                "GROUP BY 1 ORDER BY 1" % IN)
print("# claimed per daemon: %s" % ", ".join("%s: %s" % (d, n) for d, n in share))
check(all(d.alive() for d in ds), "all %d daemons still run" % DAEMONS)

section("SIGTERM")
codes = [d.stop(20) for d in ds]
check(codes == [0] * DAEMONS, "all exit 0", note=str(codes))
