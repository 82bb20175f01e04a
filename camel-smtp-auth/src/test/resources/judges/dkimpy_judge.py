"""dkimpy (python3-dkim) as an independent DKIM judge for the tests; run with Debian's /usr/bin/python3.

  dkimpy_judge.py verify MESSAGE KEYS     prints pass/fail per DKIM-Signature, top-most first; KEYS has lines
                                          "selector._domainkey.domain record", the only key records dkimpy sees
  dkimpy_judge.py sign MESSAGE SELECTOR DOMAIN KEYFILE ALGORITHM
                                          writes the message with dkimpy's signature in front to stdout
"""
import sys

import dkim


def main(argv):
    if argv[1] == "verify":
        msg = open(argv[2], "rb").read()
        records = {}
        for line in open(argv[3]):
            if line.strip():
                name, rec = line.rstrip("\n").split(" ", 1)
                records[name.lower().rstrip(".")] = rec.encode()

        def dns(name, timeout=5):
            return records.get(name.decode().lower().rstrip("."))

        count = len([h for h in dkim.DKIM(msg).headers if h[0].lower() == b"dkim-signature"])
        results = []
        for i in range(count):
            try:
                results.append("pass" if dkim.DKIM(msg).verify(idx=i, dnsfunc=dns) else "fail")
            except dkim.DKIMException as e:
                results.append("error:" + str(e).replace(" ", "_"))
        print(" ".join(results) if results else "none")
    elif argv[1] == "sign":
        msg = open(argv[2], "rb").read()
        selector, domain, keyfile, algorithm = argv[3:7]
        key = open(keyfile, "rb").read()
        sig = dkim.sign(msg, selector.encode(), domain.encode(), key, signature_algorithm=algorithm.encode(),
                        include_headers=[b"from", b"to", b"subject", b"date"])
        sys.stdout.buffer.write(sig + msg)
    else:
        raise SystemExit("unknown mode " + argv[1])


if __name__ == "__main__":
    main(sys.argv)
