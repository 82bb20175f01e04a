#!/usr/bin/python3
"""Markdown summary of bench/queue.sh: reads OUT/accept.csv, OUT/e2e.csv, OUT/strace.csv, OUT/mem.csv,
OUT/mem-result.txt and OUT/machine.txt. Usage: summary.py OUT"""
import csv
import os
import statistics
import sys
from collections import defaultdict

out = sys.argv[1]


def read(name):
    p = os.path.join(out, name)
    return list(csv.DictReader(open(p))) if os.path.exists(p) else []


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def f(v, spec=",.0f", none="—"):
    return none if v is None else format(v, spec)


LABEL = {"conn": "1 connection per message", "reuse": "connection reuse (-d)"}


class Cells:
    def __init__(self, rows):
        self.rows = [r for r in rows if r["label"] == r["server"]]   # measured runs, not warm-ups or diagnostics
        self.by = defaultdict(list)
        for r in self.rows:
            self.by[(r["server"], r["mode"])].append(r)
        self.modes = [m for m in ("conn", "reuse") if any(r["mode"] == m for r in self.rows)]

    def stat(self, server, mode, key, per_msg=False, scale=1.0, inverse=False):
        vals = []
        for r in self.by[(server, mode)]:
            if r["ok"] != "yes":
                continue
            v = num(r[key])
            if v is None:
                continue
            if inverse:
                v = float(r["count"]) / v if v else None
            elif per_msg:
                v = v / float(r["count"])
            if v is not None:
                vals.append(v * scale)
        return med(vals)

    def ok(self, server, mode):
        rs = self.by[(server, mode)]
        return f"{sum(r['ok'] == 'yes' for r in rs)}/{len(rs)}"

    def runs(self):
        return max((len(v) for v in self.by.values()), default=0)


def times(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


goals = []
machine = os.path.join(out, "machine.txt")
if os.path.exists(machine):
    print("Machine and settings (OUT/machine.txt):\n")
    print("```")
    print(open(machine).read().rstrip())
    print("```\n")

acc = Cells(read("accept.csv"))
if acc.rows:
    n = acc.rows[0]["count"]
    print(f"## Acceptance into the queue (fsync included)\n")
    print(f"Medians over {acc.runs()} run(s) per cell, {int(n):,} messages of 4 KB per run, 20 sessions. Rate = "
          "messages / wall time of smtp-source. Ours: smtp-server → smtp-queue producer (no consumer, messages stay in "
          "the spool). Postfix: smtpd → cleanup → queue file fsynced, on hold. Messages per fdatasync: our JVM's "
          "fdatasync calls (perf stat, syscall tracepoint), i.e. how many messages one group commit covered; per fsync "
          "for Postfix: fsync calls machine-wide during its runs. Messages per disk flush: flush requests the disk "
          "completed during the run (machine-wide counter; ext4's journal can merge the flushes of several fsyncs).\n")
    print("| connections | ours msg/s | Postfix msg/s | ours / Postfix | CPU ms/msg ours | CPU ms/msg Postfix "
          "| msgs per fdatasync ours | msgs per fsync Postfix | msgs per disk flush ours | msgs per disk flush Postfix "
          "| runs ok ours / Postfix |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for m in acc.modes:
        o, p = acc.stat("ours-accept", m, "msg_per_s"), acc.stat("postfix-hold", m, "msg_per_s")
        co = acc.stat("ours-accept", m, "cpu_server_s", per_msg=True, scale=1000)
        cp = acc.stat("postfix-hold", m, "cpu_server_s", per_msg=True, scale=1000)
        fo = acc.stat("ours-accept", m, "disk_flushes", inverse=True)
        fp = acc.stat("postfix-hold", m, "disk_flushes", inverse=True)
        so = acc.stat("ours-accept", m, "fdatasync_calls", inverse=True)
        sp = acc.stat("postfix-hold", m, "fsync_calls", inverse=True)
        print(f"| {LABEL[m]} | {f(o)} | {f(p)} | {times(o, p)} | {f(co, '.2f')} | {f(cp, '.2f')} | {f(so, '.2f')} | "
              f"{f(sp, '.2f')} | {f(fo, '.2f')} | {f(fp, '.2f')} | {acc.ok('ours-accept', m)} / {acc.ok('postfix-hold', m)} |")
        if o and p:
            goals.append((f"acceptance ≥ 3× Postfix, {LABEL[m]}: {o:,.0f} vs {p:,.0f} msg/s = {o / p:.2f}×", o >= 3 * p))
    print("\nPer run (other load = CPU used meanwhile by processes outside the benchmark's cgroups, in cores):\n")
    print("| server | mode | run | seconds | msg/s | stored | CPU ms/msg | fdatasync / fsync calls | disk flushes | msgs/flush | other load (cores) | ok |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for r in acc.rows:
        cpu, fl, sec = num(r["cpu_server_s"]), num(r["disk_flushes"]), num(r["seconds"])
        fo = num(r["foreign_cpu_s"])
        print(f"| {r['server']} | {r['mode']} | {r['run']} | {r['seconds']} | {r['msg_per_s']} | {r['stored']} | "
              f"{f(None if cpu is None else cpu / float(r['count']) * 1000, '.2f')} | "
              f"{r['fdatasync_calls']} / {r['fsync_calls']} | {r['disk_flushes']} | "
              f"{f(None if not fl else float(r['count']) / fl, '.2f')} | {f(None if fo is None or not sec else fo / sec, '.2f')} | {r['ok']} |")

e2e = Cells(read("e2e.csv"))
if e2e.rows:
    n = e2e.rows[0]["count"]
    print(f"\n## End to end: smtp-source → server → queue → smart host (smtp-sink)\n")
    print(f"Medians over {e2e.runs()} run(s) per cell, {int(n):,} messages of 4 KB per run, 20 sessions. Time = from "
          "the start of smtp-source until smtp-source has ended and the receiver has counted every message. "
          "\"accepts\" = messages / time until smtp-source ended.\n")
    print("| connections | ours msg/s | Postfix msg/s | ours / Postfix | ours accepts msg/s | Postfix accepts msg/s "
          "| CPU ms/msg ours | CPU ms/msg Postfix | runs ok ours / Postfix |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for m in e2e.modes:
        o, p = e2e.stat("ours-mta", m, "msg_per_s"), e2e.stat("postfix-mta", m, "msg_per_s")
        oa, pa = e2e.stat("ours-mta", m, "accepted_per_s"), e2e.stat("postfix-mta", m, "accepted_per_s")
        co = e2e.stat("ours-mta", m, "cpu_server_s", per_msg=True, scale=1000)
        cp = e2e.stat("postfix-mta", m, "cpu_server_s", per_msg=True, scale=1000)
        print(f"| {LABEL[m]} | {f(o)} | {f(p)} | {times(o, p)} | {f(oa)} | {f(pa)} | {f(co, '.2f')} | {f(cp, '.2f')} | "
              f"{e2e.ok('ours-mta', m)} / {e2e.ok('postfix-mta', m)} |")
        if o and p:
            goals.append((f"end to end ≥ 2× Postfix, {LABEL[m]}: {o:,.0f} vs {p:,.0f} msg/s = {o / p:.2f}×", o >= 2 * p))
    print("\nCPU per message of every part (ms, medians; all on the same 2 cores):\n")
    print("| server | connections | server | receiver (smtp-sink) | smtp-source | whole machine | busy cores |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for x in ("ours-mta", "postfix-mta"):
        for m in e2e.modes:
            g = lambda k: e2e.stat(x, m, k, per_msg=True, scale=1000)
            busy = med([num(r["machine_busy_s"]) / num(r["t_end"]) for r in e2e.by[(x, m)]
                        if r["ok"] == "yes" and num(r["machine_busy_s"]) is not None and num(r["t_end"])])
            print(f"| {x} | {LABEL[m]} | {f(g('cpu_server_s'), '.2f')} | {f(g('cpu_sink_s'), '.2f')} | "
                  f"{f(g('cpu_client_s'), '.2f')} | {f(g('machine_busy_s'), '.2f')} | {f(busy, '.2f')} |")
    print("\nPer run (received = the receiver's count after the queue had drained; sessions = connections the "
          "receiver saw; delivered = the app's \"delivered\" log lines or Postfix's status=sent):\n")
    print("| server | mode | run | seconds | msg/s | accepted after s | received | receiver sessions (QUIT) | delivered "
          "| deferred / bounced / left | log warnings | CPU ms/msg | fdatasync / fsync calls | disk flushes | other load (cores) | ok |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---|---:|---:|---|")
    for r in e2e.rows:
        cpu, t, fo = num(r["cpu_server_s"]), num(r["t_end"]), num(r["foreign_cpu_s"])
        print(f"| {r['server']} | {r['mode']} | {r['run']} | {r['t_end']} | {r['msg_per_s']} | {r['t_src']} | "
              f"{r['received']} | {r['rcv_sessions']} ({r['rcv_quits']}) | {r['delivered']} | "
              f"{r['deferred']} / {r['bounced']} / {r['queue_left']} | {r['warn_lines']} | "
              f"{f(None if cpu is None else cpu / float(r['count']) * 1000, '.2f')} | "
              f"{r['fdatasync_calls']} / {r['fsync_calls']} | {r['disk_flushes']} | "
              f"{f(None if fo is None or not t else fo / t, '.2f')} | {r['ok']} |")

mem = read("mem.csv")
if mem:
    res = {}
    rp = os.path.join(out, "mem-result.txt")
    if os.path.exists(rp):
        res = dict(t.split("=", 1) for t in open(rp).read().split() if "=" in t)
    count = int(res.get("received_final", 0) or 0)
    print("\n## Memory over a long run (fresh JVM)\n")
    t_end, cpu = num(res.get("t_end")), num(res.get("cpu_pid"))
    print(f"{count:,} messages received end to end in {f(t_end, '.1f')} s = "
          f"{f(count / t_end if t_end else None)} msg/s; JVM CPU {f(cpu, '.1f')} s = "
          f"{f(cpu / count * 1000 if cpu and count else None, '.2f')} ms/msg; smtp-source rc {res.get('rc')}, "
          f"stderr lines {res.get('src_errlines')}; app log: {res.get('delivered_log')} delivered, "
          f"{res.get('warn')} WARN/ERROR lines; receiver sessions {res.get('sessions')}.\n")
    print("| when | seconds | delivered (at receiver) | queue size | ≈ accepted | RSS MiB | live heap after full GC MiB "
          "| RSS after GC MiB | threads | fds | spool segments (MiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    mib = lambda v: f(None if num(v) is None else num(v) / 1024, ".1f")
    for r in mem:
        if r["kind"] in ("milestone", "done", "end") or r is mem[0]:
            print(f"| {r['kind']} | {r['t_s']} | {int(r['delivered']):,} | {int(r['queue_size']):,} | "
                  f"{int(r['accepted_est']):,} | {mib(r['rss_kb'])} | {mib(r['heap_after_gc_kb'])} | "
                  f"{mib(r['rss_after_gc_kb'])} | {r['threads']} | {r['fds']} | {r['spool_segments']} ({r['spool_mib']}) |")
    q = [int(r["queue_size"]) for r in mem]
    rss = [num(r["rss_kb"]) for r in mem if num(r["rss_kb"]) is not None]
    print(f"\nLargest queue seen in the samples: {max(q):,} messages; RSS min / max over the run: "
          f"{f(min(rss) / 1024, '.0f')} / {f(max(rss) / 1024, '.0f')} MiB. Every sample is in OUT/mem.csv; "
          "jstat -gc every few seconds in OUT/mem-jstat.txt.")
    heaps = [(int(r["delivered"]), num(r["heap_after_gc_kb"])) for r in mem
             if r["kind"] in ("milestone", "end") and num(r["heap_after_gc_kb"]) is not None]
    if len(heaps) >= 2:
        first, last = heaps[0][1], heaps[-1][1]
        hmax = max(h for _, h in heaps)
        goals.append((f"memory flat over {count:,} messages (heap after full GC grows < 10 MiB from the first "
                      f"milestone to the end): {first / 1024:.1f} → max {hmax / 1024:.1f} → end {last / 1024:.1f} MiB",
                      hmax - first < 10 * 1024 and count >= int(res.get("received_final", 0) or 0)))

fill, drain = read("backlog-fill.csv"), read("backlog-drain.csv")
if fill or drain:
    res = {}
    rp = os.path.join(out, "backlog-result.txt")
    if os.path.exists(rp):
        for line in open(rp):
            w = line.split()
            if w:
                res[w[0]] = dict(t.split("=", 1) for t in w[1:] if "=" in t)
    fr, dr = res.get("fill", {}), res.get("drain", {})
    mib = lambda v: f(None if num(v) is None else num(v) / 1024, ".1f")
    print("\n## Backlog: a queue that holds its messages, then drains them after a restart\n")
    print("Fill: a fresh JVM with the acceptance route (no consumer), every message stays queued; live heap after a full "
          "GC at each milestone. Drain: that JVM stopped, a fresh JVM with the end-to-end route on the same spool.\n")
    print("| step | seconds | queue size | delivered | RSS MiB | live heap after full GC MiB | threads |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, rows in (("fill", fill), ("drain", drain)):
        for r in rows:
            if r["kind"] == "sample":
                continue
            print(f"| {name} {r['kind']} | {r['t_s']} | {int(r['queue_size']):,} | {int(r['delivered']):,} | "
                  f"{mib(r['rss_kb'])} | {mib(r['heap_after_gc_kb'])} | {r['threads']} |")
    heaps = [(int(r["queue_size"]), num(r["heap_after_gc_kb"])) for r in fill if num(r["heap_after_gc_kb"]) is not None]
    per = None
    if len(heaps) >= 2 and heaps[-1][0] > heaps[0][0]:
        per = (heaps[-1][1] - heaps[0][1]) * 1024 / (heaps[-1][0] - heaps[0][0])
        print(f"\nLive heap per queued message while the queue only holds messages (fill, first to last GC): "
              f"{per:,.0f} bytes (the index entry).")
    d0 = [r for r in drain if r["kind"] == "start" and num(r["heap_after_gc_kb"]) is not None]
    if per is not None and d0 and int(d0[0]["queue_size"]) > 0:
        q0, h0 = int(d0[0]["queue_size"]), num(d0[0]["heap_after_gc_kb"])
        per_d = (h0 - heaps[0][1]) * 1024 / q0
        print(f"Live heap per queued message right after the restart with the consumer ({q0:,} still queued): "
              f"{per_d:,.0f} bytes, i.e. {per_d - per:,.0f} bytes more than the index entry (see the class histograms "
              f"OUT/logs/histo-drain-*).")
    t_src = num(fr.get("t_src"))
    n = int(fr.get("received", 0) or 0) if fr.get("received") not in (None, "NA") else None
    if t_src:
        cnt = max(int(r["queue_size"]) for r in fill) if fill else 0
        print(f"Fill: {cnt:,} messages queued in {t_src:.1f} s = {cnt / t_src:,.0f} msg/s (milestone GCs included), "
              f"smtp-source rc {fr.get('rc')}, stderr lines {fr.get('src_errlines')}, app WARN/ERROR lines "
              f"{fr.get('warn')}; stopping the JVM took {fr.get('stop_s')} s.")
    ts, st = num(dr.get("t_sink")), num(dr.get("start_s"))
    if dr:
        rec = int(dr.get("received_final", 0) or 0)
        total = (ts or 0) + (st or 0)
        print(f"Drain: the new JVM was listening {dr.get('start_s')} s after launch with {dr.get('recovered')} "
              f"messages recovered; the receiver had {rec:,} messages {f(total, '.1f')} s after launch = "
              f"{f(rec / total if total else None)} msg/s; {dr.get('delivered_log')} \"delivered\" log lines, "
              f"{dr.get('warn')} WARN/ERROR lines, {dr.get('sessions')} receiver sessions.")
        drain_heaps = [num(r["heap_after_gc_kb"]) for r in drain if num(r["heap_after_gc_kb"]) is not None]
        ok = rec == int(dr.get("recovered", -1) or -1) and dr.get("warn") == "0"
        goals.append((f"backlog of {rec:,} recovered after a restart and delivered exactly once: recovered "
                      f"{dr.get('recovered')}, received {rec:,}", ok))
        if drain_heaps:
            print(f"Live heap after full GC during the drain: max {max(drain_heaps) / 1024:.1f} MiB, at the end "
                  f"{drain_heaps[-1] / 1024:.1f} MiB.")

if goals:
    print("\n## Goals\n")
    for text, ok in goals:
        print(f"- {text} — {'MET' if ok else 'NOT MET'}")
    bad = [r for r in acc.rows + e2e.rows if r["ok"] != "yes"]
    print(f"- every measured run complete (exact counts, no errors): "
          f"{'yes' if not bad else 'NO: ' + ', '.join(r['server'] + '/' + r['mode'] + '/' + r['run'] for r in bad)}")

for name in ("ours-accept", "ours-mta", "ours-mem"):
    path = os.path.join(out, f"{name}-java-threads-cpu.txt")
    if os.path.exists(path):
        lines = open(path).read().splitlines()
        print(f"\nCPU of the JVM \"{name}\" by Java thread name over its whole life (warm-up included; jstack's cpu=, "
              "live threads only; N = a number):\n")
        print("```")
        print("\n".join(lines[:12]))
        print("```")
