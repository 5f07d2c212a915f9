#!/usr/bin/python3
"""test_auth_getjob.py: issue 13's GET job in one round trip keeps issue 12's guarantees.
GET /api/v1/jobs/{id} reads the user's revocation generation and is_admin in the job's
own statement instead of a separate read: right after a revoke or a password change
every request with the old credentials is 401 in every worker, a bad or unknown job id
with them is 401 too (not 404), an API token that survives a move of the generation
(refresh token reuse) still reads the job, a removed member gets 404 at once, and a
warm GET job makes no separate revocation read while other routes still do (MariaDB's
general log, for a few seconds)."""

import os
import threading

import harness
from harness import (check, config_value, ctl, db_sql, db_value, is_error, login, new_project, new_target,
                     new_user, request, section)

WORKERS = int(config_value("api", "workers", "2"))
THREADS = int(config_value("api", "threads", "4"))
N = 8 * WORKERS * THREADS   # enough requests that every thread of every worker sees them


def spread(n, fn):
    """Runs fn(i) for i in range(n) on n threads at once; returns the results in order."""
    out = [None] * n
    go = threading.Event()

    def run(i):
        go.wait()
        out[i] = fn(i)
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    go.set()
    for t in ts:
        t.join()
    return out


def get(job, token):
    return request("GET", "/api/v1/jobs/%s" % job, token=token)


def jobs(proj, token, query=""):
    """The project's job list: a page with rows; with query "?status=running", an empty one."""
    return request("GET", "/api/v1/projects/%s/jobs%s" % (proj, query), token=token)


def member_with_job(prefix):
    """A new user who is a viewer of a new project holding one job (made by the admin)."""
    name, pw, tok = new_user(prefix)
    proj = new_project()
    new_target(proj)
    ctl("member", "add", "--project", proj, "--user", name, "--role", "viewer")
    r = request("POST", "/api/v1/projects/%s/jobs" % proj, {})
    if r.status != 201:
        raise RuntimeError("cannot create a job: " + r.describe())
    return name, pw, tok, proj, r.json["id"]


def all_status(rs, status):
    return all(r.status == status for r in rs), next((r for r in rs if r.status != status), rs[0])


section("revocation counts from the next GET job in every worker (%d requests each way)" % N)
name, pw, tok, proj, job = member_with_job("gj")
sess = login(name, pw)
ref = get(job, None)
warm = spread(N, lambda i: get(job, tok))
warm_jwt = spread(N, lambda i: get(job, sess["access_token"]))
ok, bad = all_status(warm + warm_jwt, 200)
check(ok, "the API token and the access token read the job (every thread caches the API token)", bad)
check(all(r.body == ref.body for r in warm + warm_jwt), "every answer is the admin's answer, byte for byte",
      next((r for r in warm + warm_jwt if r.body != ref.body), ref))
ctl("token", "revoke", "--user", name)
ok, bad = all_status(spread(N, lambda i: get(job, tok)), 401)
check(ok, "right after `scrapeqctl token revoke`, %d GET job with the API token: all 401" % N, bad)
is_error(bad, 401, "UNAUTHORIZED", "in the dialect's envelope")
ok, bad = all_status(spread(N, lambda i: get(job, sess["access_token"])), 401)
check(ok, "and with the user's unexpired access JWT: all 401", bad)
is_error(request("GET", "/api/v1/jobs/job_nonsense", token=sess["access_token"]), 401, "UNAUTHORIZED",
         "a malformed job id with the revoked JWT is 401, not 404")
is_error(get("job_" + "0" * 32, sess["access_token"]), 401, "UNAUTHORIZED",
         "an unknown job with the revoked JWT is 401, not 404")
is_error(request("GET", "/api/v1/jobs/job_nonsense", token=tok), 401, "UNAUTHORIZED",
         "a malformed job id with the revoked API token is 401")
for q, what in (("", "a page with rows"), ("?status=running", "an empty page")):
    ok, bad = all_status(spread(N, lambda i: jobs(proj, sess["access_token"] if i % 2 else tok, q)), 401)
    check(ok, "the job list (%s), %d times with the revoked API token or JWT: all 401" % (what, N), bad)
is_error(jobs(proj, tok, "?per_page=0"), 401, "UNAUTHORIZED",
         "the job list with a bad per_page and the revoked token is 401, not 400")
is_error(jobs("proj_" + "0" * 32, sess["access_token"]), 401, "UNAUTHORIZED",
         "the job list of an unknown project with the revoked JWT is 401, not 404")

section("a password change ends the access tokens at the next GET job")
sess2 = login(name, pw)
ok, bad = all_status(spread(N, lambda i: get(job, sess2["access_token"])), 200)
check(ok, "a new login after the revocation reads the job", bad)
pwfile = os.path.join(harness.RUN, ".pw-" + name)
with open(pwfile, "w") as f:
    f.write(pw + "-new")
try:
    ctl("user", "passwd", name, "--password-file", pwfile)
finally:
    os.unlink(pwfile)
ok, bad = all_status(spread(N, lambda i: get(job, sess2["access_token"])), 401)
check(ok, "right after `scrapeqctl user passwd`, %d GET job with its access JWT: all 401" % N, bad)

section("a generation moved by a refresh token reuse: API tokens still read, the family's JWT does not")
name, pw, tok, proj, job = member_with_job("gjf")
spread(N, lambda i: get(job, tok))
first = login(name, pw)
r = request("POST", "/auth/refresh", {"refresh_token": first["refresh_token"]}, auth=False)
acc = r.json.get("access_token", "") if r.status == 200 else ""
check(r.status == 200 and get(job, acc).status == 200, "a refreshed access token reads the job", r)
gen0 = db_value("SELECT auth_gen FROM users WHERE username = %s" % harness.sql_str(name))
r = request("POST", "/auth/refresh", {"refresh_token": first["refresh_token"]}, auth=False)
gen1 = db_value("SELECT auth_gen FROM users WHERE username = %s" % harness.sql_str(name))
check(r.status == 401 and gen1 != gen0, "reusing the rotated refresh token moves the user's generation "
      "(%s -> %s)" % (gen0, gen1), r)
rs = spread(N, lambda i: get(job, tok))
ok, bad = all_status(rs, 200)
check(ok, "%d GET job with the API token cached under the old generation: all 200 (looked up again)" % N, bad)
check(all(x.body == rs[0].body for x in rs), "with one answer", False)
ok, bad = all_status(spread(N, lambda i: get(job, acc)), 401)
check(ok, "and the family's access token: all 401", bad)

section("membership is read with the job, never cached")
name, pw, tok, proj, job = member_with_job("gjm")
spread(N, lambda i: get(job, tok))
db_sql("DELETE m FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.username = %s AND m.project_id = %s"
       % (harness.sql_str(name), harness.sql_str(harness.uuid_of(proj))))
ok, bad = all_status(spread(N, lambda i: get(job, tok)), 404)
check(ok, "right after the membership is deleted, %d GET job: all 404" % N, bad)
is_error(bad, 404, "NOT_FOUND", "in the dialect's envelope")
ok, bad = all_status(spread(N, lambda i: jobs(proj, tok, "" if i % 2 else "?status=running")), 404)
check(ok, "and %d job lists (pages with rows and empty): all 404" % N, bad)

section("a warm GET job makes one round trip: no separate revocation read")
name, pw, tok, proj, job = member_with_job("gjl")
sess = login(name, pw)
spread(N, lambda i: get(job, tok))
old = db_value("SELECT CONCAT(@@global.general_log, ' ', @@global.log_output)").split()


def rev_reads(fn):
    """How many separate revocation reads MariaDB saw while fn ran (general log to a table)."""
    db_sql("TRUNCATE TABLE mysql.general_log")
    db_sql("SET GLOBAL log_output = 'TABLE', general_log = 1")
    try:
        fn()
    finally:
        db_sql("SET GLOBAL general_log = 0")
    return int(db_value("SELECT COUNT(*) FROM mysql.general_log WHERE command_type = 'Execute' "
                        "AND argument LIKE 'SELECT auth_gen, is_admin FROM users WHERE id = %'"))


try:
    n_get = rev_reads(lambda: [get(job, tok) for _ in range(40)] + [get(job, sess["access_token"])
                                                                       for _ in range(40)])
    n_list = rev_reads(lambda: [request("GET", "/api/v1/projects", token=tok) for _ in range(40)])
    lists = []
    n_jobs = rev_reads(lambda: lists.extend([jobs(proj, tok if i % 2 else sess["access_token"],
                                                  "" if i % 4 < 2 else "?status=running") for i in range(40)]))
finally:
    db_sql("SET GLOBAL log_output = '%s', general_log = %s" % (old[1], old[0]))
check(n_list >= 40, "control: 40 GET /api/v1/projects with a cached token make a separate revocation read "
      "each (%d)" % n_list, False)
check(n_get == 0, "80 GET job with a cached API token or a JWT make none (%d)" % n_get, False)
check(n_jobs == 0 and all(r.status == 200 for r in lists),
      "40 job lists (a page with rows, an empty page; API token and JWT) make none (%d)" % n_jobs,
      next((r for r in lists if r.status != 200), False))
