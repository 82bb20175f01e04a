#!/usr/bin/python3
"""DKIM throughput of dkimpy (python3-dkim), in-process, one thread: the counterpart of bench/dkim/DkimBench.java.

Usage: dkimpy_bench.py sign|verify MESSAGE KEYFILE DOMAIN SELECTOR ALGORITHM SECONDS WARMUP_SECONDS RECORD
  KEYFILE    rsa: a PEM private key (PKCS#1 or PKCS#8); ed25519: the base64 32-octet private seed (dkimpy's format)
  ALGORITHM  rsa-sha256 or ed25519-sha256
  RECORD     the key record's TXT value, served by dnsfunc (the equivalent of a cached DNS answer)
sign: dkim.sign(relaxed/relaxed, the default header set) until SECONDS have passed; verify: dkim.verify on MESSAGE
(already signed, by dkimpy in bench/dkim.sh; KEYFILE is then not read) until SECONDS have passed. Prints "impl=dkimpy op=... msgs=N seconds=S rate=R".
"""
import sys
import time

import dkim


def main():
    op, msg_path, key_path, domain, selector, alg, seconds, warmup, record = sys.argv[1:10]
    message = open(msg_path, "rb").read()
    key = open(key_path, "rb").read().strip() if op == "sign" else None
    name = f"{selector}._domainkey.{domain}."
    rec = record.encode()

    def dnsfunc(qname, timeout=5):
        return rec if qname.decode().rstrip(".") + "." == name else None

    def sign():
        return dkim.sign(message, selector.encode(), domain.encode(), key,
                         canonicalize=(b"relaxed", b"relaxed"), signature_algorithm=alg.encode())

    def verify():
        if not dkim.verify(message, dnsfunc=dnsfunc):
            sys.exit("verification did not pass")

    one = sign if op == "sign" else verify
    loop(one, float(warmup))
    n, t = loop(one, float(seconds))
    print(f"impl=dkimpy op={op} msgs={n} seconds={t:.3f} rate={n / t:.1f}")


def loop(one, seconds):
    start = time.perf_counter()
    end = start + seconds
    n = 0
    while True:
        one()
        n += 1
        now = time.perf_counter()
        if now >= end:
            return n, now - start


if __name__ == "__main__":
    main()
