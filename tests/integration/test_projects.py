#!/usr/bin/python3
"""test_projects.py: create/list/get projects, validation, pagination, tenancy."""

import re

from harness import (FIRST_PROJECT, TS_RE, check, config_value, ctl, is_error, new_project,
                     new_user, request, section, uniq)

KEYS = {"id", "workspace_id", "name", "description", "daily_job_limit", "max_results_per_target", "role",
        "may", "created_at", "updated_at"}
ENVELOPE = {"items", "total", "page", "per_page", "pages"}

section("create")
name = uniq("Project ")
r = request("POST", "/api/v1/projects", {"name": name})
check(r.status == 201, "POST /api/v1/projects {name} is 201")
p = r.json if r.status == 201 and isinstance(r.json, dict) else {}
check(set(p) == KEYS, "a project has exactly the documented fields", r,
      note="got %s" % sorted(p))
check(re.match(r"^proj_[0-9a-f]{32}$", str(p.get("id"))) is not None, "project ids are proj_<32 hex>", r)
check(p.get("name") == name, "name is echoed", r)
check(p.get("description") is None, "description defaults to null", r)
check(p.get("daily_job_limit") is None, "daily_job_limit defaults to null (the config's limit applies)", r)
default_mrpt = int(config_value("limits", "max_results_per_target", "100"))
check(p.get("max_results_per_target") == default_mrpt,
      "max_results_per_target defaults to the config's (%d)" % default_mrpt, r)
check(p.get("role") == "owner", "the creator is the project's owner", r)
check(all(re.match(TS_RE, str(p.get(k))) for k in ("created_at", "updated_at")),
      "created_at/updated_at are RFC 3339 UTC", r)

full = {"name": uniq("Full "), "description": "All the fields", "daily_job_limit": 5,
        "max_results_per_target": 50}
r = request("POST", "/api/v1/projects", full)
ok = r.status == 201 and all(r.json.get(k) == v for k, v in full.items())
check(ok, "every writable field is stored and echoed")
full_id = r.json.get("id") if r.status == 201 else None
r = request("POST", "/api/v1/projects", {"name": uniq("N "), "daily_job_limit": None})
check(r.status == 201 and r.json.get("daily_job_limit") is None, "daily_job_limit null is accepted")
r = request("POST", "/api/v1/projects", {"name": "x" * 200})
check(r.status == 201 and r.json.get("name") == "x" * 200, "a 200-byte name (the maximum) is accepted")
r = request("POST", "/api/v1/projects", {"name": "Ünïcödé ✓ " + uniq()})
check(r.status == 201 and r.json.get("name", "").startswith("Ünïcödé ✓"), "UTF-8 names round-trip")

section("get")
r = request("GET", "/api/v1/projects/%s" % p.get("id"))
check(r.status == 200 and r.json == p, "GET /api/v1/projects/{p} answers what create answered", r)
if full_id:
    r = request("GET", "/api/v1/projects/%s" % full_id)
    check(r.status == 200 and all(r.json.get(k) == v for k, v in full.items()), "GET shows stored limits")
r = request("GET", "/api/v1/projects/%s" % FIRST_PROJECT)
check(r.status == 200 and r.json.get("name") == "First project", "the stack's first project exists")
r = request("GET", "/api/v1/projects/proj_" + "0" * 32)
is_error(r, 404, "NOT_FOUND", "an unknown project is 404")
r = request("GET", "/api/v1/projects/proj_xyz")
is_error(r, 404, "NOT_FOUND", "a malformed project id is 404")
r = request("GET", "/api/v1/projects/job_" + p.get("id", "proj_")[5:])
is_error(r, 404, "NOT_FOUND", "a project id with the wrong prefix is 404")

section("validation")
CASES = [
    # (body or raw bytes, status, field the message must name, what)
    ({}, (400, 422), "name", "a missing name"),
    ({"name": ""}, 422, "name", "an empty name"),
    ({"name": "x" * 201}, 422, "name", "a 201-byte name"),
    ({"name": 123}, 400, "name", "a non-string name"),
    ({"name": None}, (400, 422), "name", "a null name"),
    ({"name": "ok", "description": 5}, 400, "description", "a non-string description"),
    ({"name": "ok", "description": "d" * 2001}, 422, "description", "a 2001-byte description"),
    ({"name": "ok", "daily_job_limit": "5"}, 400, "daily_job_limit", "a string daily_job_limit"),
    ({"name": "ok", "daily_job_limit": 1.5}, 400, "daily_job_limit", "a fractional daily_job_limit"),
    ({"name": "ok", "daily_job_limit": -1}, 422, "daily_job_limit", "a negative daily_job_limit"),
    ({"name": "ok", "max_results_per_target": "100"}, 400, "max_results_per_target",
     "a string max_results_per_target"),
    ({"name": "ok", "max_results_per_target": True}, 400, "max_results_per_target",
     "a boolean max_results_per_target"),
    ({"name": "ok", "max_results_per_target": -1}, 422, "max_results_per_target",
     "a negative max_results_per_target"),
    ({"name": "ok", "max_results_per_target": 10 ** 12}, 422, "max_results_per_target",
     "an enormous max_results_per_target"),
    ({"name": "ok", "max_results_per_target": None}, 400, "max_results_per_target",
     "a null max_results_per_target"),
    ({"name": "ok", "foo": 1, "bar": 2}, 400, ["foo", "bar"], "unknown fields"),
    ({"name": "ok", "id": "proj_" + "1" * 32}, 400, "id", "a read-only field (id)"),
]
for body, status, field, what in CASES:
    r = request("POST", "/api/v1/projects", body)
    statuses = status if isinstance(status, tuple) else (status,)
    want = "/".join(str(s) for s in statuses)
    is_error(r, r.status if r.status in statuses else statuses[0], "VALIDATION_ERROR",
             "%s is %s VALIDATION_ERROR naming %s" % (what, want, field), message_has=field)
r = request("POST", "/api/v1/projects", {"name": "ok", "foo": 1})
check(r.status == 400 and "Unknown field(s): foo" in str(r.json),
      "the unknown-field message reads \"Unknown field(s): foo\"", r)
r = request("POST", "/api/v1/projects", {"name": "ok", "max_results_per_target": "x"})
check(r.status == 400 and "Field 'max_results_per_target' must be an integer" in str(r.json),
      "the wrong-type message reads \"Field 'max_results_per_target' must be an integer\"", r)

RAW = [
    (b"{", "truncated JSON"),
    (b'{"name": "x",}', "a trailing comma"),
    (b'{"name": "x"} extra', "garbage after the value"),
    (b"[]", "an array instead of an object"),
    (b"null", "null instead of an object"),
    (b'"name"', "a string instead of an object"),
    (b"", "an empty body"),
    (b'{"name": "\xff\xfe"}', "invalid UTF-8"),
    (b"[" * 1000 + b"]" * 1000, "JSON nested 1000 deep"),
    (b'{"name": {"a": ' * 100 + b"1" + b"}" * 101, "an object nested 100 deep"),
    (b'{"name": "x", "max_results_per_target": 99999999999999999999999}', "an integer past 64 bits"),
    (b'{"name": "x", "max_results_per_target": NaN}', "NaN"),
]
for raw, what in RAW:
    r = request("POST", "/api/v1/projects", raw=raw)
    check(r.status in (400, 422) and isinstance(r.json, dict) and r.json.get("error", {}).get("code")
          == "VALIDATION_ERROR", "%s is a 400/422 VALIDATION_ERROR, never a 500" % what, r)
r = request("POST", "/api/v1/projects", raw=b"{")
is_error(r, 400, "VALIDATION_ERROR", "malformed JSON is exactly 400")
r = request("POST", "/api/v1/projects", {"name": "a\u0000b"})
check(r.status in (400, 422) and "error" in (r.json or {}),
      "a NUL byte inside a name is refused, not truncated", r)

section("list and pagination")
user, _pw, tok = new_user("lister")
mine = [new_project(token=tok, name="L%d %s" % (i, uniq())) for i in range(3)]
r = request("GET", "/api/v1/projects", token=tok)
ok = r.status == 200 and isinstance(r.json, dict) and set(r.json) == ENVELOPE
check(ok, "the list is the {items,total,page,per_page,pages} envelope", r)
if ok:
    check(r.json["total"] == 3 and r.json["page"] == 1 and r.json["per_page"] == 20 and r.json["pages"] == 1,
          "total 3, page 1, per_page 20 by default, pages 1", r)
    check(sorted(i["id"] for i in r.json["items"]) == sorted(mine), "a user lists exactly their projects", r)
    check(all(set(i) == KEYS for i in r.json["items"]), "list items are full project objects", r)
seen = []
for page in (1, 2):
    r = request("GET", "/api/v1/projects?per_page=2&page=%d" % page, token=tok)
    ok = r.status == 200 and r.json.get("total") == 3 and r.json.get("pages") == 2 \
        and r.json.get("per_page") == 2 and r.json.get("page") == page
    check(ok, "per_page=2 page=%d: total 3, pages 2" % page, r)
    seen += [i["id"] for i in r.json.get("items", [])] if r.status == 200 else []
check(sorted(seen) == sorted(mine), "two pages hold the three projects once each",
      note="seen %s" % seen)
r = request("GET", "/api/v1/projects?per_page=2&page=3", token=tok)
check(r.status == 200 and r.json.get("items") == [] and r.json.get("total") == 3,
      "a page past the end is 200 with no items", r)
r = request("GET", "/api/v1/projects?per_page=100", token=tok)
check(r.status == 200 and r.json.get("per_page") == 100, "per_page=100 (the maximum) is accepted", r)
for q, param in [("per_page=0", "per_page"), ("per_page=101", "per_page"), ("per_page=abc", "per_page"),
                 ("per_page=", "per_page"), ("per_page=1.5", "per_page"), ("page=0", "page"),
                 ("page=-1", "page"), ("page=x", "page"), ("page=99999999999999999999", "page")]:
    r = request("GET", "/api/v1/projects?" + q, token=tok)
    is_error(r, 400, "VALIDATION_ERROR", "?%s is 400 naming %s" % (q, param), message_has=param)

section("quota: only an administrator sets daily_job_limit")
r = request("POST", "/api/v1/projects", {"name": uniq("Quota "), "daily_job_limit": 5}, token=tok)
is_error(r, 403, "FORBIDDEN", "a non-admin setting daily_job_limit is 403 FORBIDDEN")
r = request("POST", "/api/v1/projects", {"name": uniq("Quota "), "daily_job_limit": None}, token=tok)
check(r.status == 201 and r.json.get("daily_job_limit") is None, "a non-admin may leave it null", r)
if r.status == 201:
    mine.append(r.json["id"])
r = request("GET", "/api/v1/projects", token=tok)
check(r.status == 200 and r.json.get("total") == len(mine), "the refused create wrote no project", r)

section("tenancy")
other, _pw2, other_tok = new_user("other")
r = request("GET", "/api/v1/projects", token=other_tok)
check(r.status == 200 and r.json.get("total") == 0 and r.json.get("items") == [],
      "a user in no project lists nothing", r)
r = request("GET", "/api/v1/projects/%s" % mine[0], token=other_tok)
is_error(r, 404, "NOT_FOUND", "another user's project is 404 (not 403)")
ctl("member", "add", "--project", mine[0], "--user", other, "--role", "viewer")
r = request("GET", "/api/v1/projects/%s" % mine[0], token=other_tok)
check(r.status == 200 and r.json.get("role") == "viewer", "after member add the project is visible with its role",
      r)
r = request("GET", "/api/v1/projects", token=other_tok)
check(r.status == 200 and [i["id"] for i in r.json.get("items", [])] == [mine[0]],
      "and it is the only one in their list", r)
r = request("GET", "/api/v1/projects/%s" % mine[1], token=other_tok)
is_error(r, 404, "NOT_FOUND", "membership of one project shows no other")

section("may: what the caller may do, from the core's role rule (web/ shows its buttons by it)")
check(p.get("may") == {"run_jobs": True, "manage": True}, "the creator (owner) may run jobs and manage",
      note="got %s" % p.get("may"))
cases = [("viewer", False, False), ("member", True, False), ("admin", True, True), ("owner", True, True)]
for role, run_jobs, manage in cases:
    r = request("PUT", "/api/v1/projects/%s/members/%s" % (mine[0], other), {"role": role}, token=tok)
    check(r.status in (200, 201), "the owner makes the other user %s" % role, r)
    want = {"run_jobs": run_jobs, "manage": manage}
    r = request("GET", "/api/v1/projects/%s" % mine[0], token=other_tok)
    check(r.status == 200 and r.json.get("role") == role and r.json.get("may") == want,
          "GET project as a %s: may %s" % (role, want), r)
    r = request("GET", "/api/v1/projects", token=other_tok)
    got = [i.get("may") for i in r.json.get("items", []) if i.get("id") == mine[0]] if r.status == 200 else []
    check(got == [want], "the list says the same for a %s" % role, r)
# A server administrator may do everything in a project it is a member of, whatever its role.
sa, _pw3, sa_tok = new_user("srvadmin", admin=True)
ctl("member", "add", "--project", mine[0], "--user", sa, "--role", "viewer")
r = request("GET", "/api/v1/projects/%s" % mine[0], token=sa_tok)
check(r.status == 200 and r.json.get("role") == "viewer" and
      r.json.get("may") == {"run_jobs": True, "manage": True},
      "a server administrator who is a viewer may run jobs and manage (role_allows widens it)", r)
