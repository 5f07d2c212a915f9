#!/usr/bin/python3
"""test_ctl.py: scrapeqctl against the stack's database: check-config, migrate (again,
four at once, from scratch into a second database), users, tokens, projects, members,
project limits and jobs ls, each checked through the API or in MariaDB.

The second database is created and dropped here as MariaDB's root over the stack's
socket; everything else this file creates is new users and projects, as other files do.
"""

import hashlib
import os
import re
import shutil
import subprocess
import tempfile

from harness import (BIN, CONF, REPO, RUN, check, db_sql, guard, is_error, new_target, new_user, request,
                     section, uniq)

CTL = os.path.join(BIN, "scrapeqctl")
SQL_DIR = os.path.join(REPO, "sql")
SQL_FILES = sorted(f for f in os.listdir(SQL_DIR) if re.match(r"^[0-9]{3}_[a-z0-9_]+\.sql$", f))
TABLES = ["users", "projects", "memberships", "api_tokens", "targets", "jobs", "job_targets",
          "job_logs", "results", "job_events", "audit_log"]


def run_ctl(*args, conf=CONF, env=None, use_c=True):
    """scrapeqctl [-c conf] args...; returns the CompletedProcess (text, never raises on exit)."""
    cmd = [CTL] + (["-c", conf] if use_c else []) + list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                          env=env)


def show(p):
    return "exit %s, stdout %r, stderr %r" % (p.returncode, p.stdout[-400:], p.stderr[-400:])


def conf_lines():
    with open(CONF) as f:
        return f.read().split("\n")


def write_conf(tmp, name, lines):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def index_of(lines, pattern):
    """Index of the first line matching the regex pattern (stripped)."""
    for i, l in enumerate(lines):
        if re.match(pattern, l.strip()):
            return i
    raise RuntimeError("no line matching %r in %s" % (pattern, CONF))


def sql_quote(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


# --- check-config ----------------------------------------------------------------

def config_case(tmp, what, lines, line_no, want):
    path = write_conf(tmp, "cc-%s.conf" % re.sub(r"[^a-z]+", "-", what), lines)
    p = run_ctl("check-config", conf=path)
    check(p.returncode == 2, "check-config, %s: exit 2" % what, note=show(p))
    located = re.search(r"(^|\s)%s:%d: " % (re.escape(path), line_no), p.stderr) is not None
    check(located, "check-config, %s: stderr is '%s:%d: ...'" % (what, os.path.basename(path), line_no),
          note=show(p))
    named = all(w.lower() in p.stderr.lower() for w in want)
    check(named, "check-config, %s: the message names %s" % (what, want), note=show(p))
    check(p.stdout.strip() == "", "check-config, %s: nothing on stdout (no 'ok')" % what, note=show(p))
    return path


def check_config():
    p = run_ctl("check-config")
    check(p.returncode == 0 and p.stdout.strip() == "%s: ok" % CONF,
          "check-config on the stack's config: exit 0, '%s: ok'" % os.path.basename(CONF), note=show(p))
    tmp = tempfile.mkdtemp(prefix="sqctl.")
    try:
        base = conf_lines()

        lines = list(base)
        i = index_of(lines, r"^\[database\]$") + 1
        lines.insert(i, "colour = blue")
        unknown = config_case(tmp, "unknown key", lines, i + 1, ["unknown key", "colour", "database"])

        lines = list(base)
        first = index_of(lines, r"^workers\s*=")
        lines.insert(first + 2, "workers = 3")
        config_case(tmp, "duplicate key", lines, first + 3,
                    ["duplicate", "workers", "line %d" % (first + 1)])

        lines = list(base)
        i = index_of(lines, r"^connect_timeout\s*=")
        lines[i] = "connect_timeout = 1s"
        config_case(tmp, "bad number", lines, i + 1, ["connect_timeout", "1s", "not a valid number"])

        lines = list(base)
        i = index_of(lines, r"^threads\s*=")
        lines[i] = "threads = 99999999999999999999"
        config_case(tmp, "number out of range", lines, i + 1, ["threads", "range"])

        lines = list(base)
        i = index_of(lines, r"^password_file\s*=")
        missing = os.path.join(tmp, "no-such-password-file")
        lines[i] = "password_file = %s" % missing
        config_case(tmp, "missing password_file", lines, i + 1, ["password_file", missing])

        env = dict(os.environ, SCRAPEQ_CONFIG=unknown)
        p = run_ctl("check-config", env=env, use_c=False)
        check(p.returncode == 2 and unknown in p.stderr,
              "$SCRAPEQ_CONFIG names the file check-config reads (exit 2, names it)", note=show(p))
        p = run_ctl("check-config", env=env)
        check(p.returncode == 0, "-c FILE wins over $SCRAPEQ_CONFIG", note=show(p))
        p = run_ctl("check-config", conf=os.path.join(tmp, "absent.conf"))
        check(p.returncode == 2 and "absent.conf" in p.stderr,
              "check-config on a file that does not exist: exit 2, names the file", note=show(p))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


section("check-config")
guard(check_config, "check-config")


# --- secret files with group or other bits -------------------------------------

PROGRAMS = [("scrapeqctl", ["check-config"]), ("scrapeq-api", []), ("scrapeqd", []), ("scrapeq-events", [])]


def refuse_case(tmp, what, conf, secret, mode):
    """Every program that reads the config refuses it at start-up, naming the file and its mode."""
    os.chmod(secret, mode)
    want = "%s: mode %04o, want 0600" % (secret, mode)
    for prog, args in PROGRAMS:
        cmd = [os.path.join(BIN, prog), "-c", conf] + args
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=10,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            check(False, "%s, %s %04o: refused at start-up" % (prog, what, mode),
                  note="still running after 10 s: %r" % (e.stderr,))
            continue
        check(p.returncode == 2 and want in p.stderr,
              "%s, %s %04o: exits 2 (a wrong config) with '%s'" % (prog, what, mode, os.path.basename(want)),
              note=show(p))


def secret_modes():
    tmp = tempfile.mkdtemp(prefix="sqmode.")
    try:
        lines = conf_lines()
        pw = os.path.join(tmp, "db.password")
        key = os.path.join(tmp, "jwt.key")
        shutil.copyfile(os.path.join(RUN, "db.password"), pw)
        shutil.copyfile(os.path.join(RUN, "jwt.key"), key)
        os.chmod(pw, 0o600)
        os.chmod(key, 0o600)
        lines[index_of(lines, r"^password_file\s*=")] = "password_file = %s" % pw
        lines[index_of(lines, r"^jwt_key_file\s*=")] = "jwt_key_file = %s" % key
        # Its own sockets: a program that wrongly started would not take the stack's.
        i = index_of(lines, r"^socket\s*=\s*.*api\.sock$")
        lines[i] = "socket = %s" % os.path.join(tmp, "api.sock")
        i = index_of(lines, r"^listen\s*=")
        lines[i] = "listen = unix:%s" % os.path.join(tmp, "events.sock")
        conf = write_conf(tmp, "modes.conf", lines)
        p = run_ctl("check-config", conf=conf)
        check(p.returncode == 0, "check-config with both secret files 0600: exit 0", note=show(p))
        os.chmod(pw, 0o400)
        p = run_ctl("check-config", conf=conf)
        check(p.returncode == 0, "check-config with the password file 0400: exit 0", note=show(p))
        refuse_case(tmp, "password file", conf, pw, 0o644)
        refuse_case(tmp, "password file", conf, pw, 0o640)
        os.chmod(pw, 0o600)
        refuse_case(tmp, "JWT key file", conf, key, 0o604)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


section("secret files readable by group or others are refused")
guard(secret_modes, "secret file modes")


# --- migrate ---------------------------------------------------------------------

def migrations(db="scrapeq"):
    return db_sql("SELECT version, name, applied_at FROM `%s`.schema_migrations ORDER BY version" % db)


def versions_ok(rows):
    """rows: the tab-separated output of migrations(); one row per file in sql/, in order."""
    got = [tuple(l.split("\t")[:2]) for l in rows.split("\n") if l]
    want = [(str(int(f[:3])), f) for f in SQL_FILES]
    return got == want, got


def run_parallel(n, *args, conf=CONF):
    procs = [subprocess.Popen([CTL, "-c", conf] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(n)]
    out = []
    for p in procs:
        so, se = p.communicate(timeout=180)
        out.append((p.returncode, so, se))
    return out


def migrate_again():
    before = migrations()
    ok, got = versions_ok(before)
    check(ok, "schema_migrations has one row per file in sql/ (%s)" % SQL_FILES, note="rows %r" % got)
    p = run_ctl("migrate", "--sql-dir", SQL_DIR)
    check(p.returncode == 0, "migrate run again: exit 0", note=show(p))
    check("applying" not in p.stdout and re.search(r"up to date", p.stdout) is not None,
          "migrate run again says the schema is up to date and applies nothing", note=show(p))
    check(migrations() == before, "schema_migrations is unchanged (versions, names, applied_at)",
          note="before %r after %r" % (before, migrations()))

    res = run_parallel(4, "migrate", "--sql-dir", SQL_DIR)
    check(all(rc == 0 for rc, _, _ in res), "four migrate processes at once: all exit 0 (%s)"
          % [rc for rc, _, _ in res], note="; ".join(se.strip() for _, _, se in res if se.strip())[:400])
    check(not any("applying" in so for _, so, _ in res), "none of them applies anything",
          note="stdout %r" % [so for _, so, _ in res])
    ok, got = versions_ok(migrations())
    check(ok and migrations() == before, "schema_migrations still has exactly one row per file, unchanged",
          note="rows %r" % got)

    p = run_ctl("migrate", "--sql-dir", os.path.join(RUN, "no-such-sql-dir"))
    check(p.returncode == 1 and "no-such-sql-dir" in (p.stdout + p.stderr),
          "migrate --sql-dir DIR that does not exist: exit 1, names DIR", note=show(p))


def migrate_fresh():
    db = "scrapeq_it_" + os.urandom(6).hex()
    tmp = tempfile.mkdtemp(prefix="sqmig.")
    created = False
    try:
        db_sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" % db)
        created = True
        lines = conf_lines()
        lines[index_of(lines, r"^name\s*=")] = "name = %s" % db
        lines[index_of(lines, r"^user\s*=")] = "user = root"
        del lines[index_of(lines, r"^password_file\s*=")]
        conf = write_conf(tmp, "fresh.conf", lines)
        p = run_ctl("check-config", conf=conf)
        check(p.returncode == 0, "a config for database %s as root over the socket passes check-config" % db,
              note=show(p))

        res = run_parallel(4, "migrate", "--sql-dir", SQL_DIR, conf=conf)
        check(all(rc == 0 for rc, _, _ in res),
              "four migrate processes at once into an empty database: all exit 0 (%s)"
              % [rc for rc, _, _ in res], note="; ".join((so + se).strip() for _, so, se in res)[:600])
        applied = [sum(1 for l in so.split("\n") if l.startswith("applying ")) for _, so, _ in res]
        check(sum(applied) == len(SQL_FILES),
              "each migration was applied by exactly one of them (%s 'applying' lines for %d files)"
              % (applied, len(SQL_FILES)), note="stdout %r" % [so for _, so, _ in res])
        ok, got = versions_ok(migrations(db))
        check(ok, "schema_migrations has exactly one row per file in sql/", note="rows %r" % got)

        have = set(db_sql("SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
                          % sql_quote(db)).split("\n"))
        missing = [t for t in TABLES if t not in have]
        check(not missing, "every table the issue names exists (%d tables)" % len(TABLES),
              note="missing %s; have %s" % (missing, sorted(have)))
        dtype = db_sql("SELECT data_type FROM information_schema.columns WHERE table_schema = %s "
                       "AND table_name = 'jobs' AND column_name = 'id'" % sql_quote(db))
        check(dtype.lower() == "uuid", "jobs.id is MariaDB's UUID type (%r)" % dtype)
        key = db_sql("SELECT column_key FROM information_schema.columns WHERE table_schema = %s "
                     "AND table_name = 'jobs' AND column_name = 'id'" % sql_quote(db))
        check(key == "PRI", "jobs.id is the primary key (%r)" % key)

        p = run_ctl("migrate", "--sql-dir", SQL_DIR, conf=conf)
        check(p.returncode == 0 and "applying" not in p.stdout,
              "migrate into it once more applies nothing", note=show(p))
    finally:
        if created:
            db_sql("DROP DATABASE `%s`" % db)
        shutil.rmtree(tmp, ignore_errors=True)
    gone = db_sql("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s" % sql_quote(db))
    check(gone == "0", "the second database is dropped again")


section("migrate")
guard(migrate_again, "migrate again")
section("migrate from scratch into a second database")
guard(migrate_fresh, "migrate from scratch")


# --- users and tokens ------------------------------------------------------------

def users_and_tokens():
    name = uniq("ctl")
    p = run_ctl("user", "add", name)
    out = p.stdout.split("\n")
    pw = out[0] if p.stdout.count("\n") == 1 else ""
    check(p.returncode == 0 and len(pw) >= 12 and " " not in pw,
          "user add NAME: exit 0, prints one line, the generated password", note=show(p))
    check("only now" in p.stderr or "once" in p.stderr, "... and says on stderr it is shown only now",
          note=show(p))
    if pw:
        r = request("POST", "/auth/login", {"username": name, "password": pw}, auth=False)
        check(r.status == 200 and isinstance(r.json, dict) and r.json.get("access_token"),
              "POST /auth/login with the printed password works", r)
        if r.status == 200:
            r = request("GET", "/api/v1/projects", token=r.json["access_token"])
            check(r.status == 200 and r.json.get("total") == 0, "its access token lists its (no) projects", r)
        r = request("POST", "/auth/login", {"username": name, "password": pw + "x"}, auth=False)
        check(r.status == 401, "a wrong password is still 401", r)

    p = run_ctl("user", "add", name)
    check(p.returncode == 1 and "already exists" in p.stderr and p.stdout.strip() == "",
          "user add for an existing name: exit 1, says it exists, prints no password", note=show(p))
    n = db_sql("SELECT COUNT(*) FROM users WHERE username = %s" % sql_quote(name))
    check(n == "1", "still one row for that user (%s)" % n)

    p = run_ctl("token", "create", "--user", name, "--name", "ctl test")
    tok = p.stdout.strip()
    check(p.returncode == 0 and p.stdout.count("\n") == 1 and re.match(r"^sq_[0-9a-f]{64}$", tok),
          "token create --user NAME prints exactly one line, sq_ and 64 hex", note=show(p))
    r = request("GET", "/api/v1/projects", token=tok)
    check(r.status == 200, "the printed token works as a bearer token", r)
    hashes = db_sql("SELECT LOWER(HEX(t.token_hash)) FROM api_tokens t JOIN users u ON u.id = t.user_id "
                    "WHERE u.username = %s" % sql_quote(name)).split("\n")
    want = hashlib.sha256(tok.encode()).hexdigest()
    check(hashes == [want], "api_tokens.token_hash is the token's SHA-256", note="%r vs %r" % (hashes, want))
    label = db_sql("SELECT t.name FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = %s"
                   % sql_quote(name))
    check(label == "ctl test", "--name is stored as the token's label (%r)" % label)
    dump = db_sql("SELECT HEX(CONCAT_WS('|', id, user_id, token_hash, name, created_at, "
                  "IFNULL(revoked_at, ''))) FROM api_tokens").upper()
    leaks = [what for what, needle in (("the token's text", tok.encode().hex().upper()),
                                        ("the token's 32 random bytes", tok[3:].upper()))
             if needle in dump]
    check(not leaks, "the token itself appears nowhere in api_tokens", note="found: %s" % leaks)

    p = run_ctl("token", "create", "--user", uniq("nosuch"))
    check(p.returncode == 1 and "no user" in p.stderr and p.stdout.strip() == "",
          "token create for an unknown user: exit 1, says so, prints no token", note=show(p))
    return name, tok


def usage_errors():
    cases = [
        ("no command", []),
        ("an unknown command", ["frobnicate"]),
        ("an unknown subcommand", ["user", "frob"]),
        ("token create without --user", ["token", "create"]),
        ("user add without NAME", ["user", "add"]),
        ("user add with an unknown option", ["user", "add", uniq("u"), "--bogus"]),
        ("user add with a bad name", ["user", "add", "bad name!"]),
        ("project add without --owner", ["project", "add", "x"]),
        ("project limit on a malformed id", ["project", "limit", "proj_xyz", "--daily-job-limit", "5"]),
        ("project limit with a bad number",
         ["project", "limit", "proj_" + "0" * 32, "--daily-job-limit", "many"]),
        ("member add without --user", ["member", "add", "--project", "proj_" + "0" * 32]),
        ("member add with a bad role", ["member", "add", "--project", "proj_" + "0" * 32, "--user", "admin",
                                        "--role", "boss"]),
        ("jobs ls --limit 0", ["jobs", "ls", "--limit", "0"]),
        ("jobs ls --status bogus", ["jobs", "ls", "--status", "bogus"]),
        ("a value option given twice", ["token", "create", "--user", "a", "--user", "b"]),
    ]
    bad = []
    for what, args in cases:
        p = run_ctl(*args)
        if p.returncode != 64 or "usage" not in p.stderr.lower():
            bad.append("%s: %s" % (what, show(p)))
    check(not bad, "usage errors exit 64 with a usage line on stderr (%d cases)" % len(cases),
          note=" | ".join(bad)[:800])
    for prog, _args in PROGRAMS[1:]:
        p = subprocess.run([os.path.join(BIN, prog), "-Z"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=10, stdin=subprocess.DEVNULL)
        check(p.returncode == 64 and "usage" in p.stderr.lower(),
              "%s with an unknown option: exit 64 with a usage line, as scrapeqctl" % prog, note=show(p))


section("users and tokens")
owner = None


def _users():
    global owner
    owner = users_and_tokens()


guard(_users, "user add and token create")
section("usage errors")
guard(usage_errors, "usage errors")


# --- projects, members, limits, jobs ls ----------------------------------------

def projects_members_jobs():
    if owner is None:
        check(False, "projects: needs the user from 'users and tokens'")
        return
    oname, otok = owner
    pname = uniq("Ctl project ")
    p = run_ctl("project", "add", pname, "--owner", oname)
    m = re.match(r"^(proj_[0-9a-f]{32}) workspace ([0-9]+)\n$", p.stdout)
    pid = m.group(1) if m else p.stdout.strip()
    check(p.returncode == 0 and m is not None,
          "project add NAME --owner USER prints one line: proj_<32 hex> workspace N", note=show(p))
    r = request("GET", "/api/v1/projects/%s" % pid, token=otok)
    check(r.status == 200 and m is not None and r.json.get("workspace_id") == int(m.group(2)),
          "the workspace number scrapeqctl printed is the project's workspace_id",
          note=str(r.body)[:200])
    if m is not None:
        w = request("GET", "/workspace/%s/jobs" % m.group(2), token=otok)
        check(w.status == 200, "the owner lists jobs of the printed workspace through seed 003",
              note=str(w.body)[:200])
    check(r.status == 200 and r.json.get("name") == pname and r.json.get("role") == "owner",
          "the owner can GET it, with its name and role owner", r)
    p2 = run_ctl("project", "add", "x", "--owner", uniq("nosuch"))
    check(p2.returncode == 1 and "no user" in p2.stderr and p2.stdout.strip() == "",
          "project add for an unknown owner: exit 1", note=show(p2))

    other, _pw, otoken = new_user("ctlmember")
    r = request("GET", "/api/v1/projects/%s" % pid, token=otoken)
    is_error(r, 404, "NOT_FOUND", "another user's GET of the project is 404 before member add")
    p = run_ctl("member", "add", "--project", pid, "--user", other)
    check(p.returncode == 0, "member add --project ID --user NAME: exit 0", note=show(p))
    r = request("GET", "/api/v1/projects/%s" % pid, token=otoken)
    check(r.status == 200 and r.json.get("role") == "member",
          "after member add their GET is 200, role member (the default)", r)
    r = request("GET", "/api/v1/projects", token=otoken)
    check(r.status == 200 and [i.get("id") for i in r.json.get("items", [])] == [pid],
          "and the project is in their list", r)
    p = run_ctl("member", "add", "--project", pid, "--user", other)
    check(p.returncode == 1 and "already" in p.stderr, "member add again: exit 1, already a member",
          note=show(p))
    p = run_ctl("member", "add", "--project", "proj_" + "0" * 32, "--user", other)
    check(p.returncode == 1 and "no project" in p.stderr, "member add to an unknown project: exit 1",
          note=show(p))
    p = run_ctl("member", "add", "--project", pid, "--user", uniq("nosuch"))
    check(p.returncode == 1 and "no user" in p.stderr, "member add of an unknown user: exit 1", note=show(p))
    viewer, _pw, vtoken = new_user("ctlviewer")
    p = run_ctl("member", "add", "--project", pid, "--user", viewer, "--role", "viewer")
    r = request("GET", "/api/v1/projects/%s" % pid, token=vtoken)
    check(p.returncode == 0 and r.status == 200 and r.json.get("role") == "viewer",
          "member add --role viewer gives that role", r, note=show(p))

    new_target(pid, token=otok)
    p = run_ctl("project", "limit", pid, "--daily-job-limit", "0")
    check(p.returncode == 0 and "0" in p.stdout, "project limit ID --daily-job-limit 0: exit 0", note=show(p))
    r = request("GET", "/api/v1/projects/%s" % pid, token=otok)
    check(r.status == 200 and r.json.get("daily_job_limit") == 0, "the project shows daily_job_limit 0", r)
    r = request("POST", "/api/v1/projects/%s/jobs" % pid, {}, token=otok)
    is_error(r, 400, "RATE_LIMITED", "with limit 0 creating a job is 400 RATE_LIMITED")
    p = run_ctl("project", "limit", pid, "--daily-job-limit", "default")
    check(p.returncode == 0 and "jobs_per_day" in p.stdout,
          "project limit ID --daily-job-limit default: exit 0, says the config's jobs_per_day applies",
          note=show(p))
    r = request("GET", "/api/v1/projects/%s" % pid, token=otok)
    check(r.status == 200 and r.json.get("daily_job_limit") is None,
          "the project shows daily_job_limit null", r)
    r = request("POST", "/api/v1/projects/%s/jobs" % pid, {}, token=otok)
    check(r.status == 201 and r.json.get("source") == "api",
          "back at the default a job can be created (201)", r)
    job = r.json.get("id") if r.status == 201 and isinstance(r.json, dict) else None
    p = run_ctl("project", "limit", "proj_" + "0" * 32, "--daily-job-limit", "5")
    check(p.returncode == 1, "project limit on an unknown project: exit 1", note=show(p))

    p = run_ctl("jobs", "ls", "--project", pid)
    rows = [l.split() for l in p.stdout.strip().split("\n")[1:] if l.strip()]
    check(p.returncode == 0 and p.stdout.startswith("ID") and job is not None
          and len(rows) == 1 and rows[0][:4] == [job, pid, "pending", "api"],
          "jobs ls --project ID lists the job created through the API (id, project, pending, api)",
          note=show(p) + " job %s" % job)
    p = run_ctl("jobs", "ls", "--project", pid, "--status", "pending", "--limit", "1000")
    check(p.returncode == 0 and job is not None and job in p.stdout, "jobs ls --project ID --status pending includes it",
          note=show(p)[:300])
    p = run_ctl("jobs", "ls", "--project", pid, "--status", "completed")
    header_only = len(p.stdout.strip().split("\n")) == 1
    check(p.returncode == 0 and job is not None and job not in p.stdout and header_only,
          "jobs ls --project ID --status completed does not", note=show(p))
    if job:
        request("POST", "/api/v1/jobs/%s/cancel" % job, token=otok)


section("projects, members, limits, jobs ls")
guard(projects_members_jobs, "projects, members, limits, jobs ls")

r = request("GET", "/api/v1/ping?db=1", auth=False)
check(r.status == 200, "the stack still answers ping?db=1", r)
