#!/usr/bin/python3
"""test_stats_race.py: seed 003's PATCH keeps jobs.stats whole under concurrent writers.

Two threads PATCH the same job at the same moment, round after round: one sets
progress_percent (stats.progress), the other progress_message (stats.progressMessage).
The merge happens inside job_update's transaction, under the job's row lock, so after
every round both keys hold that round's values; a merge of a copy read before the
transaction loses one writer's key whenever the two overlap.
"""

import threading

import harness
from harness import check, login, new_project, request, section, ADMIN_PASSWORD

ROUNDS = 60

check(harness.ensure_handlers(), "the stack's scrapeq.conf has a [handlers] section", False)
TOKEN = login("admin", ADMIN_PASSWORD)["access_token"]
W = harness.workspace_of(new_project(token=TOKEN), token=TOKEN)


def req(method, path, body=None):
    return request(method, path, body, token=TOKEN)


section("two concurrent PATCH writers, one stats key each")
r = req("POST", "/workspace/%d/jobs" % W, {"job_type": "data_processing", "workspace_id": W})
check(r.status == 201, "a job to patch", r)
JOB = "/workspace/%d/jobs/%s" % (W, r.json.get("job_id", ""))

lost = []
bad = []
for i in range(1, ROUNDS + 1):
    start = threading.Barrier(2)
    answers = [None, None]

    def writer(k, body):
        start.wait()
        answers[k] = req("PATCH", JOB, body)

    ts = [threading.Thread(target=writer, args=(0, {"progress_percent": i % 101})),
          threading.Thread(target=writer, args=(1, {"progress_message": "round %d" % i}))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    bad += [a for a in answers if a is None or a.status != 200]
    s = req("GET", JOB + "/status")
    if s.status != 200 or s.json.get("progress_percent") != i % 101 \
            or s.json.get("progress_message") != "round %d" % i:
        lost.append((i, s.json))

check(not bad, "every PATCH of %d rounds x 2 writers is 200" % ROUNDS, bad[0] if bad else False)
check(not lost, "after each of %d rounds both writers' keys are there (stats merged under the row lock)"
      % ROUNDS, False, "lost in %d rounds, first: %r" % (len(lost), lost[0]) if lost else None)
