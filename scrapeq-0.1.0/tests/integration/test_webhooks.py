#!/usr/bin/python3
"""test_webhooks.py: the webhooks API (issue 11): create, list, get, delete and deliveries
under a project; every documented error (bad url, unknown event, bad secret, malformed
body, role 403, tenant 404, unknown id 404, the per-project limit); the secret never
shown back; audit rows for create and delete. Delivery itself is test_webhook_delivery.py
(it needs scrapeqd)."""

import json
import re

from harness import (TS_RE, check, db_rows, is_error, new_project, new_user, request, section, sql_str,
                     uuid_of)

KEYS = {"id", "project_id", "url", "events", "secret_set", "enabled", "disabled_at", "disabled_reason",
        "failing_since", "created_at"}
ENVELOPE = {"items", "total", "page", "per_page", "pages"}
EVENTS = ["job_status_changed", "progress", "target_started", "target_completed", "target_failed",
          "completed", "failed"]
SECRET = "whsec_" + "0123456789abcdef" * 2

project = new_project()
W = "/api/v1/projects/%s/webhooks" % project

section("create")
r = request("POST", W, {"url": "https://hooks.example.com/scrapeq", "secret": SECRET})
check(r.status == 201, "POST webhooks {url, secret} is 201", r)
h = r.json if r.status == 201 and isinstance(r.json, dict) else {}
check(set(h) == KEYS, "a webhook has exactly the documented fields", r, note="got %s" % sorted(h))
check(re.match(r"^wh_[0-9a-f]{32}$", str(h.get("id"))) is not None, "webhook ids are wh_<32 hex>", r)
check(h.get("project_id") == project, "project_id is the project", r)
check(h.get("events") == ["job_status_changed"], "events default to [\"job_status_changed\"]", r)
check(h.get("secret_set") is True and SECRET not in r.raw.decode(), "the secret is not shown back: secret_set true", r)
check(h.get("enabled") is True and h.get("disabled_at") is None and h.get("disabled_reason") is None
      and h.get("failing_since") is None, "a new webhook is enabled, not failing", r)
check(re.match(TS_RE, str(h.get("created_at"))) is not None, "created_at is RFC 3339", r)
hook = h.get("id", "wh_" + "0" * 32)

r = request("POST", W, {"url": "http://Hooks.Example.COM:8080/x?y=1", "events": EVENTS + ["progress"]})
check(r.status == 201 and r.json.get("events") == EVENTS and r.json.get("secret_set") is False,
      "every event name is taken (a repeated one once), in the documented order; no secret: secret_set false", r)
check(r.status == 201 and r.json.get("url") == "http://hooks.example.com:8080/x?y=1",
      "the URL's host is stored in lower case (libcurl's URL API), the rest as given", r)
second = r.json.get("id") if r.status == 201 else None
r = request("POST", W, {"url": "https://hooks.example.com/s", "events": ["completed", "failed"],
                        "secret": None})
check(r.status == 201 and r.json.get("events") == ["completed", "failed"] and r.json.get("secret_set") is False,
      "secret null is no secret", r)
third = r.json.get("id") if r.status == 201 else None

section("read")
r = request("GET", W)
check(r.status == 200 and set(r.json or {}) == ENVELOPE and r.json.get("total") == 3
      and [x.get("id") for x in r.json.get("items", [])] == [hook, second, third],
      "GET webhooks lists them oldest first in the list envelope", r)
check(r.status == 200 and SECRET not in r.raw.decode() and all(set(x) == KEYS for x in r.json["items"]),
      "the list never shows a secret", r)
r = request("GET", W + "?per_page=1&page=2")
check(r.status == 200 and [x["id"] for x in r.json.get("items", [])] == [second] and r.json.get("pages") == 3,
      "the list pages", r)
r = request("GET", W + "/" + hook)
check(r.status == 200 and r.json == h, "GET one webhook is what create answered", r)
r = request("GET", W + "/" + uuid_of(hook))
check(r.status == 200 and r.json.get("id") == hook, "a webhook is found by its UUID too", r)
r = request("GET", W + "/" + hook + "/deliveries")
check(r.status == 200 and r.json == {"items": [], "total": 0, "page": 1, "per_page": 20, "pages": 0},
      "a new webhook has no deliveries", r)

section("validation")
CASES = [
    ({}, 400, "url", "a missing url"),
    ({"url": None}, 400, "url", "a null url"),
    ({"url": 5}, 400, "url", "a non-string url"),
    ({"url": ""}, 422, "url", "an empty url"),
    ({"url": "ftp://example.com/"}, 422, "url", "an ftp url"),
    ({"url": "file:///etc/passwd"}, 422, "url", "a file url"),
    ({"url": "not a url"}, 422, "url", "text that is not a URL"),
    ({"url": "/hook"}, 422, "url", "a relative url"),
    ({"url": "https://user:secret@example.com/"}, 422, "url", "a url with a user name and password"),
    ({"url": "https://user@example.com/"}, 422, "url", "a url with a user name"),
    ({"url": "https://example.com/" + "a" * 2048}, 422, "url", "a url over 2048 bytes"),
    ({"url": "https://example.com/", "events": ["job_status_change"]}, 422, "events[0]", "an unknown event"),
    ({"url": "https://example.com/", "events": ["completed", "created"]}, 422, "events[1]",
     "an outbox type that is no webhook event"),
    ({"url": "https://example.com/", "events": []}, 422, "events", "an empty events list"),
    ({"url": "https://example.com/", "events": ["completed"] * 17}, 422, "events", "17 events (16 at most)"),
    ({"url": "https://example.com/", "events": "completed"}, 400, "events", "events as a string"),
    ({"url": "https://example.com/", "events": None}, 400, "events", "events null"),
    ({"url": "https://example.com/", "events": ["completed", 7]}, 400, "events[1]", "a non-string event"),
    ({"url": "https://example.com/", "secret": "short"}, 422, "secret", "a 5-character secret"),
    ({"url": "https://example.com/", "secret": "s" * 257}, 422, "secret", "a 257-character secret"),
    ({"url": "https://example.com/", "secret": "sixteen chars ok"}, 422, "secret", "a secret with a space"),
    ({"url": "https://example.com/", "secret": 1234567890123456}, 400, "secret", "a numeric secret"),
    ({"url": "https://example.com/", "active": True}, 400, "active", "an unknown field"),
]
for body, status, field, what in CASES:
    r = request("POST", W, body)
    is_error(r, status, "VALIDATION_ERROR", "%s is %d VALIDATION_ERROR naming %s" % (what, status, field),
             message_has=field)
r = request("POST", W, raw="{\"url\": ")
is_error(r, 400, "VALIDATION_ERROR", "malformed JSON is 400")
r = request("POST", W, raw="[]")
is_error(r, 400, "VALIDATION_ERROR", "a body that is not an object is 400")
r = request("POST", W, {"url": "https://example.com/", "secret": "s" * 256})
check(r.status == 201, "a 256-character secret (the maximum) is taken", r)
if r.status == 201:
    request("DELETE", W + "/" + r.json["id"])
r = request("GET", W)
check(r.status == 200 and r.json.get("total") == 3, "no refused create wrote a webhook", r)

section("roles and tenants")
owner_name, _pw, owner_tok = new_user("whowner")
other_name, _pw, other_tok = new_user("whother")
P = new_project(token=owner_tok)
PW = "/api/v1/projects/%s/webhooks" % P
r = request("POST", PW, {"url": "https://example.com/owner"}, token=owner_tok)
check(r.status == 201, "the project's owner creates a webhook", r)
ph = r.json.get("id") if r.status == 201 else "wh_" + "1" * 32
users = {}
for role in ("viewer", "member", "admin"):
    name, _pw, tok = new_user("wh" + role)
    rr = request("PUT", "/api/v1/projects/%s/members/%s" % (P, name), {"role": role}, token=owner_tok)
    if rr.status != 201:
        raise RuntimeError("cannot add a %s: %s" % (role, rr.describe()))
    users[role] = tok
for role in ("viewer", "member"):
    tok = users[role]
    r = request("POST", PW, {"url": "https://example.com/" + role}, token=tok)
    is_error(r, 403, "FORBIDDEN", "a %s creating a webhook is 403" % role, message_has="webhooks")
    r = request("POST", PW, {"url": "ftp://bad"}, token=tok)
    is_error(r, 403, "FORBIDDEN", "a %s is 403 before its body is judged" % role)
    is_error(request("GET", PW, token=tok), 403, "FORBIDDEN", "a %s listing webhooks is 403" % role)
    is_error(request("GET", PW + "/" + ph, token=tok), 403, "FORBIDDEN", "a %s reading a webhook is 403" % role)
    is_error(request("GET", PW + "/" + ph + "/deliveries", token=tok), 403, "FORBIDDEN",
             "a %s reading deliveries is 403" % role)
    is_error(request("DELETE", PW + "/" + ph, token=tok), 403, "FORBIDDEN", "a %s deleting a webhook is 403" % role)
r = request("GET", PW + "/" + ph, token=owner_tok)
check(r.status == 200, "the refused delete left the webhook", r)
r = request("POST", PW, {"url": "https://example.com/admin"}, token=users["admin"])
check(r.status == 201, "an admin creates a webhook", r)
ah = r.json.get("id") if r.status == 201 else None
r = request("GET", PW, token=users["admin"])
check(r.status == 200 and r.json.get("total") == 2, "an admin lists the project's webhooks", r)
r = request("DELETE", PW + "/" + str(ah), token=users["admin"])
check(r.status == 204, "an admin deletes a webhook", r)

for what, fn in (
        ("create", lambda tok: request("POST", PW, {"url": "https://example.com/x"}, token=tok)),
        ("list", lambda tok: request("GET", PW, token=tok)),
        ("get", lambda tok: request("GET", PW + "/" + ph, token=tok)),
        ("deliveries", lambda tok: request("GET", PW + "/" + ph + "/deliveries", token=tok)),
        ("delete", lambda tok: request("DELETE", PW + "/" + ph, token=tok))):
    is_error(fn(other_tok), 404, "NOT_FOUND", "another tenant's %s is 404, not 403" % what)
    is_error(fn(None), 404, "NOT_FOUND", "a server administrator who is no member: %s is 404" % what)
# the project's webhook through another project of the caller's: not found
r = request("GET", W + "/" + ph)
is_error(r, 404, "NOT_FOUND", "a webhook of another project, through one's own project, is 404")
r = request("GET", PW + "/" + ph, token=owner_tok)
check(r.status == 200, "after all that the owner's webhook is still there", r)

section("unknown ids")
for path, what in ((W + "/wh_" + "f" * 32, "an unknown webhook id"), (W + "/nope", "a malformed webhook id"),
                   (W + "/" + "job_" + "f" * 32, "another kind of id")):
    is_error(request("GET", path), 404, "NOT_FOUND", "GET %s is 404" % what, message_has="webhook")
    is_error(request("DELETE", path), 404, "NOT_FOUND", "DELETE %s is 404" % what)
    is_error(request("GET", path + "/deliveries"), 404, "NOT_FOUND", "deliveries of %s is 404" % what)
is_error(request("GET", "/api/v1/projects/proj_%s/webhooks" % ("f" * 32)), 404, "NOT_FOUND",
         "webhooks of an unknown project is 404")
r = request("PATCH", W + "/" + hook, {"url": "https://example.com/"})
check(r.status in (404, 405), "PATCH is no webhook route", r)

section("limit")
LP = new_project()
LW = "/api/v1/projects/%s/webhooks" % LP
made = [request("POST", LW, {"url": "https://example.com/%d" % i}).status for i in range(20)]
check(made == [201] * 20, "a project takes 20 webhooks", note=str(made))
r = request("POST", LW, {"url": "https://example.com/21"})
is_error(r, 409, "CONFLICT", "the 21st is 409 CONFLICT", message_has="20")

section("delete and audit")
r = request("DELETE", W + "/" + hook)
check(r.status == 204 and r.raw == b"", "DELETE a webhook is 204 with no body", r)
is_error(request("GET", W + "/" + hook), 404, "NOT_FOUND", "a deleted webhook is 404")
is_error(request("DELETE", W + "/" + hook), 404, "NOT_FOUND", "deleting it again is 404")
r = request("GET", W)
check(r.status == 200 and r.json.get("total") == 2, "the list no longer has it", r)
rows = db_rows("SELECT action, before_data, after_data, user_id IS NOT NULL FROM audit_log WHERE "
               "entity_type = 'webhook' AND entity_id = %s ORDER BY id" % sql_str(uuid_of(hook)))
check([x[0] for x in rows] == ["create", "delete"], "create and delete each wrote an audit row",
      note=str(rows))
if len(rows) == 2:
    after, before = json.loads(rows[0][2]), json.loads(rows[1][1])
    want = {"url": "https://hooks.example.com/scrapeq", "events": ["job_status_changed"], "secret_set": True}
    check(rows[0][1] is None and after == want, "the create row holds the webhook, without its secret",
          note=str(rows[0]))
    check(before == want and rows[1][2] is None, "the delete row holds what was deleted", note=str(rows[1]))
    check(all(SECRET not in (x[1] or "") + (x[2] or "") for x in rows) and rows[0][3] == "1",
          "no audit row holds the secret; they name who", note=str(rows))
n = db_rows("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'webhook' AND project_id = %s"
            % sql_str(uuid_of(P)))
check(n == [["3"]], "refused requests wrote no audit row (owner create, admin create and delete only)",
      note=str(n))
