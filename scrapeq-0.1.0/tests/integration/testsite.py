#!/usr/bin/python3
"""testsite.py: the local test site the crawler tests run against, and a model of it.

ensure() writes the site's files under $SCRAPEQ_RUN/testsite/ and an nginx server
file to $SCRAPEQ_RUN/nginx/sites/testsite.conf, which the stack's nginx includes
(scripts/stack: `include .../nginx/sites/*.conf`), then reloads that nginx (SIGHUP
to the pid the stack recorded) and waits until the new configuration answers. It
is idempotent: a second call reuses the port and files and does not reload (unless
this file changed since they were written).

Origins, all on one port P, told apart by address or by Host:
  main    http://127.0.0.1:P   the full site: a known link graph over depths 0-4,
                               robots.txt with three groups (scrapeq, otherbot with a
                               Crawl-delay, *), a Sitemap: line and a sitemap.xml that
                               lists a page nothing links to, a 301, a redirect loop, a
                               two-hop redirect chain to a page already crawled,
                               404, 429 with Retry-After: 1 (always), 500, a dropped
                               connection (nginx 444), a slow page (limit_rate), PDF,
                               CSV and .bak files, an oversized page, query strings,
                               odd hrefs that normalise to pages already seen, links
                               to other hosts, a JSON-LD Product and a price span.
                               HTML is served gzip-compressed.
  subs    http://localhost:P   links to www.localhost, sub.localhost, deep.sub.localhost
                               and notlocalhost (includeSubdomains; libcurl resolves
                               *.localhost to loopback itself, getaddrinfo does not)
  ext     http://127.0.0.2:P   "another site": pages and redirects to private
                               addresses (the SSRF test allowlists only this address)
  crash   http://127.0.0.3:P   /quick/ (5 pages) and /slow/ (61 pages, each ~1-2 s
                               through limit_rate): crash, cancel and SIGTERM tests
  tidy    http://127.0.0.4:P   21 plain pages in a tree of depth 2; no robots.txt,
                               no sitemap (maxPages, max_results_per_target, delay)
  polite  http://127.0.0.5:P   robots.txt "User-agent: *  Crawl-delay: 1", 4 pages
  xpath   http://127.0.0.6:P   / links to /big.html (about 2 MB: 25,000 paragraphs, where a
                               hostile XPath takes a minute) and /small.html (an h1 and a
                               price span); no robots.txt, no sitemap (test_selectors.py)

Each origin logs to $SCRAPEQ_RUN/testsite/logs/<origin>.log, one line per request:
  $msec $request_time $status $bytes_sent "$host" "$request" "$http_user_agent" "$http_accept_encoding"
access_log() parses those lines.

crawl() is the model: given a start URL and a job's options it returns the result
URLs (with depths) and the error URLs (with kinds) a crawler should end with. What
it assumes, so a failing test says which assumption broke:
  - depth is counted in links from the start URL (0), breadth first; a page deeper
    than `depth` is not fetched. The graph is built so that the first discovery of
    every page is by its shortest path whatever the fetch order (cross links point
    only at depth-1 pages or the root).
  - a redirect is followed; the result is stored under the final URL, at the depth
    of the link that led to it; a loop is an error of kind "redirects" on the URL
    that was linked.
  - sitemap URLs (robots.txt Sitemap: lines, /sitemap.xml) join the crawl within the
    same scope rules; the orphan page has no links, so its depth does not matter.
  - a URL that robots.txt disallows is an error of kind "robots"; non-HTML bodies are
    results that are not parsed; 4xx/5xx are errors of kind "http"; a body over
    max_body is "too_large"; a connection closed without an answer is "fetch".
  - includePaths/excludePaths decide which URLs are fetched at all (an excluded page
    is not fetched, so its links are not followed).

Run it by hand: python3 tests/integration/testsite.py  (prints the origins).
"""

import base64
import hashlib
import os
import random
import re
import signal
import socket
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

ADDR = {"main": "127.0.0.1", "ext": "127.0.0.2", "crash": "127.0.0.3", "tidy": "127.0.0.4",
        "polite": "127.0.0.5", "xpath": "127.0.0.6"}
SLOW_PAGES = 60          # children under /slow/ besides its index
MAX_BODY = 64 * 1024     # the test daemons' max_body; big.html is well past it


def run_dir():
    return os.path.abspath(os.environ.get("SCRAPEQ_RUN") or os.path.join(REPO, "run"))


# --- HTML -----------------------------------------------------------------------

def html(title, hrefs, head="", body="", pad=0):
    """A small page: title, links in order, optional extra head/body, padding text."""
    links = "\n".join('<li><a href="%s">link %d</a></li>' % (h, i) for i, h in enumerate(hrefs))
    filler = ""
    if pad:
        rnd = random.Random(title)
        words = ["lorem", "ipsum", "dolor", "sit", "amet", "crawl", "queue", "lease", "robots", "page"]
        filler = "<p>%s</p>" % " ".join(rnd.choice(words) for _ in range(pad))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n%s</head>\n"
            "<body>\n<h1>%s</h1>\n%s\n<ul>\n%s\n</ul>\n%s\n</body>\n</html>\n"
            % (title, head, title, body, links, filler))


def noise(n, seed):
    """n bytes of incompressible ASCII (so gzip cannot shrink a page under a limit)."""
    rnd = random.Random(seed)
    return base64.b64encode(bytes(rnd.getrandbits(8) for _ in range(n * 3 // 4 + 3))).decode()[:n]


# --- the site ---------------------------------------------------------------------
#
# MAIN maps a path to a resource. Kinds:
#   ("page", hrefs)            HTML; hrefs as written (relative or absolute with {P})
#   ("file", ctype)            a non-HTML file, recorded, never parsed
#   ("redirect", path)         nginx return 301/302 to path on the same origin
#   ("status", code)           nginx answers this status (429 with Retry-After: 1)
#   ("drop", None)             nginx closes the connection without answering (444)
#   ("big", None)              HTML larger than MAX_BODY
# The page texts are built in write_site(); links here are the graph.

def main_graph():
    return {
        "/": ("page", [
            "a1.html", "a2.html", "a3.html", "products/widget.html", "private/secret.html",
            "private/open.html", "old-page.html", "loop-a", "missing.html", "busy.html",
            "error500", "dropped.html", "slow.html", "big.html", "files/report.pdf", "files/data.csv",
            "http://127.0.0.2:{P}/elsewhere.html", "http://localhost:{P}/",
            # odd forms of pages already linked: all normalise to them
            "a1.html#section", "./a2.html", "a%33.html", "HTTP://127.0.0.1:{P}/a1.html",
            "#top", "mailto:someone@example.com", "javascript:void(0)"]),
        "/a1.html": ("page", ["b1.html", "b2.html", "/"]),
        "/b1.html": ("page", ["c1.html", "c2.html", "/", "a2.html", "chain-1"]),
        "/c1.html": ("page", ["d1.html", "/"]),
        "/d1.html": ("page", ["/"]),
        "/c2.html": ("page", ["a3.html"]),
        "/b2.html": ("page", ["c3.html", "files/notes.bak", "files/notes.bak.html"]),
        "/c3.html": ("page", ["d2.html"]),
        "/d2.html": ("page", ["/", "a1.html"]),
        "/files/notes.bak.html": ("page", ["/"]),
        "/a2.html": ("page", ["list.html?page=1", "list.html?page=2", "b3.html"]),
        "/list.html": ("page", ["list.html?page=2", "list.html?page=3", "/"]),
        "/b3.html": ("page", ["c4.html"]),
        "/c4.html": ("page", ["d3.html"]),
        "/d3.html": ("page", []),
        "/a3.html": ("page", ["blog/"]),
        "/blog/": ("page", ["post-1.html", "post-2.html", "/"]),
        "/blog/post-1.html": ("page", ["/blog/", "/"]),
        "/blog/post-2.html": ("page", ["../deep/from-blog.html", "/blog/"]),
        "/deep/from-blog.html": ("page", ["/"]),
        "/products/widget.html": ("page", ["gadget.html", "/"]),
        "/products/gadget.html": ("page", ["widget.html"]),
        "/private/open.html": ("page", ["inner.html"]),
        "/private/inner.html": ("page", ["/"]),
        "/private/secret.html": ("page", ["/"]),
        "/old-page.html": ("redirect", "/moved.html"),
        "/moved.html": ("page", ["/"]),
        "/chain-1": ("redirect", "/chain-2"),
        "/chain-2": ("redirect", "/a1.html"),
        "/loop-a": ("redirect", "/loop-b"),
        "/loop-b": ("redirect", "/loop-a"),
        "/missing.html": ("status", 404),
        "/busy.html": ("status", 429),
        "/error500": ("status", 500),
        "/dropped.html": ("drop", None),
        "/slow.html": ("page", ["/"]),
        "/big.html": ("big", None),
        "/files/report.pdf": ("file", "application/pdf"),
        "/files/data.csv": ("file", "text/csv"),
        "/files/notes.bak": ("file", "application/octet-stream"),
        "/orphan.html": ("page", ["/"]),
        # Files that exist but only appear as text inside the PDF and CSV: never fetched.
        "/pdf-only.html": ("page", []),
        "/csv-only.html": ("page", []),
    }


# robots.txt of main for the product token "scrapeq" (the tests' user agents all start so).
ROBOTS_DISALLOW = ["/private/", "/*.bak$"]
ROBOTS_ALLOW = ["/private/open.html"]

SUBS = {  # host -> path -> hrefs (absolute hrefs use {P})
    "localhost": {
        "/": ["local.html", "http://www.localhost:{P}/w.html", "http://sub.localhost:{P}/page.html",
              "http://deep.sub.localhost:{P}/x.html", "http://notlocalhost:{P}/n.html",
              "http://localhost.example:{P}/e.html"],
        "/local.html": ["/"],
    },
    "www.localhost": {"/w.html": ["http://localhost:{P}/"]},
    "sub.localhost": {"/page.html": ["http://localhost:{P}/"]},
    "deep.sub.localhost": {"/x.html": ["http://localhost:{P}/"]},
}

TIDY = {"/": ["s%d.html" % i for i in range(1, 5)]}
for _i in range(1, 5):
    TIDY["/s%d.html" % _i] = ["s%d-%d.html" % (_i, j) for j in range(1, 5)] + ["/"]
    for _j in range(1, 5):
        TIDY["/s%d-%d.html" % (_i, _j)] = ["/", "s%d.html" % _i]

POLITE = {"/": ["p1.html", "p2.html", "p3.html"], "/p1.html": ["/"], "/p2.html": ["/"], "/p3.html": ["/"]}

XPATH = {"/": ["big.html", "small.html"], "/big.html": [], "/small.html": ["/"]}
XPATH_BIG_PARAGRAPHS = 25000

QUICK = {"/quick/": ["q1.html", "q2.html", "q3.html", "q4.html"]}
for _i in range(1, 5):
    QUICK["/quick/q%d.html" % _i] = ["/quick/"]

SLOW = {"/slow/": ["n%d.html" % i for i in range(1, 11)]}
for _i in range(1, 11):
    SLOW["/slow/n%d.html" % _i] = ["n%d-%d.html" % (_i, j) for j in range(1, 6)] + ["/slow/"]
    for _j in range(1, 6):
        SLOW["/slow/n%d-%d.html" % (_i, _j)] = ["/slow/"]
assert len(SLOW) == SLOW_PAGES + 1

EXT = {"/": ["elsewhere.html"], "/elsewhere.html": ["http://127.0.0.1:{P}/"]}
EXT_REDIRECTS = {  # the SSRF test's redirects from the allowlisted "other site"
    "/to-loopback": "http://127.0.0.1:{P}/",
    "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    "/to-private": "http://10.0.0.1/",
    "/to-localhost": "http://localhost:{P}/",
}

PRODUCT_HEAD = (
    '<meta name="description" content="A widget for testing.">\n'
    '<link rel="canonical" href="/products/widget.html">\n'
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product", '
    '"name": "Widget", "offers": {"@type": "Offer", "price": "19.99", "priceCurrency": "EUR"}}</script>\n')
PRODUCT_BODY = ('<span class="price">19.99 EUR</span>\n<img src="w1.png" alt="front">\n'
                '<img src="w2.png" alt="back">\n')
WIDGET_TITLE = "Widget \u2013 test shop"


def pdf_bytes(port):
    text = "See http://127.0.0.1:%d/pdf-only.html" % port
    stream = "BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = "%PDF-1.4\n"
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += "%d 0 obj\n%s\nendobj\n" % (i, o)
    xref = len(out)
    out += "xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += "".join("%010d 00000 n \n" % o for o in offs)
    out += "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out.encode()


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def _file_for(root, path):
    return os.path.join(root, path.lstrip("/") + ("index.html" if path.endswith("/") else ""))


def _fill(hrefs, port):
    return [h.replace("{P}", str(port)) for h in hrefs]


def write_site(top, port):
    """Writes every origin's files under top/<origin>/."""
    main = os.path.join(top, "main")
    for path, (kind, arg) in main_graph().items():
        f = _file_for(main, path)
        if kind == "page":
            if path == "/products/widget.html":
                text = html(WIDGET_TITLE, _fill(arg, port), PRODUCT_HEAD, PRODUCT_BODY)
            elif path == "/products/gadget.html":
                text = html("Gadget", _fill(arg, port), "", '<span class="price">5.00 EUR</span>')
            elif path == "/slow.html":
                text = html("Slow page", _fill(arg, port), body="<pre>%s</pre>" % noise(6000, path))
            else:
                text = html("Page %s" % path, _fill(arg, port), pad=60)
            _write(f, text)
        elif kind == "big":
            _write(f, html("Too big", [], body="<pre>%s</pre>" % noise(MAX_BODY * 3, path)))
        elif kind == "file":
            if path.endswith(".pdf"):
                _write(f, pdf_bytes(port))
            elif path.endswith(".csv"):
                _write(f, "name,url\ncsv,http://127.0.0.1:%d/csv-only.html\n" % port)
            else:
                _write(f, "an old backup: http://127.0.0.1:%d/csv-only.html\n" % port)
    robots = ("# robots.txt of the scrapeq integration test site\n"
              "User-agent: otherbot\nCrawl-delay: 30\nDisallow: /\n\n"
              "User-agent: scrapeq\n%s%s\n"
              "User-agent: *\nDisallow: /\n\n"
              "Sitemap: http://127.0.0.1:%d/sitemap.xml\n"
              % ("".join("Disallow: %s\n" % d for d in ROBOTS_DISALLOW),
                 "".join("Allow: %s\n" % a for a in ROBOTS_ALLOW), port))
    _write(os.path.join(main, "robots.txt"), robots)
    _write(os.path.join(main, "sitemap.xml"),
           '<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
           '<url><loc>http://127.0.0.1:%d/</loc></url>\n'
           '<url><loc>http://127.0.0.1:%d/orphan.html</loc></url>\n</urlset>\n' % (port, port))

    for host, pages in SUBS.items():
        for path, hrefs in pages.items():
            _write(_file_for(os.path.join(top, "subs", host), path), html("%s%s" % (host, path), _fill(hrefs, port)))
    for path, hrefs in EXT.items():
        _write(_file_for(os.path.join(top, "ext"), path), html("Elsewhere %s" % path, _fill(hrefs, port)))
    for path, hrefs in TIDY.items():
        _write(_file_for(os.path.join(top, "tidy"), path), html("Tidy %s" % path, hrefs, pad=40))
    for path, hrefs in POLITE.items():
        _write(_file_for(os.path.join(top, "polite"), path), html("Polite %s" % path, hrefs))
    _write(os.path.join(top, "polite", "robots.txt"), "User-agent: *\nCrawl-delay: 1\n")
    xp = os.path.join(top, "xpath")
    _write(_file_for(xp, "/"), html("Selectors", XPATH["/"]))
    _write(_file_for(xp, "/small.html"), html("Small", XPATH["/small.html"], body=PRODUCT_BODY))
    paras = "".join("<p>paragraph %05d of the big page: lorem ipsum dolor sit amet, consectetur.</p>\n" % i
                    for i in range(XPATH_BIG_PARAGRAPHS))
    _write(_file_for(xp, "/big.html"), html("Big", XPATH["/big.html"], body=paras))
    for path, hrefs in list(QUICK.items()) + list(SLOW.items()):
        body = "<pre>%s</pre>" % noise(1500, path) if path.startswith("/slow/") else ""
        _write(_file_for(os.path.join(top, "crash"), path), html("Crash %s" % path, hrefs, body=body))


def nginx_conf(top, port, token):
    """The server blocks, for the http{} context of the stack's nginx."""
    logs = os.path.join(top, "logs")
    main = os.path.join(top, "main")
    L = []
    L.append("# written by tests/integration/testsite.py; the stack's nginx includes it")
    L.append("log_format sqtest '$msec $request_time $status $bytes_sent \"$host\" \"$request\" "
             "\"$http_user_agent\" \"$http_accept_encoding\"';")

    def server(name, listen, server_name, root, extra):
        L.append("server {")
        L.append("    listen %s;" % listen)
        if server_name:
            L.append("    server_name %s;" % server_name)
        L.append("    root %s;" % root)
        L.append("    access_log %s/%s.log sqtest;" % (logs, name))
        L.append("    location = /__testsite { default_type text/plain; return 200 \"%s\"; }" % token)
        L.append("    location / { try_files $uri $uri/ =404; }")
        L.extend("    " + e for e in extra)
        L.append("}")

    extra = ["gzip on;", "gzip_min_length 32;", "gzip_types text/html;",
             "location ~ \\.csv$ { types { } default_type text/csv; }"]
    for path, (kind, arg) in main_graph().items():
        if kind == "redirect":
            code = 301 if path == "/old-page.html" else 302
            extra.append("location = %s { return %d %s; }" % (path, code, arg))
        elif kind == "status" and arg == 429:
            extra.append("location = %s { add_header Retry-After 1 always; return 429; }" % path)
        elif kind == "status":
            extra.append("location = %s { return %d; }" % (path, arg))
        elif kind == "drop":
            extra.append("location = %s { return 444; }" % path)
    extra.append("location = /slow.html { gzip off; limit_rate 2k; }")
    extra.append("location = /big.html { gzip off; }")
    server("main", "127.0.0.1:%d default_server" % port, "127.0.0.1", main, extra)
    # subs: one root per host name, picked by $host.
    server("subs", "127.0.0.1:%d" % port, "localhost *.localhost", os.path.join(top, "subs", "$host"), [])
    ext = ["location = %s { return 302 %s; }" % (p, u.replace("{P}", str(port))) for p, u in EXT_REDIRECTS.items()]
    server("ext", "127.0.0.2:%d" % port, None, os.path.join(top, "ext"), ext)
    server("crash", "127.0.0.3:%d" % port, None, os.path.join(top, "crash"),
           ["location /slow/ { gzip off; limit_rate 1k; }"])
    server("tidy", "127.0.0.4:%d" % port, None, os.path.join(top, "tidy"), [])
    server("polite", "127.0.0.5:%d" % port, None, os.path.join(top, "polite"), [])
    server("xpath", "127.0.0.6:%d" % port, None, os.path.join(top, "xpath"), [])
    return "\n".join(L) + "\n"


# --- set-up -------------------------------------------------------------------------

def _port_free(p):
    for a in ADDR.values():
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((a, p))
        except OSError:
            return False
        finally:
            s.close()
    return True


def _answers(port, token):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/__testsite" % port, timeout=2) as r:
            return r.read().decode() == token
    except (OSError, urllib.error.URLError):
        return False


def _nginx_pid(run):
    try:
        with open(os.path.join(run, "nginx.pid")) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"nginx: master process" not in f.read():
                return None
        return pid
    except (OSError, ValueError):
        return None


class Site:
    def __init__(self, run, port):
        self.run = run
        self.port = port
        self.top = os.path.join(run, "testsite")

    def origin(self, name):
        if name == "subs":
            return "http://localhost:%d" % self.port
        return "http://%s:%d" % (ADDR[name], self.port)

    def url(self, name, path="/"):
        return self.origin(name) + path

    def log_path(self, name):
        return os.path.join(self.top, "logs", "%s.log" % name)

    def log_size(self, name):
        try:
            return os.path.getsize(self.log_path(name))
        except OSError:
            return 0

    def access_log(self, name, since=0):
        """Parsed access-log lines of an origin from byte offset since: dicts with
        end, start (seconds), status, bytes, host, method, path, agent, accept_encoding."""
        out = []
        try:
            with open(self.log_path(name), "rb") as f:
                f.seek(since)
                data = f.read().decode("utf-8", "replace")
        except OSError:
            return out
        rx = re.compile(r'^(\S+) (\S+) (\d+) (\d+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)"$')
        for line in data.splitlines():
            m = rx.match(line)
            if not m:
                continue
            req = m.group(6).split(" ")
            end, dur = float(m.group(1)), float(m.group(2))
            out.append({"end": end, "start": end - dur, "status": int(m.group(3)), "bytes": int(m.group(4)),
                        "host": m.group(5), "method": req[0] if req else "",
                        "path": req[1] if len(req) > 1 else "", "agent": m.group(7),
                        "accept_encoding": m.group(8)})
        return out


def ensure(run=None):
    """Writes the site and its nginx file if needed, reloads the stack's nginx, waits.
    Returns a Site."""
    run = run or run_dir()
    top = os.path.join(run, "testsite")
    portfile = os.path.join(top, "port")
    conf_path = os.path.join(run, "nginx", "sites", "testsite.conf")
    port = None
    try:
        with open(portfile) as f:
            port = int(f.read().strip())
    except (OSError, ValueError):
        pass
    # The site is rewritten when this file changed since it was written (the graph is here).
    with open(os.path.abspath(__file__), "rb") as f:
        version = hashlib.sha256(f.read()).hexdigest()
    try:
        with open(os.path.join(top, "version")) as f:
            same = f.read().strip() == version
    except OSError:
        same = False
    if same and port is not None and os.path.exists(conf_path):
        with open(conf_path) as f:
            m = re.search(r'return 200 "([0-9a-f]+)"', f.read())
        if m and _answers(port, m.group(1)):
            return Site(run, port)
    if port is None or not _port_free(port):
        rnd = random.Random()
        for _ in range(200):
            p = rnd.randrange(20000, 40000)
            if _port_free(p):
                port = p
                break
        else:
            raise RuntimeError("no free port for the test site")
    os.makedirs(os.path.join(top, "logs"), exist_ok=True)
    write_site(top, port)
    _write(portfile, "%d\n" % port)
    token = hashlib.sha256(os.urandom(16)).hexdigest()[:16]
    _write(conf_path, nginx_conf(top, port, token))
    _write(os.path.join(top, "version"), version + "\n")
    pid = _nginx_pid(run)
    if pid is None:
        raise RuntimeError("the stack's nginx is not running (%s/nginx.pid)" % run)
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if _answers(port, token):
            return Site(run, port)
        time.sleep(0.1)
    raise RuntimeError("nginx did not serve the test site on port %d after a reload "
                       "(is `include .../nginx/sites/*.conf` in its nginx.conf? see %s/nginx/logs/error.log)"
                       % (port, run))


# --- the model ----------------------------------------------------------------------

def _norm(url, ignore_query=False):
    """The normalisation the crawler applies, for the URLs this site uses."""
    m = re.match(r"^([A-Za-z]+)://([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$", url)
    if not m:
        return None
    scheme, host, path, query = m.group(1).lower(), m.group(2).lower(), m.group(3) or "/", m.group(4)
    if scheme not in ("http", "https"):
        return None
    path = re.sub(r"%([0-9A-Fa-f]{2})",
                  lambda x: chr(int(x.group(1), 16)) if re.match(r"[A-Za-z0-9._~-]", chr(int(x.group(1), 16)))
                  else "%" + x.group(1).upper(), path)
    segs = []
    for s in path.split("/")[1:]:
        if s == ".":
            continue
        if s == "..":
            if segs:
                segs.pop()
            continue
        segs.append(s)
    path = "/" + "/".join(segs)
    if path.endswith("/.") or path.endswith("/.."):
        path = path.rsplit("/", 1)[0] + "/"
    q = "" if ignore_query or query is None else query
    if q == "?":
        q = ""  # libcurl drops an empty query
    return "%s://%s%s%s" % (scheme, host, path, q)


def _join(base, href):
    href = href.strip()
    if href.startswith("#") or href == "":
        return base.split("#")[0]
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href):
        return href
    m = re.match(r"^([a-z]+://[^/]*)(/[^?#]*)?", base)
    origin, bpath = m.group(1), m.group(2) or "/"
    if href.startswith("/"):
        return origin + href
    if href.startswith("?"):
        return origin + bpath + href
    return origin + bpath.rsplit("/", 1)[0] + "/" + href


def _split(url):
    m = re.match(r"^[a-z]+://([^/:]*)(?::(\d+))?(/[^?]*)(\?.*)?$", url)
    return m.group(1), int(m.group(2) or 80), m.group(3), m.group(4) or ""


class Model:
    """What the site holds, by normalised URL: resources and the robots rules."""

    def __init__(self, port):
        self.port = port
        self.res = {}        # url without query -> (kind, arg, [absolute links])
        self.sitemaps = {}   # origin -> [urls]
        self.robots = {}     # origin -> (disallow, allow) for "scrapeq"
        o = "http://127.0.0.1:%d" % port
        for path, (kind, arg) in main_graph().items():
            url = o + path
            links = [_join(url, h) for h in _fill(arg, port)] if kind == "page" else []
            self.res[url] = (kind, arg, links)
        self.sitemaps[o] = [o + "/", o + "/orphan.html"]
        self.robots[o] = (ROBOTS_DISALLOW, ROBOTS_ALLOW)
        for host, pages in SUBS.items():
            for path, hrefs in pages.items():
                url = "http://%s:%d%s" % (host, port, path)
                self.res[url] = ("page", None, [_join(url, h) for h in _fill(hrefs, port)])
        for name, pages in (("ext", EXT), ("tidy", TIDY), ("polite", POLITE), ("crash", QUICK),
                            ("crash", SLOW), ("xpath", XPATH)):
            for path, hrefs in pages.items():
                url = "http://%s:%d%s" % (ADDR[name], port, path)
                self.res[url] = ("page", None, [_join(url, h) for h in _fill(hrefs, port)])
        for path, target in EXT_REDIRECTS.items():
            self.res["http://127.0.0.2:%d%s" % (port, path)] = ("redirect", target.replace("{P}", str(port)), [])

    def lookup(self, url):
        base = url.split("?", 1)[0]
        return self.res.get(base)

    def robots_allows(self, url):
        host, port, path, query = _split(url)
        rules = self.robots.get("http://%s:%d" % (host, port))
        if rules is None:
            return True
        disallow, allow = rules
        target = path + query
        best, verdict = -1, True
        for pats, ok in ((disallow, False), (allow, True)):
            for p in pats:
                rx = "^" + re.escape(p).replace("\\*", ".*")
                if rx.endswith("\\$"):
                    rx = rx[:-2] + "$"
                if re.match(rx, target) and (len(p) > best or (len(p) == best and ok)):
                    best, verdict = len(p), ok
        return verdict


def crawl(model, start, depth=3, respect_robots=True, include_subdomains=False, allow_external=False,
          ignore_query=False, ignore_sitemap=False, include=None, exclude=None, max_redirects=5):
    """Runs the model. Returns (results, errors): {url: depth}, {url: (kind, status)}."""
    start = _norm(start, ignore_query)
    shost = _split(start)[0]
    is_ip = re.match(r"^[0-9.]+$", shost) is not None
    site = shost[4:] if shost.startswith("www.") and "." in shost[4:] else shost

    def in_scope(url):
        host, _port, path, _q = _split(url)
        ok = allow_external or host == shost or (not is_ip and (
            host == site or host == "www." + site or (include_subdomains and host.endswith("." + site))))
        if not ok:
            return False
        if include and not any(re.search(p, path) for p in include):
            return False
        return not (exclude and any(re.search(p, path) for p in exclude))

    results, errors = {}, {}
    seen = {start}
    level = [start]
    if not ignore_sitemap:
        for o, urls in model.sitemaps.items():
            if _split(o + "/")[0] == shost:
                for u in urls:
                    u = _norm(u, ignore_query)
                    if u not in seen and in_scope(u):
                        seen.add(u)
                        level.append(u)
    d = 0
    while level:
        nxt = []
        for url in level:
            if respect_robots and not model.robots_allows(url):
                errors[url] = ("robots", None)
                continue
            cur, hops = url, 0
            res = model.lookup(cur)
            while res is not None and res[0] == "redirect" and hops <= max_redirects:
                cur = _norm(_join(cur, res[1]), ignore_query)
                hops += 1
                res = model.lookup(cur)
            if res is not None and res[0] == "redirect":
                errors[url] = ("redirects", None)
                continue
            if res is None:
                errors[url] = ("http", 404)
                continue
            kind, arg, links = res
            if kind == "status":
                errors[url] = ("http", arg)
                continue
            if kind == "drop":
                errors[url] = ("fetch", None)
                continue
            if kind == "big":
                errors[url] = ("too_large", None)
                continue
            if cur in results:
                continue
            results[cur] = d
            if kind != "page" or d + 1 > depth:
                continue
            for link in links:
                n = _norm(link, ignore_query)
                if n is None or n in seen or not in_scope(n):
                    continue
                seen.add(n)
                nxt.append(n)
        level = nxt
        d += 1
    return results, errors


def main():
    s = ensure()
    for name in ("main", "subs", "ext", "crash", "tidy", "polite", "xpath"):
        print("%-7s %s/" % (name, s.origin(name)))
    print("files:  %s" % s.top)


if __name__ == "__main__":
    sys.exit(main())
