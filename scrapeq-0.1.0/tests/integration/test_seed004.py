#!/usr/bin/python3
"""test_seed004.py: seed 004's /api/jobs and /api/jobs/{id}: the seed's curl examples
(host, port and token adapted), the field mapping onto the one job model, filters,
pagination and its 422s, and the {"detail": ...} errors.

No scrape daemon runs: a finished sampling job's state is written into MariaDB
directly (sampling jobs are not created through the API yet).
"""

import re

import harness
from harness import (check, db_sql, db_value, is_detail, is_json_ct, new_user, request,
                     section, sql_str, uniq)

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
TS_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$"
ITEM_FIELDS = {"id", "run_type", "status", "dataset_id", "dataset_name", "user_id",
               "user_soeid", "created_at", "completed_at", "error_message"}
FULL_FIELDS = ITEM_FIELDS | {"source_commit_id", "run_parameters", "output_summary",
                             "duration_seconds"}

NAME, _, TOK = new_user("seed004")
SOEID = uniq("bg")
DATASET = uniq("ds")
db_sql("UPDATE users SET external_id = %s WHERE username = %s" % (sql_str(SOEID), sql_str(NAME)))
USER_ID = int(db_value("SELECT id FROM users WHERE username = %s" % sql_str(NAME)))
_, _, OTHER = new_user("seed004other")


def scrape_job(token=TOK):
    """A pending job through seed 001 (the caller's first project is created on demand)."""
    r = request("POST", "/api/scrape-jobs", {"domain": "example.com"}, token=token)
    if r.status != 201:
        r = request("POST", "/api/v1/projects", {"name": uniq("p ")}, token=token)
        r = request("POST", "/api/scrape-jobs", {"domain": "example.com"}, token=token)
    if r.status != 201:
        raise RuntimeError("create failed: " + r.describe())
    return r.json["data"]["id"]


def finish_as_sampling(jid, status="completed", error=None):
    cfg = ('{"dataset_id": "%s", "dataset_name": "Sales Data 2024", "source_job_id": "abc123", '
           '"table_key": "primary", "rounds": [{"round_number": 1, "method": "random", '
           '"parameters": {"sample_size": 1000}}]}' % DATASET)
    db_sql("UPDATE jobs SET type = 'sampling', status = %s, config = %s, result = %s, "
           "error = %s, created_by = %d, started_at = '2025-07-07 02:45:47.000000', "
           "completed_at = '2025-07-07 02:45:49.500000' WHERE id = %s"
           % (sql_str(status), sql_str(cfg), sql_str('{"rows": 1000}'),
              sql_str('{"message": "%s"}' % error) if error else "NULL", USER_ID, sql_str(jid)))


section("GET /api/jobs/{job_id}")
JOB = scrape_job()
finish_as_sampling(JOB)
FAILED = scrape_job()
finish_as_sampling(FAILED, "failed", "sample_size exceeds the dataset")
PENDING = scrape_job()
db_sql("UPDATE jobs SET created_by = %d WHERE id = %s" % (USER_ID, sql_str(PENDING)))

r = request("GET", "/api/jobs/" + JOB, token=TOK)
j = r.json if isinstance(r.json, dict) else {}
check(r.status == 200 and is_json_ct(r), "curl /api/jobs/{id}: 200 JSON", r)
check(set(j) == FULL_FIELDS, "the single job has exactly the seed's fields", r)
check(j.get("id") == JOB and re.match(UUID_RE, j.get("id", "")), "id is the canonical UUID", r)
check(j.get("run_type") == "sampling" and j.get("status") == "completed", "run_type and status", r)
check(j.get("dataset_id") == DATASET and j.get("dataset_name") == "Sales Data 2024",
      "dataset_id and dataset_name from the job's config", r)
check(j.get("source_commit_id") == "abc123", "source_commit_id is the source job id", r)
check(j.get("user_id") == USER_ID and j.get("user_soeid") == SOEID, "user_id and user_soeid", r)
rp = j.get("run_parameters") or {}
check(rp.get("table_key") == "primary" and isinstance(rp.get("rounds"), list),
      "run_parameters is the job's config", r)
check(j.get("output_summary") == {"rows": 1000}, "output_summary is the job's result", r)
check(j.get("error_message") is None, "error_message null when it did not fail", r)
check(j.get("created_at") and re.match(TS_RE, j["created_at"]), "created_at in the seed's form", r)
check(j.get("completed_at") == "2025-07-07T02:45:49.500000+00:00", "completed_at in the seed's form", r)
check(j.get("duration_seconds") == 2.5, "duration_seconds from started_at to completed_at", r)

r = request("GET", "/api/jobs/" + FAILED, token=TOK)
check(r.status == 200 and r.json.get("status") == "failed"
      and r.json.get("error_message") == "sample_size exceeds the dataset", "a failed job's error_message", r)
r = request("GET", "/api/jobs/" + PENDING, token=TOK)
check(r.status == 200 and r.json.get("run_type") == "scrape" and r.json.get("completed_at") is None
      and r.json.get("duration_seconds") is None and r.json.get("dataset_id") is None,
      "a pending scrape job: run_type scrape, no dataset, no completion", r)

section("GET /api/jobs/{job_id}: errors")
is_detail(request("GET", "/api/jobs/917f045a-ec63-47a1-b192-35149508f452", token=TOK), 404,
          "an unknown job id is a 404 with detail")
is_detail(request("GET", "/api/jobs/not-a-uuid", token=TOK), 404, "a malformed id is a 404")
is_detail(request("GET", "/api/jobs/" + JOB, token=OTHER), 404, "another tenant's job is a 404")
is_detail(request("GET", "/api/jobs/" + JOB, auth=False), 401, "no token is a 401")
is_detail(request("GET", "/api/jobs/" + JOB, token="nope"), 401, "a bad token is a 401")
is_detail(request("DELETE", "/api/jobs/" + JOB, token=TOK), 405, "DELETE is a 405")
is_detail(request("POST", "/api/jobs", {}, token=TOK), 405, "POST /api/jobs is a 405")
is_detail(request("GET", "/api/jobsx", token=TOK), 404, "/api/jobsx is no endpoint")
r = request("GET", "/api/v1/jobs/" + JOB, token=TOK)
check(r.status != 200 or "run_type" not in (r.json or {}), "/api/v1/jobs is not caught by /api/jobs", r)

section("GET /api/jobs: the seed's examples")
r = request("GET", "/api/jobs?dataset_id=" + DATASET, token=TOK)
check(r.status == 200 and set(r.json) == {"jobs", "total", "offset", "limit"}, "jobs/total/offset/limit", r)
check(r.json.get("total") == 2 and {x["id"] for x in r.json["jobs"]} == {JOB, FAILED},
      "dataset_id filter: the two jobs of the dataset", r)
check(all(set(x) == ITEM_FIELDS for x in r.json["jobs"]), "list items have the seed's fields", r)
check(r.json.get("offset") == 0 and r.json.get("limit") == 100, "offset 0, limit 100 by default", r)

r = request("GET", "/api/jobs?user_soeid=%s&status=failed" % SOEID, token=TOK)
check(r.status == 200 and [x["id"] for x in r.json["jobs"]] == [FAILED] and r.json["total"] == 1,
      "user_soeid and status=failed", r)

r = request("GET", "/api/jobs?run_type=sampling&limit=20", token=TOK)
check(r.status == 200 and r.json.get("limit") == 20 and r.json.get("total") == 2
      and all(x["run_type"] == "sampling" for x in r.json["jobs"]), "run_type=sampling&limit=20", r)

section("GET /api/jobs: filters and pagination")
r = request("GET", "/api/jobs?user_id=%d" % USER_ID, token=TOK)
check(r.status == 200 and r.json.get("total") == 3, "user_id: the user's three jobs", r)
ids = [x["id"] for x in r.json.get("jobs", [])]
check(ids == sorted(ids, reverse=True), "newest first", r)
r = request("GET", "/api/jobs?user_id=%d&offset=1&limit=1" % USER_ID, token=TOK)
check(r.status == 200 and r.json.get("total") == 3 and r.json.get("offset") == 1
      and [x["id"] for x in r.json["jobs"]] == ids[1:2], "offset and limit page", r)
r = request("GET", "/api/jobs?user_id=%d&offset=50" % USER_ID, token=TOK)
check(r.status == 200 and r.json.get("jobs") == [] and r.json.get("total") == 3, "offset past the end", r)
r = request("GET", "/api/jobs?run_type=scrape&user_soeid=" + SOEID, token=TOK)
check(r.status == 200 and [x["id"] for x in r.json["jobs"]] == [PENDING], "run_type=scrape", r)
r = request("GET", "/api/jobs?limit=1000", token=TOK)
check(r.status == 200 and r.json.get("limit") == 1000, "limit 1000 is the most", r)
r = request("GET", "/api/jobs?dataset_id=" + DATASET, token=OTHER)
check(r.status == 200 and r.json.get("total") == 0 and r.json.get("jobs") == [],
      "another tenant sees none of them", r)
for q, name in [("limit=1001", "limit past 1000"), ("limit=0", "limit 0"), ("limit=abc", "limit not a number"),
                ("offset=-1", "a negative offset"), ("status=queued", "an unknown status"),
                ("user_id=x", "a user_id that is not a number"), ("limit=1&limit=2", "limit twice"),
                ("status=pending&status=completed", "status twice"), ("run_type=a&run_type=b", "run_type twice"),
                ("dataset_id=a&dataset_id=b", "dataset_id twice"), ("user_soeid=a&user_soeid=b", "user_soeid twice")]:
    r = request("GET", "/api/jobs?" + q, token=TOK)
    is_detail(r, 422, name + " is a 422")
r = request("GET", "/api/jobs?limit=1001", token=TOK)
check("limit" in (r.json or {}).get("detail", ""), "the 422 names the parameter", r)
is_detail(request("GET", "/api/jobs", auth=False), 401, "the list without a token is a 401")

section("POST /api/sampling/datasets/{dataset_id}/jobs")


def dataset_job(token=TOK, rows=30, status="completed"):
    """A finished scrape job with rows results written straight into MariaDB."""
    jid = scrape_job(token)
    db_sql("UPDATE jobs SET status = %s, started_at = NOW(6), completed_at = NOW(6) WHERE id = %s; "
           "DELETE FROM job_queue WHERE job_id = %s" % (sql_str(status), sql_str(jid), sql_str(jid)))
    db_sql("INSERT INTO results (job_id, url, url_hash, status_code, links_count, images_count, title) "
           "SELECT %s, CONCAT('https://example.com/p', seq), UNHEX(SHA2(CONCAT(%s, seq), 256)), "
           "IF(seq %% 3 = 0, 404, 200), seq %% 5, seq %% 2, CONCAT('Page ', seq) FROM seq_1_to_%d"
           % (sql_str(jid), sql_str(jid), rows))
    return jid, "job_" + jid.replace("-", "")


SRC, DS = dataset_job()
BODY = {"source_ref": "main", "table_key": "primary",
        "rounds": [{"round_number": 1, "method": "random", "parameters": {"sample_size": 1000}}]}


def post(ds, body, token=TOK):
    return request("POST", "/api/sampling/datasets/%s/jobs" % ds, body, token=token)


r = post(DS, BODY)
j = r.json if isinstance(r.json, dict) else {}
check(r.status == 200 and set(j) == {"job_id", "status", "message"}, "the seed's create: job_id/status/message", r)
check(re.match(UUID_RE, j.get("job_id", "")) and j.get("status") == "pending"
      and j.get("message") == "Sampling job created with 1 rounds", "pending, \"created with 1 rounds\"", r)
SJ = j.get("job_id", "")
r = request("GET", "/api/jobs/" + SJ, token=TOK)
g = r.json if isinstance(r.json, dict) else {}
rp = g.get("run_parameters") or {}
check(r.status == 200 and g.get("run_type") == "sampling" and g.get("status") == "pending"
      and g.get("dataset_id") == DS and g.get("source_commit_id") == DS
      and g.get("user_id") == USER_ID and g.get("user_soeid") == SOEID, "the new job seen through /api/jobs/{id}", r)
seed = (((rp.get("rounds") or [{}])[0]).get("parameters") or {}).get("seed")
check(isinstance(seed, int) and 0 <= seed < 2 ** 53, "a seed was drawn and recorded in run_parameters", r)
check(rp.get("table_key") == "primary" and rp.get("source_ref") == "main", "table_key and source_ref recorded", r)
r = request("GET", "/api/jobs?run_type=sampling&dataset_id=" + DS, token=TOK)
check(r.status == 200 and [x["id"] for x in r.json["jobs"]] == [SJ], "listed under its dataset_id", r)
r = post(DS, {"rounds": [{"round_number": 1, "method": "random", "parameters": {"sample_size": 5}},
                         {"round_number": 2, "method": "systematic", "parameters": {"interval": 3}},
                         {"round_number": 3, "method": "stratified",
                          "parameters": {"column": "status_code", "sample_size": 6, "seed": 9}}]})
check(r.status == 200 and r.json.get("message") == "Sampling job created with 3 rounds", "three rounds, one per method", r)
r = post(DS, {"table_key": "links", "rounds": [{"method": "random", "parameters": {"sample_size": 2}}]})
check(r.status == 200, "the links table", r)

section("POST /api/sampling/...: errors")
r = post(DS, {"rounds": [{"round_number": 1, "method": "random", "parameters": {}}]})
is_detail(r, 422, "a missing sample_size is a 422")
check("sample_size" in (r.json or {}).get("detail", ""), "... that says sample_size", r)
for body, name in [({}, "no rounds"), ({"rounds": []}, "empty rounds"),
                   ({"rounds": [{"method": "cluster", "parameters": {"sample_size": 1}}]}, "an unknown method"),
                   ({"source_ref": "dev", "rounds": BODY["rounds"]}, "a source_ref other than main"),
                   ({"table_key": "nope", "rounds": BODY["rounds"]}, "an unknown table_key"),
                   ({"rounds": BODY["rounds"], "extra": 1}, "an unknown field"),
                   ({"rounds": [{"method": "random", "parameters": {"sample_size": 0}}]}, "sample_size 0"),
                   ({"rounds": [{"method": "stratified", "parameters": {"sample_size": 3}}]}, "stratified without column"),
                   ({"rounds": [{"method": "systematic", "parameters": {}}]}, "systematic with nothing"),
                   ({"rounds": [{"method": "random", "parameters": {"sample_size": 1, "seed": 2 ** 63}}]},
                    "a seed of 2^63 (json-c would read it as 2^63 - 1, another seed)"),
                   ({"rounds": [{"method": "random", "parameters": {"sample_size": 1, "seed": 10 ** 30}}]},
                    "a 31-digit seed")]:
    is_detail(post(DS, body), 422, name + " is a 422")
r = post(DS, {"rounds": [{"method": "random", "parameters": {"sample_size": 1, "seed": 2 ** 63 - 1}}]})
check(r.status == 200, "the largest seed, 2^63 - 1, is taken", r)
is_detail(post("job_" + "0" * 32, BODY), 404, "an unknown dataset is a 404")
is_detail(post("48", BODY), 404, "a dataset id of another form is a 404")
LIMP = request("POST", "/api/v1/projects", {"name": uniq("lim "), "daily_job_limit": 1},
               token=harness.ADMIN_TOKEN).json["id"]
r = request("POST", "/api/scrape-jobs", {"domain": "example.com", "project_id": LIMP}, token=harness.ADMIN_TOKEN)
LJ = r.json["data"]["id"]
db_sql("UPDATE jobs SET status = 'completed', started_at = NOW(6), completed_at = NOW(6) WHERE id = %s; "
       "DELETE FROM job_queue WHERE job_id = %s" % (sql_str(LJ), sql_str(LJ)))
r = post("job_" + LJ.replace("-", ""), BODY, token=harness.ADMIN_TOKEN)
ra = r.headers.get("retry-after", "")
is_detail(r, 429, "a sampling job past the project's daily limit is a 429")
check(ra.isdigit() and 1 <= int(ra) <= 86400, "... with Retry-After: the seconds to the next UTC day (%s)" % ra, r)
r = post(SRC, BODY)
check(r.status == 200, "the job's id as /api/jobs shows it (its UUID) names the same dataset", r)
g = request("GET", "/api/jobs/" + (r.json or {}).get("job_id", "x"), token=TOK).json or {}
check(g.get("dataset_id") == DS and g.get("source_commit_id") == DS,
      "... recorded as %s, so ?dataset_id= finds it with the others" % DS, False, repr(g))
is_detail(post(DS, BODY, token=OTHER), 404, "another tenant's dataset is a 404")
is_detail(request("POST", "/api/sampling/datasets/%s/jobs" % DS, BODY, auth=False), 401, "no token is a 401")
_, RUNNING = dataset_job(rows=1, status="running")
is_detail(post(RUNNING, BODY), 422, "a dataset whose job still runs is a 422")
r = request("POST", "/api/v1/projects/%s/targets" % request("GET", "/api/v1/projects", token=TOK).json["items"][0]["id"],
            {"url": "https://example.org/"}, token=TOK)
TGT = r.json.get("id", "") if isinstance(r.json, dict) else ""
is_detail(post(TGT, BODY), 422, "a target with no completed job is a 422")
r = request("POST", "/api/sampling/datasets/%s/jobs" % DS, raw="{not json", token=TOK)
check(r.status in (400, 422) and isinstance(r.json, dict) and "detail" in r.json, "malformed JSON: detail", r)

section("GET /api/sampling/jobs/{job_id}/data: errors")
is_detail(request("GET", "/api/sampling/jobs/%s/data" % SJ, token=TOK), 422, "a pending sampling job's data is a 422")
is_detail(request("GET", "/api/sampling/jobs/%s/data" % PENDING, token=TOK), 404,
          "a job that is not a sampling job is a 404")
is_detail(request("GET", "/api/sampling/jobs/917f045a-ec63-47a1-b192-35149508f452/data", token=TOK), 404,
          "an unknown job is a 404")
is_detail(request("GET", "/api/sampling/jobs/%s/data" % SJ, token=OTHER), 404, "another tenant's job is a 404")
is_detail(request("GET", "/api/sampling/jobs/%s/data" % SJ, auth=False), 401, "no token is a 401")
is_detail(request("GET", "/api/sampling/nothing", token=TOK), 404, "an unknown sampling path is a 404")
