#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Remove the helper from live conntrack entries over ctnetlink, as any
CAP_NET_ADMIN process of the namespace may: an IPCTNL_MSG_CT_NEW update of
each entry whose server port is PORT, carrying CTA_HELP with an empty name
(conntrack(8) has no option for it).

  ct_unhelp.py PORT    prints "unhelped N"; exit 1 if the kernel refused one
"""
import ipaddress
import socket
import struct
import subprocess
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW = 0
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NLA_F_NESTED = 0x8000
CTA_TUPLE_ORIG, CTA_HELP = 1, 5
CTA_TUPLE_IP, CTA_TUPLE_PROTO = 1, 2
CTA_IP_V4_SRC, CTA_IP_V4_DST, CTA_IP_V6_SRC, CTA_IP_V6_DST = 1, 2, 3, 4
CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT = 1, 2, 3
CTA_HELP_NAME = 1


def attr(kind, payload, nested=False):
    hdr = struct.pack("=HH", 4 + len(payload),
                      kind | (NLA_F_NESTED if nested else 0))
    pad = b"\0" * (-len(payload) % 4)
    return hdr + payload + pad


def entries(port):
    """(src, dst, sport, dport) of the original tuple of each TCP entry
    to PORT, from conntrack -L."""
    out = subprocess.run(["conntrack", "-L", "-p", "tcp", "--dport", str(port)],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        kv = {}
        for word in line.split():
            if "=" in word:
                k, v = word.split("=", 1)
                kv.setdefault(k, v)	# the first: the original tuple
        if {"src", "dst", "sport", "dport"} <= kv.keys():
            yield kv["src"], kv["dst"], int(kv["sport"]), int(kv["dport"])


def unhelp(sock, seq, src, dst, sport, dport):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        fam, ks, kd = socket.AF_INET, CTA_IP_V4_SRC, CTA_IP_V4_DST
    else:
        fam, ks, kd = socket.AF_INET6, CTA_IP_V6_SRC, CTA_IP_V6_DST
    ip = attr(ks, s.packed) + attr(kd, d.packed)
    proto = (attr(CTA_PROTO_NUM, bytes([socket.IPPROTO_TCP])) +
             attr(CTA_PROTO_SRC_PORT, struct.pack("!H", sport)) +
             attr(CTA_PROTO_DST_PORT, struct.pack("!H", dport)))
    tup = attr(CTA_TUPLE_IP, ip, True) + attr(CTA_TUPLE_PROTO, proto, True)
    body = (struct.pack("=BBH", fam, 0, 0) + attr(CTA_TUPLE_ORIG, tup, True) +
            attr(CTA_HELP, attr(CTA_HELP_NAME, b"\0"), True))
    msg = struct.pack("=IHHII", 16 + len(body),
                      (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW,
                      NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body
    sock.send(msg)
    reply = sock.recv(65536)
    _, kind = struct.unpack_from("=IH", reply)
    if kind != NLMSG_ERROR:
        return -1
    return struct.unpack_from("=i", reply, 16)[0]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    port = int(sys.argv[1])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    done = failed = 0
    for seq, e in enumerate(entries(port), 1):
        err = unhelp(sock, seq, *e)
        if err == 0:
            done += 1
        else:
            failed += 1
            print("ct_unhelp: %s: error %d" % (e, err), file=sys.stderr)
    print("unhelped %d" % done)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
