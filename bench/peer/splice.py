#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Cut one download out of a capture and splice a crafted attack into it.

    splice.py IN.pcap OUT.pcap --flow N [--attack KIND --at MB]

IN is a classic pcap with Ethernet frames (bench/peer/mkcapture.sh).  The
flows are ranked by the bytes the server sent (0 = the largest); OUT holds
every frame of flow N and nothing else, so that it looks like one real
download.  Attacks, placed where the server's stream has passed MB MiB:

  heartbleed  a client record of type 24 (heartbeat), the classic
              Heartbleed request: 18 VV VV 00 03 01 40 00 (payload_length
              16384 in a 3-byte record), VV VV the flow's record version.
              Inserted as a new client segment; the client's later sequence
              numbers and the server's later ACKs move by its 8 bytes.
  heartbleed-enc
              the same on a protected session, as an attacker sends it:
              a client heartbeat record of 40 random bytes, then, from the
              server, a 16416-byte heartbeat record of random bytes (the
              leaked memory, encrypted; as in zeek's
              heartbleed-encrypted-success.pcap), inserted at the server's
              first record boundary past MB (the server segment there is
              split); both sides' later sequence and ACK numbers move.
  ascii       256 bytes of plain text written over the body of the server's
              application-data record there (retransmissions of those bytes
              too): what the helper calls plaintext in encrypted records.
              Sequence numbers do not change.

Standard library only.  TCP and IP checksums of every frame changed are
computed again.
"""
import argparse
import random
import struct
import sys

ASCII = (b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Leak: '
         b'user=admin;password=correct-horse-battery-staple;session=') * 4
ASCII = ASCII[:256]


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def read_pcap(path):
    with open(path, 'rb') as f:
        hdr = f.read(24)
        magic = struct.unpack('<I', hdr[:4])[0]
        if magic not in (0xa1b2c3d4, 0xa1b23c4d):
            sys.exit('splice.py: %s: not a little-endian classic pcap' % path)
        if struct.unpack('<I', hdr[20:24])[0] != 1:
            sys.exit('splice.py: %s: not Ethernet' % path)
        frames = []
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            ts, tu, cap, orig = struct.unpack('<IIII', rh)
            frames.append([ts, tu, f.read(cap), orig])
        return hdr, frames


class Pkt:
    """Offsets of one Ethernet/IPv4/TCP frame (None if it is not one)."""

    def __init__(self, b):
        self.ok = False
        if len(b) < 54 or b[12:14] != b'\x08\x00' or b[14] >> 4 != 4:
            return
        self.ip = 14
        ihl = (b[14] & 15) * 4
        if b[23] != 6:
            return
        self.tcp = 14 + ihl
        tot = struct.unpack('!H', b[16:18])[0] or len(b) - 14
        self.end = min(len(b), 14 + tot)
        doff = (b[self.tcp + 12] >> 4) * 4
        self.data = self.tcp + doff
        self.src = (b[26:30], struct.unpack('!H', b[self.tcp:self.tcp + 2])[0])
        self.dst = (b[30:34], struct.unpack('!H', b[self.tcp + 2:self.tcp + 4])[0])
        self.seq, self.ack = struct.unpack('!II', b[self.tcp + 4:self.tcp + 12])
        self.flags = b[self.tcp + 13]
        self.ok = True

    def payload(self, b):
        return b[self.data:self.end]


def fix(b, p):
    """New IPv4 and TCP checksums of frame b (bytearray)."""
    b[p.ip + 10:p.ip + 12] = b'\0\0'
    b[p.ip + 10:p.ip + 12] = struct.pack('!H', csum(bytes(b[p.ip:p.tcp])))
    seg = bytearray(b[p.tcp:p.end])
    seg[16:18] = b'\0\0'
    ph = b[26:34] + struct.pack('!BBH', 0, 6, len(seg))
    b[p.tcp + 16:p.tcp + 18] = struct.pack('!H', csum(bytes(ph) + bytes(seg)))


def build(tb, tp, payload, seq, ack, flags=0x18):
    """A frame with the headers of template frame tb (Pkt tp)."""
    t = bytearray(tb[:tp.data]) + payload
    t[16:18] = struct.pack('!H', len(t) - 14)
    t[tp.tcp + 4:tp.tcp + 12] = struct.pack('!II', seq & 0xffffffff, ack & 0xffffffff)
    t[tp.tcp + 13] = flags
    fix(t, Pkt(bytes(t)))
    return bytes(t)


def after(x, base):
    """Sequence number x is at or after base."""
    return ((x - base) & 0xffffffff) < 0x80000000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('inp')
    ap.add_argument('out')
    ap.add_argument('--flow', type=int, default=0)
    ap.add_argument('--attack', choices=('none', 'heartbleed', 'heartbleed-enc', 'ascii'),
                    default='none')
    ap.add_argument('--at', type=float, default=1.0, help='MiB of server stream')
    a = ap.parse_args()

    hdr, frames = read_pcap(a.inp)
    # flows, keyed by (client, server) from the SYN
    sent = {}
    pk = []
    for fr in frames:
        p = Pkt(fr[2])
        pk.append(p)
        if not p.ok:
            continue
        if p.flags & 0x12 == 0x02:
            sent.setdefault((p.src, p.dst), 0)
        elif (p.dst, p.src) in sent:
            sent[(p.dst, p.src)] += p.end - p.data
    ranked = sorted(sent, key=lambda k: -sent[k])
    if a.flow >= len(ranked):
        sys.exit('splice.py: no flow %d' % a.flow)
    cli, srv = ranked[a.flow]

    at = int(a.at * 1048576)
    out = []
    cisn = sisn = None
    cnext = None            # client's next sequence number (original)
    snext = None            # server's next new byte (original)
    rec_left = 0            # bytes of the current server record still to come
    hdr_buf = b''           # partial record header
    rtype = None
    version = 0x0303
    shift = 0               # bytes inserted into the client stream
    ins_at = None           # client seq where they were
    patch = None            # (server seq, bytes) written over
    last_cli = None
    split = None            # heartbleed-enc: offset in the server packet
    sshift = 0              # bytes inserted into the server stream
    sins = None             # server seq where they were
    rnd = random.Random(18)
    done = a.attack == 'none'
    for fr, p in zip(frames, pk):
        if not p.ok or {p.src, p.dst} != {cli, srv}:
            continue
        b = bytearray(fr[2])
        from_cli = p.src == cli
        n = p.end - p.data
        if from_cli:
            if p.flags & 0x02:
                cisn = p.seq
                cnext = p.seq + 1
            elif n:
                cnext = max(cnext, (p.seq + n) & 0xffffffff) if cnext is not None else p.seq + n
            last_cli = (fr, p)
        else:
            if p.flags & 0x02:
                sisn = p.seq
                snext = p.seq + 1
            off = (p.seq - sisn - 1) & 0xffffffff if sisn is not None else 0
            # the attack goes in before the first server segment past `at`
            if not done and a.attack == 'heartbleed' and n and \
                    not p.flags & 0x02 and off < 0x80000000 and off >= at and last_cli:
                tf, tp = last_cli
                t = bytearray(tf[2][:tp.data])
                rec = struct.pack('!BHHBH', 24, version, 3, 1, 16384)
                t += rec
                t[16:18] = struct.pack('!H', len(t) - 14)
                t[18:20] = struct.pack('!H', 0x4242)
                t[tp.tcp + 4:tp.tcp + 8] = struct.pack('!I', cnext & 0xffffffff)
                t[tp.tcp + 13] = 0x18
                q = Pkt(bytes(t))
                fix(t, q)
                out.append([fr[0], fr[1], bytes(t), len(t)])
                ins_at, shift, done = cnext, len(rec), True
                print('splice.py: heartbleed request at server offset %d (client seq %d)'
                      % (off, (cnext - cisn) & 0xffffffff), file=sys.stderr)
            # follow the server's records over its new bytes
            if n and snext is not None:
                new_from = (snext - p.seq) & 0xffffffff
                if new_from < n:
                    pay = p.payload(b)
                    i = new_from
                    while i < n:
                        if rec_left == 0:
                            if (not done and a.attack == 'heartbleed-enc' and not hdr_buf and
                                    ((p.seq + i - sisn - 1) & 0xffffffff) >= at and last_cli):
                                split = i
                                done = True
                            need = 5 - len(hdr_buf)
                            hdr_buf += bytes(pay[i:i + need])
                            i += min(need, n - i)
                            if len(hdr_buf) == 5:
                                rtype = hdr_buf[0]
                                if rtype == 22 and version == 0x0303:
                                    version = struct.unpack('!H', hdr_buf[1:3])[0] or 0x0303
                                rec_left = struct.unpack('!H', hdr_buf[3:5])[0]
                                hdr_buf = b''
                            continue
                        take = min(rec_left, n - i)
                        soff = (p.seq + i - sisn - 1) & 0xffffffff
                        if (not done and a.attack == 'ascii' and rtype == 23 and
                                soff >= at and take >= len(ASCII) + 32):
                            patch = ((p.seq + i + 16) & 0xffffffff, ASCII)
                            done = True
                            print('splice.py: ascii run at server offset %d' % (soff + 16),
                                  file=sys.stderr)
                        rec_left -= take
                        i += take
                    snext = (p.seq + n) & 0xffffffff
        changed = False
        if from_cli and sshift and (p.flags & 0x10) and after(p.ack, sins):
            b[p.tcp + 8:p.tcp + 12] = struct.pack('!I', (p.ack + sshift) & 0xffffffff)
            changed = True
        if not from_cli and sshift and not (p.flags & 0x02) and after(p.seq, sins):
            b[p.tcp + 4:p.tcp + 8] = struct.pack('!I', (p.seq + sshift) & 0xffffffff)
            changed = True
        if from_cli and shift and not (p.flags & 0x02) and \
                ((p.seq - ins_at) & 0xffffffff) < 0x80000000:
            b[p.tcp + 4:p.tcp + 8] = struct.pack('!I', (p.seq + shift) & 0xffffffff)
            changed = True
        if not from_cli and shift and (p.flags & 0x10) and \
                ((p.ack - ins_at) & 0xffffffff) < 0x80000000:
            b[p.tcp + 8:p.tcp + 12] = struct.pack('!I', (p.ack + shift) & 0xffffffff)
            changed = True
        if patch and not from_cli and n:
            ps, pb = patch
            rel = (ps - p.seq) & 0xffffffff
            lo = (p.seq - ps) & 0xffffffff
            if rel >= n and lo >= len(pb):
                pb = b''     # no overlap
            for k in range(len(pb)):
                j = (rel + k) & 0xffffffff
                if j < n:
                    b[p.data + j] = pb[k]
                    changed = True
        if changed:
            fix(b, p)
        if split is not None:
            # P_a, the client's request, the server's response, P_b
            k, split = split, None
            pay = p.payload(fr[2])
            bseq = (p.seq + k) & 0xffffffff
            if k:
                out.append([fr[0], fr[1], build(fr[2], p, pay[:k], p.seq, p.ack, 0x10), 0])
            tf, tp = last_cli
            req = struct.pack('!BHH', 24, version, 40) + \
                bytes(rnd.getrandbits(8) | 0x80 for _ in range(40))
            out.append([fr[0], fr[1], build(tf[2], tp, req, cnext, bseq), 0])
            ins_at, shift = cnext, len(req)
            resp = struct.pack('!BHH', 24, version, 16416) + \
                bytes(rnd.getrandbits(8) | (0x80 if j % 4 == 0 else 0) for j in range(16416))
            for j in range(0, len(resp), 1448):
                out.append([fr[0], fr[1], build(fr[2], p, resp[j:j + 1448], bseq + j,
                                                p.ack + shift, 0x10), 0])
            sins, sshift = bseq, len(resp)
            out.append([fr[0], fr[1], build(fr[2], p, pay[k:], bseq + sshift,
                                            p.ack + shift, p.flags), 0])
            print('splice.py: encrypted heartbleed at server offset %d (client seq %d)'
                  % ((bseq - sisn - 1) & 0xffffffff, (cnext - cisn) & 0xffffffff),
                  file=sys.stderr)
            continue
        out.append([fr[0], fr[1], bytes(b), fr[3] + len(b) - len(fr[2])])
    if not done:
        sys.exit('splice.py: flow %d has no place for the attack at %s MiB' % (a.flow, a.at))
    with open(a.out, 'wb') as f:
        f.write(hdr)
        for ts, tu, data, orig in out:
            f.write(struct.pack('<IIII', ts, tu, len(data), max(orig, len(data))))
            f.write(data)
    print('splice.py: %s: flow %d (%d server bytes), %d frames, %s'
          % (a.out, a.flow, sent[(cli, srv)], len(out), a.attack), file=sys.stderr)


if __name__ == '__main__':
    main()
