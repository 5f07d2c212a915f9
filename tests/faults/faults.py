"""faults.py: what the fault files share, on top of tests/integration/harness.py.

Dialect clients that create jobs with a marker the test can find in MariaDB whatever
the answer was, the check that a job is whole, the envelope of each dialect's 503,
the API's worker processes and their threads, MariaDB killed and started again, and
the figures line each file prints ("# figures: ..."), which tests/faults/run repeats.
"""

import atexit
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

import harness  # noqa: E402
from harness import RUN, db_rows, db_value, request, sql_str, stack, uniq, uuid_of  # noqa: E402,F401


def figures(name, **values):
    """Prints one line of measured figures, e.g. '# figures: durable: acknowledged=812 ...'."""
    parts = []
    for k, v in values.items():
        parts.append("%s=%s" % (k, ("%.3f" % v).rstrip("0").rstrip(".") if isinstance(v, float) else v))
    print("# figures: %s: %s" % (name, " ".join(parts)))
    sys.stdout.flush()


def pct(values, p):
    """The p-th percentile (nearest rank) of values; 0 when empty."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


# --- each dialect's 503 -------------------------------------------------------------

def unavailable(r):
    """True when r is a 503 in the envelope of the dialect its path belongs to."""
    j = r.json if isinstance(r.json, dict) else None
    if r.status != 503 or j is None:
        return False
    p = r.path.split("?")[0]
    if p.startswith("/api/scrape-jobs"):
        return j.get("success") is False and isinstance(j.get("error"), str) and j["error"] != ""
    if p.startswith("/v1/"):
        e = j.get("errors")
        return (isinstance(e, list) and len(e) == 1 and isinstance(e[0], dict)
                and e[0].get("code") == "service_unavailable")
    if p.startswith("/api/v1/"):
        e = j.get("error")
        return set(j) == {"error"} and isinstance(e, dict) and e.get("code") == "SERVICE_UNAVAILABLE"
    # seed 003 (/workspace, /jobs, /auth) and seed 004 (/api/jobs, /api/sampling): {"detail"}
    return set(j) == {"detail"} and isinstance(j["detail"], str) and j["detail"] != ""


# --- creating jobs in several dialects, each with a marker ---------------------------

class Tenant:
    """A project with one target and a daily job limit high enough for a stream of creates."""

    def __init__(self, name="faults"):
        self.project = harness.new_project(name=uniq(name + " "))
        self.target = harness.new_target(self.project)
        self.workspace = harness.workspace_of(self.project)
        r = request("PATCH", "/api/v1/projects/%s" % self.project, {"daily_job_limit": 1000000})
        if r.status != 200:
            raise RuntimeError("cannot raise the daily job limit: " + r.describe())


class Attempt:
    """One create as the client saw it: the dialect, its marker, the answer."""

    def __init__(self, dialect, marker, project):
        self.dialect = dialect
        self.marker = marker
        self.project = project
        self.status = None     # HTTP status; 0 = no answer (connection error or timeout)
        self.job = None        # the job id the answer named (acknowledged creates)
        self.resp = None
        self.t0 = self.t1 = None

    @property
    def acked(self):
        return self.status == 201 and self.job is not None

    @property
    def answered(self):
        return self.status not in (None, 0)


def create(dialect, tenant, timeout=15):
    """One create in dialect (v1, scrapejobs, workspace) in tenant's project. v1 jobs are
    project runs (one active per project), so a v1 create first makes a project and a
    target of its own: those writes are acknowledged too and are returned as the
    Attempt's .setup (a list of (kind, Response))."""
    marker = uniq("m")
    a = Attempt(dialect, marker, tenant.project if tenant else None)
    a.setup = []
    if dialect == "v1":
        r = request("POST", "/api/v1/projects", {"name": "faults " + marker}, timeout=timeout)
        a.setup.append(("project", r, "faults " + marker))
        if r.status != 201:
            a.status, a.resp = None, r   # not attempted: no job create was sent
            return a
        a.project = r.json["id"]
        r = request("POST", "/api/v1/projects/%s/targets" % a.project,
                    {"url": harness.BASE + "/demo-site/" + marker}, timeout=timeout)
        a.setup.append(("target", r, a.project))
        if r.status != 201:
            a.status, a.resp = None, r
            return a
        a.t0 = time.monotonic()
        r = request("POST", "/api/v1/projects/%s/jobs" % a.project,
                    {"target_ids": [r.json["id"]], "config": {"userAgent": marker}}, timeout=timeout)
        if r.status == 201 and isinstance(r.json, dict):
            a.job = r.json.get("id")
    elif dialect == "scrapejobs":
        a.t0 = time.monotonic()
        r = request("POST", "/api/scrape-jobs", {"domain_id": tenant.target, "project_id": tenant.project,
                                                 "metadata": {"m": marker}}, timeout=timeout)
        if r.status == 201 and isinstance(r.json, dict):
            a.job = (r.json.get("data") or {}).get("id")
    elif dialect == "workspace":
        a.t0 = time.monotonic()
        r = request("POST", "/workspace/%d/jobs" % tenant.workspace,
                    {"job_type": "domain_scrape", "workspace_id": tenant.workspace,
                     "metadata": {"domain": harness.BASE + "/demo-site/", "m": marker}}, timeout=timeout)
        if r.status == 201 and isinstance(r.json, dict):
            a.job = r.json.get("job_id")
    else:
        raise ValueError(dialect)
    a.t1 = time.monotonic()
    a.status, a.resp = r.status, r
    return a


def job_uuid_any(jid):
    """The canonical UUID of a job id as any dialect shows it."""
    if jid.startswith("job_"):
        return uuid_of(jid)
    return jid


def find_jobs(attempts):
    """{marker: job uuid} for the attempts whose job exists in MariaDB, found by marker
    (v1: the job's config.userAgent in its own project; others: metadata.m)."""
    found = {}
    v1 = [a for a in attempts if a.dialect == "v1" and a.project]
    other = [a for a in attempts if a.dialect != "v1"]
    for chunk in _chunks(v1, 200):
        projects = ",".join(sql_str(uuid_of(a.project)) for a in chunk)
        for u, m in db_rows("SELECT id, JSON_VALUE(config, '$.userAgent') FROM jobs WHERE project_id IN (%s)"
                            % projects):
            found[m] = u
    projects = sorted({a.project for a in other})
    for p in projects:
        for u, m in db_rows("SELECT id, JSON_VALUE(metadata, '$.m') FROM jobs WHERE project_id = %s"
                            % sql_str(uuid_of(p))):
            if m is not None:
                found[m] = u
    return found


def _chunks(xs, n):
    for i in range(0, len(xs), n):
        yield xs[i:i + n]


def whole_many(job_uuids):
    """{uuid: None when the job is whole as a create leaves it (its row, every target
    row, the queue row while pending, the 'created' event, the first log line, the
    audit row), else a sentence saying what is missing}. One query per 500 jobs."""
    out = {}
    ids = sorted({u.lower() for u in job_uuids})
    for chunk in _chunks(ids, 500):
        lst = ",".join(sql_str(u) for u in chunk)
        rows = db_rows(
            "SELECT j.id, j.status, j.total_targets, "
            "(SELECT COUNT(*) FROM job_targets WHERE job_id = j.id), "
            "(SELECT COUNT(*) FROM job_queue WHERE job_id = j.id), "
            "(SELECT COUNT(*) FROM job_events WHERE job_id = j.id AND type = 'created'), "
            "(SELECT COUNT(*) FROM job_logs WHERE job_id = j.id), "
            "(SELECT COUNT(*) FROM audit_log WHERE entity_type = 'job' AND entity_id = CAST(j.id AS CHAR) "
            "AND action = 'create') FROM jobs j WHERE j.id IN (%s)" % lst)
        seen = set()
        for u, st, total, targets, queued, created, logs, audit in rows:
            seen.add(u.lower())
            bad = []
            if int(total) < 1 or int(targets) != int(total):
                bad.append("targets %s of %s" % (targets, total))
            if st == "pending" and queued != "1":
                bad.append("pending without its queue row")
            if created != "1":
                bad.append("%s 'created' events" % created)
            if int(logs) < 1:
                bad.append("no log line")
            if audit != "1":
                bad.append("%s audit rows" % audit)
            out[u.lower()] = "; ".join(bad) or None
        for u in chunk:
            if u not in seen:
                out[u] = "no job row"
    return out


def whole(job_uuid):
    """whole_many for one job."""
    return whole_many([job_uuid])[job_uuid.lower()]


def existing(table, uuids):
    """The subset of uuids that are ids of rows in table (projects, targets, jobs)."""
    have = set()
    for chunk in _chunks(sorted({u.lower() for u in uuids}), 500):
        for (u,) in db_rows("SELECT id FROM %s WHERE id IN (%s)" % (table, ",".join(sql_str(u) for u in chunk))):
            have.add(u.lower())
    return have


def orphans(projects):
    """Rows of the given projects' jobs that point at no job (job_targets, job_queue,
    job_events, job_logs): a half-written create would leave some. Returns a count."""
    return int(db_value(
        "SELECT (SELECT COUNT(*) FROM job_targets t LEFT JOIN jobs j ON j.id = t.job_id WHERE j.id IS NULL) + "
        "(SELECT COUNT(*) FROM job_queue q LEFT JOIN jobs j ON j.id = q.job_id WHERE j.id IS NULL) + "
        "(SELECT COUNT(*) FROM job_events e LEFT JOIN jobs j ON j.id = e.job_id WHERE j.id IS NULL) + "
        "(SELECT COUNT(*) FROM job_logs l LEFT JOIN jobs j ON j.id = l.job_id WHERE j.id IS NULL)") or 0)


class Load:
    """Threads that repeat fn(i) until stop(); every result is appended to .results
    (fn returns one item or a list). Exceptions are kept in .errors."""

    def __init__(self, fn, threads):
        self.fn = fn
        self.results = []
        self.errors = []
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, i):
        while not self.done.is_set():
            try:
                r = self.fn(i)
            except Exception as e:  # noqa: BLE001 - reported by the test
                with self.lock:
                    self.errors.append("%s: %s" % (type(e).__name__, e))
                time.sleep(0.05)
                continue
            with self.lock:
                if isinstance(r, list):
                    self.results.extend(r)
                else:
                    self.results.append(r)

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self, timeout=30):
        self.done.set()
        for t in self.threads:
            t.join(timeout)
        return self.results


# --- the API's processes --------------------------------------------------------------

def api_pid():
    try:
        with open(os.path.join(RUN, "api.pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def api_workers():
    """The supervisor's children (the workers), sorted."""
    pid = api_pid()
    if pid is None:
        return []
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], stdout=subprocess.PIPE, text=True).stdout
    return sorted(int(x) for x in out.split())


def thread_writes():
    """{(worker pid, thread id): bytes written} for every thread of every worker (from
    /proc/<pid>/task/<tid>/io): a thread that answered a request wrote to its socket."""
    out = {}
    for pid in api_workers():
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for tid in tids:
            try:
                with open("/proc/%d/task/%s/io" % (pid, tid)) as f:
                    for line in f:
                        if line.startswith("wchar:"):
                            out[(pid, int(tid))] = int(line.split()[1])
            except OSError:
                pass
    return out


# --- MariaDB killed and started again ---------------------------------------------------

DATADIR = os.path.join(RUN, "mysql", "data")


def db_pid():
    """The stack's mariadbd pid, checked against its command line (--datadir of this run)."""
    try:
        with open(os.path.join(RUN, "mysql.pid")) as f:
            pid = int("".join(c for c in f.read() if c.isdigit()))
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode()
    except (OSError, ValueError):
        return None
    return pid if "--datadir=" + DATADIR in cmd else None


def db_kill():
    """kill -9 of the stack's mariadbd; returns once it is gone. Returns its pid."""
    pid = db_pid()
    if pid is None:
        raise RuntimeError("the stack's mariadbd is not running")
    os.kill(pid, signal.SIGKILL)
    for _ in range(200):
        if not os.path.exists("/proc/%d" % pid):
            break
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except OSError:
            break
        time.sleep(0.05)
    return pid


def db_start():
    """scripts/stack db-start: mariadbd again with the stack's own arguments (datadir,
    socket, pid file, logs). Returns (exit code, output)."""
    return stack("db-start")


def restore_stack():
    """Starts MariaDB and scrapeq-events again if a file left them down (an exception
    between a kill and its restart): the next file needs them. Registered at exit."""
    if db_pid() is None:
        stack("db-start")
    if not os.path.exists(os.path.join(RUN, "events.sock")):
        stack("events-start")


atexit.register(restore_stack)


def durability():
    """MariaDB's durability settings as a dict of strings."""
    names = ["innodb_flush_log_at_trx_commit", "log_bin", "sync_binlog", "innodb_doublewrite",
             "innodb_flush_method"]
    row = db_rows("SELECT " + ", ".join("@@%s" % n for n in names))[0]
    return dict(zip(names, row))
