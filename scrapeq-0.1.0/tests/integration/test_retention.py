#!/usr/bin/python3
"""test_retention.py: scrapeqd deletes finished jobs once [limits] retention_days (30 in
the stack) have passed since they ended, with everything kept for them (results, crawl
errors, logs, events, sample rows, per-target status, queue rows), in batches, and
nothing else: not a job that ended 29 days ago, not an old pending or running job, not
the audit log. The trigger-kept job counts follow, seed 002 stops showing a purged job,
and a kept job's purgeAt is still ahead.
"""
# integration: daemon

import harness
from harness import (ADMIN_TOKEN, Daemon, db_sql, db_value, new_project, request, section, sql_str,
                     uuid_of, wait_for)


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


Daemon.exclusive()
PROJECT = new_project(token=ADMIN_TOKEN)
P = uuid_of(PROJECT)


def job(status, ended_days_ago, created_days_ago=None):
    """A scrape job row as a daemon leaves it, with a row in every table that holds job data."""
    jid = db_value("SELECT UUID()")
    created = "NOW(6) - INTERVAL %d DAY" % (created_days_ago or (ended_days_ago or 0) + 1)
    ended = "NULL" if ended_days_ago is None else "NOW(6) - INTERVAL %d DAY" % ended_days_ago
    db_sql("INSERT INTO jobs (id, project_id, type, status, source, created_at, started_at, completed_at, "
           "cancelled_at, updated_at) VALUES (%s, %s, 'scrape', %s, 'api', %s, %s, %s, %s, NOW(6))"
           % (sql_str(jid), sql_str(P), sql_str(status), created, created if status != "pending" else "NULL",
              ended if status in ("completed", "failed") else "NULL", ended if status == "cancelled" else "NULL"))
    db_sql("INSERT INTO results (job_id, url, url_hash) SELECT %s, CONCAT('https://example.com/', seq), "
           "UNHEX(SHA2(CONCAT(%s, seq), 256)) FROM seq_1_to_3" % (sql_str(jid), sql_str(jid)))
    db_sql("INSERT INTO crawl_errors (job_id, url, url_hash, kind, message) VALUES (%s, 'https://example.com/x', "
           "UNHEX(SHA2(%s, 256)), 'http', 'HTTP 500')" % (sql_str(jid), sql_str(jid)))
    db_sql("INSERT INTO job_logs (job_id, level, message) VALUES (%s, 'info', 'Job started'), "
           "(%s, 'info', 'Job completed')" % (sql_str(jid), sql_str(jid)))
    db_sql("INSERT INTO job_events (job_id, project_id, type, data) VALUES (%s, %s, 'completed', '{}')"
           % (sql_str(jid), sql_str(P)))
    db_sql("INSERT INTO job_targets (job_id, position, target_id, url, status) VALUES "
           "(%s, 1, UUID(), 'https://example.com/', 'completed')" % sql_str(jid))
    db_sql("INSERT INTO sample_rows (job_id, round, ordinal, result_id) VALUES (%s, 1, 1, 1)" % sql_str(jid))
    db_sql("INSERT INTO audit_log (user_id, project_id, action, entity_type, entity_id) VALUES "
           "(NULL, %s, 'update', 'job', %s)" % (sql_str(P), sql_str(jid)))
    return jid


TABLES = ["results", "crawl_errors", "job_logs", "job_events", "job_targets", "sample_rows", "job_queue"]


def rows_of(jid):
    """{table: rows of this job} over the job tables, jobs itself included."""
    out = {t: int(db_value("SELECT COUNT(*) FROM %s WHERE job_id = %s" % (t, sql_str(jid)))) for t in TABLES}
    out["jobs"] = int(db_value("SELECT COUNT(*) FROM jobs WHERE id = %s" % sql_str(jid)))
    return out


def listed_total():
    r = request("GET", "/api/v1/projects/%s/jobs?per_page=1" % PROJECT, token=ADMIN_TOKEN)
    return r.json.get("total") if r.status == 200 and isinstance(r.json, dict) else None


section("jobs past their retention, and jobs that must stay")
gone = {"completed 40 days ago": job("completed", 40), "failed 31 days ago": job("failed", 31),
        "cancelled 40 days ago": job("cancelled", 40)}
bulk = [job("completed", 35) for _ in range(45)]
# (the old pending job has no queue row, so the test's daemon does not start crawling it)
kept = {"completed 29 days ago": job("completed", 29), "pending for 100 days": job("pending", None, 100),
        "running for 100 days": job("running", None, 100)}
# A job created through the API and finished long ago: its count leaves job_counts with it.
r = request("POST", "/api/v1/projects/%s/targets" % PROJECT, {"url": "https://example.com/r"}, token=ADMIN_TOKEN)
r = request("POST", "/api/v1/projects/%s/jobs" % PROJECT, {"target_ids": [r.json["id"]]}, token=ADMIN_TOKEN)
api_job = uuid_of(r.json["id"])
db_sql("DELETE FROM job_queue WHERE job_id = %s; UPDATE jobs SET status = 'completed', "
       "completed_at = NOW(6) - INTERVAL 60 DAY WHERE id = %s" % (sql_str(api_job), sql_str(api_job)))
gone["an API job completed 60 days ago"] = api_job
total_before = listed_total()
ids_sql = ", ".join(sql_str(x) for x in list(gone.values()) + bulk)
audit_before = db_value("SELECT COUNT(*) FROM audit_log WHERE entity_id IN (%s)" % ids_sql)
check(total_before == len(gone) + len(bulk) + len(kept),
      "the project lists all %d jobs before the purge" % (len(gone) + len(bulk) + len(kept)), False,
      "total %r" % total_before)

section("a daemon purges them")
d = Daemon("retention-" + harness.uniq("d")).start()
purged_ids = list(gone.values()) + bulk
done = wait_for(lambda: db_value("SELECT COUNT(*) FROM jobs WHERE id IN (%s)"
                                 % ", ".join(sql_str(x) for x in purged_ids)) == "0", 60)
check(done, "every job past its retention is gone (%d, in batches of 20)" % len(purged_ids), False, d.tail())
for name, jid in gone.items():
    left = {t: n for t, n in rows_of(jid).items() if n}
    check(left == {}, "%s: no row left in any job table" % name, False, repr(left))
left = sum(sum(rows_of(j).values()) for j in bulk)
check(left == 0, "the 45 bulk jobs: no row left anywhere", False, "%d rows" % left)
for name, jid in kept.items():
    rows = rows_of(jid)
    check(rows["jobs"] == 1 and rows["results"] == 3 and rows["job_logs"] == 2 and rows["crawl_errors"] == 1,
          "%s: kept, with its results, logs and errors" % name, False, repr(rows))
check(db_value("SELECT COUNT(*) FROM audit_log WHERE entity_id IN (%s)" % ids_sql) == audit_before
      and int(audit_before) >= len(purged_ids) - 1, "the audit log keeps its %s rows about the purged jobs"
      % audit_before, False)
check(listed_total() == len(kept), "the project's list total (job_counts) is the %d kept jobs" % len(kept), False,
      "total %r" % listed_total())
check(wait_for(lambda: "purged" in d.tail(50) and "more than 30 days ago" in d.tail(50), 10),
      "the daemon says what it purged", False, d.tail())

section("what the dialects show")
r = request("GET", "/v1/jobs/" + gone["completed 40 days ago"].replace("-", ""), token=ADMIN_TOKEN)
check(r.status == 404, "seed 002: a purged job is not_found", r)
r = request("GET", "/v1/jobs/" + kept["completed 29 days ago"].replace("-", ""), token=ADMIN_TOKEN)
purge_at = r.json.get("purgeAt") if r.status == 200 else None
check(purge_at is not None and purge_at > harness.db_value("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), "
                                                          "'%Y-%m-%dT%H:%i:%s.%fZ')"),
      "seed 002: a kept job's purgeAt is still ahead (%s)" % purge_at, r)
d.stop()
