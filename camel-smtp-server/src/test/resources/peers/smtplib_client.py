#!/usr/bin/python3
"""A real SMTP peer for PeerPythonSmtplibTest: Python's own smtplib, driven one scenario per run.

Usage: smtplib_client.py SCENARIO HOST PORT [CAFILE USER PASSWORD | CAFILE MODE | SECONDS | RCPT OCTETS]

Every reply the server sends is printed as "REPLY <code> <text>" (multi-line replies joined with " | "), and the
outcome as "RESULT ..." or "ERROR <exception> ...". Exit codes: 0 when smtplib finished the scenario, 1 when smtplib
raised an SMTP error (the server refused something), 2 for bad usage or anything unexpected.
Only the standard library is used; nothing but HOST:PORT is contacted.
"""

import smtplib
import ssl
import sys
import time

FROM = "sender@client.test"


class RecordingSMTP(smtplib.SMTP):
    """smtplib.SMTP that prints every server reply, including the final one after DATA that sendmail() drops."""

    def getreply(self):
        code, msg = super().getreply()
        text = msg.decode("utf-8", "replace").replace("\n", " | ")
        print("REPLY %d %s" % (code, text), flush=True)
        return code, msg


def plain(s):
    msg = ("From: Sender <sender@client.test>\n"
           "To: rcpt@example.org\n"
           "Subject: smtplib plain\n"
           "\n"
           "Hello from Python smtplib.\n"
           ".leading dot\n"
           "..two leading dots\n")
    refused = s.sendmail(FROM, ["rcpt@example.org", "second@example.org"], msg)
    print("RESULT refused=%r" % (refused,))


def utf8(s):
    sender = "jörg@absender.example"
    rcpt = "用户@example.org"
    msg = ("From: Jörg <%s>\r\n"
           "To: <%s>\r\n"
           "Subject: Grüße aus Python\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n"
           "\r\n"
           "Schöne Grüße, 你好.\r\n" % (sender, rcpt)).encode("utf-8")
    refused = s.sendmail(sender, [rcpt], msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    print("RESULT refused=%r" % (refused,))


def utf8_without_smtputf8(s):
    # smtplib itself refuses to send a non-ASCII address without SMTPUTF8, so the command is sent by hand
    s.ehlo()
    s.command_encoding = "utf-8"
    code, msg = s.mail("jörg@absender.example")
    print("RESULT mail=%d" % code)


def bare_lf(s, as_bytes):
    msg = ("From: sender@client.test\n"
           "To: rcpt@example.org\n"
           "Subject: bare LF as %s\n"
           "\n"
           "line one\n"
           "line two\n" % ("bytes" if as_bytes else "str"))
    # smtplib turns every line ending of a str message into CRLF, but sends bytes exactly as given
    refused = s.sendmail(FROM, ["rcpt@example.org"], msg.encode("ascii") if as_bytes else msg)
    print("RESULT refused=%r" % (refused,))


def sized(s, rcpt, octets):
    # a message of about OCTETS octets; sendmail() announces its size with SIZE= when the server offers SIZE
    head = "From: sender@client.test\r\nTo: %s\r\nSubject: sized\r\n\r\n" % rcpt
    line = "x" * 70 + "\r\n"
    msg = head + line * max(1, (octets - len(head)) // len(line))
    refused = s.sendmail(FROM, [rcpt], msg)
    print("RESULT refused=%r" % (refused,))


def starttls_login(s, cafile, user, password):
    context = ssl.create_default_context(cafile=cafile)
    s.ehlo()
    s.starttls(context=context)
    print("TLS %s" % s.sock.version(), flush=True)
    s.ehlo()
    s.login(user, password)
    refused = s.sendmail(FROM, ["someone@elsewhere.test"],
                         "From: sender@client.test\r\nSubject: smtplib starttls\r\n\r\nover TLS\r\n")
    print("RESULT refused=%r" % (refused,))


def requiretls(s, cafile, mode):
    """RFC 8689: REQUIRETLS on MAIL FROM. mode "tls" sends it after STARTTLS (verified against CAFILE); "plaintext"
    sends it without TLS; any other mode is a raw parameter string sent after STARTTLS (REQUIRETLS=yes, ...)."""
    s.ehlo()
    print("EHLO-PLAIN REQUIRETLS=%s" % s.has_extn("requiretls"), flush=True)
    if mode != "plaintext":
        s.starttls(context=ssl.create_default_context(cafile=cafile))
        print("TLS %s" % s.sock.version(), flush=True)
        s.ehlo()
        print("EHLO-TLS REQUIRETLS=%s" % s.has_extn("requiretls"), flush=True)
    if mode in ("tls", "plaintext"):
        code, _ = s.mail(FROM, options=["REQUIRETLS"])
    else:
        code, _ = s.docmd("MAIL", "FROM:<%s> %s" % (FROM, mode))
    print("RESULT mail=%d" % code, flush=True)
    if code != 250:
        return
    s.rcpt("rcpt@example.org")
    code, _ = s.data("From: sender@client.test\r\nSubject: requiretls\r\n\r\nsecret\r\n")
    print("RESULT data=%d" % code, flush=True)


def idle(s, seconds):
    # a client that goes quiet longer than the server's idleTimeout, then tries again
    s.ehlo()
    time.sleep(seconds)
    try:
        code, msg = s.noop()
        print("RESULT noop=%d" % code)
    except smtplib.SMTPServerDisconnected as e:
        print("RESULT disconnected %s" % e)
    s.close()


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    scenario, host, port = argv[1], argv[2], int(argv[3])
    try:
        with RecordingSMTP(host, port, local_hostname="client.test", timeout=20) as s:
            if scenario == "plain":
                plain(s)
            elif scenario == "utf8":
                utf8(s)
            elif scenario == "utf8-without-smtputf8":
                utf8_without_smtputf8(s)
            elif scenario == "bare-lf-str":
                bare_lf(s, False)
            elif scenario == "bare-lf-bytes":
                bare_lf(s, True)
            elif scenario == "idle":
                idle(s, float(argv[4]))
                return 0
            elif scenario == "sized":
                sized(s, argv[4], int(argv[5]))
            elif scenario == "requiretls":
                requiretls(s, argv[4], argv[5])
            elif scenario == "starttls-login":
                starttls_login(s, argv[4], argv[5], argv[6])
            else:
                print("unknown scenario " + scenario, file=sys.stderr)
                return 2
        return 0
    except smtplib.SMTPException as e:
        print("ERROR %s %s" % (type(e).__name__, e), flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
