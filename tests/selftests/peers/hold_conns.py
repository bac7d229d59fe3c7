#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Many TLS connections held open at once (Python's ssl module).

  hold_conns.py serve  PORT CERT KEY        accept clients (one thread each),
                                            answer each line with its length
  hold_conns.py client HOST PORT N SECONDS  open N connections, finish their
                                            handshakes, print "client: up N",
                                            send a line on each every second
                                            for SECONDS, print "client: ok N"
                                            (the connections still answering)
"""
import socket
import ssl
import sys
import threading
import time


def serve(port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    lsock = socket.create_server(("", port), family=socket.AF_INET6,
                                 dualstack_ipv6=True, backlog=128)

    def talk(conn):
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                f = tls.makefile("rb")
                for line in f:
                    tls.sendall(b"%d\n" % len(line))
        except OSError:
            pass

    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=talk, args=(conn,), daemon=True).start()


def client(host, port, n, secs):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conns = []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=10)
        conns.append(ctx.wrap_socket(s))
    print("client: up %d" % len(conns), flush=True)
    alive = len(conns)
    end = time.time() + secs
    while time.time() < end:
        alive = 0
        for c in conns:
            try:
                c.sendall(b"ping\n")
                if c.recv(16) == b"5\n":
                    alive += 1
            except OSError:
                pass
        time.sleep(1)
    print("client: ok %d" % alive, flush=True)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 6 and sys.argv[1] == "client":
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
               float(sys.argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
