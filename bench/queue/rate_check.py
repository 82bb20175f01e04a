#!/usr/bin/python3
"""How closely the deliveries to one paced site kept its message rate (bench/queue.sh, phase shaping-rate).

Reads the log of the receiver camel-smtp-queue/src/test/resources/shaping/pressured_mx.py (mode accept), whose
lines are "<wall ms> <monotonic ns> <event> <peer> <recipient> <message id>", takes the "accept" lines whose
recipient is at DOMAIN (the time the receiver had the whole message, before its 250), and prints one line of
key=value pairs:

  n          messages received for DOMAIN (distinct message ids: dups = n - distinct)
  rate       achieved rate, (n - 1) / (t_last - t_first), messages per second
  max_win    the largest number of messages in any window [t, t + PERIOD) (a sliding window of one period,
             starting at each arrival); max_win_closed the same for [t, t + PERIOD], whose edges count both ends
  over       windows [t, t + PERIOD] that held more than LIMIT + 1 messages (even pacing with a burst of one lets
             LIMIT + 1 fall into a closed window of exactly one period; more is a breach)
  gap_p50, gap_p99, gap_min, gap_max   inter-arrival times in ms; gap_ideal = 1000 * PERIOD / LIMIT

Usage: rate_check.py LOG DOMAIN LIMIT [PERIOD_SECONDS, default 1]
"""
import bisect
import sys


def quantile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[i]


def main():
    log, domain, limit = sys.argv[1], sys.argv[2].lower(), int(sys.argv[3])
    period = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    times, ids = [], set()
    with open(log, errors="replace") as f:
        for line in f:
            p = line.split()
            if len(p) >= 6 and p[2] == "accept" and p[4].lower().endswith("@" + domain):
                times.append(int(p[1]) / 1e9)
                ids.add(p[5])
    times.sort()
    n = len(times)
    out = {"n": n, "dups": n - len(ids)}
    fmt = lambda v, spec=".3f": "NA" if v is None else format(v, spec)
    out["rate"] = fmt((n - 1) / (times[-1] - times[0]) if n > 1 and times[-1] > times[0] else None)
    win = win_closed = over = 0
    for i, t in enumerate(times):
        open_end = bisect.bisect_left(times, t + period, i)
        closed_end = bisect.bisect_right(times, t + period, i)
        win = max(win, open_end - i)
        win_closed = max(win_closed, closed_end - i)
        over += closed_end - i > limit + 1
    out.update(max_win=win, max_win_closed=win_closed, over=over)
    gaps = sorted(1000 * (b - a) for a, b in zip(times, times[1:]))
    out.update(gap_ideal=fmt(1000 * period / limit, ".2f"), gap_p50=fmt(quantile(gaps, 0.5), ".2f"),
               gap_p99=fmt(quantile(gaps, 0.99), ".2f"), gap_min=fmt(gaps[0] if gaps else None, ".2f"),
               gap_max=fmt(gaps[-1] if gaps else None, ".2f"),
               span_s=fmt(times[-1] - times[0] if n > 1 else None))
    print(" ".join(f"{k}={v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
