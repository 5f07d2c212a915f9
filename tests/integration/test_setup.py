#!/usr/bin/python3
"""test_setup.py: `scrapeqctl setup` against the stack's MariaDB, as root over its socket:
each documented refusal (not root, no socket, a socket that is not MariaDB, an empty
socket or password_file, names that cannot be written into CREATE USER, MariaDB's own
accounts, a password file that is not setup's) with nothing created; then a setup into a
database of its own: the password file (48 hex digits, mode 0600), the database's
collation, the user's grant, the schema, a login with the file's password through
`scrapeqctl migrate`; a second run that changes nothing; a run after the file is removed
that writes a new password the user then has. The database and user are dropped after.
"""

import os
import pwd
import re
import stat
import subprocess
import tempfile

from harness import BIN, REPO, RUN, check, db_sql, guard, section, uniq

CTL = os.path.join(BIN, "scrapeqctl")
SQL_DIR = os.path.join(REPO, "sql")
SOCK = os.path.join(RUN, "mysql", "mysqld.sock")
N_SQL = len([f for f in os.listdir(SQL_DIR) if re.match(r"^[0-9]{3}_[a-z0-9_]+\.sql$", f)])
NAME = "sqsetup_" + uniq("x").replace("-", "_")[-8:]


def show(p):
    return "exit %s, stdout %r, stderr %r" % (p.returncode, p.stdout[-300:], p.stderr[-300:])


def conf(tmp, socket=SOCK, name=NAME, user=NAME, password_file="db.password", extra=""):
    path = os.path.join(tmp, "scrapeq.conf")
    with open(path, "w") as f:
        f.write("[database]\nsocket = %s\nname = %s\nuser = %s\npassword_file = %s\n%s"
                % (socket, name, user, password_file, extra))
    return path


def setup(path, *pre):
    cmd = list(pre) + [CTL, "-c", path, "setup", "--sql-dir", SQL_DIR]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def exists():
    """(database exists, user exists) on the stack's MariaDB."""
    d = db_sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '%s'" % NAME)
    u = db_sql("SELECT COUNT(*) FROM mysql.user WHERE User = '%s'" % NAME)
    return d == "1", u == "1"


def refused(tmp, path, rc, words, name):
    p = setup(path)
    pw = os.path.join(tmp, "db.password")
    check(p.returncode == rc and words in p.stderr and exists() == (False, False)
          and not os.path.exists(pw) and "next:" not in p.stdout,
          "%s: exit %d, '%s', nothing created" % (name, rc, words), note=show(p))


def refusals():
    with tempfile.TemporaryDirectory(dir=RUN) as tmp:
        os.chmod(tmp, 0o755)
        path = conf(tmp)
        os.chmod(path, 0o644)
        p = setup(path, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups")
        check(p.returncode == 1 and "must run as root" in p.stderr and exists() == (False, False)
              and not os.path.exists(os.path.join(tmp, "db.password")),
              "not root: exit 1, 'must run as root', nothing created", note=show(p))
        refused(tmp, conf(tmp, socket=os.path.join(tmp, "no.sock")), 1, "no MariaDB socket at",
                "a socket path with nothing there")
        refused(tmp, conf(tmp, socket=os.path.join(RUN, "api.sock")), 1, "cannot connect to MariaDB",
                "a socket that is not MariaDB's (the API's FastCGI socket)")
        refused(tmp, conf(tmp, socket=""), 2, "[database] socket is empty", "an empty socket")
        refused(tmp, conf(tmp, password_file=""), 2, "password_file is empty", "an empty password_file")
        refused(tmp, conf(tmp, name="bad-name"), 2, "letters, digits and '_'", "a database name with '-'")
        refused(tmp, conf(tmp, user="a'b"), 2, "letters, digits and '_'", "a user name with a quote")
        refused(tmp, conf(tmp, user="x" * 64), 2, "too long", "a user name of 64 bytes")
        refused(tmp, conf(tmp, user="root"), 2, "MariaDB's own account", "user root")
        refused(tmp, conf(tmp, user="mysql"), 2, "MariaDB's own account", "user mysql")
        refused(tmp, conf(tmp, extra="[nosuch]\n"), 2, "nosuch", "an unknown section")
        pw = os.path.join(tmp, "db.password")
        with open(pw, "w") as f:
            f.write("it's not hex\n")
        os.chmod(pw, 0o600)
        p = setup(conf(tmp))
        with open(pw) as f:
            kept = f.read()
        check(p.returncode == 1 and "not a password setup wrote" in p.stderr and kept == "it's not hex\n"
              and exists() == (False, False),
              "a password file that is not hex: exit 1, the file untouched, nothing created", note=show(p))


def migrate_as_user(path):
    return subprocess.run([CTL, "-c", path, "migrate", "--sql-dir", SQL_DIR], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def setups():
    with tempfile.TemporaryDirectory(dir=RUN) as tmp:
        path = conf(tmp)
        pw = os.path.join(tmp, "db.password")
        p = setup(path)
        check(p.returncode == 0 and "password file %s: written" % pw in p.stdout
              and "applied %d migration(s)" % N_SQL in p.stdout and "scrapeqctl user add" in p.stdout
              and "include /etc/nginx/snippets/scrapeq.conf;" in p.stdout,
              "setup: exit 0, the password file written, %d migrations, the next steps" % N_SQL, note=show(p))
        st = os.stat(pw)
        with open(pw) as f:
            first = f.read()
        try:
            owner = pwd.getpwnam("scrapeq").pw_uid
        except KeyError:
            owner = 0
        check(re.fullmatch(r"[0-9a-f]{48}\n", first) is not None and stat.S_IMODE(st.st_mode) == 0o600
              and st.st_uid == owner,
              "the password file: 48 hex digits, mode 0600, owned by %s" % ("scrapeq" if owner else "root"))
        coll = db_sql("SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '%s'"
                      % NAME)
        check(coll == "utf8mb4_bin", "the database is utf8mb4_bin", note=coll)
        grants = db_sql("SHOW GRANTS FOR '%s'@'localhost'" % NAME)
        check("GRANT ALL PRIVILEGES ON `%s`.* TO `%s`@`localhost`" % (NAME, NAME) in grants,
              "the user has ALL on the database and nothing more", note=grants)
        definer = db_sql("SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '%s' "
                         "AND ROUTINE_NAME = 'sq_job_create'" % NAME)
        check(definer == "%s@localhost" % NAME, "the migrations ran as the user (sq_job_create's definer)",
              note=definer)
        m = migrate_as_user(path)
        check(m.returncode == 0 and "schema is up to date (%d migrations)" % N_SQL in m.stdout,
              "scrapeqctl migrate logs in with the file's password: up to date", note=show(m))
        mtime = st.st_mtime_ns
        p = setup(path)
        with open(pw) as f:
            again = f.read()
        check(p.returncode == 0 and "password file %s: kept" % pw in p.stdout and again == first
              and os.stat(pw).st_mtime_ns == mtime and "schema is up to date" in p.stdout,
              "setup again: exit 0, the password file kept as it was, nothing to migrate", note=show(p))
        m = migrate_as_user(path)
        check(m.returncode == 0, "the user still logs in after the second run", note=show(m))
        os.unlink(pw)
        p = setup(path)
        with open(pw) as f:
            third = f.read()
        m = migrate_as_user(path)
        check(p.returncode == 0 and "written" in p.stdout and third != first and m.returncode == 0,
              "the password file removed: setup writes a new password and the user has it", note=show(p) + show(m))


def cleanup():
    db_sql("DROP DATABASE IF EXISTS `%s`" % NAME)
    db_sql("DROP USER IF EXISTS '%s'@'localhost'" % NAME)
    check(exists() == (False, False), "the test's database and user are dropped again")


section("setup's refusals")
guard(refusals, "setup's refusals")
section("setup, twice, then with the password file removed")
guard(setups, "setup runs")
guard(cleanup, "cleanup")
