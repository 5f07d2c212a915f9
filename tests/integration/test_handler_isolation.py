#!/usr/bin/python3
"""test_handler_isolation.py: the daemon's blast radius. A handler command (a [handlers]
job type) inherits only stdin, stdout and stderr; when scrapeqd runs as root it runs as
[daemon] handler_user, with no capability, / as its directory and a small environment,
and cannot read the database password file, the JWT key file or scrapeqd's environment.
A handler_user that is root, or that does not exist, fails the job and never runs the
command. scrapeqd's own descriptors are close-on-exec, and a selector worker holds only
its pipes and stderr.
"""
# integration: daemon

import atexit
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid

import harness
import testsite
from harness import (BIN, CONF, RUN, Daemon, config_value, create_job, db_rows, db_sql, new_project, new_target, release,
                     section, sql_str, uuid_of, wait_for, wait_job)

O_CLOEXEC = 0o2000000


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


def uuid7():
    ms = int(time.time() * 1000)
    rnd = int.from_bytes(os.urandom(10), "big")
    v = (ms << 80) | (0x7 << 76) | ((rnd >> 68) & 0xFFF) << 64 | (0b10 << 62) | (rnd & ((1 << 62) - 1))
    return str(uuid.UUID(int=v))


def abs_secret(key_section, key):
    v = config_value(key_section, key)
    return v if v is None or v.startswith("/") else os.path.join(os.path.dirname(CONF), v)


ROOT = os.geteuid() == 0
HUSER = "nobody"
PW_FILE = abs_secret("database", "password_file")
KEY_FILE = abs_secret("auth", "jwt_key_file")
with open(PW_FILE) as f:
    PASSWORD = f.read().strip()

# The probe runs as HUSER: it and its directory must be readable by that user.
HDIR = tempfile.mkdtemp(prefix="sqiso.")
os.chmod(HDIR, 0o755)
atexit.register(shutil.rmtree, HDIR, True)
PROBE = os.path.join(HDIR, "probe.py")
with open(PROBE, "w") as f:
    f.write('''import json, os, sys
sys.stdin.read()
fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))   # the listing's own descriptor included


def tryread(path):
    try:
        with open(path, "rb") as f:
            f.read()
        return "read"
    except OSError as e:
        return "denied: " + e.strerror


caps = {}
with open("/proc/self/status") as f:
    for line in f:
        if line.startswith(("CapInh", "CapPrm", "CapEff", "CapAmb")):
            k, v = line.split(":")
            caps[k] = int(v.strip(), 16)
print(json.dumps({"fds": fds, "uid": [os.getuid(), os.geteuid()], "gid": [os.getgid(), os.getegid()],
                  "groups": os.getgroups(), "password_file": tryread(sys.argv[1]),
                  "jwt_key_file": tryread(sys.argv[2]),
                  "daemon_environ": tryread("/proc/%d/environ" % os.getppid()),
                  "env": dict(os.environ), "argv": sys.argv, "cwd": os.getcwd(), "caps": caps}))
''')
os.chmod(PROBE, 0o644)
PROBE_CMD = "/usr/bin/python3 %s %s %s" % (PROBE, PW_FILE, KEY_FILE)

Daemon.exclusive()
TOKEN = os.urandom(4).hex()
project = new_project(name="handler-isolation")
pu = uuid_of(project)
# A crawl with selectors, held until the daemon runs: it starts a selector worker.
site = testsite.ensure()
crawl = create_job(project, [new_target(project, url=site.origin("tidy") + "/")],
                   {"depth": 0, "ignoreSitemap": True, "selectors": {"heading": "//h1"},
                    "userAgent": "scrapeq/0.1 (isolation-test %s)" % TOKEN}, max_retries=0, hold=True)


def daemon_with(name, user):
    conf = harness.daemon_conf("iso-%s-%s" % (name, TOKEN), handler_timeout="20", max_jobs="4",
                               handler_user=user)
    with open(conf, "a") as f:
        f.write("\n[handlers]\nhx_probe = %s\n" % PROBE_CMD)
    return Daemon("iso-%s-%s" % (name, TOKEN), conf=conf)


def queue_job(jtype="hx_probe"):
    jid = uuid7()
    db_sql("INSERT INTO jobs (id, project_id, type, status, source, config, max_retries) "
           "VALUES (%s, %s, %s, 'pending', 'api', '{}', 0); "
           "INSERT INTO job_queue (job_id, priority, run_after) VALUES (%s, 5, NOW(6))"
           % (sql_str(jid), sql_str(pu), sql_str(jtype), sql_str(jid)))
    return jid


def row(jid):
    r = db_rows("SELECT status, result, error FROM jobs WHERE id = %s AND lease_owner IS NULL" % sql_str(jid))
    return r[0] if r else [None] * 3


def ended(jid):
    return wait_for(lambda: row(jid)[0] in ("completed", "failed", "cancelled"), 30)


def leaky_fds(pid):
    out = []
    for n in os.listdir("/proc/%d/fdinfo" % pid):
        try:
            with open("/proc/%d/fdinfo/%s" % (pid, n)) as f:
                flags = next(int(l.split()[1], 8) for l in f if l.startswith("flags:"))
            target = os.readlink("/proc/%d/fd/%s" % (pid, n))
        except (OSError, StopIteration):
            continue
        if int(n) > 2 and not flags & O_CLOEXEC:
            out.append((int(n), target))
    return out


# A variable in scrapeqd's environment that must not reach the handler.
CANARY = "canary-" + TOKEN
os.environ["SCRAPEQ_TEST_CANARY"] = CANARY
section("a handler inherits stdin, stdout, stderr only, and runs as handler_user")
d = daemon_with("ok", HUSER).start()
del os.environ["SCRAPEQ_TEST_CANARY"]
j = queue_job()
check(ended(j), "the probe job ends")
st, result, error = row(j)
check(st == "completed", "it completed", note="%s %s" % (st, error))
got = json.loads(result) if result else {}
check(got.get("fds") == [0, 1, 2, 3],
      "its /proc/self/fd lists 0, 1, 2 and the listing's own descriptor, nothing of scrapeqd's",
      note=str(got.get("fds")))
want = pwd.getpwnam(HUSER) if ROOT else pwd.getpwuid(os.geteuid())
check(got.get("uid") == [want.pw_uid] * 2 and got.get("gid") == [want.pw_gid] * 2,
      "its uid and gid are %s's (%d, %d), real and effective" % (want.pw_name, want.pw_uid, want.pw_gid),
      note="uid %s gid %s" % (got.get("uid"), got.get("gid")))
if ROOT:
    check(0 not in got.get("groups", [0]), "no supplementary group 0", note=str(got.get("groups")))
    check(all(v == 0 for v in got.get("caps", {"x": 1}).values()) and len(got.get("caps", {})) == 4,
          "no capability: inheritable, permitted, effective and ambient sets are empty", note=str(got.get("caps")))
    for k in ("password_file", "jwt_key_file", "daemon_environ"):
        check(got.get(k, "").startswith("denied"), "it cannot read the %s (%s)" % (k.replace("_", " "), got.get(k)))
else:
    check(True, "scrapeqd is not root: the handler shares its uid (README); the read checks need root (skipped)")
env = got.get("env", {})
check(set(env) <= {"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ"} and "PATH" in env,
      "its environment is PATH, HOME, USER, LOGNAME (and LANG, LC_ALL, TZ): %s" % sorted(env))
check(CANARY not in json.dumps(env), "a variable of scrapeqd's environment does not reach it")
check(PASSWORD not in (result or ""), "the database password is nowhere in its environment, argv or output")
check(got.get("cwd") == "/", "its directory is / (%s)" % got.get("cwd"))
logs = [m for (m,) in db_rows("SELECT message FROM job_logs WHERE job_id = %s ORDER BY id" % sql_str(j))]
check(any(m.startswith("Running handler /usr/bin/python3") and m.endswith(" as %s" % want.pw_name) for m in logs),
      "the job log says whom it ran as", note=str(logs[:3]))

section("scrapeqd's own descriptors are close-on-exec; a selector worker holds stdin, stdout, stderr")
release(crawl)
cr = wait_job(crawl, 60)
check(cr.get("status") == "completed", "a crawl with selectors completes (%s)" % cr.get("status"))
leaks = leaky_fds(d.pid)
check(not leaks, "every descriptor of scrapeqd past stderr is close-on-exec", note=str(leaks))
kids = [int(p) for p in os.listdir("/proc") if p.isdigit() and os.path.exists("/proc/%s/cmdline" % p)]
workers = []
for k in kids:
    try:
        with open("/proc/%d/stat" % k) as f:
            ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        with open("/proc/%d/cmdline" % k, "rb") as f:
            cmd = f.read()
    except OSError:
        continue
    if ppid == d.pid and b"--selector-worker" in cmd:
        workers.append(k)
fds = {w: sorted(int(n) for n in os.listdir("/proc/%d/fd" % w)) for w in workers}
check(workers and all(v == [0, 1, 2] for v in fds.values()), "its selector workers hold only 0, 1, 2",
      note=str(fds))


def capeff(pid):
    with open("/proc/%d/status" % pid) as f:
        return {l.split(":")[0]: int(l.split(":")[1], 16) for l in f if l.startswith(("CapPrm", "CapEff", "CapAmb"))}


caps = {w: capeff(w) for w in workers}
check(workers and all(not any(c.values()) for c in caps.values()),
      "its selector workers hold no capability (scrapeqd runs as %s)" % ("root" if ROOT else "a user"),
      note=str(caps))
check(d.stop(20) == 0, "SIGTERM: exit 0")

if ROOT:
    section("a handler_user that is root, or that does not exist, never runs the command")
    for name, user, says in (("root", "root", "[daemon] handler_user 'root' is uid 0, and a handler never runs as root"),
                             ("nouser", "no-such-user-sq", "[daemon] handler_user 'no-such-user-sq' does not exist")):
        marker = os.path.join(HDIR, "ran-" + name)
        d = daemon_with(name, user).start()
        j = queue_job()
        check(ended(j), "handler_user %s: the job ends" % user)
        st, result, error = row(j)
        e = json.loads(error) if error else {}
        check(st == "failed" and e.get("code") == "HANDLER_FAILED" and says in e.get("message", ""),
              "handler_user %s: the job fails with \"%s\"" % (user, says), note="%s %s" % (st, error))
        check(result is None, "handler_user %s: the command never ran (no result)" % user)
        check(d.stop(20) == 0, "handler_user %s: the daemon still runs, SIGTERM exits 0" % user)


# --- as under etc/systemd/scrapeqd.service: an ordinary user with ambient CAP_SETUID/CAP_SETGID

SVC_USER = "daemon"            # an account every Debian system has, standing in for scrapeq


def reachable_by_others(path):
    """Every directory above path lets others through (scripts/check's run directory does not)."""
    d = os.path.dirname(os.path.abspath(path))
    while d != "/":
        if not os.stat(d).st_mode & 0o001:
            return False
        d = os.path.dirname(d)
    return True


def as_service():
    db_sock = config_value("database", "socket")
    if not (db_sock and reachable_by_others(db_sock) and reachable_by_others(os.path.join(BIN, "scrapeqd"))):
        check(True, "the stack's MariaDB socket or scrapeqd is not reachable by %s (a private run "
              "directory): the systemd-like case is skipped" % SVC_USER)
        return
    svc = pwd.getpwnam(SVC_USER)
    tmp = tempfile.mkdtemp(prefix="sqsvc.")
    try:
        os.chmod(tmp, 0o755)
        # The secrets as the unit's setup has them: 0600, owned by the service's user.
        pw, key = os.path.join(tmp, "db.password"), os.path.join(tmp, "jwt.key")
        shutil.copyfile(PW_FILE, pw)
        shutil.copyfile(KEY_FILE, key)
        for f in (pw, key):
            os.chown(f, svc.pw_uid, svc.pw_gid)
            os.chmod(f, 0o600)
        did = "iso-svc-%s" % TOKEN
        src = harness.daemon_conf(did, handler_timeout="20", max_jobs="4", handler_user=HUSER)
        with open(src) as f:
            lines = f.read().split("\n")
        out = []
        for l in lines:
            k = l.split("=", 1)[0].strip()
            out.append("password_file = %s" % pw if k == "password_file" else
                       "jwt_key_file = %s" % key if k == "jwt_key_file" else l)
        out.append("\n[handlers]\nhx_probe = /usr/bin/python3 %s %s %s\n" % (PROBE, pw, key))
        conf = os.path.join(tmp, "scrapeq.conf")
        with open(conf, "w") as f:
            f.write("\n".join(out))
        os.chmod(conf, 0o644)
        d = Daemon(did, conf=conf)
        logf = open(d.log, "ab")
        d.proc = subprocess.Popen(
            ["setpriv", "--reuid", SVC_USER, "--regid", SVC_USER, "--clear-groups",
             "--inh-caps", "-all,+setuid,+setgid", "--ambient-caps", "+setuid,+setgid",
             "--bounding-set", "-all,+setuid,+setgid", "--",
             os.path.join(BIN, "scrapeqd"), "-c", conf, "--id", did],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        logf.close()
        Daemon.started.append(d)
        check(wait_for(lambda: d.registered() or not d.alive(), 15) and d.alive(),
              "scrapeqd runs as %s with only CAP_SETUID and CAP_SETGID (ambient), as under its unit" % SVC_USER,
              note=d.tail())
        with open("/proc/%d/status" % d.pid) as f:
            st = {l.split(":")[0]: l.split(":")[1].strip() for l in f}
        check(st.get("Uid", "").split()[0] == str(svc.pw_uid) and int(st.get("CapEff", "0"), 16) == 0xc0,
              "its uid is %d and its effective capabilities are exactly setgid and setuid (0xc0)" % svc.pw_uid,
              note="Uid %s CapEff %s" % (st.get("Uid"), st.get("CapEff")))
        j = queue_job()
        check(ended(j), "the probe job ends")
        jst, result, error = row(j)
        got = json.loads(result) if result else {}
        nob = pwd.getpwnam(HUSER)
        check(jst == "completed" and got.get("uid") == [nob.pw_uid] * 2 and got.get("gid") == [nob.pw_gid] * 2,
              "the handler runs as %s, not as %s" % (HUSER, SVC_USER), note="%s %s %s" % (jst, error, result))
        check(got.get("fds") == [0, 1, 2, 3], "it holds 0, 1, 2 and its listing's descriptor", note=str(got.get("fds")))
        check(all(v == 0 for v in got.get("caps", {"x": 1}).values()),
              "the ambient CAP_SETUID/CAP_SETGID did not cross its exec", note=str(got.get("caps")))
        for k in ("password_file", "jwt_key_file", "daemon_environ"):
            check(got.get(k, "").startswith("denied"),
                  "it cannot read the %s of %s (%s)" % (k.replace("_", " "), SVC_USER, got.get(k)))
        check(d.stop(20) == 0, "SIGTERM: exit 0")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if ROOT:
    section("as under the systemd unit: scrapeqd as an ordinary user holding CAP_SETUID and CAP_SETGID")
    harness.guard(as_service, "scrapeqd as a service user")
