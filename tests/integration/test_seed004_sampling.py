#!/usr/bin/python3
"""test_seed004_sampling.py: seed 004's sampling jobs run in scrapeqd: the seed's
create-poll-fetch workflow, reproducibility (the same seed draws the same rows, another
seed other rows), random / stratified / systematic rounds over a known dataset, the
links table, a target's dataset (its latest completed job), and the data endpoint's
JSON and CSV, paging and columns.
"""
# integration: daemon

import csv
import io
import os

import harness
from harness import Daemon, db_sql, new_user, request, section, sql_str, uniq, wait_for


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


Daemon.exclusive()
_, _, TOK = new_user("seed004d")
r = request("POST", "/api/v1/projects", {"name": uniq("p ")}, token=TOK)
PROJECT = r.json["id"]
ROWS = 90


def dataset(rows=ROWS, target=None):
    """A completed scrape job with rows results (status_code 404 on every third page)."""
    r = request("POST", "/api/scrape-jobs", {"domain": "example.com", "project_id": PROJECT}, token=TOK)
    jid = r.json["data"]["id"]
    db_sql("DELETE FROM job_queue WHERE job_id = %s; UPDATE jobs SET status = 'completed', "
           "started_at = NOW(6), completed_at = NOW(6) WHERE id = %s" % (sql_str(jid), sql_str(jid)))
    db_sql("INSERT INTO results (job_id, target_id, url, url_hash, status_code, links_count, images_count, title) "
           "SELECT %s, %s, CONCAT('https://example.com/p', seq), UNHEX(SHA2(CONCAT(%s, seq), 256)), "
           "IF(seq %% 3 = 0, 404, 200), IF(seq %% 10 = 0, 0, seq %% 7 + 1), seq %% 2, CONCAT('Page ', seq) "
           "FROM seq_1_to_%d" % (sql_str(jid), sql_str(target), sql_str(jid), rows))
    return jid, "job_" + jid.replace("-", "")


def sample(ds, rounds, **extra):
    body = {"rounds": rounds}
    body.update(extra)
    r = request("POST", "/api/sampling/datasets/%s/jobs" % ds, body, token=TOK)
    if r.status != 200:
        raise RuntimeError("create failed: " + r.describe())
    return r.json["job_id"]


def job(jid):
    return request("GET", "/api/jobs/" + jid, token=TOK).json


def finished(jid):
    return wait_for(lambda: job(jid).get("status") in ("completed", "failed"), 30)


def data(jid, query="limit=1000"):
    return request("GET", "/api/sampling/jobs/%s/data?%s" % (jid, query), token=TOK)


def urls(jid, query="limit=1000&columns=url"):
    r = data(jid, query)
    return [x["url"] for x in r.json.get("rows", [])] if isinstance(r.json, dict) else None


SRC, DS = dataset()
random42 = lambda n: [{"round_number": 1, "method": "random", "parameters": {"sample_size": n, "seed": 42}}]
a = sample(DS, random42(10))
b = sample(DS, random42(10))
c = sample(DS, [{"round_number": 1, "method": "random", "parameters": {"sample_size": 10, "seed": 43}}])
drawn = sample(DS, [{"round_number": 1, "method": "random", "parameters": {"sample_size": 1000}}],
               source_ref="main", table_key="primary")
d = Daemon("seed004-" + uniq("d")).start()

section("the seed's workflow: create, poll /api/jobs/{id}, fetch the data")
check(all(finished(x) for x in (a, b, c, drawn)), "the four sampling jobs finish")
j = job(a)
check(j.get("status") == "completed" and j.get("error_message") is None, "completed, no error_message", note=repr(j))
s = j.get("output_summary") or {}
check(s.get("rows") == 10 and s.get("rounds", [{}])[0].get("population") == ROWS
      and s["rounds"][0].get("seed") == 42, "output_summary: 10 rows of 90, seed 42", note=repr(s))
check(isinstance(j.get("duration_seconds"), float) and j["duration_seconds"] >= 0, "duration_seconds", note=repr(j))
r = data(a, "limit=100")
check(r.status == 200 and r.json.get("total") == 10 and len(r.json.get("rows", [])) == 10
      and r.json.get("offset") == 0 and r.json.get("limit") == 100, "the seed's data call: 10 rows", r)
check(set(r.json["rows"][0]) == set(r.json["columns"]) and "url" in r.json["columns"]
      and "status_code" in r.json["columns"], "rows carry the primary table's columns", r)

section("reproducibility")
ua, ub, uc = urls(a), urls(b), urls(c)
check(ua == ub and len(ua) == 10, "the same seed draws the same rows", note="%r / %r" % (ua, ub))
check(ua != uc and len(uc) == 10, "another seed draws other rows", note="%r / %r" % (ua, uc))
check(len(set(ua)) == 10, "rows are distinct")
seed = job(drawn)["run_parameters"]["rounds"][0]["parameters"]["seed"]
again = sample(DS, [{"round_number": 1, "method": "random", "parameters": {"sample_size": 1000, "seed": seed}}])
check(finished(again) and sorted(urls(again)) == sorted(urls(drawn)) and len(urls(drawn)) == ROWS,
      "a drawn seed, recorded in run_parameters, redraws the same rows (sample_size past the size: all)")

section("stratified, systematic, several rounds")
m = sample(DS, [{"round_number": 1, "method": "stratified", "parameters": {"column": "status_code", "sample_size": 30, "seed": 1}},
                {"round_number": 2, "method": "systematic", "parameters": {"interval": 10, "start": 4}},
                {"round_number": 3, "method": "systematic", "parameters": {"sample_size": 9, "seed": 5}},
                {"round_number": 4, "method": "stratified", "parameters": {"column": "status_code", "per_stratum": 4}}])
check(finished(m) and job(m)["status"] == "completed", "a four-round job completes", note=repr(job(m)))
rows = data(m, "limit=1000&columns=url,status_code").json["rows"]
sm = job(m)["output_summary"]["rounds"]
check([x["rows"] for x in sm] == [30, 9, 9, 8], "rows per round: 30, 9, 9, 8", note=repr(sm))
strat = rows[:30]
check(sum(1 for x in strat if x["status_code"] == 404) == 10, "stratified: 404s in proportion (10 of 30)", note=repr(strat))
sys1 = [int(x["url"].rsplit("p", 1)[1]) for x in rows[30:39]]
check(sys1 == list(range(5, 91, 10)), "systematic interval 10 start 4: every 10th row from the 5th", note=repr(sys1))
sys2 = [int(x["url"].rsplit("p", 1)[1]) for x in rows[39:48]]
check(len(sys2) == 9 and all(y - x == 10 for x, y in zip(sys2, sys2[1:])), "systematic by sample_size: interval 90/9", note=repr(sys2))
per = rows[48:]
check(sum(1 for x in per if x["status_code"] == 404) == 4 and len(per) == 8, "per_stratum 4 of each status", note=repr(per))

section("the links table, a target's dataset, paging, columns, CSV")
lk = sample(DS, [{"method": "random", "parameters": {"sample_size": 1000, "seed": 3}}], table_key="links")
check(finished(lk) and job(lk)["output_summary"]["rows"] == 81, "links: the 81 pages that had links", note=repr(job(lk)))
r = data(lk)
check(r.status == 200 and r.json.get("columns") == ["url", "links_count"] and r.json.get("table_key") == "links"
      and all(x["links_count"] > 0 for x in r.json["rows"]), "links rows: url and links_count", r)
check(data(lk, "table_key=primary").status == 422, "a table the job did not sample is a 422")
r = request("POST", "/api/v1/projects/%s/targets" % PROJECT, {"url": "https://example.net/"}, token=TOK)
tgt = r.json["id"]
tu = tgt.split("_", 1)[1]
tu = "%s-%s-%s-%s-%s" % (tu[0:8], tu[8:12], tu[12:16], tu[16:20], tu[20:32])
TJ, _ = dataset(rows=20, target=tu)
db_sql("UPDATE job_targets SET target_id = %s, url = 'https://example.net/', status = 'completed' "
       "WHERE job_id = %s" % (sql_str(tu), sql_str(TJ)))
t = sample(tgt, [{"method": "random", "parameters": {"sample_size": 5, "seed": 1}}], source_ref="main")
check(finished(t) and job(t)["output_summary"]["rows"] == 5
      and job(t)["source_commit_id"] == "job_" + TJ.replace("-", ""), "a target's dataset: its latest completed job",
      note=repr(job(t)))
r = data(a, "offset=8&limit=5&columns=title,url")
check(r.status == 200 and len(r.json["rows"]) == 2 and list(r.json["rows"][0]) == ["title", "url"]
      and r.json["total"] == 10, "offset, limit and columns in the order asked", r)
r = data(a, "format=csv&columns=url,title")
rows = list(csv.reader(io.StringIO(r.raw.decode())))
check(r.status == 200 and r.headers.get("content-type", "").startswith("text/csv")
      and rows[0] == ["url", "title"] and [x[0] for x in rows[1:]] == ua, "CSV: header and the same rows", r)
# The formula guard on seed 004's CSV: blanks before = + - @ do not hide a formula.
FJ, FDS = dataset(rows=3)
db_sql("UPDATE results SET title = CASE url WHEN 'https://example.com/p1' THEN ' =1+2' "
       "WHEN 'https://example.com/p2' THEN CONCAT(CHAR(9), '@SUM(A1)') ELSE '  -2+3' END "
       "WHERE job_id = %s" % sql_str(FJ))
fs = sample(FDS, [{"method": "random", "parameters": {"sample_size": 3, "seed": 1}}])
finished(fs)
r = data(fs, "format=csv&columns=url,title")
frows = {x[0]: x[1] for x in list(csv.reader(io.StringIO(r.raw.decode(), newline="")))[1:]}
check(r.status == 200 and frows == {"https://example.com/p1": "' =1+2", "https://example.com/p2": "'\t@SUM(A1)",
                                    "https://example.com/p3": "'  -2+3"},
      "CSV: cells with blanks before = + - @ get a leading '", note=repr(frows))
r = data(fs, "columns=url,title")
check(r.status == 200 and {x["url"]: x["title"] for x in r.json["rows"]} ==
      {"https://example.com/p1": " =1+2", "https://example.com/p2": "\t@SUM(A1)", "https://example.com/p3": "  -2+3"},
      "JSON: the same titles as stored", r)
for q in ["format=xml", "columns=nope", "limit=0", "limit=1001", "table_key=x"]:
    r = data(a, q)
    check(r.status == 422 and "detail" in (r.json or {}), "data?%s is a 422" % q, r)
section("a large draw runs on its own thread: the daemon's loop goes on meanwhile")
BIG = int(os.environ.get("SCRAPEQ_TEST_SAMPLING_ROWS", "800000"))
_, BDS = dataset(rows=BIG)
half = lambda seed: [{"round_number": 1, "method": "random", "parameters": {"sample_size": BIG // 2, "seed": seed}}]


def status_of(jid):
    return job(jid).get("status")


def beat():
    return harness.db_value("SELECT heartbeat_at FROM daemons WHERE id = %s" % sql_str(d.id))


big = sample(BDS, half(7))
check(wait_for(lambda: status_of(big) == "running", 20), "the big sampling job is claimed", note=status_of(big))
beat0 = beat()
db_sql("INSERT INTO jobs (id, project_id, type, status, source, config) VALUES (UUID(), %s, 'noop', 'pending', "
       "'api', '{}')" % sql_str(harness.uuid_of(PROJECT)))
nid = harness.db_value("SELECT id FROM jobs WHERE project_id = %s AND type = 'noop' ORDER BY created_at DESC "
                       "LIMIT 1" % sql_str(harness.uuid_of(PROJECT)))
db_sql("INSERT INTO job_queue (job_id, priority, run_after) VALUES (%s, 5, NOW(6))" % sql_str(nid))
done_noop = wait_for(lambda: harness.db_value("SELECT status FROM jobs WHERE id = %s" % sql_str(nid))
                     == "completed", 20)
check(done_noop and status_of(big) == "running",
      "a job queued after it is claimed and completed while the draw still runs", note=status_of(big))
# (heartbeats come every lease_seconds / 3 = 2 s; the draw takes about 4 s here, longer under ASan)
check(wait_for(lambda: beat() != beat0 and status_of(big) == "running", 10),
      "the daemon heartbeats while the draw runs", note="%s -> %s, %s" % (beat0, beat(), status_of(big)))
check(wait_for(lambda: status_of(big) in ("completed", "failed"), 120) and status_of(big) == "completed"
      and job(big)["output_summary"]["rows"] == BIG // 2
      and harness.db_value("SELECT COUNT(*) FROM sample_rows WHERE job_id = %s" % sql_str(big)) == str(BIG // 2),
      "and it completes with all %d rows, written 1,000 to a statement" % (BIG // 2), note=repr(job(big)))
r = data(big, "offset=%d&limit=3&columns=url" % (BIG // 2 - 3))
check(r.status == 200 and len(r.json.get("rows", [])) == 3 and r.json.get("total") == BIG // 2,
      "its last rows read back through the data endpoint", r)

section("a sampling job cancelled mid-draw stops and keeps nothing")
big2 = sample(BDS, half(8))
check(wait_for(lambda: status_of(big2) == "running", 20), "claimed", note=status_of(big2))
r = request("POST", "/api/v1/jobs/job_%s/cancel" % big2.replace("-", ""), token=TOK)
check(r.status == 200 and r.json.get("status") == "cancelled", "cancelled through the canonical API", r)
check(wait_for(lambda: harness.db_value("SELECT lease_owner IS NULL FROM jobs WHERE id = %s" % sql_str(big2))
               == "1", 30), "the daemon lets it go", note=d.tail())
check(status_of(big2) == "cancelled"
      and harness.db_value("SELECT COUNT(*) FROM sample_rows WHERE job_id = %s" % sql_str(big2)) == "0",
      "it stays cancelled with no sample rows", note=repr(job(big2)))

d.stop()
