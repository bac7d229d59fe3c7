#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted capture fixtures for tls-replay (run by tests/data/regen.sh).

Each fixture is a small pcap/pcapng whose expected verdicts are in
tests/corpus/expectations.tsv.  The TLS content is synthetic but framed as
real TLS: the engine only reads record headers, CCS, heartbeat and SSLv2
fields, so handshake bodies are random bytes.  Everything is deterministic
(fixed seed), so regenerating gives byte-identical files.

Needs python3-scapy (only to build IP/TCP headers with checksums); the
pcap and pcapng containers are written by hand so that link types, snap
lengths and truncation are exactly what the test wants.
"""
import os
import random
import struct
import sys

from scapy.all import IP, IPv6, TCP, IPv6ExtHdrHopByHop, \
    IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, Raw  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__)
rnd = random.Random(20240601)


def rbytes(n, hi=True):
    """n random bytes; hi: every 4th byte has the high bit (no low runs)."""
    b = bytearray(rnd.getrandbits(8) for _ in range(n))
    if hi:
        for i in range(0, n, 4):
            b[i] |= 0x80
    return bytes(b)


def rec(ctype, body, ver=0x0303):
    return struct.pack('!BHH', ctype, ver, len(body)) + body


def hs(t, body):
    """A plaintext handshake record holding one message of type t."""
    return rec(22, bytes([t]) + struct.pack('!I', len(body))[1:] + body)


def client_hello():
    """A 64-byte ClientHello: one suite, a 13-byte padding extension."""
    r = rbytes(58)
    return hs(1, b'\x03\x03' + r[:32] + b'\x00' + b'\x00\x02\xc0\x2f' +
              b'\x01\x00' + b'\x00\x11' + b'\x00\x15\x00\x0d' + bytes(13))


def server_flight():
    """ServerHello (80 bytes), Certificate (200), ServerHelloDone."""
    r = rbytes(76)
    sh = hs(2, b'\x03\x03' + r[:32] + b'\x00' + b'\xc0\x2f' + b'\x00' +
            b'\x00\x24' + b'\xff\x01\x00\x01\x00' + b'\x00\x17\x00\x00' +
            b'\x12\x34\x00\x17' + r[32:55])
    r = rbytes(196)
    cert = hs(11, b'\x00\x00\xc1' + b'\x00\x00\xbe' + r[:190])
    return sh + cert + rec(22, b'\x0e\x00\x00\x00')


CH = client_hello()
CH = CH[:1] + b'\x03\x01' + CH[3:]    # record version TLS 1.0, as clients do
SH = server_flight()
assert len(CH) == 69 and len(SH) == 85 + 205 + 9
CCS = rec(20, b'\x01')
FIN = rec(22, rbytes(40))
# payload_length 16384 in 3 bytes, in the version the ServerHello selected
HEARTBLEED = rec(24, b'\x01\x40\x00', 0x0303)


class Session:
    """One TCP connection; methods return IP packets (scapy objects)."""

    def __init__(self, cip, sip, cport, sport=443, v6=False, cseq=1000,
                 sseq=500000):
        self.c, self.s = (cip, cport), (sip, sport)
        self.v6 = v6
        self.seq = {0: cseq, 1: sseq}

    def _ip(self, d):
        src, dst = (self.c, self.s) if d == 0 else (self.s, self.c)
        if self.v6:
            return IPv6(src=src[0], dst=dst[0]), src[1], dst[1]
        return IP(src=src[0], dst=dst[0], id=rnd.getrandbits(16)), src[1], dst[1]

    def seg(self, d, data=b'', flags='PA', seq=None, advance=True):
        ip, sp, dp = self._ip(d)
        s = self.seq[d] if seq is None else seq
        pkt = ip / TCP(sport=sp, dport=dp, seq=s & 0xffffffff,
                       ack=self.seq[d ^ 1] & 0xffffffff,
                       flags=flags, window=65535)
        if data:
            pkt = pkt / Raw(data)
        if advance and seq is None:
            self.seq[d] += len(data) + (1 if 'S' in flags or 'F' in flags else 0)
        return pkt

    def handshake(self):
        return [self.seg(0, flags='S'), self.seg(1, flags='SA'),
                self.seg(0, flags='A')]

    def close(self):
        return [self.seg(0, flags='FA'), self.seg(1, flags='FA'),
                self.seg(0, flags='A')]

    def tls12(self, appdata=None):
        """Full TLS 1.2 exchange after the TCP handshake."""
        appdata = appdata if appdata is not None else rec(23, rbytes(64))
        return [self.seg(0, CH), self.seg(1, SH), self.seg(0, CCS + FIN),
                self.seg(1, CCS + FIN), self.seg(0, appdata),
                self.seg(1, rec(23, rbytes(300)))]


def benign(cip='10.0.0.1', sip='10.0.0.2', cport=40000, v6=False):
    s = Session(cip, sip, cport, v6=v6)
    return s.handshake() + s.tls12() + s.close()


def heartbleed(cip='10.0.0.1', sip='10.0.0.2', cport=40001, v6=False):
    s = Session(cip, sip, cport, v6=v6, cseq=7000, sseq=900000)
    return s.handshake() + [s.seg(0, CH), s.seg(1, SH), s.seg(0, HEARTBLEED),
                            s.seg(1, flags='RA')]


# ---- containers -------------------------------------------------------

def write_pcap(name, linktype, frames, snaplen=262144):
    """frames: list of bytes, or (bytes, caplen) to cut a frame."""
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen,
                            linktype))
        for i, fr in enumerate(frames):
            data, cap = (fr, len(fr)) if isinstance(fr, bytes) else fr
            f.write(struct.pack('<IIII', 1700000000 + i, 0, cap, len(data)))
            f.write(data[:cap])


def write_pcapng(name, linktype, frames):
    def block(btype, body):
        body += b'\0' * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack('<II', btype, n) + body + struct.pack('<I', n)
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(1, struct.pack('<HHI', linktype, 0, 0)))
        for i, data in enumerate(frames):
            ts = (1700000000 + i) * 1000000
            f.write(block(6, struct.pack('<IIIII', 0, ts >> 32, ts & 0xffffffff,
                                         len(data), len(data)) + data))


ETH_HDR = bytes(6) + bytes.fromhex('020000000001')


def eth(pkt, tags=()):
    """Ethernet II with VLAN tags, tags = ((tpid, vid), ...), outer first."""
    types = [t for t, _ in tags] + [0x86dd if pkt.haslayer(IPv6) else 0x0800]
    out = ETH_HDR + struct.pack('!H', types[0])
    for i, (_, vid) in enumerate(tags):
        out += struct.pack('!HH', vid, types[i + 1])
    frame = out + bytes(pkt)
    return frame + bytes(max(0, 60 - len(frame)))   # Ethernet padding


def sll(pkt):
    proto = 0x86dd if pkt.haslayer(IPv6) else 0x0800
    return struct.pack('!HHH8sH', 0, 1, 6, bytes(8), proto) + bytes(pkt)


def sll2(pkt):
    proto = 0x86dd if pkt.haslayer(IPv6) else 0x0800
    return struct.pack('!HHIHBB8s', proto, 0, 1, 1, 0, 6, bytes(8)) + bytes(pkt)


def null(pkt):
    af = 30 if pkt.haslayer(IPv6) else 2      # host order (little endian)
    return struct.pack('<I', af) + bytes(pkt)


def v6ext(pkt):
    """Insert hop-by-hop and destination options headers after IPv6."""
    ip = pkt[IPv6].copy()
    inner = ip.payload
    ip.remove_payload()
    return ip / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / inner


def main():
    # 1. Heartbleed after the plaintext hellos; the request is retransmitted
    #    after the drop (the kernel killed the conntrack entry by then).
    s = Session('192.0.2.10', '198.51.100.20', 51000, cseq=1, sseq=2**32 - 100)
    pk = s.handshake() + [s.seg(0, CH), s.seg(1, SH)]
    hb = s.seg(0, HEARTBLEED)
    pk += [hb, hb, s.seg(1, flags='RA')]
    write_pcap('heartbleed-crafted.pcap', 1, [eth(p) for p in pk])

    # 2. Reordering: the client's second application segment arrives first
    #    (dropped, GAP_DROP), then the first, then the second again.
    s = Session('192.0.2.11', '198.51.100.20', 51001)
    pk = s.handshake() + [s.seg(0, CH), s.seg(1, SH), s.seg(0, CCS + FIN),
                          s.seg(1, CCS + FIN)]
    app = rec(23, rbytes(600))
    base = s.seq[0]
    a, b = s.seg(0, app[:300], seq=base), s.seg(0, app[300:], seq=base + 300)
    s.seq[0] += len(app)
    pk += [b, a, b, s.seg(1, rec(23, rbytes(100)))] + s.close()
    write_pcap('reorder.pcap', 1, [eth(p) for p in pk])

    # 3. Reordered Heartbleed: the segment holding the heartbeat header
    #    comes first (dropped), the kernel decides on its retransmission.
    s = Session('192.0.2.12', '198.51.100.20', 51002)
    pk = s.handshake() + [s.seg(1, flags='A')]
    base = s.seq[0]
    a, b = s.seg(0, CH, seq=base), s.seg(0, HEARTBLEED, seq=base + len(CH))
    s.seq[0] += len(CH) + len(HEARTBLEED)
    pk += [b, a, s.seg(1, SH), b]
    write_pcap('reorder-heartbleed.pcap', 1, [eth(p) for p in pk])

    # 4. A hole the capture never fills (the segment was lost before the
    #    capture point): the flow stalls (gap drop) or stops (gap stop).
    s = Session('192.0.2.13', '198.51.100.20', 51003)
    pk = s.handshake() + [s.seg(0, CH), s.seg(1, SH)]
    s.seq[0] += 100                                   # lost segment
    pk += [s.seg(0, rec(23, rbytes(50))), s.seg(0, HEARTBLEED)] + s.close()
    write_pcap('gap-lost.pcap', 1, [eth(p) for p in pk])

    # 5. Plaintext tunnelled in TLS 1.2 application data: the low-byte run.
    s = Session('192.0.2.14', '198.51.100.20', 51004)
    text = (b'GET /secret HTTP/1.1\r\nHost: example.org\r\n' * 8)[:300]
    pk = s.handshake() + s.tls12(appdata=rec(23, text)) + s.close()
    write_pcap('lowrun.pcap', 1, [eth(p) for p in pk])

    # 6. Link types, each with one benign flow and one Heartbleed flow.
    both4 = benign() + heartbleed()
    both6 = benign('2001:db8::1', '2001:db8::2', v6=True) + \
        heartbleed('2001:db8::1', '2001:db8::2', v6=True)
    write_pcap('eth-qinq.pcap', 1,
               [eth(p, ((0x88a8, 100), (0x8100, 200))) for p in both4])
    write_pcap('raw-ipv4.pcap', 101, [bytes(p) for p in both4])
    # IPv6 with extension headers, plus fragments of another flow (ignored)
    frag = IPv6(src='2001:db8::9', dst='2001:db8::2') / \
        IPv6ExtHdrFragment(offset=0, m=1, id=7) / \
        TCP(sport=999, dport=443, flags='PA', seq=1) / Raw(rbytes(64))
    write_pcap('raw-ipv6-ext.pcap', 229,
               [bytes(v6ext(p)) for p in both6] + [bytes(frag)])
    write_pcap('null-loopback.pcap', 0, [null(p) for p in both4 + both6])
    write_pcap('sll.pcap', 113, [sll(p) for p in both6])
    write_pcapng('sll2.pcapng', 276, [sll2(p) for p in both4])

    # 7. Snaplen: a client segment cut at 60 bytes of payload; the Heartbleed
    #    after it in the same flow can no longer be judged.
    s = Session('192.0.2.15', '198.51.100.20', 51005)
    pk = s.handshake() + [s.seg(0, CH), s.seg(1, SH), s.seg(0, HEARTBLEED)]
    fr = [eth(p) for p in pk]
    fr[3] = (fr[3], 14 + 20 + 20 + 60)
    write_pcap('snaplen.pcap', 1, fr, snaplen=114)

    # 8. A file cut in the middle of its last packet.
    pk = benign(cport=40100) + heartbleed(cport=40101)
    fr = [eth(p) for p in pk]
    write_pcap('truncated.pcap', 1, fr)
    path = os.path.join(OUT, 'truncated.pcap')
    os.truncate(path, os.path.getsize(path) - len(fr[-1]) // 2)

    # 9. Pickup: no SYN in the capture (the helper joined mid-stream).
    s = Session('192.0.2.16', '198.51.100.20', 51006)
    s.handshake()
    pk = s.tls12() + [s.seg(0, HEARTBLEED)]
    write_pcap('pickup.pcap', 1, [eth(p) for p in pk])

    # 10. Port reuse: a closed connection, then a new one on the same
    #     5-tuple (conntrack reopens it) that is an attack.
    s = Session('192.0.2.17', '198.51.100.20', 51007)
    pk = s.handshake() + s.tls12() + s.close()
    s2 = Session('192.0.2.17', '198.51.100.20', 51007, cseq=3000000,
                 sseq=4000000)
    pk += s2.handshake() + [s2.seg(0, CH), s2.seg(1, SH), s2.seg(0, HEARTBLEED)]
    write_pcap('port-reuse.pcap', 1, [eth(p) for p in pk])

    # 11. TCP Fast Open: the ClientHello rides on the SYN.
    s = Session('192.0.2.18', '198.51.100.20', 51008)
    syn = s.seg(0, CH, flags='S')
    pk = [syn, s.seg(1, flags='SA'), s.seg(0, flags='A'), s.seg(1, SH),
          s.seg(0, CCS + FIN), s.seg(1, CCS + FIN),
          s.seg(0, rec(23, rbytes(64)))] + s.close()
    write_pcap('tfo.pcap', 1, [eth(p) for p in pk])

    # 12. After the kill, TCP retransmits the Heartbleed request: each
    #     retransmission makes a new conntrack entry (loose pickup) and is
    #     dropped as a pickup, and so is the server's (here 2000-byte)
    #     over-long response.
    s = Session('192.0.2.19', '198.51.100.20', 51009)
    pk = s.handshake() + [s.seg(0, CH), s.seg(1, SH)]
    hb = s.seg(0, HEARTBLEED)
    pk += [hb, hb, hb, s.seg(1, rec(24, b'\x02\x40\x00' + rbytes(1997), 0x0302))]
    write_pcap('kill-retransmit.pcap', 1, [eth(p) for p in pk])

    # 13. After the kill, the retransmitted request makes a pickup entry
    #     and is dropped, so that entry is never confirmed; the next
    #     segment carries the same bytes with FIN: conntrack makes no
    #     entry for it (INVALID) and no helper sees it.  Only a ruleset
    #     that drops ctstate INVALID stops it (README).
    s = Session('192.0.2.20', '198.51.100.20', 51010)
    pk = s.handshake() + [s.seg(0, CH), s.seg(1, SH)]
    hb = s.seg(0, HEARTBLEED, advance=False)
    pk += [hb, hb, s.seg(0, HEARTBLEED, flags='FPA')]
    write_pcap('unconfirmed-fin.pcap', 1, [eth(p) for p in pk])

    # 14. Reordering as a multi-queue capture host shows it, in one file:
    #     a. a 48 KB download whose server segments come partly swapped
    #        (pairs, and one segment four places late), with one segment
    #        the capture really lost near the end (only the close_notify
    #        alert follows it): with the reorder window every byte but
    #        the lost ones and the alert after them is judged;
    #     b. a Heartbleed request after a reordered stretch of the
    #        client flight (a 3000-byte ClientKeyExchange), itself captured before the last two
    #        pieces of that stretch: caught at its own frame;
    #     c. a benign heartbeat whose request segment is captured before
    #        the client segment in front of it and after the server's
    #        response, which acknowledges it: in the router's order the
    #        request comes first, so the response is not unsolicited.
    pk = []
    s = Session('192.0.2.21', '198.51.100.20', 51011)
    pk += s.handshake() + [s.seg(0, CH), s.seg(1, SH), s.seg(0, CCS + FIN),
                           s.seg(1, CCS + FIN)]
    data = b''.join(rec(23, rbytes(12000)) for _ in range(4))
    segs = []
    for off in range(0, len(data), 1400):
        segs.append(s.seg(1, data[off:off + 1400]))
    for i in (3, 10, 20):
        segs[i], segs[i + 1] = segs[i + 1], segs[i]
    segs.insert(19, segs.pop(15))
    del segs[-2]                                    # lost before the capture
    pk += segs[:12] + [s.seg(0, flags='A')] + segs[12:]
    pk += [s.seg(1, rec(21, rbytes(26)))] + s.close()

    s = Session('192.0.2.22', '198.51.100.20', 51012)
    pk += s.handshake() + [s.seg(0, CH), s.seg(1, SH)]
    cert = hs(16, rbytes(2991))     # ClientKeyExchange, 3000 bytes: 5 segments
    c = [s.seg(0, cert[off:off + 600]) for off in range(0, len(cert), 600)]
    hb = s.seg(0, HEARTBLEED)
    pk += [c[0], c[2], c[1], hb, c[4], c[3], s.seg(1, flags='RA')]

    s = Session('192.0.2.23', '198.51.100.20', 51013)
    pk += s.handshake() + [s.seg(0, CH), s.seg(1, SH)]
    x = s.seg(0, hs(16, rbytes(196)))
    req = s.seg(0, rec(24, b'\x01\x00\x10' + rbytes(16) + rbytes(16)))
    resp = s.seg(1, rec(24, b'\x02\x00\x10' + rbytes(16) + rbytes(16)))
    pk += [req, resp, x, s.seg(0, flags='A')] + s.close()
    write_pcap('reorder-download.pcap', 1, [eth(p) for p in pk])


if __name__ == '__main__':
    main()
