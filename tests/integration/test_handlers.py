#!/usr/bin/python3
"""test_handlers.py: job types the sysadmin maps to commands in [handlers]: scrapeqd
runs the command with the job as JSON on stdin, reads "progress N text" lines and a
final result JSON from its stdout, kills it past handler_timeout, and maps the exit
status to the outcome (0 completed; anything else failed, retried while retries last);
a cancel stops the command; a job type with no handler fails without a retry.
"""
# integration: daemon

import atexit
import json
import os
import shutil
import tempfile
import time
import uuid

import harness
from harness import Daemon, db_rows, db_sql, db_value, new_project, section, sql_str, uuid_of, wait_for
from harness import request, RUN


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


def uuid7():
    ms = int(time.time() * 1000)
    rnd = int.from_bytes(os.urandom(10), "big")
    v = (ms << 80) | (0x7 << 76) | ((rnd >> 68) & 0xFFF) << 64 | (0b10 << 62) | (rnd & ((1 << 62) - 1))
    return str(uuid.UUID(int=v))


# Handlers run as [daemon] handler_user (nobody) when scrapeqd runs as root: their scripts
# and the file the first one writes live where that user reaches them, not in $RUN
# (scripts/check makes it with mktemp -d, mode 0700).
HDIR = tempfile.mkdtemp(prefix="sqhandlers.")
os.chmod(HDIR, 0o755)
atexit.register(shutil.rmtree, HDIR, True)


def script(name, body):
    path = os.path.join(HDIR, "handler-%s.sh" % name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


Daemon.exclusive()
TOKEN = os.urandom(4).hex()
project = new_project(name="handlers")
pu = uuid_of(project)
seen = os.path.join(HDIR, "handler-stdin-%s.json" % TOKEN)
with open(seen, "w"):
    pass
os.chmod(seen, 0o666)
ok = script("ok", 'cat > %s\necho "progress 10 Reading input"\necho "progress 50 Halfway complete"\n'
            'echo \'{"rows": 42, "note": "done"}\'\n' % seen)
bad = script("bad", 'cat >/dev/null\necho "progress 20 starting"\nexit 3\n')
slow = script("slow", 'cat >/dev/null\necho "progress 5 sleeping"\nexec sleep 30\n')
junk = script("junk", 'cat >/dev/null\necho "this is not json"\n')
# One JSON value, then another (json-c alone would stop after the first and drop it).
twice = script("twice", 'cat >/dev/null\necho \'{"a": 1}\'\necho \'{"b": 2}\'\n')
# A line past 4096 bytes whose tail reads like progress: all of it is result text.
longline = script("longline", 'cat >/dev/null\nprintf "%04096d" 0\necho "progress 77 sneaky"\n')

conf = harness.daemon_conf("handlers-" + TOKEN, handler_timeout="2", max_jobs="8")
with open(conf, "a") as f:
    # Names of this file's own: the stack's config may already map others (test_seed003.py adds one).
    f.write("\n[handlers]\nhx_process = %s\nhx_broken = %s\nhx_slow = %s\nhx_junk = %s\n"
            "hx_twice = %s\nhx_longline = %s\n" % (ok, bad, slow, junk, twice, longline))
d = Daemon("handlers-" + TOKEN, conf=conf).start()


def queue_job(jtype, max_retries=0, config='{"x": 1}'):
    jid = uuid7()
    db_sql("INSERT INTO jobs (id, project_id, type, status, source, config, max_retries) "
           "VALUES (%s, %s, %s, 'pending', 'api', %s, %d); "
           "INSERT INTO job_queue (job_id, priority, run_after) VALUES (%s, 5, NOW(6))"
           % (sql_str(jid), sql_str(pu), sql_str(jtype), sql_str(config), max_retries, sql_str(jid)))
    return jid


def row(jid):
    r = db_rows("SELECT status, retry_count, stats, result, error FROM jobs WHERE id = %s" % sql_str(jid))
    return r[0] if r else [None] * 5


def logs(jid):
    return [m for (m,) in db_rows("SELECT message FROM job_logs WHERE job_id = %s ORDER BY id" % sql_str(jid))]


def ended(jid, statuses=("completed", "failed", "cancelled")):
    return wait_for(lambda: row(jid)[0] in statuses and
                    db_value("SELECT lease_owner IS NULL FROM jobs WHERE id = %s" % sql_str(jid)) == "1", 20)


section("a handler that succeeds")
j = queue_job("hx_process")
check(ended(j), "the job ends")
st, retries, stats, result, error = row(j)
check(st == "completed" and error is None, "completed, no error", note=str(row(j)))
res = json.loads(result) if result else None
check(res == {"rows": 42, "note": "done"}, "the result is the command's final JSON", note=result)
sj = json.loads(stats) if stats else {}
check(sj.get("progress") == 100 and sj.get("progressMessage") == "Halfway complete",
      "stats carry the progress (100 once completed) and the last progress message", note=stats)
with open(seen) as f:
    text = f.read()
got = json.loads(text) if text.strip() else {}
check(got.get("id") == j and got.get("type") == "hx_process" and got.get("project_id") == pu
      and got.get("config") == {"x": 1} and got.get("retry_count") == 0,
      "the command read the job as JSON on stdin", note=json.dumps(got))
lg = logs(j)
check("Progress 10%: Reading input" in lg and "Progress 50%: Halfway complete" in lg and lg[-1] == "Job completed",
      "progress lines are logged, then \"Job completed\"", note=str(lg))
ev = [t for (t,) in db_rows("SELECT type FROM job_events WHERE job_id = %s ORDER BY id" % sql_str(j))]
check("started" in ev and "progress" in ev and ev[-1] == "completed", "events: started, progress, completed",
      note=str(ev))

section("exit status, timeout, output that is not JSON")
b = queue_job("hx_broken", max_retries=1)
check(wait_for(lambda: row(b)[0] == "failed", 20), "a command exiting 3 fails the job once retries are used")
st, retries, stats, result, error = row(b)
e = json.loads(error) if error else {}
check(retries == "1" and e.get("code") == "HANDLER_FAILED" and "status 3" in e.get("message", ""),
      "it was retried once (max_retries 1), then failed with the exit status in its error", note=str(row(b)))
s = queue_job("hx_slow")
t0 = time.time()
check(ended(s) and row(s)[0] == "failed", "a command past handler_timeout is killed and the job fails")
check(time.time() - t0 < 10 and "timed out after 2 s" in (row(s)[4] or ""), "within the timeout and a little",
      note="%.1f s %s" % (time.time() - t0, row(s)[4]))
check(not db_rows("SELECT 1 FROM jobs WHERE id = %s AND lease_owner IS NOT NULL" % sql_str(s)), "no lease left")
k = queue_job("hx_junk")
check(ended(k) and "not one JSON value" in (row(k)[4] or ""), "output that is not JSON fails the job",
      note=str(row(k)))
k = queue_job("hx_twice")
check(ended(k) and row(k)[0] == "failed" and "not one JSON value" in (row(k)[4] or ""),
      "two JSON values, one after the other, fail the job", note=str(row(k)))
k = queue_job("hx_longline")
check(ended(k) and row(k)[0] == "failed" and "not one JSON value" in (row(k)[4] or "") and
      not any("Progress 77%" in m for m in logs(k)),
      "a line past 4096 bytes is result text, its tail never progress", note=str((row(k), logs(k))))

section("cancel and unknown types")
c = queue_job("hx_slow")
check(wait_for(lambda: row(c)[0] == "running" and any("Progress 5%" in m for m in logs(c)), 10), "it runs")
r = request("POST", "/api/v1/jobs/job_%s/cancel" % c.replace("-", ""))
check(r.status == 200, "POST /api/v1/jobs/{id}/cancel", r)
check(wait_for(lambda: db_value("SELECT lease_owner IS NULL FROM jobs WHERE id = %s" % sql_str(c)) == "1", 8),
      "the daemon stops the command and lets the job go within seconds")
check(row(c)[0] == "cancelled" and "Job cancelled: the handler was stopped" in logs(c), "it stays cancelled",
      note=str(logs(c)))
u = queue_job("no_such_type", max_retries=3)
check(wait_for(lambda: row(u)[0] == "failed", 20), "a type with no handler fails")
check(row(u)[1] == "0" and "no handler" in (row(u)[4] or ""),
      "at once, not retried, and the error says there is no handler", note=str(row(u)))
check(d.alive(), "the daemon still runs")
check(d.stop(20) == 0, "SIGTERM: exit 0")
