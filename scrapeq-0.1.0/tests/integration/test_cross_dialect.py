#!/usr/bin/python3
"""test_cross_dialect.py: one job, five dialects. A job created in one dialect is read,
updated and cancelled through the others, and they agree on its identity, status,
priority and times:

  - created through seed 003 (/workspace/{seq}/jobs, domain_scrape, priority high), read
    through v1, seed 001, seed 002 and seed 004 (and the legacy /jobs list);
  - updated through seed 001 PUT (metadata merged, status running) and read back
    through seed 003, v1, 002 and 004;
  - cancelled through seed 002 DELETE and seen cancelled (cancelled / canceled) with
    the same cancel time everywhere;
  - the reverse: created through v1, cancelled through seed 003's /cancel, read through
    001, 002 and 004;
  - another tenant gets 404 from every dialect (403 for seed 003's workspace), for
    reads and for writes, and the job is unchanged by them.

No scrape daemon runs: jobs stay pending unless an API moves them.
"""

import datetime
import re

import harness
from harness import (ADMIN_PASSWORD, check, db_rows, db_value, login, new_project, new_target,
                     new_user, request, section, sql_str, uuid_of)

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

TOKEN = login("admin", ADMIN_PASSWORD)["access_token"]
PROJECT = new_project(token=TOKEN)
W = harness.workspace_of(PROJECT, token=TOKEN)


def ws(rest=""):
    return "/workspace/%d/jobs%s" % (W, rest)


def js(r):
    return r.json if isinstance(r.json, dict) else {}


def d001(r):
    d = js(r).get("data")
    return d if isinstance(d, dict) else {}


def ts(s):
    """Any dialect's UTC timestamp -> aware datetime (None if absent or unparsable)."""
    if not isinstance(s, str):
        return None
    m = re.match(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d{1,6})?(Z|\+00:00)$", s)
    if not m:
        return None
    frac = (m.group(3) or ".0")[1:].ljust(6, "0")
    return datetime.datetime.strptime("%sT%s.%s" % (m.group(1), m.group(2), frac),
                                      "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)


def db_ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)


def trunc(t, digits):
    """t truncated to digits of a second (0 seconds, 3 ms, 6 µs)."""
    return t.replace(microsecond=t.microsecond // 10 ** (6 - digits) * 10 ** (6 - digits))


def same_time(shown, stored, digits):
    """A dialect's timestamp shows the stored time at its precision (truncated)."""
    t = ts(shown)
    return t is not None and stored is not None and t == trunc(stored, digits)


def row(uid):
    cols = ["status", "priority", "created_at", "cancelled_at", "completed_at", "started_at", "metadata"]
    rs = db_rows("SELECT %s FROM jobs WHERE id = %s" % (", ".join(cols), sql_str(uid)))
    d = dict(zip(cols, rs[0])) if rs else {}
    for k in ("created_at", "cancelled_at", "completed_at", "started_at"):
        if d.get(k):
            d[k] = db_ts(d[k])
    return d


def read_all(jid):
    """The job through every dialect: {dialect: Response}."""
    uid, hexid = uuid_of(jid), jid.split("_", 1)[1]
    return {
        "v1": request("GET", "/api/v1/jobs/" + jid, token=TOKEN),
        "001": request("GET", "/api/scrape-jobs/" + uid, token=TOKEN),
        "002": request("GET", "/v1/jobs/" + hexid, token=TOKEN),
        "003": request("GET", ws("/" + jid), token=TOKEN),
        "004": request("GET", "/api/jobs/" + uid, token=TOKEN),
    }


def agree_identity(r, jid, label):
    uid, hexid = uuid_of(jid), jid.split("_", 1)[1]
    check(r["v1"].status == 200 and js(r["v1"]).get("id") == jid, "%s: v1 reads it as %s" % (label, jid), r["v1"])
    check(r["001"].status == 200 and d001(r["001"]).get("id") == uid, "%s: seed 001 reads it as %s" % (label, uid),
          r["001"])
    check(r["002"].status == 200 and js(r["002"]).get("_id") == hexid and js(r["002"]).get("type") == "flow"
          and js(r["002"]).get("flowExecutionGroupId") == hexid,
          "%s: seed 002 reads it as the flow %s" % (label, hexid), r["002"])
    check(r["003"].status == 200 and js(r["003"]).get("job_id") == jid and js(r["003"]).get("workspace_id") == W,
          "%s: seed 003 reads it as %s in workspace %d" % (label, jid, W), r["003"])
    check(r["004"].status == 200 and js(r["004"]).get("id") == uid and re.match(UUID_RE, uid),
          "%s: seed 004 reads it as %s" % (label, uid), r["004"])
    check(js(r["v1"]).get("project_id") == PROJECT and js(r["002"]).get("_integrationId") == PROJECT
          and d001(r["001"]).get("customer_config_id", "").replace("-", "") == PROJECT.split("_", 1)[1],
          "%s: v1, 001 and 002 name the same project" % label, False,
          "v1 %r, 001 %r, 002 %r" % (js(r["v1"]).get("project_id"), d001(r["001"]).get("customer_config_id"),
                                     js(r["002"]).get("_integrationId")))


def agree_status(r, want, label):
    """want: the canonical status; each dialect's spelling of it."""
    s002 = {"pending": "queued", "cancelled": "canceled"}.get(want, want)
    s003 = {"completed": "success"}.get(want, want)
    got = {"v1": js(r["v1"]).get("status"), "001": d001(r["001"]).get("status"),
           "002": js(r["002"]).get("status"), "003": js(r["003"]).get("status"),
           "004": js(r["004"]).get("status")}
    wanted = {"v1": want, "001": want, "002": s002, "003": s003, "004": want}
    check(got == wanted, "%s: every dialect says %s (%s)" % (label, want, ", ".join(
        "%s %s" % (k, v) for k, v in sorted(wanted.items()))), False, "got %r" % got)


def agree_created(r, stored, label):
    got = {"v1": same_time(js(r["v1"]).get("created_at"), stored, 0),
           "001": same_time(d001(r["001"]).get("created_at"), stored, 3),
           "002": same_time(js(r["002"]).get("createdAt"), stored, 6),
           "003": same_time(js(r["003"]).get("created_at"), stored, 0),
           "004": same_time(js(r["004"]).get("created_at"), stored, 6)}
    check(all(got.values()), "%s: every dialect shows the stored created_at %s at its precision" % (label, stored),
          False, "disagree: %s; v1 %r 001 %r 002 %r 003 %r 004 %r" % (
              [k for k, v in got.items() if not v], js(r["v1"]).get("created_at"),
              d001(r["001"]).get("created_at"), js(r["002"]).get("createdAt"), js(r["003"]).get("created_at"),
              js(r["004"]).get("created_at")))


def agree_cancelled(r, stored_row, label):
    c = stored_row.get("cancelled_at")
    check(c is not None and stored_row.get("status") == "cancelled", "%s: MariaDB has it cancelled at a time" % label,
          False, repr(stored_row))
    agree_status(r, "cancelled", label)
    got = {"v1 cancelled_at": same_time(js(r["v1"]).get("cancelled_at"), c, 0),
           "001 completed_at": same_time(d001(r["001"]).get("completed_at"), c, 3),
           "002 endedAt": same_time(js(r["002"]).get("endedAt"), c, 6),
           "002 lastModified": same_time(js(r["002"]).get("lastModified"), c, 6),
           "003 completed_at": same_time(js(r["003"]).get("completed_at"), c, 0),
           "003 updated_at": same_time(js(r["003"]).get("updated_at"), c, 0),
           "004 completed_at": same_time(js(r["004"]).get("completed_at"), c, 6)}
    check(all(got.values()), "%s: v1 cancelled_at, 001 completed_at, 002 endedAt and lastModified, 003 "
          "completed_at and updated_at, 004 completed_at are the stored cancel time %s" % (label, c), False,
          "disagree: %s; v1 %r 001 %r 002 %r/%r 003 %r/%r 004 %r" % (
              [k for k, v in got.items() if not v], js(r["v1"]).get("cancelled_at"),
              d001(r["001"]).get("completed_at"), js(r["002"]).get("endedAt"), js(r["002"]).get("lastModified"),
              js(r["003"]).get("completed_at"), js(r["003"]).get("updated_at"), js(r["004"]).get("completed_at")))
    # One cancel in the core, whichever dialect asked: the same message, one audit row.
    uid = d001(r["001"]).get("id", "")
    check(d001(r["001"]).get("error_message") == "Cancelled via API"
          and js(r["004"]).get("error_message") == "Cancelled via API",
          "%s: 001 error_message and 004 error_message are the core's 'Cancelled via API'" % label, False,
          "001 %r, 004 %r" % (d001(r["001"]).get("error_message"), js(r["004"]).get("error_message")))
    a = request("GET", "/api/scrape-jobs/%s/audit" % uid, token=TOKEN)
    rows = js(a).get("data") if a.status == 200 else None
    cancels = [x for x in rows if isinstance(x, dict) and x.get("action") == "cancel"] \
        if isinstance(rows, list) else []
    check(len(cancels) == 1, "%s: the audit log has exactly one cancel row" % label, a)


# ---- 1. created through seed 003, read through every other dialect ----
section("create through seed 003, read through v1, 001, 002, 004")
r = request("POST", ws(), {"job_type": "domain_scrape", "workspace_id": W, "priority": "high",
                           "metadata": {"domain": "example.com", "origin": "seed003", "keep": 1}}, token=TOKEN)
check(r.status == 201 and js(r).get("status") == "pending" and js(r).get("priority") == "high",
      "seed 003 creates a domain_scrape job, pending, high", r)
J = js(r).get("job_id", "")
if not re.match(r"^job_[0-9a-f]{32}$", J):
    raise SystemExit("no job to follow")
U = uuid_of(J)
H = J.split("_", 1)[1]
stored = row(U)
check(stored.get("status") == "pending" and stored.get("priority") == "8",
      "MariaDB: one job row, pending, priority 8", False, repr(stored))
R = read_all(J)
agree_identity(R, J, "created in 003")
agree_status(R, "pending", "created in 003")
agree_created(R, stored.get("created_at"), "created in 003")
check(d001(R["001"]).get("priority") == 8 and js(R["003"]).get("priority") == "high",
      "priority: 003 high is seed 001's 8", False,
      "001 %r, 003 %r" % (d001(R["001"]).get("priority"), js(R["003"]).get("priority")))
check(d001(R["001"]).get("job_type") == "domain_scrape" and js(R["003"]).get("job_type") == "domain_scrape"
      and js(R["004"]).get("run_type") == "scrape",
      "type: 001 and 003 domain_scrape, 004 run_type scrape", False,
      "001 %r, 003 %r, 004 %r" % (d001(R["001"]).get("job_type"), js(R["003"]).get("job_type"),
                                  js(R["004"]).get("run_type")))
check(d001(R["001"]).get("domain") == "example.com" and d001(R["001"]).get("url") == "https://example.com/"
      and [t.get("status") for t in js(R["v1"]).get("target_status", [])] == ["pending"],
      "the scrape's one target: 001 names example.com, v1 lists one pending target", False,
      "001 %r, v1 %r" % (d001(R["001"]).get("url"), js(R["v1"]).get("target_status")))
check(d001(R["001"]).get("metadata") == js(R["003"]).get("metadata")
      == {"domain": "example.com", "origin": "seed003", "keep": 1}, "metadata: 001 and 003 agree", False,
      "001 %r, 003 %r" % (d001(R["001"]).get("metadata"), js(R["003"]).get("metadata")))
admin_id = int(db_value("SELECT id FROM users WHERE username = 'admin'"))
check(js(R["003"]).get("created_by") == admin_id and js(R["004"]).get("user_id") == admin_id,
      "creator: 003 created_by and 004 user_id are the admin's id %d" % admin_id, False,
      "003 %r, 004 %r" % (js(R["003"]).get("created_by"), js(R["004"]).get("user_id")))
V1C = dict(js(R["v1"]).get("config", {}))
V1C.pop("targets", None)
check(V1C.pop("max_results_per_target", None) is not None and V1C == d001(R["001"]).get("config") and js(R["004"]).get("run_parameters") == js(R["v1"]).get("config"),
      "config: v1's crawl options are 001's config (timeout in ms); 004's run_parameters is v1's config",
      False,
      "v1 %r, 001 %r, 004 %r" % (js(R["v1"]).get("config"), d001(R["001"]).get("config"),
                                 js(R["004"]).get("run_parameters")))
r = request("GET", "/jobs?workspace_id=%d&limit=100" % W, token=TOKEN)
legacy = [j for j in js(r).get("data", []) if j.get("job_id") == J]
check(r.status == 200 and len(legacy) == 1 and legacy[0] == js(R["003"]),
      "the legacy /jobs list shows the same job as /workspace/{id}/jobs/{job_id}", r)
r = request("GET", "/v1/jobs?integration_id=%s&flow_job_id=%s" % (PROJECT, H), token=TOKEN)
kids = {j.get("type"): j for j in r.json} if r.status == 200 and isinstance(r.json, list) else {}
check(set(kids) == {"export", "import"} and all(k.get("_flowJobId") == H and k.get("status") == "queued"
                                                 for k in kids.values()),
      "seed 002: the flow's export and import children are queued", r)

# ---- 2. updated through seed 001, read back through the others ----
section("update through seed 001 PUT, read back through 003, v1, 002, 004")
r = request("PUT", "/api/scrape-jobs/" + U, {"priority": 10}, token=TOKEN)
check(r.status == 400 and js(r).get("success") is False and "priority" in js(r).get("error", ""),
      "seed 001 PUT does not take priority (README: not among PUT's fields): 400", r)
r = request("PUT", "/api/scrape-jobs/" + U, {"metadata": {"updatedBy": "seed001", "keep": 2, "origin": None}},
            token=TOKEN)
want_meta = {"domain": "example.com", "keep": 2, "updatedBy": "seed001"}
check(r.status == 200 and d001(r).get("metadata") == want_meta,
      "seed 001 PUT merges metadata (RFC 7396: kept, replaced, added, null removes)", r)
R = read_all(J)
check(js(R["003"]).get("metadata") == want_meta and d001(R["001"]).get("metadata") == want_meta,
      "seed 003 reads the merged metadata", R["003"])
agree_status(R, "pending", "after the metadata PUT")
check(js(R["003"]).get("priority") == "high" and d001(R["001"]).get("priority") == 8,
      "priority unchanged: 003 high, 001 8", R["003"])
# Priority as the queue sees it, changed where the core keeps it (the way create_job sets it):
# seed 003 reads 10 as urgent, 001 as 10.
harness.db_sql("UPDATE jobs SET priority = 10 WHERE id = %s" % sql_str(U))
harness.db_sql("UPDATE job_queue SET priority = 10 WHERE job_id = %s" % sql_str(U))
R = read_all(J)
check(js(R["003"]).get("priority") == "urgent" and d001(R["001"]).get("priority") == 10,
      "priority 10 in the core: 003 urgent, 001 10", False,
      "003 %r, 001 %r" % (js(R["003"]).get("priority"), d001(R["001"]).get("priority")))
r = request("GET", ws("?priority=urgent&limit=100"), token=TOKEN)
check(r.status == 200 and J in [j.get("job_id") for j in js(r).get("data", [])],
      "seed 003's priority=urgent filter finds it", r)
r = request("PUT", "/api/scrape-jobs/" + U, {"status": "running"}, token=TOKEN)
check(r.status == 200 and d001(r).get("status") == "running", "seed 001 PUT status running", r)
stored = row(U)
R = read_all(J)
agree_status(R, "running", "running through 001")
check(stored.get("started_at") is not None
      and same_time(d001(R["001"]).get("started_at"), stored["started_at"], 3)
      and same_time(js(R["002"]).get("startedAt"), stored["started_at"], 6)
      and same_time(js(R["003"]).get("started_at"), stored["started_at"], 0),
      "started_at: 001, 002 startedAt and 003 show the stored start %s" % stored.get("started_at"), False,
      "001 %r, 002 %r, 003 %r" % (d001(R["001"]).get("started_at"), js(R["002"]).get("startedAt"),
                                  js(R["003"]).get("started_at")))
agree_created(R, stored.get("created_at"), "running through 001")

# ---- 3. cancelled through seed 002, everyone sees it cancelled at the same time ----
section("cancel through seed 002 DELETE, read through 000, 001, 003, 004")
r = request("DELETE", "/v1/jobs/" + H, token=TOKEN)
check(r.status == 200 and js(r).get("_id") == H and js(r).get("status") == "canceled"
      and js(r).get("canceledBy") == "admin", "seed 002 DELETE cancels the running flow (canceled, by admin)", r)
ended = js(r).get("endedAt")
stored = row(U)
R = read_all(J)
agree_cancelled(R, stored, "cancelled in 002")
check(js(R["002"]).get("endedAt") == ended, "seed 002's GET shows the DELETE's endedAt", R["002"])
check(js(R["003"]).get("actual_duration") is not None and js(R["004"]).get("duration_seconds") is not None
      and abs(js(R["004"])["duration_seconds"] - (stored["cancelled_at"] - stored["started_at"]).total_seconds())
      < 1e-6, "durations: 003 actual_duration set, 004 duration_seconds = cancelled - started", False,
      "003 %r, 004 %r" % (js(R["003"]).get("actual_duration"), js(R["004"]).get("duration_seconds")))
check(db_value("SELECT COUNT(*) FROM job_queue WHERE job_id = %s" % sql_str(U)) == "0",
      "the job is off the queue", False)
r = request("POST", ws("/%s/cancel" % J), token=TOKEN)
check(r.status == 400 and isinstance(js(r).get("detail"), str), "seed 003: cancelling it again is 400", r)
r = request("DELETE", "/api/scrape-jobs/" + U, token=TOKEN)
check(r.status == 409 and js(r).get("success") is False, "seed 001: cancelling it again is 409", r)
r = request("POST", "/api/v1/jobs/%s/cancel" % J, token=TOKEN)
check(r.status == 400 and js(r).get("error", {}).get("code") == "CANNOT_CANCEL",
      "v1: cancelling it again is 400 CANNOT_CANCEL", r)
check(row(U).get("cancelled_at") == stored.get("cancelled_at"), "and the cancel time did not move", False)

# ---- 4. the reverse: created through v1, cancelled through seed 003 ----
section("create through v1, cancel through seed 003, read through 001, 002, 004")
T = new_target(PROJECT, token=TOKEN)
r = request("POST", "/api/v1/projects/%s/jobs" % PROJECT, {"target_ids": [T]}, token=TOKEN)
check(r.status == 201 and js(r).get("status") == "pending", "v1 creates a job with a target", r)
J2 = js(r).get("id", "")
if not re.match(r"^job_[0-9a-f]{32}$", J2):
    raise SystemExit("no second job to follow")
U2 = uuid_of(J2)
stored2 = row(U2)
R = read_all(J2)
agree_identity(R, J2, "created in v1")
agree_status(R, "pending", "created in v1")
agree_created(R, stored2.get("created_at"), "created in v1")
check(d001(R["001"]).get("priority") == int(stored2.get("priority") or 0)
      and js(R["003"]).get("priority") == {"2": "low", "5": "normal", "8": "high", "10": "urgent"}.get(
          stored2.get("priority")), "priority: 001 and 003 show the stored %s" % stored2.get("priority"), False,
      "001 %r, 003 %r" % (d001(R["001"]).get("priority"), js(R["003"]).get("priority")))
check(d001(R["001"]).get("domain_id", "").replace("-", "") == T.split("_", 1)[1],
      "seed 001's domain_id is v1's target", R["001"])
r = request("POST", ws("/%s/cancel" % J2), token=TOKEN)
check(r.status == 200 and js(r).get("status") == "cancelled" and js(r).get("job_id") == J2,
      "seed 003's /cancel cancels it", r)
c003 = js(r).get("completed_at")
stored2 = row(U2)
R = read_all(J2)
agree_cancelled(R, stored2, "cancelled in 003")
check(js(R["003"]).get("completed_at") == c003, "seed 003's GET shows the /cancel's time", R["003"])
r = request("GET", "/v1/jobs?integration_id=%s&status=canceled&type=flow" % PROJECT, token=TOKEN)
check(r.status == 200 and isinstance(r.json, list) and {H, J2[4:]} <= {j.get("_id") for j in r.json},
      "seed 002's ?status=canceled lists both jobs", r)
r = request("GET", "/api/scrape-jobs?status=cancelled&per_page=100", token=TOKEN)
check(r.status == 200 and {U, U2} <= {j.get("id") for j in js(r).get("data") or []},
      "seed 001's ?status=cancelled lists both", r)
r = request("GET", "/api/jobs?status=cancelled&limit=1000", token=TOKEN)
check(r.status == 200 and {U, U2} <= {j.get("id") for j in js(r).get("jobs") or []},
      "seed 004's ?status=cancelled lists both", r)
r = request("GET", ws("?status=cancelled&limit=100"), token=TOKEN)
check(r.status == 200 and {J, J2} <= {j.get("job_id") for j in js(r).get("data") or []},
      "seed 003's ?status=cancelled lists both", r)

# ---- 5. another tenant: 404 everywhere (403 for seed 003's workspace) ----
section("another tenant")
_, _, OTHER = new_user("xdialect")
new_project(token=OTHER)
J3 = js(request("POST", ws(), {"job_type": "domain_scrape", "workspace_id": W, "priority": "normal",
                               "metadata": {"domain": "example.com"}}, token=TOKEN)).get("job_id", "")
check(re.match(r"^job_[0-9a-f]{32}$", J3 or ""), "a pending job for the tenancy checks", False)
for jid, label in ((J, "cancelled job"), (J3, "pending job")):
    u, h = uuid_of(jid), jid[4:]
    r = request("GET", "/api/v1/jobs/" + jid, token=OTHER)
    check(r.status == 404, "v1 GET of another tenant's %s is 404" % label, r)
    r = request("GET", "/api/scrape-jobs/" + u, token=OTHER)
    check(r.status == 404 and js(r).get("error") == "Job not found",
          "seed 001 GET of another tenant's %s is 404 'Job not found'" % label, r)
    r = request("GET", "/api/scrape-jobs/" + jid, token=OTHER)
    check(r.status == 404, "seed 001 GET by job_<hex> of another tenant's %s is 404" % label, r)
    r = request("GET", "/v1/jobs/" + h, token=OTHER)
    check(r.status == 404 and [e.get("code") for e in js(r).get("errors", [])] == ["not_found"],
          "seed 002 GET of another tenant's %s is 404 not_found" % label, r)
    r = request("GET", "/api/jobs/" + u, token=OTHER)
    check(r.status == 404 and js(r).get("detail") == "Job not found",
          "seed 004 GET of another tenant's %s is 404 'Job not found'" % label, r)
    r = request("GET", ws("/" + jid), token=OTHER)
    check(r.status == 403 and isinstance(js(r).get("detail"), str),
          "seed 003 GET through the owner's workspace is 403", r)
    r = request("GET", "/jobs?workspace_id=%d" % W, token=OTHER)
    check(r.status in (403, 404) or (r.status == 200 and jid not in [j.get("job_id") for j in js(r).get("data", [])]),
          "the legacy /jobs?workspace_id= of the owner's workspace does not show the %s" % label, r)
    r = request("GET", "/jobs?limit=100", token=OTHER)
    check(r.status == 200 and jid not in [j.get("job_id") for j in js(r).get("data", [])],
          "the other tenant's legacy /jobs does not list it", r)
u3, h3 = uuid_of(J3), J3[4:]
before = row(u3)
r = request("PUT", "/api/scrape-jobs/" + u3, {"metadata": {"x": 1}}, token=OTHER)
check(r.status == 404, "seed 001 PUT by another tenant is 404", r)
r = request("DELETE", "/api/scrape-jobs/" + u3, token=OTHER)
check(r.status == 404, "seed 001 DELETE by another tenant is 404", r)
r = request("DELETE", "/v1/jobs/" + h3, token=OTHER)
check(r.status == 404 and [e.get("code") for e in js(r).get("errors", [])] == ["not_found"],
      "seed 002 DELETE by another tenant is 404 not_found", r)
r = request("POST", "/api/v1/jobs/%s/cancel" % J3, token=OTHER)
check(r.status == 404, "v1 cancel by another tenant is 404", r)
r = request("POST", ws("/%s/cancel" % J3), token=OTHER)
check(r.status == 403, "seed 003 cancel through the owner's workspace is 403", r)
r = request("PATCH", ws("/" + J3), {"status": "running"}, token=OTHER)
check(r.status == 403, "seed 003 PATCH through the owner's workspace is 403", r)
check(row(u3) == before and before.get("status") == "pending",
      "the job is unchanged by the other tenant's writes", False, "before %r after %r" % (before, row(u3)))
R = read_all(J3)
agree_status(R, "pending", "after the other tenant's writes")
r = request("DELETE", "/api/scrape-jobs/" + u3, token=TOKEN)
check(r.status == 200 and d001(r).get("status") == "cancelled", "the owner cancels it through seed 001", r)
stored3 = row(u3)
R = read_all(J3)
agree_cancelled(R, stored3, "cancelled in 001")
