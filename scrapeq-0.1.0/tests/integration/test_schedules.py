#!/usr/bin/python3
"""test_schedules.py: a project's schedules through the API: create, list, get, patch,
delete, next_run_at in a zone (against Python's zoneinfo), every documented error (bad
cron, bad timezone, unknown target, bad config key or value, unknown or mistyped
fields, a member's writes 403, another tenant's project 404, an unknown or malformed
id 404) with nothing written, and the audit rows. Firing is test_schedules_daemon.py's.
The schedules here fire at most once a year (1 January), so a daemon that runs beside
this suite creates no job from them.
"""

import datetime
import re
import zoneinfo

from harness import (TS_RE, check, ctl, db_rows, db_value, is_error, new_project, new_target, new_user,
                     request, section, sql_str, uuid_of)

KEYS = {"id", "project_id", "cron", "timezone", "target_ids", "config", "enabled", "next_run_at",
        "last_run_at", "last_job_id", "last_error", "created_at", "updated_at"}
YEARLY = "0 0 1 1 *"

project = new_project()
S = "/api/v1/projects/%s/schedules" % project
target = new_target(project)
target2 = new_target(project)


def audit_count(action=None, entity=None):
    q = "SELECT COUNT(*) FROM audit_log WHERE entity_type = 'schedule' AND project_id = %s" % \
        sql_str(uuid_of(project))
    if action:
        q += " AND action = %s" % sql_str(action)
    if entity:
        q += " AND entity_id = %s" % sql_str(entity)
    return int(db_value(q))


def schedule_count():
    return int(db_value("SELECT COUNT(*) FROM schedules WHERE project_id = %s" % sql_str(uuid_of(project))))


def db_now():
    return datetime.datetime.strptime(db_value("SELECT UTC_TIMESTAMP()"), "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)


def expected_next(expr_minute, expr_hour, zone, now):
    """The next daily slot minute:hour in zone after now (UTC), by zoneinfo."""
    z = zoneinfo.ZoneInfo(zone)
    local = now.astimezone(z)
    for d in range(0, 3):
        day = (local + datetime.timedelta(days=d)).date()
        cand = datetime.datetime(day.year, day.month, day.day, expr_hour, expr_minute, tzinfo=z)
        u = cand.astimezone(datetime.timezone.utc)
        if u > now:
            return u.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


section("create")
r = request("POST", S, {"cron": YEARLY})
check(r.status == 201, "POST schedules {cron} is 201", r)
s = r.json if r.status == 201 and isinstance(r.json, dict) else {}
check(set(s) == KEYS, "a schedule has exactly the documented fields", r, note="got %s" % sorted(s))
check(re.match(r"^sch_[0-9a-f]{32}$", str(s.get("id"))) is not None, "schedule ids are sch_<32 hex>", r)
check(s.get("project_id") == project and s.get("cron") == YEARLY, "project_id and cron as given", r)
check(s.get("timezone") == "UTC" and s.get("enabled") is True and s.get("target_ids") is None
      and s.get("config") == {}, "defaults: timezone UTC, enabled, every target (null), config {}", r)
year = db_now().year + 1
check(s.get("next_run_at") == "%d-01-01T00:00:00Z" % year, "next_run_at is the next 1 January, UTC", r)
check(s.get("last_run_at") is None and s.get("last_job_id") is None and s.get("last_error") is None,
      "a new schedule has not run", r)
check(all(re.match(TS_RE, str(s.get(k))) for k in ("created_at", "updated_at", "next_run_at")),
      "times are RFC 3339 UTC", r)
sid = s.get("id", "sch_" + "0" * 32)
check(audit_count("create", sid) == 1, "the create wrote one audit row")

body = {"cron": "30 9 * * *", "timezone": "America/New_York", "target_ids": [target],
        "config": {"depth": 1, "maxPages": 5}, "enabled": False}
before = db_now()
r = request("POST", S, body)
check(r.status == 201, "POST with every field is 201", r)
s2 = r.json if r.status == 201 else {}
check(s2.get("target_ids") == [target] and s2.get("config") == {"depth": 1, "maxPages": 5}
      and s2.get("enabled") is False and s2.get("timezone") == "America/New_York",
      "target_ids, config, enabled and timezone are stored as given", r)
check(s2.get("next_run_at") is None, "a disabled schedule has no next_run_at", r)
sid2 = s2.get("id", "sch_" + "0" * 32)
before = db_now()
r = request("PATCH", S + "/" + sid2, {"enabled": True})
want = {expected_next(30, 9, "America/New_York", before), expected_next(30, 9, "America/New_York", db_now())}
check(r.status == 200 and r.json.get("next_run_at") in want,
      "enabled: next_run_at is 09:30 in New York, in UTC (%s)" % sorted(want), r)
r = request("PATCH", S + "/" + sid2, {"enabled": False})
check(r.status == 200 and r.json.get("next_run_at") is None, "disabled again: next_run_at null", r)

for zone in ("Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"):
    before = db_now()
    r = request("POST", S, {"cron": "15 2 * * *", "timezone": zone})
    want = {expected_next(15, 2, zone, before), expected_next(15, 2, zone, db_now())}
    check(r.status == 201 and r.json.get("next_run_at") in want,
          "02:15 daily in %s: next_run_at %s" % (zone, sorted(want)), r)
    if r.status == 201:
        request("DELETE", S + "/" + r.json["id"])

r = request("POST", S, {"cron": "*/5 1,2 1-15/2 JAN-MAR,dec mon-fri", "timezone": "Etc/GMT+5"})
check(r.status == 201 and r.json.get("cron") == "*/5 1,2 1-15/2 JAN-MAR,dec mon-fri",
      "lists, ranges, steps and names are taken", r)
if r.status == 201:
    request("DELETE", S + "/" + r.json["id"])

section("read")
r = request("GET", S + "/" + sid)
check(r.status == 200 and r.json == s, "GET one is the schedule as created", r)
r = request("GET", S + "?per_page=1")
check(r.status == 200 and set(r.json) == {"items", "total", "page", "per_page", "pages"}
      and r.json.get("total") == 2 and len(r.json.get("items", [])) == 1 and r.json.get("pages") == 2,
      "list: {items, total, page, per_page, pages}, paged", r)
r = request("GET", S + "?page=2&per_page=1")
check(r.status == 200 and [x["id"] for x in r.json.get("items", [])] == [sid2], "page 2 holds the second", r)
r = request("GET", S + "?per_page=0")
is_error(r, 400, "VALIDATION_ERROR", "per_page=0 is 400")

section("validation: nothing is written")
n0, a0 = schedule_count(), audit_count()
CASES = [
    ({}, 400, "cron", "a missing cron"),
    ({"cron": 5}, 400, "cron", "a non-string cron"),
    ({"cron": None}, 400, "cron", "a null cron"),
    ({"cron": "* * * *"}, 422, "expected 5 fields", "four fields"),
    ({"cron": "* * * * * *"}, 422, "expected 5 fields", "six fields"),
    ({"cron": "60 * * * *"}, 422, "minute field", "minute 60"),
    ({"cron": "* 24 * * *"}, 422, "hour field", "hour 24"),
    ({"cron": "* * 0 * *"}, 422, "day-of-month field", "day 0"),
    ({"cron": "* * * 13 *"}, 422, "month field", "month 13"),
    ({"cron": "* * * * 8"}, 422, "day-of-week field", "weekday 8"),
    ({"cron": "5-1 * * * *"}, 422, "backwards", "a backwards range"),
    ({"cron": "*/0 * * * *"}, 422, "step", "a zero step"),
    ({"cron": "* * * FOO *"}, 422, "unknown name", "an unknown month name"),
    ({"cron": "0 0 30 2 *"}, 422, "never fire", "30 February"),
    ({"cron": "@daily"}, 422, "expected 5 fields", "a macro"),
    ({"cron": "* " * 200 + "*"}, 422, "at most", "an overlong expression"),
    ({"cron": YEARLY, "timezone": "Mars/Olympus"}, 422, "Unknown timezone", "an unknown zone"),
    ({"cron": YEARLY, "timezone": "../../etc/passwd"}, 422, "Unknown timezone", "a path as zone"),
    ({"cron": YEARLY, "timezone": "/etc/localtime"}, 422, "Unknown timezone", "an absolute path as zone"),
    ({"cron": YEARLY, "timezone": "Europe/../UTC"}, 422, "Unknown timezone", "a zone with .."),
    ({"cron": YEARLY, "timezone": "Europe"}, 422, "Unknown timezone", "a zoneinfo directory"),
    ({"cron": YEARLY, "timezone": "right/UTC"}, 422, "Unknown timezone", "a zone with leap seconds"),
    ({"cron": YEARLY, "timezone": "A" * 65}, 422, "Unknown timezone", "a 65-byte zone"),
    ({"cron": YEARLY, "timezone": 3}, 400, "timezone", "a non-string zone"),
    ({"cron": YEARLY, "target_ids": ["tgt_" + "0" * 32]}, 422, "Unknown target id", "an unknown target"),
    ({"cron": YEARLY, "target_ids": ["nonsense"]}, 422, "Unknown target id", "a malformed target id"),
    ({"cron": YEARLY, "target_ids": [target, target]}, 422, "Duplicate target id", "a duplicate target"),
    ({"cron": YEARLY, "target_ids": []}, 422, "target_ids", "empty target_ids"),
    ({"cron": YEARLY, "target_ids": [5]}, 400, "target_ids", "a non-string target id"),
    ({"cron": YEARLY, "target_ids": "x"}, 400, "target_ids", "target_ids not an array"),
    ({"cron": YEARLY, "config": {"bogus": 1}}, 400, "config", "an unknown config key"),
    ({"cron": YEARLY, "config": {"depth": "3"}}, 400, "config.depth", "a config value of the wrong type"),
    ({"cron": YEARLY, "config": {"depth": 101}}, 422, "config.depth", "a config value out of range"),
    ({"cron": YEARLY, "config": {"includePaths": ["("]}}, 422, "config.includePaths", "a bad pattern"),
    ({"cron": YEARLY, "config": []}, 400, "config", "config not an object"),
    ({"cron": YEARLY, "enabled": "yes"}, 400, "enabled", "a non-boolean enabled"),
    ({"cron": YEARLY, "bogus": 1}, 400, "bogus", "an unknown field"),
]
for b, status, msg, what in CASES:
    r = request("POST", S, b)
    is_error(r, status, "VALIDATION_ERROR", "%s is %d naming it" % (what, status), message_has=msg)
r = request("POST", S, raw="{not json")
is_error(r, 400, "VALIDATION_ERROR", "malformed JSON is 400")
check(schedule_count() == n0 and audit_count() == a0, "no refused create wrote a schedule or an audit row")

section("patch")
r = request("PATCH", S + "/" + sid2, {"enabled": True, "cron": "0 12 * * *", "timezone": "UTC"})
check(r.status == 200 and r.json.get("enabled") is True and r.json.get("cron") == "0 12 * * *",
      "PATCH enabled and cron is 200", r)
n = db_now()
nxt = (n.replace(hour=12, minute=0, second=0) + (datetime.timedelta(days=1) if n.hour >= 12 else
                                                  datetime.timedelta(0))).strftime("%Y-%m-%dT%H:%M:%SZ")
check(r.json.get("next_run_at") == nxt, "next_run_at follows the new cron (%s)" % nxt, r)
check(r.json.get("target_ids") == [target] and r.json.get("config") == {"depth": 1, "maxPages": 5},
      "fields not given stay", r)
r = request("PATCH", S + "/" + sid2, {"target_ids": [target2, target], "config": {"depth": 0}})
check(r.status == 200 and r.json.get("target_ids") == [target2, target] and r.json.get("config") == {"depth": 0}
      and r.json.get("next_run_at") == nxt, "PATCH target_ids and config; next_run_at unchanged", r)
r = request("PATCH", S + "/" + sid2, {"target_ids": None, "config": None})
check(r.status == 200 and r.json.get("target_ids") is None and r.json.get("config") == {},
      "null target_ids is every target, null config none", r)
a1 = audit_count("update", sid2)
check(a1 == 5, "each PATCH wrote one audit row (%d)" % a1)
r = request("PATCH", S + "/" + sid2, {})
check(r.status == 200 and audit_count("update", sid2) == 5, "an empty PATCH changes nothing, no audit row", r)
rows = db_rows("SELECT before_data, after_data, user_id FROM audit_log WHERE entity_type = 'schedule' AND "
               "entity_id = %s AND action = 'update' ORDER BY id LIMIT 1" % sql_str(sid2))
check(rows and '"enabled":false' in (rows[0][0] or "") and '"enabled":true' in (rows[0][1] or "")
      and rows[0][2] is not None, "the audit row has before, after and who", note=str(rows))
for b, status, msg, what in [({"cron": "61 * * * *"}, 422, "minute", "a bad cron"),
                             ({"timezone": "Nowhere/City"}, 422, "Unknown timezone", "a bad zone"),
                             ({"target_ids": ["tgt_" + "1" * 32]}, 422, "Unknown target id", "an unknown target"),
                             ({"config": {"nope": True}}, 400, "config", "a bad config key"),
                             ({"cron": None}, 400, "cron", "a null cron"),
                             ({"id": "x"}, 400, "id", "an unknown field")]:
    r = request("PATCH", S + "/" + sid2, b)
    is_error(r, status, "VALIDATION_ERROR", "PATCH with %s is %d" % (what, status), message_has=msg)
check(audit_count("update", sid2) == 5, "refused PATCHes wrote no audit row")
r = request("GET", S + "/" + sid2)
check(r.status == 200 and r.json.get("cron") == "0 12 * * *" and r.json.get("timezone") == "UTC",
      "refused PATCHes changed nothing", r)

section("roles and tenants")
member, _, mtoken = new_user("schedmember")
viewer, _, vtoken = new_user("schedviewer")
outsider, _, otoken = new_user("schedoutsider")
ctl("member", "add", "--project", project, "--user", member, "--role", "member")
ctl("member", "add", "--project", project, "--user", viewer, "--role", "viewer")
n0, a0 = schedule_count(), audit_count()
for who, tok in (("member", mtoken), ("viewer", vtoken)):
    r = request("POST", S, {"cron": YEARLY}, token=tok)
    is_error(r, 403, "FORBIDDEN", "a %s's POST is 403" % who)
    r = request("POST", S, {"cron": "bad"}, token=tok)
    is_error(r, 403, "FORBIDDEN", "a %s's POST with a bad cron is 403 (the role first)" % who)
    r = request("PATCH", S + "/" + sid, {"enabled": False}, token=tok)
    is_error(r, 403, "FORBIDDEN", "a %s's PATCH is 403" % who)
    r = request("DELETE", S + "/" + sid, token=tok)
    is_error(r, 403, "FORBIDDEN", "a %s's DELETE is 403" % who)
    r = request("GET", S + "/" + sid, token=tok)
    check(r.status == 200 and r.json.get("id") == sid, "a %s may read a schedule" % who, r)
    r = request("GET", S, token=tok)
    check(r.status == 200 and r.json.get("total") == 2, "a %s may list schedules" % who, r)
check(schedule_count() == n0 and audit_count() == a0, "refused writes wrote nothing")
r = request("GET", S + "/" + sid)
check(r.status == 200 and r.json.get("enabled") is True, "the schedule is unchanged", r)

r = request("POST", S, {"cron": YEARLY}, token=otoken)
is_error(r, 404, "NOT_FOUND", "an outsider's POST is 404")
for m in ("GET", "PATCH", "DELETE"):
    r = request(m, S + "/" + sid, {} if m == "PATCH" else None, token=otoken)
    is_error(r, 404, "NOT_FOUND", "an outsider's %s of a schedule is 404" % m)
r = request("GET", S, token=otoken)
is_error(r, 404, "NOT_FOUND", "an outsider's list is 404")
other = new_project(token=otoken)
r = request("GET", "/api/v1/projects/%s/schedules/%s" % (other, sid), token=otoken)
is_error(r, 404, "NOT_FOUND", "a schedule read through another project of the caller's is 404",
         message_has="Schedule not found")
r = request("PATCH", "/api/v1/projects/%s/schedules/%s" % (other, sid), {"enabled": False}, token=otoken)
is_error(r, 404, "NOT_FOUND", "... and PATCH through it too")
r = request("POST", "/api/v1/projects/%s/schedules" % other, {"cron": YEARLY, "target_ids": [target]},
            token=otoken)
is_error(r, 422, "VALIDATION_ERROR", "another project's target is an unknown target id",
         message_has="Unknown target id")

section("unknown ids")
for path, what in [(S + "/sch_" + "0" * 32, "an unknown schedule"), (S + "/nonsense", "a malformed id"),
                   (S + "/" + target, "a target id as a schedule id"),
                   ("/api/v1/projects/proj_%s/schedules/%s" % ("0" * 32, sid), "an unknown project")]:
    for m in ("GET", "PATCH", "DELETE"):
        r = request(m, path, {} if m == "PATCH" else None)
        is_error(r, 404, "NOT_FOUND", "%s of %s is 404" % (m, what))
r = request("PUT", S + "/" + sid, {})
is_error(r, 405, "METHOD_NOT_ALLOWED", "PUT is 405")

section("delete")
r = request("DELETE", S + "/" + sid2)
check(r.status == 204 and r.raw == b"", "DELETE is 204 with no body", r)
r = request("GET", S + "/" + sid2)
is_error(r, 404, "NOT_FOUND", "a deleted schedule is 404")
r = request("DELETE", S + "/" + sid2)
is_error(r, 404, "NOT_FOUND", "deleting it again is 404")
check(audit_count("delete", sid2) == 1, "the delete wrote one audit row")
rows = db_rows("SELECT before_data, after_data FROM audit_log WHERE entity_type = 'schedule' AND "
               "entity_id = %s AND action = 'delete'" % sql_str(sid2))
check(rows and rows[0][0] and rows[0][1] is None, "its before is the schedule, its after null", note=str(rows))
request("DELETE", S + "/" + sid)

section("at most 100 schedules a project")
p2 = new_project()
made = 0
for i in range(100):
    r = request("POST", "/api/v1/projects/%s/schedules" % p2, {"cron": YEARLY})
    made += r.status == 201
check(made == 100, "100 schedules are created (%d)" % made)
r = request("POST", "/api/v1/projects/%s/schedules" % p2, {"cron": YEARLY})
is_error(r, 422, "VALIDATION_ERROR", "the 101st is 422", message_has="at most 100")
