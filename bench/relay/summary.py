#!/usr/bin/python3
"""Markdown summary of bench/relay.sh: reads OUT/runs.csv, OUT/mem.csv and OUT/machine.txt. Usage: summary.py OUT"""
import csv
import os
import statistics
import sys
from collections import defaultdict

out = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(out, "runs.csv"))))
main = [r for r in rows if r["label"] == r["server"]]   # the interleaved runs (not the memory test)
mem_path = os.path.join(out, "mem.csv")
mem = list(csv.DictReader(open(mem_path))) if os.path.exists(mem_path) else []


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


label = {"conn": "1 connection per message", "reuse": "connection reuse (-d)"}
modes = [m for m in ("conn", "reuse") if any(r["mode"] == m for r in main)]
by = defaultdict(list)
for r in main:
    by[(r["server"], r["mode"])].append(r)


def stat(server, mode, key, ok_only=True, per_msg=False, scale=1.0):
    rs = [r for r in by[(server, mode)] if r["ok"] == "yes" or not ok_only]
    vals = []
    for r in rs:
        v = num(r[key])
        if v is None:
            continue
        if per_msg:
            v = v / float(r["count"])
        vals.append(v * scale)
    return med(vals)


def other(r):
    """cores used by other processes on the machine during the run (foreign CPU / seconds)"""
    a, b = num(r.get("foreign_cpu_s")), num(r.get("t_end"))
    return a / b if a is not None and b else None


runs = max((len(v) for v in by.values()), default=0)
count = main[0]["count"] if main else "?"
print(f"Medians over {runs} run(s) per cell, {count} messages of 4 KB per run, 20 smtp-source sessions in total "
      "(three processes, one per recipient domain). End to end = from the first submission until the receivers "
      "have every message.\n")
print("| connections from smtp-source | ours msg/s | Postfix msg/s (end to end) | ours / Postfix | Postfix accepts msg/s "
      "| CPU ms/msg ours | CPU ms/msg Postfix | runs ok ours / Postfix |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for m in modes:
    o, p = stat("ours", m, "msg_per_s"), stat("postfix", m, "msg_per_s")
    pa = stat("postfix", m, "accepted_per_s")
    co = stat("ours", m, "cpu_server_s", per_msg=True, scale=1000)
    cp = stat("postfix", m, "cpu_server_s", per_msg=True, scale=1000)
    ok = lambda s: f"{sum(r['ok'] == 'yes' for r in by[(s, m)])}/{len(by[(s, m)])}"
    ratio = f"{o / p:.2f}×" if o and p else "—"
    print(f"| {label[m]} | {f(o)} | {f(p)} | {ratio} | {f(pa)} | {f(co, '.2f')} | {f(cp, '.2f')} | {ok('ours')} / {ok('postfix')} |")

servers = [x for x in ("ours", "ours2", "postfix") if any(r["server"] == x for r in main)]
print("\nCPU per message of every part (ms, median of the runs; all on the same 2 cores) and how busy the machine was:\n")
print("| server | connections | server | dnsmasq | receivers (smtp-sink) | smtp-source | whole machine | busy cores |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for x in servers:
    for m in modes:
        g = lambda k: stat(x, m, k, per_msg=True, scale=1000)
        busy = med([num(r["machine_busy_s"]) / num(r["t_end"]) for r in by[(x, m)]
                    if r["ok"] == "yes" and num(r["machine_busy_s"]) is not None and num(r["t_end"])])
        print(f"| {x} | {label[m]} | {f(g('cpu_server_s'), '.2f')} | {f(g('cpu_dns_s'), '.2f')} | "
              f"{f(g('cpu_sinks_s'), '.2f')} | {f(g('cpu_client_s'), '.2f')} | {f(g('machine_busy_s'), '.2f')} | {f(busy, '.2f')} |")

if any(r["server"] == "ours2" for r in main):
    print("\nSecond JVM \"ours2\" (same route; other JVM options or another build of the app, see machine.txt), "
          "interleaved with the others:\n")
    print("| connections from smtp-source | ours msg/s | ours2 msg/s | ours2 / ours | ours2 / Postfix | CPU ms/msg ours | CPU ms/msg ours2 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for m in modes:
        o, o2, p = stat("ours", m, "msg_per_s"), stat("ours2", m, "msg_per_s"), stat("postfix", m, "msg_per_s")
        co = stat("ours", m, "cpu_server_s", per_msg=True, scale=1000)
        c2 = stat("ours2", m, "cpu_server_s", per_msg=True, scale=1000)
        print(f"| {label[m]} | {f(o)} | {f(o2)} | {f'{o2 / o:.2f}×' if o and o2 else '—'} | "
              f"{f'{o2 / p:.2f}×' if p and o2 else '—'} | {f(co, '.2f')} | {f(c2, '.2f')} |")

print("\nPer run (CPU of the server's cgroup until the end of the run; sessions = connections the three receivers "
      "saw; DNS = queries dnsmasq answered, per message; other load = CPU used meanwhile by processes outside the "
      "benchmark's cgroups, in cores, out of 2):\n")
print("| server | mode | run | seconds | msg/s | received | duplicates | smtp-source errors | Postfix deferred / "
      "queue left | app WARN/ERROR lines | CPU ms/msg | receiver sessions (QUIT) | DNS q/msg | JVM RSS MiB | "
      "other load (cores) | ok |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|---:|---|")
for r in rows:
    cpu = num(r["cpu_server_s"])
    dq = num(r["dns_queries"])
    pf = f"{r['pf_deferred']} / {r['pf_queue']}" if r["server"] == "postfix" else "—"
    app = r["app_warn_lines"] if r["server"] != "postfix" else "—"
    rss = num(r["rss_kb"])
    print(f"| {r['label']} | {r['mode']} | {r['run']} | {r['t_end']} | {r['msg_per_s']} | {r['received']} | "
          f"{r['dups']} | {r['src_errlines']} | {pf} | {app} | "
          f"{f(None if cpu is None else cpu / float(r['count']) * 1000, '.2f')} | {r['rcv_sessions']} ({r['rcv_quits']}) | "
          f"{f(None if dq is None else dq / float(r['count']), '.2f')} | {f(None if rss is None else rss / 1024)} | "
          f"{f(other(r), '.2f')} | {r['ok']} |")

if mem:
    print("\nMemory of our JVM (fresh JVM; RSS and heap measured after a full GC via jcmd GC.run):\n")
    print("| step | messages so far | msg/s | RSS MiB before GC | RSS MiB after GC | heap used after GC MiB | threads | fds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for m in mem:
        kb = lambda k: f(None if num(m[k]) is None else num(m[k]) / 1024, ".0f")
        print(f"| {m['step']} | {int(m['messages_total']):,} | {m['msg_per_s']} | {kb('rss_kb_before_gc')} | {kb('rss_kb')} | "
              f"{kb('heap_used_after_gc_kb')} | {m['threads']} | {m['fds']} |")

for name in ("ours", "ours2"):
    path = os.path.join(out, f"{name}-threads-cpu.txt")
    if os.path.exists(path):
        lines = open(path).read().splitlines()
        print(f"\nCPU of the JVM \"{name}\" by thread name over its whole life (warm-up and all runs; N = a number):\n")
        print("```")
        print("\n".join(lines[:12] + [l for l in lines[12:] if "threads" in l or "process" in l]))
        print("```")

print("\nGoals:\n")
for m in modes:
    o, p = stat("ours", m, "msg_per_s"), stat("postfix", m, "msg_per_s")
    if o and p:
        print(f"- ours ≥ 3× Postfix end to end, 20 sessions, {label[m]}: {o:,.0f} vs {p:,.0f} msg/s = {o / p:.2f}× — "
              f"{'MET' if o >= 3 * p else 'NOT MET'}")
bad = [r for r in rows if r["ok"] != "yes"]
print(f"- every run complete (all messages at the receivers, no duplicates, no deferrals, no errors): "
      f"{'MET' if not bad else 'NOT MET: ' + ', '.join(r['label'] + '/' + r['mode'] + '/' + r['run'] for r in bad)}")
steps = [m for m in mem if m["step"].startswith("after_run")]
if len(steps) >= 2:
    a, b = steps[0], steps[-1]
    ha, hb = num(a["heap_used_after_gc_kb"]), num(b["heap_used_after_gc_kb"])
    ra, rb = num(a["rss_kb"]), num(b["rss_kb"])
    if None not in (ha, hb, ra, rb):
        flat = hb - ha < 10 * 1024 and rb < ra * 1.15
        print(f"- memory flat from {int(a['messages_total']):,} to {int(b['messages_total']):,} messages (heap after GC "
              f"grows < 10 MiB and RSS < 15%): heap {ha / 1024:.0f} → {hb / 1024:.0f} MiB, RSS {ra / 1024:.0f} → "
              f"{rb / 1024:.0f} MiB — {'MET' if flat else 'NOT MET'}")
