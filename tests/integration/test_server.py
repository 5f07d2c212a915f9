#!/usr/bin/python3
"""test_server.py: scrapeq-api as a sysadmin meets it: the supervisor replacing a killed
worker, one access-log line per request, SIGTERM, start-up errors located as file:line,
and the FastCGI socket inherited on fd 0 (spawn-fcgi, systemd socket activation).

The stack's own scrapeq-api only loses one worker (which its supervisor replaces); every
other check starts a private scrapeq-api on a socket in a temporary directory and ends it.
"""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

from harness import (BIN, CONF, RUN, check, config_value, guard, request, section)

API = os.path.join(BIN, "scrapeq-api")
THREADS = int(config_value("api", "threads", "4"))


# --- processes ------------------------------------------------------------------

def ppid_of(pid):
    """The parent pid from /proc/PID/stat (the name field may hold spaces and parens)."""
    try:
        with open("/proc/%s/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]) if fields[0] != "Z" else None


def children(pid):
    """Live (non-zombie) children of pid, sorted."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit() and ppid_of(d) == int(pid):
            out.append(int(d))
    return sorted(out)


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def stack_api_pid():
    with open(os.path.join(RUN, "api.pid")) as f:
        return int(f.read().strip())


def wait_for(cond, seconds, step=0.05):
    deadline = time.monotonic() + seconds
    while True:
        v = cond()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


# --- a private scrapeq-api ------------------------------------------------------

def conf_copy(tmp, name="scrapeq.conf", drop=(), extra=None, replace=None):
    """Copies the stack's config into tmp. drop: (section, key) pairs to leave out;
    replace: {(section, key): value}; extra: (section, line) inserted right after the
    section's header. Returns (path, lines) where lines is the written text's lines."""
    out = []
    cur = None
    with open(CONF) as f:
        for line in f.read().split("\n"):
            s = line.strip()
            if s.startswith("[") and s.endswith("]"):
                cur = s[1:-1].strip()
                out.append(line)
                if extra and extra[0] == cur:
                    out.append(extra[1])
                continue
            if "=" in s and not s.startswith(("#", ";")):
                k = s.split("=", 1)[0].strip()
                if (cur, k) in drop:
                    continue
                if replace and (cur, k) in replace:
                    out.append("%s = %s" % (k, replace[(cur, k)]))
                    continue
            out.append(line)
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("\n".join(out))
    return path, out


def line_of(lines, text):
    """1-based number of the first line equal to text (stripped)."""
    for i, l in enumerate(lines):
        if l.strip() == text:
            return i + 1
    raise RuntimeError("line %r not in the config copy" % text)


def start_private(conf, args=(), stdin=subprocess.DEVNULL):
    """Starts scrapeq-api -c conf args..., stderr to a file. Returns (Popen, stderr path)."""
    errpath = conf + ".stderr"
    err = open(errpath, "wb")
    try:
        p = subprocess.Popen([API, "-c", conf] + list(args), stdin=stdin, stdout=subprocess.DEVNULL,
                             stderr=err, close_fds=True)
    finally:
        err.close()
    return p, errpath


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def stop_private(p):
    """Ends a private scrapeq-api this file started (and any worker it left), by pid."""
    workers = children(p.pid) if p.poll() is None else []
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        p.wait(10)
    for w in workers:
        if alive(w):
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass


def wait_socket(path, p, seconds=10):
    return wait_for(lambda: os.path.exists(path) or p.poll() is not None, seconds) and os.path.exists(path)


# --- a minimal FastCGI client (FastCGI 1.0 spec, responder role) -----------------

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 1, 3, 4, 5, 6, 7


def fcgi_record(rtype, content, req_id=1):
    pad = (8 - len(content) % 8) % 8
    return struct.pack("!BBHHBB", 1, rtype, req_id, len(content), pad, 0) + content + b"\0" * pad


def fcgi_nv(name, value):
    def ln(n):
        return struct.pack("!B", n) if n < 128 else struct.pack("!I", n | 0x80000000)
    name, value = name.encode(), value.encode()
    return ln(len(name)) + ln(len(value)) + name + value


def fcgi_request(sock_path, method, uri, query="", body=b"", headers=None, timeout=10):
    """One request over a new connection. Returns (status line value, headers dict,
    body bytes, app status, stderr bytes); raises on a protocol error or timeout."""
    params = {"REQUEST_METHOD": method, "DOCUMENT_URI": uri, "QUERY_STRING": query,
              "REQUEST_URI": uri + ("?" + query if query else ""), "SERVER_PROTOCOL": "HTTP/1.1",
              "GATEWAY_INTERFACE": "CGI/1.1", "CONTENT_LENGTH": str(len(body)),
              "REMOTE_ADDR": "127.0.0.1"}
    params.update(headers or {})
    pbytes = b"".join(fcgi_nv(k, v) for k, v in params.items())
    msg = fcgi_record(FCGI_BEGIN_REQUEST, struct.pack("!HB5x", 1, 0))
    msg += fcgi_record(FCGI_PARAMS, pbytes) + fcgi_record(FCGI_PARAMS, b"")
    if body:
        msg += fcgi_record(FCGI_STDIN, body)
    msg += fcgi_record(FCGI_STDIN, b"")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        s.sendall(msg)
        buf = b""
        out, err, app = b"", b"", None
        while app is None:
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed before FCGI_END_REQUEST (stdout so far %r)" % out[:200])
            buf += chunk
            while len(buf) >= 8:
                ver, rtype, rid, clen, plen, _ = struct.unpack("!BBHHBB", buf[:8])
                if len(buf) < 8 + clen + plen:
                    break
                content = buf[8:8 + clen]
                buf = buf[8 + clen + plen:]
                if ver != 1 or rid != 1:
                    raise RuntimeError("bad record: version %d request id %d" % (ver, rid))
                if rtype == FCGI_STDOUT:
                    out += content
                elif rtype == FCGI_STDERR:
                    err += content
                elif rtype == FCGI_END_REQUEST:
                    app, proto = struct.unpack("!IB3x", content[:8])
                    if proto != 0:
                        raise RuntimeError("protocol status %d" % proto)
    finally:
        s.close()
    head, _, payload = out.partition(b"\r\n\r\n")
    hdrs = {}
    for l in head.decode("latin-1").split("\r\n"):
        if ":" in l:
            k, v = l.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
    return hdrs.get("status", ""), hdrs, payload, app, err


# --- the stack's supervisor replaces a killed worker -----------------------------

def hammer(stop, results):
    """Sends GET /api/v1/ping?db=1 until stop is set, appending each Response."""
    while not stop.is_set():
        results.append(request("GET", "/api/v1/ping?db=1", auth=False, timeout=10))


def transient_ok(r):
    """The only acceptable failure while a worker dies: nginx's 503 in the v1 envelope."""
    e = r.json.get("error") if isinstance(r.json, dict) else None
    return r.status == 503 and isinstance(e, dict) and e.get("code") == "SERVICE_UNAVAILABLE"


def kill_worker():
    sup = stack_api_pid()
    before = children(sup)
    if not check(len(before) >= 1, "the stack's scrapeq-api (pid %d) has workers %s" % (sup, before)):
        return
    victim = before[0]
    stop = threading.Event()
    results = []
    threads = [threading.Thread(target=hammer, args=(stop, results)) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    t_kill = time.monotonic()
    try:
        os.kill(victim, signal.SIGKILL)

        def replaced():
            now = children(sup)
            return now if (len(now) == len(before) and victim not in now) else None
        after = wait_for(replaced, 5)
        took = time.monotonic() - t_kill
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    check(after is not None, "a SIGKILLed worker is replaced within 5 s (%.2f s): %s -> %s"
          % (took, before, children(sup)), note="killed %d" % victim)
    if after is None:
        return
    new = [p for p in after if p not in before]
    check(len(new) == 1 and new[0] != victim, "exactly one new worker, with a new pid (%s)" % new)
    check(alive(sup) and stack_api_pid() == sup, "the supervisor itself (pid %d) is unchanged" % sup)
    if new:
        wait_for(lambda: len(os.listdir("/proc/%d/task" % new[0])) >= THREADS + 1, 3)
        ntasks = len(os.listdir("/proc/%d/task" % new[0])) if alive(new[0]) else 0
        check(ntasks >= THREADS + 1, "the new worker runs its %d request threads (%d tasks)"
              % (THREADS, ntasks))
    bad = [r for r in results if r.status != 200 and not transient_ok(r)]
    transient = [r for r in results if transient_ok(r)]
    check(len(results) > 0 and not bad,
          "under load while the worker died, every answer was 200 or a JSON 503 (%d requests, %d 503s)"
          % (len(results), len(transient)), bad[0] if bad else None)
    check(len(transient) <= THREADS,
          "at most the killed worker's %d in-flight requests failed (%d did)" % (THREADS, len(transient)),
          transient[0] if transient else None)
    fails = []
    for i in range(50):
        r = request("GET", "/api/v1/ping?db=1", auth=False)
        if not (r.status == 200 and r.json == {"status": "ok", "db": "ok"}):
            fails.append(r)
    check(not fails, "after the replacement 50 of 50 GET /api/v1/ping?db=1 are 200 (%d were not)"
          % len(fails), fails[0] if fails else None)
    log = read_text(os.path.join(RUN, "api.log"))
    check(re.search(r"worker %d died \(signal 9\); restarting" % victim, log) is not None,
          "api.log says worker %d died of signal 9 and was restarted" % victim)


section("supervisor: a killed worker is replaced")
guard(kill_worker, "supervisor replaces a killed worker")


# --- access log ----------------------------------------------------------------

ACCESS_RE = r"^access: (\S+) (\S+) (\d{3}) (\d+\.\d)ms$"


def access_lines(marker, log=None):
    text = read_text(os.path.join(RUN, "api.log")) if log is None else log
    return [l for l in text.split("\n") if marker in l]


def access_log():
    mode = config_value("api", "access_log", "stderr")
    if mode != "stderr":
        check(True, "access log lines in api.log: [api] access_log is %s in this stack (skipped)" % mode)
        return
    marker = "proj_" + os.urandom(16).hex()
    path = "/api/v1/projects/" + marker
    r = request("GET", path)
    check(r.status == 404, "GET %s is 404 (a project that does not exist)" % path, r)
    lines = wait_for(lambda: access_lines(marker), 2)
    check(len(lines) == 1, "exactly one api.log line for that one request (%d)" % len(lines),
          note="lines: %r" % lines)
    m = re.match(ACCESS_RE, lines[0]) if len(lines) == 1 else None
    check(m is not None and m.group(1) == "GET" and m.group(2) == path and m.group(3) == "404",
          "the line is 'access: GET %s 404 N.Nms'" % path, note="lines: %r" % lines)

    r = request("GET", path + "?page=2&x=" + marker[5:13], auth=False)
    check(r.status == 401, "the same path without a token is 401", r)
    wait_for(lambda: len(access_lines(marker)) >= 2, 2)
    lines = access_lines(marker)
    ok = len(lines) == 2 and re.match(r"^access: GET %s 401 \d+\.\dms$" % re.escape(path), lines[1])
    check(ok, "a second request adds exactly one line, with status 401 and the path without its query",
          note="lines: %r" % lines)

    body = {"name": "access-log " + marker}
    r = request("POST", "/api/v1/projects", body)
    check(r.status == 201, "POST /api/v1/projects is 201", r)
    pid = r.json.get("id", "") if isinstance(r.json, dict) else ""
    r = request("GET", "/api/v1/projects/" + pid)
    lines = wait_for(lambda: access_lines(pid), 2) if pid else []
    check(len(lines) == 1 and re.match(r"^access: GET /api/v1/projects/%s 200 \d+\.\dms$" % pid, lines[0]),
          "GET of the new project logs one 'access: GET ... 200' line", note="lines: %r" % lines)

    # A decoded %0A in the path must not start a forged line of its own.
    forged = "forged" + marker[5:17]
    r = request("GET", "/api/v1/projects/%s%%0Aaccess:%%20GET%%20/%s%%20200%%201.0ms" % (marker, forged))
    time.sleep(0.3)
    text = read_text(os.path.join(RUN, "api.log"))
    starts = [l for l in text.split("\n") if l.startswith("access: GET /" + forged)]
    check(r.status in (400, 404) and not starts,
          "a path with an encoded newline cannot forge an access-log line", r,
          note="forged lines: %r" % starts)
    got = [l for l in text.split("\n") if forged in l]
    one = "access: GET /api/v1/projects/%s?access: GET /%s" % (marker, forged)
    check(len(got) == 1 and got[0].startswith(one),
          "that request is one line with the newline shown as '?'", note="lines: %r" % got)


section("access log")
guard(access_log, "access log")


# --- a private scrapeq-api: SIGTERM, config errors, no socket, fd 0 ----------------

def private_sigterm(tmp):
    conf, _ = conf_copy(tmp, "term.conf", replace={("api", "access_log"): "stderr"})
    sock = os.path.join(tmp, "api.sock")
    p, errpath = start_private(conf, ["--socket", sock, "--workers", "1", "--threads", "1"])
    try:
        check(wait_socket(sock, p), "a private scrapeq-api --socket %s creates its socket" % sock,
              note="exit %s, stderr: %s" % (p.poll(), read_text(errpath)[-500:]))
        workers = wait_for(lambda: children(p.pid), 5) or []
        check(len(workers) == 1, "--workers 1 starts exactly one worker (%s)" % workers)
        st, hdrs, body, app, _ = fcgi_request(sock, "GET", "/api/v1/ping", "db=1")
        check(st.startswith("200") and body.strip() == b'{"status":"ok","db":"ok"}' and app == 0,
              "it answers FastCGI: GET /api/v1/ping?db=1 is 200 {\"status\":\"ok\",\"db\":\"ok\"}",
              note="Status %r body %r app status %r" % (st, body[:200], app))
        marker = "proj_" + os.urandom(16).hex()
        fcgi_request(sock, "GET", "/api/v1/projects/" + marker)
        time.sleep(0.2)
        lines = [l for l in read_text(errpath).split("\n") if marker in l]
        want = r"^access: GET /api/v1/projects/%s 401 \d+\.\dms$" % marker
        check(len(lines) == 1 and re.match(want, lines[0]),
              "its stderr gets one access line for one request", note="lines: %r" % lines)
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - t0
        check(rc == 0,
              "SIGTERM: scrapeq-api exits with status 0 within 5 s (status %s after %.2f s)" % (rc, took),
              note="stderr: %s" % read_text(errpath)[-500:])
        left = [w for w in workers if wait_for(lambda w=w: not alive(w), 5) is False]
        check(workers and not left, "its worker %s is gone too (left: %s)" % (workers, left))
        after = read_text(errpath).split("serving with", 1)[-1]
        check(not re.search(r"died|restarting|did not stop cleanly|ERROR|error", after),
              "stopping logs no worker death or error", note="stderr: %s" % read_text(errpath)[-500:])
    finally:
        stop_private(p)


def config_error(tmp, what, extra=None, replace=None, bad_line=None, want=()):
    conf, lines = conf_copy(tmp, "bad-%s.conf" % what.replace(" ", "-"), extra=extra, replace=replace)
    n = line_of(lines, bad_line)
    sock = os.path.join(tmp, "bad.sock")
    t0 = time.monotonic()
    p, errpath = start_private(conf, ["--socket", sock, "--workers", "1", "--threads", "1"])
    try:
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - t0
        err = read_text(errpath)
        check(rc not in (None, 0) and took < 2,
              "%s: scrapeq-api exits non-zero at once (status %s after %.2f s)" % (what, rc, took),
              note="stderr: %s" % err[-300:])
        ok = re.search(r"(^|\s)%s:%d: " % (re.escape(conf), n), err) is not None
        ok = ok and all(w.lower() in err.lower() for w in want)
        check(ok, "%s: stderr says '%s:%d: ...' naming %s" % (what, os.path.basename(conf), n, list(want)),
              note="stderr: %r" % err[-300:])
        check(not os.path.exists(sock), "%s: no socket was created" % what)
    finally:
        stop_private(p)


def no_socket(tmp):
    conf, lines = conf_copy(tmp, "nosock.conf", drop={("api", "socket")})
    api_part = lines[line_of(lines, "[api]"):line_of(lines, "[auth]")]
    check(not any(re.match(r"\s*socket\s*=", l) for l in api_part),
          "the copy has no [api] socket")
    t0 = time.monotonic()
    p, errpath = start_private(conf, ["--workers", "1", "--threads", "1"], stdin=subprocess.DEVNULL)
    try:
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - t0
        err = read_text(errpath)
        check(rc not in (None, 0) and took < 2,
              "no socket and fd 0 is /dev/null: exits non-zero at once (status %s after %.2f s)" % (rc, took),
              note="stderr: %s" % err[-300:])
        check("fd 0" in err and "not a socket" in err and "--socket" in err,
              "it says fd 0 is not a socket and how to give one", note="stderr: %r" % err[-300:])
    finally:
        stop_private(p)


def fd0_socket(tmp):
    """The socket-activation path: the listening socket is the process's fd 0."""
    conf, _ = conf_copy(tmp, "fd0.conf", drop={("api", "socket")}, replace={("api", "access_log"): "stderr"})
    sock_path = os.path.join(tmp, "fd0.sock")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(sock_path)
    ls.listen(64)
    p, errpath = start_private(conf, ["--workers", "1", "--threads", "1"], stdin=ls.fileno())
    ls.close()      # the server holds it now
    try:
        time.sleep(0.3)
        check(p.poll() is None,
              "scrapeq-api with a listening socket on fd 0 (and no [api] socket) keeps running",
              note="exit %s, stderr: %s" % (p.poll(), read_text(errpath)[-300:]))
        try:
            st, hdrs, body, app, _ = fcgi_request(sock_path, "GET", "/api/v1/ping")
        except Exception as e:  # noqa: BLE001 - the failure is the check
            st, hdrs, body, app = "", {}, ("%s: %s" % (type(e).__name__, e)).encode(), None
        check(st == "200" or st.startswith("200 "),
              "FastCGI over fd 0: GET /api/v1/ping answers Status: 200 (%r)" % st,
              note="headers %r body %r" % (hdrs, body[:300]))
        ct = hdrs.get("content-type", "")
        check(body.strip() == b'{"status":"ok"}' and ct.startswith("application/json"),
              "... with {\"status\":\"ok\"} as application/json",
              note="headers %r body %r" % (hdrs, body[:300]))
        check(app == 0, "... and FCGI_END_REQUEST app status 0 (%r)" % app)
        st, hdrs, body, app, _ = fcgi_request(sock_path, "GET", "/api/v1/ping", "db=1")
        check(st.startswith("200") and body.strip() == b'{"status":"ok","db":"ok"}',
              "FastCGI over fd 0: ping?db=1 reaches the database", note="%r %r" % (st, body[:300]))
        st, hdrs, body, app, _ = fcgi_request(sock_path, "POST", "/api/v1/projects", body=b'{"name":"x"}',
                                              headers={"CONTENT_TYPE": "application/json"})
        check(st.startswith("401") and b'"UNAUTHORIZED"' in body,
              "FastCGI over fd 0: POST /api/v1/projects without a token is 401 UNAUTHORIZED",
              note="%r %r" % (st, body[:300]))
        workers = children(p.pid)
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0 and not [w for w in workers if wait_for(lambda w=w: not alive(w), 5) is False],
              "the fd-0 server stops on SIGTERM with status 0 and no worker left (status %s)" % rc)
    finally:
        stop_private(p)


O_CLOEXEC = 0o2000000     # in /proc/PID/fdinfo/N "flags:", octal


def leaky_fds(pid):
    """Descriptors of pid past stderr without close-on-exec: [(fd, target)]."""
    out = []
    for n in os.listdir("/proc/%d/fdinfo" % pid):
        try:
            with open("/proc/%d/fdinfo/%s" % (pid, n)) as f:
                flags = next(int(l.split()[1], 8) for l in f if l.startswith("flags:"))
            target = os.readlink("/proc/%d/fd/%s" % (pid, n))
        except (OSError, StopIteration):
            continue        # closed meanwhile
        if int(n) > 2 and not flags & O_CLOEXEC:
            out.append((int(n), target))
    return out


def start_umask0(conf, args, cwd=None):
    """start_private under umask 0: the socket's mode must not depend on the caller's umask."""
    errpath = conf + ".stderr"
    with open(errpath, "wb") as err:
        old = os.umask(0)
        try:
            return subprocess.Popen([API, "-c", conf] + list(args), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err, close_fds=True, cwd=cwd), errpath
        finally:
            os.umask(old)


def events_fds():
    """The stack's scrapeq-events (libwebsockets' sockets, MariaDB's) leaves nothing to a child either."""
    try:
        with open(os.path.join(RUN, "events.pid")) as f:
            pid = int(f.read().strip())
        leaks = leaky_fds(pid)
    except (OSError, ValueError) as e:
        check(False, "the stack's scrapeq-events runs", note=str(e))
        return
    check(not leaks, "every descriptor of the stack's scrapeq-events past stderr is close-on-exec", note=str(leaks))


def socket_mode(tmp):
    events_fds()
    st = os.stat(os.path.join(RUN, "api.sock"))
    check(st.st_mode & 0o7777 == 0o660, "the stack's scrapeq-api socket is mode 0660 (%04o)" % (st.st_mode & 0o7777))
    for group in ("", "nogroup"):
        extra = ("api", "socket_group = %s" % group) if group else None
        conf, _ = conf_copy(tmp, "mode%s.conf" % group, extra=extra)
        sock = os.path.join(tmp, "mode%s.sock" % group)
        p, errpath = start_umask0(conf, ["--socket", sock, "--workers", "1", "--threads", "2"])
        try:
            check(wait_socket(sock, p), "scrapeq-api --socket under umask 0 creates its socket",
                  note="exit %s, stderr: %s" % (p.poll(), read_text(errpath)[-300:]))
            st = os.stat(sock)
            want_gid = 65534 if group else os.getgid()
            check(st.st_mode & 0o7777 == 0o660 and st.st_gid == want_gid,
                  "socket_group %r: mode 0660 (%04o), group %d (%d)" % (group, st.st_mode & 0o7777, want_gid,
                                                                         st.st_gid))
            r = fcgi_request(sock, "GET", "/api/v1/ping", "db=1")
            check(r[0].startswith("200"), "socket_group %r: it answers FastCGI" % group, note=repr(r[:3]))
            workers = children(p.pid)
            leaks = {pid: leaky_fds(pid) for pid in [p.pid] + workers}
            check(workers and not any(leaks.values()),
                  "socket_group %r: every descriptor of the supervisor and its worker past stderr is "
                  "close-on-exec (listening socket, MariaDB connections)" % group,
                  note=repr(leaks))
        finally:
            stop_private(p)
    # A bare name (no '/', '.' or ':') is a unix socket in the working directory, made
    # with the same mode: libfcgi, which used to get it, made it with the umask's.
    conf, _ = conf_copy(tmp, "relative.conf")
    p, errpath = start_umask0(conf, ["--socket", "relative-api.sock", "--workers", "1", "--threads", "1"], cwd=tmp)
    try:
        sock = os.path.join(tmp, "relative-api.sock")
        check(wait_socket(sock, p), "--socket relative-api.sock (a bare name) creates it in the working directory",
              note="exit %s, stderr: %s" % (p.poll(), read_text(errpath)[-300:]))
        st = os.stat(sock) if os.path.exists(sock) else None
        check(st is not None and st.st_mode & 0o7777 == 0o660,
              "... with mode 0660 under umask 0 (%s)" % (oct(st.st_mode & 0o7777) if st else None))
        r = fcgi_request(sock, "GET", "/api/v1/ping")
        check(r[0].startswith("200"), "... and answers FastCGI", note=repr(r[:3]))
    finally:
        stop_private(p)
    conf, lines = conf_copy(tmp, "badgroup.conf", extra=("api", "socket_group = no-such-group-sq"))
    sock = os.path.join(tmp, "badgroup.sock")
    p, errpath = start_private(conf, ["--socket", sock, "--workers", "1", "--threads", "1"])
    try:
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            rc = None
        err = read_text(errpath)
        check(rc not in (None, 0) and "[api] socket_group 'no-such-group-sq': no such group" in err,
              "an unknown socket_group stops start-up naming it (status %s)" % rc, note="stderr: %r" % err[-300:])
        check(not os.path.exists(sock), "... and no socket was created")
    finally:
        stop_private(p)


def private_servers():
    tmp = tempfile.mkdtemp(prefix="sqsrv.")
    try:
        section("a private scrapeq-api: SIGTERM")
        guard(lambda: private_sigterm(tmp), "private scrapeq-api and SIGTERM")
        section("a private scrapeq-api: config errors stop start-up as file:line")
        guard(lambda: config_error(tmp, "unknown key", extra=("api", "colour = blue"),
                                   bad_line="colour = blue", want=("unknown key", "colour")),
              "unknown key")
        guard(lambda: config_error(tmp, "bad value", replace={("api", "threads"): "four"},
                                   bad_line="threads = four", want=("threads", "four")),
              "bad value")
        guard(lambda: config_error(tmp, "out of range", replace={("limits", "jobs_per_day"): "0"},
                                   bad_line="jobs_per_day = 0", want=("jobs_per_day", "range")),
              "out of range")
        guard(lambda: config_error(tmp, "bad access_log", replace={("api", "access_log"): "/var/log/x"},
                                   bad_line="access_log = /var/log/x", want=("access_log",)),
              "bad access_log")
        section("a private scrapeq-api: no socket at all")
        guard(lambda: no_socket(tmp), "no socket")
        section("a private scrapeq-api: the listening socket on fd 0")
        guard(lambda: fd0_socket(tmp), "fd 0 socket")
        section("the listening socket is 0660, every descriptor close-on-exec")
        guard(lambda: socket_mode(tmp), "socket mode")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


private_servers()

section("the stack is as it was")
r = request("GET", "/api/v1/ping?db=1", auth=False)
check(r.status == 200, "the stack still answers ping?db=1", r)
sup = stack_api_pid()
check(len(children(sup)) == int(config_value("api", "workers", "2")),
      "the stack's scrapeq-api has its %s workers" % config_value("api", "workers", "2"))

section("SIGHUP ends neither scrapeq-api nor scrapeq-events (no reload; a log rotation may send it)")
workers_before = sorted(children(sup))
with open(os.path.join(RUN, "events.pid")) as f:
    events_pid = int(f.read().strip())
os.kill(sup, signal.SIGHUP)
os.kill(events_pid, signal.SIGHUP)
time.sleep(0.5)
r = request("GET", "/api/v1/ping?db=1", auth=False)
check(r.status == 200 and stack_api_pid() == sup and sorted(children(sup)) == workers_before,
      "after a SIGHUP the API's supervisor and the same workers answer", r)
check(os.path.exists("/proc/%d" % events_pid) and request("GET", "/api/v1/status").json.get("events", {}).get("up")
      is True, "after a SIGHUP the event hub runs and /api/v1/status says it is up", False)
