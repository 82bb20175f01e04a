#!/usr/bin/python3
"""A client that hangs up in the middle of a message, for PeerHangUpTest.

Usage: hangup_client.py SCENARIO HOST PORT CONTENT_OCTETS [CAFILE]

Scenarios:
  data-fin    DATA, then CONTENT_OCTETS octets of a message that never ends, then close (FIN)
  data-rst    the same, closed with SO_LINGER 0 so the server sees a reset (RST)
  bdat-fin    BDAT announcing twice CONTENT_OCTETS octets LAST, send CONTENT_OCTETS of them, then close
  tls-fin     STARTTLS (verified against CAFILE), then as data-fin inside TLS
  complete    a whole message with DATA, to show the listener still serves after the others

Every reply is printed as "REPLY <line>"; exit code 0 when the script did what the scenario says, 2 otherwise.
Only the standard library is used; nothing but HOST:PORT is contacted.
"""

import socket
import ssl
import struct
import sys


class Peer:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=20)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        text = line.decode("utf-8", "replace")
        print("REPLY " + text, flush=True)
        return text

    def reply(self):
        """Reads a whole (possibly multi-line) reply and returns its code."""
        while True:
            text = self.line()
            if len(text) < 4 or text[3] != "-":
                return int(text[:3])

    def command(self, cmd, expect):
        self.sock.sendall(cmd.encode("ascii") + b"\r\n")
        code = self.reply()
        if code != expect:
            raise RuntimeError("%s: expected %d, got %d" % (cmd, expect, code))

    def starttls(self, cafile, host):
        self.command("STARTTLS", 220)
        context = ssl.create_default_context(cafile=cafile)
        self.sock = context.wrap_socket(self.sock, server_hostname=host)
        print("TLS " + self.sock.version(), flush=True)


def content(octets):
    head = (b"From: sender@client.test\r\nTo: rcpt@example.org\r\nSubject: never finished\r\n\r\n")
    line = b"y" * 78 + b"\r\n"
    body = head + line * (octets // len(line) + 1)
    return body[:octets]


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    scenario, host, port, octets = argv[1], argv[2], int(argv[3]), int(argv[4])
    peer = Peer(host, port)
    peer.reply()
    peer.command("EHLO client.test", 250)
    if scenario == "tls-fin":
        peer.starttls(argv[5], host)
        peer.command("EHLO client.test", 250)
    peer.command("MAIL FROM:<sender@client.test>", 250)
    peer.command("RCPT TO:<rcpt@example.org>", 250)
    if scenario == "bdat-fin":
        peer.sock.sendall(b"BDAT %d LAST\r\n" % (2 * octets))
    else:
        peer.command("DATA", 354)
    if scenario == "complete":
        peer.sock.sendall(content(octets) + b"\r\n.\r\n")
        peer.reply()
        peer.command("QUIT", 221)
        peer.sock.close()
        print("RESULT complete", flush=True)
        return 0
    peer.sock.sendall(content(octets))
    if scenario == "data-rst":
        peer.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    peer.sock.close()
    print("RESULT hung up after %d octets" % octets, flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # noqa: BLE001 - report anything unexpected as exit code 2
        print("ERROR %s: %s" % (type(e).__name__, e), flush=True)
        sys.exit(2)
