#!/usr/bin/python3
"""One measured run of bench/queue.sh (adapted from bench/relay/run_one.py: one smtp-source process, an optional
receiver, and the disk's flush counter).

Starts one smtp-source (SESSIONS parallel sessions, COUNT messages of SIZE octets, numbered recipients rcptN@DOMAIN,
one connection per message or, with --reuse, -d) against 127.0.0.1:PORT. Without --sink (acceptance) the run ends
when smtp-source has ended. With --sink FILE (end to end: the output of `smtp-sink -c`, whose running counters
"sess=N quit=N mesg=N" it rewrites after every message) it also polls the receiver's message counter every 10 ms
and the run ends when smtp-source has ended AND the receiver has counted COUNT messages, or at the time limit.
Prints one line of key=value pairs:

  t_src     seconds from the start until smtp-source ended (every message accepted: its 250 came back)
  t_sink    seconds until the receiver had COUNT messages (NA without --sink, or if it never got them)
  t_end     t_src without --sink, else max(t_src, t_sink) (NA if the receiver never got them all)
  rc        exit code of smtp-source (124 = killed by timeout)
  received  messages counted by the receiver at the end of the run (NA without --sink)
  cpu_NAME  CPU seconds used between the start and t_end by cgroup NAME (cpuacct.usage, or cpu.stat usage_usec)
  cpu_pid   CPU seconds of process --pid over the same time (/proc/PID/stat), when given
  busy      CPU seconds the whole machine was busy meanwhile (/proc/stat), all CPUs together
  foreign   busy minus the cgroups: work of other processes on the machine (noise), plus this script itself
  flushes   flush (cache-flush / FUA) requests the block device --disk completed meanwhile (/sys/block/DEV/stat,
            field 16; needs Linux 5.5+): each fsync/fdatasync that writes data costs at least one. Machine-wide, so
            other writers on the machine add to it
  writes    write requests the device completed meanwhile (field 5), sectors: 512-octet sectors written (field 7)

With --spread N (the shaping phase) the recipients are spread over N domains, site1.DOMAIN .. siteN.DOMAIN, COUNT/N
messages each: smtp-source names one recipient domain per process, so min(SESSIONS, N) lanes run at once, each a
series of one-session smtp-source processes, one per domain of the lane (domain k in lane k mod lanes). rc is the
first non-zero exit code of them.

Usage: drive.py --port P --count N --sessions S --size B [--reuse] [--sink FILE] --limit SECONDS --errfile PATH
       [--spread N] [--domain bench.test] [--sender sender@bench.test] [--file MESSAGE] [--cgroup name=file ...] [--pid PID] [--disk vda] [--source /usr/sbin/smtp-source]
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

POLL = 0.01
MESG = re.compile(rb"mesg=(\d+)")


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


def pid_cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def machine_busy():
    """CPU seconds the whole machine has spent busy (all CPUs: user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        v = f.readline().split()[1:]
    return sum(int(v[i]) for i in (0, 1, 2, 5, 6, 7)) / os.sysconf("SC_CLK_TCK")


def disk_stat(dev):
    """(flushes, writes, sectors written) of a block device, or None."""
    try:
        with open(f"/sys/block/{dev}/stat") as f:
            v = [int(x) for x in f.read().split()]
        return (v[15] if len(v) > 15 else None, v[4], v[6])
    except (OSError, ValueError, IndexError):
        return None


def source_cmd(a, count, limit, sessions=None, domain=None):
    cmd = ["timeout", str(max(1, int(limit))), a.source, "-4", "-N", "-s", str(sessions or a.sessions), "-m", str(count),
           "-M", "bench.test", "-f", a.sender, "-t", "rcpt@" + (domain or a.domain)]
    # a prepared message (headers and body), or smtp-source's own of SIZE octets
    cmd += ["-F", a.file] if a.file else ["-l", str(a.size)]
    if a.reuse:
        cmd.append("-d")
    cmd.append(f"127.0.0.1:{a.port}")
    return cmd


class Lanes:
    """--spread: like a Popen of one smtp-source (poll, wait, kill, returncode), for the lanes of one-session
    smtp-source processes, each lane running its domains one after the other."""

    def __init__(self, a, err, t0):
        lanes = min(a.sessions, a.spread)
        self.returncode = None
        self.rcs = []
        self.procs = {}
        self.stopped = False
        self.lock = threading.Lock()
        work = [[] for _ in range(lanes)]
        for k in range(a.spread):
            n = a.count // a.spread + (1 if k < a.count % a.spread else 0)
            if n:
                work[k % lanes].append((f"site{k + 1}.{a.domain}", n))
        self.threads = [threading.Thread(target=self.lane, args=(a, err, t0, i, w), daemon=True) for i, w in enumerate(work)]
        for t in self.threads:
            t.start()

    def lane(self, a, err, t0, i, work):
        for domain, n in work:
            with self.lock:
                if self.stopped:
                    return
                p = subprocess.Popen(source_cmd(a, n, a.limit - (time.monotonic() - t0), 1, domain),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
                self.procs[i] = p
            rc = p.wait()
            with self.lock:
                self.rcs.append(rc)

    def poll(self):
        if any(t.is_alive() for t in self.threads):
            return None
        self.returncode = next((rc for rc in self.rcs if rc != 0), 0)
        return self.returncode

    def wait(self, timeout=None):
        for t in self.threads:
            t.join(timeout)
        if self.poll() is None:
            raise subprocess.TimeoutExpired("smtp-source lanes", timeout)

    def kill(self):
        with self.lock:
            self.stopped = True
            for p in self.procs.values():
                if p.poll() is None:
                    p.kill()


def parser():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--sessions", type=int, required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--sink")
    ap.add_argument("--limit", type=float, required=True)
    ap.add_argument("--errfile", required=True)
    ap.add_argument("--spread", type=int, default=0)
    ap.add_argument("--domain", default="bench.test")
    ap.add_argument("--sender", default="sender@bench.test")
    ap.add_argument("--file")
    ap.add_argument("--cgroup", action="append", default=[])
    ap.add_argument("--pid")
    ap.add_argument("--disk", default="vda")
    ap.add_argument("--source", default="/usr/sbin/smtp-source")
    return ap


def main():
    a = parser().parse_args()
    cgroups = dict(c.split("=", 1) for c in a.cgroup)

    cpu0 = {k: cpu_seconds(v) for k, v in cgroups.items()}
    pcpu0 = pid_cpu(a.pid) if a.pid else None
    busy0 = machine_busy()
    disk0 = disk_stat(a.disk)
    t0 = time.monotonic()
    with open(a.errfile, "wb") as err:
        if a.spread > 0:
            proc = Lanes(a, err, t0)
        else:
            proc = subprocess.Popen(source_cmd(a, a.count, a.limit), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err)
        t_src = t_sink = None
        while True:
            now = time.monotonic() - t0
            if t_src is None and proc.poll() is not None:
                t_src = now
            if a.sink and t_sink is None and sink_count(a.sink) >= a.count:
                t_sink = now
            if t_src is not None and (t_sink is not None or not a.sink):
                break
            if now > a.limit + 5:
                break
            time.sleep(POLL)
        cpu1 = {k: cpu_seconds(v) for k, v in cgroups.items()}
        pcpu1 = pid_cpu(a.pid) if a.pid else None
        busy1 = machine_busy()
        disk1 = disk_stat(a.disk)
        try:   # smtp-source runs under timeout(1): it is gone by now, or within 5 s
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    fmt = lambda v: "NA" if v is None else f"{v:.3f}"
    if a.sink:
        t_end = max(t_src, t_sink) if t_src is not None and t_sink is not None else None
    else:
        t_end = t_src
    out = {
        "t_src": fmt(t_src), "t_sink": fmt(t_sink), "t_end": fmt(t_end), "rc": str(proc.returncode),
        "received": str(sink_count(a.sink)) if a.sink else "NA",
    }
    ours = 0.0
    for k in cgroups:
        d = None if cpu0[k] is None or cpu1[k] is None else cpu1[k] - cpu0[k]
        out["cpu_" + k] = fmt(d)
        ours += d or 0.0
    if a.pid:
        out["cpu_pid"] = fmt(None if pcpu0 is None or pcpu1 is None else pcpu1 - pcpu0)
    out["busy"] = fmt(busy1 - busy0)
    out["foreign"] = fmt(busy1 - busy0 - ours) if cgroups else "NA"
    if disk0 and disk1 and disk0[0] is not None:
        out["flushes"] = str(disk1[0] - disk0[0])
    else:
        out["flushes"] = "NA"
    out["writes"] = str(disk1[1] - disk0[1]) if disk0 and disk1 else "NA"
    out["sectors"] = str(disk1[2] - disk0[2]) if disk0 and disk1 else "NA"
    print(" ".join(f"{k}={v}" for k, v in out.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
