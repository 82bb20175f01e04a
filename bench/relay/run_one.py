#!/usr/bin/python3
"""One measured run of bench/relay.sh. Runs in the host's namespaces (so that it can read the cgroup files; `ip netns
exec` hides /sys/fs/cgroup) and starts the smtp-source processes inside the benchmark's network namespace (--netns).

Starts one smtp-source per receiving domain (all at once; the messages and sessions are split between them), then
polls the receivers' running counters (smtp-sink -c writes "sess=N quit=N mesg=N" to its output file after every
message and session) every POLL seconds until the receivers hold COUNT messages in total and every smtp-source has
ended, or until the time limit. Prints one line of key=value pairs:

  t_src     seconds from the start until the last smtp-source ended (every message accepted by the relay)
  t_sink    seconds until the receivers had COUNT messages (NA if never)
  t_end     max(t_src, t_sink): end-to-end time
  rc        exit codes of the smtp-source processes, joined with / (124 = killed by timeout)
  received  messages counted by the receivers at the end of the run
  cpu_NAME  CPU seconds used between the start and t_end by cgroup NAME (cpuacct.usage or cpu.stat usage_usec)
  busy      CPU seconds the whole machine was busy meanwhile (/proc/stat), all CPUs together
  foreign   busy minus the cgroups: work of other processes on the machine (noise), plus this script itself

Usage: run_one.py --port P --count N --sessions S --size B [--reuse] --domains d1,d2,d3 --sinks f1,f2,f3
       --limit SECONDS --errprefix PATH [--netns NAME] [--cgroup name=file ...] [--source /usr/sbin/smtp-source]
"""
import argparse
import os
import re
import subprocess
import sys
import time

POLL = 0.01
MESG = re.compile(rb"mesg=(\d+)")


def split(total, parts):
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def sink_count(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256))
            found = MESG.findall(f.read())
            return int(found[-1]) if found else 0
    except FileNotFoundError:
        return 0


def cpu_seconds(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    if path.endswith("cpu.stat"):   # cgroup v2
        m = re.search(r"usage_usec (\d+)", text)
        return int(m.group(1)) / 1e6 if m else None
    return int(text.strip()) / 1e9   # cgroup v1 cpuacct.usage, nanoseconds


def machine_busy():
    """CPU seconds the whole machine has spent busy (all CPUs: user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        v = f.readline().split()[1:]
    return sum(int(v[i]) for i in (0, 1, 2, 5, 6, 7)) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--sessions", type=int, required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--domains", required=True)
    ap.add_argument("--sinks", required=True)
    ap.add_argument("--limit", type=float, required=True)
    ap.add_argument("--errprefix", required=True)
    ap.add_argument("--cgroup", action="append", default=[])
    ap.add_argument("--source", default="/usr/sbin/smtp-source")
    ap.add_argument("--netns")
    a = ap.parse_args()

    domains = a.domains.split(",")
    sinks = a.sinks.split(",")
    counts = split(a.count, len(domains))
    sessions = split(a.sessions, len(domains))
    cgroups = dict(c.split("=", 1) for c in a.cgroup)
    limit = int(a.limit)

    procs, errs = [], []
    cpu0 = {k: cpu_seconds(v) for k, v in cgroups.items()}
    busy0 = machine_busy()
    t0 = time.monotonic()
    for i, d in enumerate(domains):
        cmd = ["ip", "netns", "exec", a.netns] if a.netns else []
        cmd += ["timeout", str(limit), a.source, "-4", "-N", "-s", str(sessions[i]), "-m", str(counts[i]),
                "-l", str(a.size), "-M", "bench.src", "-f", "sender@bench.src", "-t", "rcpt@" + d]
        if a.reuse:
            cmd.append("-d")
        cmd.append(f"127.0.0.1:{a.port}")
        err = open(f"{a.errprefix}-{d}.err", "wb")
        errs.append(err)
        procs.append(subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err))

    t_src = t_sink = None
    cpu1 = None
    while True:
        now = time.monotonic() - t0
        if t_src is None and all(p.poll() is not None for p in procs):
            t_src = now
        if t_sink is None and sum(sink_count(s) for s in sinks) >= a.count:
            t_sink = now
        if t_src is not None and t_sink is not None:
            cpu1 = {k: cpu_seconds(v) for k, v in cgroups.items()}
            busy1 = machine_busy()
            break
        if now > a.limit + 5:
            break
        time.sleep(POLL)
    for p in procs:   # smtp-source runs under timeout(1): it is gone by now, or within 5 s
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for e in errs:
        e.close()
    if cpu1 is None:
        cpu1 = {k: cpu_seconds(v) for k, v in cgroups.items()}
        busy1 = machine_busy()
    fmt = lambda v: "NA" if v is None else f"{v:.3f}"
    t_end = max(t_src, t_sink) if t_src is not None and t_sink is not None else None
    out = {
        "t_src": fmt(t_src), "t_sink": fmt(t_sink), "t_end": fmt(t_end),
        "rc": "/".join(str(p.returncode) for p in procs),
        "received": str(sum(sink_count(s) for s in sinks)),
    }
    ours = 0.0
    for k in cgroups:
        d = None if cpu0[k] is None or cpu1[k] is None else cpu1[k] - cpu0[k]
        out["cpu_" + k] = fmt(d)
        ours += d or 0.0
    out["busy"] = fmt(busy1 - busy0)
    out["foreign"] = fmt(busy1 - busy0 - ours) if cgroups else "NA"
    print(" ".join(f"{k}={v}" for k, v in out.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
