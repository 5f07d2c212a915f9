#!/usr/bin/python3
"""test_client_flows.py: each seed's client completes its flows from what the service tells
it (issue 9): seed 003 finds its workspace, seed 001 sends back domain_id and reads a
complete config, every dialect finds a job by every id form any dialect shows, the
canonical API configures a crawl, and a job sent back to the queue counts against the
daily limit and cannot lower its retry_count.

Every id, number and token a step uses comes from an earlier answer (or, for users and
tokens, from scrapeqctl as a sysadmin would run it); nothing is read from the database.
"""

import re

import harness
from harness import (ADMIN_TOKEN, check, config_value, is_detail, is_error, login, new_project,
                     new_user, request, section)

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
SITE = harness.BASE + "/demo-site/"

NAME, PASSWORD, TOKEN = new_user("flows")
_, _, OTHER = new_user("flows-other")


def data(r):
    return r.json.get("data") if isinstance(r.json, dict) else None


def job_total(token=TOKEN):
    r = request("GET", "/api/scrape-jobs?per_page=1", token=token)
    return r.json.get("pagination", {}).get("total") if r.status == 200 else None


# ---- seed 003: the workspace a client can find ----
section("seed 003: finding the workspace")
r = request("POST", "/api/v1/projects", {"name": harness.uniq("flows ")}, token=TOKEN)
P = r.json if r.status == 201 else {}
W = P.get("workspace_id")
check(r.status == 201 and isinstance(W, int) and W >= 1, "a created project shows its workspace_id", r)
r = request("GET", "/api/v1/projects/%s" % P.get("id"), token=TOKEN)
check(r.status == 200 and r.json.get("workspace_id") == W, "GET /projects/{p} shows the same workspace_id", r)
r = request("GET", "/api/v1/projects?per_page=100", token=TOKEN)
check(r.status == 200 and [i.get("workspace_id") for i in r.json["items"] if i["id"] == P.get("id")] == [W],
      "the project list shows it too", r)

SESSION = login(NAME, PASSWORD)["access_token"]
r = request("POST", "/workspace/%d/jobs" % W, {"job_type": "scrape", "workspace_id": W,
            "metadata": {"domain": "example.com"}}, token=SESSION)
JOB3 = r.json.get("job_id") if r.status == 201 else None
check(r.status == 201 and r.json.get("workspace_id") == W,
      "a user logged in through /auth/login creates a job in that workspace", r)
for form in (P.get("id", ""), harness.uuid_of(P.get("id", "proj_" + "0" * 32))):
    r = request("GET", "/workspace/%s/jobs" % form, token=SESSION)
    check(r.status == 200 and JOB3 in [j["job_id"] for j in r.json.get("data", [])]
          and all(j["workspace_id"] == W for j in r.json.get("data", [])),
          "/workspace/%s/jobs: the project id works; answers keep the number" % form[:12], r)
    r = request("GET", "/workspace/%s/jobs/%s" % (form, JOB3), token=SESSION)
    check(r.status == 200 and r.json.get("workspace_id") == W, "... and its job by the project id", r)
r = request("GET", "/jobs?workspace_id=%s" % P.get("id"), token=SESSION)
check(r.status == 200 and JOB3 in [j["job_id"] for j in r.json.get("data", [])],
      "the legacy /jobs?workspace_id= takes the project id too", r)

OTHER_P = request("POST", "/api/v1/projects", {"name": harness.uniq("other ")}, token=OTHER).json
OTHER_W = OTHER_P["workspace_id"]
missing = max(W, OTHER_W) + 1000000
denied = []
for w, what in ((OTHER_W, "another user's workspace"), (missing, "a workspace number no project has"),
                (OTHER_P["id"], "another user's project id"), ("proj_" + "f" * 32, "a project id nobody has")):
    r = request("GET", "/workspace/%s/jobs" % w, token=SESSION)
    is_detail(r, 403, "%s is 403" % what)
    denied.append(r.json.get("detail") if isinstance(r.json, dict) else None)
check(len(set(denied)) == 1 and denied[0] == "No access to this workspace",
      "all four answer the same detail: missing and foreign workspaces cannot be told apart", note=denied)
r = request("POST", "/workspace/%d/jobs" % missing, {"job_type": "scrape", "workspace_id": missing},
            token=SESSION)
is_detail(r, 403, "creating in a missing workspace is the same 403")
r = request("GET", "/workspace/nonsense/jobs", token=SESSION)
is_detail(r, 404, "a workspace that is neither a number nor a project id is 404")

# ---- seed 001: domain_id round trip and a complete config ----
section("seed 001: domain_id and config")
r = request("POST", "/api/scrape-jobs", {"domain": "shop.example.com", "project_id": P.get("id")},
            token=TOKEN)
J1 = data(r) or {}
DOMAIN_ID = J1.get("domain_id")
check(r.status == 201 and re.match(UUID_RE, DOMAIN_ID or "") is not None,
      "a job created with domain shows its domain_id", r)
cfg = J1.get("config") or {}
timeout_s = int(config_value("daemon", "timeout", "30"))
agent = config_value("daemon", "user_agent", "scrapeq/0.1 (+https://github.com/scrapeq/scrapeq)")
check(cfg.get("depth") == 3 and cfg.get("maxPages") == P.get("max_results_per_target")
      and cfg.get("timeout") == timeout_s * 1000 and cfg.get("respectRobots") is True
      and cfg.get("includeSubdomains") is False and cfg.get("userAgent") == agent,
      "config shows all six fields with the effective defaults (maxPages = the project's "
      "max_results_per_target, timeout = [daemon] timeout in ms, userAgent = [daemon] user_agent)", r)
before = job_total()
hexid = DOMAIN_ID.replace("-", "") if DOMAIN_ID else ""
for form in (DOMAIN_ID, hexid, "tgt_" + hexid, hexid.upper()):
    r = request("POST", "/api/scrape-jobs", {"domain_id": form}, token=TOKEN)
    d = data(r) or {}
    check(r.status == 201 and d.get("domain_id") == DOMAIN_ID and d.get("domain") == "shop.example.com"
          and d.get("customer_config_id") == harness.uuid_of(P.get("id", "proj_" + "0" * 32)),
          "domain_id %s alone creates a job for that domain, in its project" % form[:14], r)
r = request("POST", "/api/scrape-jobs", {"domain_id": DOMAIN_ID, "domain": "shop.example.com"}, token=TOKEN)
check(r.status == 201 and (data(r) or {}).get("domain_id") == DOMAIN_ID, "domain and domain_id that agree: 201", r)
r = request("POST", "/api/scrape-jobs", {"domain_id": DOMAIN_ID, "domain": "https://shop.example.com/"},
            token=TOKEN)
check(r.status == 201, "... also with the domain as the target's URL", r)
after = job_total()
check(before is not None and after == before + 6, "six jobs were created", note=(before, after))
for body, what, has in (
        ({"domain_id": DOMAIN_ID, "domain": "other.example.com"}, "domain and domain_id that disagree",
         "domain and domain_id"),
        ({}, "neither domain nor domain_id", "domain_id"),
        ({"domain_id": "tgt_123"}, "a malformed domain_id", "domain_id"),
        ({"domain_id": "job_" + hexid}, "a job id as domain_id", "domain_id"),
        ({"domain_id": DOMAIN_ID, "project_id": OTHER_P["id"]}, "a domain_id with another's project",
         None),
        ({"domain_id": "0" * 32}, "a domain_id that names nothing", "domain_id")):
    r = request("POST", "/api/scrape-jobs", body, token=TOKEN)
    ok = r.status in (400, 404) and r.json.get("success") is False
    if has is not None:
        ok = ok and r.status == 400 and has in (r.json.get("error") or "")
    check(ok, "%s is refused%s" % (what, " (400 naming %s)" % has if has else ""), r)
r = request("POST", "/api/scrape-jobs", {"domain_id": DOMAIN_ID}, token=OTHER)
check(r.status == 400 and r.json.get("success") is False, "another user's domain_id is a 400", r)
check(job_total() == after, "no refused create wrote a job", note=(after, job_total()))

# ---- one job, any id form, every dialect ----
section("one job, any of its id forms, in every dialect")
harness.new_target(P["id"], token=TOKEN, url=SITE)
r = request("POST", "/api/v1/projects/%s/jobs" % P["id"], {}, token=TOKEN)
V1ID = r.json.get("id") if r.status == 201 else ""
check(r.status == 201 and V1ID.startswith("job_"), "the canonical API shows job_<hex>", r)
r = request("GET", "/api/scrape-jobs/%s" % V1ID, token=TOKEN)
UU = (data(r) or {}).get("id", "")
check(r.status == 200 and re.match(UUID_RE, UU) is not None, "seed 001 shows the same job's UUID", r)
r = request("GET", "/v1/jobs/%s" % UU, token=TOKEN)
HEX = r.json.get("_id", "") if r.status == 200 and isinstance(r.json, dict) else ""
check(r.status == 200 and re.match(r"^[0-9a-f]{32}$", HEX) is not None, "seed 002 shows its 32 hex digits", r)
FORMS = [V1ID, UU, HEX, UU.upper(), HEX.upper()]
READS = [("v1", "/api/v1/jobs/%s", lambda r: r.json.get("id") == V1ID),
         ("001", "/api/scrape-jobs/%s", lambda r: (data(r) or {}).get("id") == UU),
         ("002", "/v1/jobs/%s", lambda r: r.json.get("_id") == HEX),
         ("003", "/workspace/%d/jobs/%%s" % W, lambda r: r.json.get("job_id") == V1ID),
         ("004", "/api/jobs/%s", lambda r: r.json.get("id") == UU)]
for dialect, tmpl, same in READS:
    bad = [f for f in FORMS if not (lambda r: r.status == 200 and same(r))(request("GET", tmpl % f, token=TOKEN))]
    check(not bad, "seed %s finds the job by every form (job_<hex>, UUID, hex, either case)" % dialect, note=bad)
for child in ("-export", "-import"):
    for f in (HEX, V1ID, UU):
        r = request("GET", "/v1/jobs/%s%s" % (f, child), token=TOKEN)
        check(r.status == 200 and r.json.get("_id") == HEX + child,
              "seed 002 finds %s%s" % (f[:8], child), r)
    r = request("GET", "/api/v1/jobs/%s%s" % (V1ID, child), token=TOKEN)
    check(r.status == 200 and r.json.get("id") == V1ID, "the canonical API reads a %s id as its job" % child, r)
for f in ("job_" + HEX[:-1], HEX + "-exports", "tgt_" + HEX, UU + "x"):
    r = request("GET", "/api/v1/jobs/%s" % f, token=TOKEN)
    is_error(r, 404, "NOT_FOUND", "a malformed id %s is 404" % f[:14])
r = request("GET", "/api/scrape-jobs/%s" % V1ID, token=OTHER)
check(r.status == 404, "another user finds no form of it (404)", r)
request("POST", "/api/v1/jobs/%s/cancel" % V1ID, {}, token=TOKEN)

# ---- the canonical API configures a crawl ----
section("canonical API: config")
CONFIG = {"depth": 1, "maxPages": 5, "timeout": 5000, "delay": 250, "respectRobots": False,
          "includeSubdomains": True, "allowExternalLinks": False, "ignoreSitemap": True,
          "ignoreQueryParameters": True, "userAgent": "FlowBot/2.0",
          "includePaths": ["^/demo-site/"], "excludePaths": ["\\.pdf$"],
          "selectors": {"heading": "string(//h1)", "links": "count(//a)"}}


def list_total():
    r = request("GET", "/api/v1/projects/%s/jobs?per_page=1" % P["id"], token=TOKEN)
    return r.json.get("total") if r.status == 200 else None


r = request("POST", "/api/v1/projects/%s/jobs" % P["id"], {"config": CONFIG, "max_results_per_target": 7},
            token=TOKEN)
C = r.json.get("config", {}) if r.status == 201 else {}
check(r.status == 201 and {k: C.get(k) for k in CONFIG} == CONFIG and C.get("max_results_per_target") == 7
      and isinstance(C.get("targets"), list) and len(C["targets"]) >= 1,
      "POST with config: 201, every option echoed as given, beside max_results_per_target and targets", r)
JC = r.json.get("id", "")
r = request("GET", "/api/v1/jobs/%s" % JC, token=TOKEN)
check(r.status == 200 and r.json.get("config") == C, "GET shows the same config", r)
r = request("GET", "/api/scrape-jobs/%s" % JC, token=TOKEN)
check(r.status == 200 and (data(r) or {}).get("config") == CONFIG,
      "seed 001 shows the same options (timeout in ms), without the canonical run keys", r)
request("POST", "/api/v1/jobs/%s/cancel" % JC, {}, token=TOKEN)
r = request("POST", "/api/v1/projects/%s/jobs" % P["id"], {"config": C}, token=TOKEN)
check(r.status == 201 and r.json.get("config") == C, "the config an answer showed can be sent back as it is", r)
request("POST", "/api/v1/jobs/%s/cancel" % r.json.get("id", ""), {}, token=TOKEN)
r = request("POST", "/api/v1/jobs/%s/retry" % JC, {}, token=TOKEN)
check(r.status == 201 and r.json.get("config") == C, "a retry runs with the same config", r)
request("POST", "/api/v1/jobs/%s/cancel" % r.json.get("id", ""), {}, token=TOKEN)
r = request("POST", "/api/v1/projects/%s/jobs" % P["id"], {}, token=TOKEN)
D = r.json.get("config", {}) if r.status == 201 else {}
check(r.status == 201 and D.get("depth") == 3 and D.get("maxPages") == D.get("max_results_per_target")
      == P.get("max_results_per_target") and D.get("timeout") == timeout_s * 1000
      and D.get("userAgent") == agent and D.get("delay") == 0 and D.get("respectRobots") is True
      and "selectors" not in D, "without config, the job shows the effective defaults", r)
request("POST", "/api/v1/jobs/%s/cancel" % r.json.get("id", ""), {}, token=TOKEN)

n0 = list_total()
for cfg, status, code, key in (
        ({"bogus": 1}, 400, "VALIDATION_ERROR", "bogus"),
        ({"depth": "3"}, 400, "VALIDATION_ERROR", "config.depth"),
        ({"depth": 101}, 422, "VALIDATION_ERROR", "config.depth"),
        ({"maxPages": 0}, 422, "VALIDATION_ERROR", "config.maxPages"),
        ({"timeout": 999}, 422, "VALIDATION_ERROR", "config.timeout"),
        ({"delay": 600001}, 422, "VALIDATION_ERROR", "config.delay"),
        ({"respectRobots": "no"}, 400, "VALIDATION_ERROR", "config.respectRobots"),
        ({"userAgent": "bad\nagent"}, 422, "VALIDATION_ERROR", "config.userAgent"),
        ({"includePaths": ["("]}, 422, "VALIDATION_ERROR", "config.includePaths[0]"),
        ({"excludePaths": ["ok", "((a{1,255}){1,255}){1,255}"]}, 422, "VALIDATION_ERROR",
         "config.excludePaths[1]"),
        ({"includePaths": ["^/a"] * 33}, 422, "VALIDATION_ERROR", "config.includePaths"),
        ({"selectors": {"price": "//span["}}, 422, "VALIDATION_ERROR", "config.selectors.price"),
        ({"selectors": {"bad name": "//a"}}, 422, "VALIDATION_ERROR", "config.selectors"),
        ({"selectors": ["//a"]}, 400, "VALIDATION_ERROR", "config.selectors"),
        ({"max_results_per_target": 9}, 400, "VALIDATION_ERROR", "max_results_per_target")):
    body = {"config": cfg}
    if "max_results_per_target" in cfg:
        body["max_results_per_target"] = 8
    r = request("POST", "/api/v1/projects/%s/jobs" % P["id"], body, token=TOKEN)
    is_error(r, status, code, "config %s is %d naming %s" % (str(cfg)[:40], status, key), message_has=key)
r = request("POST", "/api/v1/projects/%s/jobs" % P["id"], {"config": [1]}, token=TOKEN)
is_error(r, 400, "VALIDATION_ERROR", "a config that is not an object is 400", message_has="config")
check(list_total() == n0, "no refused config created a job", note=(n0, list_total()))

r = request("POST", "/api/scrape-jobs", {"domain": "cfg.example.com", "project_id": P["id"],
            "config": {"includePaths": ["^/x"], "selectors": {"t": "string(//title)"}}}, token=TOKEN)
d = data(r) or {}
check(r.status == 201 and d.get("config", {}).get("includePaths") == ["^/x"]
      and d.get("config", {}).get("selectors") == {"t": "string(//title)"},
      "seed 001 takes the same options through the same validator", r)
r = request("POST", "/api/scrape-jobs", {"domain": "cfg.example.com", "config": {"depth": 101}}, token=TOKEN)
check(r.status == 400 and r.json.get("success") is False and "config.depth" in r.json.get("error", ""),
      "... and refuses the same values (400 naming config.depth)", r)

# ---- re-queueing counts against the quota; retry_count only goes up ----
section("re-queueing and the daily limit")
LIM = new_project(token=ADMIN_TOKEN, daily_job_limit=2)
r = request("POST", "/api/scrape-jobs", {"domain": "quota.example.com", "project_id": LIM, "max_retries": 5},
            token=ADMIN_TOKEN)
Q1 = (data(r) or {}).get("id", "")
r2 = request("POST", "/api/scrape-jobs", {"domain": "quota.example.com", "project_id": LIM}, token=ADMIN_TOKEN)
check(r.status == 201 and r2.status == 201, "two jobs fill a daily limit of 2", r2)
request("PUT", "/api/scrape-jobs/%s" % Q1, {"status": "running"}, token=ADMIN_TOKEN)
r = request("PUT", "/api/scrape-jobs/%s" % Q1, {"status": "failed"}, token=ADMIN_TOKEN)
check(r.status == 200 and (data(r) or {}).get("status") == "failed", "the first fails", r)
for method, path, body, what in (
        ("POST", "/api/scrape-jobs/%s/retry" % Q1, None, "seed 001 /retry"),
        ("PUT", "/api/scrape-jobs/%s" % Q1, {"status": "pending"}, "seed 001 PUT status pending")):
    r = request(method, path, body, token=ADMIN_TOKEN)
    check(r.status == 400 and r.json.get("success") is False and "Daily job limit" in r.json.get("error", ""),
          "%s past the daily limit is refused like a new job" % what, r)
    g = data(request("GET", "/api/scrape-jobs/%s" % Q1, token=ADMIN_TOKEN)) or {}
    check(g.get("status") == "failed" and g.get("retry_count") == 0, "... and the job is unchanged", note=g)
LW = harness.workspace_of(LIM, token=ADMIN_TOKEN)
r = request("GET", "/api/v1/jobs/%s" % Q1, token=ADMIN_TOKEN)
r = request("POST", "/workspace/%d/jobs/%s/retry" % (LW, r.json.get("id", "")), {}, token=ADMIN_TOKEN)
is_detail(r, 429, "seed 003's retry past the daily limit is a 429")
check(r.headers.get("retry-after", "").isdigit(), "... with Retry-After", r)

OK_P = new_project(token=ADMIN_TOKEN, daily_job_limit=100)
r = request("POST", "/api/scrape-jobs", {"domain": "retries.example.com", "project_id": OK_P, "max_retries": 2},
            token=ADMIN_TOKEN)
R1 = (data(r) or {}).get("id", "")
request("PUT", "/api/scrape-jobs/%s" % R1, {"status": "running"}, token=ADMIN_TOKEN)
request("PUT", "/api/scrape-jobs/%s" % R1, {"status": "failed"}, token=ADMIN_TOKEN)
r = request("POST", "/api/scrape-jobs/%s/retry" % R1, token=ADMIN_TOKEN)
check(r.status == 200 and (data(r) or {}).get("retry_count") == 1, "a retry within the limit: retry_count 1", r)
request("PUT", "/api/scrape-jobs/%s" % R1, {"status": "running"}, token=ADMIN_TOKEN)
request("PUT", "/api/scrape-jobs/%s" % R1, {"status": "failed"}, token=ADMIN_TOKEN)
for body in ({"retry_count": 0}, {"retry_count": 0, "status": "pending"}):
    r = request("PUT", "/api/scrape-jobs/%s" % R1, body, token=ADMIN_TOKEN)
    check(r.status == 400 and "never lowered" in r.json.get("error", ""),
          "PUT %s is a 400: retry_count may not go down" % body, r)
g = data(request("GET", "/api/scrape-jobs/%s" % R1, token=ADMIN_TOKEN)) or {}
check(g.get("status") == "failed" and g.get("retry_count") == 1, "... and the job is unchanged", note=g)
r = request("PUT", "/api/scrape-jobs/%s" % R1, {"retry_count": 2}, token=ADMIN_TOKEN)
check(r.status == 200 and (data(r) or {}).get("retry_count") == 2, "raising retry_count is allowed", r)
r = request("PUT", "/api/scrape-jobs/%s" % R1, {"status": "pending"}, token=ADMIN_TOKEN)
check(r.status == 400 and "maximum retries" in r.json.get("error", ""),
      "with retries used up, the job cannot go back to pending", r)
r = request("GET", "/api/scrape-jobs/%s/audit" % R1, token=ADMIN_TOKEN)
items = data(r) if r.status == 200 else []
items = items.get("items", []) if isinstance(items, dict) else items or []
acts = [a.get("action") for a in items]
check(r.status == 200 and "retry" in acts and acts.count("update") >= 5,
      "the retry and every accepted update are in the job's audit log", r, note=acts)


# ---- one door for creation: every dialect's new job is audited and queued alike ----
section("every new job: the same created event, log line and audit row")
AP = new_project(token=TOKEN)
harness.new_target(AP, token=TOKEN, url=SITE)
made = {}
# First the project run: a pending one holds off other project runs, not the other jobs.
r = request("POST", "/api/v1/projects/%s/jobs" % AP, {}, token=TOKEN)
made["v1"] = r.json.get("id") if r.status == 201 else None
r = request("POST", "/api/scrape-jobs", {"domain": "door.example.com", "project_id": AP}, token=TOKEN)
made["001"] = (data(r) or {}).get("id")
AW = harness.workspace_of(AP, token=TOKEN)
r = request("POST", "/workspace/%d/jobs" % AW, {"job_type": "scrape", "workspace_id": AW,
            "metadata": {"domain": "door.example.com"}}, token=TOKEN)
made["003"] = r.json.get("job_id") if r.status == 201 else None
check(all(made.values()), "seed 001 and 003 jobs are created while a project run is pending "
      "(the run limit is the project runs' only, as README says)", note=made)
for dialect, jid in made.items():
    r = request("GET", "/api/scrape-jobs/%s/audit" % jid, token=TOKEN)
    items = data(r) if r.status == 200 else []
    items = items.get("items", []) if isinstance(items, dict) else items or []
    check(jid is not None and [a.get("action") for a in items][:1] == ["create"],
          "a job created through %s has its 'create' audit row" % dialect, r)
    r = request("GET", "/api/v1/jobs/%s/logs" % jid, token=TOKEN)
    logs = [x.get("message", "") for x in (r.json or {}).get("logs", [])] if r.status == 200 else []
    check(any(m.startswith("Job queued") for m in logs), "... and its 'Job queued' log line", r)
