"""An aiosmtpd receiver (no STARTTLS, no AUTH) that logs one line per message it accepts, for the relay's tests that
look at connections from the receiver's side (traffic shaping, source address pools):

    <peer address> <peer port> <monotonic time the connection was made> <monotonic time of the data> <recipients>

usage: /usr/bin/python3 peer_log.py ADDRESS PORT LOGFILE   (prints "ready" once listening; SIGTERM ends it)
"""
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class TimedSMTP(SMTP):
    def connection_made(self, transport):
        super().connection_made(transport)
        self.session.connected_at = time.monotonic()


class Handler:
    def __init__(self, log):
        self.log = log
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        line = "%s %d %.6f %.6f %s\n" % (session.peer[0], session.peer[1], session.connected_at, time.monotonic(),
                                         ",".join(envelope.rcpt_tos))
        with self.lock, open(self.log, "a") as f:
            f.write(line)
        return "250 2.0.0 Logged"


class TimedController(Controller):
    def factory(self):
        return TimedSMTP(self.handler, **self.SMTP_kwargs)


if __name__ == "__main__":
    address, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    open(log, "a").close()
    controller = TimedController(Handler(log), hostname=address, port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()
