#!/usr/bin/python3
"""test_crawl_wire.py: how scrapeqd uses the wire on a slow plain-HTTP host (issue 13).

- Fetches to one plain-HTTP host run side by side up to per_host_connections, also
  when the host answers HTTP/1.0 and slowly: CURLOPT_PIPEWAIT (waiting for a
  connection that might multiplex) is asked for on https only, where HTTP/2 can be
  negotiated; on plain HTTP it held every fetch behind the one before.
- A crawl waiting on a slow page writes no "progress" event that says what the one
  before it said (issue 12 noted one every flush, about 40 per slow job).

The site is a Python HTTP/1.0 server on 127.0.0.1 (the stack's test config allowlists
127.0.0.0/8) that records when each request started and ended.
"""
# integration: daemon

import http.server
import socketserver
import threading
import time

import harness
from harness import (Daemon, create_job, job_events, job_results, new_project, new_target, section,
                     wait_job)

SLOW_S = 1.0        # before a slow page's answer starts
SLOW_PAGES = 6      # /s1 .. /s6, all linked from /


def check(cond, name, note=None):
    return harness.check(cond, name, False, note)


Daemon.exclusive()
spans = []           # (path, start, end) of every request
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"      # no keep-alive: a connection is never known to multiplex

    def do_GET(self):
        t0 = time.monotonic()
        if self.path == "/":
            body = "<html><head><title>slow site</title></head><body>%s</body></html>" % "".join(
                '<a href="/s%d">s%d</a>' % (i, i) for i in range(1, SLOW_PAGES + 1))
        elif self.path.startswith("/s") or self.path == "/wait":
            time.sleep(SLOW_S if self.path != "/wait" else 3.0)
            body = "<html><head><title>%s</title></head><body><p>x</p></body></html>" % self.path
        else:
            self.send_error(404)
            return
        data = body.encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass
        with lock:
            spans.append((self.path, t0, time.monotonic()))

    def log_message(self, *args):
        pass


class Site(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 64


srv = Site(("127.0.0.1", 0), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
base = "http://127.0.0.1:%d" % srv.server_address[1]

d = Daemon("wire-d1").start()

section("fetches to one slow HTTP/1.0 host overlap (per_host_connections 8)")
project = new_project(name="wire parallel", max_results_per_target=100)
target = new_target(project, url=base + "/")
job = create_job(project, [target], {"depth": 1})
t0 = time.monotonic()
row = wait_job(job, timeout=60)
took = time.monotonic() - t0
res = job_results(job)
check(row and row["status"] == "completed" and len(res) == SLOW_PAGES + 1,
      "the job completed with the start page and its %d slow pages" % SLOW_PAGES,
      "status %s, %d results" % (row and row["status"], len(res)))
with lock:
    slow = sorted((a, b) for p, a, b in spans if p.startswith("/s"))
most = max(sum(1 for a, b in slow if a <= t < b) for t, _ in slow) if slow else 0
check(most >= 4, "at least 4 of the %d slow pages were fetched at once" % SLOW_PAGES,
      "at most %d at once; spans %r" % (most, [(round(a - slow[0][0], 2), round(b - slow[0][0], 2))
                                               for a, b in slow]))
check(took < SLOW_S * SLOW_PAGES, "the job took less than the slow pages one after another (%.0f s)"
      % (SLOW_S * SLOW_PAGES), "took %.1f s" % took)

section("a crawl waiting on a slow page repeats no progress event")
project = new_project(name="wire progress", max_results_per_target=100)
target = new_target(project, url=base + "/wait")
job = create_job(project, [target], {"depth": 0})
row = wait_job(job, timeout=60)
prog = [dd for t, dd in job_events(job) if t == "progress"]
same = [i for i in range(1, len(prog)) if prog[i] == prog[i - 1]]
check(row and row["status"] == "completed" and len(job_results(job)) == 1,
      "the job over one 3 s page completed with its result", "status %s" % (row and row["status"]))
check(len(prog) >= 1 and prog[-1].get("results_count") == 1,
      "its progress events end with results_count 1", "events %r" % prog)
check(not same, "no progress event repeats the one before it (flush_ms 200: 15 flushes in 3 s)",
      "%d events, %d repeats: %r" % (len(prog), len(same), prog))

d.stop()
srv.shutdown()
