#!/usr/bin/python3
"""test_roles.py: roles mean something, in every dialect (ARCHITECTURE.md "Roles").

  - the matrix: role (viewer, member, admin, owner, and a server administrator who is
    only a viewer of the project) x write route x dialect (v1, 001, 002, 003, 004); each
    cell checks the status and the dialect's envelope, and for a refusal that nothing
    changed: the job, target, project or member list re-read through the API is the same,
    and the job's audit log (seed 001's /audit) has no new row;
  - a refusal comes before the job's state is judged (a viewer's cancel of a finished
    job is a 403, not a 409);
  - seed 001's /next claims only in projects where the caller may, a viewer-only caller
    gets 403; its POST without project_id picks the oldest project where the caller may
    create jobs;
  - a server administrator may do everything in projects it is a member of, and sees no
    other: another project stays a 404;
  - PATCH /api/v1/projects/{p} and /api/v1/projects/{p}/members with each documented
    error, and their audit_log rows.

Users are made as a sysadmin makes them (scrapeqctl user add, token create) and added
to projects through the members API by the project's owner; every id a request uses
comes from an earlier answer of the service. No scrape daemon runs: jobs stay where the
API puts them.
"""

import re

from harness import (check, db_value, is_detail, is_error, login, new_project, new_user, request,
                     section, uniq, uuid_of)

ROLES = ["viewer", "member", "admin", "owner", "server admin"]
JOB_WRITERS = {"member", "admin", "owner", "server admin"}
MANAGERS = {"admin", "owner", "server admin"}
PLURAL = {"viewer": "viewers may not", "member": "members may not"}
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def js(r):
    return r.json if isinstance(r.json, dict) else {}


def data(r):
    d = js(r).get("data")
    return d if isinstance(d, dict) else {}


# ---- the people: an owner makes the project and adds the others through the members API ----

section("setup: users from scrapeqctl, roles from the members API")
OWNER_NAME, OWNER_PW, OWNER = new_user("rowner")
P = new_project(token=OWNER)
NAMES = {"owner": OWNER_NAME}
TOK = {"owner": OWNER}
PASSWORDS = {"owner": OWNER_PW}
for _role, _prefix, _admin in [("viewer", "rviewer", False), ("member", "rmember", False),
                               ("admin", "radmin", False), ("server admin", "rsadmin", True)]:
    _name, _pw, _tok = new_user(_prefix, admin=_admin)
    NAMES[_role], TOK[_role], PASSWORDS[_role] = _name, _tok, _pw
    # The server administrator is only a viewer here: its power is its own, not the project's.
    _as = "viewer" if _role == "server admin" else _role
    r = request("PUT", "/api/v1/projects/%s/members/%s" % (P, _name), {"role": _as}, token=OWNER)
    check(r.status == 201 and js(r).get("role") == _as and js(r).get("username") == _name,
          "the owner adds %s as %s (201)" % (_role, _as), r)

# A quota is the server administrator's: it raises the project's daily limit for this file.
r = request("PATCH", "/api/v1/projects/" + P, {"daily_job_limit": 100000}, token=TOK["server admin"])
check(r.status == 200 and js(r).get("daily_job_limit") == 100000,
      "the server administrator (a viewer of the project) sets its daily_job_limit", r)
r = request("POST", "/api/v1/projects/%s/targets" % P, {"url": "https://example.com/"}, token=OWNER)
check(r.status == 201, "the owner adds the project's target", r)


def new_job(priority=None, token=OWNER):
    """A pending seed 001 domain scrape in P; returns its UUID as the service gives it."""
    body = {"domain": "example.com", "project_id": P}
    if priority is not None:
        body["priority"] = priority
    r = request("POST", "/api/scrape-jobs", body, token=token)
    if r.status != 201:
        raise RuntimeError("cannot create a job: " + r.describe())
    return data(r)["id"]


def cancelled_job():
    u = new_job()
    r = request("DELETE", "/api/scrape-jobs/" + u, token=OWNER)
    if r.status != 200:
        raise RuntimeError("cannot cancel a job: " + r.describe())
    return u


def hexid(u):
    return u.replace("-", "")


def v1id(u):
    """The same job as v1 and seed 003 name it (README: job_<hex> of the UUID)."""
    return "job_" + hexid(u)


# The workspace number of P, as seed 003's legacy list shows it for one of P's jobs.
_u = new_job()
r = request("GET", "/jobs?limit=100", token=OWNER)
W = next((j.get("workspace_id") for j in js(r).get("data", []) if j.get("job_id") == v1id(_u)), None)
check(isinstance(W, int), "P's workspace id, from seed 003's legacy list", r)


def job_state(u):
    """The job as its owner reads it through v1 and seed 001, and how many audit rows it has."""
    a = request("GET", "/api/v1/jobs/" + v1id(u), token=OWNER)
    b = request("GET", "/api/scrape-jobs/" + u, token=OWNER)
    c = request("GET", "/api/scrape-jobs/%s/audit?limit=1000" % u, token=OWNER)
    return (a.status, a.json, b.status, b.json, c.status, len(js(c).get("data", [])))


def project_state():
    """What a create could change: P's jobs (v1 and seed 001 totals) and its targets."""
    a = request("GET", "/api/v1/projects/%s/jobs?per_page=1" % P, token=OWNER)
    b = request("GET", "/api/scrape-jobs?per_page=1&project_id=" + P, token=OWNER)
    c = request("GET", "/api/v1/projects/%s/targets?per_page=100" % P, token=OWNER)
    return (js(a).get("total"), js(b).get("pagination", {}).get("total"),
            js(c).get("total"), [t.get("url") for t in js(c).get("items", [])])


def cleanup():
    """Cancels P's pending and running jobs, so /next and v1's one-run limit start clean."""
    for st in ("pending", "running"):
        r = request("GET", "/api/scrape-jobs?per_page=100&status=%s&project_id=%s" % (st, P), token=OWNER)
        for j in js(r).get("data", []):
            request("DELETE", "/api/scrape-jobs/" + j["id"], token=OWNER)


cleanup()


def refused(dialect, r, name, role):
    """A 403 in the dialect's own envelope, its message naming the role's refusal."""
    want = PLURAL.get(role, "may not")
    if dialect == "v1":
        return is_error(r, 403, "FORBIDDEN", name, message_has=want)
    j = js(r)
    if dialect == "001":
        ok = (set(j) == {"success", "error"} and j["success"] is False and isinstance(j["error"], str)
              and want in j["error"].lower())
    elif dialect == "002":
        e = j.get("errors")
        ok = (set(j) == {"errors"} and isinstance(e, list) and len(e) == 1 and set(e[0]) == {"code", "message"}
              and e[0]["code"] == "forbidden" and want in e[0]["message"].lower())
    else:
        ok = set(j) == {"detail"} and isinstance(j["detail"], str) and want in j["detail"].lower()
    return check(r.status == 403 and ok, name, r, "want 403 in seed %s's envelope, saying %r" % (dialect, want))


def matrix(dialect, route, allowed, setup, act, good, state):
    """One row of the matrix: for each role a fresh fixture (setup()), the request
    (act(fixture, token)), then good(fixture, response) when the role may, else a 403
    and state(fixture) unchanged."""
    for role in ROLES:
        fx = setup()
        before = state(fx) if state else None
        r = act(fx, TOK[role])
        name = "%s %s as %s" % (dialect, route, role)
        if role in allowed:
            check(good(fx, r), name + ": allowed", r)
        else:
            refused(dialect, r, name + ": 403", role)
            if state:
                after = state(fx)
                check(after == before, name + ": nothing changed (re-read through the API)", False,
                      "before %r\n#   after  %r" % (before, after))
        cleanup()


def nothing():
    return None


def a_pending():
    return new_job()


def a_cancelled():
    return cancelled_job()


def job_and_project(u):
    return (job_state(u), project_state())


# ---- jobs: create, cancel, retry, update, claim, in every dialect ----

section("v1 job writes")
matrix("v1", "POST /api/v1/projects/{p}/jobs", JOB_WRITERS, nothing,
       lambda fx, t: request("POST", "/api/v1/projects/%s/jobs" % P, {}, token=t),
       lambda fx, r: r.status == 201 and js(r).get("status") == "pending" and js(r).get("id", "").startswith("job_"),
       lambda fx: project_state())
matrix("v1", "POST /api/v1/jobs/{id}/cancel", JOB_WRITERS, a_pending,
       lambda u, t: request("POST", "/api/v1/jobs/%s/cancel" % v1id(u), token=t),
       lambda u, r: r.status == 200 and js(r).get("status") == "cancelled" and js(r).get("id") == v1id(u),
       job_state)
matrix("v1", "POST /api/v1/jobs/{id}/retry", JOB_WRITERS, a_cancelled,
       lambda u, t: request("POST", "/api/v1/jobs/%s/retry" % v1id(u), token=t),
       lambda u, r: (r.status == 201 and js(r).get("source") == "retry" and js(r).get("retry_of") == v1id(u)
                     and js(r).get("status") == "pending"),
       job_and_project)

section("seed 001 job writes")
matrix("001", "POST /api/scrape-jobs (a new domain: its target too)", JOB_WRITERS, lambda: uniq("roles") + ".example",
       lambda d, t: request("POST", "/api/scrape-jobs", {"domain": d, "project_id": P}, token=t),
       lambda d, r: (r.status == 201 and js(r).get("success") is True and data(r).get("status") == "pending"
                     and data(r).get("domain") == d),
       lambda d: project_state())
matrix("001", "PUT /api/scrape-jobs/{id} status running", JOB_WRITERS, a_pending,
       lambda u, t: request("PUT", "/api/scrape-jobs/" + u, {"status": "running", "stats": {"pagesProcessed": 1}},
                            token=t),
       lambda u, r: r.status == 200 and js(r).get("success") is True and data(r).get("status") == "running",
       job_state)
matrix("001", "DELETE /api/scrape-jobs/{id}", JOB_WRITERS, a_pending,
       lambda u, t: request("DELETE", "/api/scrape-jobs/%s?reason=roles" % u, token=t),
       lambda u, r: r.status == 200 and data(r).get("status") == "cancelled" and data(r).get("id") == u,
       job_state)
matrix("001", "POST /api/scrape-jobs/{id}/retry", JOB_WRITERS, a_cancelled,
       lambda u, t: request("POST", "/api/scrape-jobs/%s/retry" % u, token=t),
       lambda u, r: r.status == 200 and data(r).get("status") == "pending" and data(r).get("retry_count") == 1,
       job_state)
matrix("001", "POST /api/scrape-jobs/next", JOB_WRITERS, lambda: new_job(priority=10),
       lambda u, t: request("POST", "/api/scrape-jobs/next", token=t),
       lambda u, r: r.status == 200 and data(r).get("id") == u and data(r).get("status") == "running",
       job_state)
matrix("001", "GET /api/scrape-jobs/{id}/audit (the audit log)", MANAGERS, a_pending,
       lambda u, t: request("GET", "/api/scrape-jobs/%s/audit" % u, token=t),
       lambda u, r: (r.status == 200 and js(r).get("success") is True
                     and [a.get("action") for a in js(r).get("data", [])] == ["create"]),
       None)

section("seed 002 job writes")
matrix("002", "DELETE /v1/jobs/{id}", JOB_WRITERS, a_pending,
       lambda u, t: request("DELETE", "/v1/jobs/" + hexid(u), token=t),
       lambda u, r: r.status == 200 and js(r).get("status") == "canceled" and js(r).get("_id") == hexid(u),
       job_state)

section("seed 003 job writes")
matrix("003", "POST /workspace/{w}/jobs", JOB_WRITERS, lambda: uniq("ws") + ".example",
       lambda d, t: request("POST", "/workspace/%s/jobs" % W,
                            {"job_type": "domain_scrape", "workspace_id": W, "metadata": {"domain": d}}, token=t),
       lambda d, r: r.status == 201 and js(r).get("status") == "pending" and js(r).get("workspace_id") == W,
       lambda d: project_state())
matrix("003", "PATCH /workspace/{w}/jobs/{id}", JOB_WRITERS, a_pending,
       lambda u, t: request("PATCH", "/workspace/%s/jobs/%s" % (W, v1id(u)),
                            {"status": "running", "progress_percent": 10}, token=t),
       lambda u, r: r.status == 200 and js(r).get("status") == "running" and js(r).get("job_id") == v1id(u),
       job_state)
matrix("003", "POST /workspace/{w}/jobs/{id}/cancel", JOB_WRITERS, a_pending,
       lambda u, t: request("POST", "/workspace/%s/jobs/%s/cancel" % (W, v1id(u)), token=t),
       lambda u, r: r.status == 200 and js(r).get("status") == "cancelled",
       job_state)
matrix("003", "POST /workspace/{w}/jobs/{id}/retry", JOB_WRITERS, a_cancelled,
       lambda u, t: request("POST", "/workspace/%s/jobs/%s/retry" % (W, v1id(u)), token=t),
       lambda u, r: r.status == 200 and js(r).get("status") == "pending" and js(r).get("retry_count") == 1,
       job_state)

section("seed 004 sampling job create")
ROUNDS = {"rounds": [{"round_number": 1, "method": "random", "parameters": {"sample_size": 1}}]}
matrix("004", "POST /api/sampling/datasets/{job}/jobs", JOB_WRITERS, a_cancelled,
       lambda u, t: request("POST", "/api/sampling/datasets/%s/jobs" % v1id(u), ROUNDS, token=t),
       lambda u, r: (r.status == 200 and js(r).get("status") == "pending"
                     and re.match(UUID_RE, js(r).get("job_id", "")) is not None),
       job_and_project)

# ---- project management: targets, settings, members (v1 only) ----

section("v1 targets, settings and members: admin, owner, server administrator")


def a_target():
    r = request("POST", "/api/v1/projects/%s/targets" % P, {"url": "https://%s.example/" % uniq("t")}, token=OWNER)
    if r.status != 201:
        raise RuntimeError("cannot create a target: " + r.describe())
    return r.json["id"]


def target_state(t):
    r = request("GET", "/api/v1/projects/%s/targets/%s" % (P, t), token=OWNER)
    return (r.status, r.json, project_state())


def project_read(_=None):
    r = request("GET", "/api/v1/projects/" + P, token=OWNER)
    return (r.status, r.json)


def members_read(_=None):
    r = request("GET", "/api/v1/projects/%s/members?per_page=100" % P, token=OWNER)
    return (r.status, r.json)


def a_user():
    return new_user("rnew")[0]


def a_viewer_member():
    name = new_user("rgone")[0]
    r = request("PUT", "/api/v1/projects/%s/members/%s" % (P, name), {"role": "viewer"}, token=OWNER)
    if r.status != 201:
        raise RuntimeError("cannot add a member: " + r.describe())
    return name


matrix("v1", "POST /api/v1/projects/{p}/targets", MANAGERS, lambda: "https://%s.example/" % uniq("nt"),
       lambda url, t: request("POST", "/api/v1/projects/%s/targets" % P, {"url": url}, token=t),
       lambda url, r: r.status == 201 and js(r).get("url") == url,
       lambda url: project_state())
matrix("v1", "PATCH /api/v1/projects/{p}/targets/{t}", MANAGERS, a_target,
       lambda tg, t: request("PATCH", "/api/v1/projects/%s/targets/%s" % (P, tg),
                             {"name": "renamed", "enabled": False}, token=t),
       lambda tg, r: r.status == 200 and js(r).get("name") == "renamed" and js(r).get("enabled") is False,
       target_state)
matrix("v1", "DELETE /api/v1/projects/{p}/targets/{t}", MANAGERS, a_target,
       lambda tg, t: request("DELETE", "/api/v1/projects/%s/targets/%s" % (P, tg), token=t),
       lambda tg, r: (r.status == 204
                      and request("GET", "/api/v1/projects/%s/targets/%s" % (P, tg), token=OWNER).status == 404),
       target_state)
matrix("v1", "PATCH /api/v1/projects/{p}", MANAGERS, lambda: uniq("about "),
       lambda d, t: request("PATCH", "/api/v1/projects/" + P, {"description": d, "max_results_per_target": 50},
                            token=t),
       lambda d, r: (r.status == 200 and js(r).get("description") == d
                     and js(r).get("max_results_per_target") == 50),
       project_read)
matrix("v1", "PUT /api/v1/projects/{p}/members/{user}", MANAGERS, a_user,
       lambda name, t: request("PUT", "/api/v1/projects/%s/members/%s" % (P, name), {"role": "member"}, token=t),
       lambda name, r: r.status == 201 and js(r).get("username") == name and js(r).get("role") == "member",
       members_read)
matrix("v1", "DELETE /api/v1/projects/{p}/members/{user}", MANAGERS, a_viewer_member,
       lambda name, t: request("DELETE", "/api/v1/projects/%s/members/%s" % (P, name), token=t),
       lambda name, r: (r.status == 204 and name not in
                        [m.get("username") for m in js(request("GET", "/api/v1/projects/%s/members?per_page=100" % P,
                                                                token=OWNER)).get("items", [])]),
       members_read)

# ---- every role reads, in every dialect ----

section("reads: every role, every dialect")
_u = new_job()
for role in ROLES:
    t = TOK[role]
    rs = [("v1 GET job", request("GET", "/api/v1/jobs/" + v1id(_u), token=t), lambda r: js(r).get("id") == v1id(_u)),
          ("001 GET job", request("GET", "/api/scrape-jobs/" + _u, token=t), lambda r: data(r).get("id") == _u),
          ("002 GET job", request("GET", "/v1/jobs/" + hexid(_u), token=t), lambda r: js(r).get("_id") == hexid(_u)),
          ("003 GET job", request("GET", "/workspace/%s/jobs/%s" % (W, v1id(_u)), token=t),
           lambda r: js(r).get("job_id") == v1id(_u)),
          ("004 GET job", request("GET", "/api/jobs/" + _u, token=t), lambda r: js(r).get("id") == _u),
          ("v1 GET project", request("GET", "/api/v1/projects/" + P, token=t), lambda r: js(r).get("id") == P),
          ("v1 GET members", request("GET", "/api/v1/projects/%s/members?per_page=100" % P, token=t),
           lambda r: NAMES[role] in [m.get("username") for m in js(r).get("items", [])])]
    for what, r, ok in rs:
        check(r.status == 200 and ok(r), "%s as %s is 200" % (what, role), r)
cleanup()

# ---- a refusal is judged before the job's state ----

section("the role comes first: a viewer is refused whatever the job's state, a member hears about the state")
_u = cancelled_job()
_s = job_state(_u)
refused("v1", request("POST", "/api/v1/jobs/%s/cancel" % v1id(_u), token=TOK["viewer"]),
        "v1 cancel of a cancelled job as viewer: 403, not CANNOT_CANCEL", "viewer")
refused("001", request("DELETE", "/api/scrape-jobs/" + _u, token=TOK["viewer"]),
        "001 DELETE of a cancelled job as viewer: 403, not 409", "viewer")
refused("002", request("DELETE", "/v1/jobs/" + hexid(_u), token=TOK["viewer"]),
        "002 DELETE of a canceled job as viewer: 403, not 409", "viewer")
refused("003", request("POST", "/workspace/%s/jobs/%s/cancel" % (W, v1id(_u)), token=TOK["viewer"]),
        "003 cancel of a cancelled job as viewer: 403, not 400", "viewer")
refused("003", request("PATCH", "/workspace/%s/jobs/%s" % (W, v1id(_u)), {"status": "completed"},
                       token=TOK["viewer"]),
        "003 PATCH cancelled -> completed as viewer: 403, not 422", "viewer")
check(job_state(_u) == _s, "the cancelled job is unchanged", False)
is_error(request("POST", "/api/v1/jobs/%s/cancel" % v1id(_u), token=TOK["member"]), 400, "CANNOT_CANCEL",
         "the same cancel as member is 400 CANNOT_CANCEL")
r = request("DELETE", "/v1/jobs/" + hexid(_u), token=TOK["member"])
check(r.status == 409 and js(r).get("errors", [{}])[0].get("code") == "conflict"
      and "canceled" in js(r)["errors"][0].get("message", ""),
      "and through seed 002 a 409 conflict naming its status (canceled)", r)
_p = new_job()
refused("v1", request("POST", "/api/v1/jobs/%s/retry" % v1id(_p), token=TOK["viewer"]),
        "v1 retry of a pending job as viewer: 403, not CANNOT_RETRY", "viewer")
refused("001", request("POST", "/api/scrape-jobs/%s/retry" % _p, token=TOK["viewer"]),
        "001 retry of a pending job as viewer: 403, not 400", "viewer")
is_error(request("POST", "/api/v1/jobs/%s/retry" % v1id(_p), token=TOK["member"]), 400, "CANNOT_RETRY",
         "the same v1 retry as member is 400 CANNOT_RETRY")
_s = job_state(_p)
refused("004", request("POST", "/api/sampling/datasets/%s/jobs" % v1id(_p), ROUNDS, token=TOK["viewer"]),
        "004 sampling over an unfinished job as viewer: 403, not 422", "viewer")
is_detail(request("POST", "/api/sampling/datasets/%s/jobs" % v1id(_p), ROUNDS, token=TOK["member"]), 422,
          "the same as member is 422 (the dataset is not finished)")
check(job_state(_p) == _s, "the pending job is unchanged", False)
session = login(NAMES["viewer"], PASSWORDS["viewer"])["access_token"]
refused("v1", request("POST", "/api/v1/jobs/%s/cancel" % v1id(_p), token=session),
        "a viewer logged in with /auth/login (a session, not an API token) is refused too", "viewer")
check(job_state(_p) == _s, "and the job is unchanged", False)
cleanup()

# ---- /next and the default project: where a viewer may not, nothing is taken ----

section("seed 001 /next and POST without project_id across two projects")
Q = new_project(token=OWNER)
MIXED_NAME, _, MIXED = new_user("rmixed")
r1 = request("PUT", "/api/v1/projects/%s/members/%s" % (P, MIXED_NAME), {"role": "viewer"}, token=OWNER)
r2 = request("PUT", "/api/v1/projects/%s/members/%s" % (Q, MIXED_NAME), {"role": "member"}, token=OWNER)
check(r1.status == 201 and r2.status == 201, "a user who is a viewer of P (older) and a member of Q (newer)", r2)
r = request("POST", "/api/scrape-jobs", {"domain": "example.com", "project_id": Q}, token=OWNER)
JQ = data(r).get("id", "")
JP = new_job(priority=10)
r = request("POST", "/api/scrape-jobs/next", token=MIXED)
check(r.status == 200 and data(r).get("id") == JQ and data(r).get("status") == "running",
      "/next gives them Q's job, not P's though P's has the higher priority", r)
_s = job_state(JP)
r = request("GET", "/api/scrape-jobs/next", token=MIXED)
check(r.status == 200 and js(r).get("data", "x") is None and js(r).get("success") is True,
      "then /next has nothing for them (200, data null), not 403: they may claim in Q", r)
check(job_state(JP) == _s, "P's job is still pending, never claimed by a viewer of P", False)
refused("001", request("POST", "/api/scrape-jobs/next", token=TOK["viewer"]),
        "a caller who is a viewer in every project of theirs gets 403 from /next", "viewer")
check(job_state(JP) == _s, "and P's job is still pending", False)
_, _, LONER = new_user("rloner")
r = request("POST", "/api/scrape-jobs/next", token=LONER)
check(r.status == 200 and js(r).get("data", "x") is None, "a user in no project gets data null from /next (200)", r)
_before = project_state()
r = request("POST", "/api/scrape-jobs", {"domain": uniq("d") + ".example"}, token=MIXED)
check(r.status == 201 and data(r).get("customer_config_id") == uuid_of(Q),
      "POST without project_id lands in Q, their oldest project where they may create jobs", r)
refused("001", request("POST", "/api/scrape-jobs", {"domain": uniq("d") + ".example"}, token=TOK["viewer"]),
        "a viewer everywhere gets 403 for POST without project_id", "viewer")
check(project_state() == _before, "P got no job and no target from either", False)
r = request("POST", "/api/scrape-jobs", {"domain": "example.com"}, token=LONER)
check(r.status == 404 and js(r).get("success") is False, "a user in no project still gets 404 (no project)", r)
r = request("POST", "/api/scrape-jobs", {"domain": uniq("own") + ".example", "project_id": P}, token=TOK["member"])
_dom = data(r).get("url", "")
check(r.status == 201 and _dom in project_state()[3],
      "a member's seed 001 POST for a new domain adds its target: job creation, not target management", r)
cleanup()

section("a server administrator: everything in its projects, nothing more")
SA = TOK["server admin"]
r = request("POST", "/api/scrape-jobs", {"domain": "example.com", "project_id": Q}, token=OWNER)
JQ2 = data(r).get("id", "")
_sq = request("GET", "/api/v1/projects/" + Q, token=OWNER).json
is_error(request("GET", "/api/v1/projects/" + Q, token=SA), 404, "NOT_FOUND",
         "a project it is not a member of is 404 to a server administrator")
is_error(request("PATCH", "/api/v1/projects/" + Q, {"description": "x"}, token=SA), 404, "NOT_FOUND",
         "PATCH of it is 404, not 403")
is_error(request("GET", "/api/v1/projects/%s/members" % Q, token=SA), 404, "NOT_FOUND", "its members are 404")
is_error(request("PUT", "/api/v1/projects/%s/members/%s" % (Q, NAMES["server admin"]), {"role": "owner"}, token=SA),
         404, "NOT_FOUND", "it cannot add itself to it (404)")
is_error(request("POST", "/api/v1/projects/%s/targets" % Q, {"url": "https://x.example/"}, token=SA), 404,
         "NOT_FOUND", "nor add a target to it (404)")
is_error(request("POST", "/api/v1/jobs/%s/cancel" % v1id(JQ2), token=SA), 404, "NOT_FOUND",
         "nor cancel its job through v1 (404)")
r = request("DELETE", "/api/scrape-jobs/" + JQ2, token=SA)
check(r.status == 404 and js(r).get("error") == "Job not found", "nor through seed 001 (404 Job not found)", r)
r = request("POST", "/api/scrape-jobs/next", token=SA)
check(r.status == 200 and js(r).get("data", "x") is None, "nor claim it with /next (data null)", r)
check(request("GET", "/api/v1/projects/" + Q, token=OWNER).json == _sq
      and request("GET", "/api/scrape-jobs/" + JQ2, token=OWNER).json.get("data", {}).get("status") == "pending",
      "Q and its job are unchanged", False)
request("DELETE", "/api/scrape-jobs/" + JQ2, token=OWNER)

# ---- PATCH /api/v1/projects/{p} ----

section("PATCH /api/v1/projects/{p}")
R = new_project(token=OWNER, description="first words")
RU = uuid_of(R)


def audit_count(entity, eid):
    return int(db_value("SELECT COUNT(*) FROM audit_log WHERE entity_type = '%s' AND entity_id = '%s'"
                        % (entity, eid)))


r = request("PATCH", "/api/v1/projects/" + R, {"name": "Renamed", "description": "new words",
                                                 "max_results_per_target": 7}, token=OWNER)
check(r.status == 200 and js(r).get("name") == "Renamed" and js(r).get("description") == "new words"
      and js(r).get("max_results_per_target") == 7 and js(r).get("role") == "owner" and js(r).get("id") == R,
      "the owner renames it, describes it, sets max_results_per_target: 200 with the project", r)
row = db_value("SELECT CONCAT(user_id, ' ', action, ' ', JSON_VALUE(before_data, '$.name'), ' ', "
               "JSON_VALUE(after_data, '$.name'), ' ', JSON_VALUE(after_data, '$.max_results_per_target')) "
               "FROM audit_log WHERE entity_type = 'project' AND entity_id = '%s' ORDER BY id DESC LIMIT 1" % RU)
_owner_id = js(request("GET", "/api/v1/projects/%s/members" % R, token=OWNER)).get("items", [{}])[0].get("user_id")
check(row is not None and row.split(" ", 2)[1] == "update" and row.endswith(" Renamed 7")
      and row.startswith("%s update " % _owner_id),
      "an audit_log row: who, update, before and after (%r)" % row, False)
_n = audit_count("project", RU)
_r = request("GET", "/api/v1/projects/" + R, token=OWNER).json
r = request("PATCH", "/api/v1/projects/" + R, {}, token=OWNER)
check(r.status == 200 and js(r) == _r, "an empty PATCH is 200 and changes nothing (updated_at too)", r)
r = request("PATCH", "/api/v1/projects/" + R, {"name": "Renamed", "max_results_per_target": 7}, token=OWNER)
check(r.status == 200 and js(r) == _r and audit_count("project", RU) == _n,
      "a PATCH to the values it has changes nothing and writes no audit row", r)
r = request("PATCH", "/api/v1/projects/" + R, {"description": None}, token=OWNER)
check(r.status == 200 and js(r).get("description") is None, "description null clears it", r)
r = request("PATCH", "/api/v1/projects/" + R, {"daily_job_limit": 5}, token=OWNER)
is_error(r, 403, "FORBIDDEN", "the owner setting daily_job_limit is 403: a quota is a server administrator's",
         message_has="server administrator")
r = request("PATCH", "/api/v1/projects/" + R, {"daily_job_limit": None, "name": "Not this"}, token=OWNER)
is_error(r, 403, "FORBIDDEN", "resetting it (null) is the same 403, and the name given beside it is not written")
_r = request("GET", "/api/v1/projects/" + R, token=OWNER).json
check(_r.get("daily_job_limit") is None and _r.get("name") == "Renamed", "the project is as it was", False, repr(_r))
for body, code, status, name, has in [
        ({"name": ""}, "VALIDATION_ERROR", 422, "an empty name", "name"),
        ({"name": "   "}, "VALIDATION_ERROR", 422, "a blank name", "name"),
        ({"name": "x" * 201}, "VALIDATION_ERROR", 422, "a 201-byte name", "name"),
        ({"description": "x" * 2001}, "VALIDATION_ERROR", 422, "a 2001-byte description", "description"),
        ({"max_results_per_target": 0}, "VALIDATION_ERROR", 422, "max_results_per_target 0",
         "max_results_per_target"),
        ({"max_results_per_target": 1000001}, "VALIDATION_ERROR", 422, "max_results_per_target 1000001",
         "max_results_per_target"),
        ({"daily_job_limit": -1}, "VALIDATION_ERROR", 422, "daily_job_limit -1", "daily_job_limit"),
        ({"daily_job_limit": 1000001}, "VALIDATION_ERROR", 422, "daily_job_limit 1000001", "daily_job_limit"),
        ({"name": None}, "VALIDATION_ERROR", 400, "a null name", "name"),
        ({"name": 5}, "VALIDATION_ERROR", 400, "a number for a name", "name"),
        ({"role": "owner"}, "VALIDATION_ERROR", 400, "an unknown field", "role")]:
    is_error(request("PATCH", "/api/v1/projects/" + R, body, token=OWNER), status, code,
             "PATCH with %s is %d %s naming the field" % (name, status, code), message_has=has)
is_error(request("PATCH", "/api/v1/projects/" + R, raw="{nope", token=OWNER), 400, "VALIDATION_ERROR",
         "malformed JSON is 400")
check(request("GET", "/api/v1/projects/" + R, token=OWNER).json == _r and audit_count("project", RU) == _n + 1,
      "none of the refusals changed the project or wrote an audit row", False)
_, _, OUTSIDER = new_user("routsider")
is_error(request("PATCH", "/api/v1/projects/" + R, {"name": "x"}, token=OUTSIDER), 404, "NOT_FOUND",
         "a non-member's PATCH is 404, never 403")
is_error(request("PATCH", "/api/v1/projects/proj_" + "0" * 32, {"name": "x"}, token=OWNER), 404, "NOT_FOUND",
         "PATCH of a project that does not exist is 404")

# ---- members ----

section("members of R: the documented errors and the owner rules")
people = {}
for role in ("viewer", "member", "admin"):
    people[role] = new_user("rm" + role)
    r = request("PUT", "/api/v1/projects/%s/members/%s" % (R, people[role][0]), {"role": role}, token=OWNER)
    check(r.status == 201 and js(r).get("role") == role and isinstance(js(r).get("user_id"), int)
          and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", js(r).get("created_at", "")) is not None,
          "PUT adds %s: 201 {user_id, username, role, created_at}" % role, r)
VNAME, VTOK = people["viewer"][0], people["viewer"][2]
MNAME, MTOK = people["member"][0], people["member"][2]
ANAME, ATOK = people["admin"][0], people["admin"][2]
r = request("PUT", "/api/v1/projects/%s/members/%s" % (R, NAMES["server admin"]), {"role": "viewer"}, token=OWNER)
check(r.status == 201, "and the server administrator as a viewer", r)
r = request("GET", "/api/v1/projects/%s/members" % R, token=VTOK)
items = js(r).get("items", [])
check(r.status == 200 and js(r).get("total") == 5 and js(r).get("page") == 1
      and [(m.get("username"), m.get("role")) for m in items] ==
      [(OWNER_NAME, "owner"), (VNAME, "viewer"), (MNAME, "member"), (ANAME, "admin"),
       (NAMES["server admin"], "viewer")],
      "a viewer lists the members, oldest first, in the v1 list envelope", r)
r = request("GET", "/api/v1/projects/%s/members?per_page=2&page=3" % R, token=VTOK)
check(r.status == 200 and js(r).get("pages") == 3 and len(js(r).get("items", [])) == 1, "it pages (per_page, page)", r)
is_error(request("GET", "/api/v1/projects/%s/members?per_page=0" % R, token=VTOK), 400, "VALIDATION_ERROR",
         "per_page 0 is 400", message_has="per_page")


def members_of(p=R):
    return js(request("GET", "/api/v1/projects/%s/members?per_page=100" % p, token=OWNER))


_m = members_of()
_na = int(db_value("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'member' AND project_id = '%s'" % RU))


def member_audits():
    return int(db_value("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'member' AND project_id = '%s'" % RU))


check(_na == 4, "four member_add rows in audit_log, one per PUT (%d)" % _na, False)
MP = "/api/v1/projects/%s/members/" % R
for body, status, name, has in [({"role": "boss"}, 422, "a role that is none of the four", "role"),
                                ({"role": "Owner"}, 422, "a role in the wrong case", "role"),
                                ({"role": ""}, 422, "an empty role", "role"),
                                ({}, 400, "no role", "role"),
                                ({"role": 3}, 400, "a number for a role", "role"),
                                ({"role": None}, 400, "a null role", "role"),
                                ({"role": "member", "admin": True}, 400, "an unknown field", "admin")]:
    is_error(request("PUT", MP + MNAME, body, token=OWNER), status, "VALIDATION_ERROR",
             "PUT with %s is %d VALIDATION_ERROR" % (name, status), message_has=has)
is_error(request("PUT", MP + MNAME, raw="[1]", token=OWNER), 400, "VALIDATION_ERROR", "a body that is not an object")
is_error(request("PUT", MP + uniq("nobody"), {"role": "member"}, token=OWNER), 404, "NOT_FOUND",
         "PUT of an unknown user is 404", message_has="not found")
is_error(request("DELETE", MP + uniq("nobody"), token=OWNER), 404, "NOT_FOUND", "DELETE of an unknown user is 404",
         message_has="not found")
is_error(request("DELETE", MP + NAMES["member"], token=OWNER), 404, "NOT_FOUND",
         "DELETE of a user who is not a member of R is 404", message_has="not a member")
is_error(request("GET", "/api/v1/projects/%s/members" % R, token=OUTSIDER), 404, "NOT_FOUND",
         "a non-member's GET of the members is 404")
is_error(request("PUT", MP + VNAME, {"role": "owner"}, token=OUTSIDER), 404, "NOT_FOUND",
         "a non-member's PUT is 404, never 403")
is_error(request("DELETE", MP + VNAME, token=OUTSIDER), 404, "NOT_FOUND", "a non-member's DELETE is 404")
is_error(request("PUT", MP + MNAME, {"role": "admin"}, token=VTOK), 403, "FORBIDDEN", "a viewer's PUT is 403",
         message_has="viewers may not manage members")
is_error(request("DELETE", MP + MNAME, token=VTOK), 403, "FORBIDDEN", "a viewer's DELETE is 403")
is_error(request("PUT", MP + VNAME, {"role": "member"}, token=MTOK), 403, "FORBIDDEN", "a member's PUT is 403",
         message_has="members may not manage members")
is_error(request("PUT", MP + uniq("nobody"), {"role": "member"}, token=VTOK), 403, "FORBIDDEN",
         "a viewer's PUT of an unknown user is 403 too: who exists is not told to those who may not manage")
is_error(request("PUT", MP + OWNER_NAME, {"role": "admin"}, token=OWNER), 409, "CONFLICT",
         "the last owner cannot demote themselves (409)", message_has="last owner")
is_error(request("DELETE", MP + OWNER_NAME, token=OWNER), 409, "CONFLICT", "nor remove themselves (409)",
         message_has="last owner")
is_error(request("PUT", MP + OWNER_NAME, {"role": "member"}, token=SA), 409, "CONFLICT",
         "nor may a server administrator demote the last owner")
is_error(request("PUT", MP + OWNER_NAME, {"role": "admin"}, token=ATOK), 403, "FORBIDDEN",
         "an admin may not demote an owner", message_has="owner")
is_error(request("DELETE", MP + OWNER_NAME, token=ATOK), 403, "FORBIDDEN", "an admin may not remove an owner")
is_error(request("PUT", MP + MNAME, {"role": "owner"}, token=ATOK), 403, "FORBIDDEN",
         "an admin may not make an owner")
is_error(request("PUT", MP + ANAME, {"role": "owner"}, token=ATOK), 403, "FORBIDDEN",
         "an admin may not make themselves owner")
check(members_of() == _m and member_audits() == _na, "none of the refusals changed the members or wrote an audit row",
      False)
r = request("PUT", MP + MNAME, {"role": "member"}, token=ATOK)
check(r.status == 200 and js(r).get("role") == "member" and member_audits() == _na,
      "PUT of the role a member has: 200, nothing changed, no audit row", r)
r = request("PUT", MP + VNAME, {"role": "member"}, token=ATOK)
check(r.status == 200 and js(r).get("role") == "member", "an admin promotes the viewer to member (200)", r)
row = db_value("SELECT CONCAT(action, ' ', JSON_VALUE(before_data, '$.role'), ' ', JSON_VALUE(after_data, '$.role'),"
               " ' ', JSON_VALUE(after_data, '$.username')) FROM audit_log WHERE entity_type = 'member' AND "
               "project_id = '%s' ORDER BY id DESC LIMIT 1" % RU)
check(row == "member_update viewer member %s" % VNAME, "audited: member_update viewer -> member (%r)" % row, False)
_rj = request("POST", "/api/scrape-jobs", {"domain": "example.com", "project_id": R}, token=OWNER)
RJ = data(_rj).get("id", "")
r = request("POST", "/api/v1/jobs/%s/cancel" % v1id(RJ), token=VTOK)
check(r.status == 200 and js(r).get("status") == "cancelled", "the new role counts at once: they may cancel now", r)
r = request("PUT", MP + VNAME, {"role": "viewer"}, token=ATOK)
check(r.status == 200 and js(r).get("role") == "viewer", "an admin demotes them to viewer again", r)
r = request("POST", "/api/v1/jobs/%s/retry" % v1id(RJ), token=VTOK)
is_error(r, 403, "FORBIDDEN", "and their retry is refused at once (403)")
r = request("PUT", MP + ANAME, {"role": "owner"}, token=OWNER)
check(r.status == 200 and js(r).get("role") == "owner", "an owner makes the admin an owner", r)
r = request("PUT", MP + OWNER_NAME, {"role": "admin"}, token=ATOK)
check(r.status == 200 and js(r).get("role") == "admin",
      "with two owners, the new owner may demote the first to admin", r)
r = request("PUT", MP + OWNER_NAME, {"role": "owner"}, token=SA)
check(r.status == 200 and js(r).get("role") == "owner",
      "a server administrator (a viewer of R) may make an owner", r)
r = request("DELETE", MP + MNAME, token=OWNER)
check(r.status == 204 and r.raw == b"", "an owner removes the member: 204, no body", r)
row = db_value("SELECT CONCAT(action, ' ', JSON_VALUE(before_data, '$.role'), ' ', COALESCE(after_data, 'null')) "
               "FROM audit_log WHERE entity_type = 'member' AND project_id = '%s' ORDER BY id DESC LIMIT 1" % RU)
check(row == "member_remove member null", "audited: member_remove, before member, after null (%r)" % row, False)
is_error(request("GET", "/api/v1/projects/" + R, token=MTOK), 404, "NOT_FOUND",
         "the removed member no longer sees R (404)")
r = request("DELETE", MP + ANAME, token=OWNER)
check(r.status == 204, "an owner removes another owner while one remains (204)", r)
is_error(request("DELETE", MP + OWNER_NAME, token=OWNER), 409, "CONFLICT", "and is then the last owner again (409)")
check(member_audits() == _na + 7, "each of the seven changes wrote one audit row (%d)" % member_audits(), False)
is_error(request("GET", "/api/v1/projects/%s/members/%s" % (R, VNAME), token=OWNER), 405, "METHOD_NOT_ALLOWED",
         "GET of one member is 405 (PUT and DELETE only)")
