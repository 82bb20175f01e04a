#!/usr/bin/python3
"""Start-up probe for bench/backlog.sh: from T0 (the launch of the app, in nanoseconds since the epoch), how long
until the SMTP listener answers a TCP connection with its 220 greeting, and how long until the app's log says the
queue has read its whole spool ("smtp-queue:NAME opened spool DIR with N message(s) waiting"; the line of both the
old and the new build). Each poll is bounded (connect 1 s, greeting 5 s), the whole probe by --limit seconds.
Prints one line: listen_ms=... recovered_ms=... messages=... read_ms=... (read_ms: what the line itself says, the
new build only; NA otherwise); exits 1 when the app died or the limit passed first."""
import argparse
import os
import re
import socket
import sys
import time

OPENED = re.compile(rb"smtp-queue:\S+ opened spool \S+ with (\d+) message\(s\) waiting(?: \(read in (\d+) ms\))?")


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def greeting(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.settimeout(5)
            line = s.recv(512)
            if line.startswith(b"220"):
                s.sendall(b"QUIT\r\n")
                return True
    except OSError:
        pass
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--t0-ns", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--limit", type=float, default=1800)
    a = ap.parse_args()
    deadline = a.t0_ns / 1e9 + a.limit
    listen_ms = recovered_ms = None
    messages = read_ms = "NA"
    while time.time() < deadline and (listen_ms is None or recovered_ms is None):
        if not alive(a.pid):
            print("the app (pid %d) died" % a.pid, file=sys.stderr)
            return 1
        if listen_ms is None and greeting(a.port):
            listen_ms = (time.time_ns() - a.t0_ns) // 1_000_000
        if recovered_ms is None:
            try:
                with open(a.log, "rb") as f:
                    m = OPENED.search(f.read())
            except OSError:
                m = None
            if m:
                recovered_ms = (time.time_ns() - a.t0_ns) // 1_000_000
                messages = m.group(1).decode()
                read_ms = m.group(2).decode() if m.group(2) else "NA"
        time.sleep(0.01)
    print("listen_ms=%s recovered_ms=%s messages=%s read_ms=%s" % (listen_ms, recovered_ms, messages, read_ms))
    return 0 if listen_ms is not None and recovered_ms is not None else 1


if __name__ == "__main__":
    sys.exit(main())
