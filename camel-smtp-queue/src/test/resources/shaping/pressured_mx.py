#!/usr/bin/python3
"""A mail exchanger under pressure, as large receivers behave towards a sender they throttle (aiosmtpd).

usage: pressured_mx.py PORT LOG MODE [ARGS]
  accept                     accept every message
  throttle-after K SECONDS   accept K messages, then answer every RCPT with "421 4.7.0 Try again later" for
                             SECONDS, then accept again
  reply-after K CODE ESC S   like throttle-after, with the reply "CODE ESC <text>" (for example 451 4.7.650)
  slow SECONDS               accept, but answer DATA only after SECONDS
  max-sessions N [SECONDS]   accept (answering DATA after SECONDS), but a session beyond N open at once gets
                             "421 4.7.0 Too many concurrent connections" to its EHLO, as a provider's connection
                             limit does

Every event is a line of LOG, flushed at once:
  <wall ms> <monotonic ns> <event> <peer ip> <recipient or message id>
with the events session (EHLO), refuse (a throttling reply to RCPT), data-start, accept (the 250 after DATA, with
the message's Message-ID), data-end.
"""
import asyncio
import re
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

port, log_path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
args = sys.argv[4:]
log = open(log_path, "a", buffering=1)
lock = threading.Lock()
accepted = 0
throttled_until = None
sessions = 0


class CountingSMTP(SMTP):
    """Counts the sessions open at once (for max-sessions)."""

    def connection_made(self, transport):
        global sessions
        with lock:
            sessions += 1
            self.over_limit = mode == "max-sessions" and sessions > int(args[0])
        super().connection_made(transport)

    def connection_lost(self, exc):
        global sessions
        with lock:
            sessions -= 1
        super().connection_lost(exc)


class CountingController(Controller):
    def factory(self):
        return CountingSMTP(self.handler, **self.SMTP_kwargs)


def record(event, peer, what):
    with lock:
        log.write("%d %d %s %s %s\n" % (time.time_ns() // 1_000_000, time.monotonic_ns(), event, peer, what))


class Pressured:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if getattr(server, "over_limit", False):
            record("refuse-session", session.peer[0], hostname)
            return ["421 4.7.0 Too many concurrent connections"]
        record("session", session.peer[0], hostname)
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        global throttled_until
        if mode in ("throttle-after", "reply-after"):
            k, seconds = int(args[0]), float(args[-1])
            reply = "421 4.7.0 Try again later" if mode == "throttle-after" else "%s %s Throttled by policy" % (args[1], args[2])
            with lock:
                now = time.monotonic()
                if throttled_until is None and accepted >= k:
                    throttled_until = now + seconds
                throttling = throttled_until is not None and now < throttled_until
            if throttling:
                record("refuse", session.peer[0], address)
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        global accepted
        record("data-start", session.peer[0], "-")
        if mode == "slow":
            await asyncio.sleep(float(args[0]))
        elif mode == "max-sessions" and len(args) > 1:
            await asyncio.sleep(float(args[1]))
        m = re.search(rb"(?im)^message-id:\s*(\S+)", envelope.original_content or b"")
        mid = m.group(1).decode("ascii", "replace") if m else "-"
        with lock:
            accepted += 1
        for r in envelope.rcpt_tos:
            record("accept", session.peer[0], r + " " + mid)
        record("data-end", session.peer[0], "-")
        return "250 2.0.0 Ok"


controller = CountingController(Pressured(), hostname="127.0.0.1", port=port)
controller.start()
record("listening", "-", str(port))
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    controller.stop()
