#!/usr/bin/python3
"""Times the console's reads of one queue on the app's admin port: GET of the first page, of a page deep in the
listing, of searches, of the destinations and stats (what the console asks every 5 s), and the unpaged /queue/NAME
listing for comparison. Each request RUNS times in turn (after one unmeasured warm-up), one at a time; prints one
line per request: median, min and max milliseconds, and the answer's size. Bounded: every request has a timeout.

usage: latency.py BASE_URL TOKEN QUEUE RUNS
"""
import json
import statistics
import sys
import time
import urllib.request

base, token, queue, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
TIMEOUT = 120


def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        body = r.read()
        status = r.status
    ms = (time.perf_counter() - start) * 1000
    if status != 200:
        raise SystemExit("%s: HTTP %d" % (path, status))
    return ms, body


q = "/queue/" + queue
total = json.loads(get(q + "?offset=0&limit=1")[1])["total"]
middle = json.loads(get(q + "?offset=%d&limit=1" % (total // 2))[1])["items"][0]["id"]
requests = [
    ("first page (50)", q + "?offset=0&limit=50"),
    ("page at the middle (50)", q + "?offset=%d&limit=50" % (total // 2)),
    ("search: a queue id", q + "?offset=0&limit=50&q=" + middle),
    ("search: a recipient", q + "?offset=0&limit=50&q=42424rcpt%40"),
    ("search: no match", q + "?offset=0&limit=50&q=nobody.example"),
    ("search: every message (domain)", q + "?offset=0&limit=50&q=bench.test"),
    ("destinations", q + "/destinations"),
    ("stats", q + "/stats"),
    ("samples", q + "/samples"),
    ("queues (GET /queue)", "/queue"),
    ("unpaged list (all, for comparison)", q),
]
print("queued=%d runs=%d" % (total, runs))
for name, path in requests:
    get(path)  # warm-up
    times, size, matched = [], 0, ""
    n = runs if "unpaged" not in name else max(1, min(runs, 3))
    for _ in range(n):
        ms, body = get(path)
        times.append(ms)
        size = len(body)
    if "?" in path:
        matched = " total=%d" % json.loads(body)["total"]
    print("%-36s median=%8.1f ms  min=%8.1f  max=%8.1f  n=%d  bytes=%d%s" % (
        name, statistics.median(times), min(times), max(times), n, size, matched))
