"""metricsclient.py: reads GET /metrics through the stack's nginx into samples, for
test_metrics.py and test_metrics_daemon.py (Python 3 stdlib only)."""

import re

from harness import request

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape():
    """GET /metrics; returns (Response, {(name, frozenset(labels)): float})."""
    r = request("GET", "/metrics", auth=False)
    samples = {}
    for line in r.raw.decode("utf-8", "replace").split("\n"):
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if m is None:
            raise RuntimeError("not a sample line: %r" % line)
        labels = frozenset(LABEL.findall(m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return r, samples


def val(samples, name, **labels):
    """The sample's value, 0 when absent (a code never seen)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def diff(a, b, name, **labels):
    return val(b, name, **labels) - val(a, name, **labels)
