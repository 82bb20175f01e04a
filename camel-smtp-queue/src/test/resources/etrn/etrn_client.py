"""ETRN through Python's smtplib (standard library only).

usage: etrn_client.py HOST PORT SOURCE GREETING [COMMAND ...]
  SOURCE    local address to connect from, or - for the system's choice
  GREETING  "EHLO name", "HELO name" or - (no greeting)
Prints "EHLO <code> etrn=<True|False>" after EHLO, then one line "<code> <text>" per command (docmd), multi-line
replies joined with " | ".
"""
import smtplib
import sys

host, port, source, greeting = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = smtplib.SMTP(timeout=20, source_address=None if source == '-' else (source, 0))
s.connect(host, port)
if greeting.startswith('EHLO '):
    code, _ = s.ehlo(greeting[5:])
    print('EHLO', code, 'etrn=' + str(s.has_extn('etrn')))
elif greeting.startswith('HELO '):
    code, _ = s.helo(greeting[5:])
    print('HELO', code)
for command in sys.argv[5:]:
    verb, _, argument = command.partition(' ')
    code, text = s.docmd(verb, argument)
    print(code, text.decode('utf-8', 'replace').replace('\n', ' | '))
    sys.stdout.flush()
s.quit()
