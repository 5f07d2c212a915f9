#!/usr/bin/python3
"""test_create.py: a create's rows and answer since issue 13 made it one CALL
(sql/013_job_create.sql) and built its answer from the values it wrote:
  - the answer of POST /api/v1/projects/{p}/jobs and of POST /api/v1/jobs/{id}/retry is
    byte for byte what GET /api/v1/jobs/{id} then reads; the row's created_at and
    updated_at are one time, as DATETIME(6) holds it;
  - a create writes exactly one row of each kind (job, targets in order, queue row,
    "created" event, queued log line, "create" audit row, one more for the day);
  - the audit row's after_data is the job snapshot the moves write (job_audit.c), so
    the procedure's copy of it and C's cannot drift apart;
  - every refused create (unknown or duplicate target, no targets, JOB_RUNNING,
    RATE_LIMITED, a viewer, a non-member) leaves every table as it was;
  - the procedure stops on a target that is not the project's, with errno 1062 (what
    the API maps to a conflict), and a rolled-back transaction keeps nothing of it."""

import subprocess
import os

from harness import (RUN, check, db_rows, db_value, is_error, new_project, new_target, new_user,
                     request, section, uuid_of)

TABLES = ["jobs", "job_targets", "job_queue", "job_events", "job_logs", "audit_log",
          "project_daily_jobs", "job_counts"]


def snapshot():
    """Every row of the tables a create writes, as text (counters included)."""
    out = {}
    for t in TABLES:
        out[t] = db_rows("SELECT * FROM %s ORDER BY 1, 2" % t) if t != "job_counts" else \
            db_rows("SELECT project_id, status, source, project_run, SUM(n) FROM job_counts "
                    "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")
    return out


def get_raw(job):
    r = request("GET", "/api/v1/jobs/%s" % job)
    return r.raw if r.status == 200 else None


section("the answer is the row as GET reads it")
P = new_project()
T1 = new_target(P)
T2 = new_target(P, url=None)
r = request("POST", "/api/v1/projects/%s/jobs" % P, {})
check(r.status == 201, "a create is 201", r)
J = r.json["id"]
check(get_raw(J) == r.raw, "the create's answer is byte for byte GET's answer for the job", r)
row = db_rows("SELECT created_at, updated_at, max_retries, priority, total_targets, metadata, "
              "scheduled_at FROM jobs WHERE id = '%s'" % uuid_of(J))[0]
check(row[0] == row[1] and len(row[0]) == 26, "created_at = updated_at, with microseconds (%s)" % row[0])
check(row[2:] == ["3", "5", "2", "{}", None],
      "max_retries 3 (the column's default), priority 5, two targets, metadata {}, no slot", note=row)
tids = [x[0] for x in db_rows("SELECT target_id FROM job_targets WHERE job_id = '%s' ORDER BY position"
                              % uuid_of(J))]
check(sorted(tids) == sorted([uuid_of(T1), uuid_of(T2)]), "both enabled targets are the job's", note=tids)

# Given ids keep the order they were given in, in the row and in the answer.
request("POST", "/api/v1/jobs/%s/cancel" % J)
r = request("POST", "/api/v1/projects/%s/jobs" % P, {"target_ids": [T2, T1], "max_results_per_target": 7})
check(r.status == 201, "a create with target_ids is 201", r)
J2 = r.json["id"]
check(get_raw(J2) == r.raw, "with target_ids and a limit: the answer is GET's, byte for byte", r)
check([t["target_id"] for t in r.json.get("target_status", [])] == [T2, T1],
      "target_status is in the order given", r)
pos = db_rows("SELECT target_id, url FROM job_targets WHERE job_id = '%s' ORDER BY position" % uuid_of(J2))
check([p[0] for p in pos] == [uuid_of(T2), uuid_of(T1)] and all(p[1] for p in pos),
      "job_targets: the given order, each with its target's URL", note=pos)

section("one row of each kind per create")
j2 = uuid_of(J2)
counts = {
    "job_queue": db_value("SELECT COUNT(*) FROM job_queue WHERE job_id = '%s'" % j2),
    "job_events": db_value("SELECT COUNT(*) FROM job_events WHERE job_id = '%s'" % j2),
    "job_logs": db_value("SELECT COUNT(*) FROM job_logs WHERE job_id = '%s'" % j2),
    "audit_log": db_value("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'job' AND entity_id = '%s'"
                          % j2),
}
check(counts == {"job_queue": "1", "job_events": "1", "job_logs": "1", "audit_log": "1"},
      "one queue row, one event, one log line, one audit row", note=counts)
ev = db_rows("SELECT type, data, project_id FROM job_events WHERE job_id = '%s'" % j2)[0]
check(ev == ["created", '{"status": "pending"}', uuid_of(P)], "the event: created {status: pending}", note=ev)
lg = db_rows("SELECT level, message, target_id FROM job_logs WHERE job_id = '%s'" % j2)[0]
check(lg == ["info", "Job queued with 2 targets", None], "the log line: queued with 2 targets", note=lg)
au = db_rows("SELECT action, user_id, project_id, before_data FROM audit_log WHERE entity_id = '%s'" % j2)[0]
check(au == ["create", "1", uuid_of(P), None], "the audit row: create by the admin (user 1), no before",
      note=au)
q = db_rows("SELECT priority, run_after >= (SELECT created_at FROM jobs WHERE id = '%s') FROM job_queue "
            "WHERE job_id = '%s'" % (j2, j2))[0]
check(q == ["5", "1"], "the queue row: priority 5, runnable from its creation", note=q)
check(db_value("SELECT n FROM project_daily_jobs WHERE project_id = '%s' AND day = UTC_DATE()"
               % uuid_of(P)) == "2", "the day's count is 2 after two creates")

section("the create's audit snapshot is the moves' snapshot")
request("POST", "/api/v1/jobs/%s/cancel" % J2)
rows = db_rows("SELECT action, before_data, after_data FROM audit_log WHERE entity_type = 'job' "
               "AND entity_id = '%s' ORDER BY id" % j2)
check(len(rows) == 2 and rows[1][0] == "cancel" and rows[0][2] == rows[1][1],
      "create's after_data is byte for byte the cancel's before_data (job_audit_snapshot)", note=rows)

section("retry: the answer is the row as GET reads it")
r = request("POST", "/api/v1/jobs/%s/retry" % J2)
check(r.status == 201 and r.json.get("retry_of") == J2 and r.json.get("source") == "retry",
      "a retry is 201, retry_of the job, source retry", r)
J3 = r.json["id"]
check(get_raw(J3) == r.raw, "the retry's answer is byte for byte GET's answer", r)
check([t["target_id"] for t in r.json.get("target_status", [])] == [T2, T1],
      "the retry keeps the targets' order", r)
check(db_rows("SELECT action FROM audit_log WHERE entity_id = '%s'" % uuid_of(J3)) == [["create"]],
      "the retry's new job has its one audit row, create")

section("a refused create changes nothing")
P2 = new_project(daily_job_limit=2)
T3 = new_target(P2)
other = new_target(new_project())
before = snapshot()


def refused(body, status, code, name, project=P2, token=None):
    r = request("POST", "/api/v1/projects/%s/jobs" % project, body, token=token)
    is_error(r, status, code, name)
    check(snapshot() == before, name + ": every table is as it was")


refused({"target_ids": [other]}, 422, "VALIDATION_ERROR", "another project's target id")
refused({"target_ids": [T3, T3]}, 422, "VALIDATION_ERROR", "a duplicate target id")
empty = new_project()
before = snapshot()
refused({}, 400, "NO_TARGETS", "a project without targets", project=empty)
r = request("POST", "/api/v1/projects/%s/jobs" % P2, {})
check(r.status == 201, "a first job in the limited project", r)
before = snapshot()
refused({}, 400, "JOB_RUNNING", "a second run while the first is pending")
request("POST", "/api/v1/jobs/%s/cancel" % r.json["id"])
r = request("POST", "/api/v1/projects/%s/jobs" % P2, {})
check(r.status == 201, "a second job after the first was cancelled", r)
request("POST", "/api/v1/jobs/%s/cancel" % r.json["id"])
before = snapshot()
refused({}, 400, "RATE_LIMITED", "a third job with daily_job_limit 2")
vname, _, vtok = new_user("viewer")
request("PUT", "/api/v1/projects/%s/members/%s" % (P, vname), {"role": "viewer"})
_, _, stranger = new_user("stranger")
before = snapshot()
refused({}, 403, "FORBIDDEN", "a viewer", project=P, token=vtok)
refused({}, 404, "NOT_FOUND", "a non-member", project=P, token=stranger)

section("the procedure refuses a target that is not the project's")
sock = os.path.join(RUN, "mysql", "mysqld.sock")
jid = "01a00000-0000-7000-8000-00000000c0de"
call = ("START TRANSACTION; CALL sq_job_create('%s', '%s', 'scrape', 'api', 1, NULL, NULL, 5, 3, "
        "'{}', NULL, '[\"%s\"]', 1, NULL, NULL, NULL, 'Job queued with 1 target', 1000); COMMIT;"
        % (jid, uuid_of(P2), uuid_of(other)))
p = subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "scrapeq", "-e", call],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
check(p.returncode != 0 and "1062" in p.stderr and "not the project" in p.stderr,
      "CALL with another project's target fails with errno 1062", note=p.stderr.strip())
check(db_value("SELECT COUNT(*) FROM jobs WHERE id = '%s'" % jid) == "0",
      "the rolled-back transaction kept no job row")
check(snapshot() == before, "nor any other row")
