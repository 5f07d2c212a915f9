#!/usr/bin/python3
"""test_webhook_delivery.py: scrapeqd delivers webhooks (issue 11) to a local receiver
(Python's http.server on 127.0.0.1, which the test daemons' allow_networks = 127.0.0.0/8
lets through, as it does the test site):

- a real crawl and a client's cancel reach a webhook as seed 001's job_status_changed
  bodies (job_id, domain, old_status, new_status, stats, timestamp) and seed 000's
  completed/progress messages, in event order, each delivery id once, with a signature
  that verifies (and fails for a changed body, time or secret);
- a receiver that fails twice gets each delivery on the third try, with the same
  X-Scrapeq-Delivery, after the backoff ([daemon] webhook_backoff_ms, 300 ms here);
- a redirect is not followed; a delivery failing for a day is failed and a webhook
  failing for a day disabled (the day is made to have passed in MariaDB), and its GET
  says so;
- two daemons deliver 180 deliveries to 12 webhooks, each exactly once;
- with allow_networks = 127.0.0.2/32, webhooks to loopback, private and metadata
  addresses are refused, the refusal recorded as the delivery's error, nothing received.
"""
# integration: daemon

import hashlib
import hmac
import json
import os
import re
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness
import testsite
from metricsclient import diff, scrape
from harness import (Daemon, create_job, db_sql, job_row, new_project, new_target, request, section, sql_str,
                     uuid_of, wait_for, wait_job)


def check(cond, name, resp=False, note=None):
    return harness.check(cond, name, resp, note)


SECRET = "whsec_" + "5d41402abc4b2a76b9719d911017c592"
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
STAMP_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
SEED001_KEYS = {"event", "job_id", "domain", "old_status", "new_status", "stats", "timestamp"}


class Receiver:
    """Records every POST; answers by path: /flaky/... 500 twice per delivery id then
    200, /redirect/... 302 to /ok/redirected, /slow/... 200 after 50 ms, anything else
    200."""

    def __init__(self):
        self.got = []
        self.lock = threading.Lock()
        self.seen = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                rec = {"path": self.path, "body": self.rfile.read(n), "at": time.monotonic(),
                       "event": self.headers.get("X-Scrapeq-Event"),
                       "delivery": self.headers.get("X-Scrapeq-Delivery"),
                       "signature": self.headers.get("X-Scrapeq-Signature"),
                       "type": self.headers.get("Content-Type")}
                status = outer.answer(rec)
                rec["status"] = status
                with outer.lock:
                    outer.got.append(rec)
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "/ok/redirected")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def answer(self, rec):
        if rec["path"].startswith("/redirect/"):
            return 302
        if rec["path"].startswith("/slow/"):
            time.sleep(0.05)
            return 200
        if rec["path"].startswith("/flaky/"):
            with self.lock:
                k = rec["delivery"]
                self.seen[k] = self.seen.get(k, 0) + 1
                return 500 if self.seen[k] <= 2 else 200
        return 200

    def at(self, path):
        with self.lock:
            return [r for r in self.got if r["path"] == path]


def verify(secret, header, body, now=None, tolerance=300):
    """A receiver's check of X-Scrapeq-Signature (README): HMAC-SHA256 of "<t>.<body>"."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
    except (ValueError, KeyError, AttributeError):
        return False
    mac = hmac.new(secret.encode(), b"%d." % t + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, parts.get("v1", "")) and abs((now or time.time()) - t) <= tolerance


def hook(project, url, events=None, secret=None):
    body = {"url": url}
    if events is not None:
        body["events"] = events
    if secret is not None:
        body["secret"] = secret
    r = request("POST", "/api/v1/projects/%s/webhooks" % project, body)
    if r.status != 201:
        raise RuntimeError("cannot create a webhook: " + r.describe())
    made.append((project, r.json["id"]))
    return r.json["id"]


def deliveries(project, wh):
    r = request("GET", "/api/v1/projects/%s/webhooks/%s/deliveries?per_page=100" % (project, wh))
    return r.json.get("items", []) if r.status == 200 else []


def cancelled_job(project, target):
    """A job cancelled by the client before any daemon could claim it: a 'cancelled' event."""
    j = create_job(project, [target], {"maxPages": 1}, hold=True)
    r = request("POST", "/api/v1/jobs/%s/cancel" % j)
    if r.status != 200:
        raise RuntimeError("cannot cancel: " + r.describe())
    return j


made = []
Daemon.exclusive()
site = testsite.ensure()
rx = Receiver()
R = "http://127.0.0.1:%d" % rx.port
TIDY = site.origin("tidy") + "/"
DOMAIN = urllib.parse.urlsplit(TIDY).netloc

section("a crawl and a cancel, delivered")
P = new_project()
tgt = new_target(P, url=TIDY)
A = hook(P, R + "/ok/a", ["job_status_changed", "completed", "progress"], SECRET)
B = hook(P, R + "/flaky/b")
C = hook(P, R + "/redirect/c")
J2 = cancelled_job(P, tgt)
J1 = create_job(P, [tgt], {"maxPages": 1})
d1 = Daemon("wh-1", webhook_backoff_ms="300", webhook_timeout="5").start()
row = wait_job(J1, 60)
check(row and row["status"] == "completed", "the crawl completed", note=str(row and row["status"]))


def a_status():
    return [r for r in rx.at("/ok/a") if r["event"] == "job_status_changed"]


wait_for(lambda: len(a_status()) >= 3 and len(rx.at("/ok/a")) >= 5 or None, 30, 0.2)
got = a_status()
bodies = [json.loads(r["body"]) for r in got]
moves = [(b.get("job_id"), b.get("old_status"), b.get("new_status")) for b in bodies]
u1, u2 = uuid_of(J1), uuid_of(J2)
check(moves == [(u2, "pending", "cancelled"), (u1, "pending", "running"), (u1, "running", "completed")],
      "job_status_changed: the cancel, the start and the end, in event order, old and new status right",
      note=str(moves))
check(all(set(b) == SEED001_KEYS for b in bodies), "each body has exactly seed 001's fields",
      note=str([sorted(b) for b in bodies]))
check(all(b["event"] == "job_status_changed" and re.match(UUID_RE, b["job_id"]) and b["domain"] == DOMAIN
          and re.match(STAMP_RE, b["timestamp"]) and isinstance(b["stats"], dict) for b in bodies),
      "job_id is the job's UUID, domain its target's host:port (%s), timestamp RFC 3339 with ms, stats an object"
      % DOMAIN, note=str(bodies))
final = job_row(J1)
check(bodies and bodies[-1]["stats"] == final["stats"], "the completed change carries the job's stats",
      note="%s vs %s" % (bodies[-1]["stats"] if bodies else None, final["stats"]))
allA = rx.at("/ok/a")
check(all(r["type"] == "application/json" and r["event"] == json.loads(r["body"])["event"] for r in allA),
      "Content-Type is application/json and X-Scrapeq-Event names the body's event", note=str(allA[:2]))
comp = [json.loads(r["body"]) for r in allA if r["event"] == "completed"]
check(len(comp) == 1 and comp[0]["job_id"] == J1 and comp[0]["data"]["job_id"] == J1
      and comp[0]["data"].get("status") == "completed" and set(comp[0]) == {"event", "job_id", "data", "timestamp"},
      "the completed event is seed 000's message: {event, job_id, data: {job_id, status ...}, timestamp}",
      note=str(comp))
prog = [json.loads(r["body"]) for r in allA if r["event"] == "progress"]
check(len(prog) >= 1 and all(p["data"].get("job_id") == J1 and "percentage" in p["data"] for p in prog),
      "progress events carry seed 000's fields", note=str(prog[:2]))
ids = [r["delivery"] for r in allA]
check(all(re.match(UUID_RE, i or "") for i in ids) and len(set(ids)) == len(ids),
      "every delivery to the always-answering receiver came once, with a UUID delivery id", note=str(ids))
listed = deliveries(P, A)
check({d["id"] for d in listed} == set(ids) and all(d["state"] == "delivered" and d["attempts"] == 1
                                                   and d["last_status_code"] == 200 for d in listed),
      "GET deliveries lists the same ids, delivered at the first attempt with 200", note=str(listed[:3]))
order = {d["id"]: (d["event_id"], d["event"]) for d in listed}
check([order.get(i) for i in ids] == sorted(order.get(i) for i in ids),
      "they arrived in outbox order (event id, then name)", note=str([order.get(i) for i in ids]))

section("signatures")
now = time.time()
check(all(verify(SECRET, r["signature"], r["body"], now) for r in allA),
      "every X-Scrapeq-Signature verifies: t=<unix>,v1=<HMAC-SHA256 of \"<t>.<body>\">",
      note=str([r["signature"] for r in allA[:2]]))
r0 = allA[0] if allA else {"signature": "", "body": b""}
check(not verify(SECRET, r0["signature"], r0["body"] + b" "), "a changed body fails the check")
check(not verify(SECRET[:-1] + "x", r0["signature"], r0["body"]), "another secret fails the check")
sig = r0["signature"] or "t=0,v1=0"
t_old = int(sig.split(",")[0][2:])
forged = "t=%d,%s" % (t_old + 1, sig.split(",", 1)[1])
check(not verify(SECRET, forged, r0["body"]), "another time fails the check")
check(not verify(SECRET, sig, r0["body"], now=t_old + 3600), "an hour-old signature fails the tolerance")
check(all(r["signature"] is None for r in rx.at("/flaky/b")), "a webhook without a secret sends no signature")

section("a receiver failing twice gets it on the third try")
wait_for(lambda: len([d for d in deliveries(P, B) if d["state"] == "delivered"]) >= 3 or None, 40, 0.3)
fb = rx.at("/flaky/b")
per = {}
for r in fb:
    per.setdefault(r["delivery"], []).append(r)
check(len(per) >= 3 and all([x["status"] for x in v] == [500, 500, 200] for v in per.values()),
      "each delivery came three times with the same X-Scrapeq-Delivery: 500, 500, 200",
      note=str({k: [x["status"] for x in v] for k, v in per.items()}))
gaps = [(v[1]["at"] - v[0]["at"], v[2]["at"] - v[1]["at"]) for v in per.values() if len(v) >= 3]
check(gaps and all(g1 >= 0.25 and g2 >= 0.5 for g1, g2 in gaps),
      "the retries waited the backoff: 300 ms, then 600 ms", note=str(gaps))
lb = deliveries(P, B)
check(len(lb) == 3 and all(d["state"] == "delivered" and d["attempts"] == 3 and d["last_status_code"] == 200
                           and d["last_error"] is None and d["delivered_at"] and d["next_attempt_at"] is None
                           for d in lb),
      "GET deliveries: attempts 3, last status 200, delivered", note=str(lb))
firsts = []
for r in fb:
    if r["delivery"] not in firsts:
        firsts.append(r["delivery"])
bmoves = [(json.loads(per[i][0]["body"])["job_id"], json.loads(per[i][0]["body"])["new_status"]) for i in firsts]
check(bmoves == [(u2, "cancelled"), (u1, "running"), (u1, "completed")],
      "a retried delivery holds the next back: still in event order", note=str(bmoves))
r = request("GET", "/api/v1/projects/%s/webhooks/%s" % (P, B))
check(r.status == 200 and r.json.get("failing_since") is None and r.json.get("enabled") is True,
      "after a success the webhook is not failing", r)

section("redirects are not followed; a day of failures fails the delivery and disables the webhook")
wait_for(lambda: len(rx.at("/redirect/c")) >= 2 or None, 20, 0.2)
lc = deliveries(P, C)
head = [d for d in lc if d["attempts"] > 0]
check(len(rx.at("/redirect/c")) >= 2 and not rx.at("/ok/redirected"),
      "the 302 was answered more than once and its Location never requested")
check(len(head) == 1 and head[0]["state"] == "pending" and head[0]["last_status_code"] == 302
      and head[0]["last_error"] == "HTTP 302 (redirects are not followed)" and head[0]["next_attempt_at"],
      "the head delivery is pending with its status, its error and its next attempt", note=str(lc))
check(all(d["attempts"] == 0 and d["state"] == "pending" for d in lc if d not in head),
      "the deliveries after it wait (event order)", note=str(lc))
r = request("GET", "/api/v1/projects/%s/webhooks/%s" % (P, C))
check(r.status == 200 and r.json.get("failing_since") and r.json.get("enabled") is True,
      "GET webhook shows since when it fails", r)
cu = sql_str(uuid_of(C))
db_sql("UPDATE webhook_deliveries SET created_at = NOW(6) - INTERVAL 2 DAY WHERE webhook_id = %s" % cu)
db_sql("UPDATE webhooks SET failing_since = NOW(6) - INTERVAL 2 DAY, retry_at = NOW(6) WHERE id = %s" % cu)
gone = wait_for(lambda: (lambda x: x if x.status == 200 and x.json.get("enabled") is False else None)(
    request("GET", "/api/v1/projects/%s/webhooks/%s" % (P, C))), 30, 0.3)
check(gone is not None and "Failing since" in (gone.json.get("disabled_reason") or "")
      and "HTTP 302" in gone.json["disabled_reason"] and gone.json.get("disabled_at"),
      "a webhook failing for a day is disabled, and its GET says so and why", gone or False)
lc = deliveries(P, C)
check(lc and all(d["state"] == "failed" and d["next_attempt_at"] is None for d in lc)
      and any(d["last_error"] == "HTTP 302 (redirects are not followed)" for d in lc)
      and any(d["last_error"] == "webhook disabled after failing for a day" for d in lc),
      "its deliveries are failed: the head by its last error, the rest as the webhook's", note=str(lc))
n = len(rx.at("/redirect/c"))
time.sleep(1.5)
check(len(rx.at("/redirect/c")) == n, "a disabled webhook is sent nothing more")
d1.stop()

section("two daemons, 12 webhooks, 180 deliveries, each once")
P2 = new_project()
t2 = new_target(P2, url=TIDY)
many = [hook(P2, R + "/slow/m%d" % i) for i in range(12)]
for _ in range(15):
    cancelled_job(P2, t2)
# Held back until both daemons run, so that both claim (SKIP LOCKED: disjoint webhooks):
# the first to look claims 8 (a claim's most) and is busy with them for 6 s (the receiver
# takes 50 ms a delivery), the other looks within a second and takes the other 4.
db_sql("UPDATE webhooks SET retry_at = NOW(6) + INTERVAL 4 SECOND WHERE project_id = %s" % sql_str(uuid_of(P2)))
# GET /metrics' delivered counter, against the delivered rows (none is purged meanwhile).
_, m_before = scrape()
rows_before = int(harness.db_value("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'"))
d1 = Daemon("wh-1", webhook_backoff_ms="300", webhook_timeout="5").start()
d2 = Daemon("wh-2", webhook_backoff_ms="300", webhook_timeout="5").start()


def received_many():
    return sum(len(rx.at("/slow/m%d" % i)) for i in range(12))


wait_for(lambda: received_many() >= 180 or None, 60, 0.2)
time.sleep(0.5)
dids = [r["delivery"] for i in range(12) for r in rx.at("/slow/m%d" % i)]
check(len(dids) == 180 and len(set(dids)) == 180, "180 deliveries received, no delivery id twice",
      note="%d received, %d distinct" % (len(dids), len(set(dids))))
in_order = True
for i, wh in enumerate(many):
    got_jobs = [json.loads(r["body"])["job_id"] for r in rx.at("/slow/m%d" % i)]
    listed = sorted(deliveries(P2, wh), key=lambda d: d["event_id"])
    if got_jobs != [uuid_of(d["job_id"]) for d in listed]:
        in_order = False
check(in_order, "each webhook got its 15 in event order")
states = harness.db_rows(
    "SELECT state, attempts, COUNT(*) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
    "WHERE w.project_id = %s GROUP BY state, attempts" % sql_str(uuid_of(P2)))
check(states == [["delivered", "1", "180"]], "all 180 delivered at their first attempt", note=str(states))
_, m_after = scrape()
rows_after = int(harness.db_value("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'"))
check(diff(m_before, m_after, "scrapeq_webhook_deliveries_total", outcome="delivered") == rows_after - rows_before
      and rows_after - rows_before >= 180,
      "GET /metrics: scrapeq_webhook_deliveries_total{outcome=delivered} grew by the %d deliveries made"
      % (rows_after - rows_before),
      note="grew by %s" % diff(m_before, m_after, "scrapeq_webhook_deliveries_total", outcome="delivered"))
by = harness.db_rows(
    "SELECT d.last_daemon, COUNT(DISTINCT d.webhook_id), COUNT(*) FROM webhook_deliveries d JOIN webhooks w "
    "ON w.id = d.webhook_id WHERE w.project_id = %s GROUP BY d.last_daemon ORDER BY 1" % sql_str(uuid_of(P2)))
check([x[0] for x in by] == ["wh-1", "wh-2"] and all(int(x[2]) == 15 * int(x[1]) for x in by),
      "both daemons delivered, each whole webhooks (one daemon per webhook at a time)", note=str(by))
d1.stop()
d2.stop()

section("an outbox event committed seconds late is still delivered")
# A client's cancel whose transaction takes its job_events id, then waits 3.5 s for a
# lock (another session holds the gap of the job's log lines, as a slow transaction
# would), while a later cancel commits at once: the fan-out moves past the first id
# after 2 s and must still deliver it when it appears.
P4 = new_project()
P5 = new_project()
hook(P4, R + "/ok/late", ["job_status_changed"])
hook(P5, R + "/ok/late", ["job_status_changed"])
JL = create_job(P4, [new_target(P4, url=TIDY)], {"maxPages": 1}, hold=True)
JO = create_job(P5, [new_target(P5, url=TIDY)], {"maxPages": 1}, hold=True)
d1 = Daemon("wh-1", webhook_backoff_ms="300", webhook_timeout="5").start()
sock = os.path.join(harness.RUN, "mysql", "mysqld.sock")
blocker = subprocess.Popen(["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "--unbuffered", "scrapeq"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
blocker.stdin.write("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ; BEGIN; "
                    "SELECT COUNT(*) FROM job_logs WHERE job_id = %s FOR UPDATE; SELECT 'locked';\n"
                    % sql_str(uuid_of(JL)))
blocker.stdin.flush()
blocker.stdout.readline()
check(blocker.stdout.readline().strip() == "locked", "a second session holds the gap of the first job's log lines")
late = {}
th = threading.Thread(target=lambda: late.update(r=request("POST", "/api/v1/jobs/%s/cancel" % JL)))
th.start()
time.sleep(0.5)
r = request("POST", "/api/v1/jobs/%s/cancel" % JO)
check(r.status == 200 and th.is_alive(), "the second cancel answers while the first waits for its lock", r)


def late_moves():
    return [json.loads(x["body"])["job_id"] for x in rx.at("/ok/late")]


wait_for(lambda: uuid_of(JO) in late_moves() or None, 15, 0.1)
time.sleep(max(0.0, 3.5 - 0.5 - 0.1))
check(late_moves() == [uuid_of(JO)], "the later event is delivered while the earlier one is not committed",
      note=str(late_moves()))
blocker.stdin.write("COMMIT;\n")
blocker.stdin.close()
blocker.wait(10)
th.join(30)
check(late.get("r") is not None and late["r"].status == 200, "the first cancel commits once the lock is gone",
      late.get("r") or False)
wait_for(lambda: len(late_moves()) >= 2 or None, 15, 0.1)
time.sleep(0.5)
check(late_moves() == [uuid_of(JO), uuid_of(JL)],
      "the event committed 3 s late is delivered too, once, after the later one", note=str(late_moves()))
gaps_left = harness.db_value("SELECT COUNT(*) FROM webhook_fanout_gaps g JOIN job_events e "
                             "ON e.id BETWEEN g.lo AND g.hi")
check(str(gaps_left) == "0", "no recorded gap still covers a committed event", note=str(gaps_left))
d1.stop()

section("private addresses are refused unless allowlisted")
P3 = new_project()
t3 = new_target(P3, url=TIDY)
REFUSED = [
    (R + "/ok/loopback", "loopback"),
    ("http://localhost:%d/ok/localhost" % rx.port, "loopback"),
    ("http://10.0.0.1/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
]
rh = [hook(P3, u) for u, _w in REFUSED]
cancelled_job(P3, t3)
d3 = Daemon("wh-3", webhook_backoff_ms="300", webhook_timeout="5", allow_networks="127.0.0.2/32").start()
wait_for(lambda: all(any(d["attempts"] > 0 for d in deliveries(P3, h)) for h in rh) or None, 30, 0.3)
for (u, why), h in zip(REFUSED, rh):
    ds = deliveries(P3, h)
    want = "refused: %s address (not in [daemon] allow_networks)" % why
    check(len(ds) == 1 and ds[0]["attempts"] >= 1 and ds[0]["last_error"] == want
          and ds[0]["last_status_code"] is None and ds[0]["state"] == "pending",
          "%s: refused, recorded as the delivery's error (%s)" % (u, want), note=str(ds))
check(not rx.at("/ok/loopback") and not rx.at("/ok/localhost"),
      "the receiver on 127.0.0.1 saw nothing of them")
d3.stop()

section("delete")
codes = [request("DELETE", "/api/v1/projects/%s/webhooks/%s" % (p, h)).status for p, h in made]
check(codes == [204] * len(made), "every webhook of this test deleted", note=str(codes))
left = harness.db_value("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id IN (%s)"
                        % ", ".join(sql_str(uuid_of(h)) for _p, h in made))
check(left == "0", "their deliveries went with them", note=str(left))
rx.srv.shutdown()
