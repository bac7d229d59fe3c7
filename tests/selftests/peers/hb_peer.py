#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal Heartbleed exchange over plain sockets, to watch how a flow ends.

  hb_peer.py server PORT SECONDS [ADDR]
      accept one connection (on ADDR, an IPv4 address, if given) (waiting up to ACCEPT_WAIT s, 60 times
      TIME_SCALE: a client's start takes many seconds in a loaded TCG
      guest) and read from it until EOF, a reset or SECONDS pass;
      print "server: got N bytes (heartbeat: yes|no), end: eof|reset|timeout"
  hb_peer.py client HOST PORT SECONDS [GOFILE]
      send a TLS 1.2 ClientHello record, (print "client: paused" and wait
      until GOFILE exists, at most 60 s times TIME_SCALE,) then a plaintext
      heartbeat request whose payload_length (16384) exceeds its record
      (Heartbleed), then read until EOF, a reset or SECONDS pass;
      print "client: sent N bytes, end: eof|reset|timeout after S s"

The two records go in separate segments (TCP_NODELAY and a pause), so the
helper lets the ClientHello through and judges the heartbeat on its own.
"""
import os
import socket
import struct
import sys
import time

HB_REQ = bytes([24, 3, 3, 0, 3, 1, 0x40, 0x00])   # type 1, payload_length 16384


def client_hello():
    ext = struct.pack(">HHB", 15, 1, 1)            # heartbeat: peer_allowed_to_send
    body = (struct.pack(">H", 0x0303) + os.urandom(32) + b"\x00"
            + struct.pack(">HH", 2, 0xc02f) + b"\x01\x00"
            + struct.pack(">H", len(ext)) + ext)
    hs = bytes([1]) + len(body).to_bytes(3, "big") + body
    return bytes([22, 3, 1]) + struct.pack(">H", len(hs)) + hs


def read_until_end(s, seconds):
    """(bytes read, the data, "eof" | "reset" | "timeout")"""
    got = b""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return got, "timeout"
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            return got, "timeout"
        except ConnectionResetError:
            return got, "reset"
        if not d:
            return got, "eof"
        got += d


# TIME_SCALE (from tests/selftests/run.sh, default 1) stretches the waits
# that are not arguments, like the callers' scaled SECONDS
SCALE = int(os.environ.get("TIME_SCALE", "1"))
ACCEPT_WAIT = 60 * SCALE


def server(port, seconds, addr=None):
    if addr:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    else:
        ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr or "::", port))
    ls.listen(1)
    ls.settimeout(max(seconds, ACCEPT_WAIT))
    c, _ = ls.accept()
    got, end = read_until_end(c, seconds)
    print("server: got %d bytes (heartbeat: %s), end: %s"
          % (len(got), "yes" if HB_REQ in got else "no", end), flush=True)


def client(host, port, seconds, gofile=None):
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ch = client_hello()
    s.sendall(ch)
    time.sleep(0.5)
    if gofile:
        print("client: paused", flush=True)
        for _ in range(600 * SCALE):
            if os.path.exists(gofile):
                break
            time.sleep(0.1)
    s.sendall(HB_REQ)
    t0 = time.monotonic()
    _, end = read_until_end(s, seconds)
    print("client: sent %d bytes, end: %s after %.1f s"
          % (len(ch) + len(HB_REQ), end, time.monotonic() - t0), flush=True)


if __name__ == "__main__":
    if len(sys.argv) in (4, 5) and sys.argv[1] == "server":
        server(int(sys.argv[2]), float(sys.argv[3]), *sys.argv[4:])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "client":
        client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), *sys.argv[5:])
    else:
        sys.exit(__doc__)
