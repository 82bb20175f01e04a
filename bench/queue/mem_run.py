#!/usr/bin/python3
"""The memory run of bench/queue.sh: COUNT messages end to end through the app (smtp-source -> smtp-server ->
smtp-queue -> smtp-relay -> smtp-sink) while the JVM is sampled.

Every EVERY seconds (a "sample" row, cheap: /proc and the spool's files only): messages at the receiver, the queue's
size (messages in the spool, counted from its files by spool_count.py's rules), the JVM's RSS, threads, file
descriptors and CPU seconds. Each time the receiver's count passes a milestone (default every 25,000) a
"milestone" row also has the live heap after a full GC (the Total of `jcmd PID GC.class_histogram`) and the RSS
after that GC. When smtp-source has ended and the receiver has COUNT messages ("done" row: the run's rate), it
waits (bounded) until the queue is empty and the relay's connections have idled out, then writes an "end" row with
a full GC. Every wait is bounded by --limit.

Other uses (bench/queue.sh's backlog phase): without --sink, the milestones count the messages in the queue (the
acceptance route, nothing delivered); with --no-source nothing is sent and it watches a queue drain into the
receiver; --gc-at-start adds a full GC to the first row.

Columns: kind,t_s,delivered,queue_size,accepted_est,spool_segments,spool_mib,rss_kb,threads,fds,cpu_s,
heap_after_gc_kb,rss_after_gc_kb,src_running. accepted_est = delivered + queue_size (the messages accepted so far,
give or take those in flight).

Usage: mem_run.py (drive.py's options) --spool DIR --pid JVMPID --csv FILE [--every 5] [--milestone 25000]
       [--end-wait 12] [--no-source] [--gc-at-start] [--histo-prefix PATH]
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drive  # noqa: E402
import spool_count  # noqa: E402


_scanners = {}


def queue_size(spool):
    c = _scanners.setdefault(spool, spool_count.Scanner(spool)).count()
    return c["live"], c["segments"], c["bytes"]


def proc_mem(pid):
    rss = thr = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("Threads:"):
                    thr = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None, None, None
    return rss, thr, fds


def heap_after_gc(pid, save=None):
    """KB of live objects after a full GC: the Total of `jcmd PID GC.class_histogram` (which runs the full GC and
    counts in the same pause, so allocation by the running app afterwards is not included, as it would be with
    GC.run followed by GC.heap_info). The first 25 lines go to SAVE when given."""
    try:
        out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True, timeout=60).stdout
    except subprocess.TimeoutExpired:
        return None
    if save:
        with open(save, "w") as f:
            f.write("\n".join(out.splitlines()[:25]) + "\n")
    m = re.search(r"^Total\s+\d+\s+(\d+)", out, re.M)
    return int(m.group(1)) // 1024 if m else None


def main():
    ap = drive.parser()
    ap.add_argument("--spool", required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--every", type=float, default=5.0)
    ap.add_argument("--milestone", type=int, default=25000)
    ap.add_argument("--end-wait", type=float, default=12.0)
    ap.add_argument("--no-source", action="store_true", help="send nothing: watch the queue drain into the receiver")
    ap.add_argument("--gc-at-start", action="store_true", help="a full GC and the heap in use right at the start")
    ap.add_argument("--histo-prefix", help="save the top of every class histogram to PREFIX-<kind>-<n>.txt")
    a = ap.parse_args()
    if not a.pid or (a.no_source and not a.sink):
        ap.error("--pid is required, and --sink with --no-source")
    pid = a.pid
    csv = open(a.csv, "w")
    csv.write("kind,t_s,delivered,queue_size,accepted_est,spool_segments,spool_mib,rss_kb,threads,fds,cpu_s,"
              "heap_after_gc_kb,rss_after_gc_kb,src_running\n")
    t0 = time.monotonic()
    cpu0 = drive.pid_cpu(pid)
    na = lambda v: "NA" if v is None else str(v)
    received = lambda: drive.sink_count(a.sink) if a.sink else 0

    def row(kind, running, gc=False):
        save = f"{a.histo_prefix}-{kind}-{received() if a.sink else queue_size(a.spool)[0]}.txt" if gc and a.histo_prefix else None
        heap = heap_after_gc(pid, save) if gc else None
        q, nseg, nbytes = queue_size(a.spool)
        delivered = received()
        rss, thr, fds = proc_mem(pid)
        cpu = drive.pid_cpu(pid)
        cpu_s = None if cpu is None or cpu0 is None else round(cpu - cpu0, 2)
        rss_after = rss if gc else None
        csv.write(f"{kind},{time.monotonic() - t0:.2f},{delivered},{q},{delivered + q},{nseg},{nbytes / 1048576:.1f},"
                  f"{na(rss)},{na(thr)},{na(fds)},{na(cpu_s)},{na(heap)},{na(rss_after)},{int(running)}\n")
        csv.flush()
        print(f"{kind:9s} t={time.monotonic() - t0:7.1f}s delivered={delivered:7d} queue={q:6d} "
              f"rss={na(rss and rss // 1024)}MiB threads={na(thr)} heap_after_gc={na(heap and heap // 1024)}MiB",
              file=sys.stderr, flush=True)

    # progress toward the milestones: messages at the receiver, or (no receiver) messages in the queue
    progress = received if a.sink else (lambda: queue_size(a.spool)[0])
    row("start", not a.no_source, gc=a.gc_at_start)
    proc = None
    err = open(a.errfile, "wb")
    if not a.no_source:
        proc = subprocess.Popen(drive.source_cmd(a, a.count, a.limit), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
    next_sample = a.every
    next_check = 0.0
    next_milestone = a.milestone
    t_src = 0.0 if proc is None else None
    t_sink = None if a.sink else 0.0
    while True:
        now = time.monotonic() - t0
        running = proc is not None and proc.poll() is None
        if t_src is None and not running:
            t_src = now
        if a.sink and t_sink is None and received() >= a.count:
            t_sink = now
        if now >= next_check:   # the queue's size costs a scan of the spool's new records: once a second at most
            n = progress()
            next_check = now + (0.05 if a.sink else 1.0)
            if n >= next_milestone:
                row("milestone", running, gc=True)
                while next_milestone <= n:
                    next_milestone += a.milestone
                next_sample = time.monotonic() - t0 + a.every
        if now >= next_sample:
            row("sample", running)
            next_sample = now + a.every
        if t_src is not None and t_sink is not None:
            break
        if now > a.limit + 5:
            break
        time.sleep(0.05)
    if proc is not None:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    err.close()
    t_end = max(t_src, t_sink) if t_src is not None and t_sink is not None else None
    cpu1 = drive.pid_cpu(pid)
    row("done", False)
    if a.sink:   # drain: the queue empties, then the relay's kept connections idle out (idleConnectionTime 5 s)
        deadline = time.monotonic() + 120
        while queue_size(a.spool)[0] > 0 and time.monotonic() < deadline:
            time.sleep(0.2)
    time.sleep(a.end_wait)
    row("end", False, gc=True)
    csv.close()
    fmt = lambda v: "NA" if v is None else f"{v:.3f}"
    cpu = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
    print(f"t_src={fmt(t_src)} t_sink={fmt(t_sink)} t_end={fmt(t_end)} rc={proc.returncode if proc else 'NA'} "
          f"received={received() if a.sink else 'NA'} queue={queue_size(a.spool)[0]} cpu_pid={fmt(cpu)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
