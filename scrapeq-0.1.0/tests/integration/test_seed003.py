#!/usr/bin/python3
"""test_seed003.py: seed 003, /workspace/{id}/jobs and the legacy /jobs: every curl example
(logged in through /auth/login as the seed shows), every documented status code, the
priority names on the core's 1..10 read back through seed 001 and v1, scheduled_at
holding the claim (job_queue.run_after), and a job type refused or accepted by the
stack's [handlers].

No scrape daemon runs; a handler type needs a [handlers] entry in the stack's
scrapeq.conf, which this file writes once (and restarts scrapeq-api through
scripts/stack down/up, which keeps the config).
"""

import re

import harness
from harness import (ADMIN_PASSWORD, check, db_value, is_detail, login, new_project,
                     new_user, request, section)

JOB_RE = r"^job_[0-9a-f]{32}$"
TS_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
FIELDS = {"job_id", "job_type", "status", "priority", "workspace_id", "created_by", "result",
          "estimated_duration", "actual_duration", "retry_count", "max_retries", "created_at",
          "updated_at", "started_at", "completed_at", "scheduled_at", "metadata"}
HANDLED = harness.HANDLED


section("[handlers] in the stack's config")
check(harness.ensure_handlers(), "the stack's scrapeq.conf has a [handlers] section", False)

# ---- login as the seed shows, and the admin's first workspace ----
section("login")
tok = login("admin", ADMIN_PASSWORD)
check(set(tok) >= {"access_token", "refresh_token", "token_type"} and tok["token_type"] == "bearer",
      "POST /auth/login gives access_token, refresh_token, token_type bearer")
TOKEN = tok["access_token"]
# A fresh workspace of the admin's per run: the daily job limit is per project.
W = harness.workspace_of(new_project(token=TOKEN), token=TOKEN)


def ws(w=None, rest=""):
    return "/workspace/%d/jobs%s" % (W if w is None else w, rest)


def req(method, path, body=None, token=None, **kw):
    return request(method, path, body, token=token or TOKEN, **kw)


def is_422(r, name, has=None):
    d = r.json.get("detail") if isinstance(r.json, dict) else None
    ok = (r.status == 422 and set(r.json) == {"detail"} and isinstance(d, list) and d
          and all(isinstance(x, dict) and set(x) == {"loc", "msg", "type"} for x in d))
    if ok and has is not None:
        ok = has.lower() in d[0]["msg"].lower()
    return check(ok, name, r, "want 422 {\"detail\": [{loc, msg, type}]}")


def is_job(r, status, name):
    j = r.json if isinstance(r.json, dict) else {}
    ok = (r.status == status and set(j) == FIELDS and re.match(JOB_RE, j.get("job_id", ""))
          and re.match(TS_RE, j.get("created_at") or "") and j.get("workspace_id") == W)
    return check(bool(ok), name, r)


def create(body=None, token=None, w=None):
    b = {"job_type": "data_processing", "workspace_id": W if w is None else w}
    b.update(body or {})
    return req("POST", ws(w), b, token=token)


# ---- the seed's examples ----
section("list")
r = req("GET", ws())
check(r.status == 200 and set(r.json) == {"data", "pagination"} and isinstance(r.json["data"], list)
      and set(r.json["pagination"]) == {"page", "limit", "total", "total_pages"}
      and r.json["pagination"]["page"] == 1 and r.json["pagination"]["limit"] == 50,
      "GET /workspace/{id}/jobs is {data, pagination} (page 1, limit 50)", r)

section("create")
r = create({"job_type": "data_processing", "priority": "high",
            "metadata": {"source_file": "dataset.csv", "output_format": "parquet",
                         "filters": {"column": "value"}},
            "estimated_duration": 600, "scheduled_at": "2030-01-15T15:00:00Z"})
is_job(r, 201, "POST /workspace/{id}/jobs (the seed's example) is 201 with the job")
J1 = r.json.get("job_id", "")
check(r.json.get("status") == "pending" and r.json.get("priority") == "high"
      and r.json.get("estimated_duration") == 600 and r.json.get("retry_count") == 0
      and r.json.get("max_retries") == 3 and r.json.get("result") is None
      and r.json.get("scheduled_at") == "2030-01-15T15:00:00Z"
      and r.json.get("metadata", {}).get("source_file") == "dataset.csv"
      and r.json.get("created_by") == int(db_value("SELECT id FROM users WHERE username = 'admin'")),
      "created: pending, high, estimated_duration, scheduled_at, metadata as given", r)
U1 = harness.uuid_of(J1) if J1 else ""
check(db_value("SELECT run_after FROM job_queue WHERE job_id = '%s'" % U1) == "2030-01-15 15:00:00.000000",
      "scheduled_at: job_queue.run_after = scheduled_at (not claimable before)", False)
check(db_value("SELECT priority FROM job_queue WHERE job_id = '%s'" % U1) == "8",
      "high is priority 8 on the queue", False)

section("filters")
for q in ["?status=running&job_type=data_analysis", "?status=pending&page=1&limit=10",
          "?sort=created_at&order=desc", "?priority=high&sort=updated_at&order=desc&page=1&limit=20",
          "?status=running", "?sort=updated_at&order=desc&limit=10", "?priority=high&priority=urgent",
          "?job_type=batch_analysis&sort=created_at", "?status=failed"]:
    r = req("GET", ws(rest=q))
    check(r.status == 200 and isinstance(r.json.get("data"), list), "GET %s is 200" % q, r)
r = req("GET", ws(rest="?priority=high&job_type=data_processing"))
check(r.status == 200 and J1 in [j["job_id"] for j in r.json["data"]]
      and all(j["priority"] == "high" for j in r.json["data"]),
      "priority=high finds the high job and only high ones", r)
r = req("GET", ws(rest="?status=pending&limit=10"))
check(r.status == 200 and r.json["pagination"]["limit"] == 10
      and all(j["status"] == "pending" for j in r.json["data"]), "status=pending&limit=10", r)

section("single job")
r = req("GET", ws(rest="/" + J1))
is_job(r, 200, "GET /workspace/{id}/jobs/{job_id}")
r = req("GET", ws(rest="/%s/status" % J1))
check(r.status == 200 and set(r.json) == {"job_id", "status", "progress_percent", "progress_message",
                                          "updated_at"} and r.json["job_id"] == J1,
      "GET .../status has job_id, status, progress_percent, progress_message, updated_at", r)
r = req("GET", ws(rest="/%s/result" % J1))
check(r.status == 200 and set(r.json) == {"job_id", "result", "status", "completed_at"}
      and r.json["result"] is None, "GET .../result of a pending job: result null", r)

section("PATCH")
r = req("PATCH", ws(rest="/" + J1), {"status": "running", "progress_percent": 50,
                                     "progress_message": "Halfway complete",
                                     "result": {"intermediate_data": "temp_results.json",
                                                "rows_processed": 25000}})
is_job(r, 200, "PATCH (the seed's example) is 200 with the job")
check(r.json.get("status") == "running" and r.json.get("started_at") is not None
      and r.json.get("result") == {"progress_percent": 50, "progress_message": "Halfway complete",
                                   "intermediate_data": "temp_results.json", "rows_processed": 25000},
      "PATCH: running, started, result with the progress beside the client's fields", r)
r = req("GET", ws(rest="/%s/status" % J1))
check(r.status == 200 and r.json.get("status") == "running" and r.json.get("progress_percent") == 50
      and r.json.get("progress_message") == "Halfway complete", "status shows the PATCHed progress", r)
check(db_value("SELECT JSON_VALUE(stats, '$.progress') FROM jobs WHERE id = '%s'" % U1) == "50",
      "progress stored in jobs.stats as a handler's", False)
r = req("PATCH", ws(rest="/" + J1), {"progress_percent": 60, "progress_message": "Sixty"})
check(r.status == 200 and r.json.get("result") == {"progress_percent": 60, "progress_message": "Sixty",
                                                   "intermediate_data": "temp_results.json", "rows_processed": 25000},
      "PATCH of progress alone: the running job's result shows the new progress beside its fields", r)
r = req("PATCH", ws(rest="/" + J1), {"result": {"rows_processed": 40000}})
check(r.status == 200 and r.json.get("result") == {"progress_percent": 60, "progress_message": "Sixty",
                                                   "rows_processed": 40000},
      "PATCH of result alone: replaced, and the progress still shown beside it", r)
r = req("GET", ws(rest="/%s/result" % J1))
check(r.status == 200 and r.json.get("result", {}).get("progress_percent") == 60, "GET .../result shows it too", r)
r = req("PATCH", ws(rest="/" + J1), {"status": "success", "result": {"rows_processed": 50000}})
check(r.status == 200 and r.json.get("status") == "success" and r.json.get("completed_at")
      and r.json.get("actual_duration") is not None, "PATCH status success completes the job", r)
r = req("PATCH", ws(rest="/" + J1), {"status": "completed"})
check(r.status == 200 and r.json.get("status") == "success",
      "PATCH status completed (the seed's examples' spelling) is the same, no change", r)
r = req("GET", ws(rest="/%s/result" % J1))
check(r.status == 200 and r.json.get("status") == "success" and r.json.get("result") == {"rows_processed": 50000}
      and r.json.get("completed_at"), "GET .../result of a finished job", r)
r = req("GET", ws(rest="?status=success"))
check(r.status == 200 and J1 in [j["job_id"] for j in r.json["data"]], "status=success lists it", r)
r = req("PATCH", ws(rest="/" + J1), {"status": "running"})
is_422(r, "PATCH success -> running is 422", "transition")
r = req("PATCH", ws(rest="/" + J1), {"status": "done"})
is_422(r, "PATCH with an unknown status is 422")
r = req("PATCH", ws(rest="/" + J1), {"progress_percent": 101})
is_422(r, "PATCH progress_percent 101 is 422")

section("cancel and retry")
r = create({"priority": "low"})
J2 = r.json.get("job_id", "")
r = req("POST", ws(rest="/%s/cancel" % J2))
is_job(r, 200, "POST .../cancel is 200 with the job")
check(r.json.get("status") == "cancelled" and r.json.get("completed_at"), "cancelled, with a time", r)
check(r.json.get("result") == {"cancelled_reason": "Cancelled via API"}, "result: the cancelled_reason", r)
c = req("GET", ws(rest="/%s/result" % J2))
check(c.status == 200 and c.json.get("status") == "cancelled" and c.json.get("completed_at") == r.json.get("completed_at")
      and c.json.get("result") == {"cancelled_reason": "Cancelled via API"},
      "GET .../result of a cancelled job: its reason and the cancel time", c)
r = req("POST", ws(rest="/%s/cancel" % J2))
check(r.status == 400 and isinstance(r.json.get("detail"), str), "cancelling a cancelled job is 400", r)
r = req("POST", ws(rest="/%s/retry" % J2))
check(r.status == 200 and r.json.get("status") == "pending" and r.json.get("retry_count") == 1
      and r.json.get("completed_at") is None and r.json.get("actual_duration") is None
      and r.json.get("result") == {"retry_reason": "Retried via API", "previous_attempts": 1},
      "a cancelled job can be retried (the seed: 'Retry a failed or cancelled job')", r)
check(db_value("SELECT CONCAT(status, ' ', cancelled_at IS NULL, ' ', COUNT(q.job_id)) FROM jobs j LEFT JOIN "
               "job_queue q ON q.job_id = j.id WHERE j.id = '%s' GROUP BY j.id" % harness.uuid_of(J2)) == "pending 1 1",
      "MariaDB: pending, no cancel time left, back on the queue", False)
req("POST", ws(rest="/%s/cancel" % J2))
r = create({"priority": "urgent"})
J3 = r.json.get("job_id", "")
req("PATCH", ws(rest="/" + J3), {"status": "running"})
r = req("PATCH", ws(rest="/" + J3), {"status": "failed"})
check(r.status == 200 and r.json.get("status") == "failed", "PATCH running -> failed", r)
r = req("GET", ws(rest="?status=failed"))
failed = r.json.get("data", [])
check(J3 in [j["job_id"] for j in failed], "the batch example's ?status=failed finds it", r)
for j in failed:
    r = req("POST", ws(rest="/%s/retry" % j["job_id"]))
    if j["retry_count"] < j["max_retries"]:
        is_job(r, 200, "POST .../retry is 200 with the job")
    else:
        is_detail(r, 400, "POST .../retry with no retries left is 400")
r = req("GET", ws(rest="/" + J3))
check(r.json.get("job_id") == J3 and r.json.get("status") == "pending" and r.json.get("retry_count") == 1,
      "retry: the same job, pending, retry_count 1", r)
r = req("POST", ws(rest="/%s/retry" % J3))
check(r.status == 400 and isinstance(r.json.get("detail"), str), "retrying a pending job is 400", r)
for n in range(2, 5):
    req("PATCH", ws(rest="/" + J3), {"status": "running"})
    req("PATCH", ws(rest="/" + J3), {"status": "failed"})
    r = req("POST", ws(rest="/%s/retry" % J3))
    if n <= 3:
        check(r.status == 200 and r.json.get("retry_count") == n, "retry %d of 3" % n, r)
    else:
        check(r.status == 400 and isinstance(r.json.get("detail"), str),
              "a retry past max_retries is 400", r)

section("the project's daily job limit")
lim = new_project(token=TOKEN, daily_job_limit=1)
LW = harness.workspace_of(lim, token=TOKEN)
r = create({"job_type": "data_processing", "workspace_id": LW}, w=LW)
check(r.status == 201, "the first job of the day is created", r)
r = create({"job_type": "data_processing", "workspace_id": LW}, w=LW)
ra = r.headers.get("retry-after", "")
is_detail(r, 429, "the second, past daily_job_limit 1, is a 429 (HTTP's 'too many requests')")
check(ra.isdigit() and 1 <= int(ra) <= 86400, "... with Retry-After: the seconds to the next UTC day (%s)" % ra, r)

section("batch: five jobs in one workspace")
ids = []
for i in range(1, 6):
    r = create({"job_type": "batch_analysis", "priority": "normal",
                "metadata": {"batch_id": i, "data_slice": "slice_%d.csv" % i}})
    check(r.status == 201, "batch job %d created (no JOB_RUNNING)" % i, r)
    ids.append(r.json.get("job_id"))
r = req("GET", ws(rest="?job_type=batch_analysis&sort=created_at"))
got = [j["job_id"] for j in r.json.get("data", [])]
check(r.status == 200 and set(ids) <= set(got), "job_type=batch_analysis lists the five", r)
r = req("GET", ws(rest="?job_type=batch_analysis&sort=created_at&order=asc&limit=100"))
got = [j["job_id"] for j in r.json.get("data", []) if j["job_id"] in ids]
check(got == ids, "sort=created_at&order=asc: oldest first", r)
items = r.json.get("data", []) if r.status == 200 else []
ones = [req("GET", ws(rest="/" + j["job_id"])).json for j in items]
check(len(items) >= 5 and items == ones,
      "a page of %d jobs, read in one batch, shows each exactly as its own GET does" % len(items), False,
      "first difference: %r" % next(((x, y) for x, y in zip(items, ones) if x != y), None))

section("pipeline scenario")
r = create({"priority": "high", "metadata": {"input_file": "raw_data.csv",
                                             "operations": ["clean", "transform", "aggregate"],
                                             "output_format": "parquet"},
            "estimated_duration": 1800})
JP = r.json.get("job_id", "")
check(r.status == 201 and r.json.get("status") == "pending", "create the pipeline job", r)
r = req("GET", ws(rest="/%s/status" % JP))
check(r.status == 200 and r.json.get("status") == "pending", "monitor it", r)
r = req("GET", ws(rest="/%s/result" % JP))
check(r.status == 200 and r.json.get("job_id") == JP, "read its result", r)

section("legacy /jobs")
r = req("GET", "/jobs")
check(r.status == 200 and set(r.json) == {"data", "pagination"} and r.headers.get("deprecation") == "true",
      "GET /jobs: 200, Deprecation: true", r)
r = req("GET", "/jobs?workspace_id=%d&limit=100" % W)
check(r.status == 200 and all(j["workspace_id"] == W for j in r.json["data"])
      and JP in [j["job_id"] for j in r.json["data"]], "GET /jobs?workspace_id=... filters", r)
check(r.headers.get("deprecation") == "true"
      and r.headers.get("link") == '</workspace/%d/jobs>; rel="successor-version"' % W,
      "... with a Link to that workspace's list, the successor", r)
for q, code in (("?workspace_id=999999", 403), ("?workspace_id=x", 422), ("?limit=0", 422)):
    r = req("GET", "/jobs" + q)
    check(r.status == code and r.headers.get("deprecation") == "true",
          "GET /jobs%s is %d, still marked Deprecation: true" % (q, code), r)
r = req("POST", "/jobs", {})
check(r.status == 405 and "detail" in r.json, "POST /jobs is 405 {detail}", r)
r = req("GET", "/jobsx")
check(r.status == 404 and "deprecation" not in r.headers, "GET /jobsx is 404, not the legacy list", r)

# ---- status codes ----
section("status codes")
_, _, other = new_user("seed003")
OTHER_W = harness.workspace_of(new_project(token=other), token=other)
r = req("GET", ws(), auth=False)
is_detail(r, 401, "no token is 401")
check(r.headers.get("www-authenticate", "").startswith("Bearer"), "401 has WWW-Authenticate", r)
r = req("GET", ws(), token="not-a-token")
is_detail(r, 401, "a bad token is 401")
r = req("GET", ws(OTHER_W))
is_detail(r, 403, "another user's workspace is 403")
r = create(w=OTHER_W)
is_detail(r, 403, "creating in another user's workspace is 403")
r = req("GET", ws(99999999))
is_detail(r, 403, "a workspace that does not exist is 403, as one of another user's")
check(r.json.get("detail") == req("GET", ws(OTHER_W)).json.get("detail") == "No access to this workspace",
      "... with the same detail, so workspace numbers cannot be probed", r)
r = req("GET", ws(rest="/job_" + "0" * 32))
is_detail(r, 404, "a job that does not exist is 404")
r = req("GET", ws(rest="/nonsense"))
is_detail(r, 404, "a malformed job id is 404")
MY2 = harness.workspace_of(new_project(token=TOKEN), token=TOKEN)
r = req("GET", ws(MY2, "/" + J1))
check(r.status == 404 and r.json.get("detail") == "Job not found in specified workspace",
      "a job of another of my workspaces is 404 \"Job not found in specified workspace\"", r)
r = req("POST", ws(MY2, "/%s/cancel" % JP))
is_detail(r, 404, "cancel through the wrong workspace is 404")
r = req("POST", ws(), raw=b"{not json")
is_detail(r, 400, "malformed JSON is 400")
r = req("POST", ws(), {"workspace_id": W})
is_422(r, "no job_type is 422", "job_type")
r = req("POST", ws(), {"job_type": "data_processing"})
is_422(r, "no workspace_id is 422", "workspace_id")
r = create({"workspace_id": W + 1})
is_422(r, "workspace_id not the URL's is 422", "workspace_id")
r = create({"priority": "critical"})
is_422(r, "an unknown priority is 422", "priority")
r = create({"priority": 5})
is_422(r, "a numeric priority is 422")
r = create({"scheduled_at": "tomorrow"})
is_422(r, "a bad scheduled_at is 422", "scheduled_at")
r = create({"estimated_duration": -1})
is_422(r, "a negative estimated_duration is 422")
r = create({"metadata": [1]})
is_422(r, "metadata not an object is 422")
r = create({"job_type": "Bad-Type"})
is_422(r, "a malformed job_type is 422")
r = create({"unknown": 1})
is_422(r, "an unknown field is 422", "unknown")
for q in ["limit=0", "limit=101", "limit=x", "page=0", "page=1000001", "sort=name", "order=up",
          "status=done", "priority=critical", "page=1&page=2", "limit=5&limit=3", "order=asc&order=desc",
          "sort=status&sort=priority"]:
    r = req("GET", ws(rest="?" + q))
    is_422(r, "GET ?%s is 422" % q)
a = req("GET", ws(rest="?status=completed&limit=100"))
b = req("GET", ws(rest="?status=success&limit=100"))
check(a.status == 200 and a.json == b.json and len(a.json.get("data", [])) > 0,
      "?status=completed (the seed's examples' spelling) lists what ?status=success does", a)
r = req("DELETE", ws(rest="/" + J1))
check(r.status == 405 and "detail" in r.json and "PATCH" in r.headers.get("allow", ""),
      "DELETE a job is 405 with Allow", r)

section("job types and [handlers]")
r = create({"job_type": "model_training"})
is_422(r, "a type that is neither scrape nor in [handlers] is 422", "handlers")
for t in HANDLED:
    r = create({"job_type": t})
    check(r.status == 201 and r.json.get("job_type") == t, "%s (in [handlers]) is accepted" % t, r)
r = create({"job_type": "domain_scrape", "metadata": {"domain": "example.com"}})
check(r.status == 201 and r.json.get("job_type") == "domain_scrape", "a scrape with metadata.domain", r)
JS = r.json.get("job_id", "")
check(db_value("SELECT url FROM job_targets WHERE job_id = '%s'" % harness.uuid_of(JS)) ==
      "https://example.com/", "the scrape's target is its domain", False)
r = create({"job_type": "domain_scrape"})
is_422(r, "a scrape without a domain is 422", "domain")

# ---- one job model: create here, read and change through seeds 001 and v1 ----
section("cross-dialect")
for name, num in [("low", 2), ("normal", 5), ("high", 8), ("urgent", 10)]:
    r = create({"priority": name})
    jid = r.json.get("job_id", "")
    s1 = request("GET", "/api/scrape-jobs/" + jid, token=TOKEN)
    v1 = request("GET", "/api/v1/jobs/" + jid, token=TOKEN)
    check(s1.status == 200 and s1.json["data"]["priority"] == num and s1.json["data"]["status"] == "pending"
          and v1.status == 200 and v1.json.get("status") == "pending",
          "priority %s is %d through /api/scrape-jobs; v1 agrees on the status" % (name, num), s1)
r = request("PUT", "/api/scrape-jobs/" + jid, {"status": "running"}, token=TOKEN)
check(r.status == 200, "seed 001 PUT running", r)
r = request("PUT", "/api/scrape-jobs/" + jid, {"status": "completed", "result": {"n": 1}}, token=TOKEN)
r = req("GET", ws(rest="/" + jid))
check(r.status == 200 and r.json.get("status") == "success" and r.json.get("result") == {"n": 1},
      "completed through seed 001 reads here as success with its result", r)
r = create({"priority": "normal"})
jid = r.json.get("job_id", "")
r = request("POST", "/api/v1/jobs/%s/cancel" % jid, token=TOKEN)
check(r.status == 200, "v1 cancel", r)
r = req("GET", ws(rest="/" + jid))
check(r.status == 200 and r.json.get("status") == "cancelled", "cancelled through v1 reads here as cancelled", r)
r = request("GET", "/api/scrape-jobs/" + jid, token=TOKEN)
check(r.status == 200 and r.json["data"]["status"] == "cancelled", "and through seed 001", r)
