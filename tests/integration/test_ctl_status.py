#!/usr/bin/python3
"""test_ctl_status.py: scrapeqctl status against the stack's database, beside GET
/api/v1/status: the same figures as text and as --json, exit 0 when a scrapeqd is alive
and the hub answers, 3 when no scrapeqd is alive or the hub does not answer, 1 when the
database cannot be read, 2 for a bad config file, 64 for a bad command line. A live
daemon is a daemons row with a fresh heartbeat (what scrapeqd's heartbeat writes): this
is an API-suite file and no scrapeqd runs."""

import json
import os
import shutil
import subprocess
import tempfile
import uuid

from harness import BIN, CONF, check, db_sql, guard, request, section, sql_str

CTL = os.path.join(BIN, "scrapeqctl")


def status(*args, conf=CONF):
    return subprocess.run([CTL, "-c", conf, "status"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)


def show(p):
    return "exit %s, stdout %r, stderr %r" % (p.returncode, p.stdout[-600:], p.stderr[-400:])


def conf_with(tmp, name, section_name, key, value):
    """A copy of the stack's config with key in [section_name] set to value."""
    out, cur = [], None
    with open(CONF) as f:
        for line in f.read().split("\n"):
            s = line.strip()
            if s.startswith("[") and s.endswith("]"):
                cur = s[1:-1]
            elif cur == section_name and s.split("=")[0].strip() == key:
                line = "%s = %s" % (key, value)
            out.append(line)
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("\n".join(out))
    return path


def alive_daemon():
    did = "status-test-" + uuid.uuid4().hex[:12]
    db_sql("INSERT INTO daemons (id, host, pid, jobs_running) VALUES (%s, 'status-host', 4242, 2)" % sql_str(did))
    return did


def main():
    section("no scrapeqd alive: the figures, and exit 3")
    db_sql("UPDATE daemons SET stopped_at = NOW(6) WHERE stopped_at IS NULL")   # none runs in the API suite
    p = status()
    check(p.returncode == 3, "status with no live daemon exits 3", False, show(p))
    check("daemons    0 alive" in p.stdout and "UNHEALTHY" in p.stdout and "no scrapeqd alive" in p.stdout,
          "the text says 0 alive and why it is unhealthy", False, show(p))
    check("event hub  up" in p.stdout, "the text says the hub is up", False, show(p))

    section("a live daemon and the hub up: exit 0, and the same figures as GET /api/v1/status")
    did = alive_daemon()
    try:
        p = status("--json")
        r = request("GET", "/api/v1/status")
        check(p.returncode == 0, "status --json exits 0", False, show(p))
        try:
            j = json.loads(p.stdout)
        except ValueError:
            j = {}
        check(j.get("healthy") is True, "--json says healthy", False, show(p))
        for key in ("queue", "jobs", "events"):
            check(j.get(key) == r.json.get(key), "--json's %s is the API's" % key, r, "ctl %r" % j.get(key))
        check(j.get("daemons", {}).get("alive") == r.json["daemons"]["alive"] == 1,
              "one daemon alive, in both", r, show(p))
        items = j.get("daemons", {}).get("items", [])
        check(len(items) == 1 and items[0]["id"] == did and items[0]["host"] == "status-host" and
              items[0]["pid"] == 4242 and items[0]["jobs_running"] == 2 and
              items[0]["heartbeat_at"].endswith("Z"),
              "the daemon is listed with host, pid, jobs running, RFC 3339 times", False, show(p))
        p = status()
        check(p.returncode == 0 and "daemons    1 alive" in p.stdout and did in p.stdout and
              "status     healthy" in p.stdout, "the text: 1 alive, the daemon's id, healthy", False, show(p))
        q = r.json["queue"]
        check(("queue      %d claimable, %d scheduled" % (q["depth"], q["scheduled"])) in p.stdout,
              "the text's queue line matches the API's figures", r, show(p))

        tmp = tempfile.mkdtemp(prefix="sq-status-")
        try:
            section("the hub does not answer: exit 3, and the text says so")
            conf = conf_with(tmp, "nohub.conf", "events", "listen", "unix:%s/none.sock" % tmp)
            p = status(conf=conf)
            check(p.returncode == 3 and "event hub  DOWN" in p.stdout and "event hub does not answer" in p.stdout,
                  "exit 3, 'event hub DOWN'", False, show(p))
            p = status("--json", conf=conf)
            check(p.returncode == 3 and json.loads(p.stdout or "{}").get("events") == {"up": False},
                  "--json: events.up false, exit 3", False, show(p))

            section("the database cannot be read: exit 1; a bad config: exit 2; a bad option: exit 64")
            conf = conf_with(tmp, "nodb.conf", "database", "socket", "%s/no-such.sock" % tmp)
            p = status(conf=conf)
            check(p.returncode == 1 and "cannot connect to the database" in p.stderr and p.stdout == "",
                  "no database: exit 1, said on stderr", False, show(p))
            conf = conf_with(tmp, "bad.conf", "api", "workers", "lots")
            p = status(conf=conf)
            check(p.returncode == 2, "a bad config file: exit 2", False, show(p))
            p = status("--verbose")
            check(p.returncode == 64 and "unknown option" in p.stderr, "an unknown option: exit 64", False, show(p))
            p = status("extra")
            check(p.returncode == 64, "an extra argument: exit 64", False, show(p))
            p = status("--json=yes")
            check(p.returncode == 64, "--json takes no value: exit 64", False, show(p))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        db_sql("DELETE FROM daemons WHERE id = %s" % sql_str(did))


guard(main, "scrapeqctl status")
