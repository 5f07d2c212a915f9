#!/usr/bin/python3
"""test_targets.py: targets under a project: create, list, get, patch, delete, validation, tenancy."""

import re

from harness import (BASE, TS_RE, check, is_error, new_project, new_target, new_user, request, section)

KEYS = {"id", "project_id", "url", "name", "enabled", "created_at", "updated_at"}
ENVELOPE = {"items", "total", "page", "per_page", "pages"}

project = new_project()
T = "/api/v1/projects/%s/targets" % project

section("create")
r = request("POST", T, {"url": "https://example.com/a?b=c"})
check(r.status == 201, "POST targets {url} is 201")
t = r.json if r.status == 201 and isinstance(r.json, dict) else {}
check(set(t) == KEYS, "a target has exactly the documented fields", r, note="got %s" % sorted(t))
check(re.match(r"^tgt_[0-9a-f]{32}$", str(t.get("id"))) is not None, "target ids are tgt_<32 hex>", r)
check(t.get("project_id") == project, "project_id is the project", r)
check(t.get("url") == "https://example.com/a?b=c", "a clean URL is stored as given", r)
check(t.get("enabled") is True and t.get("name") is None, "enabled defaults to true, name to null", r)
check(all(re.match(TS_RE, str(t.get(k))) for k in ("created_at", "updated_at")), "timestamps are RFC 3339", r)

r = request("POST", T, {"url": BASE + "/demo-site/", "name": "Demo", "enabled": False})
check(r.status == 201 and r.json.get("name") == "Demo" and r.json.get("enabled") is False,
      "name and enabled are stored", r)
r = request("POST", T, {"url": "http://example.com/" + "a" * (2048 - 19)})
check(r.status == 201, "a 2048-byte URL (the maximum) is accepted", r)
r = request("POST", T, {"url": "https://WWW.Example.COM/Path"})
check(r.status == 201 and r.json.get("url") == "https://www.example.com/Path",
      "the host is stored in lower case, the path as given", r)
if r.status == 201:
    request("DELETE", T + "/" + r.json["id"])

section("validation")
CASES = [
    ({}, (400, 422), "url", "a missing url"),
    ({"url": 5}, 400, "url", "a non-string url"),
    ({"url": None}, (400, 422), "url", "a null url"),
    ({"url": ""}, 422, "url", "an empty url"),
    ({"url": "ftp://example.com/"}, 422, "url", "an ftp url"),
    ({"url": "javascript:alert(1)"}, 422, "url", "a javascript: url"),
    ({"url": "not a url"}, 422, "url", "text that is not a URL"),
    ({"url": "/relative/path"}, 422, "url", "a relative url"),
    ({"url": "http://"}, 422, "url", "a url without a host"),
    ({"url": "https://user:secret@example.com/"}, 422, "url", "a url with a user name and password"),
    ({"url": "https://user@example.com/"}, 422, "url", "a url with a user name"),
    ({"url": "http://example.com/" + "a" * 2048}, 422, "url", "a url over 2048 bytes"),
    ({"url": "https://example.com/", "name": 7}, 400, "name", "a non-string name"),
    ({"url": "https://example.com/", "name": "n" * 201}, 422, "name", "a 201-byte name"),
    ({"url": "https://example.com/", "enabled": "yes"}, 400, "enabled", "a string enabled"),
    ({"url": "https://example.com/", "enabled": 1}, 400, "enabled", "an integer enabled"),
    ({"url": "https://example.com/", "selector": "h1"}, 400, "selector", "an unknown field"),
]
for body, status, field, what in CASES:
    r = request("POST", T, body)
    statuses = status if isinstance(status, tuple) else (status,)
    is_error(r, r.status if r.status in statuses else statuses[0], "VALIDATION_ERROR",
             "%s is %s VALIDATION_ERROR naming %s" % (what, "/".join(map(str, statuses)), field),
             message_has=field)
r = request("POST", T, raw=b'{"url": ')
is_error(r, 400, "VALIDATION_ERROR", "malformed JSON is 400")

section("get and list")
tid = t.get("id", "tgt_" + "0" * 32)
r = request("GET", "%s/%s" % (T, tid))
check(r.status == 200 and r.json == t, "GET one answers what create answered", r)
r = request("GET", T)
ok = r.status == 200 and isinstance(r.json, dict) and set(r.json) == ENVELOPE
check(ok, "the list is the {items,total,page,per_page,pages} envelope", r)
check(ok and r.json["total"] == 3 and len(r.json["items"]) == 3, "the list holds the three targets", r)
check(ok and all(set(i) == KEYS for i in r.json["items"]), "list items are full target objects", r)
r = request("GET", T + "?per_page=2&page=2")
check(r.status == 200 and r.json.get("pages") == 2 and len(r.json.get("items", [])) == 1,
      "per_page=2 page=2 holds the third target", r)
r = request("GET", T + "?per_page=500")
is_error(r, 400, "VALIDATION_ERROR", "per_page=500 is 400 naming per_page", message_has="per_page")
r = request("GET", "%s/tgt_%s" % (T, "0" * 32))
is_error(r, 404, "NOT_FOUND", "an unknown target is 404")
r = request("GET", "%s/banana" % T)
is_error(r, 404, "NOT_FOUND", "a malformed target id is 404")
r = request("GET", "/api/v1/projects/proj_%s/targets" % ("0" * 32))
is_error(r, 404, "NOT_FOUND", "targets of an unknown project are 404")

section("patch")
r = request("PATCH", "%s/%s" % (T, tid), {"enabled": False})
check(r.status == 200 and r.json.get("enabled") is False and r.json.get("url") == t.get("url"),
      "PATCH {enabled:false} changes only enabled", r)
check(r.status == 200 and r.json.get("updated_at", "") >= t.get("updated_at", "~"), "updated_at moves on", r)
r = request("PATCH", "%s/%s" % (T, tid), {"name": "Renamed"})
check(r.status == 200 and r.json.get("name") == "Renamed" and r.json.get("enabled") is False,
      "PATCH {name} keeps the earlier change", r)
r = request("PATCH", "%s/%s" % (T, tid), {"name": None})
check(r.status == 200 and r.json.get("name") is None, "PATCH {name:null} clears the name", r)
r = request("PATCH", "%s/%s" % (T, tid), {"url": "https://example.org/new", "enabled": True})
check(r.status == 200 and r.json.get("url") == "https://example.org/new" and r.json.get("enabled") is True,
      "PATCH {url, enabled} changes both", r)
before = r.json if r.status == 200 else {}
r = request("PATCH", "%s/%s" % (T, tid), {})
check(r.status == 200 and {k: v for k, v in r.json.items() if k != "updated_at"}
      == {k: v for k, v in before.items() if k != "updated_at"}, "PATCH {} is 200 and changes nothing", r)
r = request("PATCH", "%s/%s" % (T, tid), raw=b"")
check(r.status == 200 and r.json.get("url") == "https://example.org/new", "PATCH with an empty body is 200", r)
r = request("GET", "%s/%s" % (T, tid))
check(r.status == 200 and r.json.get("url") == "https://example.org/new" and r.json.get("name") is None,
      "GET shows the patched target", r)
for body, status, field, what in [
        ({"url": "gopher://x/"}, 422, "url", "a bad url"),
        ({"url": None}, (400, 422), "url", "a null url"),
        ({"enabled": None}, 400, "enabled", "a null enabled"),
        ({"enabled": "false"}, 400, "enabled", "a string enabled"),
        ({"project_id": project}, 400, "project_id", "a read-only field"),
        ({"colour": "red"}, 400, "colour", "an unknown field")]:
    r = request("PATCH", "%s/%s" % (T, tid), body)
    statuses = status if isinstance(status, tuple) else (status,)
    is_error(r, r.status if r.status in statuses else statuses[0], "VALIDATION_ERROR",
             "PATCH with %s is %s naming %s" % (what, "/".join(map(str, statuses)), field), message_has=field)
r = request("GET", "%s/%s" % (T, tid))
check(r.status == 200 and r.json.get("url") == "https://example.org/new" and r.json.get("enabled") is True,
      "a refused PATCH changed nothing", r)
r = request("PATCH", "%s/tgt_%s" % (T, "0" * 32), {"enabled": False})
is_error(r, 404, "NOT_FOUND", "PATCH of an unknown target is 404")
r = request("PUT", "%s/%s" % (T, tid), {"url": "https://example.org/"})
is_error(r, 405, "METHOD_NOT_ALLOWED", "PUT on a target is 405")

section("tenancy")
_u, _p, other = new_user("tgt-other")
other_project = new_project(token=other)
for method, body in (("GET", None), ("PATCH", {"enabled": False}), ("DELETE", None)):
    r = request(method, "%s/%s" % (T, tid), body, token=other)
    is_error(r, 404, "NOT_FOUND", "%s of another project's target is 404 for a non-member" % method)
r = request("GET", T, token=other)
is_error(r, 404, "NOT_FOUND", "listing another project's targets is 404")
r = request("POST", T, {"url": "https://example.com/"}, token=other)
is_error(r, 404, "NOT_FOUND", "creating a target in another project is 404")
r = request("GET", "/api/v1/projects/%s/targets/%s" % (other_project, tid), token=other)
is_error(r, 404, "NOT_FOUND", "a target id under the wrong project path is 404")
r = request("GET", "%s/%s" % (T, tid))
check(r.status == 200 and r.json.get("enabled") is True, "the other user's attempts changed nothing", r)

section("delete")
r = request("DELETE", "%s/%s" % (T, tid))
check(r.status == 204 and r.raw == b"", "DELETE is 204 with no body", r)
r = request("GET", "%s/%s" % (T, tid))
is_error(r, 404, "NOT_FOUND", "a deleted target is 404")
r = request("DELETE", "%s/%s" % (T, tid))
is_error(r, 404, "NOT_FOUND", "deleting it again is 404")
r = request("GET", T)
check(r.status == 200 and r.json.get("total") == 2, "the list no longer holds it", r)
new_target(project)
