#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Move a file over one TLS connection (Python's ssl module, i.e. OpenSSL).

  tls_pipe.py serve  PORT CERT KEY VERSION   accept one client, print the
                                             SHA-256 of all bytes received
  tls_pipe.py send   HOST PORT FILE VERSION [CHUNK]
                                             connect, send FILE, close

VERSION is 1.0, 1.1, 1.2 or 1.3 (the only version both ends allow).  With
CHUNK, FILE goes in writes of CHUNK bytes with TCP_NODELAY, each one
TLS record, and a millisecond between them: one small record per segment,
as interactive traffic sends them.
"""
import hashlib
import socket
import ssl
import sys
import time

VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


def context(side, version):
    ctx = ssl.SSLContext(side)
    if version in ("1.0", "1.1"):
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = ctx.maximum_version = VERSIONS[version]
    return ctx


def serve(port, cert, key, version):
    ctx = context(ssl.PROTOCOL_TLS_SERVER, version)
    ctx.load_cert_chain(cert, key)
    lsock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    lsock.bind(("::", int(port)))
    lsock.listen(1)
    lsock.settimeout(150)
    conn, _ = lsock.accept()
    conn.settimeout(150)
    digest = hashlib.sha256()
    with ctx.wrap_socket(conn, server_side=True) as tls:
        while True:
            try:
                data = tls.recv(65536)
            except ssl.SSLEOFError:
                break
            if not data:
                break
            digest.update(data)
    print(digest.hexdigest())


def send(host, port, path, version, chunk_size="65536"):
    ctx = context(ssl.PROTOCOL_TLS_CLIENT, version)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    size = int(chunk_size)
    with socket.create_connection((host, int(port)), timeout=150) as sock:
        if size < 65536:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with ctx.wrap_socket(sock) as tls:
            with open(path, "rb") as f:
                while True:
                    chunk = f.read(size)
                    if not chunk:
                        break
                    tls.sendall(chunk)
                    if size < 65536:
                        time.sleep(0.001)
            try:
                tls.unwrap()    # send close_notify; the peer may just close
            except (ssl.SSLError, OSError):
                pass


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "serve" and sys.argv[5] in VERSIONS:
        serve(*sys.argv[2:])
    elif (len(sys.argv) in (6, 7) and sys.argv[1] == "send" and
          sys.argv[5] in VERSIONS and
          (len(sys.argv) == 6 or sys.argv[6].isdigit() and
           0 < int(sys.argv[6]) <= 65536)):
        send(*sys.argv[2:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
