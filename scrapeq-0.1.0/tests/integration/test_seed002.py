#!/usr/bin/python3
"""test_seed002.py: seed 002's /v1/jobs: every curl example of the document, every filter,
the createdAt cursor over equal timestamps, the 1001 cap, DELETE's rules, tenancy, and the
seed's spellings (queued, canceled).

A scrape job is a flow job with an export child (the crawl) and an import child (delivery
of its results). No scrape daemon runs here: jobs are created through the canonical API or
inserted in MariaDB directly in the states a daemon would leave them.
"""

import datetime
import re
import urllib.parse
import uuid

import harness
from harness import (check, db_sql, new_project, new_target, new_user, request, section, uuid_of)

FIELDS = {"_id", "type", "status", "_integrationId", "_flowId", "_exportId", "numSuccess", "numError",
          "numIgnore", "numExport", "numPagesGenerated", "numPagesProcessed", "doneExporting",
          "flowExecutionGroupId", "createdAt", "startedAt", "endedAt", "lastModified", "purgeAt"}
TS = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"
STATUSES = {"queued", "running", "completed", "failed", "canceled"}


def is_errors(r, status, code, name, message_has=None):
    """Seed 002's envelope: status with {"errors":[{"code","message"}]} and nothing else."""
    j = r.json
    ok = (r.status == status and isinstance(j, dict) and set(j) == {"errors"} and isinstance(j["errors"], list)
          and len(j["errors"]) == 1 and set(j["errors"][0]) == {"code", "message"}
          and j["errors"][0]["code"] == code and isinstance(j["errors"][0]["message"], str)
          and j["errors"][0]["message"] != "")
    if ok and message_has is not None:
        ok = message_has.lower() in j["errors"][0]["message"].lower()
    return check(ok, name, r, "want %d %s" % (status, code))


def hexid(uid):
    return uid.replace("-", "")


def insert_job(project, status="completed", created="NOW(6)", results=0, errors=0, ignored=0, stats=None):
    """A scrape job row as a daemon would leave it. Returns its flow _id (32 hex)."""
    jid = str(uuid.uuid4())
    started = "NULL" if status == "pending" else "%s + INTERVAL 1 SECOND" % created
    done = "%s + INTERVAL 5 SECOND" % created if status in ("completed", "failed") else "NULL"
    cancelled = "%s + INTERVAL 3 SECOND" % created if status == "cancelled" else "NULL"
    db_sql("INSERT INTO jobs (id, project_id, type, status, source, created_at, started_at, completed_at, "
           "cancelled_at, updated_at, total_results, error_records, ignored_records, stats) VALUES "
           "('%s', '%s', 'scrape', '%s', 'api', %s, %s, %s, %s, NOW(6), %d, %d, %d, %s)"
           % (jid, uuid_of(project), status, created, started, done, cancelled, results, errors, ignored,
              "NULL" if stats is None else "'%s'" % stats))
    return hexid(jid)


def get_list(qs="", tok=None):
    """GET /v1/jobs as the test's user (tok: another user's token)."""
    return request("GET", "/v1/jobs" + ("?" + qs if qs else ""), token=token if tok is None else tok)


def ids_of(r):
    return [j.get("_id") for j in r.json] if r.status == 200 and isinstance(r.json, list) else None


def scoped(project, qs=""):
    """The list limited to one project (every other test's jobs stay out)."""
    return get_list("integration_id=%s%s" % (project, "&" + qs if qs else ""))


def walk(project, extra, cursor):
    """Pages through a project's list; cursor: 'after_id' (exact) or 'doc' (the document's
    recipe: createdAt_lte = last createdAt - 1 ms). Returns (ids, pages)."""
    out, pages, lte, after = [], 0, None, None
    while pages < 50:
        qs = "integration_id=%s%s" % (project, extra)
        if lte:
            qs += "&createdAt_lte=" + urllib.parse.quote(lte)
        if after:
            qs += "&after_id=" + after
        r = get_list(qs)
        if r.status != 200 or not isinstance(r.json, list):
            check(False, "a page of the walk is 200", r)
            break
        pages += 1
        jobs = r.json
        if not jobs:
            break
        out.extend(j["_id"] for j in jobs)
        last = jobs[-1]
        if cursor == "after_id":
            lte, after = last["createdAt"], last["_id"]
        else:
            t = datetime.datetime.fromisoformat(last["createdAt"].replace("Z", "+00:00"))
            lte = (t - datetime.timedelta(milliseconds=1)).isoformat().replace("+00:00", "Z")
        if len(jobs) < 1001:
            break
    return out, pages


user, _pw, token = new_user("seed002")
other_user, _opw, other_token = new_user("seed002other")
proj = new_project(token, name="Seed 002")
new_target(proj, token=token, url="https://example.com/s002")
other = new_project(other_token, name="Seed 002 other")
new_target(other, token=other_token, url="https://example.com/s002o")


def req(method, path, tok=None):
    return request(method, path, token=token if tok is None else tok)


section("a job created through the canonical API is a queued flow with two children")
r = request("POST", "/api/v1/projects/%s/jobs" % proj, {}, token=token)
check(r.status == 201, "POST /api/v1/projects/{p}/jobs is 201", r)
created = hexid(uuid_of(r.json["id"])) if r.status == 201 else "0" * 32

# curl -X GET "https://api.integrator.io/v1/jobs/{job_id}"
r = req("GET", "/v1/jobs/%s" % created)
j = r.json if r.status == 200 and isinstance(r.json, dict) else {}
check(r.status == 200 and r.headers.get("content-type", "").startswith("application/json"),
      "GET /v1/jobs/{id} is 200 JSON", r)
check(set(j) == FIELDS, "the job object has exactly the documented fields", r)
check(j.get("_id") == created and j.get("type") == "flow" and j.get("status") == "queued",
      "the flow's _id is the job's 32 hex digits, type flow, status queued", r)
check(j.get("_integrationId") == proj and j.get("_flowId") == "flow_" + proj[5:]
      and j.get("_exportId") == "exp_" + proj[5:], "_integrationId/_flowId/_exportId come from the project", r)
check(j.get("flowExecutionGroupId") == created, "flowExecutionGroupId is the flow's _id", r)
check(all(isinstance(j.get(k), int) and j.get(k) == 0 for k in
          ("numSuccess", "numError", "numIgnore", "numExport", "numPagesGenerated", "numPagesProcessed")),
      "a new job's counters are all 0", r)
check(j.get("doneExporting") is False, "doneExporting is false until the crawl ends", r)
check(re.match(TS, str(j.get("createdAt"))) and re.match(TS, str(j.get("lastModified")))
      and j.get("startedAt") is None and j.get("endedAt") is None and j.get("purgeAt") is None,
      "createdAt/lastModified are UTC with microseconds; startedAt/endedAt/purgeAt null while queued", r)
def plus_ms(ts, ms):
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ") + datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


for ms, kind in ((1, "export"), (2, "import")):
    r = req("GET", "/v1/jobs/%s-%s" % (created, kind))
    c = r.json if r.status == 200 and isinstance(r.json, dict) else {}
    check(c.get("createdAt") == plus_ms(str(j.get("createdAt")), ms),
          "the %s child is created %d ms after its flow" % (kind, ms), r)
    check(r.status == 200 and set(c) == FIELDS | {"_flowJobId"} and c.get("type") == kind
          and c.get("_id") == "%s-%s" % (created, kind) and c.get("_flowJobId") == created
          and c.get("flowExecutionGroupId") == created and c.get("status") == "queued",
          "GET /v1/jobs/{id}-%s is the queued %s child of the flow" % (kind, kind), r)

# curl -X GET "https://api.integrator.io/v1/jobs?flow_job_id={flow_job_id}"
r = req("GET", "/v1/jobs?flow_job_id=%s" % created)
check(r.status == 200 and sorted(ids_of(r) or []) == sorted([created + "-export", created + "-import"]),
      "?flow_job_id= lists the export and import children, not the flow", r)

section("counters, times and purgeAt of finished jobs")
stats = '{"pagesProcessed":12,"totalPages":15,"resultsStored":100}'
done = insert_job(proj, "completed", "'2024-01-15 10:00:00.250000'", results=100, errors=2, ignored=5, stats=stats)
r = req("GET", "/v1/jobs/%s" % done)
j = r.json if r.status == 200 else {}
check(j.get("status") == "completed" and j.get("numSuccess") == 100 and j.get("numError") == 2
      and j.get("numIgnore") == 5 and j.get("numExport") == 107, "a completed flow counts 100/2/5, numExport 107", r)
check(j.get("numPagesGenerated") == 15 and j.get("numPagesProcessed") == 12,
      "numPagesGenerated/numPagesProcessed come from the crawl's stats", r)
check(j.get("createdAt") == "2024-01-15T10:00:00.250000Z" and j.get("startedAt") == "2024-01-15T10:00:01.250000Z"
      and j.get("endedAt") == "2024-01-15T10:00:05.250000Z", "createdAt/startedAt/endedAt", r)
check(j.get("purgeAt") == "2024-02-14T10:00:05.250000Z", "purgeAt is endedAt + 30 days (the seed's example)", r)
check(j.get("doneExporting") is True, "doneExporting is true once the crawl ended", r)
r = req("GET", "/v1/jobs/%s-import" % done)
j = r.json if r.status == 200 else {}
check(j.get("status") == "completed" and j.get("numSuccess") == 100 and j.get("numError") == 0
      and j.get("numIgnore") == 0, "the import child of a completed job delivered (stored) its 100 results", r)
running = insert_job(proj, "running", results=7)
r = req("GET", "/v1/jobs/%s-import" % running)
check(r.status == 200 and r.json.get("status") == "queued" and r.json.get("numSuccess") == 0,
      "the import child of a running job is queued with nothing delivered yet", r)
r = req("GET", "/v1/jobs/%s-export" % running)
check(r.status == 200 and r.json.get("status") == "running" and r.json.get("numSuccess") == 7
      and r.json.get("doneExporting") is False, "the export child of a running job is running, 7 stored", r)

# numError / numIgnore follow the crawl_errors rows as scrapeqd writes them.
counted = insert_job(proj, "failed", results=3)
u = uuid_of("x_" + counted)
db_sql("INSERT INTO crawl_errors (job_id, url, url_hash, kind, message) VALUES "
       "('%s', 'https://e/1', UNHEX(SHA2('1', 256)), 'http', 'HTTP 500'), "
       "('%s', 'https://e/2', UNHEX(SHA2('2', 256)), 'fetch', 'timeout'), "
       "('%s', 'https://e/3', UNHEX(SHA2('3', 256)), 'robots', 'disallowed')" % (u, u, u))
r = req("GET", "/v1/jobs/%s-export" % counted)
check(r.status == 200 and r.json.get("status") == "failed" and r.json.get("numError") == 2
      and r.json.get("numIgnore") == 1 and r.json.get("numExport") == 6,
      "crawl errors count as numError, robots.txt refusals as numIgnore", r)

section("the document's curl examples")
p2 = new_project(token, name="Seed 002 examples")
ex_run = insert_job(p2, "running", "'2024-01-14 08:00:00'")
ex_fail = insert_job(p2, "failed", "'2024-01-14 09:00:00'", errors=3)
ex_old = insert_job(p2, "failed", "'2023-12-31 09:00:00'", errors=1)
ex_jan = insert_job(p2, "completed", "'2024-01-31 23:59:59.999'", results=150)
ex_feb = insert_job(p2, "completed", "'2024-02-01 00:00:00'", results=5, ignored=2)

# curl -X GET "https://api.integrator.io/v1/jobs"
r = req("GET", "/v1/jobs")
check(r.status == 200 and isinstance(r.json, list) and len(r.json) > 0
      and all(isinstance(x, dict) and FIELDS <= set(x) for x in r.json), "GET /v1/jobs is a bare array of jobs", r)
got = [x["createdAt"] for x in r.json] if r.status == 200 else []
check(got == sorted(got, reverse=True), "ordered by createdAt descending", r)
check({x["_integrationId"] for x in r.json} <= {proj, p2}, "only the caller's projects' jobs", r)
# curl -X GET "https://api.integrator.io/v1/jobs?status=running"
r = req("GET", "/v1/jobs?status=running")
check(r.status == 200 and set(ids_of(r)) == {running, running + "-export", ex_run, ex_run + "-export"},
      "?status=running: the running flows and their export children", r)
# curl -X GET ".../v1/jobs?status=failed&createdAt_gte=2024-01-14T00:00:00.000Z"
r = req("GET", "/v1/jobs?integration_id=%s&status=failed&createdAt_gte=2024-01-14T00:00:00.000Z" % p2)
check(r.status == 200 and ids_of(r) == [ex_fail + "-import", ex_fail + "-export", ex_fail],
      "failed jobs of the last day (the import, export and flow of one job, newest first)", r)
# curl -X GET ".../v1/jobs?type=flow&numError_gte=1"
r = req("GET", "/v1/jobs?type=flow&numError_gte=1&integration_id=%s" % p2)
check(r.status == 200 and ids_of(r) == [ex_fail, ex_old], "?type=flow&numError_gte=1", r)
# curl -X GET ".../v1/jobs?createdAt_gte=2024-01-01T00:00:00.000Z&createdAt_lte=2024-01-31T23:59:59.999Z"
r = req("GET", "/v1/jobs?createdAt_gte=2024-01-01T00:00:00.000Z&createdAt_lte=2024-01-31T23:59:59.999Z"
        "&type=flow&integration_id=" + p2)
check(r.status == 200 and ids_of(r) == [ex_jan, ex_fail, ex_run], "a date range, both ends inclusive", r)

section("every filter")
P = "integration_id=" + p2 + "&type=flow&"
cases = [
    ("integration_id=" + other, []),
    ("flow_id=flow_" + p2[5:] + "&type=flow", [ex_feb, ex_jan, ex_fail, ex_run, ex_old]),
    ("export_id=exp_" + p2[5:] + "&type=export", [x + "-export" for x in (ex_feb, ex_jan, ex_fail, ex_run, ex_old)]),
    ("flow_id_in=flow_%s,flow_%s&type=flow&createdAt_lte=2024-01-01" % (p2[5:], other[5:]), [ex_old]),
    ("flow_id_in=flow_" + other[5:], []),
    (P + "status=completed", [ex_feb, ex_jan]),
    (P + "status=queued", []),
    ("integration_id=%s&type=import&status=queued" % p2, [ex_run + "-import"]),
    ("integration_id=%s&type=import" % p2, [x + "-import" for x in (ex_feb, ex_jan, ex_fail, ex_run, ex_old)]),
    (P + "numSuccess_gte=100", [ex_jan]),
    (P + "numSuccess_lte=10", [ex_feb, ex_fail, ex_run, ex_old]),
    (P + "numSuccess_gte=1&numSuccess_lte=10", [ex_feb]),
    (P + "numError_gte=2", [ex_fail]),
    (P + "numError_lte=0", [ex_feb, ex_jan, ex_run]),
    (P + "numIgnore_gte=1", [ex_feb]),
    (P + "createdAt_gte=2024-02-01T00:00:00.000000Z", [ex_feb]),
    (P + "createdAt_lte=2024-01-31T23:59:59.998Z", [ex_fail, ex_run, ex_old]),
    ("integration_id=%s&flow_job_id=%s&type=import" % (p2, ex_jan), [ex_jan + "-import"]),
    ("flow_job_id=" + done, [done + "-import", done + "-export"]),
]
for qs, want in cases:
    r = get_list(qs)
    check(r.status == 200 and ids_of(r) == want, "?%s" % qs, r)

section("bad filters are 400 invalid_parameter naming the parameter")
for qs, param in [("status=pending", "status"), ("status=cancelled", "status"), ("type=scrape", "type"),
                  ("createdAt_gte=yesterday", "createdAt_gte"), ("numSuccess_gte=-1", "numSuccess_gte"),
                  ("numError_lte=abc", "numError_lte"), ("integration_id=int123", "integration_id"),
                  ("flow_id_in=flow1,flow2,flow3", "flow_id_in"), ("status=running&status=failed", "status"),
                  ("sort=createdAt", "sort"), ("after_id=" + done, "after_id")]:
    is_errors(get_list(qs), 400, "invalid_parameter", "?%s is 400" % qs, message_has=param)

section("tenancy: another project's job is not_found")
mine = insert_job(other, "pending")
for path in ("/v1/jobs/" + mine, "/v1/jobs/%s-export" % mine, "/v1/jobs/%s-import" % mine):
    is_errors(req("GET", path), 404, "not_found", "GET %s of another tenant is 404" % path[:20], "Job not found")
is_errors(req("DELETE", "/v1/jobs/" + mine), 404, "not_found", "DELETE of another tenant's job is 404")
is_errors(req("DELETE", "/v1/jobs/%s-export" % mine), 404, "not_found",
          "DELETE of another tenant's child is 404, not invalid_operation")
r = get_list("flow_job_id=" + mine)
check(r.status == 200 and r.json == [], "?flow_job_id= of another tenant's job is empty", r)
r = get_list("integration_id=" + other)
check(r.status == 200 and r.json == [], "?integration_id= of another tenant is empty", r)
r = get_list("integration_id=" + other, tok=other_token)
check(r.status == 200 and mine in (ids_of(r) or []), "its owner sees it", r)
for path in ("/v1/jobs/" + "0" * 32, "/v1/jobs/nope", "/v1/jobs/job_" + mine):
    is_errors(req("GET", path), 404, "not_found", "GET %s is 404 not_found" % path)
is_errors(request("GET", "/v1/jobs", auth=False), 401, "unauthorized", "no token is 401 unauthorized")
is_errors(request("GET", "/v1/jobs", token="sq_" + "0" * 64), 401, "unauthorized", "a bad token is 401")
is_errors(req("POST", "/v1/jobs"), 405, "method_not_allowed", "POST /v1/jobs is 405")

section("DELETE cancels flow jobs only")
r = req("DELETE", "/v1/jobs/%s-export" % created)
is_errors(r, 400, "invalid_operation", "DELETE of an export job is invalid_operation", "Only flow jobs")
is_errors(req("DELETE", "/v1/jobs/%s-import" % created), 400, "invalid_operation",
          "DELETE of an import job is invalid_operation")
# curl -X DELETE "https://api.integrator.io/v1/jobs/{job_id}"
r = req("DELETE", "/v1/jobs/" + created)
j = r.json if r.status == 200 and isinstance(r.json, dict) else {}
check(r.status == 200 and j.get("_id") == created and j.get("type") == "flow" and j.get("status") == "canceled",
      "DELETE of a queued flow is 200 with status canceled", r)
check(j.get("canceledBy") == user and re.match(TS, str(j.get("endedAt"))),
      "the answer names canceledBy (the user) and endedAt", r)
r = req("GET", "/v1/jobs/" + created)
check(r.status == 200 and r.json.get("status") == "canceled" and r.json.get("endedAt") == j.get("endedAt"),
      "GET agrees: canceled, same endedAt", r)
r = request("GET", "/api/v1/jobs/job_" + created, token=token)
check(r.status == 200 and r.json.get("status") == "cancelled", "the canonical API sees it cancelled", r)
r = req("GET", "/v1/jobs/%s-import" % created)
check(r.status == 200 and r.json.get("status") == "canceled", "its import child is canceled too", r)
r = get_list("integration_id=%s&status=canceled&type=flow" % proj)
check(r.status == 200 and ids_of(r) == [created], "?status=canceled finds it", r)
is_errors(req("DELETE", "/v1/jobs/" + created), 409, "conflict", "DELETE again is 409 conflict")
is_errors(req("DELETE", "/v1/jobs/" + done), 409, "conflict", "DELETE of a completed job is 409",
          "Cannot cancel completed job")
r = req("DELETE", "/v1/jobs/" + running)
check(r.status == 200 and r.json.get("status") == "canceled", "DELETE of a running flow cancels it", r)

section("1001 at most, and the createdAt_lte walk over 3,000 jobs sharing one createdAt")
bulk = new_project(token, name="Seed 002 bulk")
db_sql("INSERT INTO jobs (id, project_id, type, status, source, created_at, updated_at) "
       "SELECT UUID(), '%s', 'scrape', 'completed', 'api', '2024-03-01 12:00:00.000000', NOW(6) "
       "FROM seq_1_to_3000" % uuid_of(bulk))
r = scoped(bulk)
check(r.status == 200 and isinstance(r.json, list) and len(r.json) == 1001, "a page holds 1001 jobs", r)
seen, pages = walk(bulk, "", "after_id")
check(len(seen) == 9000 and len(set(seen)) == 9000,
      "createdAt_lte + after_id walks all 9,000 objects of 3,000 equal-time jobs exactly once "
      "(%d seen, %d distinct, %d pages)" % (len(seen), len(set(seen)), pages), False)
seen, pages = walk(bulk, "&type=flow", "after_id")
check(len(seen) == 3000 and len(set(seen)) == 3000 and pages == 3,
      "the same walk with type=flow: 3,000 flows in 3 pages", False)

spread = new_project(token, name="Seed 002 spread")
db_sql("INSERT INTO jobs (id, project_id, type, status, source, created_at, updated_at) "
       "SELECT UUID(), '%s', 'scrape', 'completed', 'api', "
       "'2024-04-01 00:00:00' + INTERVAL seq * 1000 + seq %% 7 MICROSECOND, NOW(6) "
       "FROM seq_1_to_2500" % uuid_of(spread))
seen, pages = walk(spread, "&type=flow&createdAt_gte=2024-01-01T00:00:00.000Z", "doc")
check(len(seen) == 2500 and len(set(seen)) == 2500 and pages == 3,
      "the document's own recipe (createdAt_lte = last - 1 ms) walks 2,500 flows a ms apart exactly once "
      "(%d seen, %d pages)" % (len(set(seen)), pages), False)

section("the document's recipe, unfiltered: no job's objects are split at a page boundary")
# Each job's export and import children are created 1 and 2 ms after its flow, so with
# jobs a few ms apart every object has its own millisecond and "last createdAt - 1 ms"
# steps over none (before, 1001 = 3 * 333 + 2 lost one object per full page).
paced = new_project(token, name="Seed 002 paced")
db_sql("INSERT INTO jobs (id, project_id, type, status, source, created_at, updated_at) "
       "SELECT UUID(), '%s', 'scrape', 'completed', 'api', "
       "'2024-06-01 00:00:00' + INTERVAL seq * 5000 + seq %% 900 MICROSECOND, NOW(6) "
       "FROM seq_1_to_1200" % uuid_of(paced))
seen, pages = walk(paced, "&createdAt_gte=2024-01-01T00:00:00.000Z", "doc")
check(len(seen) == 3600 and len(set(seen)) == 3600 and pages == 4,
      "the recipe walks all 3,600 objects of 1,200 jobs 5 ms apart exactly once (%d seen, %d distinct, %d pages)"
      % (len(seen), len(set(seen)), pages), False)

section("objects matched one by one: every filter against a model of the three objects per job")
# The list reads jobs and builds each one's three objects in C; here MariaDB gives the
# jobs' order and Python builds and filters the objects, for filters that keep some of
# a job's objects and not others (so the list reads several batches to fill a page).
mixed = new_project(token, name="Seed 002 mixed")
db_sql("INSERT INTO jobs (id, project_id, type, status, source, created_at, updated_at, total_results, "
       "error_records, ignored_records) SELECT UUID(), '%s', 'scrape', "
       "ELT(1 + seq %% 5, 'pending', 'running', 'completed', 'failed', 'cancelled'), 'api', "
       "'2024-05-01 00:00:00' + INTERVAL (seq DIV 30) SECOND, NOW(6), seq %% 7, "
       "IF(seq %% 3 = 0, seq %% 4, 0), IF(seq %% 5 = 0, 1, 0) FROM seq_1_to_1200" % uuid_of(mixed))
job_rows = harness.db_rows("SELECT REPLACE(CAST(id AS CHAR), '-', ''), status, total_results, error_records, "
                           "ignored_records, created_at FROM jobs WHERE project_id = '%s' "
                           "ORDER BY created_at DESC, id DESC" % uuid_of(mixed))
SPELL = {"pending": "queued", "cancelled": "canceled"}


def model(pred):
    """The objects in list order: createdAt (the job's, + 1 ms export, + 2 ms import)
    descending, then the jobs' own order (MariaDB's), then flow, export, import."""
    out = []
    for rank, (jid, st, ns, ne, ni, created) in enumerate(job_rows):
        ns, ne, ni = int(ns), int(ne), int(ni)
        t0 = datetime.datetime.strptime(created, "%Y-%m-%d %H:%M:%S.%f")
        ended = st in ("completed", "failed", "cancelled")
        for k, (kind, suffix) in enumerate((("flow", ""), ("export", "-export"), ("import", "-import"))):
            o = {"type": kind, "status": SPELL.get(st, st), "numSuccess": ns, "numError": ne, "numIgnore": ni}
            if kind == "import":
                o.update(numError=0, numIgnore=0)
                if not ended:
                    o.update(status="queued", numSuccess=0)
            if pred(o):
                out.append((t0 + datetime.timedelta(milliseconds=k), rank, k, jid + suffix))
    out.sort(key=lambda x: (-x[0].timestamp(), x[1], x[2]))
    return [x[3] for x in out]


mcases = [
    ("", lambda o: True),
    ("&status=queued", lambda o: o["status"] == "queued"),
    ("&status=running", lambda o: o["status"] == "running"),
    ("&status=canceled", lambda o: o["status"] == "canceled"),
    ("&numSuccess_gte=5", lambda o: o["numSuccess"] >= 5),
    ("&numSuccess_lte=0", lambda o: o["numSuccess"] <= 0),
    ("&numError_gte=2", lambda o: o["numError"] >= 2),
    ("&numError_lte=0&status=failed", lambda o: o["numError"] <= 0 and o["status"] == "failed"),
    ("&numIgnore_gte=1&numSuccess_gte=3", lambda o: o["numIgnore"] >= 1 and o["numSuccess"] >= 3),
    ("&type=import&status=queued", lambda o: o["type"] == "import" and o["status"] == "queued"),
    ("&type=export&numSuccess_lte=2", lambda o: o["type"] == "export" and o["numSuccess"] <= 2),
]
for extra, pred in mcases:
    want = model(pred)
    seen, pages = walk(mixed, extra, "after_id")
    check(seen == want, "?integration_id=...%s walks exactly the model's %d objects in order (%d seen, %d pages)"
          % (extra, len(want), len(seen), pages), False,
          "first difference at %s" % next((i for i, (a, b) in enumerate(zip(seen, want)) if a != b),
                                           min(len(seen), len(want))))

section("statuses are spelled queued and canceled")
insert_job(proj, "pending")
r = get_list("integration_id=" + proj)
check(r.status == 200 and {x["status"] for x in r.json} <= STATUSES
      and {"queued", "canceled", "completed", "failed"} <= {x["status"] for x in r.json},
      "every status is one of queued, running, completed, failed, canceled", r)
