#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""TLS-shaped and TLS TCP peers for tls_tcp_benign.sh: benign TCP
behaviours (TCP Fast Open, half-close, keepalive, zero-window probes, port
reuse, bidirectional bulk, loss and reordering) that the helper's TCP
rules must let through.  One long-lived process per side, so that a slow
guest starts Python twice, not once per connection.

  tcp_benign.py serve PORT CERT KEY
      listens on PORT (TCP Fast Open queue 16), PORT+1 (SO_RCVBUF 4096:
      a small window for a slow reader) and PORT+2 (real TLS 1.3, Python's
      ssl, i.e. OpenSSL: reads to EOF); serves every connection in a
      thread, prints one line for each when it is closed:
        id=ID in=SHA out=SHA syn_data=0|1 syn_len=N MIB=N...   (PORT, PORT+1)
        tls in=SHA                             (PORT+2)
  tcp_benign.py client
      reads one command per line on stdin, makes that connection, prints
      one line:  ID HOST PORT [options]  ->
        id=ID sent=SHA got=SHA echoed=SHA syn_data=0|1 MIB=N...
      or  id=ID error=...
      with --tls FILE: a TLS 1.3 upload of FILE:  id=ID tls sent=SHA

The synthetic connections (PORT, PORT+1) carry TLS-shaped streams: a
plaintext handshake record (16 03 01 LEN, a ClientHello / ServerHello
header, then bytes the helper does not inspect), a ChangeCipherSpec
(14 03 03 00 01 01), then application-data records (17 03 03 LEN) of
random bytes (a run of 128 bytes < 0x80 in them would be killed by design;
random bytes make none).  The client's handshake record tells the server,
in JSON after its header, what to do: send N bytes back (--srv-send) at a
pace (--srv-pace, seconds after each 64 KiB), while reading (--srv-concurrent)
or after the client's FIN (default), and read slowly (--srv-pauses N
pauses of --srv-pause s, one after every --srv-pause-every bytes).  The
client sends its stream, shuts its write side down (FIN) and reads all the
while; the server ends its stream with an application-data record holding
the SHA-256 of what it read (echoed), then closes.  syn_data is TCP_INFO's
TCPI_OPT_SYN_DATA: data on the SYN was sent and acknowledged (client), or
received (server); syn_len the payload length of the SYN the server
accepted the connection from (TCP_SAVED_SYN), whether the data was taken
or not; MIB=N the change of TcpExt counters of the side's namespace during
the connection (client: TCPKeepAlive, TCPWinProbe, TCPFastOpenActive;
server: TCPFastOpenPassive, TCPToZeroWindowAdv).
"""
import argparse
import hashlib
import json
import os
import random
import selectors
import shlex
import socket
import ssl
import struct
import sys
import threading
import time

TCPI_OPT_SYN_DATA = 0x20
TCP_SAVE_SYN, TCP_SAVED_SYN = 27, 28
MSG_FASTOPEN = getattr(socket, "MSG_FASTOPEN", 0x20000000)
TCP_FASTOPEN = getattr(socket, "TCP_FASTOPEN", 23)
SCALE = int(os.environ.get("TIME_SCALE", "1"))
TIMEOUT = 60 * SCALE
CCS = b"\x14\x03\x03\x00\x01\x01"
# random bytes, made once (getrandom is slow on an emulated guest); records
# are slices of it at random offsets
POOL = os.urandom(1 << 18)
POOL2 = POOL + POOL
LOCK = threading.Lock()


def say(line):
    with LOCK:
        print(line, flush=True)


def hello(msg_type, ctl=b""):
    """A plaintext hello record the handshake layer accepts: a ClientHello
    (1) offering TLS 1.3 and 1.2 with early data, so that the client may
    send its compatibility CCS and 0-RTT records at once, without waiting
    for the server; ctl (the client's JSON for the server, NUL-terminated)
    in a private extension at body offset CTL_OFF, then pool bytes in
    another.  Or a ServerHello (2) selecting TLS 1.3."""
    fixed = b"\x03\x03" + POOL[:32] + b"\x00"
    if msg_type == 1:
        exts = (struct.pack(">HH", 0xffc0, len(ctl) + 1) + ctl + b"\0" +
                struct.pack(">HH", 0xffc1, 200) + POOL[32:232] +
                b"\x00\x2b\x00\x05\x04\x03\x04\x03\x03" +  # versions
                b"\x00\x2a\x00\x00")                        # early_data
        body = (fixed + b"\x00\x04\x13\x01\xc0\x2f\x01\x00" +
                struct.pack(">H", len(exts)) + exts)
    else:
        body = fixed + b"\x13\x01\x00\x00\x06\x00\x2b\x00\x02\x03\x04"
    hs = bytes([msg_type]) + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


# where hello(1) puts ctl in its record body: message header, version,
# random, session id, suites, compression, extensions length and header
CTL_OFF = 4 + 2 + 32 + 1 + 6 + 2 + 2 + 4


def appdata(body):
    return b"\x17\x03\x03" + struct.pack(">H", len(body)) + body


def records(total, rng, rec_max=16384):
    """Application-data records of random bytes, total body bytes."""
    while total > 0:
        n = min(total, rng.randint(1, rec_max))
        off = rng.randrange(len(POOL))
        total -= n
        yield appdata(POOL2[off:off + n])


def tcpext(names):
    """TcpExt counters of this namespace, name -> value."""
    with open("/proc/net/netstat") as f:
        lines = [l.split() for l in f if l.startswith("TcpExt:")]
    vals = dict(zip(lines[0][1:], lines[1][1:]))
    return {n: int(vals.get(n, 0)) for n in names}


def mib_delta(before, names):
    after = tcpext(names)
    return " ".join("%s=%d" % (n, after[n] - before[n]) for n in names)


def syn_len(sock):
    """Payload bytes of the SYN the connection was accepted from
    (TCP_SAVED_SYN: its IP and TCP headers), -1 if unknown."""
    try:
        h = sock.getsockopt(socket.IPPROTO_TCP, TCP_SAVED_SYN, 512)
    except OSError:
        return -1
    if len(h) >= 40 and h[0] >> 4 == 4:
        ihl = (h[0] & 15) * 4
        return struct.unpack(">H", h[2:4])[0] - ihl - (h[ihl + 12] >> 4) * 4
    if len(h) >= 60 and h[0] >> 4 == 6 and h[6] == socket.IPPROTO_TCP:
        return struct.unpack(">H", h[4:6])[0] - (h[52] >> 4) * 4
    return -1


def syn_data(sock):
    """TCP_INFO's TCPI_OPT_SYN_DATA (tcpi_options is its 6th byte)."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        return int(bool(info[5] & TCPI_OPT_SYN_DATA))
    except OSError:
        return -1


class Out:
    """Sends in chunks and hashes; pace: sleep that long after each."""

    def __init__(self, sock, pace=0.0, chunk=65536):
        self.sock, self.pace, self.chunk = sock, pace, chunk
        self.digest = hashlib.sha256()
        self.buf = b""

    def put(self, data, flush=False):
        self.buf += data
        while len(self.buf) >= self.chunk or (flush and self.buf):
            piece, self.buf = self.buf[:self.chunk], self.buf[self.chunk:]
            self.sock.sendall(piece)
            self.digest.update(piece)
            if self.pace:
                time.sleep(self.pace)

    def body(self, total, rng):
        for rec in records(total, rng):
            self.put(rec)
        self.put(b"", flush=True)


def recv_exact(sock, n, digest):
    data = b""
    while len(data) < n:
        got = sock.recv(n - len(data))
        if not got:
            raise EOFError("stream ended in the handshake record")
        data += got
    digest.update(data)
    return data


SERVER_MIB = ("TCPFastOpenPassive", "TCPToZeroWindowAdv")
CLIENT_MIB = ("TCPKeepAlive", "TCPWinProbe", "TCPFastOpenActive")


def synthetic(conn):
    mib = tcpext(SERVER_MIB)
    conn.settimeout(TIMEOUT)
    sd = syn_data(conn)
    sl = syn_len(conn)
    din = hashlib.sha256()
    hdr = recv_exact(conn, 5, din)
    rec = recv_exact(conn, struct.unpack(">H", hdr[3:5])[0], din)
    ctl = json.loads(rec[CTL_OFF:rec.index(b"\0", CTL_OFF)])
    rng = random.Random()
    out = Out(conn, pace=ctl.get("pace", 0.0))

    def stream():
        out.put(hello(2) + CCS)
        out.body(ctl.get("send", 0), rng)
    writer = None
    if ctl.get("concurrent"):
        writer = threading.Thread(target=stream)
        writer.start()
    got, pauses = 0, ctl.get("pauses", 0)
    every, step = ctl.get("pause_every", 0), 4096 if ctl.get("pauses") else 65536
    while True:
        data = conn.recv(step)
        if not data:
            break
        din.update(data)
        got += len(data)
        if pauses and got >= every * (ctl["pauses"] - pauses + 1):
            pauses -= 1
            time.sleep(ctl.get("pause", 1.0))
    if writer:
        writer.join()
    else:
        stream()
    out.put(appdata(din.digest()), flush=True)
    conn.close()
    say("id=%s in=%s out=%s syn_data=%d syn_len=%d %s" % (ctl.get("id"),
        din.hexdigest(), out.digest.hexdigest(), sd, sl, mib_delta(mib, SERVER_MIB)))


def tls_sink(conn, ctx):
    conn.settimeout(TIMEOUT)
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
    say("tls in=%s" % digest.hexdigest())


def guarded(fn, *args):
    try:
        fn(*args)
    except (OSError, EOFError, ValueError, ssl.SSLError) as exc:
        say("id=? error=%s" % str(exc).replace(" ", "_"))


def serve(port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(cert, key)
    sel = selectors.DefaultSelector()
    for off in 0, 1, 2:
        ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        if off < 2:
            ls.setsockopt(socket.IPPROTO_TCP, TCP_SAVE_SYN, 1)
        if off == 0:
            ls.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, 16)
        if off == 1:
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        ls.bind(("::", port + off))
        ls.listen(16)
        sel.register(ls, selectors.EVENT_READ, off)
    while True:
        for key_, _ in sel.select():
            conn, _ = key_.fileobj.accept()
            if key_.data == 2:
                args = (tls_sink, conn, ctx)
            else:
                args = (synthetic, conn)
            threading.Thread(target=guarded, args=args, daemon=True).start()


def timeouts(sock):
    """Blocking socket (MSG_FASTOPEN without a cookie must wait for the
    handshake, settimeout() would make it non-blocking) with kernel
    send and receive timeouts."""
    tv = struct.pack("ll", TIMEOUT, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)


def connect_tls(a, fam, addr):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    digest = hashlib.sha256()
    with socket.socket(fam, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.connect(addr)
        with ctx.wrap_socket(sock) as tls:
            with open(a.tls, "rb") as f:
                while True:
                    chunk = f.read(65536)
                    if not chunk:
                        break
                    tls.sendall(chunk)
                    digest.update(chunk)
            try:
                tls.unwrap()    # close_notify; the peer may just close
            except (ssl.SSLError, OSError):
                pass
    return "tls sent=%s" % digest.hexdigest()


def connect(a):
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    addr = (a.host, a.port)
    if a.tls:
        return connect_tls(a, fam, addr)
    ctl = {"id": a.id, "send": a.srv_send, "pace": a.srv_pace,
           "concurrent": a.srv_concurrent, "pauses": a.srv_pauses,
           "pause_every": a.srv_pause_every, "pause": a.srv_pause}
    rng = random.Random()
    mib = tcpext(CLIENT_MIB)
    sock = socket.socket(fam, socket.SOCK_STREAM)
    try:
        timeouts(sock)
        if a.reuse:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if a.bind_port:
            sock.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", a.bind_port))
        if a.keepalive:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, a.keepalive)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, a.keepalive)
        out = Out(sock)
        first = hello(1, json.dumps(ctl).encode())
        if a.fastopen:
            # the handshake record goes on the SYN when a cookie is known
            # (or tcp_fastopen has TFO_CLIENT_NO_COOKIE)
            n = sock.sendto(first, MSG_FASTOPEN, addr)
            out.digest.update(first[:n])
            out.put(first[n:], flush=True)
        else:
            sock.connect(addr)
            out.put(first, flush=True)
        received, failure = [], []

        def reader():
            try:
                while True:
                    data = sock.recv(65536)
                    if not data:
                        break
                    received.append(data)
            except OSError as exc:
                failure.append(exc)
        rt = threading.Thread(target=reader)
        rt.start()
        out.put(CCS)
        half = a.send // 2 if a.idle else a.send
        out.body(half, rng)
        if a.idle:
            time.sleep(a.idle)
            out.body(a.send - half, rng)
        sd = syn_data(sock)
        sock.shutdown(socket.SHUT_WR)
        rt.join()
    finally:
        sock.close()
    if failure:
        raise failure[0]
    stream = b"".join(received)
    # the last record: the server's SHA-256 of what it read
    tail = stream[-37:]
    echoed = tail[5:].hex() if tail[:5] == b"\x17\x03\x03\x00\x20" else "none"
    return "sent=%s got=%s echoed=%s syn_data=%d %s" % (
        out.digest.hexdigest(), hashlib.sha256(stream).hexdigest(), echoed, sd,
        mib_delta(mib, CLIENT_MIB))


def client():
    p = argparse.ArgumentParser(prog="client command")
    p.add_argument("id")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--send", type=int, default=65536,
                   help="application-data bytes to send")
    p.add_argument("--fastopen", action="store_true", help="sendto(MSG_FASTOPEN)")
    p.add_argument("--keepalive", type=int, default=0,
                   help="SO_KEEPALIVE, TCP_KEEPIDLE = TCP_KEEPINTVL = that many s")
    p.add_argument("--idle", type=float, default=0.0,
                   help="pause that long halfway through sending")
    p.add_argument("--bind-port", type=int, default=0)
    p.add_argument("--reuse", action="store_true", help="SO_REUSEADDR")
    p.add_argument("--tls", help="a TLS 1.3 upload of this file instead")
    p.add_argument("--srv-send", type=int, default=0)
    p.add_argument("--srv-pace", type=float, default=0.0)
    p.add_argument("--srv-concurrent", action="store_true")
    p.add_argument("--srv-pauses", type=int, default=0)
    p.add_argument("--srv-pause-every", type=int, default=0)
    p.add_argument("--srv-pause", type=float, default=1.0)
    print("client: ready", flush=True)
    for line in sys.stdin:
        words = shlex.split(line)
        if not words:
            continue
        try:
            a = p.parse_args(words)
        except SystemExit:
            print("id=%s error=bad_command" % words[0], flush=True)
            continue
        try:
            print("id=%s %s" % (a.id, connect(a)), flush=True)
        except (OSError, ssl.SSLError) as exc:
            print("id=%s error=%s" % (a.id, str(exc).replace(" ", "_")), flush=True)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 2 and sys.argv[1] == "client":
        client()
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
