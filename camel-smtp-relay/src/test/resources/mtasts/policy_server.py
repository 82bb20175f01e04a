#!/usr/bin/python3
"""MTA-STS policy host for RelayMtaStsTest: HTTPS on 127.0.0.1 (a free port, written to PORTFILE).

usage: policy_server.py ROOT CERT KEY PORTFILE

GET https://mta-sts.<domain>/.well-known/mta-sts.txt answers from the file ROOT/<domain>:
  a policy              200 text/plain with Content-Length
  !chunked + policy     200 text/plain, chunked
  !html + policy        200 text/html
  !404                  404
  !redirect             301 to https://elsewhere.test/mta-sts.txt
  !big                  200 text/plain, 70000 bytes, Content-Length
  !bigchunked           200 text/plain, 70000 bytes, chunked
  !hang                 headers never sent (sleeps 60 s)
  no file               404
Each request is appended to ROOT/hits.log as "<host> <path>". One connection per request.
"""
import http.server
import os
import ssl
import sys
import time

root, cert, key, portfile = sys.argv[1:5]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("policy_server: " + (fmt % args) + "\n")

    def do_GET(self):
        self.close_connection = True
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        with open(os.path.join(root, "hits.log"), "a") as f:
            f.write(host + " " + self.path + "\n")
        domain = host[len("mta-sts."):] if host.startswith("mta-sts.") else ""
        path = os.path.join(root, domain)
        if not domain or "/" in domain or domain.startswith(".") or not os.path.isfile(path) \
                or self.path != "/.well-known/mta-sts.txt":
            return self.answer(404, "text/plain", b"not found\n")
        body = open(path, "rb").read()
        first, _, rest = body.partition(b"\n")
        if first == b"!404":
            return self.answer(404, "text/plain", b"not found\n")
        if first == b"!redirect":
            self.send_response(301)
            self.send_header("Location", "https://elsewhere.test/mta-sts.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if first == b"!big":
            return self.answer(200, "text/plain", b"version: STSv1\n" + b"x" * 70000)
        if first == b"!bigchunked":
            return self.chunked(b"version: STSv1\n" + b"x" * 70000)
        if first == b"!hang":
            time.sleep(60)
            return
        if first == b"!html":
            return self.answer(200, "text/html", rest)
        if first == b"!chunked":
            return self.chunked(rest)
        return self.answer(200, "text/plain; charset=utf-8", body)

    def answer(self, code, media, body):
        self.send_response(code)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def chunked(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(body), 4000):
            part = body[i:i + 4000]
            self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
