#!/usr/bin/python3
"""Hold many idle SMTP sessions open against one server and check it stays responsive.

Standard library only. Opens SESSIONS TCP connections to HOST:PORT one after another, reads each greeting
(counting the ones that start with 220), keeps them all open and silent for HOLD seconds while it
  - reads the server's resident set size (VmRSS) and thread count from /proc/PID/status,
  - runs PROBE (a shell command, e.g. an smtp-source sending a few messages) and times it,
then sends NOOP on every held session (counting 250 replies: still alive after the idle period),
QUIT, and closes them. Prints key=value lines; exit status 0 only when every session got 220 and 250,
and PROBE exited 0.

usage: idle_sessions.py HOST PORT SESSIONS HOLD_SECONDS SERVER_PID PROBE_COMMAND
"""

import os
import socket
import subprocess
import sys
import time


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def read_reply(sock):
    """One SMTP reply (possibly multi-line); returns its last line, or '' on EOF/timeout."""
    data = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, OSError):
            return ""
        if not chunk:
            return ""
        data += chunk
        lines = data.split(b"\r\n")
        for line in lines[:-1]:
            if len(line) >= 4 and line[3:4] == b" ":
                return line.decode("ascii", "replace")


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, n, hold, pid, probe = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]),
                                       int(sys.argv[5]), sys.argv[6])
    print(f"rss_kb_before={status(pid)['VmRSS'].split()[0]}")
    print(f"threads_before={status(pid)['Threads']}")
    socks = []
    greeted = 0
    refused = []
    start = time.monotonic()
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(30)
        try:
            s.connect((host, port))
            reply = read_reply(s)
        except OSError as e:
            reply = f"connect error {e}"
        if reply.startswith("220"):
            greeted += 1
        elif len(refused) < 5:
            refused.append(reply)
        socks.append(s)
    opened = time.monotonic() - start
    print(f"sessions_opened={n} greeted_220={greeted} open_seconds={opened:.2f}")
    for r in refused:
        print(f"not_220_example={r!r}")
    time.sleep(min(5.0, hold))
    st = status(pid)
    print(f"rss_kb_held={st['VmRSS'].split()[0]}")
    print(f"threads_held={st['Threads']}")
    t0 = time.monotonic()
    probe_rc = subprocess.call(probe, shell=True)
    print(f"probe_rc={probe_rc} probe_seconds={time.monotonic() - t0:.2f}")
    time.sleep(max(0.0, hold - (time.monotonic() - start) + opened))
    st = status(pid)
    print(f"rss_kb_end_of_hold={st['VmRSS'].split()[0]}")
    alive = 0
    for s in socks:
        try:
            s.sendall(b"NOOP\r\n")
            if read_reply(s).startswith("250"):
                alive += 1
        except OSError:
            pass
    print(f"alive_after_hold_250={alive}")
    for s in socks:
        try:
            s.sendall(b"QUIT\r\n")
        except OSError:
            pass
    for s in socks:
        s.close()
    ok = greeted == n and alive == n and probe_rc == 0
    print(f"idle_ok={'yes' if ok else 'no'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
