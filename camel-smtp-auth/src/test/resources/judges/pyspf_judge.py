# pyspf (Debian's python3-spf) as a judge: SPF results for cases read from stdin, one "ip helo mailfrom" per line
# ("-" for the null sender), DNS from the server named on the command line (host port), one result per line.
import sys

import dns.resolver
import spf

r = dns.resolver.Resolver(configure=False)
r.nameservers = [sys.argv[1]]
r.port = int(sys.argv[2])
r.lifetime = 5
dns.resolver.default_resolver = r

for line in sys.stdin:
    ip, helo, sender = line.split()
    if sender == "-":
        sender = ""
    result, _explanation = spf.check2(i=ip, s=sender, h=helo, timeout=10)
    print(result, flush=True)
