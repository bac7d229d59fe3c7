#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A post-quantum sized TLS 1.3 ClientHello whose server name comes late.

  sni_hello.py HOST PORT NAME segments|records|othertype

Builds a ClientHello of about 2000 bytes (a padding extension of 1500
bytes first, as a hybrid key share would take that room) with NAME in
server_name near its end, and sends it

  segments  in one record, cut into two TCP segments (two send()s with
            TCP_NODELAY and a pause): the name is in the second segment
  records   as two records, one per segment, the name in the second
  othertype as segments, the server_name list holding an entry of name
            type 1 (none is defined) before NAME: servers that skip
            unknown types (GnuTLS, Go, NSS) read NAME

Then prints what came back within 10 s: "server_hello" (a handshake
record with a ServerHello: the server got the whole hello), "closed",
"reset" or "timeout".  Exit status 0 in every case; the caller judges.
"""
import os
import socket
import struct
import sys
import time


def ext(t, body):
    return struct.pack(">HH", t, len(body)) + body


def client_hello(name, other=b""):
    n = name.encode()
    # other: an entry of name type 1 (none is defined) before the name
    lst = (struct.pack(">BH", 1, len(other)) + other if other else b"")
    lst += struct.pack(">BH", 0, len(n)) + n
    sni = ext(0x0000, struct.pack(">H", len(lst)) + lst)
    exts = ext(0x0015, bytes(1500))                     # padding
    exts += ext(0x002b, b"\x02\x03\x04")                # TLS 1.3
    exts += ext(0x000a, b"\x00\x02\x00\x1d")            # x25519
    exts += ext(0x000d, b"\x00\x04\x08\x04\x04\x03")    # rsa_pss, ecdsa
    exts += ext(0x0033, b"\x00\x24\x00\x1d\x00\x20" + os.urandom(32))
    exts += sni
    body = b"\x03\x03" + os.urandom(32) + b"\x20" + os.urandom(32)
    body += b"\x00\x06\x13\x01\x13\x02\x13\x03" + b"\x01\x00"
    body += struct.pack(">H", len(exts)) + exts
    return b"\x01" + struct.pack(">I", len(body))[1:] + body


def record(payload):
    return b"\x16\x03\x01" + struct.pack(">H", len(payload)) + payload


def main():
    host, port, name, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    hello = client_hello(name, b"decoy.invalid" if mode == "othertype" else b"")
    if mode == "othertype":
        rec = record(hello)
        parts = [rec[:1200], rec[1200:]]
    elif mode == "segments":
        rec = record(hello)
        parts = [rec[:1200], rec[1200:]]
    elif mode == "records":
        parts = [record(hello[:1200]), record(hello[1200:])]
    else:
        sys.exit("mode: segments, records or othertype")
    # the name must be in the second part
    assert name.encode() in parts[1] and name.encode() not in parts[0]
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(parts[0])
    time.sleep(0.5)
    try:
        s.sendall(parts[1])
    except OSError:
        print("reset")
        return
    got = b""
    deadline = time.time() + 10
    try:
        while time.time() < deadline and len(got) < 10:
            b = s.recv(4096)
            if not b:
                break
            got += b
    except ConnectionResetError:
        print("reset")
        return
    except socket.timeout:
        pass
    if len(got) >= 6 and got[0] == 0x16 and got[5] == 0x02:
        print("server_hello")
    elif got or time.time() < deadline:
        print("closed")
    else:
        print("timeout")


if __name__ == "__main__":
    main()
