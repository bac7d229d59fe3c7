#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Handshake-layer attacks for tls_handshake.sh: TLS endpoints that break
one rule of the handshake layer each, speaking raw TLS records over plain
TCP sockets, and the recording peers they attack.

  hsattack.py serve DIR PORT...
      The server side, one role per port by its last digit:
        0  recorder: appends exactly what recv() returns to DIR/rec-CPORT
           (CPORT: the client's port), written before it is taken off the
           socket, so an empty receive queue means all is in the file; it
           never sends
        1  early_server: as soon as the first bytes of the client's hello
           are in, its whole flight (ServerHello, Certificate,
           ServerHelloDone), before the ClientHello is complete
        2  version_mismatch: after the whole ClientHello, a ServerHello
           selecting TLS 1.0, which the client did not offer
        3  downgrade: after the whole ClientHello (offering TLS 1.3), a TLS
           1.2 ServerHello whose random ends in the RFC 8446 4.1.3
           downgrade sentinel "DOWNGRD" 01
        4  control: after the whole ClientHello, a valid TLS 1.2 flight
      An attacking server writes what it sends to DIR/sent-CPORT and the
      offset where its malicious bytes start to DIR/cut-CPORT, then sends
      them in one send() and closes its side.

  hsattack.py client DIR
      Reads lines "CASE DST DPORT SPORT" on stdin and runs CASE on a new
      connection from SPORT (one process for every case: Python starts in
      seconds under TCG).  The client attacks (the server is a recorder):
        hs_direction   ClientHello, then a ServerHello from the client
        hs_malformed   a ClientHello whose server_name extension is longer
                       than what is left of the hello
        hs_interleave  the ClientHello in two records with a
                       ChangeCipherSpec between them (an early CCS inside
                       a message)
        hs_order       ClientHello, then a second ClientHello with no
                       HelloRetryRequest between (another server name,
                       TLS 1.0 only: hello smuggling)
      Each sends its benign prefix (if any), waits until the server's TCP
      acknowledged it, then the malicious bytes in one send(); DIR/sent-
      SPORT and DIR/cut-SPORT as above.  The server attacks
      (early_server, version_mismatch, downgrade): the client is the
      victim, a recorder of what its recv() returns (DIR/rec-SPORT) after
      it sent its ClientHello (early_server: the first 64 bytes of it);
      "control" is the same victim against the valid flight of role 4.
      Output lines start with "# "; "# end CASE: SUMMARY" ends each case.

Without the helper every malicious byte must reach the recorder's recv();
with it none may (the shell compares the files).  HSATTACK_WAIT (seconds,
default 2, times TIME_SCALE) is how long a peer waits for an
acknowledgement or for data before it calls the connection cut.
"""
import fcntl
import os
import select
import socket
import struct
import sys
import termios
import threading
import time

from tlsattack import hirandom, hs, rec

WAIT = float(os.environ.get("HSATTACK_WAIT", "2")) * int(os.environ.get("TIME_SCALE", "1"))

CCS = rec(20, b"\x01")
SUITES = (0x1301, 0x1302, 0xc02f, 0xc030, 0x009c)


def log(msg):
    sys.stdout.write("# %s\n" % msg)
    sys.stdout.flush()


# ---------------------------------------------------------------- hellos

def ext(etype, body):
    return struct.pack(">HH", etype, len(body)) + body


def sni_ext(name):
    entry = b"\x00" + struct.pack(">H", len(name)) + name
    return ext(0, struct.pack(">H", len(entry)) + entry)


def sv_ext(versions):
    lst = b"".join(struct.pack(">H", v) for v in versions)
    return ext(0x2b, bytes([len(lst)]) + lst)


def client_hello_body(name, versions=(0x0304, 0x0303), legacy=0x0303,
                      suites=SUITES, exts=None):
    """A ClientHello body: legacy_version, random, a 32-byte session id (as
    TLS 1.3 clients in compatibility mode), suites, null compression,
    server_name and (when versions) supported_versions."""
    cs = b"".join(struct.pack(">H", c) for c in suites)
    if exts is None:
        exts = sni_ext(name) + (sv_ext(versions) if versions else b"")
    return (struct.pack(">H", legacy) + hirandom(32) + b"\x20" + hirandom(32) +
            struct.pack(">H", len(cs)) + cs + b"\x01\x00" +
            struct.pack(">H", len(exts)) + exts)


def client_hello(name=b"www.example.test", **kw):
    return rec(22, hs(1, client_hello_body(name, **kw)), 0x0301)


def server_flight(ver, random_, suite=0xc02f):
    """ServerHello (no extensions: ver is the version it selects),
    Certificate (300 bytes of "DER"), ServerHelloDone: one record each."""
    sh = struct.pack(">H", ver) + random_ + b"\x00" + struct.pack(">HB", suite, 0)
    cert = hirandom(300)
    certs = len(cert).to_bytes(3, "big") + cert
    return (rec(22, hs(2, sh), ver) +
            rec(22, hs(11, len(certs).to_bytes(3, "big") + certs), ver) +
            rec(22, hs(14, b""), ver))


def downgrade_random():
    return hirandom(24) + b"DOWNGRD\x01"


# ------------------------------------------------- what each side sends

def attack_hs_direction():
    """A ServerHello sent by the client after its ClientHello: the server
    is made to read its own kind of message (reflection, role confusion)."""
    sh = struct.pack(">H", 0x0303) + hirandom(32) + b"\x00" + struct.pack(">HB", 0xc02f, 0)
    return client_hello(), rec(22, hs(2, sh))


def attack_hs_malformed():
    """The server_name extension claims 64 bytes more than the hello has
    left: a parser that trusts it reads the next message as a name."""
    good = client_hello_body(b"www.example.test")
    fixed = good[:2 + 32 + 1 + 32 + 2 + 2 * len(SUITES) + 2]
    exts = sv_ext((0x0304, 0x0303))
    name = b"www.example.test"
    entry = b"\x00" + struct.pack(">H", len(name)) + name
    body = struct.pack(">H", len(entry)) + entry
    bad = struct.pack(">HH", 0, len(body) + len(exts) + 64) + body + exts
    return b"", rec(22, hs(1, fixed + struct.pack(">H", len(bad)) + bad), 0x0301)


def attack_hs_interleave():
    """The ClientHello cut into two handshake records with a
    ChangeCipherSpec between them (the early CCS of CVE-2014-0224, here
    inside a message)."""
    msg = hs(1, client_hello_body(b"www.example.test"))
    half = len(msg) // 2
    return rec(22, msg[:half], 0x0301), CCS + rec(22, msg[half:], 0x0301)


def attack_hs_order():
    """A second ClientHello without a HelloRetryRequest: the first one
    passes the hello rules, the second, offering TLS 1.0 only and another
    name, is the one a lax server would act on."""
    second = client_hello(b"denied.example.test", versions=(), legacy=0x0301,
                          suites=(0x002f, 0x000a))
    return client_hello(), second


CLIENT_ATTACKS = {
    "hs_direction": attack_hs_direction,
    "hs_malformed": attack_hs_malformed,
    "hs_interleave": attack_hs_interleave,
    "hs_order": attack_hs_order,
}

# server attacks: what the victim client sends first, by case
VICTIM_HELLO_PART = {"early_server": 64, "version_mismatch": None, "downgrade": None,
                     "control": None}


def server_answer(role):
    """The attacking server's flight, by port role."""
    if role == 1:
        return server_flight(0x0303, hirandom(32))
    if role == 2:
        return server_flight(0x0301, hirandom(32), suite=0x002f)
    if role == 3:
        return server_flight(0x0303, downgrade_random())
    return server_flight(0x0303, hirandom(32))


# ------------------------------------------------------------- helpers

def unacked(s):
    """Bytes of s not yet acknowledged by the peer (SIOCOUTQ)."""
    return struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ,
                                          b"\0\0\0\0"))[0]


def wait_acked(s, timeout):
    deadline = time.monotonic() + timeout
    while unacked(s):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def abort(s):
    """Close at once with a RST (SO_LINGER 0): a cut flow's retransmissions
    would go on for minutes otherwise."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def write_sent(directory, port, prefix, mal):
    with open(os.path.join(directory, "sent-%d" % port), "wb") as f:
        f.write(prefix + mal)
    with open(os.path.join(directory, "cut-%d" % port), "w") as f:
        f.write("%d\n" % len(prefix))


def record_into(conn, path, first_timeout):
    """Append what recv() returns to path until EOF, or until nothing came
    for first_timeout seconds; True on EOF.  Each chunk is peeked and
    written before it is taken off the socket."""
    with open(path, "ab") as out:
        conn.settimeout(first_timeout)
        while True:
            try:
                data = conn.recv(65536, socket.MSG_PEEK)
            except socket.timeout:
                return False, out.tell()
            except OSError as e:
                log("recorder: %s" % e)
                return False, out.tell()
            if not data:
                return True, out.tell()
            out.write(data)
            out.flush()
            conn.recv(len(data))


# ------------------------------------------------------------ the client

def connect(dst, dport, sport):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.bind(("", sport))
    s.settimeout(10 * WAIT)
    s.connect((dst, dport))
    return s


def run_client_attack(directory, name, s, sport):
    prefix, mal = CLIENT_ATTACKS[name]()
    write_sent(directory, sport, prefix, mal)
    if prefix:
        s.sendall(prefix)
        if not wait_acked(s, 5 * WAIT):
            abort(s)
            return "error: the benign %d bytes were not acknowledged" % len(prefix)
        log("client: %d benign bytes acknowledged" % len(prefix))
    s.sendall(mal)
    log("client: %d malicious bytes sent in one send() (%s)" % (len(mal), mal[:12].hex()))
    if wait_acked(s, WAIT):
        s.close()
        return "the server acknowledged all %d bytes" % (len(prefix) + len(mal))
    left = unacked(s)
    abort(s)
    return "cut: %d of %d bytes never acknowledged" % (left, len(prefix) + len(mal))


def run_victim(directory, name, s, sport):
    hello = client_hello()
    part = VICTIM_HELLO_PART[name]
    s.sendall(hello[:part] if part else hello)
    log("client: sent %d of the %d bytes of its ClientHello" %
        (len(hello[:part] if part else hello), len(hello)))
    eof, n = record_into(s, os.path.join(directory, "rec-%d" % sport), WAIT)
    if eof:
        s.close()
        return "received %d bytes, then EOF" % n
    abort(s)
    return "cut: received %d bytes, then nothing for %.0f s" % (n, WAIT)


def client(directory):
    for line in sys.stdin:
        words = line.split()
        if len(words) != 4 or (words[0] not in CLIENT_ATTACKS and
                               words[0] not in VICTIM_HELLO_PART):
            log("end ?: bad command %r" % line.strip())
            continue
        name, dst, dport, sport = words[0], words[1], int(words[2]), int(words[3])
        try:
            s = connect(dst, dport, sport)
            log("client: connected to %s port %d from port %d" % (dst, dport, sport))
            if name in CLIENT_ATTACKS:
                summary = run_client_attack(directory, name, s, sport)
            else:
                summary = run_victim(directory, name, s, sport)
        except OSError as e:
            summary = "error: %s" % e
        log("end %s: %s" % (name, summary))


# ------------------------------------------------------------ the server

def read_record(conn, timeout):
    """One whole TLS record (bytes), or what came before EOF/timeout."""
    buf = b""
    conn.settimeout(timeout)
    try:
        while len(buf) < 5 or len(buf) < 5 + struct.unpack(">H", buf[3:5])[0]:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
    except OSError:
        pass
    return buf


def serve_one(directory, conn, peer, role):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if role == 0:
        eof, n = record_into(conn, os.path.join(directory, "rec-%d" % peer[1]), 3600)
        log("recorder: [%s]:%d %d bytes, %s" % (peer[0], peer[1], n,
                                                "EOF" if eof else "no EOF"))
        conn.close()
        return
    if role == 1:
        conn.settimeout(10 * WAIT)
        got = conn.recv(65536)
    else:
        got = read_record(conn, 10 * WAIT)
    if not got:
        log("server: [%s]:%d sent nothing" % peer)
        conn.close()
        return
    flight = server_answer(role)
    write_sent(directory, peer[1], b"", flight)
    conn.sendall(flight)
    conn.shutdown(socket.SHUT_WR)
    log("server: [%s]:%d after %d bytes of its hello: %d-byte flight sent" %
        (peer[0], peer[1], len(got), len(flight)))
    eof, _ = record_into(conn, os.devnull, 4 * WAIT)
    if eof:
        conn.close()
    else:
        abort(conn)


def serve(directory, ports):
    listeners = {}
    for port in ports:
        ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        ls.bind(("::", port))
        ls.listen(16)
        listeners[ls] = port % 10
    while True:
        r, _, _ = select.select(list(listeners), [], [])
        for ls in r:
            conn, addr = ls.accept()
            peer = (addr[0].replace("::ffff:", ""), addr[1])
            threading.Thread(target=serve_one, args=(directory, conn, peer, listeners[ls]),
                             daemon=True).start()


def main(argv):
    if len(argv) >= 4 and argv[1] == "serve":
        serve(argv[2], [int(p) for p in argv[3:]])
    elif len(argv) == 3 and argv[1] == "client":
        client(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
