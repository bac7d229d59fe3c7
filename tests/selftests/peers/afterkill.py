#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""afterkill.py IN.pcap OUT.pcap TOOL.json

IN.pcap: what the router received (tcpdump -i any -Q in), the capture
tools/tls-replay judged; OUT.pcap: what the router sent on (-Q out), taken
at the same time; TOOL.json: the tool's --json output on IN.pcap.

For every flow the tool says the kernel killed, print the segments of
that connection (with or without payload) that the router still
forwarded after the kill (the kill frame's time in IN.pcap), one line
each:

    FLOW-CLIENT FLOW-SERVER SRC > DST seq=S len=N flags=F

then a last line "forwarded N" (the total).  The helper keeps a killed
connection's entry and drops every later packet of it, both directions
(drop_dead), so each line is a packet that got through anyway: one
conntrack found INVALID (no entry, no helper) and let pass, or a bug.

Standard library only; reads pcap (not pcapng) with the link types tcpdump
uses for "-i any": Linux cooked v1 (113) and v2 (276).
"""
import ipaddress
import json
import struct
import sys


def packets(path):
    """(time, frame bytes, linktype) of each record of a pcap file."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic in (0xa1b2c3d4, 0xa1b23c4d):
            end = "<"
        else:
            end = ">"
            magic = struct.unpack(">I", hdr[:4])[0]
        nano = magic == 0xa1b23c4d
        lt = struct.unpack(end + "I", hdr[20:24])[0] & 0x0fffffff
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                return
            sec, frac, incl, _ = struct.unpack(end + "IIII", rh)
            data = f.read(incl)
            if len(data) < incl:
                return
            yield sec + frac / (1e9 if nano else 1e6), data, lt


def tcp_of(data, lt):
    """(src, sport, dst, dport, seq, payload length, flags) or None."""
    if lt == 276:
        proto, off = struct.unpack(">H", data[:2])[0], 20
    elif lt == 113:
        proto, off = struct.unpack(">H", data[14:16])[0], 16
    else:
        return None
    if proto == 0x0800:
        ihl = (data[off] & 0x0f) * 4
        total = struct.unpack(">H", data[off + 2:off + 4])[0]
        if data[off + 9] != 6:
            return None
        src = ipaddress.ip_address(data[off + 12:off + 16])
        dst = ipaddress.ip_address(data[off + 16:off + 20])
        t, iplen = off + ihl, total - ihl
    elif proto == 0x86dd:
        if data[off + 6] != 6:     # no extension headers in these tests
            return None
        src = ipaddress.ip_address(data[off + 8:off + 24])
        dst = ipaddress.ip_address(data[off + 24:off + 40])
        t, iplen = off + 40, struct.unpack(">H", data[off + 4:off + 6])[0]
    else:
        return None
    sport, dport, seq = struct.unpack(">HHI", data[t:t + 8])
    doff = (data[t + 12] >> 4) * 4
    flags = data[t + 13]
    return str(src), sport, str(dst), dport, seq, iplen - doff, flags


def endpoint(ep):
    """'1.2.3.4:443' or '[fd00::1]:443' -> (address, port)"""
    host, _, port = ep.rpartition(":")
    return str(ipaddress.ip_address(host.strip("[]"))), int(port)


def flag_str(fl):
    return "".join(c for c, b in (("F", 1), ("S", 2), ("R", 4), ("P", 8),
                                  ("A", 16)) if fl & b)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    kills = {}                      # frame -> (client, server)
    with open(argv[3]) as f:
        for line in f:
            o = json.loads(line)
            if o.get("type") == "flow" and o["verdict"] != "ok":
                kills[o["frame"]] = (o["client"], o["server"])
    when = {}                       # connection -> time of its kill
    for n, (ts, data, lt) in enumerate(packets(argv[1]), 1):
        if n in kills:
            c, s = kills[n]
            when[frozenset((endpoint(c), endpoint(s)))] = (ts, c, s)
    total = 0
    for ts, data, lt in packets(argv[2]):
        p = tcp_of(data, lt)
        if not p:
            continue
        k = when.get(frozenset(((p[0], p[1]), (p[2], p[3]))))
        if not k or ts < k[0]:
            continue
        total += 1
        print("%s %s %s:%d > %s:%d seq=%d len=%d flags=%s" %
              (k[1], k[2], p[0], p[1], p[2], p[3], p[4], p[5], flag_str(p[6])))
    print("forwarded %d" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
