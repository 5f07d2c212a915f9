#!/usr/bin/python3
"""test_basics.py: ping with and without the database, routing, 404/405, static files."""

from harness import (check, is_error, is_json_ct, request, section)

section("ping")
r = request("GET", "/api/v1/ping", auth=False)
check(r.status == 200 and r.json == {"status": "ok"}, "GET /api/v1/ping without auth is 200 {\"status\":\"ok\"}")
check(is_json_ct(r), "ping answers Content-Type application/json")

r = request("GET", "/api/v1/ping?db=1", auth=False)
check(r.status == 200 and r.json == {"status": "ok", "db": "ok"},
      "GET /api/v1/ping?db=1 is 200 {\"status\":\"ok\",\"db\":\"ok\"}")

r = request("GET", "/api/v1/ping", token="not-a-token")
check(r.status == 200, "ping needs no auth, so a bad token does not matter")

r = request("POST", "/api/v1/ping", body={}, auth=False)
is_error(r, 405, "METHOD_NOT_ALLOWED", "POST /api/v1/ping is 405 METHOD_NOT_ALLOWED")
check("GET" in r.headers.get("allow", ""), "a 405 says what is allowed (Allow: GET)", r)

section("routing")
r = request("GET", "/api/v1/no-such-thing")
is_error(r, 404, "NOT_FOUND", "an unknown /api/v1 path is 404 NOT_FOUND in the v1 envelope")
check(is_json_ct(r), "a 404 is JSON too")

r = request("GET", "/api/v1/projects/")
check(r.status in (404, 200) and r.is_json, "a trailing slash gets a JSON answer, not an HTML page", r)

r = request("PUT", "/api/v1/projects", body={})
is_error(r, 405, "METHOD_NOT_ALLOWED", "PUT /api/v1/projects is 405")
allow = r.headers.get("allow", "")
check("GET" in allow and "POST" in allow, "Allow on /api/v1/projects lists GET and POST", r)

r = request("DELETE", "/api/v1/projects", body=None)
is_error(r, 405, "METHOD_NOT_ALLOWED", "DELETE /api/v1/projects is 405")

r = request("GET", "/api/v1/" + "a" * 3000)
check(r.status in (400, 404, 414) and r.is_json and "error" in (r.json or {}),
      "a 3000-byte path is a JSON 400/404/414, not a crash", r)

r = request("GET", "/api/v1/projects?page=1&x=" + "a" * 5000)
is_error(r, 400, "VALIDATION_ERROR", "a query string over the limit is 400 VALIDATION_ERROR")

r = request("GET", "/api/v1/projects?page=%zz")
is_error(r, 400, "VALIDATION_ERROR", "a bad %-escape in the query string is 400")

section("static files from the same nginx")
r = request("GET", "/", auth=False)
check(r.status == 200 and r.headers.get("content-type", "").startswith("text/html"), "GET / serves web/index.html")
r = request("GET", "/demo-site/", auth=False)
check(r.status == 200 and "Demo Shop" in r.body, "GET /demo-site/ serves the demo site")
r = request("GET", "/demo-site/products/widget.html", auth=False)
check(r.status == 200 and "Widget" in r.body, "demo site pages link to each other and are served")
r = request("GET", "/demo-site/nope.html", auth=False)
check(r.status == 404, "a missing static file is 404")
