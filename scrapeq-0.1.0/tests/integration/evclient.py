"""evclient.py: a small WebSocket client (RFC 6455, text frames, ping/pong, close) and a
Server-Sent Events reader, Python 3 stdlib only, for the scrapeq-events tests and
bench/events. Both speak to the stack's nginx, as a browser would."""

import base64
import json
import os
import socket
import time
import urllib.parse

import harness


def _addr():
    u = urllib.parse.urlparse(harness.BASE)
    return u.hostname or "127.0.0.1", u.port or 80


def _read_head(sock, timeout):
    """Reads an HTTP response head; returns (status, {name: value}, rest of the bytes read)."""
    sock.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        buf += chunk
        if len(buf) > 65536:
            raise ConnectionError("response head too long")
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, rest


def _connect(unix, timeout):
    """A connection to the stack's nginx, or straight to a hub's unix socket."""
    if unix:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(unix)
        return s
    return socket.create_connection(_addr(), timeout=timeout)


def _request(path, token, headers, extra):
    lines = ["GET %s HTTP/1.1" % path, "Host: localhost"]
    if token:
        lines.append("Authorization: Bearer %s" % token)
    for k, v in (headers or {}).items():
        lines.append("%s: %s" % (k, v))
    lines += extra
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class WS:
    """One WebSocket. After the constructor, status is 101 (open) or the HTTP refusal's
    status with body (parsed JSON when it is)."""

    def __init__(self, path, token=None, headers=None, timeout=10, rcvbuf=None, unix=None):
        if unix:
            self.sock = _connect(unix, timeout)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if rcvbuf:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.settimeout(timeout)
            self.sock.connect(_addr())
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(_request(path, token, headers, [
            "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + key,
            "Sec-WebSocket-Version: 13"]))
        self.status, self.headers, self.buf = _read_head(self.sock, timeout)
        self.pos = 0
        self.pings = 0
        self.body = None
        self.close_code = None
        self.close_reason = None
        if self.status != 101:
            n = int(self.headers.get("content-length", "0"))
            while len(self.buf) < n:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                self.buf += chunk
            try:
                self.body = json.loads(self.buf[:n].decode())
            except ValueError:
                self.body = self.buf[:n].decode("latin-1")
            self.sock.close()

    def _need(self, n, deadline):
        """Makes n bytes available from self.pos on (the buffer is compacted lazily)."""
        if self.pos and len(self.buf) - self.pos < n:
            self.buf = self.buf[self.pos:]
            self.pos = 0
        while len(self.buf) - self.pos < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("timed out")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed without a close frame")
            self.buf += chunk

    def _send(self, opcode, payload):
        mask = os.urandom(4)
        hdr = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            hdr += bytes([0x80 | n])
        else:
            hdr += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        self.sock.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def recv(self, timeout=10):
        """The next text message (str), or None once the server closed (close_code set)."""
        deadline = time.monotonic() + timeout
        while True:
            self._need(2, deadline)
            p = self.pos
            b0, b1 = self.buf[p], self.buf[p + 1]
            n, off = b1 & 0x7F, 2
            if n == 126:
                self._need(4, deadline)
                p = self.pos
                n, off = int.from_bytes(self.buf[p + 2:p + 4], "big"), 4
            elif n == 127:
                self._need(10, deadline)
                p = self.pos
                n, off = int.from_bytes(self.buf[p + 2:p + 10], "big"), 10
            if b1 & 0x80:
                raise ConnectionError("a server frame was masked")
            self._need(off + n, deadline)
            p = self.pos
            payload = self.buf[p + off:p + off + n]
            self.pos = p + off + n
            op = b0 & 0x0F
            if op == 0x9:
                self.pings += 1
                self._send(0xA, payload)
            elif op == 0x8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.close_reason = payload[2:].decode("utf-8", "replace")
                try:
                    self._send(0x8, payload[:2])
                except OSError:
                    pass
                self.sock.close()
                return None
            elif op == 0x1:
                return payload.decode("utf-8")

    def recv_json(self, timeout=10):
        m = self.recv(timeout)
        return None if m is None else json.loads(m)

    def until_close(self, timeout=60):
        """Every message (parsed) until the server closes; raises on timeout."""
        out, deadline = [], time.monotonic() + timeout
        while True:
            m = self.recv_json(max(0.01, deadline - time.monotonic()))
            if m is None:
                return out
            out.append(m)

    def close(self):
        try:
            self._send(0x8, (1000).to_bytes(2, "big"))
        except OSError:
            pass
        self.sock.close()


class SSE:
    """One Server-Sent Events stream; events() yields (id or None, event, data dict) and
    comments are kept in self.comments."""

    def __init__(self, path, token=None, last_event_id=None, headers=None, timeout=10, unix=None):
        h = dict(headers or {})
        if last_event_id is not None:
            h["Last-Event-ID"] = str(last_event_id)
        self.sock = _connect(unix, timeout)
        self.sock.sendall(_request(path, token, h, ["Accept: text/event-stream"]))
        self.status, self.headers, self.raw = _read_head(self.sock, timeout)
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        self.text = b""
        self.comments = []
        self.body = None
        self.closed = False
        if self.status != 200:
            n = int(self.headers.get("content-length", "0"))
            while len(self.raw) < n:
                c = self.sock.recv(65536)
                if not c:
                    break
                self.raw += c
            try:
                self.body = json.loads(self.raw[:n].decode())
            except ValueError:
                self.body = self.raw[:n].decode("latin-1")
            self.sock.close()

    def _dechunk(self):
        if not self.chunked:
            self.text += self.raw
            self.raw = b""
            return
        while True:
            i = self.raw.find(b"\r\n")
            if i < 0:
                return
            size = int(self.raw[:i].split(b";")[0], 16)
            if size == 0:
                self.closed = True
                return
            if len(self.raw) < i + 2 + size + 2:
                return
            self.text += self.raw[i + 2:i + 2 + size]
            self.raw = self.raw[i + 2 + size + 2:]

    def next(self, timeout=10):
        """The next event as (id or None, event, data), or None when the stream ended."""
        deadline = time.monotonic() + timeout
        while True:
            self._dechunk()
            while b"\n\n" in self.text:
                block, self.text = self.text.split(b"\n\n", 1)
                ev = {"id": None, "event": "message", "data": []}
                for line in block.decode("utf-8").split("\n"):
                    if line.startswith(":"):
                        self.comments.append(line[1:].strip())
                        continue
                    k, _, v = line.partition(":")
                    v = v[1:] if v.startswith(" ") else v
                    if k == "data":
                        ev["data"].append(v)
                    elif k in ("id", "event"):
                        ev[k] = v
                if ev["data"]:
                    return (int(ev["id"]) if ev["id"] else None, ev["event"],
                            json.loads("\n".join(ev["data"])))
            if self.closed:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("timed out")
            self.sock.settimeout(left)
            c = self.sock.recv(65536)
            if not c:
                self.closed = True
                return None
            self.raw += c

    def collect(self, n, timeout=20):
        """Up to n events within timeout."""
        out, deadline = [], time.monotonic() + timeout
        while len(out) < n:
            try:
                e = self.next(max(0.01, deadline - time.monotonic()))
            except socket.timeout:
                break
            if e is None:
                break
            out.append(e)
        return out

    def close(self):
        self.sock.close()
