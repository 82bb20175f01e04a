"""An HTTPS receiver of TLS reports for the tests: saves each POST's body and Content-Type under the directory
given, answers 200; /redirect answers 307 (keep the method) to /followed (which takes the report: a followed redirect would succeed), /fail 500 with a long body, /slow never answers. Prints its port."""
import http.server
import os
import ssl
import sys
import threading
import time

directory, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
counter = [0]
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = min(int(self.headers.get("Content-Length", "0")), 1 << 20)
        body = self.rfile.read(length)
        with lock:
            counter[0] += 1
            n = counter[0]
        name = os.path.join(directory, "%03d" % n)
        with open(name + ".path", "w") as f:
            f.write(self.path)
        with open(name + ".type", "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        with open(name + ".body", "wb") as f:
            f.write(body)
        if self.path == "/redirect":
            self.send_response(307)
            self.send_header("Location", "https://127.0.0.1:%d/followed" % self.server.server_address[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/fail":
            self.send_response(500)
            self.end_headers()
            try:
                self.wfile.write(b"x" * (4 << 20))
            except OSError:
                pass
        elif self.path == "/slow":
            time.sleep(30)
        else:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
