"""OpenDMARC as a judge of DMARC verdicts, driven as a milter.

Run as root inside fresh mount and network namespaces (``unshare -mn``), so nothing here touches the host:
loopback is brought up, a dnsmasq on 127.0.0.1:53 serves the test's TXT records (NXDOMAIN for the rest of the
test's zones), /etc/resolv.conf is replaced (bind mount, this namespace only) so that libopendmarc's resolver asks
it, and opendmarc listens on 127.0.0.1:PORT. A small milter client (the Sendmail milter protocol, version 6) sends
each case and reads back what opendmarc does: its Authentication-Results field and its final action.

usage: opendmarc_judge.py INPUT.json  -> one JSON object per case on stdout
INPUT: {"records": {"_dmarc.bar.test": ["v=DMARC1; p=reject"]}, "zones": ["test"],
        "cases": [{"id": "x", "mailfrom": "a@bar.test", "headers": [["From", "a@bar.test"], ...], "body": "..."}]}
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

PORT = 8893  # a port of this network namespace, which has nothing else


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)


def wait_port(port, deadline):
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("opendmarc did not listen on %d" % port)


def packet(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def read_packet(sock):
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            raise EOFError("milter closed the connection")
        head += chunk
    (n,) = struct.unpack(">I", head)
    if n < 1 or n > 1 << 20:
        raise ValueError("bad milter packet length %d" % n)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("milter closed the connection")
        data += chunk
    return data[:1], data[1:]


# SMFIP_* protocol bits: the step is not sent (NO*) or gets no reply (NR_*)
NO = {b"C": 0x1, b"H": 0x2, b"M": 0x4, b"R": 0x8, b"B": 0x10, b"L": 0x20, b"N": 0x40, b"T": 0x200}
NR = {b"C": 0x1000, b"H": 0x2000, b"M": 0x4000, b"R": 0x8000, b"T": 0x10000, b"N": 0x40000, b"B": 0x80000,
      b"L": 0x80}
FINAL = {b"a": "accept", b"c": "continue", b"r": "reject", b"t": "tempfail", b"d": "discard", b"y": "reply"}


def run_case(case):
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=20)
    try:
        sock.sendall(packet(b"O", struct.pack(">III", 6, 0x1FF, 0x1FFFFF)))
        cmd, data = read_packet(sock)
        assert cmd == b"O", cmd
        _, _, proto = struct.unpack(">III", data[:12])
        out = {"id": case["id"], "headers": [], "action": None, "reply": None, "early": None}

        def step(c, payload):
            if proto & NO.get(c, 0):
                return True
            sock.sendall(packet(c, payload))
            if proto & NR.get(c, 0):
                return True
            r, d = read_packet(sock)
            if r != b"c":
                out["early"] = FINAL.get(r, r.decode()) + " at " + c.decode()
                return False
            return True

        z = b"\0"
        sock.sendall(packet(b"D", b"C" + b"j\0judge.test\0"))
        ok = step(b"C", b"client.example" + z + b"4" + struct.pack(">H", 25000) + case.get("ip", "192.0.2.10").encode() + z)
        ok = ok and step(b"H", b"client.example" + z)
        sock.sendall(packet(b"D", b"M" + b"i\0" + case["id"].encode() + b"\0"))
        ok = ok and step(b"M", ("<%s>" % case["mailfrom"]).encode() + z)
        ok = ok and step(b"R", b"<bob@rcpt.example>" + z)
        ok = ok and step(b"T", b"")
        for name, value in case["headers"]:
            ok = ok and step(b"L", name.encode() + z + value.encode() + z)
        ok = ok and step(b"N", b"")
        ok = ok and step(b"B", case.get("body", "hello\r\n").encode())
        if not ok:
            return out
        sock.sendall(packet(b"E"))
        while True:
            r, d = read_packet(sock)
            if r in (b"h", b"i"):
                if r == b"i":
                    d = d[4:]
                name, value = d.split(b"\0")[:2]
                out["headers"].append([name.decode(), value.decode()])
            elif r == b"q":
                out["quarantine"] = d.rstrip(b"\0").decode()
            elif r in FINAL:
                out["action"] = FINAL[r]
                if r == b"y":
                    out["reply"] = d.rstrip(b"\0").decode()
                break
        sock.sendall(packet(b"Q"))
        return out
    finally:
        sock.close()


def main():
    spec = json.load(open(sys.argv[1]))
    work = tempfile.mkdtemp(prefix="opendmarc-judge-")
    sh("ip", "link", "set", "lo", "up")
    resolv = os.path.join(work, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:2 attempts:1\n")
    sh("mount", "--bind", resolv, "/etc/resolv.conf")
    # a config file, not arguments: dnsmasq unquotes (and keeps commas in) quoted TXT values only there
    dnsconf = os.path.join(work, "dnsmasq.conf")
    with open(dnsconf, "w") as f:
        f.write("no-resolv\nno-hosts\nlisten-address=127.0.0.1\nbind-interfaces\nport=53\nuser=root\n")
        for zone in spec["zones"]:
            f.write("local=/%s/\n" % zone)
        for name, texts in spec["records"].items():
            for text in texts:
                f.write('txt-record=%s,"%s"\n' % (name, text.replace("\\", "\\\\").replace('"', '\\"')))
    args = ["dnsmasq", "--keep-in-foreground", "--conf-file=" + dnsconf, "--pid-file="]
    dns = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "dnsmasq.log"), "w"))
    conf = os.path.join(work, "opendmarc.conf")
    with open(conf, "w") as f:
        f.write("Socket inet:%d@127.0.0.1\n" % PORT)
        f.write("AuthservID judge.test\nTrustedAuthservIDs mx.test\n")
        f.write("PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat\n")
        f.write("RejectFailures true\nHoldQuarantinedMessages true\n")
        f.write("SPFIgnoreResults false\nSPFSelfValidate false\nFailureReports false\n")
        f.write("Syslog false\nUserID root\nPidFile %s/opendmarc.pid\nBackground false\n" % work)
    milter = subprocess.Popen(["opendmarc", "-f", "-c", conf], stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(work, "opendmarc.log"), "w"))
    try:
        wait_port(PORT, time.time() + 20)
        for case in spec["cases"]:
            print(json.dumps(run_case(case)), flush=True)
    finally:
        milter.terminate()
        dns.terminate()
        for p in (milter, dns):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
