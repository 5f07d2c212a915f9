"""harness.py: the little the integration tests share (Python 3 stdlib only).

Every test file imports this, talks to a running stack through its nginx
(SCRAPEQ_BASE, default from $SCRAPEQ_RUN/base_url), and prints one line per check:
"ok - name" or "not ok - name" followed by "# ..." lines that show the request and
the response. tests/integration/run adds them up.

The second half (after "scrape daemon tests") serves the daemon files: Daemon starts
and stops scrapeqd processes with their own configs, create_job/release set crawl
options in MariaDB before a daemon can claim a job, job_results/job_errors/job_logs/
job_events read what a crawl wrote.

Environment:
  SCRAPEQ_RUN      the stack's state directory (default <repo>/run)
  SCRAPEQ_BASE     base URL (default: $SCRAPEQ_RUN/base_url, else http://127.0.0.1:8080/)
  SCRAPEQ_BIN_DIR  where scrapeqctl and scrapeqd are (default <repo>)
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
    """Counts one check and prints its TAP-like line; on failure shows the exchange
    (resp, else the last request made; resp=False shows none)."""
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
        if r is not None and r is not False:
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


def ctl_with(conf, *args):
    """Runs scrapeqctl -c conf args...; returns (exit code, stdout and stderr)."""
    p = subprocess.run([os.path.join(BIN, "scrapeqctl"), "-c", conf] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    return p.returncode, p.stdout.strip()


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


def workspace_of(project, token=None):
    """Seed 003's workspace number of a project, as the canonical API shows it (workspace_id)."""
    r = request("GET", "/api/v1/projects/%s" % project, token=token)
    if r.status != 200 or not isinstance(r.json, dict) or not isinstance(r.json.get("workspace_id"), int):
        raise RuntimeError("cannot read the project's workspace_id: " + r.describe())
    return r.json["workspace_id"]


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


# Job types the API suite creates besides scrape; /bin/cat hands the job back as its result.
HANDLED = ["data_processing", "data_analysis", "batch_analysis"]


def has_handlers():
    with open(CONF) as f:
        return "\n[handlers]\n" in "\n" + f.read()


def ensure_handlers():
    """Gives the stack's scrapeq.conf a [handlers] section for HANDLED (the API refuses
    job types nothing would run) and restarts the stack if it had none; scrapeqd is left
    as it was. Returns True when the section is there."""
    global ADMIN_TOKEN
    if has_handlers():
        return True
    with open(CONF, "a") as f:
        f.write("\n[handlers]\n" + "".join("%s = /bin/cat\n" % t for t in HANDLED))
    daemon_was = _re.search(r"^scrapeqd:\s+running", stack("status")[1], _re.M) is not None
    rc, out = stack("down")
    check(rc == 0, "scripts/stack down", False, out[-500:])
    os.environ["SCRAPEQ_NO_DAEMON"] = "0" if daemon_was else "1"
    rc, out = stack("up")
    check(rc == 0, "scripts/stack up with [handlers]", False, out[-500:])
    ADMIN_TOKEN = open(os.path.join(RUN, "admin.token")).read().strip()
    return has_handlers()


TS_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$"


# --- scrape daemon tests --------------------------------------------------------------
#
# The files that need scrapeqd (they say "# integration: daemon" near the top, and
# tests/integration/run picks them with --daemon) start the daemons they need
# themselves, each with its own --id and a config written from the stack's
# scrapeq.conf with a [daemon] section of their own (daemon_conf), and stop them at
# exit. They need no other scrapeqd working the stack's queue: Daemon.exclusive()
# stops the stack's own (scripts/stack daemon-stop) and starts it again at exit.

import re as _re
import signal as _signal

DAEMON_DEFAULTS = {
    "concurrency": "32",
    "per_host_connections": "8",
    "max_jobs": "8",
    "claim_batch": "8",
    "lease_seconds": "6",
    "grace_seconds": "3",
    "flush_ms": "200",
    "retry_backoff_seconds": "1",
    "timeout": "10",
    "max_redirects": "5",
    "max_body": "65536",
    "user_agent": "scrapeq/0.1 (+integration)",
    "allow_networks": "127.0.0.0/8",
}


def sql_str(s):
    """A MariaDB string literal for s (backslash and quote escaped); None is NULL."""
    if s is None:
        return "NULL"
    return "'" + str(s).replace("\\", "\\\\").replace("'", "\\'").replace("\0", "\\0") + "'"


_ESC = {"n": "\n", "t": "\t", "0": "\0", "\\": "\\"}


def _unescape(v):
    """Undoes the mariadb client's batch-mode escapes (\\n \\t \\0 \\\\)."""
    return _re.sub(r"\\(.)", lambda m: _ESC.get(m.group(1), "\\" + m.group(1)), v)


def db_rows(sql):
    """Rows of a query as lists of strings (None for NULL), from the batch output."""
    sock = os.path.join(RUN, "mysql", "mysqld.sock")
    p = subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "scrapeq", "-e", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("mariadb: %s" % p.stderr.strip())
    out = p.stdout[:-1] if p.stdout.endswith("\n") else p.stdout
    rows = []
    for line in out.split("\n") if out else []:
        row = []
        for v in line.split("\t"):
            row.append(None if v == "NULL" else _unescape(v))
        rows.append(row)
    return rows


def db_value(sql):
    rows = db_rows(sql)
    return rows[0][0] if rows and rows[0] else None


def daemon_conf(name, **overrides):
    """Writes $RUN/daemon-<name>.conf: the stack's config with its [daemon] section
    replaced by DAEMON_DEFAULTS updated with overrides (a value of None drops the key).
    Returns the path."""
    keys = dict(DAEMON_DEFAULTS)
    keys.update(overrides)
    out, skip = [], False
    with open(CONF) as f:
        for line in f:
            s = line.strip()
            if s.startswith("[") and s.endswith("]"):
                skip = s == "[daemon]"
            if not skip:
                out.append(line.rstrip("\n"))
    out.append("")
    out.append("[daemon]")
    for k, v in keys.items():
        if v is not None:
            out.append("%s = %s" % (k, v))
    path = os.path.join(RUN, "daemon-%s.conf" % name)
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(path + ".tmp", path)
    return path


class Daemon:
    """One scrapeqd this test started: Daemon(id, conf).start(), .stop(), .kill()."""

    started = []
    killed = []      # ids of daemons kill() ended, marked stopped at exit

    def __init__(self, did, conf=None, **overrides):
        self.id = did
        self.conf = conf or daemon_conf(did, **overrides)
        self.log = os.path.join(RUN, "daemon-%s.log" % did)
        self.proc = None

    def start(self, wait=True):
        exe = os.path.join(BIN, "scrapeqd")
        if not os.access(exe, os.X_OK):
            raise RuntimeError("%s is not built" % exe)
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([exe, "-c", self.conf, "--id", self.id], stdin=subprocess.DEVNULL,
                                     stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        logf.close()
        Daemon.started.append(self)
        if wait and not wait_for(lambda: self.registered() or not self.alive(), 15):
            raise RuntimeError("scrapeqd %s did not register within 15 s (log: %s)" % (self.id, self.log))
        if not self.alive():
            raise RuntimeError("scrapeqd %s exited at start: %s" % (self.id, self.tail()))
        return self

    def registered(self):
        return db_value("SELECT COUNT(*) FROM daemons WHERE id = %s AND stopped_at IS NULL "
                        "AND heartbeat_at > NOW(6) - INTERVAL 60 SECOND" % sql_str(self.id)) == "1"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def stop(self, timeout=30):
        """SIGTERM, then wait; SIGKILL after timeout. Returns the exit code (None if killed)."""
        if self.proc is None:
            return None
        if self.alive():
            os.kill(self.proc.pid, _signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, _signal.SIGKILL)
            self.proc.wait(10)
            return None

    def kill(self):
        """kill -9, as a crash."""
        if self.alive():
            os.kill(self.proc.pid, _signal.SIGKILL)
            self.proc.wait(10)
            Daemon.killed.append(self.id)

    def tail(self, n=20):
        try:
            with open(self.log, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def log_text(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    @staticmethod
    def any_alive():
        return any(d.alive() for d in Daemon.started)

    @staticmethod
    def stop_all():
        for d in Daemon.started:
            if d.alive():
                d.stop(20)

    _stack_daemon_stopped = False

    @staticmethod
    def exclusive():
        """Makes sure no scrapeqd but the ones this file starts works the queue: the
        stack's own is stopped (and started again at exit). Raises if another daemon
        still heartbeats."""
        pid = _read("scrapeqd.pid")
        if pid and os.path.exists("/proc/%s" % pid.strip()):
            rc, out = stack("daemon-stop")
            if rc != 0:
                raise RuntimeError("scripts/stack daemon-stop: " + out)
            Daemon._stack_daemon_stopped = True
        live = db_value("SELECT GROUP_CONCAT(id) FROM daemons WHERE stopped_at IS NULL "
                        "AND heartbeat_at > NOW(6) - INTERVAL 15 SECOND")
        if live:
            raise RuntimeError("other scrapeqd processes are working this stack's queue: %s" % live)
        # Jobs an earlier file (or an earlier, interrupted run) left queued would be
        # claimed along with this file's: cancel them first.
        left = db_value("SELECT COUNT(*) FROM job_queue")
        if left and left != "0":
            db_sql("UPDATE jobs SET status = 'cancelled', cancelled_at = NOW(6), updated_at = NOW(6) "
                   "WHERE status IN ('pending', 'running') AND id IN (SELECT job_id FROM job_queue)")
            db_sql("DELETE FROM job_queue")
            print("# cancelled %s job(s) left in the queue by an earlier run" % left)
        db_sql("UPDATE jobs SET status = 'cancelled', cancelled_at = NOW(6), lease_owner = NULL, "
               "lease_expires_at = NULL, updated_at = NOW(6) WHERE status = 'running'")


@atexit.register
def _daemons_cleanup():
    Daemon.stop_all()
    # A daemon killed -9 heartbeated until it died: its row would look alive to the next
    # file's Daemon.exclusive() for another 15 s. Nothing of it runs any more.
    for name in Daemon.killed:
        try:
            db_sql("UPDATE daemons SET stopped_at = NOW(6) WHERE id = %s AND stopped_at IS NULL" % sql_str(name))
        except Exception as exc:      # cleanup: say so, never hide the file's own result
            print("# could not mark killed daemon %s stopped: %s" % (name, exc))
    if Daemon._stack_daemon_stopped:
        stack("daemon-start")


def wait_for(fn, timeout, interval=0.1):
    """Calls fn until it returns something true or timeout seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def job_uuid(job):
    return uuid_of(job) if job.startswith("job_") else job


def create_job(project, target_ids=None, config=None, max_retries=None, priority=None, hold=False):
    """Creates a job through the API with its crawl options (config, as a client sends
    it: timeout in ms), then sets what the v1 API does not take straight in MariaDB:
    max_retries, priority. hold=True keeps it unclaimable (job_queue.run_after a day
    ahead) until release(). Those must be set before a daemon can claim the job, so
    with them (or hold) no daemon this file started may be running. Returns the job id."""
    body = {}
    if target_ids is not None:
        body["target_ids"] = target_ids
    if config:
        body["config"] = config
    if (max_retries is not None or priority is not None or hold) and Daemon.any_alive():
        raise RuntimeError("create_job with options while a scrapeqd of this test runs: it could claim "
                           "the job before its options are set")
    r = request("POST", "/api/v1/projects/%s/jobs" % project, body)
    if r.status != 201 or not isinstance(r.json, dict):
        raise RuntimeError("cannot create a job: " + r.describe())
    jid = r.json["id"]
    u = sql_str(uuid_of(jid))
    if hold:
        db_sql("UPDATE job_queue SET run_after = NOW(6) + INTERVAL 1 DAY WHERE job_id = %s" % u)
    sets = []
    if max_retries is not None:
        sets.append("max_retries = %d" % max_retries)
    if priority is not None:
        sets.append("priority = %d" % priority)
        db_sql("UPDATE job_queue SET priority = %d WHERE job_id = %s" % (priority, u))
    if sets:
        db_sql("UPDATE jobs SET %s WHERE id = %s" % (", ".join(sets), u))
    return jid


def release(job):
    """Makes a held job claimable now."""
    db_sql("UPDATE job_queue SET run_after = NOW(6) WHERE job_id = %s" % sql_str(job_uuid(job)))


def job_row(job):
    """The job's row from MariaDB as a dict (JSON columns parsed)."""
    cols = ["status", "retry_count", "max_retries", "total_targets", "completed_targets", "total_results",
            "lease_owner", "lease_expires_at", "started_at", "completed_at", "cancelled_at", "stats", "error",
            "cancel_requested", "current_target", "config", "priority"]
    rows = db_rows("SELECT %s FROM jobs WHERE id = %s" % (", ".join(cols), sql_str(job_uuid(job))))
    if not rows:
        return None
    d = dict(zip(cols, rows[0]))
    for k in ("stats", "error", "config"):
        if d[k] is not None:
            try:
                d[k] = json.loads(d[k])
            except ValueError:
                pass
    for k in ("retry_count", "max_retries", "total_targets", "completed_targets", "total_results",
              "cancel_requested", "priority"):
        if d[k] is not None:
            d[k] = int(d[k])
    return d


TERMINAL = ("completed", "failed", "cancelled")


def wait_job(job, timeout=120, statuses=TERMINAL):
    """Polls the job's status in MariaDB until it is one of statuses; returns the row."""
    def done():
        row = job_row(job)
        return row if row and row["status"] in statuses else None
    return wait_for(done, timeout, 0.2) or job_row(job)


def job_results(job):
    """{url: row dict} of the job's results, from MariaDB."""
    cols = ["url", "status_code", "content_type", "bytes", "depth", "title", "description", "canonical_url",
            "links_count", "images_count", "products_count", "data", "target_id", "fetch_ms"]
    out = {}
    for row in db_rows("SELECT %s FROM results WHERE job_id = %s" % (", ".join(cols), sql_str(job_uuid(job)))):
        d = dict(zip(cols, row))
        for k in ("status_code", "bytes", "depth", "links_count", "images_count", "products_count", "fetch_ms"):
            if d[k] is not None:
                d[k] = int(d[k])
        if d["data"] is not None:
            try:
                d["data"] = json.loads(d["data"])
            except ValueError:
                pass
        out[d["url"]] = d
    return out


def job_errors(job):
    """{url: (kind, status_code, message)} of the job's crawl_errors, from MariaDB."""
    out = {}
    for url, kind, status, msg in db_rows("SELECT url, kind, status_code, message FROM crawl_errors "
                                          "WHERE job_id = %s" % sql_str(job_uuid(job))):
        out[url] = (kind, int(status) if status not in (None, "") else None, msg)
    return out


def job_logs(job):
    """[(level, message)] of the job, oldest first."""
    return [(l, m) for l, m in db_rows("SELECT level, message FROM job_logs WHERE job_id = %s ORDER BY id"
                                       % sql_str(job_uuid(job)))]


def job_events(job):
    """[(type, data dict)] of the job, oldest first."""
    out = []
    for t, d in db_rows("SELECT type, data FROM job_events WHERE job_id = %s ORDER BY id" % sql_str(job_uuid(job))):
        try:
            out.append((t, json.loads(d)))
        except ValueError:
            out.append((t, d))
    return out


def duplicate_results(job=None):
    """(job, url_hash, n) rows that occur more than once: must be none."""
    where = "WHERE job_id = %s " % sql_str(job_uuid(job)) if job else ""
    return db_rows("SELECT job_id, HEX(url_hash), COUNT(*) FROM results %sGROUP BY job_id, url_hash "
                   "HAVING COUNT(*) > 1" % where)


def api_list(path, limit=1000):
    """Every item of a paginated list endpoint (follows "next"), or None when the
    endpoint does not answer 200. Accepts {"items"|"results"|"data"|"errors": [...]}."""
    items, url, pages = [], path, 0
    while url and pages < 100:
        r = request("GET", url)
        if r.status != 200 or not isinstance(r.json, dict):
            return None
        got = None
        for k in ("items", "results", "data", "errors"):
            if isinstance(r.json.get(k), list):
                got = r.json[k]
                break
        if got is None:
            return None
        items.extend(got)
        nxt = r.json.get("next")
        if isinstance(nxt, str) and nxt:
            url = nxt if nxt.startswith("/") or nxt.startswith("http") else path.split("?")[0] + nxt
        else:
            url = None
        pages += 1
    return items
