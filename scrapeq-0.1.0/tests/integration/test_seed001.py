#!/usr/bin/python3
"""test_seed001.py: seed 001, /api/scrape-jobs: every curl example, every documented error,
the client transition table exhaustively, metadata merge, audit rows, /next under two
concurrent workers, and /stats against the jobs inserted here.

No scrape daemon runs; states a daemon would reach are set through the API (PUT) or in
MariaDB directly. Each part runs as a fresh user with a fresh project, so its counts,
quota and /next queue are its own.
"""

import re
import threading

import harness
from harness import (check, db_sql, db_value, new_project, new_user, request, section)

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
TS_MS_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
STATUSES = ["pending", "running", "completed", "failed", "cancelled"]
ALLOWED = {("pending", "running"), ("pending", "cancelled"), ("running", "completed"),
           ("running", "failed"), ("running", "cancelled"), ("failed", "pending"),
           ("failed", "cancelled")}
GET_FIELDS = {"id", "domain_id", "customer_config_id", "domain", "job_type", "status", "priority",
              "retry_count", "max_retries", "config", "metadata", "started_at", "completed_at",
              "error_message", "stats", "created_at", "updated_at"}
SEED_CONFIG = {"depth": 3, "maxPages": 150, "timeout": 30000, "respectRobots": True,
               "includeSubdomains": False, "userAgent": "CustomBot/1.0"}
# The crawl options beyond the seed's six, as a job that does not set them shows them.
DEFAULT_OPTIONS = {"delay": 0, "allowExternalLinks": False, "ignoreSitemap": False,
                   "ignoreQueryParameters": False}

_, _, TOK = new_user("seed001")
PROJECT = new_project(token=TOK)


def path(jid=""):
    return "/api/scrape-jobs" + ("/" + jid if jid else "")


def create(token=TOK, **body):
    b = {"domain": "example.com"}
    b.update(body)
    r = request("POST", path(), b, token=token)
    if r.status != 201:
        raise RuntimeError("create failed: " + r.describe())
    return r.json["data"]["id"]


def put(jid, body, token=TOK, query=""):
    return request("PUT", path(jid) + query, body, token=token)


def data(r):
    return r.json.get("data") if isinstance(r.json, dict) else None


def is_err(r, status, error, name, details=None):
    j = r.json if isinstance(r.json, dict) else {}
    ok = r.status == status and j.get("success") is False and j.get("error") == error
    if details is not None:
        ok = ok and j.get("details") == details
    check(ok, name, r)


def set_status(jid, status):
    """Puts a job in status straight in MariaDB, as a daemon would."""
    db_sql("UPDATE jobs SET status = '%s' WHERE id = '%s'" % (status, jid))
    if status != "pending":
        db_sql("DELETE FROM job_queue WHERE job_id = '%s'" % jid)


section("create and GET (the seed's example job)")
r = request("POST", path(), {"domain": "example.com", "job_type": "domain_scrape", "priority": 7,
                             "max_retries": 3, "config": SEED_CONFIG,
                             "metadata": {"source": "api", "tags": ["ecommerce", "high-priority"],
                                          "requestedBy": "user@example.com",
                                          "estimatedDuration": 300}}, token=TOK)
d = data(r) or {}
check(r.status == 201 and r.json.get("success") is True, "POST /api/scrape-jobs is 201 success", r)
JID = d.get("id", "")
check(re.match(UUID_RE, JID) is not None, "the id is a canonical UUID", r)
r = request("GET", path(JID), token=TOK)
g = data(r) or {}
check(r.status == 200 and r.json.get("success") is True and set(g) >= GET_FIELDS,
      "GET has every field of the seed's example", r)
check(g.get("domain") == "example.com" and g.get("job_type") == "domain_scrape" and g.get("priority") == 7
      and g.get("retry_count") == 0 and g.get("max_retries") == 3 and g.get("status") == "pending",
      "domain, job_type, priority, retries, status as created", r)
check(g.get("config") == dict(SEED_CONFIG, **DEFAULT_OPTIONS),
      "config reads back as given, timeout in ms (30000), the other crawl options as the crawl will use them", r)
check(g.get("metadata", {}).get("tags") == ["ecommerce", "high-priority"], "metadata as given", r)
check(re.match(UUID_RE, str(g.get("domain_id"))) and re.match(UUID_RE, str(g.get("customer_config_id"))),
      "domain_id and customer_config_id are UUIDs", r)
check(g.get("customer_config_id").replace("-", "") == PROJECT.split("_")[1],
      "the job landed in the caller's (only) project", r)
check(re.match(TS_MS_RE, str(g.get("created_at"))) and g.get("completed_at") is None
      and g.get("error_message") is None and g.get("stats") == {}, "timestamps with ms; nulls", r)
stored = db_value("SELECT JSON_VALUE(config, '$.timeout') FROM jobs WHERE id = '%s'" % JID)
check(stored == "30", "the crawler's config.timeout is stored in seconds (30)")
r = request("GET", "/api/v1/jobs/job_" + JID.replace("-", ""), token=TOK)
check(r.status == 200 and r.json.get("status") == "pending", "the same job reads through /api/v1/jobs/job_<hex>", r)
r = request("GET", path("job_" + JID.replace("-", "")), token=TOK)
check(r.status == 200 and data(r).get("id") == JID, "and a job_<hex> id reads through seed 001", r)
check(db_value("SELECT project_run FROM jobs WHERE id = '%s'" % JID) == "0", "project_run is 0")
second = create()
check(second != JID, "a second domain scrape in the project is not refused (no JOB_RUNNING)")

section("curl: update job status")
r = put(JID, {"status": "running", "started_at": "2024-01-01T12:00:00.000Z",
              "stats": {"pagesProcessed": 10, "totalPages": 100}})
u = data(r) or {}
check(r.status == 200 and r.json.get("success") is True and r.json.get("message") == "Job updated successfully",
      "PUT status running is 200 'Job updated successfully'", r)
check(u.get("id") == JID and u.get("status") == "running" and re.match(TS_MS_RE, str(u.get("updated_at")))
      and u.get("stats") == {"pagesProcessed": 10, "totalPages": 100}, "data has id, status, updated_at, stats", r)
check(u.get("started_at") == "2024-01-01T12:00:00.000Z", "started_at as given", r)
check(db_value("SELECT COUNT(*) FROM job_queue WHERE job_id = '%s'" % JID) == "0", "a running job is off the queue")
check(db_value("SELECT CONCAT(lease_owner, ' ', lease_expires_at IS NULL) FROM jobs WHERE id = '%s'" % JID)
      .endswith(" 1"), "a job its client set running has no lease: no daemon takes it back while the client works")
lj = create()
r = put(lj, {"status": "running"}, query="?lease_seconds=60")
check(r.status == 200 and db_value("SELECT lease_expires_at BETWEEN NOW(6) + INTERVAL 50 SECOND AND NOW(6) + "
                                   "INTERVAL 61 SECOND FROM jobs WHERE id = '%s'" % lj) == "1",
      "with ?lease_seconds=60 it takes a 60 s lease, as /next gives", r)

section("curl: mark job as completed with results")
r = put(JID, {"status": "completed", "completed_at": "2024-01-01T12:30:00.000Z",
              "stats": {"pagesProcessed": 100, "successfulRequests": 95, "failedRequests": 5,
                        "dataExtracted": {"products": 250, "images": 456}}})
u = data(r) or {}
check(r.status == 200 and u.get("status") == "completed" and u.get("completed_at") == "2024-01-01T12:30:00.000Z"
      and u.get("stats", {}).get("dataExtracted") == {"products": 250, "images": 456}, "completed with stats", r)

section("documented errors")
r = put(JID, {"status": "running"})
is_err(r, 400, "Cannot transition from 'completed' to 'running'", "completed -> running is the seed's 400")
r = request("DELETE", path(JID), token=TOK)
is_err(r, 409, "Job not found or cannot be cancelled", "DELETE a completed job is 409 with details",
       details="Job is already completed")
r = request("GET", path("123e4567-e89b-12d3-a456-426614174000"), token=TOK)
is_err(r, 404, "Job not found", "an unknown id is 404 'Job not found'")
r = request("GET", path("not-a-uuid"), token=TOK)
is_err(r, 404, "Job not found", "a malformed id is 404 too")
r = request("GET", path(JID))
is_err(r, 404, "Job not found", "another tenant's job is 404, not 403")
for v in (-1, 1.5, "2", None):
    r = put(second, {"retry_count": v})
    is_err(r, 400, "Invalid retry_count: must be a non-negative integer", "retry_count %r is refused" % (v,))
for body, msg in (({"status": "done"}, "Invalid status"), ({"stats": []}, "Invalid stats"),
                  ({"metadata": "x"}, "Invalid metadata"), ({"started_at": "yesterday"}, "Invalid started_at"),
                  ({"error_message": 5}, "Invalid error_message"), ({"bogus": 1}, "Unknown field")):
    r = put(second, body)
    check(r.status == 400 and r.json.get("success") is False and r.json.get("error", "").startswith(msg),
          "PUT %s is 400 '%s...'" % (body, msg), r)
for body, msg in (({"priority": 11}, "Invalid priority"), ({"priority": 0}, "Invalid priority"),
                  ({"domain": "bad domain"}, "Invalid domain"), ({"config": {"depth": -1}}, "Invalid config.depth"),
                  ({"config": {"timeout": 5}}, "Invalid config.timeout"), ({"job_type": "Bad-Type"}, "Invalid job_type"),
                  ({"domain": "https://user:pw@example.com/"}, "Invalid domain"), ({"priority": -1}, "Invalid priority"), ({"max_retries": -1}, "Invalid max_retries"),
                  ({"job_type": "nohandler"}, "Invalid job_type: 'nohandler' is neither a scrape nor a type with "
                   "a [handlers] entry")):
    b = {"domain": "example.com"}
    b.update(body)
    r = request("POST", path(), b, token=TOK)
    check(r.status == 400 and r.json.get("error", "").startswith(msg), "POST %s is 400 '%s...'" % (body, msg), r)
r = request("GET", path(second), auth=False)
check(r.status == 401 and r.json.get("success") is False, "no token is 401 in the envelope", r)
r = request("GET", path(second), token="sq_" + "0" * 64)
check(r.status == 401, "a bad token is 401", r)
r = request("PUT", path(second) + "?lease_seconds=abc", {}, token=TOK)
check(r.status == 400 and r.json.get("error", "").startswith("Invalid lease_seconds"), "bad lease_seconds is 400", r)

section("curl: cancel job with reason, and the default reason")
r = request("DELETE", path(second) + "?reason=User%20requested%20cancellation", token=TOK)
c = data(r) or {}
check(r.status == 200 and r.json.get("message") == "Job cancelled successfully" and c.get("status") == "cancelled"
      and c.get("error_message") == "Cancelled via API: User requested cancellation"
      and re.match(TS_MS_RE, str(c.get("completed_at"))), "DELETE with reason: the seed's answer", r)
third = create()
r = request("DELETE", path(third), token=TOK)
check(r.status == 200 and data(r).get("error_message") == "Cancelled via API", "the default reason", r)
check(db_value("SELECT cancel_requested FROM jobs WHERE id = '%s'" % third) == "1", "cancel_requested is set")

section("the transition table, every from -> to over PUT")
_, _, TT = new_user("seed001tt")
new_project(token=TT)
for frm in STATUSES:
    for to in STATUSES:
        j = create(token=TT)
        set_status(j, frm)
        r = put(j, {"status": to}, token=TT)
        if frm == to:
            ok = r.status == 200 and data(r).get("status") == to
            check(ok, "%s -> %s (same) is a no-op 200" % (frm, to), r)
        elif (frm, to) in ALLOWED:
            check(r.status == 200 and data(r).get("status") == to, "%s -> %s allowed" % (frm, to), r)
        else:
            is_err(r, 400, "Cannot transition from '%s' to '%s'" % (frm, to), "%s -> %s refused" % (frm, to))
        got = db_value("SELECT status FROM jobs WHERE id = '%s'" % j)
        check(got == (to if (frm, to) in ALLOWED else frm), "%s -> %s: stored status %s" % (frm, to, got))
j = create(token=TT, max_retries=1)
set_status(j, "failed")
r = put(j, {"status": "pending"}, token=TT)
check(r.status == 200 and data(r).get("retry_count") == 1, "failed -> pending is a retry (retry_count 1)", r)
check(db_value("SELECT COUNT(*) FROM job_queue WHERE job_id = '%s'" % j) == "1", "and it is back on the queue")
set_status(j, "failed")
r = put(j, {"status": "pending"}, token=TT)
check(r.status == 400 and "maximum retries" in r.json.get("error", ""), "no retry past max_retries", r)

section("POST /{id}/retry")
j = create(token=TT, max_retries=2)
r = request("POST", path(j) + "/retry", token=TT)
check(r.status == 400 and r.json.get("success") is False, "retrying a pending job is 400", r)
set_status(j, "failed")
r = request("POST", path(j) + "/retry", token=TT)
check(r.status == 200 and data(r).get("status") == "pending" and data(r).get("retry_count") == 1,
      "a failed job goes back to pending, retry_count + 1, same id", r)

section("metadata is merged, not replaced")
j = create(token=TT, metadata={"source": "api", "tags": ["a"], "keep": 1})
r = put(j, {"metadata": {"updatedBy": "system", "notes": "Job restarted due to timeout", "keep": 2}}, token=TT)
m = (data(r) or {}).get("metadata", {})
check(m == {"source": "api", "tags": ["a"], "keep": 2, "updatedBy": "system",
            "notes": "Job restarted due to timeout"}, "old keys kept, new added, same key replaced", r)
r = put(j, {"error_message": "boom"}, token=TT)
check(data(r).get("error_message") == "boom", "error_message set", r)
r = put(j, {"error_message": None}, token=TT)
check(data(r).get("error_message") is None, "error_message cleared with null", r)

section("audit log")
r = request("GET", path(j) + "/audit", token=TT)
rows = data(r) or []
check(r.status == 200 and [x.get("action") for x in rows] == ["create", "update", "update", "update"],
      "create and each PUT are audited, oldest first", r)
up = rows[1] if len(rows) > 1 else {}
check(up.get("before", {}).get("metadata") == {"source": "api", "tags": ["a"], "keep": 1}
      and up.get("after", {}).get("metadata", {}).get("keep") == 2, "before and after hold the metadata", r)
check(all(isinstance(x.get("user_id"), int) and re.match(TS_MS_RE, str(x.get("timestamp"))) for x in rows),
      "who and when", r)
n = db_value("SELECT COUNT(*) FROM audit_log WHERE entity_id = '%s'" % j)
check(n == "4", "four audit_log rows in MariaDB")
member_name, _, MT = new_user("seed001m")
pid = db_value("SELECT project_id FROM jobs WHERE id = '%s'" % j)
uid = db_value("SELECT id FROM users WHERE username = '%s'" % member_name)
db_sql("INSERT INTO memberships (user_id, project_id, role) VALUES (%s, '%s', 'member')" % (uid, pid))
r = request("GET", path(j), token=MT)
check(r.status == 200, "a plain member reads the job", r)
r = request("GET", path(j) + "/audit", token=MT)
check(r.status == 403 and r.json.get("success") is False, "but not its audit log (403)", r)
r = request("GET", path(j) + "/audit", token=TOK)
is_err(r, 404, "Job not found", "a non-member gets 404 for the audit log")

section("list")
r = request("GET", path() + "?status=cancelled&per_page=2", token=TOK)
check(r.status == 200 and r.json.get("success") is True and len(data(r)) == 2
      and all(x.get("status") == "cancelled" for x in data(r))
      and r.json.get("pagination", {}).get("total") == 2, "status filter and paging", r)
r = request("GET", path() + "?per_page=100", token=TOK)
items = data(r) if r.status == 200 and isinstance(data(r), list) else []
ones = [data(request("GET", path(x.get("id", "")), token=TOK)) for x in items]
check(len(items) >= 3 and items == ones,
      "a page of %d jobs, read in one batch, shows each job exactly as its own GET does" % len(items), False,
      "first difference: %r" % next(((a, b) for a, b in zip(items, ones) if a != b), None))
check([x.get("created_at") for x in items] == sorted((x.get("created_at") for x in items), reverse=True),
      "the page is newest first", r)
r = request("GET", path() + "?status=bogus", token=TOK)
check(r.status == 400, "a bad status filter is 400", r)
r = request("GET", path() + "?per_page=1000", token=TOK)
check(r.status == 400, "per_page past the cap is 400", r)

section("/next: two workers never get the same job")
_, _, WT = new_user("seed001w")
new_project(token=WT)
made = [create(token=WT, priority=(i % 10) + 1) for i in range(12)]
got, lock = [], threading.Lock()


def worker():
    while True:
        r = request("POST", path("next"), token=WT)
        d = data(r)
        if r.status != 200 or d is None:
            return
        with lock:
            got.append(d["id"])


ts = [threading.Thread(target=worker) for _ in range(2)]
for t in ts:
    t.start()
for t in ts:
    t.join()
check(sorted(got) == sorted(made), "the two workers together took every job exactly once (%d)" % len(got))
check(len(set(got)) == len(got), "no job was handed out twice")
owner = db_value("SELECT COUNT(*) FROM jobs WHERE id IN (%s) AND status = 'running' AND lease_owner LIKE 'api:%%'"
                 % ",".join("'%s'" % x for x in made))
check(owner == "12", "each is running, leased to api:<user>")
r = request("GET", path("next"), token=WT)
check(r.status == 200 and r.json.get("data") is None, "an empty queue answers data null", r)
other = create()
r = request("GET", path("next"), token=WT)
check(r.status == 200 and r.json.get("data") is None, "a worker never takes another tenant's job", r)
request("DELETE", path(other), token=TOK)
w = made[0]
before = db_value("SELECT lease_expires_at FROM jobs WHERE id = '%s'" % w)
db_sql("UPDATE jobs SET lease_expires_at = NOW(6) + INTERVAL 1 SECOND WHERE id = '%s'" % w)
r = put(w, {"stats": {"pagesProcessed": 5}}, token=WT, query="?lease_seconds=600")
after = db_value("SELECT lease_expires_at > NOW(6) + INTERVAL 500 SECOND FROM jobs WHERE id = '%s'" % w)
check(r.status == 200 and after == "1", "a PUT extends the worker's lease", r)
r = put(w, {"status": "completed", "stats": {"pagesProcessed": 40}}, token=WT)
check(r.status == 200 and data(r).get("status") == "completed" and data(r).get("worker_id") is None,
      "the worker reports completion; the lease ends", r)
r = put(made[1], {"status": "failed", "error_message": "Request timeout"}, token=WT)
check(r.status == 200 and data(r).get("status") == "failed" and data(r).get("error_message") == "Request timeout",
      "or failure", r)
db_sql("UPDATE jobs SET lease_expires_at = NOW(6) - INTERVAL 1 SECOND WHERE id = '%s'" % made[2])
n = db_value("SELECT COUNT(*) FROM jobs WHERE status = 'running' AND lease_expires_at < NOW(6) AND id = '%s'"
             % made[2])
check(n == "1", "an abandoned external lease is what scrapeqd's reclaim selects (status running, expired)")

section("stats")
check(harness.ensure_handlers(), "the stack has [handlers] for a second job type", False)
_, _, ST = new_user("seed001s")
new_project(token=ST)
a = [create(token=ST, domain="a.example") for _ in range(3)]
b = [create(token=ST, domain="b.example", job_type="data_analysis") for _ in range(2)]
for j, mins, pages in ((a[0], 2, 100), (a[1], 4, 300)):
    db_sql("UPDATE jobs SET status = 'completed', started_at = '2024-01-01 10:00:00', completed_at = "
           "'2024-01-01 10:00:00' + INTERVAL %d MINUTE, stats = '{\"pagesProcessed\": %d}' WHERE id = '%s'"
           % (mins, pages, j))
db_sql("UPDATE jobs SET status = 'failed' WHERE id = '%s'" % a[2])
db_sql("UPDATE jobs SET status = 'cancelled' WHERE id = '%s'" % b[0])
r = request("GET", path("stats"), token=ST)
s = data(r) or {}
check(r.status == 200 and s.get("total") == 5 and s.get("by_status") == {"pending": 1, "running": 0, "completed": 2,
      "failed": 1, "cancelled": 1}, "counts by status", r)
check(abs(s.get("success_rate", 0) - 66.67) < 0.01 and abs(s.get("failure_rate", 0) - 33.33) < 0.01,
      "success 2/3, failure 1/3 of finished", r)
check(abs(s.get("average_duration_seconds", 0) - 180) < 0.01, "average duration 180 s", r)
check(s.get("pages_processed") == 400 and abs(s.get("pages_per_minute", 0) - 66.67) < 0.01,
      "400 pages in 6 minutes: 66.67 per minute", r)
dom = {x["domain"]: x for x in s.get("by_domain", [])}
check(set(dom) == {"a.example", "b.example"} and dom["a.example"]["total"] == 3
      and dom["b.example"]["by_status"]["cancelled"] == 1, "by domain", r)
typ = {x["job_type"]: x for x in s.get("by_job_type", [])}
check(typ.get("domain_scrape", {}).get("total") == 3 and typ.get("data_analysis", {}).get("total") == 2,
      "by job_type", r)

section("500 on a database error: a stable message, never driver text")
db_sql("ALTER TABLE audit_log RENAME TO audit_log_away")
try:
    r = put(b[1], {"metadata": {"x": 1}}, token=ST)
finally:
    db_sql("ALTER TABLE audit_log_away RENAME TO audit_log")
is_err(r, 500, "Failed to update scrape job", "a failing write is 500 'Failed to update scrape job'",
       details="Internal database error")
check(b"audit_log" not in r.raw, "no table name leaks", r)
r = request("GET", path(b[1]), token=ST)
check(data(r).get("metadata") == {}, "and nothing of it was written (one transaction)", r)
