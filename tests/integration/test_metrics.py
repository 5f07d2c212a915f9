#!/usr/bin/python3
"""test_metrics.py: GET /metrics through the stack's nginx, without a scrape daemon: the
text passes `promtool check metrics`; the request counters and the latency histogram
grow by exactly the requests made, in every worker, and survive a killed worker; jobs by
status, queue depth and the oldest wait follow jobs created and cancelled; page counters
never drop when a daemons row is removed; webhook deliveries count by outcome and
survive their rows' purge; the hub's connections count an open SSE watcher. Refusals:
nginx's 403 to an address the snippet does not list (a connection from 127.0.0.2),
the API's own 403 to a request that did not come through the snippet's location (straight
to the pool's socket over FastCGI), 405 to a POST."""

import os
import signal
import socket
import struct
import subprocess
import time
import urllib.parse
import uuid

import harness
from harness import wait_for, ADMIN_TOKEN, RUN, check, db_sql, db_value, new_project, new_target, request, section, \
    sql_str, uuid_of
from evclient import SSE
from metricsclient import diff, scrape, val

PROMTOOL = "/usr/bin/promtool"
CTYPE = "text/plain; version=0.0.4; charset=utf-8"


# --- the format ---------------------------------------------------------------------

section("GET /metrics: 200, the exposition format's content type, promtool passes it")
r, s0 = scrape()
check(r.status == 200, "GET /metrics from 127.0.0.1: 200", r)
check(r.headers.get("content-type") == CTYPE, "Content-Type is %s" % CTYPE, r)
p = subprocess.run([PROMTOOL, "check", "metrics"], input=r.raw, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, timeout=30)
check(p.returncode == 0 and p.stdout.strip() == b"", "promtool check metrics: no problem", False,
      "exit %d: %r" % (p.returncode, p.stdout[-800:]))
text = r.raw.decode()
for name, kind in (("scrapeq_http_requests_total", "counter"),
                   ("scrapeq_http_request_duration_seconds", "histogram"),
                   ("scrapeq_jobs", "gauge"), ("scrapeq_queue_depth", "gauge"),
                   ("scrapeq_queue_oldest_wait_seconds", "gauge"), ("scrapeq_daemons_alive", "gauge"),
                   ("scrapeq_pages_fetched_total", "counter"), ("scrapeq_pages_stored_total", "counter"),
                   ("scrapeq_pages_failed_total", "counter"), ("scrapeq_fetched_bytes_total", "counter"),
                   ("scrapeq_webhook_deliveries_total", "counter"),
                   ("scrapeq_webhook_deliveries_pending", "gauge"),
                   ("scrapeq_events_hubs_alive", "gauge"), ("scrapeq_events_connections", "gauge"),
                   ("scrapeq_database_up", "gauge")):
    check("# TYPE %s %s\n" % (name, kind) in text and "# HELP %s " % name in text,
          "%s has HELP and TYPE %s" % (name, kind), False)
check(val(s0, "scrapeq_database_up") == 1, "scrapeq_database_up 1", False)
check(val(s0, "scrapeq_events_hubs_alive") >= 1, "the stack's hub counts as alive", False,
      "got %s" % val(s0, "scrapeq_events_hubs_alive"))

# --- requests ------------------------------------------------------------------------

section("the request counters and the histogram grow by exactly the requests made")
_, a = scrape()
for _ in range(7):
    request("GET", "/api/v1/ping", auth=False)
request("GET", "/api/v1/no-such-route", auth=False)
request("GET", "/v1/jobs", auth=False)                       # integrator, no token: 401
request("GET", "/api/scrape-jobs/stats")                     # scrapejobs
request("POST", "/auth/login", {"username": "nobody-" + uuid.uuid4().hex, "password": "x"}, auth=False)
_, b = scrape()
check(diff(a, b, "scrapeq_http_requests_total", group="v1", code="200") == 7, "v1 200 grew by 7", False,
      "grew by %s" % diff(a, b, "scrapeq_http_requests_total", group="v1", code="200"))
check(diff(a, b, "scrapeq_http_requests_total", group="v1", code="404") == 1, "v1 404 grew by 1", False)
check(diff(a, b, "scrapeq_http_requests_total", group="integrator", code="401") == 1,
      "integrator 401 grew by 1", False)
check(diff(a, b, "scrapeq_http_requests_total", group="scrapejobs", code="200") == 1,
      "scrapejobs 200 grew by 1", False)
auth4xx = sum(diff(a, b, "scrapeq_http_requests_total", group="auth", code=str(c)) for c in (400, 401, 422))
check(auth4xx == 1, "a refused login counts once in group auth", False, "got %s" % auth4xx)
check(diff(a, b, "scrapeq_http_requests_total", group="metrics", code="200") == 1,
      "the first scrape counts in group metrics (a scrape sees those answered before it)", False)
check(diff(a, b, "scrapeq_http_request_duration_seconds_count", group="v1") == 8,
      "v1's histogram _count grew by 8", False)
check(diff(a, b, "scrapeq_http_request_duration_seconds_bucket", group="v1", le="+Inf") == 8,
      "v1's +Inf bucket grew by 8", False)
check(diff(a, b, "scrapeq_http_request_duration_seconds_sum", group="v1") > 0,
      "v1's _sum grew", False)
buckets = [val(b, "scrapeq_http_request_duration_seconds_bucket", group="v1", le=le)
           for le in ("0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
                      "5", "10", "+Inf")]
check(all(x <= y for x, y in zip(buckets, buckets[1:])), "buckets are cumulative", False, "%s" % buckets)

section("requests served by every worker add up; a killed worker's replacement keeps counting")
with open(os.path.join(RUN, "api.pid")) as f:
    sup = int(f.read().strip())


def workers():
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(sup)], stdout=subprocess.PIPE, text=True).stdout
    return sorted(int(x) for x in out.split())


_, a = scrape()
n = 60
for _ in range(n):    # each on a new connection from nginx's side too: spread over the workers
    request("GET", "/api/v1/ping", auth=False, headers={"Connection": "close"})
_, b = scrape()
check(diff(a, b, "scrapeq_http_requests_total", group="v1", code="200") == n,
      "%d pings over %d workers: v1 200 grew by %d" % (n, len(workers()), n), False,
      "grew by %s" % diff(a, b, "scrapeq_http_requests_total", group="v1", code="200"))
before = workers()
if check(len(before) >= 1, "the pool has workers: %s" % before, False):
    os.kill(before[0], signal.SIGKILL)
    after = wait_for(lambda: (lambda w: w if len(w) == len(before) and before[0] not in w else None)(workers()),
                     10)
    check(after is not None, "the killed worker was replaced", False)
    _, c = scrape()
    check(val(c, "scrapeq_http_requests_total", group="v1", code="200") >=
          val(b, "scrapeq_http_requests_total", group="v1", code="200"),
          "after a worker was killed the counters did not go back", False,
          "%s -> %s" % (val(b, "scrapeq_http_requests_total", group="v1", code="200"),
                        val(c, "scrapeq_http_requests_total", group="v1", code="200")))
    for _ in range(10):
        request("GET", "/api/v1/ping", auth=False, headers={"Connection": "close"})
    _, d = scrape()
    check(diff(c, d, "scrapeq_http_requests_total", group="v1", code="200") == 10,
          "and they grow by exactly the next 10 pings", False)

# --- jobs and the queue ------------------------------------------------------------------

section("jobs by status, queue depth and the oldest wait follow jobs created and cancelled")
projects = []
for _ in range(3):      # a project runs one job at a time
    projects.append(new_project())
    new_target(projects[-1], url="http://127.0.0.1:9/never")
_, a = scrape()
jobs = []
for P in projects:
    r = request("POST", "/api/v1/projects/%s/jobs" % P, {})
    check(r.status == 201, "a job created", r)
    jobs.append(r.json["id"])
_, b = scrape()
check(diff(a, b, "scrapeq_jobs", status="pending") == 3, "scrapeq_jobs{status=pending} grew by 3", False,
      "grew by %s" % diff(a, b, "scrapeq_jobs", status="pending"))
check(diff(a, b, "scrapeq_queue_depth") == 3, "scrapeq_queue_depth grew by 3", False)
db_sql("UPDATE job_queue SET run_after = NOW(6) - INTERVAL 5000 SECOND WHERE job_id = %s"
       % sql_str(uuid_of(jobs[0])))
db_sql("UPDATE job_queue SET run_after = NOW(6) + INTERVAL 1 HOUR WHERE job_id = %s" % sql_str(uuid_of(jobs[1])))
_, c = scrape()
check(5000 <= val(c, "scrapeq_queue_oldest_wait_seconds") < 5100,
      "a job claimable for 5000 s: oldest wait %s" % val(c, "scrapeq_queue_oldest_wait_seconds"), False)
check(diff(b, c, "scrapeq_queue_depth") == -1 and diff(b, c, "scrapeq_queue_scheduled") == 1,
      "a job not claimable for an hour moves from depth to scheduled", False)
r = request("POST", "/api/v1/jobs/%s/cancel" % jobs[0])
check(r.status == 200, "cancel the oldest", r)
_, d = scrape()
check(diff(c, d, "scrapeq_jobs", status="pending") == -1 and diff(c, d, "scrapeq_jobs", status="cancelled") == 1,
      "a cancel moves one job from pending to cancelled", False)
check(val(d, "scrapeq_queue_oldest_wait_seconds") < 5000, "the cancelled job no longer sets the oldest wait",
      False, "got %s" % val(d, "scrapeq_queue_oldest_wait_seconds"))
for j in jobs[1:]:
    request("POST", "/api/v1/jobs/%s/cancel" % j)

# --- page counters and webhook deliveries (rows as scrapeqd writes them) ----------------

section("page counters: every daemons row, and a removed row's counts are kept")
_, a = scrape()
did = "metrics-test-" + uuid.uuid4().hex[:12]
db_sql("INSERT INTO daemons (id, host, pid, stopped_at, pages_fetched, pages_stored, pages_failed, "
       "bytes_fetched) VALUES (%s, 'test', 1, NOW(6), 11, 7, 3, 123456)" % sql_str(did))
_, b = scrape()
check((diff(a, b, "scrapeq_pages_fetched_total"), diff(a, b, "scrapeq_pages_stored_total"),
       diff(a, b, "scrapeq_pages_failed_total"), diff(a, b, "scrapeq_fetched_bytes_total")) == (11, 7, 3, 123456),
      "a stopped daemon's row counts: fetched 11, stored 7, failed 3, bytes 123456", False)
check(diff(a, b, "scrapeq_daemons_alive") == 0, "a stopped daemon is not alive", False)
db_sql("UPDATE daemons SET pages_fetched = pages_fetched + 4, bytes_fetched = bytes_fetched + 1000 "
       "WHERE id = %s" % sql_str(did))
db_sql("DELETE FROM daemons WHERE id = %s" % sql_str(did))
_, c = scrape()
check((diff(a, c, "scrapeq_pages_fetched_total"), diff(a, c, "scrapeq_fetched_bytes_total")) == (15, 124456),
      "after its row is deleted the totals stay (15 fetched, 124456 bytes)", False,
      "%s %s" % (diff(a, c, "scrapeq_pages_fetched_total"), diff(a, c, "scrapeq_fetched_bytes_total")))

section("webhook deliveries by outcome; a purged delivery still counts")
_, a = scrape()
wh = str(uuid.uuid4())
ids = [str(uuid.uuid4()) for _ in range(3)]
for i, d in enumerate(ids):
    db_sql("INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, job_id, payload) "
           "VALUES (%s, %s, %d, 'job.completed', %s, '{}')" % (sql_str(d), sql_str(wh), i + 1,
                                                                sql_str(str(uuid.uuid4()))))
_, b = scrape()
check(diff(a, b, "scrapeq_webhook_deliveries_pending") == 3, "3 deliveries pending", False)
db_sql("UPDATE webhook_deliveries SET state = 'delivered', attempts = 1 WHERE id = %s" % sql_str(ids[0]))
db_sql("UPDATE webhook_deliveries SET attempts = 2 WHERE id = %s" % sql_str(ids[1]))   # a retry: no outcome
db_sql("UPDATE webhook_deliveries SET state = 'failed', attempts = 8 WHERE id = %s" % sql_str(ids[2]))
_, c = scrape()
check(diff(a, c, "scrapeq_webhook_deliveries_total", outcome="delivered") == 1 and
      diff(a, c, "scrapeq_webhook_deliveries_total", outcome="failed") == 1,
      "one delivered, one failed; a retried attempt is no outcome", False)
check(diff(a, c, "scrapeq_webhook_deliveries_pending") == 1, "1 delivery still pending", False)
db_sql("UPDATE webhook_deliveries SET last_error = 'x' WHERE id = %s" % sql_str(ids[0]))
db_sql("DELETE FROM webhook_deliveries WHERE webhook_id = %s" % sql_str(wh))
_, d = scrape()
check(diff(a, d, "scrapeq_webhook_deliveries_total", outcome="delivered") == 1 and
      diff(a, d, "scrapeq_webhook_deliveries_total", outcome="failed") == 1 and
      diff(a, d, "scrapeq_webhook_deliveries_pending") == 0,
      "after the rows are purged the outcomes still count once each", False)

# --- the event hub ---------------------------------------------------------------------

section("event-hub connections: an open SSE watcher counts, and stops counting when it leaves")
_, a = scrape()
base = val(a, "scrapeq_events_connections")
P2 = new_project()
w = SSE("/api/v1/projects/%s/events" % P2, ADMIN_TOKEN)
check(w.status == 200, "an SSE watcher is open", False, "status %s" % w.status)
up = wait_for(lambda: val(scrape()[1], "scrapeq_events_connections") == base + 1, 8)
check(up, "scrapeq_events_connections grew by 1 within 8 s", False)
w.close()
# nginx closes its side to the hub when it next writes to the gone client: at the
# latest the hub's keep-alive comment ([events] keepalive_seconds) after it left.
ka = int(harness.config_value("events", "keepalive_seconds", "15"))
down = wait_for(lambda: val(scrape()[1], "scrapeq_events_connections") <= base, ka + 8)
check(down, "and went back within keepalive_seconds + 8 s (%d s) of the watcher leaving" % (ka + 8), False)

# --- refusals ------------------------------------------------------------------------

section("nginx: 403 to an address the snippet does not allow (a connection from 127.0.0.2)")
_, a = scrape()
u = urllib.parse.urlparse(harness.BASE)
sock = socket.create_connection((u.hostname, u.port), timeout=10, source_address=("127.0.0.2", 0))
sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
resp = b""
while True:
    chunk = sock.recv(65536)
    if not chunk:
        break
    resp += chunk
sock.close()
head, _, body = resp.partition(b"\r\n\r\n")
check(head.startswith(b"HTTP/1.1 403"), "from 127.0.0.2: 403", False, "%r" % resp[:300])
check(b"scrapeq_" not in body and b"allowed from the addresses listed" in body,
      "with the snippet's plain text and no figures", False, "%r" % body[:300])
_, b = scrape()
check(diff(a, b, "scrapeq_http_requests_total", group="metrics", code="403") == 0,
      "the refusal never reached the pool", False)

section("the API: 403 to /metrics that did not come through the snippet's location")
API_SOCK = os.path.join(RUN, "api.sock")


def fcgi(params):
    """One FastCGI request (FastCGI 1.0, responder) to the pool's socket; returns stdout bytes."""
    def rec(t, content):
        pad = (8 - len(content) % 8) % 8
        return struct.pack("!BBHHBB", 1, t, 1, len(content), pad, 0) + content + b"\0" * pad

    def nv(k, v):
        k, v = k.encode(), v.encode()
        return struct.pack("!BB", len(k), len(v)) + k + v
    body = b"".join(nv(k, v) for k, v in params.items())
    msg = rec(1, struct.pack("!HB5x", 1, 0)) + rec(4, body) + rec(4, b"") + rec(5, b"")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(API_SOCK)
    s.sendall(msg)
    buf, out = b"", b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        buf += c
        while len(buf) >= 8:
            _, t, _, clen, plen, _ = struct.unpack("!BBHHBB", buf[:8])
            if len(buf) < 8 + clen + plen:
                break
            if t == 6:
                out += buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if t == 3:
                s.close()
                return out
    s.close()
    return out


plain = {"REQUEST_METHOD": "GET", "DOCUMENT_URI": "/metrics", "REQUEST_URI": "/metrics", "QUERY_STRING": "",
         "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": "0"}
out = fcgi(plain)
check(out.startswith(b"Status: 403") and b'"code":"FORBIDDEN"' in out and b"scrapeq_jobs" not in out,
      "without SCRAPEQ_METRICS: 403 FORBIDDEN in v1's envelope, no figures", False, "%r" % out[:300])
out = fcgi(dict(plain, SCRAPEQ_METRICS="0"))
check(out.startswith(b"Status: 403"), "SCRAPEQ_METRICS=0: 403", False, "%r" % out[:200])
out = fcgi(dict(plain, SCRAPEQ_METRICS="1"))
check(out.startswith(b"Status: 200") and b"scrapeq_jobs{" in out, "SCRAPEQ_METRICS=1: 200 with figures", False,
      "%r" % out[:200])

section("405 to a POST, 404 below /metrics")
r = request("POST", "/metrics", {}, auth=False)
check(r.status == 405 and r.headers.get("allow") == "GET", "POST /metrics: 405, Allow: GET", r)
r = request("GET", "/metrics/x", auth=False)
check(r.status == 404, "GET /metrics/x: 404 (nginx's location is exact; the pool would say 404 too)", r)
