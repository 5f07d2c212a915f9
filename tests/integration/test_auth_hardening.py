#!/usr/bin/python3
"""test_auth_hardening.py: issue 12's authentication part, through nginx: login throttling
per user name and per client address (429 + Retry-After, decided before any hash), the
Argon2id bound (503 from a second scrapeq-api with a tight gate), nginx's limit_req on
/auth/, immediate revocation and demotion in every worker, the JWT's generation, and
refresh token families.

Other client addresses are 127.0.1.x: the socket is bound to them before connecting,
and nginx passes that as REMOTE_ADDR. Every address and user name here is this file's
own, so its throttling never touches another test file's logins (they come from
127.0.0.1)."""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse

import harness
from harness import (ADMIN_PASSWORD, BASE, RUN, Response, check, config_value, ctl, db_rows, db_sql,
                     db_value, is_detail, is_error, login, new_project, new_user, request, section,
                     uniq)

PER_USER = int(config_value("auth", "login_failures_per_user", "10"))
PER_ADDR = int(config_value("auth", "login_failures_per_address", "30"))
WINDOW = int(config_value("auth", "login_window_seconds", "300"))
WORKERS = int(config_value("api", "workers", "2"))
THREADS = int(config_value("api", "threads", "4"))
U = urllib.parse.urlsplit(BASE)


def addr(n):
    """This file's client addresses: 127.0.1.n (the other files log in from 127.0.0.1)."""
    return "127.0.1.%d" % n


def send(method, path, body=None, token=None, source="127.0.0.1", port=None, raw=None, timeout=30):
    """One request through nginx from source (a loopback address). Returns a harness Response."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    hdrs = {"Host": U.hostname}
    if data is not None:
        hdrs["Content-Type"] = "application/json"
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    t0 = time.monotonic()
    try:
        c = http.client.HTTPConnection(U.hostname, port or U.port, timeout=timeout, source_address=(source, 0))
        c.request(method, path, body=data, headers=hdrs)
        r = c.getresponse()
        status, rh, rb = r.status, r.getheaders(), r.read()
        c.close()
    except OSError as e:
        status, rh, rb = 0, [], ("connection error: %s" % e).encode()
    h = {k.lower(): v for k, v in rh}
    resp = Response(method, path, status, h, rb, time.monotonic() - t0, data)
    harness._last = resp
    return resp


def try_login(user, password, source, port=None):
    return send("POST", "/auth/login", {"username": user, "password": password}, source=source, port=port)


def retry_after_ok(r, lo, hi):
    v = r.headers.get("retry-after", "")
    return v.isdigit() and lo <= int(v) <= hi


def window_row(kind, subject):
    rows = db_rows("SELECT failures FROM login_failures WHERE kind = '%s' AND subject = %s"
                   % (kind, harness.sql_str(subject)))
    return int(rows[0][0]) if rows else 0


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def resign(token, **claims):
    """The token's header and payload with claims changed, signed with the stack's key."""
    h, p, _ = token.split(".")
    payload = json.loads(unb64url(p))
    payload.update(claims)
    with open(os.path.join(RUN, "jwt.key"), "rb") as f:
        key = f.read()
    head = h + "." + b64url(json.dumps(payload, separators=(",", ":")).encode())
    return head + "." + b64url(hmac.new(key, head.encode(), hashlib.sha256).digest())


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
        t.join(120)
    return out


# ---- throttling per user name ---------------------------------------------------------
# A run within login_window_seconds of the last one must not find its address windows.
db_sql("DELETE FROM login_failures WHERE kind = 'addr' AND subject LIKE '127.0.1.%'")
section("login throttling per user name (%d failures per %d s window)" % (PER_USER, WINDOW))
name, pw, _ = new_user("thr")
fails = []
for i in range(PER_USER):
    # A different address each time: the user name's count is not the address's.
    r = try_login(name, pw + "x", addr(10 + i))
    fails.append(r)
check(all(r.status == 401 and r.json == {"detail": "Invalid username or password"} for r in fails),
      "the first %d wrong passwords are 401 {\"detail\"}" % PER_USER, fails[-1])
check(window_row("user", name) == PER_USER, "login_failures counts %d for the user name" % PER_USER)
r = try_login(name, pw + "x", addr(40))
is_detail(r, 429, "one more wrong password, from yet another address, is 429 {\"detail\"}")
check(retry_after_ok(r, 1, WINDOW), "the 429 has Retry-After: seconds to the window's end (1..%d)" % WINDOW, r)
check("try again in" in str(r.json), "its message says when to try again", r)
r = try_login(name, pw, addr(41))
is_detail(r, 429, "the right password is refused too while throttled (429)")
throttled = [try_login(name, pw, addr(41)) for _ in range(5)]
check(all(t.status == 429 for t in throttled), "throttled answers stay 429")
check(window_row("user", name) == PER_USER, "refused attempts are not counted (the window ends on time)")
t_fail = statistics.median(f.elapsed for f in fails)
t_thr = statistics.median(t.elapsed for t in throttled)
check(t_thr < t_fail / 2, "a throttled login computes no hash: median %.1f ms against %.1f ms for a checked one"
      % (t_thr * 1000, t_fail * 1000), False)
r = try_login("admin", ADMIN_PASSWORD, addr(42))
check(r.status == 200, "another user logs in meanwhile", r)
# The window's end, without waiting for it: move its start back by a window.
db_sql("UPDATE login_failures SET window_start = window_start - INTERVAL %d SECOND "
       "WHERE kind = 'user' AND subject = %s" % (WINDOW, harness.sql_str(name)))
r = try_login(name, pw, addr(43))
check(r.status == 200, "once the window has ended the user logs in again (the lockout expires)", r)
check(window_row("user", name) == 0, "a successful login resets the user name's count")

name2, pw2, _ = new_user("thr")
for i in range(PER_USER - 1):
    try_login(name2, pw2 + "x", addr(44))
check(try_login(name2, pw2, addr(44)).status == 200, "a success just under the bound works")
rs = [try_login(name2, pw2 + "x", addr(45)) for _ in range(PER_USER - 1)]
check(all(r.status == 401 for r in rs), "after it, %d more failures are 401 again (count reset)" % (PER_USER - 1),
      rs[-1])
ghost = uniq("nobody")
r = try_login(ghost, "whatever1", addr(46))
check(r.status == 401 and window_row("user", ghost) == 1 and window_row("addr", addr(46)) == 1,
      "an unknown user name is 401 and counted like a known one (name and address)", r)

# ---- throttling per address ----------------------------------------------------------------
section("login throttling per address (%d failures per window)" % PER_ADDR)
victim, vpw, _ = new_user("thr")
a = addr(50)
rs = [try_login(uniq("ghost"), "wrong-password", a) for _ in range(PER_ADDR)]
check(all(r.status == 401 for r in rs), "%d failed logins of %d different unknown names: 401" % (PER_ADDR, PER_ADDR),
      rs[-1])
check(window_row("addr", a) == PER_ADDR, "login_failures counts %d for the address %s" % (PER_ADDR, a))
r = try_login(victim, vpw, a)
is_detail(r, 429, "then even a right password from that address is 429 {\"detail\"}")
check(retry_after_ok(r, 1, WINDOW), "with Retry-After", r)
r = try_login(victim, vpw, addr(51))
check(r.status == 200, "the same login from another address works", r)
check(window_row("user", victim) == 0, "the refused attempts counted nothing against the user name")

section("bounded growth: ended windows are deleted by later failures")
old = uniq("expired")
db_sql("INSERT INTO login_failures (kind, subject, window_start, failures) VALUES "
       "('user', '%s', NOW(6) - INTERVAL %d SECOND, 3)" % (old, WINDOW + 60))
check(window_row("user", old) == 3, "an ended window is in the table (control)")
try_login(uniq("ghost"), "wrong-password", addr(52))
check(window_row("user", old) == 0, "one failed login later it is gone")

# ---- nginx limit_req ---------------------------------------------------------------------
section("nginx limit_req on /auth/ (a first line, per address)")
burst = spread(40, lambda i: [send("POST", "/auth/login", raw=b"{", source=addr(60)) for _ in range(6)])
flat = [r for rs in burst for r in rs]
limited = [r for r in flat if r.status == 429]
passed = [r for r in flat if r.status == 400]
check(len(limited) > 0 and len(passed) >= 100 and len(limited) + len(passed) == len(flat),
      "a burst of %d requests from one address: %d reach the API (400 bad JSON), %d get nginx's 429"
      % (len(flat), len(passed), len(limited)), limited[0] if limited else flat[-1])
if limited:
    r = limited[0]
    check(isinstance(r.json, dict) and set(r.json) == {"detail"} and "slow down" in r.json["detail"],
          "nginx's 429 is seed 003's {\"detail\"} envelope", r)
    check(r.headers.get("content-type", "").startswith("application/json") and retry_after_ok(r, 1, 60),
          "as application/json with Retry-After", r)
r = send("POST", "/auth/login", raw=b"{", source=addr(61))
is_detail(r, 400, "meanwhile another address is not limited (400 from the API)")
r = send("GET", "/api/v1/ping", source=addr(60))
check(r.status == 200, "the limit covers /auth/ only: /api/v1/ping from the limited address is 200", r)

# ---- Argon2id bound: a second scrapeq-api with one verification at a time ---------------
section("the Argon2id bound: at most login_verify_max verifications per worker, then 503")
gsock = os.path.join(RUN, "api-gate.sock")
gconf = os.path.join(RUN, "api-gate.conf")
site = os.path.join(RUN, "nginx", "sites", "auth-gate.conf")
snippet = os.path.join(RUN, "nginx", "auth-gate.snippet")
text = open(harness.CONF).read()
text = re.sub(r"(?m)^(login_verify_max|login_verify_wait_ms|access_log) = .*\n", "", text)
text = re.sub(r"(?m)^\[auth\]$", "[auth]\nlogin_verify_max = 1\nlogin_verify_wait_ms = 100", text)
text = re.sub(r"(?m)^\[api\]$", "[api]\naccess_log = off", text)
with open(gconf, "w") as f:
    f.write(text)
api = subprocess.Popen([os.path.join(harness.BIN, "scrapeq-api"), "-c", gconf, "--socket", gsock, "-w", "1",
                        "-t", "8"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
gport = None
try:
    for p in range(18600 + os.getpid() % 200, 18900):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            gport = p
            break
        except OSError:
            pass
        finally:
            s.close()
    conf_dir = os.path.join(RUN, "nginx", "conf")
    with open(os.path.join(conf_dir, "scrapeq.conf")) as f:
        snip = f.read().replace("fastcgi_pass scrapeq_api;", "fastcgi_pass unix:%s;" % gsock)
    with open(snippet, "w") as f:
        f.write(snip)
    with open(site, "w") as f:
        f.write("# written by tests/integration/test_auth_hardening.py\nserver {\n    listen 127.0.0.1:%d;\n"
                "    include %s;\n}\n" % (gport, snippet))
    os.kill(int(open(os.path.join(RUN, "nginx.pid")).read().strip()), signal.SIGHUP)
    ok = harness.wait_for(lambda: os.path.exists(gsock) and
                          send("GET", "/api/v1/ping", port=gport).status == 200, 15)
    check(ok, "a second scrapeq-api (1 worker x 8 threads, login_verify_max 1, wait 100 ms) answers through nginx")
    children = open("/proc/%d/task/%d/children" % (api.pid, api.pid)).read().split()
    worker = int(children[0]) if children else api.pid

    def mem(field):
        with open("/proc/%d/status" % worker) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) // 1024
        return 0
    rss0 = mem("VmRSS")
    gname, gpw, _ = new_user("gate")
    t0 = time.monotonic()
    flood = spread(24, lambda i: try_login(gname, gpw, addr(70), port=gport))
    took = time.monotonic() - t0
    codes = sorted(set(r.status for r in flood))
    busy = [r for r in flood if r.status == 503]
    good = [r for r in flood if r.status == 200]
    check(len(busy) > 0 and len(good) > 0 and len(busy) + len(good) == len(flood),
          "24 logins at once: %d logged in, %d got 503 (statuses %s)" % (len(good), len(busy), codes),
          busy[0] if busy else flood[0])
    if busy:
        r = busy[0]
        check(r.json == {"detail": "Too many logins at once; try again shortly"} and retry_after_ok(r, 1, 5),
              "the 503 is {\"detail\"} with Retry-After", r)
    check(max(r.elapsed for r in flood) < 20, "every one answered, the slowest in %.1f s (flood %.1f s)"
          % (max(r.elapsed for r in flood), took), False)
    hwm = mem("VmHWM")
    check(hwm - rss0 < 2 * 64 + 32, "the worker's peak memory grew %d MiB (one Argon2id at a time: 64 MiB; "
          "eight at once would be 512)" % (hwm - rss0), False)
    r = try_login(gname, gpw, addr(71), port=gport)
    check(r.status == 200 and r.elapsed < 5, "after the flood a login goes through at once (no slot or thread "
          "stuck)", r)
    pings = spread(16, lambda i: send("GET", "/api/v1/ping", port=gport))
    check(all(p.status == 200 for p in pings), "and all 8 threads answer 16 concurrent pings", pings[-1])
finally:
    api.terminate()
    try:
        api.wait(15)
    except subprocess.TimeoutExpired:
        api.kill()
    for f in (site, snippet, gconf):
        try:
            os.unlink(f)
        except OSError:
            pass
    try:
        os.kill(int(open(os.path.join(RUN, "nginx.pid")).read().strip()), signal.SIGHUP)
    except (OSError, ValueError):
        pass

# ---- revocation ------------------------------------------------------------------------
N = 8 * WORKERS * THREADS   # enough requests that every thread of every worker sees them
section("revocation counts from the next request in every worker (%d requests each way)" % N)
rname, rpw, rtok = new_user("rev")
sess = login(rname, rpw)
warm = spread(N, lambda i: send("GET", "/api/v1/projects", token=rtok).status)
warm_jwt = spread(N, lambda i: send("GET", "/api/v1/projects", token=sess["access_token"]).status)
check(all(s == 200 for s in warm + warm_jwt), "the API token and the access token work (every thread caches "
      "the API token)")
ctl("token", "revoke", "--user", rname)
after = spread(N, lambda i: send("GET", "/api/v1/projects", token=rtok))
check(all(r.status == 401 for r in after), "right after `scrapeqctl token revoke`, %d requests with the API "
      "token: all 401 (no cache keeps it)" % N, next((r for r in after if r.status != 401), after[0]))
is_error(after[0], 401, "UNAUTHORIZED", "in the dialect's envelope")
after = spread(N, lambda i: send("GET", "/api/v1/projects", token=sess["access_token"]))
check(all(r.status == 401 for r in after), "and with the user's unexpired access JWT: all 401",
      next((r for r in after if r.status != 401), after[0]))
r = request("GET", "/workspace/1/jobs", token=sess["access_token"])
is_detail(r, 401, "seed 003 answers the revoked JWT 401 {\"detail\"}")
r = request("POST", "/auth/refresh", {"refresh_token": sess["refresh_token"]}, auth=False)
is_detail(r, 401, "its refresh token is 401")
sess2 = login(rname, rpw)
r = request("GET", "/api/v1/projects", token=sess2["access_token"])
check(r.status == 200, "a new login after the revocation works", r)

section("the access token carries the user's generation")
payload = json.loads(unb64url(sess2["access_token"].split(".")[1]))
gen = int(db_value("SELECT auth_gen FROM users WHERE username = %s" % harness.sql_str(rname)))
check(payload.get("gen") == gen and gen >= 1, "claim gen is users.auth_gen (%r, %d)" % (payload.get("gen"), gen),
      False)
r = request("GET", "/api/v1/projects", token=resign(sess2["access_token"]))
check(r.status == 200, "re-signed unchanged with the stack's key: accepted (control)", r)
r = request("GET", "/api/v1/projects", token=resign(sess2["access_token"], gen=gen + 1))
is_error(r, 401, "UNAUTHORIZED", "a validly signed token with another generation is 401")
r = request("GET", "/api/v1/projects", token=resign(sess2["access_token"], adm=1))
check(r.status == 200, "a signed adm claim grants nothing by itself (is_admin is read per request)", r)
pwfile = os.path.join(RUN, ".pw-" + rname)
with open(pwfile, "w") as f:
    f.write(rpw + "-new")
try:
    ctl("user", "passwd", rname, "--password-file", pwfile)
finally:
    os.unlink(pwfile)
r = request("GET", "/api/v1/projects", token=sess2["access_token"])
is_error(r, 401, "UNAUTHORIZED", "a password change ends the user's access tokens at once")

section("demotion counts from the next request in every worker")
proj = new_project()
aname, apw, atok = new_user("adm", admin=True)
ctl("member", "add", "--project", proj, "--user", aname, "--role", "viewer")
asess = login(aname, apw)
target = lambda tok: request("POST", "/api/v1/projects/%s/targets" % proj,
                             {"url": "http://example.com/%s" % uniq()}, token=tok)
r = target(atok)
check(r.status == 201, "a server administrator who is a viewer of the project may add a target (control)", r)
spread(N, lambda i: send("GET", "/api/v1/projects/%s" % proj, token=atok))
out = ctl("user", "demote", aname)
check("no longer" in out, "scrapeqctl user demote NAME", False, out)
rs = spread(N, lambda i: send("POST", "/api/v1/projects/%s/targets" % proj,
                              {"url": "http://example.com/%s" % uniq()}, token=atok))
check(all(r.status == 403 for r in rs), "right after it, %d adds with its API token: all 403" % N,
      next((r for r in rs if r.status != 403), rs[0]))
is_error(rs[0], 403, "FORBIDDEN", "in the dialect's envelope")
r = target(asess["access_token"])
is_error(r, 403, "FORBIDDEN", "and with its access token (whose adm claim still says 1): 403")
n = int(db_value("SELECT COUNT(*) FROM targets WHERE project_id = '%s'" % harness.uuid_of(proj)))
check(n == 1, "nothing was added after the demotion (%d target)" % n, False)
ctl("user", "promote", aname)
r = target(atok)
check(r.status == 201, "scrapeqctl user promote: the next request may again", r)
ghost = uniq("nobody")
rc, out = harness.ctl_with(harness.CONF, "user", "demote", ghost)
check(rc != 0 and ("no user named '%s'" % ghost) in out, "user demote of an unknown name fails saying so", False,
      "exit %d: %s" % (rc, out))
rc, out = harness.ctl_with(harness.CONF, "user", "promote")
check(rc != 0 and "missing NAME" in out, "user promote without a name is a usage error", False,
      "exit %d: %s" % (rc, out))

# ---- refresh token families -----------------------------------------------------------------
section("refresh token families: reusing a rotated refresh token revokes the family")
fname, fpw, _ = new_user("fam")
other = login(fname, fpw)                       # a second family of the same user
first = login(fname, fpw)
A = first["refresh_token"]
r = request("POST", "/auth/refresh", {"refresh_token": A}, auth=False)
check(r.status == 200, "refresh with A: 200 with B", r)
B = r.json.get("refresh_token") if r.status == 200 else ""
accB = r.json.get("access_token") if r.status == 200 else ""
check(request("GET", "/api/v1/projects", token=accB).status == 200, "B's access token works")
r = request("POST", "/auth/refresh", {"refresh_token": A}, auth=False)
is_detail(r, 401, "refresh with A again (a reuse): 401")
r = request("POST", "/auth/refresh", {"refresh_token": B}, auth=False)
is_detail(r, 401, "then B, never used, is 401 too: the family is revoked")
r = request("GET", "/api/v1/projects", token=accB)
is_error(r, 401, "UNAUTHORIZED", "and the access token issued with B is 401 at once")
live = db_value("SELECT COUNT(*) FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = %s "
                "AND t.family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = UNHEX(SHA2(%s, 256))) "
                "AND t.revoked_at IS NULL" % (harness.sql_str(fname), harness.sql_str(A)))
check(live == "0", "no token of the family is live in refresh_tokens", False, "live: %s" % live)
r = request("POST", "/auth/refresh", {"refresh_token": other["refresh_token"]}, auth=False)
check(r.status == 200, "the user's other family still refreshes", r)
if r.status == 200:
    check(request("GET", "/api/v1/projects", token=r.json["access_token"]).status == 200,
          "and its new access token works")
gen0 = db_value("SELECT auth_gen FROM users WHERE username = %s" % harness.sql_str(fname))
r = request("POST", "/auth/refresh", {"refresh_token": A}, auth=False)
is_detail(r, 401, "replaying A once more: 401")
check(db_value("SELECT auth_gen FROM users WHERE username = %s" % harness.sql_str(fname)) == gen0,
      "a replay against an already revoked family does not end the user's other sessions again", False)

# ---- logout -----------------------------------------------------------------------------------
section("POST /auth/logout ends one session: its refresh tokens, not the user's other sessions")
lname, lpw, _ = new_user("logout")
keep = login(lname, lpw)
sess = login(lname, lpw)
r = request("POST", "/auth/refresh", {"refresh_token": sess["refresh_token"]}, auth=False)
check(r.status == 200, "the session refreshes once (its family has a spent and a live token)", r)
cur = r.json.get("refresh_token") if r.status == 200 else ""
r = request("POST", "/auth/logout", {"refresh_token": cur}, auth=False)
check(r.status == 204 and not r.body, "logout with the live refresh token: 204, no body", r)
is_detail(request("POST", "/auth/refresh", {"refresh_token": cur}, auth=False), 401,
          "that refresh token is refused afterwards")
check(db_value("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = (SELECT family_id FROM refresh_tokens "
               "WHERE token_hash = UNHEX(SHA2(%s, 256))) AND revoked_at IS NULL" % harness.sql_str(cur)) == "0",
      "no token of the session's family is live", False)
r = request("POST", "/auth/refresh", {"refresh_token": keep["refresh_token"]}, auth=False)
check(r.status == 200, "the user's other session still refreshes", r)
r = request("POST", "/auth/logout", {"refresh_token": cur}, auth=False)
check(r.status == 204, "logout again with the same token: 204 (the session is over either way)", r)
r = request("POST", "/auth/logout", {"refresh_token": sess["refresh_token"]}, auth=False)
check(r.status == 204, "logout with the family's spent first token: 204", r)
r = request("POST", "/auth/logout", {"refresh_token": "sq_" + "0" * 64}, auth=False)
check(r.status == 204, "logout with a well-formed unknown token: 204, nothing said about it", r)
is_detail(request("POST", "/auth/logout", {"refresh_token": "not a token"}, auth=False), 401,
          "a malformed refresh token: 401")
is_detail(request("POST", "/auth/logout", {}, auth=False), 422, "no refresh_token: 422")
is_detail(request("POST", "/auth/logout", {"refresh_token": cur, "x": 1}, auth=False), 400,
          "an unknown member: 400, as /auth/refresh answers it")
is_detail(request("POST", "/auth/logout", raw=b"{", auth=False), 400, "a body that is not JSON: 400")
r = request("GET", "/auth/logout", auth=False)
check(r.status == 405, "GET /auth/logout: 405", r)

# ---- expired sessions -------------------------------------------------------------------------
section("a login deletes the user's sessions whose every refresh token has expired")
sname, spw, _ = new_user("expiry")


def family_rows(token):
    """Rows of the refresh-token family this token belongs to (found by its SHA-256)."""
    return int(db_value("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = (SELECT family_id FROM "
                        "refresh_tokens WHERE token_hash = UNHEX(SHA2(%s, 256)))" % harness.sql_str(token)) or 0)


def refresh(token):
    return request("POST", "/auth/refresh", {"refresh_token": token}, auth=False)


# dead: logged in and refreshed once (two rows), then both expire; half: the same, but only
# its spent first token expires, the one it was rotated to is still good.
dead_first = login(sname, spw)["refresh_token"]
r = refresh(dead_first)
dead_second = r.json.get("refresh_token") if r.status == 200 else ""
half_first = login(sname, spw)["refresh_token"]
r = refresh(half_first)
half_second = r.json.get("refresh_token") if r.status == 200 else ""
check(dead_second and half_second and family_rows(dead_first) == 2 and family_rows(half_first) == 2,
      "two sessions, each refreshed once: two rows a family", r)
dead_family = db_value("SELECT HEX(family_id) FROM refresh_tokens WHERE token_hash = UNHEX(SHA2(%s, 256))"
                       % harness.sql_str(dead_first))
db_sql("UPDATE refresh_tokens SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE family_id = UNHEX(%s)"
       % harness.sql_str(dead_family))
db_sql("UPDATE refresh_tokens SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE token_hash = UNHEX(SHA2(%s, 256))"
       % harness.sql_str(half_first))
before = refresh(dead_second)
is_detail(before, 401, "the expired session's token is refused")
login(sname, spw)
check(db_value("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = UNHEX(%s)" % harness.sql_str(dead_family))
      == "0", "the next login deleted the session whose every token had expired", False)
check(family_rows(half_first) == 2, "a session with a live token keeps both rows", False)
r = refresh(dead_second)
check((r.status, r.body) == (before.status, before.body), "the deleted token gets the same 401 as before", r)
r = refresh(half_second)
check(r.status == 200 and r.json.get("refresh_token"), "the session with a live token refreshes", r)
r = refresh(half_first)
is_detail(r, 401, "its expired, spent first token used again: 401")
check(db_value("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = (SELECT family_id FROM refresh_tokens "
               "WHERE token_hash = UNHEX(SHA2(%s, 256))) AND revoked_at IS NULL" % harness.sql_str(half_first))
      == "0", "and that reuse still revokes its session", False)
