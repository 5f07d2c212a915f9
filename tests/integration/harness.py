"""harness.py: the little the integration tests share (Python 3 stdlib only).

Every test file imports this, talks to a running stack through its nginx
(SCRAPEQ_BASE, default from $SCRAPEQ_RUN/base_url), and prints one line per check:
"ok - name" or "not ok - name" followed by "# ..." lines that show the request and
the response. tests/integration/run adds them up.

Environment:
  SCRAPEQ_RUN      the stack's state directory (default <repo>/run)
  SCRAPEQ_BASE     base URL (default: $SCRAPEQ_RUN/base_url, else http://127.0.0.1:8080/)
  SCRAPEQ_BIN_DIR  where scrapeqctl is (default <repo>)
"""

import atexit
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUN = os.path.abspath(os.environ.get("SCRAPEQ_RUN") or os.path.join(REPO, "run"))
BIN = os.environ.get("SCRAPEQ_BIN_DIR") or REPO
CONF = os.path.join(RUN, "scrapeq.conf")


def _read(name, default=None):
    try:
        with open(os.path.join(RUN, name)) as f:
            return f.read().strip()
    except OSError:
        return default


BASE = (os.environ.get("SCRAPEQ_BASE") or _read("base_url") or "http://127.0.0.1:8080/").rstrip("/")
ADMIN_TOKEN = _read("admin.token", "")
ADMIN_PASSWORD = _read("admin.password", "")
FIRST_PROJECT = _read("project.id", "")

_passed = 0
_failed = 0
_last = None          # the last exchange, shown when a check fails
_file = os.path.basename(sys.argv[0])


class Response:
    """One HTTP exchange: status, headers (lower-case names), body (JSON or text)."""

    def __init__(self, method, path, status, headers, raw, elapsed, sent=None):
        self.method = method
        self.path = path
        self.status = status
        self.headers = headers
        self.raw = raw
        self.elapsed = elapsed
        self.sent = sent
        try:
            self.json = json.loads(raw.decode("utf-8")) if raw else None
            self.is_json = raw != b""
        except (ValueError, UnicodeDecodeError):
            self.json = None
            self.is_json = False
        self.body = self.json if self.is_json else raw.decode("utf-8", "replace")

    def __iter__(self):
        # status, headers, body = request(...)
        return iter((self.status, self.headers, self.body))

    def describe(self):
        sent = ""
        if self.sent is not None:
            s = self.sent if len(self.sent) <= 300 else self.sent[:300] + b"...(%d bytes)" % len(self.sent)
            sent = " body=" + s.decode("utf-8", "replace")
        body = self.raw.decode("utf-8", "replace").rstrip("\n")
        if len(body) > 600:
            body = body[:600] + "...(%d bytes)" % len(self.raw)
        path = self.path if len(self.path) <= 200 else self.path[:200] + "...(%d bytes)" % len(self.path)
        return "%s %s%s -> %s %s (%.0f ms)" % (
            self.method, path, sent, self.status, body, self.elapsed * 1000)


def request(method, path, body=None, token=None, raw=None, headers=None, timeout=15, auth=True):
    """Sends one request through nginx. token=None uses the admin API token;
    auth=False sends no Authorization header. body is JSON-encoded; raw is sent as is.
    Returns a Response (which also unpacks as status, headers, body)."""
    global _last
    url = path if path.startswith("http") else BASE + path
    data = None
    hdrs = {}
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    if raw is not None:
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    if auth:
        hdrs["Authorization"] = "Bearer " + (ADMIN_TOKEN if token is None else token)
    hdrs.update(headers or {})
    for k in [k for k, v in hdrs.items() if v is None]:
        del hdrs[k]
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, rh, rb = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, rh, rb = e.code, e.headers, e.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
        status, rh, rb = 0, {}, ("connection error: %s" % e).encode()
    elapsed = time.monotonic() - t0
    h = {k.lower(): v for k, v in (rh.items() if rh else [])}
    _last = Response(method, path, status, h, rb, elapsed, data)
    return _last


def check(cond, name, resp=None, note=None):
    """Counts one check and prints its TAP-like line; on failure shows the exchange."""
    global _passed, _failed
    if cond:
        _passed += 1
        print("ok - %s" % name)
    else:
        _failed += 1
        print("not ok - %s" % name)
        r = resp if resp is not None else _last
        if note:
            print("#   %s" % note)
        if r is not None:
            print("#   %s" % r.describe())
    sys.stdout.flush()
    return bool(cond)


def is_error(r, status, code, name, message_has=None):
    """Checks that r is status with {"error":{"code":code,"message":str}} and nothing else."""
    e = r.json.get("error") if isinstance(r.json, dict) else None
    shape = (isinstance(e, dict) and set(r.json) == {"error"} and set(e) == {"code", "message"}
             and isinstance(e.get("message"), str) and e.get("message") != "")
    ok = r.status == status and shape and e.get("code") == code
    if ok and message_has is not None:
        for m in ([message_has] if isinstance(message_has, str) else message_has):
            if m.lower() not in e["message"].lower():
                ok = False
    note = "want %d %s" % (status, code)
    if message_has is not None:
        note += " with message naming %r" % (message_has,)
    return check(ok, name, r, note)


def is_detail(r, status, name):
    """Seed 003's envelope: status with {"detail": str}."""
    ok = (r.status == status and isinstance(r.json, dict) and set(r.json) == {"detail"}
          and isinstance(r.json["detail"], str) and r.json["detail"] != "")
    return check(ok, name, r, "want %d {\"detail\": ...}" % status)


def is_json_ct(r):
    return r.headers.get("content-type", "").split(";")[0].strip() == "application/json"


def uniq(prefix="t"):
    return "%s%s" % (prefix, uuid.uuid4().hex[:12])


def ctl(*args, check_rc=True):
    """Runs scrapeqctl -c CONF args...; returns its stdout stripped."""
    cmd = [os.path.join(BIN, "scrapeqctl"), "-c", CONF] + list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    if check_rc and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p.stdout.strip()


def new_user(prefix="user", admin=False):
    """Creates a user with a known password and an API token. Returns (name, password, token)."""
    name = uniq(prefix)
    password = uuid.uuid4().hex
    pwfile = os.path.join(RUN, ".pw-%s" % name)
    fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password)
    try:
        ctl("user", "add", name, *(["--admin"] if admin else []), "--password-file", pwfile)
    finally:
        os.unlink(pwfile)
    token = ctl("token", "create", "--user", name, "--name", "integration")
    return name, password, token


def new_project(token=None, **fields):
    """Creates a project through the API (the caller becomes its owner). Returns its id."""
    body = {"name": uniq("project ")}
    body.update(fields)
    r = request("POST", "/api/v1/projects", body, token=token)
    if r.status != 201 or not isinstance(r.json, dict) or "id" not in r.json:
        raise RuntimeError("cannot create a project: " + r.describe())
    return r.json["id"]


def new_target(project, token=None, url=None, **fields):
    body = {"url": url or (BASE + "/demo-site/")}
    body.update(fields)
    r = request("POST", "/api/v1/projects/%s/targets" % project, body, token=token)
    if r.status != 201 or not isinstance(r.json, dict) or "id" not in r.json:
        raise RuntimeError("cannot create a target: " + r.describe())
    return r.json["id"]


def login(username, password):
    r = request("POST", "/auth/login", {"username": username, "password": password}, auth=False)
    if r.status != 200 or not isinstance(r.json, dict):
        raise RuntimeError("cannot log in: " + r.describe())
    return r.json


def config_value(section, key, default=None):
    """Reads one value from the stack's scrapeq.conf."""
    cur = None
    try:
        with open(CONF) as f:
            for line in f:
                line = line.strip()
                if not line or line[0] in "#;":
                    continue
                if line.startswith("["):
                    cur = line.strip("[]").strip()
                elif cur == section and "=" in line:
                    k, v = line.split("=", 1)
                    if k.strip() == key:
                        return v.strip()
    except OSError:
        pass
    return default


def section(title):
    print("# %s" % title)
    sys.stdout.flush()


def guard(fn, name):
    """Runs fn(); an exception counts as one failed check instead of ending the file."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - a test helper reports, never hides
        check(False, "%s (raised %s: %s)" % (name, type(e).__name__, e))


@atexit.register
def _summary():
    print("# %s: %d passed, %d failed" % (_file, _passed, _failed))
    sys.stdout.flush()
    if _failed:
        os._exit(1)


def db_sql(sql):
    """Runs SQL as root on the stack's private MariaDB (to put a job into a state the
    API cannot reach without a scrape daemon). Returns the tab-separated output."""
    sock = os.path.join(RUN, "mysql", "mysqld.sock")
    p = subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "scrapeq", "-e", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("mariadb: %s" % p.stderr.strip())
    return p.stdout.strip()


def uuid_of(public_id):
    """'job_0190...' -> '0190....-....' (the UUID the database stores)."""
    h = public_id.split("_", 1)[1]
    return "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


def stack(*args):
    """Runs scripts/stack with this run directory. Returns (exit code, output)."""
    env = dict(os.environ, SCRAPEQ_RUN=RUN, SCRAPEQ_NO_BUILD="1")
    p = subprocess.run([os.path.join(REPO, "scripts", "stack")] + list(args), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    return p.returncode, p.stdout


TS_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$"
