#!/usr/bin/python3
"""test_limits.py: the request body limit (nginx and the API agree on 1 MiB), daily job
limits (RATE_LIMITED) from the project and from the config."""

import http.client
import json
import urllib.parse

from harness import (ADMIN_TOKEN, BASE, check, config_value, ctl, is_detail, is_error, is_json_ct,
                     new_project, new_target, new_user, request, section)

MIB = 1024 * 1024


def padded(size, field="description"):
    """A JSON object of exactly size bytes: {"name":"limit","<field>":"aaaa..."}."""
    head = '{"name":"limit","%s":"' % field
    tail = '"}'
    return (head + "a" * (size - len(head) - len(tail)) + tail).encode()


section("request body limit")
body = padded(MIB + 1)
r = request("POST", "/api/v1/projects", raw=body)
is_error(r, 413, "PAYLOAD_TOO_LARGE", "a body of 1 MiB + 1 byte is 413 PAYLOAD_TOO_LARGE")
check(is_json_ct(r), "the 413 is JSON (not nginx's HTML page)", r)
check(r.json == {"error": {"code": "PAYLOAD_TOO_LARGE", "message": "Request body exceeds 1 MiB"}},
      "the 413 body is seed 000's envelope exactly", r)
r = request("POST", "/api/v1/projects", raw=padded(5 * MIB))
is_error(r, 413, "PAYLOAD_TOO_LARGE", "a 5 MiB body is 413")
project = new_project()
target = new_target(project)
r = request("PATCH", "/api/v1/projects/%s/targets/%s" % (project, target), raw=padded(MIB + 100, "url"))
is_error(r, 413, "PAYLOAD_TOO_LARGE", "PATCH over the limit is 413")
r = request("POST", "/api/v1/projects/%s/jobs" % project, raw=padded(2 * MIB, "x"))
is_error(r, 413, "PAYLOAD_TOO_LARGE", "POST jobs over the limit is 413")
r = request("POST", "/auth/login", raw=padded(MIB + 1, "password"), auth=False)
is_detail(r, 413, "/auth/login over the limit is 413 in seed 003's {\"detail\"} envelope")

# Exactly 1 MiB passes nginx and the API's own limit, so the answer is about content.
r = request("POST", "/api/v1/projects", raw=padded(MIB))
is_error(r, 422, "VALIDATION_ERROR", "a body of exactly 1 MiB reaches the API (422: description too long)",
         message_has="description")
r = request("POST", "/api/v1/projects", raw=padded(MIB - 1, "unknown"))
is_error(r, 400, "VALIDATION_ERROR", "a body of 1 MiB - 1 with an unknown field is 400 naming it",
         message_has="unknown")

# A chunked body declares no length; the limit must still hold.
u = urllib.parse.urlsplit(BASE)


def chunked(total):
    c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=20)
    chunk = b"a" * 65536
    head = b'{"name":"chunked","description":"'

    def gen():
        yield head
        left = total - len(head) - 2
        while left > 0:
            n = min(left, len(chunk))
            yield chunk[:n]
            left -= n
        yield b'"}'
    try:
        c.request("POST", "/api/v1/projects", body=gen(), encode_chunked=True,
                  headers={"Authorization": "Bearer " + ADMIN_TOKEN, "Content-Type": "application/json",
                           "Transfer-Encoding": "chunked"})
        resp = c.getresponse()
        return resp.status, resp.read()
    except (ConnectionError, OSError) as e:
        return 0, str(e).encode()
    finally:
        c.close()


st, raw = chunked(2 * MIB)
try:
    j = json.loads(raw)
except ValueError:
    j = None
check(st == 413 and isinstance(j, dict) and j.get("error", {}).get("code") == "PAYLOAD_TOO_LARGE",
      "a 2 MiB chunked body is 413 PAYLOAD_TOO_LARGE", note="got %s %r" % (st, raw[:200]))
st, raw = chunked(4000)
check(st == 422, "a small chunked body reaches the API (422: description too long)",
      note="got %s %r" % (st, raw[:200]))

section("daily job limit: the project's own daily_job_limit")
p = new_project(daily_job_limit=2)
new_target(p)


def create(pid):
    return request("POST", "/api/v1/projects/%s/jobs" % pid, {})


def cancel(j):
    return request("POST", "/api/v1/jobs/%s/cancel" % j)


r1 = create(p)
check(r1.status == 201, "job 1 of 2 is created", r1)
cancel(r1.json.get("id")) if r1.status == 201 else None
r2 = create(p)
check(r2.status == 201, "job 2 of 2 is created", r2)
cancel(r2.json.get("id")) if r2.status == 201 else None
r = create(p)
is_error(r, 400, "RATE_LIMITED", "job 3 with daily_job_limit 2 is 400 RATE_LIMITED")
r = request("POST", "/api/v1/jobs/%s/retry" % r1.json.get("id", ""))
is_error(r, 400, "RATE_LIMITED", "a retry counts against the daily limit too")
r = request("GET", "/api/v1/projects/%s/jobs" % p)
check(r.status == 200 and r.json.get("total") == 2, "refused creates wrote no job", r)

p2 = new_project(daily_job_limit=1)
new_target(p2)
r = create(p2)
check(r.status == 201, "daily_job_limit 1: the first job is created", r)
if r.status == 201:
    cancel(r.json["id"])
    r = request("POST", "/api/v1/jobs/%s/retry" % r.json["id"])
    is_error(r, 400, "RATE_LIMITED", "daily_job_limit 1: a retry of it is RATE_LIMITED")
r = create(p)
is_error(r, 400, "RATE_LIMITED", "the limit is kept per project (the first project is still limited)")

section("daily job limit set by the sysadmin (scrapeqctl project limit)")
_u, _p, utok = new_user("quota")
pq = new_project(token=utok)
new_target(pq, token=utok)
ctl("project", "limit", pq, "--daily-job-limit", "1")
r = request("GET", "/api/v1/projects/%s" % pq, token=utok)
check(r.status == 200 and r.json.get("daily_job_limit") == 1, "the project shows daily_job_limit 1", r)
r = request("POST", "/api/v1/projects/%s/jobs" % pq, {}, token=utok)
check(r.status == 201, "job 1 of 1 is created", r)
if r.status == 201:
    request("POST", "/api/v1/jobs/%s/cancel" % r.json["id"], token=utok)
r = request("POST", "/api/v1/projects/%s/jobs" % pq, {}, token=utok)
is_error(r, 400, "RATE_LIMITED", "job 2 is 400 RATE_LIMITED")
ctl("project", "limit", pq, "--daily-job-limit", "default")
r = request("POST", "/api/v1/projects/%s/jobs" % pq, {}, token=utok)
check(r.status == 201, "back to the config's limit ('default'), jobs can be created again", r)
if r.status == 201:
    request("POST", "/api/v1/jobs/%s/cancel" % r.json["id"], token=utok)
ctl("project", "limit", pq, "--daily-job-limit", "0")
r = request("POST", "/api/v1/projects/%s/jobs" % pq, {}, token=utok)
is_error(r, 400, "RATE_LIMITED", "daily_job_limit 0 stops every job")

section("daily job limit: the config's jobs_per_day")
per_day = int(config_value("limits", "jobs_per_day", "100"))
if per_day <= 300:
    p3 = new_project()
    new_target(p3)
    made = 0
    for i in range(per_day):
        r = create(p3)
        if r.status != 201:
            break
        made += 1
        cancel(r.json["id"])
    check(made == per_day, "jobs_per_day (%d) jobs can be created in a day" % per_day, r)
    r = create(p3)
    is_error(r, 400, "RATE_LIMITED", "job %d is 400 RATE_LIMITED (config jobs_per_day)" % (per_day + 1))
    p4 = new_project(daily_job_limit=per_day + 5)
    new_target(p4)
    r = create(p4)
    check(r.status == 201, "a project's own daily_job_limit overrides the config's", r)
    if r.status == 201:
        cancel(r.json["id"])
else:
    check(True, "jobs_per_day %d is too large to exhaust here (skipped)" % per_day)
