#!/usr/bin/python3
"""test_change_answer.py: a client's change to a job is answered from a read made inside
its own transaction. Every route that changes a job through job_update, job_cancel_reason
or job_requeue (v1 cancel; seed 001 PUT, DELETE and retry; seed 002 DELETE; seed 003
PATCH, cancel and retry) is run once with MariaDB's general log on, and the API
connection that wrote the job must send nothing after its COMMIT: a read after the
commit could fail (the database gone for a moment) and turn a change that happened into
an error the client would retry. Each answer also shows the state the change made.

No scrape daemon runs: jobs stay where the API puts them.
"""

import harness
from harness import check, db_rows, db_sql, db_value, new_project, new_target, request, section, uuid_of

OLD_LOG = db_value("SELECT CONCAT(@@global.general_log, ' ', @@global.log_output)").split()


def logged(fn):
    """Runs fn with the general log on; returns (fn's result, [(thread, command, argument)])."""
    db_sql("TRUNCATE TABLE mysql.general_log")
    db_sql("SET GLOBAL log_output = 'TABLE', general_log = 1")
    try:
        out = fn()
    finally:
        db_sql("SET GLOBAL general_log = 0")
    rows = db_rows("SELECT thread_id, command_type, LEFT(REPLACE(argument, '\\n', ' '), 200) "
                   "FROM mysql.general_log ORDER BY event_time")
    return out, rows


def after_commit(rows):
    """What the connection that wrote the job sent after its last COMMIT (None: no writer)."""
    writers = {t for t, c, a in rows if c in ("Execute", "Query") and a.lstrip().upper().startswith("UPDATE JOBS")}
    if len(writers) != 1:
        return None
    w = writers.pop()
    mine = [(c, a) for t, c, a in rows if t == w]
    last = max((i for i, (c, a) in enumerate(mine) if a.strip().upper() == "COMMIT"), default=None)
    if last is None:
        return None
    return [a[:80] for c, a in mine[last + 1:] if c in ("Execute", "Query")]


def job_in_new_project():
    p = new_project()
    t = new_target(p)
    r = request("POST", "/api/v1/projects/%s/jobs" % p, {"target_ids": [t]})
    if r.status != 201:
        raise RuntimeError("cannot create a job: " + r.describe())
    return p, r.json["id"]


def field(r, *path):
    v = r.json
    for k in path:
        v = v.get(k) if isinstance(v, dict) else None
    return v


def case(name, method, path, body, want_status, shown):
    """Runs one change, checks its answer (shown(r) is the status it shows) and the log."""
    r, rows = logged(lambda: request(method, path, body))
    check(r.status == want_status, "%s: %d" % (name, want_status), r)
    check(shown(r), "%s: the answer shows the change" % name, r)
    tail = after_commit(rows)
    check(tail == [], "%s: nothing is read after the COMMIT" % name, note=str(tail))


try:
    section("v1")
    _p, j = job_in_new_project()
    case("POST /api/v1/jobs/{id}/cancel", "POST", "/api/v1/jobs/%s/cancel" % j, None, 200,
         lambda r: field(r, "status") == "cancelled")

    section("seed 001")
    _p, j = job_in_new_project()
    u = uuid_of(j)
    case("PUT /api/scrape-jobs/{id} running", "PUT", "/api/scrape-jobs/" + u, {"status": "running"}, 200,
         lambda r: field(r, "data", "status") == "running")
    case("PUT /api/scrape-jobs/{id} failed", "PUT", "/api/scrape-jobs/" + u, {"status": "failed"}, 200,
         lambda r: field(r, "data", "status") == "failed")
    case("POST /api/scrape-jobs/{id}/retry", "POST", "/api/scrape-jobs/%s/retry" % u, None, 200,
         lambda r: field(r, "data", "status") == "pending" and field(r, "data", "retry_count") == 1)
    case("DELETE /api/scrape-jobs/{id}", "DELETE", "/api/scrape-jobs/" + u, None, 200,
         lambda r: field(r, "data", "status") == "cancelled")

    section("seed 002")
    _p, j = job_in_new_project()
    case("DELETE /v1/jobs/{id}", "DELETE", "/v1/jobs/" + j.split("_", 1)[1], None, 200,
         lambda r: "cancel" in str(field(r, "status") or field(r, "job", "status") or r.body))

    section("seed 003")
    p, j = job_in_new_project()
    w = harness.workspace_of(p)
    base = "/workspace/%d/jobs/%s" % (w, j)
    case("PATCH /workspace/{w}/jobs/{id} running", "PATCH", base, {"status": "running"}, 200,
         lambda r: field(r, "status") == "running")
    case("POST /workspace/{w}/jobs/{id}/cancel", "POST", base + "/cancel", None, 200,
         lambda r: field(r, "status") == "cancelled")
    case("POST /workspace/{w}/jobs/{id}/retry", "POST", base + "/retry", None, 200,
         lambda r: field(r, "status") == "pending")
finally:
    db_sql("SET GLOBAL log_output = '%s', general_log = %s" % (OLD_LOG[1], OLD_LOG[0]))
