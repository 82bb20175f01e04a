#!/usr/bin/python3
"""Where a JVM's CPU time went, from a Java Flight Recorder file: the execution samples (jdk.ExecutionSample) counted
by their top frame (self time) and by every method on the stack (total time), and by thread name.

Usage: jfr_top.py FILE.jfr [N]   (N lines per table, default 25; needs `jfr` from the JDK on PATH)
Used for the diagnosis in bench/queue-results.md, e.g.:
  jcmd PID JFR.start name=q settings=profile duration=20s filename=/tmp/q.jfr   (during a run)
  bench/queue/jfr_top.py /tmp/q.jfr
"""
import collections
import json
import re
import subprocess
import sys


def frame_name(f):
    m = f.get("method", {})
    t = m.get("type", {}).get("name", "?")
    return f"{t}.{m.get('name', '?')}"


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path],
                         capture_output=True, text=True, timeout=600, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    self_c, total_c, threads, pkgs = (collections.Counter() for _ in range(4))
    for e in events:
        v = e["values"]
        frames = v.get("stackTrace", {}).get("frames", []) if v.get("stackTrace") else []
        th = v.get("sampledThread", {}).get("javaName") or v.get("sampledThread", {}).get("osName") or "?"
        threads[re.sub(r"\d+", "N", th)] += 1
        if not frames:
            continue
        self_c[frame_name(frames[0])] += 1
        pkgs[frame_name(frames[0]).rsplit(".", 2)[0]] += 1
        for name in {frame_name(f) for f in frames}:
            total_c[name] += 1
    total = len(events)
    print(f"{total} execution samples in {path}\n")
    for title, c in (("by thread", threads), ("self (top frame)", self_c), ("self, by class", pkgs),
                     ("total (anywhere on the stack)", total_c)):
        print(f"## {title}")
        for k, v in c.most_common(n):
            print(f"{v:7d} {100.0 * v / total:5.1f}%  {k}")
        print()


if __name__ == "__main__":
    main()
