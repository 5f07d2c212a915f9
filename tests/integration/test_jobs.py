#!/usr/bin/python3
"""test_jobs.py: seed 000's jobs API: create, list (filters, pages), get, cancel, retry, logs.

No scrape daemon runs during these tests, so a created job stays pending; the states
a daemon would reach (running, completed, failed) are set directly in MariaDB, and so
are log lines and per-target progress.
"""

import re

from harness import (ADMIN_PASSWORD, TS_RE, check, config_value, db_sql, is_error, login, new_project,
                     new_target, new_user, request, section, uuid_of)

ENVELOPE = {"items", "total", "page", "per_page", "pages"}
PROGRESS = {"total_targets", "completed_targets", "total_results", "percentage"}
ACTIVE = int(config_value("limits", "active_runs_per_project", "1"))


def jobs_path(p):
    return "/api/v1/projects/%s/jobs" % p


def create(p, body=None, token=None):
    return request("POST", jobs_path(p), {} if body is None else body, token=token)


def cancel(j, token=None):
    return request("POST", "/api/v1/jobs/%s/cancel" % j, token=token)


def set_status(j, status, **cols):
    sets = ["status = '%s'" % status, "updated_at = NOW(6)"]
    if status in ("running", "completed", "failed"):
        sets.append("started_at = COALESCE(started_at, NOW(6) - INTERVAL 5 SECOND)")
    if status in ("completed", "failed"):
        sets.append("completed_at = NOW(6)")
    for k, v in cols.items():
        sets.append("%s = %s" % (k, v))
    db_sql("UPDATE jobs SET %s WHERE id = '%s'" % (", ".join(sets), uuid_of(j)))
    if status != "pending":
        db_sql("DELETE FROM job_queue WHERE job_id = '%s'" % uuid_of(j))


project = new_project(name="Jobs", max_results_per_target=40)
t1 = new_target(project, url="https://example.com/one")
t2 = new_target(project, url="https://example.com/two")
t_off = new_target(project, url="https://example.com/off", enabled=False)

section("create")
r = create(project)
check(r.status == 201, "POST jobs {} is 201")
job = r.json if r.status == 201 and isinstance(r.json, dict) else {}
jid = job.get("id", "job_" + "0" * 32)
check(re.match(r"^job_[0-9a-f]{32}$", jid) is not None, "job ids are job_<32 hex>", r)
check(job.get("project_id") == project and job.get("status") == "pending" and job.get("source") == "api",
      "a new job is pending, in its project, source api", r)
cfg = job.get("config") or {}
check(cfg.get("max_results_per_target") == 40, "config.max_results_per_target is the project's (40)", r)
check(sorted(cfg.get("targets") or []) == sorted([t1, t2]),
      "config.targets is every enabled target (not the disabled one)", r)
prog = job.get("progress") or {}
check(set(prog) >= PROGRESS and prog.get("total_targets") == 2 and prog.get("completed_targets") == 0
      and prog.get("total_results") == 0 and prog.get("percentage") == 0,
      "progress starts at 2 targets, 0 done, 0 results, 0%", r)
check(re.match(TS_RE, str(job.get("created_at"))) is not None, "created_at is RFC 3339 UTC", r)

section("get")
r = request("GET", "/api/v1/jobs/%s" % jid)
g = r.json if r.status == 200 and isinstance(r.json, dict) else {}
check(r.status == 200 and g.get("id") == jid and g.get("status") == "pending", "GET /api/v1/jobs/{id} is 200", r)
for k in ("project_id", "source", "config", "progress", "created_at"):
    check(g.get(k) == job.get(k), "GET agrees with create on %s" % k, r)
ts = g.get("target_status")
check(isinstance(ts, list) and sorted(x.get("target_id") for x in ts) == sorted([t1, t2]),
      "target_status lists each target of the job", r)
check(isinstance(ts, list) and all(x.get("status") == "pending" and x.get("results_count") == 0 for x in ts),
      "each target is pending with 0 results", r)

section("one active run per project (JOB_RUNNING)")
extra = []
for i in range(ACTIVE - 1):
    r = create(project)
    if r.status == 201:
        extra.append(r.json["id"])
check(len(extra) == ACTIVE - 1, "up to active_runs_per_project (%d) jobs may be pending at once" % ACTIVE)
r = create(project)
is_error(r, 400, "JOB_RUNNING", "one more pending job is 400 JOB_RUNNING")
r2 = request("GET", jobs_path(project))
check(r2.status == 200 and r2.json.get("total") == ACTIVE, "a refused create wrote no job", r2)
set_status(jid, "running")
r = create(project)
is_error(r, 400, "JOB_RUNNING", "a running job counts too")
other_project = new_project()
new_target(other_project)
r = create(other_project)
check(r.status == 201, "the limit is per project: another project can start a job", r)
if r.status == 201:
    cancel(r.json["id"])

section("cancel")
r = cancel(jid)
c = r.json if r.status == 200 and isinstance(r.json, dict) else {}
check(r.status == 200 and c.get("id") == jid and c.get("status") == "cancelled",
      "POST cancel on a running job is 200 with status cancelled", r)
check(re.match(TS_RE, str(c.get("cancelled_at"))) is not None, "the answer has cancelled_at", r)
check(set(c.get("progress") or {}) >= PROGRESS, "the answer has progress", r)
r = request("GET", "/api/v1/jobs/%s" % jid)
check(r.status == 200 and r.json.get("status") == "cancelled" and r.json.get("cancelled_at") == c.get("cancelled_at"),
      "GET shows the job cancelled", r)
r = cancel(jid)
is_error(r, 400, "CANNOT_CANCEL", "cancelling a cancelled job is 400 CANNOT_CANCEL")
for x in extra:
    cancel(x)
r = create(project, {"target_ids": [t1]})
check(r.status == 201, "after cancelling, a new job can start", r)
pend = r.json.get("id") if r.status == 201 else None
r = cancel(pend)
check(r.status == 200 and r.json.get("status") == "cancelled", "a pending job can be cancelled", r)

r = create(project)
done = r.json.get("id") if r.status == 201 else "job_" + "0" * 32
set_status(done, "completed", completed_targets=2, total_results=7)
r = cancel(done)
is_error(r, 400, "CANNOT_CANCEL", "cancelling a completed job is 400 CANNOT_CANCEL")
r = request("GET", "/api/v1/jobs/%s" % done)
check(r.status == 200 and r.json.get("status") == "completed", "a refused cancel changed nothing", r)
check(r.status == 200 and (r.json.get("progress") or {}).get("percentage") == 100
      and (r.json.get("progress") or {}).get("total_results") == 7, "a completed job is 100%", r)
check(r.status == 200 and isinstance(r.json.get("duration_seconds"), int) and r.json["duration_seconds"] >= 4
      and re.match(TS_RE, str(r.json.get("completed_at"))) and re.match(TS_RE, str(r.json.get("started_at"))),
      "a completed job has started_at, completed_at and duration_seconds", r)

section("retry")
r = request("POST", "/api/v1/jobs/%s/retry" % jid)
n = r.json if r.status == 201 and isinstance(r.json, dict) else {}
check(r.status == 201, "POST retry on a cancelled job is 201", r)
check(n.get("id") not in (None, jid) and n.get("status") == "pending" and n.get("source") == "retry"
      and n.get("retry_of") == jid and n.get("project_id") == project,
      "the retry is a new pending job with source retry and retry_of", r)
check(n.get("config") == job.get("config"), "the retry has the same configuration", r)
retry_id = n.get("id", "job_" + "0" * 32)
r = request("GET", "/api/v1/jobs/%s" % retry_id)
check(r.status == 200 and r.json.get("retry_of") == jid and r.json.get("source") == "retry",
      "GET shows source retry and retry_of", r)
r = request("POST", "/api/v1/jobs/%s/retry" % retry_id)
is_error(r, 400, "CANNOT_RETRY", "retrying a pending job is 400 CANNOT_RETRY")
if ACTIVE == 1:
    r = request("POST", "/api/v1/jobs/%s/retry" % jid)
    is_error(r, 400, "JOB_RUNNING", "retrying while another run is pending is 400 JOB_RUNNING")
set_status(retry_id, "running")
r = request("POST", "/api/v1/jobs/%s/retry" % retry_id)
is_error(r, 400, "CANNOT_RETRY", "retrying a running job is 400 CANNOT_RETRY")
set_status(retry_id, "failed", error="'{\"message\": \"boom\"}'")
r = request("GET", "/api/v1/jobs/%s" % retry_id)
check(r.status == 200 and r.json.get("status") == "failed" and r.json.get("error") is not None,
      "a failed job shows its error", r)
r = request("POST", "/api/v1/jobs/%s/retry" % retry_id)
check(r.status == 201 and r.json.get("retry_of") == retry_id, "retrying a failed job is 201", r)
if r.status == 201:
    cancel(r.json["id"])
r = request("POST", "/api/v1/jobs/%s/retry" % done)
is_error(r, 400, "CANNOT_RETRY", "retrying a completed job is 400 CANNOT_RETRY")

section("create options and validation")
r = create(project, {"target_ids": [t2], "max_results_per_target": 7})
ok = r.status == 201 and (r.json.get("config") or {}).get("targets") == [t2] \
    and (r.json.get("config") or {}).get("max_results_per_target") == 7 \
    and (r.json.get("progress") or {}).get("total_targets") == 1
check(ok, "target_ids and max_results_per_target are honoured", r)
if r.status == 201:
    cancel(r.json["id"])
r = create(project, {"target_ids": [t_off]})
check(r.status == 201 or (r.status in (400, 422) and isinstance(r.json, dict) and "error" in r.json),
      "naming a disabled target explicitly is either allowed or refused cleanly", r)
if r.status == 201:
    cancel(r.json["id"])
foreign = new_target(other_project)
CASES = [
    ({"target_ids": "tgt_1"}, 400, "target_ids", "a string target_ids"),
    ({"target_ids": [1, 2]}, (400, 422), "target_ids", "numbers in target_ids"),
    ({"target_ids": ["tgt_" + "0" * 32]}, 422, "target", "an unknown target id"),
    ({"target_ids": ["banana"]}, 422, "target", "a malformed target id"),
    ({"target_ids": [foreign]}, 422, "target", "another project's target"),
    ({"target_ids": [t1, t1]}, 422, "target", "a duplicate target id"),
    ({"max_results_per_target": "10"}, 400, "max_results_per_target", "a string max_results_per_target"),
    ({"max_results_per_target": 2.5}, 400, "max_results_per_target", "a fractional max_results_per_target"),
    ({"max_results_per_target": 0}, 422, "max_results_per_target", "max_results_per_target 0"),
    ({"max_results_per_target": -3}, 422, "max_results_per_target", "a negative max_results_per_target"),
    ({"priority": "high"}, 400, "priority", "an unknown field"),
]
for body, status, field, what in CASES:
    r = create(project, body)
    statuses = status if isinstance(status, tuple) else (status,)
    is_error(r, r.status if r.status in statuses else statuses[0], "VALIDATION_ERROR",
             "%s is %s VALIDATION_ERROR naming %s" % (what, "/".join(map(str, statuses)), field),
             message_has=field)
    if r.status == 201:
        cancel(r.json["id"])
r = create(project, {"max_results_per_target": "x"})
check(r.status == 400 and "Field 'max_results_per_target' must be an integer" in str(r.json),
      "the wrong-type message reads \"Field 'max_results_per_target' must be an integer\"", r)
r = create(project, {"bogus": 1})
check(r.status == 400 and "Unknown field(s): bogus" in str(r.json), "the message reads \"Unknown field(s): bogus\"", r)
r = request("POST", jobs_path(project), raw=b'{"target_ids": [')
is_error(r, 400, "VALIDATION_ERROR", "malformed JSON is 400")
r = request("POST", jobs_path(project), raw=b"")
check(r.status == 201, "an empty body means all targets (201)", r)
if r.status == 201:
    cancel(r.json["id"])
r = request("GET", jobs_path(project) + "?status=pending")
check(r.status == 200 and r.json.get("total") == 0, "no refused create left a job behind", r)

section("NO_TARGETS")
empty = new_project()
r = create(empty)
is_error(r, 400, "NO_TARGETS", "a project without targets is 400 NO_TARGETS")
only_off = new_project()
new_target(only_off, enabled=False)
r = create(only_off)
is_error(r, 400, "NO_TARGETS", "a project whose targets are all disabled is 400 NO_TARGETS")

section("list, filters, pages")
lp = new_project()
new_target(lp)
made = []
for i in range(5):
    r = create(lp)
    if r.status == 201:
        made.append(r.json["id"])
        if i < 4:
            cancel(r.json["id"])
sess = login("admin", ADMIN_PASSWORD)
cancel(made[-1])
r = create(lp, token=sess["access_token"])
if r.status == 201:
    made.append(r.json["id"])
check(len(made) == 6, "six jobs made for the list tests (5 api, 1 manual)")
set_status(made[0], "completed", completed_targets=1, total_results=3)
set_status(made[1], "failed")
r = request("GET", jobs_path(lp))
ok = r.status == 200 and isinstance(r.json, dict) and set(r.json) == ENVELOPE
check(ok, "the list is the {items,total,page,per_page,pages} envelope", r)
check(ok and r.json["total"] == 6 and r.json["page"] == 1 and r.json["per_page"] == 20 and r.json["pages"] == 1,
      "total 6, page 1, per_page 20, pages 1", r)
items = r.json.get("items", []) if ok else []
check(sorted(i.get("id") for i in items) == sorted(made), "the list holds exactly the project's jobs", r)
check(all({"id", "project_id", "status", "source", "config", "progress", "created_at"} <= set(i) for i in items),
      "list items carry id, project_id, status, source, config, progress, created_at", r)
check([i.get("id") for i in items] == list(reversed(made)), "newest first", r)
for status, want in [("pending", [made[5]]), ("cancelled", made[2:5]), ("completed", [made[0]]),
                     ("failed", [made[1]]), ("running", [])]:
    r = request("GET", jobs_path(lp) + "?status=" + status)
    check(r.status == 200 and sorted(i["id"] for i in r.json.get("items", [])) == sorted(want)
          and r.json.get("total") == len(want), "?status=%s lists exactly those jobs" % status, r)
for source, want in [("api", made[:5]), ("manual", [made[5]]), ("scheduled", []), ("retry", [])]:
    r = request("GET", jobs_path(lp) + "?source=" + source)
    check(r.status == 200 and sorted(i["id"] for i in r.json.get("items", [])) == sorted(want),
          "?source=%s lists exactly those jobs" % source, r)
r = request("GET", jobs_path(lp) + "?status=cancelled&source=api&per_page=2&page=2")
check(r.status == 200 and r.json.get("total") == 3 and r.json.get("pages") == 2
      and len(r.json.get("items", [])) == 1, "filters combine with pages", r)
r = request("GET", jobs_path(lp) + "?status=cancelled&source=api&per_page=2")
check(r.status == 200 and [i["id"] for i in r.json.get("items", [])] == [made[4], made[3]]
      and r.json.get("total") == 3, "both filters: the newest two cancelled api jobs, in order", r)
for q, total in [("status=cancelled&source=api&per_page=2&page=3", 3), ("page=1000000&per_page=100", 6),
                 ("source=api&page=4&per_page=2", 5), ("status=completed&page=2", 1)]:
    r = request("GET", jobs_path(lp) + "?" + q)
    check(r.status == 200 and r.json.get("items") == [] and r.json.get("total") == total,
          "?%s: a page past the end is empty and keeps the total (%d)" % (q, total), r)
seen = []
for page in (1, 2, 3):
    r = request("GET", jobs_path(lp) + "?per_page=2&page=%d" % page)
    seen += [i["id"] for i in r.json.get("items", [])] if r.status == 200 else []
check(seen == list(reversed(made)), "three pages of two hold all six jobs once, in order", note="seen %s" % seen)
for q, param in [("status=done", "status"), ("status=", "status"), ("status=PENDING", "status"),
                 ("source=cron", "source"), ("per_page=0", "per_page"), ("per_page=101", "per_page"),
                 ("per_page=ten", "per_page"), ("page=0", "page"), ("page=1e3", "page")]:
    r = request("GET", jobs_path(lp) + "?" + q)
    is_error(r, 400, "VALIDATION_ERROR", "?%s is 400 naming %s" % (q, param), message_has=param)
r = request("GET", jobs_path(lp) + "?per_page=100")
check(r.status == 200 and r.json.get("per_page") == 100, "per_page=100 is accepted", r)
r = request("GET", jobs_path("proj_" + "0" * 32))
is_error(r, 404, "NOT_FOUND", "jobs of an unknown project are 404")

section("progress and target_status as a daemon writes them")
pj = made[5]
db_sql("UPDATE jobs SET status='running', started_at=NOW(6), total_targets=1, completed_targets=0, "
       "total_results=42 WHERE id='%s'" % uuid_of(pj))
db_sql("UPDATE job_targets SET status='running', results_count=42, started_at=NOW(6) WHERE job_id='%s'"
       % uuid_of(pj))
# As the daemon's flush does in the same transaction: the job's row keeps its targets' state (sql/012).
db_sql("UPDATE jobs j SET j.target_state = (SELECT JSON_ARRAYAGG(JSON_ARRAY(jt.target_id, jt.status, "
       "jt.results_count, jt.started_at, jt.completed_at) ORDER BY jt.position) FROM job_targets jt "
       "WHERE jt.job_id = j.id) WHERE j.id = '%s'" % uuid_of(pj))
r = request("GET", "/api/v1/jobs/%s" % pj)
ts = r.json.get("target_status") if r.status == 200 else None
check(r.status == 200 and r.json.get("status") == "running" and (r.json.get("progress") or {}).get("total_results")
      == 42, "a running job shows its results so far", r)
check(isinstance(ts, list) and len(ts) == 1 and ts[0].get("status") == "running" and ts[0].get("results_count") == 42,
      "target_status shows the running target and its count", r)

section("logs")
lj = made[2]
r = request("GET", "/api/v1/jobs/%s/logs" % lj)
check(r.status == 200 and isinstance(r.json, dict) and isinstance(r.json.get("logs"), list),
      "GET logs is 200 {\"logs\": [...]}", r)
base = len(r.json.get("logs", [])) if r.status == 200 else 0
lines = [("info", "Job started", "NULL"), ("info", "Scraping target", "'%s'" % uuid_of(t1)),
         ("warning", "Rate limited, waiting 5 seconds", "'%s'" % uuid_of(t1)),
         ("error", "Target failed", "'%s'" % uuid_of(t1)), ("info", "Job finished", "NULL")]
for i, (lvl, msg, tgt) in enumerate(lines):
    db_sql("INSERT INTO job_logs (job_id, ts, level, message, target_id) VALUES "
           "('%s', NOW(6) + INTERVAL %d SECOND, '%s', '%s', %s)" % (uuid_of(lj), 100 + i, lvl, msg, tgt))
r = request("GET", "/api/v1/jobs/%s/logs" % lj)
logs = r.json.get("logs", []) if r.status == 200 else []
check(len(logs) == base + 5, "every log line is listed", r)
check(all(set(x) == {"timestamp", "level", "message", "target_id"} for x in logs),
      "log lines are {timestamp, level, message, target_id}", r)
check([x.get("message") for x in logs[-5:]] == [m for _l, m, _t in lines], "log lines come in time order", r)
check(logs[-5:][0].get("target_id") is None and logs[-5:][1].get("target_id") == t1 if len(logs) >= 5 else False,
      "target_id is null or the tgt_ id", r)
check(all(re.match(TS_RE, str(x.get("timestamp"))) for x in logs), "timestamps are RFC 3339", r)
r = request("GET", "/api/v1/jobs/%s/logs?level=warning" % lj)
check(r.status == 200 and [x["message"] for x in r.json.get("logs", [])] == ["Rate limited, waiting 5 seconds"],
      "?level=warning lists only warnings", r)
r = request("GET", "/api/v1/jobs/%s/logs?level=error" % lj)
check(r.status == 200 and [x["message"] for x in r.json.get("logs", [])] == ["Target failed"],
      "?level=error lists only errors", r)
r = request("GET", "/api/v1/jobs/%s/logs?limit=2" % lj)
check(r.status == 200 and [x["message"] for x in r.json.get("logs", [])] == ["Target failed", "Job finished"],
      "?limit=2 gives the latest two, in time order", r)
for q, param in [("level=verbose", "level"), ("limit=0", "limit"), ("limit=-1", "limit"),
                 ("limit=abc", "limit"), ("limit=1000000", "limit")]:
    r = request("GET", "/api/v1/jobs/%s/logs?%s" % (lj, q))
    is_error(r, 400, "VALIDATION_ERROR", "logs ?%s is 400 naming %s" % (q, param), message_has=param)

section("unknown jobs and methods")
for path in ("/api/v1/jobs/job_" + "0" * 32, "/api/v1/jobs/nonsense", "/api/v1/jobs/" + project):
    r = request("GET", path)
    is_error(r, 404, "NOT_FOUND", "GET %s is 404" % path)
for sub in ("cancel", "retry"):
    r = request("POST", "/api/v1/jobs/job_%s/%s" % ("0" * 32, sub))
    is_error(r, 404, "NOT_FOUND", "POST %s of an unknown job is 404" % sub)
r = request("GET", "/api/v1/jobs/job_%s/logs" % ("0" * 32))
is_error(r, 404, "NOT_FOUND", "logs of an unknown job are 404")
r = request("DELETE", "/api/v1/jobs/%s" % jid)
is_error(r, 405, "METHOD_NOT_ALLOWED", "DELETE on a job is 405")
r = request("GET", "/api/v1/jobs/%s/cancel" % jid)
is_error(r, 405, "METHOD_NOT_ALLOWED", "GET on cancel is 405")
r = request("PATCH", jobs_path(project), {})
is_error(r, 405, "METHOD_NOT_ALLOWED", "PATCH on a project's jobs is 405")

section("tenancy: another project's member gets 404, never 403")
_ua, _pa, tok_a = new_user("tenant-a")
_ub, _pb, tok_b = new_user("tenant-b")
pa = new_project(token=tok_a)
new_target(pa, token=tok_a)
pb = new_project(token=tok_b)
new_target(pb, token=tok_b)
r = create(pa, token=tok_a)
ja = r.json.get("id") if r.status == 201 else "job_" + "0" * 32
r = create(pb, token=tok_b)
check(r.status == 201, "user B can work in their own project", r)
for method, path in [("GET", "/api/v1/jobs/%s" % ja), ("POST", "/api/v1/jobs/%s/cancel" % ja),
                     ("POST", "/api/v1/jobs/%s/retry" % ja), ("GET", "/api/v1/jobs/%s/logs" % ja),
                     ("GET", jobs_path(pa)), ("GET", jobs_path(pa) + "?status=pending&source=api"),
                     ("GET", jobs_path(pa) + "?source=api"), ("GET", jobs_path(pa) + "?status=pending"),
                     ("POST", jobs_path(pa)), ("GET", "/api/v1/projects/%s" % pa)]:
    r = request(method, path, {} if method == "POST" else None, token=tok_b)
    is_error(r, 404, "NOT_FOUND", "B: %s %s is 404" % (method, path))
r = request("GET", "/api/v1/jobs/%s" % ja, token=tok_a)
check(r.status == 200 and r.json.get("status") == "pending", "A's job is untouched by B's attempts", r)
r = request("GET", jobs_path(pa), token=tok_a)
check(r.status == 200 and r.json.get("total") == 1, "B created nothing in A's project", r)
