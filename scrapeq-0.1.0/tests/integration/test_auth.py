#!/usr/bin/python3
"""test_auth.py: API tokens, /auth/login, /auth/refresh, JWT checks, revocation, 401s."""

import base64
import hashlib
import hmac
import json
import os
import re
import time

from harness import (ADMIN_PASSWORD, RUN, check, config_value, ctl, is_detail, is_error,
                     login, new_project, new_target, new_user, request, section)


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def sign(header, payload, key):
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    p = b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(key, ("%s.%s" % (h, p)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (h, p, b64url(sig))


# Fixtures: a project with a target and a job, for the 401 sweep below.
project = new_project()
target = new_target(project)
r = request("POST", "/api/v1/projects/%s/jobs" % project, {})
job = r.json["id"] if r.status == 201 else "job_" + "0" * 32
request("POST", "/api/v1/jobs/%s/cancel" % job)

ENDPOINTS = [
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects/%s" % project),
    ("GET", "/api/v1/projects/%s/targets" % project),
    ("POST", "/api/v1/projects/%s/targets" % project),
    ("GET", "/api/v1/projects/%s/targets/%s" % (project, target)),
    ("PATCH", "/api/v1/projects/%s/targets/%s" % (project, target)),
    ("DELETE", "/api/v1/projects/%s/targets/%s" % (project, target)),
    ("GET", "/api/v1/projects/%s/jobs" % project),
    ("POST", "/api/v1/projects/%s/jobs" % project),
    ("GET", "/api/v1/jobs/%s" % job),
    ("POST", "/api/v1/jobs/%s/cancel" % job),
    ("POST", "/api/v1/jobs/%s/retry" % job),
    ("GET", "/api/v1/jobs/%s/logs" % job),
]

section("missing or bad credentials are 401 on every endpoint")
for method, path in ENDPOINTS:
    body = {} if method in ("POST", "PATCH") else None
    r = request(method, path, body=body, auth=False)
    is_error(r, 401, "UNAUTHORIZED", "%s %s without Authorization is 401" % (method, path))

BAD = [
    ("garbage", "Bearer garbage"),
    ("well-formed unknown API token", "Bearer sq_" + "0" * 64),
    ("Basic scheme", "Basic " + base64.b64encode(b"admin:" + ADMIN_PASSWORD.encode()).decode()),
    ("empty bearer", "Bearer "),
    ("scheme only", "Bearer"),
    ("token with trailing junk", None),
    ("5000-byte header", "Bearer " + "a" * 5000),
]
for name, value in BAD:
    if value is None:
        from harness import ADMIN_TOKEN
        value = "Bearer " + ADMIN_TOKEN + "x"
    r = request("GET", "/api/v1/projects", auth=False, headers={"Authorization": value})
    is_error(r, 401, "UNAUTHORIZED", "bad Authorization (%s) is 401" % name)
# Every endpoint with a bad token, not only the list.
for method, path in ENDPOINTS:
    body = {} if method in ("POST", "PATCH") else None
    r = request(method, path, body=body, token="sq_" + "f" * 64)
    is_error(r, 401, "UNAUTHORIZED", "%s %s with an unknown token is 401" % (method, path))

section("API token")
r = request("GET", "/api/v1/projects")
check(r.status == 200, "the admin API token works")

section("/auth/login")
r = request("POST", "/auth/login", {"username": "admin", "password": ADMIN_PASSWORD}, auth=False)
ok = (r.status == 200 and isinstance(r.json, dict)
      and isinstance(r.json.get("access_token"), str) and r.json["access_token"].count(".") == 2
      and isinstance(r.json.get("refresh_token"), str) and len(r.json["refresh_token"]) >= 32
      and r.json.get("token_type") == "bearer"
      and isinstance(r.json.get("expires_in"), int) and r.json["expires_in"] > 0)
check(ok, "login answers 200 {access_token (a JWT), refresh_token, token_type: bearer, expires_in}")
session = r.json if ok else {}
ttl = int(config_value("auth", "access_token_ttl", "900"))
check(session.get("expires_in") == ttl, "expires_in is the configured access_token_ttl (%d)" % ttl, r)

access = session.get("access_token", "")
refresh = session.get("refresh_token", "")
r = request("GET", "/api/v1/projects", token=access)
check(r.status == 200, "the login access token works as a bearer token")

r = request("POST", "/auth/login", {"username": "admin", "password": ADMIN_PASSWORD + "x"}, auth=False)
is_detail(r, 401, "a wrong password is 401 {\"detail\"}")
wrong_pw = r.json
r = request("POST", "/auth/login", {"username": "nobody-" + os.urandom(4).hex(), "password": "whatever1"},
            auth=False)
is_detail(r, 401, "an unknown user is 401 {\"detail\"}")
check(r.json == wrong_pw, "unknown user and wrong password answer the same (no user enumeration)", r)

r = request("POST", "/auth/login", raw=b"{not json", auth=False)
is_detail(r, 400, "login with malformed JSON is 400 {\"detail\"}")
r = request("POST", "/auth/login", {"username": "admin"}, auth=False)
check(r.status in (400, 422) and isinstance(r.json, dict) and set(r.json) == {"detail"},
      "login without a password is 400/422 {\"detail\"}", r)
r = request("POST", "/auth/login", {"username": "admin", "password": 12345678}, auth=False)
check(r.status in (400, 422) and isinstance(r.json, dict) and set(r.json) == {"detail"},
      "login with a non-string password is 400/422 {\"detail\"}", r)
r = request("POST", "/auth/login", {"username": "admin", "password": ADMIN_PASSWORD, "otp": 1}, auth=False)
check(r.status in (400, 422) and isinstance(r.json, dict) and set(r.json) == {"detail"}
      and "otp" in str(r.json.get("detail")),
      "login with an unknown field is 400/422 naming it", r)
r = request("GET", "/auth/login", auth=False)
is_detail(r, 405, "GET /auth/login is 405 {\"detail\"}")
r = request("GET", "/auth/nothing-here", auth=False)
is_detail(r, 404, "an unknown /auth path is 404 {\"detail\"}")

section("/auth/refresh (rotation)")
r = request("POST", "/auth/refresh", {"refresh_token": refresh}, auth=False)
ok = (r.status == 200 and isinstance(r.json, dict) and r.json.get("token_type") == "bearer"
      and isinstance(r.json.get("access_token"), str) and isinstance(r.json.get("refresh_token"), str))
check(ok, "refresh answers 200 with a new pair")
new = r.json if ok else {}
check(new.get("refresh_token") not in (None, refresh), "the new refresh token differs from the old one", r)
r = request("GET", "/api/v1/projects", token=new.get("access_token", ""))
check(r.status == 200, "the refreshed access token works")
r = request("POST", "/auth/refresh", {"refresh_token": refresh}, auth=False)
is_detail(r, 401, "the old refresh token is 401 once used (rotation)")
r = request("POST", "/auth/refresh", {"refresh_token": new.get("refresh_token", "")}, auth=False)
check(r.status == 200, "the new refresh token works once", r)
r = request("POST", "/auth/refresh", {"refresh_token": "sq_" + "0" * 64}, auth=False)
is_detail(r, 401, "an unknown refresh token is 401")
r = request("POST", "/auth/refresh", {"refresh_token": access}, auth=False)
is_detail(r, 401, "an access token is not a refresh token (401)")
r = request("POST", "/auth/refresh", {}, auth=False)
check(r.status in (400, 422) and isinstance(r.json, dict) and set(r.json) == {"detail"},
      "refresh without refresh_token is 400/422 {\"detail\"}", r)
r = request("GET", "/api/v1/projects", token=refresh)
is_error(r, 401, "UNAUTHORIZED", "a refresh token is not an access token (401)")

section("JWT verification")
parts = access.split(".")
if len(parts) == 3:
    header = json.loads(unb64url(parts[0]))
    payload = json.loads(unb64url(parts[1]))
    check(header.get("alg") == "HS256", "access tokens are HS256", note="header %r" % header)
    check(isinstance(payload.get("exp"), int) and payload["exp"] > time.time(),
          "the access token has a future exp", note="payload %r" % payload)

    tampered = parts[0] + "." + parts[1] + "." + ("A" if parts[2][0] != "A" else "B") + parts[2][1:]
    r = request("GET", "/api/v1/projects", token=tampered)
    is_error(r, 401, "UNAUTHORIZED", "a JWT with a changed signature is 401")

    none = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + parts[1] + "."
    r = request("GET", "/api/v1/projects", token=none)
    is_error(r, 401, "UNAUTHORIZED", "a JWT with alg none is 401")

    r = request("GET", "/api/v1/projects", token=sign(header, payload, b"k" * 64))
    is_error(r, 401, "UNAUTHORIZED", "a JWT signed with another key is 401")

    elevated = dict(payload)
    for k in list(elevated):
        if k in ("sub", "uid", "user_id"):
            elevated[k] = str(elevated[k]) + "0" if isinstance(elevated[k], str) else elevated[k] + 1
    forged = parts[0] + "." + b64url(json.dumps(elevated).encode()) + "." + parts[2]
    r = request("GET", "/api/v1/projects", token=forged)
    is_error(r, 401, "UNAUTHORIZED", "a JWT whose claims were changed after signing is 401")

    # Re-sign with the stack's own key: first unchanged (the control: same key, same
    # encoding, accepted), then with exp in the past (must be refused).
    with open(os.path.join(RUN, "jwt.key"), "rb") as f:
        key = f.read()
    control = None
    for k in (key, key.rstrip(b"\r\n \t")):
        tok = sign(header, payload, k)
        if request("GET", "/api/v1/projects", token=tok).status == 200:
            control = k
            break
    check(control is not None, "a JWT re-signed with the configured key file is accepted (control)")
    if control is not None:
        expired = dict(payload, exp=int(time.time()) - 60)
        if "iat" in expired:
            expired["iat"] = int(time.time()) - 1000
        r = request("GET", "/api/v1/projects", token=sign(header, expired, control))
        is_error(r, 401, "UNAUTHORIZED", "an expired JWT (validly signed) is 401")
else:
    check(False, "login gave no JWT to examine")

section("revocation")
name, password, token = new_user("revoke")
r = request("GET", "/api/v1/projects", token=token)
check(r.status == 200, "a new user's API token works")
sess = login(name, password)
ctl("token", "revoke", "--user", name)
cache = int(config_value("api", "token_cache_seconds", "10"))
deadline = time.monotonic() + cache + 2
while True:
    r = request("GET", "/api/v1/projects", token=token)
    if r.status == 401 or time.monotonic() > deadline:
        break
    time.sleep(0.5)
is_error(r, 401, "UNAUTHORIZED", "a revoked API token is 401 within token_cache_seconds (%d s)" % cache)
r = request("POST", "/auth/refresh", {"refresh_token": sess["refresh_token"]}, auth=False)
is_detail(r, 401, "a revoked user's refresh token is 401")

section("job source follows the credential")
p = new_project()
new_target(p)
r = request("POST", "/api/v1/projects/%s/jobs" % p, {})
check(r.status == 201 and r.json.get("source") == "api", "a job created with an API token has source \"api\"")
if r.status == 201:
    request("POST", "/api/v1/jobs/%s/cancel" % r.json["id"])
sess = login("admin", ADMIN_PASSWORD)
r = request("POST", "/api/v1/projects/%s/jobs" % p, {}, token=sess["access_token"])
check(r.status == 201 and r.json.get("source") == "manual",
      "a job created with a login session has source \"manual\"")
if r.status == 201:
    jid = r.json["id"]
    r = request("GET", "/api/v1/jobs/%s" % jid)
    check(r.status == 200 and r.json.get("source") == "manual", "the source is stored, not just echoed")
    request("POST", "/api/v1/jobs/%s/cancel" % jid)
check(re.match(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$", sess["access_token"]) is not None,
      "the access token is a compact JWS")
