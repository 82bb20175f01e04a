"""A real LMTP client for PeerPostfixLmtpTest: Python's smtplib.LMTP (LHLO, MAIL, RCPT, DATA).

smtplib.LMTP reads only the first reply after the final dot; the further per-recipient replies (RFC 2033 4.2) are read
with its own getreply(). Prints one line per accepted recipient: "<rcpt> <code> <text>".
Usage: lmtp_client.py HOST PORT RCPT...
"""
import smtplib
import sys

host, port, rcpts = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
msg = "From: sender@client.test\r\nSubject: lmtp via smtplib\r\n\r\nHello over LMTP.\r\n"
with smtplib.LMTP(host, port, local_hostname="client.test", timeout=20) as s:
    code, text = s.ehlo()
    print("LHLO", code, "PIPELINING" if s.has_extn("pipelining") else "-", flush=True)
    s.mail("sender@client.test")
    accepted = []
    for r in rcpts:
        code, text = s.rcpt(r)
        if code == 250:
            accepted.append(r)
        else:
            print(r, code, text.decode(), flush=True)
    replies = [s.data(msg)]
    for _ in accepted[1:]:
        replies.append(s.getreply())
    for r, (code, text) in zip(accepted, replies):
        print(r, code, text.decode(), flush=True)
