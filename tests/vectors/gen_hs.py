#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate hs_vectors.h: hand-built handshake-layer vectors.

Each vector is a conversation built from well-formed handshake messages
(or one broken on purpose); the expected stream offset of the deciding
byte is computed here from the construction, so the C side only checks
it.  Run from anywhere: python3 gen_hs.py > hs_vectors.h
"""
import os
import sys

C, S = 0, 1
HI = bytes(range(0x80, 0xa0))  # 32 bytes >= 0x80: a random, a ciphertext


def rec(t, body, ver=(3, 3)):
    return bytes([t, ver[0], ver[1], len(body) >> 8, len(body) & 0xff]) + body


def msg(t, body):
    n = len(body)
    return bytes([t, n >> 16, (n >> 8) & 0xff, n & 0xff]) + body


def ext(t, body):
    return bytes([t >> 8, t & 0xff, len(body) >> 8, len(body) & 0xff]) + body


def client_hello(exts=b"", suites=b"\x13\x01", sid=b""):
    body = b"\x03\x03" + HI + bytes([len(sid)]) + sid
    body += bytes([len(suites) >> 8, len(suites) & 0xff]) + suites + b"\x01\x00"
    if exts:
        body += bytes([len(exts) >> 8, len(exts) & 0xff]) + exts
    return msg(1, body)


def server_hello(exts=b"", suite=b"\x13\x01", rnd=HI, sid=b"", ver=b"\x03\x03"):
    body = ver + rnd + bytes([len(sid)]) + sid + suite + b"\x00"
    if exts:
        body += bytes([len(exts) >> 8, len(exts) & 0xff]) + exts
    return msg(2, body)


CCS = rec(20, b"\x01")
FIN = rec(22, HI[:16])          # protected Finished (TLS <= 1.2)
APP = rec(23, HI)
CH = client_hello()
SH = server_hello()
CERT = msg(11, b"\x00\x00\x00")
SHD = msg(14, b"")
CKE = msg(16, b"\x00\x01\x80")

vectors = []   # (name, steps, policy, reason, dir, off)


def vec(name, steps, reason="TLS_OK", d=C, off=0, pol="PHS"):
    vectors.append((name, steps, pol, reason, d, off))


full12 = [(C, rec(22, CH)), (S, rec(22, SH + CERT + SHD)),
          (C, rec(22, CKE) + CCS + FIN), (S, CCS + FIN),
          (C, APP), (S, APP)]
vec("hs_tls12_full", full12)
# the same bytes with the record layer alone: nothing changes
vec("hs_tls12_full_off", full12, pol="PDEF")
# a client certificate: Certificate is sent by both sides
vec("hs_tls12_client_cert",
    [(C, rec(22, CH)), (S, rec(22, SH + CERT + msg(13, b"\x01\x01\x00\x00")
                                  + SHD)),
     (C, rec(22, CERT + CKE + msg(15, b"\x04\x03\x00\x01\x80")) + CCS + FIN),
     (S, CCS + FIN)])
# one ClientHello in two records, one message cut at every length byte
ch2 = CH[:2], CH[2:20], CH[20:]
vec("hs_ch_three_records", [(C, b"".join(rec(22, p) for p in ch2)),
                            (S, rec(22, SH + SHD))])
# a post-quantum sized ClientHello (X25519MLKEM768 share: 1216 bytes of
# key share plus padding to 2000) in two records, as two TCP segments
ks = ext(0x0033, bytes([0x04, 0xe6]) + b"\x11\xec\x04\xc0" + bytes(1216))
pq = client_hello(ext(0x002b, b"\x02\x03\x04") + ks +
                  ext(0x0015, bytes(2000 - 41 - 2 - 7 - len(ks) - 4)))
assert 1990 < len(pq) < 2010
SH13 = server_hello(ext(0x002b, b"\x03\x04") +
                    ext(0x0033, b"\x00\x1d\x00\x20" + HI))
vec("hs_pq_hello", [(C, rec(22, pq[:1400])), (C, rec(22, pq[1400:])),
                    (S, rec(22, SH13) + CCS + APP), (C, CCS + APP)])
# the largest ClientHello accepted, and one byte more
big = client_hello(ext(0x0015, bytes(16384 - 41 - 2 - 4)))
assert len(big) == 16388
vec("hs_ch_max", [(C, rec(22, big[:16000]) + rec(22, big[16000:])),
                  (S, rec(22, SH))])
big1 = client_hello(ext(0x0015, bytes(16384 - 41 - 2 - 4 + 1)))
vec("hs_ch_too_big", [(C, rec(22, big1[:16000]) + rec(22, big1[16000:]))],
    "TLS_R_HS_MALFORMED", C, 5 + 3)
# a ClientHello shorter than its fixed fields
vec("hs_ch_too_short", [(C, rec(22, msg(1, CH[4:-1])))],
    "TLS_R_HS_MALFORMED", C, 5 + 3)
vec("hs_type_unknown", [(C, rec(22, msg(99, b"")))],
    "TLS_R_HS_MALFORMED", C, 5)
vec("hs_shd_not_empty", [(C, rec(22, CH)), (S, rec(22, SH + msg(14, b"\x00")))],
    "TLS_R_HS_MALFORMED", S, 5 + len(SH) + 3)
# direction: a ServerHello from the client, a ClientHello from the server
vec("hs_dir_client_sh", [(C, rec(22, SH))], "TLS_R_HS_DIRECTION", C, 5)
vec("hs_dir_server_ch", [(C, rec(22, CH)), (S, rec(22, CH))],
    "TLS_R_HS_DIRECTION", S, 5)
vec("hs_dir_client_nst", [(C, rec(22, CH)), (S, rec(22, SH + SHD)),
                          (C, rec(22, msg(4, b"\x00" * 6)))],
    "TLS_R_HS_DIRECTION", C, len(CH) + 10)
vec("hs_dir_server_cke", [(C, rec(22, CH)), (S, rec(22, SH + CKE))],
    "TLS_R_HS_DIRECTION", S, 5 + len(SH))
# early server: before any client byte, and inside the ClientHello
vec("hs_early_server", [(S, rec(22, SH))], "TLS_R_EARLY_SERVER", S, 0)
vec("hs_early_server_partial", [(C, rec(22, CH[:30])), (S, rec(22, SH))],
    "TLS_R_EARLY_SERVER", S, 0)
vec("hs_early_server_rec", [(C, rec(22, CH[:30]) + rec(22, CH[30:-1])),
                            (S, rec(21, b"\x02\x28"))],
    "TLS_R_EARLY_SERVER", S, 0)
vec("hs_early_server_off", [(S, rec(22, SH))], pol="PDEF")
# interleaving: a CCS or an alert inside a message
vec("hs_interleave_ccs", [(C, rec(22, CH[:10]) + CCS)],
    "TLS_R_HS_INTERLEAVE", C, 15)
vec("hs_interleave_alert", [(C, rec(22, CH)), (S, rec(22, SH[:7]) +
                                               rec(21, b"\x02\x28"))],
    "TLS_R_HS_INTERLEAVE", S, 12)
vec("hs_interleave_len", [(C, rec(22, CH[:2]) + APP)],
    "TLS_R_HS_INTERLEAVE", C, 7)
# a zero-length handshake record is a record-layer violation already
vec("hs_empty_record", [(C, rec(22, b""))], "TLS_R_RECORD_LENGTH", C, 4)

# ---- versions, TLS 1.3, HelloRetryRequest, downgrade, order
SV13 = ext(0x002b, b"\x04\x03\x04\x03\x03")     # offers 1.3 and 1.2
KS = ext(0x0033, b"\x00\x24\x00\x1d\x00\x20" + HI)
SNI = ext(0x0000, b"\x00\x0e\x00\x00\x0bexample.com")
SNI_IP = ext(0x0000, b"\x00\x0c\x00\x00\x0910.0.0.17")
ALPN = ext(0x0010, b"\x00\x03\x02h2")
CH13 = client_hello(SNI + ALPN + SV13 + KS, b"\x13\x01\x13\x02")
full13 = [(C, rec(22, CH13, (3, 1))), (S, rec(22, SH13) + CCS + APP + APP),
          (C, CCS + APP), (S, APP), (C, APP)]
vec("hs_tls13_full", full13)
vec("hs_tls13_full_off", full13, pol="PDEF")
# 0-RTT: CCS and early data right after a ClientHello with early_data
CH13E0 = client_hello(SNI + ALPN + SV13 + KS + ext(0x002a, b""),
                      b"\x13\x01\x13\x02")
vec("hs_tls13_0rtt", [(C, rec(22, CH13E0, (3, 1)) + CCS + APP),
                      (S, rec(22, SH13) + CCS + APP), (C, APP)])
# session resumption (TLS 1.2, session id echoed): CCS right after SH
SID = bytes(range(0x80, 0xa0))
vec("hs_tls12_resume",
    [(C, rec(22, client_hello(sid=SID, suites=b"\xc0\x2f"))),
     (S, rec(22, server_hello(sid=SID, suite=b"\xc0\x2f")) + CCS + FIN),
     (C, CCS + FIN + APP), (S, APP)])
# HelloRetryRequest: HRR + CCS, client CCS + second hello, then the SH
HRR_RND = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891"
                        "c2a211167abb8c5e079e09e2c8a8339c")
HRR = server_hello(ext(0x002b, b"\x03\x04") + ext(0x0033, b"\x00\x17"),
                   rnd=HRR_RND)
hrr = [(C, rec(22, CH13, (3, 1))), (S, rec(22, HRR) + CCS),
       (C, CCS + rec(22, CH13)), (S, rec(22, SH13) + APP), (C, APP)]
vec("hs_hrr", hrr)
vec("hs_hrr_off", hrr, pol="PDEF")
# a second HelloRetryRequest: downgrade
off = 5 + len(SH13) - 1
vec("hs_hrr_twice", [(C, rec(22, CH13, (3, 1))), (S, rec(22, HRR) + CCS),
                     (C, CCS + rec(22, CH13)), (S, rec(22, HRR))],
    "TLS_R_DOWNGRADE", S, len(HRR) + 5 + 6 + 5 + len(HRR) - 1)
# after the HRR the record of the second hello (after the client's CCS)
# must end with it, and so must the ServerHello's (after the server's
# CCS): decided at the hello's last byte, whatever the cut of the feeds
c1 = 5 + len(CH13) + 6
vec("hs_hrr_ch2_extra", [(C, rec(22, CH13, (3, 1))), (S, rec(22, HRR) + CCS),
                         (C, CCS + rec(22, CH13 + b"\x00"))],
    "TLS_R_HS_ORDER", C, c1 + 5 + len(CH13) - 1)
s1 = 5 + len(HRR) + 6
vec("hs_hrr_sh_extra", [(C, rec(22, CH13, (3, 1))), (S, rec(22, HRR) + CCS),
                        (C, CCS + rec(22, CH13)),
                        (S, rec(22, SH13 + b"\x08"))],
    "TLS_R_HS_ORDER", S, s1 + 5 + len(SH13) - 1)
# a second ClientHello without a HelloRetryRequest, a third one
vec("hs_ch_again", [(C, rec(22, CH13) + rec(22, CH13))],
    "TLS_R_HS_ORDER", C, 5 + len(CH13) + 5)
vec("hs_ch_third", [(C, rec(22, CH13, (3, 1))), (S, rec(22, HRR) + CCS),
                    (C, CCS + rec(22, CH13) + rec(22, CH13))],
    "TLS_R_HS_ORDER", C, len(CH13) + 5 + 6 + 5 + len(CH13))
# the server does not wait for the second hello
vec("hs_hrr_server_early", [(C, rec(22, CH13, (3, 1))),
                            (S, rec(22, HRR) + CCS + rec(22, SH13))],
    "TLS_R_HS_ORDER", S, 5 + len(HRR) + 6 + 5)
# a plaintext handshake message after the TLS 1.3 CCS
vec("hs_tls13_plain_after_ccs", [(C, rec(22, CH13, (3, 1))),
                                 (S, rec(22, SH13) + CCS + rec(22, CERT))],
    "TLS_R_HS_ORDER", S, 5 + len(SH13) + 6)
# order: the server's first message is not a ServerHello; the client
# sends a Certificate before the ServerHello; a second ServerHello
vec("hs_order_server_first", [(C, rec(22, CH)), (S, rec(22, CERT))],
    "TLS_R_HS_ORDER", S, 5)
vec("hs_order_client_early", [(C, rec(22, CH) + rec(22, CERT))],
    "TLS_R_HS_ORDER", C, 5 + len(CH) + 5)
vec("hs_order_sh_twice", [(C, rec(22, CH)), (S, rec(22, SH + SH))],
    "TLS_R_HS_ORDER", S, 5 + len(SH))
# a plaintext hello after the ServerHello (renegotiation is encrypted)
vec("hs_order_renego_plain", [(C, rec(22, CH)), (S, rec(22, SH + SHD)),
                              (C, rec(22, CH))],
    "TLS_R_HS_ORDER", C, len(CH) + 5 + 5)
# near miss: a hello after the CCS is ciphertext to the helper (scanned)
vec("hs_renego_encrypted", full12 + [(C, rec(22, CH)), (S, rec(22, SH))])
# the TLS <= 1.2 flights in order: every optional message, a ticket
SKE = msg(12, HI[:8])
CSTAT = msg(22, b"\x01\x00\x00\x02\x80\x81")
CR = msg(13, b"\x01\x01\x00\x00")
NST = msg(4, b"\x00\x00\x00\x10\x00\x02\x80\x81")
vec("hs_flight_full", [(C, rec(22, CH)),
                       (S, rec(22, SH + CERT + CSTAT + SKE + CR + SHD)),
                       (C, rec(22, CERT + CKE + msg(15, b"\x04\x03\x00\x01\x80"))
                        + CCS + FIN),
                       (S, rec(22, NST) + CCS + FIN)])
# out of order: a Certificate after the ServerHelloDone, the same
# ClientKeyExchange twice, a plaintext Certificate after a TLS 1.3
# ServerHello, a Finished in the clear
vec("hs_flight_cert_late", [(C, rec(22, CH)), (S, rec(22, SH + SHD + CERT))],
    "TLS_R_HS_ORDER", S, 5 + len(SH) + len(SHD))
vec("hs_flight_cke_twice", [(C, rec(22, CH)), (S, rec(22, SH + SHD)),
                            (C, rec(22, CKE + CKE))],
    "TLS_R_HS_ORDER", C, len(CH) + 5 + 5 + len(CKE))
vec("hs_flight_tls13_plain", [(C, rec(22, CH13, (3, 1))),
                              (S, rec(22, SH13 + CERT))],
    "TLS_R_HS_ORDER", S, 5 + len(SH13))
vec("hs_flight_plain_finished", [(C, rec(22, CH)), (S, rec(22, SH + SHD)),
                                 (C, rec(22, CKE + msg(20, HI[:12])))],
    "TLS_R_HS_ORDER", C, len(CH) + 5 + 5 + len(CKE))

# versions: the server picks one the client did not offer
CH10 = msg(1, b"\x03\x01" + CH[6:])
vec("hs_version_not_offered", [(C, rec(22, CH10)), (S, rec(22, SH))],
    "TLS_R_VERSION_MISMATCH", S, 5 + len(SH) - 1)
vec("hs_version_not_offered_13", [(C, rec(22, CH)), (S, rec(22, SH13))],
    "TLS_R_VERSION_MISMATCH", S, 5 + len(SH13) - 1)
# the record version changes after the ServerHello
vec("hs_version_record", [(C, rec(22, CH)), (S, rec(22, SH + SHD)),
                          (C, rec(22, CKE, (3, 1)))],
    "TLS_R_VERSION_MISMATCH", C, len(CH) + 5 + 2)
vec("hs_version_record_13", [(C, rec(22, CH13, (3, 1))),
                             (S, rec(22, SH13) + CCS + rec(23, HI, (3, 1)))],
    "TLS_R_VERSION_MISMATCH", S, 5 + len(SH13) + 6 + 2)
# downgrade sentinel: 1.3 offered, 1.2 selected with DOWNGRD\x01
DG = HI[:24] + b"DOWNGRD\x01"
vec("hs_downgrade", [(C, rec(22, CH13, (3, 1))),
                     (S, rec(22, server_hello(rnd=DG, suite=b"\xc0\x2f")))],
    "TLS_R_DOWNGRADE", S, 5 + len(SH) - 1)
# near miss: the sentinel when 1.3 was not offered
vec("hs_downgrade_not_offered",
    [(C, rec(22, CH)), (S, rec(22, server_hello(rnd=DG) + SHD))])
# lengths that do not nest: extension block, extension, SNI list
bad_ext = bytearray(client_hello(SNI))
bad_ext[4 + 41] += 1                    # extension block 1 longer
vec("hs_ext_block_len", [(C, rec(22, bytes(bad_ext)))],
    "TLS_R_HS_MALFORMED", C, 5 + 4 + 41 + 1)
bad_sni = bytearray(client_hello(SNI + ALPN))
bad_sni[4 + 43 + 3] += 40               # server_name longer than the block
vec("hs_ext_len", [(C, rec(22, bytes(bad_sni)))],
    "TLS_R_HS_MALFORMED", C, 5 + 4 + 43 + 3)
bad_sv = client_hello(ext(0x002b, b"\x03\x03\x04\x03"))
vec("hs_sv_odd", [(C, rec(22, bad_sv))], "TLS_R_HS_MALFORMED", C,
    5 + 4 + 43 + 4)
# an SNI that is an IPv4 literal and an SCSV: facts only, no verdict
vec("hs_sni_ip_scsv", [(C, rec(22, client_hello(SNI_IP, b"\xc0\x2f\x56\x00"))),
                       (S, rec(22, server_hello(suite=b"\xc0\x2f") + SHD))])

# ---- the rule set (tls_rules.h): each rule at the last byte of its
# hello, and a near miss; PR(...) is PHS with those rules
def last(m):
    return 5 + len(m) - 1       # a hello alone at the start of a record


PRULE = "PR(%s)"
vec("hs_rule_min_version", full12, "TLS_R_MIN_VERSION", S, last(SH),
    PRULE % ".min_version = TLS_V_TLS13")
vec("hs_rule_min_version_near", full12, pol=PRULE % ".min_version = TLS_V_TLS12")
vec("hs_rule_min_offer", full12, "TLS_R_MIN_OFFER", C, last(CH),
    PRULE % ".min_version = TLS_V_TLS13, .min_offer = 1")
vec("hs_rule_min_offer_near", full13,
    pol=PRULE % ".min_version = TLS_V_TLS13, .min_offer = 1")
vec("hs_rule_no_sni", full12, "TLS_R_NO_SNI", C, last(CH), PRULE % ".no_sni = 1")
vec("hs_rule_no_sni_near", full13, pol=PRULE % ".no_sni = 1")
CH_IP = client_hello(SNI_IP, b"\xc0\x2f\x56\x00")
SH_C02F = server_hello(suite=b"\xc0\x2f")
sni_ip = [(C, rec(22, CH_IP)), (S, rec(22, SH_C02F + SHD))]
vec("hs_rule_sni_ip", sni_ip, "TLS_R_SNI_IP", C, last(CH_IP),
    PRULE % ".sni_ip = 1")
vec("hs_rule_sni_ip_near", full13, pol=PRULE % ".sni_ip = 1")
vec("hs_rule_ech_require", full13, "TLS_R_ECH_REQUIRE", C, last(CH13),
    PRULE % ".ech = TLS_ECH_REQUIRE")
ECH = ext(0xfe0d, b"\x00" + HI)        # an outer ClientHello's extension
CH13E = client_hello(SNI + ALPN + SV13 + KS + ECH, b"\x13\x01")
full13e = [(C, rec(22, CH13E))] + full13[1:]
vec("hs_rule_ech_require_near", full13e, pol=PRULE % ".ech = TLS_ECH_REQUIRE")
vec("hs_rule_ech_deny", full13e, "TLS_R_ECH_DENY", C, last(CH13E),
    PRULE % ".ech = TLS_ECH_DENY")
vec("hs_rule_ech_deny_near", full13, pol=PRULE % ".ech = TLS_ECH_DENY")
SH_3DES = server_hello(suite=b"\x00\x0a")
des = [(C, rec(22, client_hello(SNI, b"\x00\x0a\xc0\x2f"))),
       (S, rec(22, SH_3DES + SHD))]
vec("hs_rule_cipher_class", des, "TLS_R_CIPHER_CLASS", S, last(SH_3DES),
    PRULE % ".cipher_deny = TLS_CC_DES | TLS_CC_NULL")
vec("hs_rule_cipher_class_near", des,
    pol=PRULE % ".cipher_deny = TLS_CC_ALL & ~TLS_CC_DES")
vec("hs_rule_cipher_list", sni_ip, "TLS_R_CIPHER_LIST", S, last(SH_C02F),
    PRULE % ".cipher_list = rules_deny_c02f, .cipher_n = 1")
vec("hs_rule_cipher_list_near", sni_ip,
    pol=PRULE % ".cipher_list = rules_deny_c030, .cipher_n = 1")


def sni_list(*names):
    lst = b"".join(b"\x00" + bytes([len(n) >> 8, len(n) & 0xff]) + n
                   for n in names)
    return ext(0x0000, bytes([len(lst) >> 8, len(lst) & 0xff]) + lst)


# two host_names (RFC 6066 3 allows one), and a byte outside the
# hostname alphabet; the near misses: one name; '_' and upper case
CH_2N = client_hello(sni_list(b"example.com", b"evil.example"))
CH_1N = client_hello(sni_list(b"Example_host.com"))
CH_ODD = client_hello(sni_list(b"exa*mple.com"))
two = [(C, rec(22, CH_2N)), (S, rec(22, SH + SHD))]
vec("hs_rule_sni_multi", two, "TLS_R_SNI_MULTI", C, last(CH_2N),
    PRULE % ".sni_multi = 1")
vec("hs_rule_sni_multi_off", two, pol=PRULE % ".sni_odd = 1")
vec("hs_rule_sni_multi_near", [(C, rec(22, CH_1N)), (S, rec(22, SH + SHD))],
    pol=PRULE % ".sni_multi = 1, .sni_odd = 1")
vec("hs_rule_sni_odd", [(C, rec(22, CH_ODD)), (S, rec(22, SH + SHD))],
    "TLS_R_SNI_ODD", C, last(CH_ODD), PRULE % ".sni_odd = 1")
vec("hs_rule_sni_odd_off", [(C, rec(22, CH_ODD)), (S, rec(22, SH + SHD))],
    pol=PRULE % ".sni_multi = 1")
# a second entry whose length runs past the list: malformed at its last
# length byte (5 record + 4 message + 43 fixed + 4 extension header +
# 2 list length + 3 + 11 first entry + 3 second entry header - 1)
bad2 = client_hello(ext(0x0000, b"\x00\x15\x00\x00\x0bexample.com"
                        b"\x00\x00\x09abcd"))
vec("hs_sni_second_cut", [(C, rec(22, bad2))], "TLS_R_HS_MALFORMED", C,
    5 + 4 + 43 + 4 + 2 + 14 + 3 - 1)

# an entry of a type other than host_name (none is defined): read as a
# 2-byte length and bytes, as servers that skip such types do, so a
# host_name after it is still read; it makes the hello odd (sni_odd).
# The near misses: sni_multi does not count it as a second name, and an
# empty one is well formed.  Cut: its length runs past the list.
OTHER = b"\x01\x00\x03abc"
sni_oth = ext(0x0000, b"\x00\x14" + OTHER + b"\x00\x00\x0bexample.com")
CH_OTH = client_hello(sni_oth)
oth = [(C, rec(22, CH_OTH)), (S, rec(22, SH + SHD))]
vec("hs_rule_sni_other_type", oth, "TLS_R_SNI_ODD", C, last(CH_OTH),
    PRULE % ".sni_odd = 1")
vec("hs_rule_sni_other_type_near", oth, pol=PRULE % ".sni_multi = 1")
CH_OTH0 = client_hello(ext(0x0000, b"\x00\x11\x02\x00\x00"
                           b"\x00\x00\x0bexample.com"))
vec("hs_sni_other_empty", [(C, rec(22, CH_OTH0)), (S, rec(22, SH + SHD))])
bad_oth = client_hello(ext(0x0000, b"\x00\x14\x00\x00\x0bexample.com"
                           b"\x07\x00\x07abc"))
vec("hs_sni_other_cut", [(C, rec(22, bad_oth))], "TLS_R_HS_MALFORMED", C,
    5 + 4 + 43 + 4 + 2 + 14 + 3 - 1)

# ---- issue 16, second part: for each handshake reason, cases that fire
# it, each paired with the closest legitimate transcript (tests/unit/
# test_handshake.c holds the table of pairs).  fire(name, reason, steps,
# k, i): the deciding byte is byte i of step k, so its stream offset is
# what the earlier steps of that direction sent, plus i.
def fire(name, reason, steps, k, i, pol="PHS"):
    d = steps[k][0]
    off = sum(len(b) for dd, b in steps[:k] if dd == d) + i
    assert 0 <= i < len(steps[k][1])
    vec(name, steps, reason, d, off, pol)


def near(name, steps, pol="PHS"):
    vec(name, steps, pol=pol)


ALERT = rec(21, b"\x01\x00")            # warning close_notify
ALERT0 = rec(21, b"\x01\x00", (0, 0))   # the same, record version 0x0000
assert ALERT0 == bytes.fromhex("15000000020100")  # nDPI alexa-app.pcapng
CR = msg(13, b"\x01\x01\x00\x00")
CV = msg(15, b"\x04\x03\x00\x01\x80")
SKE = msg(12, HI[:8])
NST = msg(4, b"\x00\x00\x00\x10\x00\x02\x80\x81")
CHE = CH13E0                            # offers 1.3, early_data
SHD_FL = SH + CERT + SHD                # a full TLS 1.2 server flight
CHS = client_hello(sid=SID, suites=b"\xc0\x2f")
SHS = server_hello(sid=SID, suite=b"\xc0\x2f")

# hs_direction: a message of the other side's type
fire("hp_dir_sh_from_client", "TLS_R_HS_DIRECTION", [(C, rec(22, SH))], 0, 5)
near("hp_dir_sh_from_client_near", [(C, rec(22, CH)), (S, rec(22, SH + SHD))])
fire("hp_dir_cr_from_client", "TLS_R_HS_DIRECTION",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)), (C, rec(22, CR + CKE))], 2, 5)
near("hp_dir_cr_from_client_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT + CR + SHD)),
      (C, rec(22, CERT + CKE) + CCS + FIN), (S, CCS + FIN)])
fire("hp_dir_cke_from_server", "TLS_R_HS_DIRECTION",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT + CKE + SHD))],
     1, 5 + len(SH + CERT))
near("hp_dir_cke_from_server_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT + SKE + SHD))])
fire("hp_dir_eoed_from_server", "TLS_R_HS_DIRECTION",
     [(C, rec(22, CH13)), (S, rec(22, msg(5, b"")))], 1, 5)
near("hp_dir_eoed_from_server_near", [(C, rec(22, CH13)), (S, rec(22, SH13))])

# hs_malformed: types, lengths
fire("hp_mal_type", "TLS_R_HS_MALFORMED", [(C, rec(22, msg(99, b"")))], 0, 5)
near("hp_mal_type_near", [(C, rec(22, CH))])
fire("hp_mal_shd_body", "TLS_R_HS_MALFORMED",
     [(C, rec(22, CH)), (S, rec(22, SH + msg(14, b"\x00")))],
     1, 5 + len(SH) + 3)
near("hp_mal_shd_body_near", [(C, rec(22, CH)), (S, rec(22, SH + SHD))])
# (a ClientHello one byte over the limit: hs_ch_too_big vs hs_ch_max)
fire("hp_mal_sid33", "TLS_R_HS_MALFORMED",
     [(C, rec(22, client_hello(sid=bytes(33))))], 0, 5 + 4 + 2 + 32)
near("hp_mal_sid33_near", [(C, rec(22, client_hello(sid=bytes(32))))])
fire("hp_mal_ext_block", "TLS_R_HS_MALFORMED", [(C, rec(22, bytes(bad_ext)))],
     0, 5 + 4 + 41 + 1)
near("hp_mal_ext_block_near", [(C, rec(22, client_hello(SNI)))])

# hs_interleave: another record inside a message
fire("hp_il_ccs_in_ch", "TLS_R_HS_INTERLEAVE",
     [(C, rec(22, CH13[:10]) + CCS + rec(22, CH13[10:]))], 0, 15)
near("hp_il_ccs_in_ch_near", [(C, rec(22, CH13[:10]) + rec(22, CH13[10:]) +
                               CCS)])
fire("hp_il_alert_in_sh", "TLS_R_HS_INTERLEAVE",
     [(C, rec(22, CH)), (S, rec(22, SH[:7]) + ALERT + rec(22, SH[7:]))], 1, 12)
near("hp_il_alert_in_sh_near",
     [(C, rec(22, CH)), (S, rec(22, SH[:7]) + rec(22, SH[7:]) + ALERT)])
fire("hp_il_app_in_cert", "TLS_R_HS_INTERLEAVE",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT[:3]) + APP)],
     1, 5 + len(SH) + 3)
near("hp_il_app_in_cert_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT[:3]) + rec(22, CERT[3:] + SHD))])

# early_server: a server record before the whole ClientHello; the one
# exception, a 2-byte alert to a client that sent nothing (record version
# 0x0000 allowed), after which the server sends alerts only
fire("hp_es_sh_first", "TLS_R_EARLY_SERVER", [(S, rec(22, SH))], 0, 0)
near("hp_es_sh_first_near", [(C, rec(22, CH)), (S, rec(22, SH))])
fire("hp_es_in_ch", "TLS_R_EARLY_SERVER",
     [(C, rec(22, CH[:30])), (S, rec(22, SH))], 1, 0)
near("hp_es_in_ch_near",
     [(C, rec(22, CH[:30])), (C, rec(22, CH[30:])), (S, rec(22, SH))])
fire("hp_es_alert_in_ch", "TLS_R_EARLY_SERVER",
     [(C, rec(22, CH[:30])), (S, ALERT0)], 1, 0)
near("hp_es_alert_in_ch_near", [(S, ALERT0), (C, rec(22, CH[:30]))])
fire("hp_es_alert_len3", "TLS_R_EARLY_SERVER",
     [(S, rec(21, b"\x01\x00\x00", (0, 0)))], 0, 4)
near("hp_es_alert_len3_near", [(S, ALERT0)])
fire("hp_es_alert_then_sh", "TLS_R_EARLY_SERVER",
     [(S, ALERT0), (C, rec(22, CH)), (S, rec(22, SH))], 2, 0)
near("hp_es_alert_then_sh_near",
     [(S, ALERT0 + ALERT), (C, rec(22, CH)), (S, ALERT0)])
fire("hp_es_v0_handshake", "TLS_R_EARLY_SERVER",
     [(S, rec(22, SH, (0, 0)))], 0, 0)
near("hp_es_v0_handshake_near", [(S, ALERT0)])
fire("hp_es_heartbeat_first", "TLS_R_EARLY_SERVER",
     [(S, rec(24, b"\x01\x00\x00" + HI[:16]))], 0, 0)
near("hp_es_heartbeat_first_near", [(S, ALERT)])
# record version 0x0000: only for that alert, and only with the layer on
fire("hp_rv_v0_minor", "TLS_R_RECORD_VERSION",
     [(S, rec(21, b"\x01\x00", (0, 3)))], 0, 2)
near("hp_rv_v0_minor_near", [(S, ALERT0)])
fire("hp_rv_v0_client", "TLS_R_RECORD_VERSION",
     [(C, rec(21, b"\x01\x00", (0, 0)))], 0, 1)
near("hp_rv_v0_client_near", [(C, ALERT + rec(22, CH))])
fire("hp_rv_v0_after_ch", "TLS_R_RECORD_VERSION",
     [(C, rec(22, CH)), (S, rec(21, b"\x02\x28", (0, 0)))], 1, 1)
near("hp_rv_v0_after_ch_near", [(C, rec(22, CH)), (S, rec(21, b"\x02\x28"))])
fire("hp_rv_v0_layer_off", "TLS_R_RECORD_VERSION", [(S, ALERT0)], 0, 1,
     pol="PDEF")
near("hp_rv_v0_layer_off_near", [(S, ALERT0)])

# hs_order: across both directions (tls_handshake.c, rules C1-F6)
fire("hp_ord_c_ccs_first", "TLS_R_HS_ORDER", [(C, CCS + rec(22, CH13))], 0, 0)
near("hp_ord_c_ccs_first_near", [(C, ALERT + rec(22, CH13) + CCS)])
fire("hp_ord_c_app_first", "TLS_R_HS_ORDER", [(C, APP + rec(22, CHE))], 0, 0)
near("hp_ord_c_app_first_near", [(C, rec(22, CHE) + APP)])
fire("hp_ord_c_ccs_12", "TLS_R_HS_ORDER", [(C, rec(22, CH) + CCS)],
     0, 5 + len(CH))
near("hp_ord_c_ccs_12_near", [(C, rec(22, CH13) + CCS)])
fire("hp_ord_0rtt_no_ext", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13) + CCS + APP)], 0, 5 + len(CH13) + 6)
near("hp_ord_0rtt_no_ext_near", [(C, rec(22, CHE) + CCS + APP),
                                 (S, rec(22, SH13) + CCS + APP), (C, APP)])
fire("hp_ord_ch2_no_hrr", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13) + rec(22, CH13))], 0, 5 + len(CH13) + 5)
near("hp_ord_ch2_no_hrr_near", hrr)
fire("hp_ord_ch2_hrr_partial", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13)), (S, rec(22, HRR[:20])), (C, rec(22, CH13))], 2, 5)
near("hp_ord_ch2_hrr_partial_near",
     [(C, rec(22, CH13)), (S, rec(22, HRR[:20])), (S, rec(22, HRR[20:])),
      (C, rec(22, CH13))])
fire("hp_ord_s_first_cert", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, CERT))], 1, 5)
near("hp_ord_s_first_cert_near", [(C, rec(22, CH)), (S, rec(22, SH + CERT))])
fire("hp_ord_s_sh_before_ch2", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13)), (S, rec(22, HRR) + CCS),
      (C, CCS + rec(22, CH13[:40])), (S, rec(22, SH13))], 3, 5)
near("hp_ord_s_sh_before_ch2_near",
     [(C, rec(22, CH13)), (S, rec(22, HRR) + CCS),
      (C, CCS + rec(22, CH13[:40])), (C, rec(22, CH13[40:])),
      (S, rec(22, SH13))])
fire("hp_ord_s_ccs_before_sh", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13)), (S, CCS + rec(22, SH13))], 1, 0)
near("hp_ord_s_ccs_before_sh_near",
     [(C, rec(22, CH13)), (S, rec(22, SH13) + CCS)])
fire("hp_ord_s_app_before_sh", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13)), (S, APP)], 1, 0)
near("hp_ord_s_app_before_sh_near",
     [(C, rec(22, CH13)), (S, rec(22, SH13) + APP)])
# after the HelloRetryRequest's CCS and an alert the server's next record
# is at a plain record boundary (the engine's fast path for application
# data headers): still judged
fire("hp_ord_s_app_after_hrr", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13)), (S, rec(22, HRR) + CCS + ALERT + APP)],
     1, 5 + len(HRR) + 6 + len(ALERT))
near("hp_ord_s_app_after_hrr_near",
     [(C, rec(22, CH13)), (S, rec(22, HRR) + CCS + ALERT),
      (C, CCS + rec(22, CH13)), (S, rec(22, SH13) + APP)])
fire("hp_ord_c_app_after_alert", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13) + CCS + ALERT + APP)],
     0, 5 + len(CH13) + 6 + len(ALERT))
near("hp_ord_c_app_after_alert_near", [(C, rec(22, CHE) + CCS + ALERT + APP)])
fire("hp_ord_tls13_plain_cert", "TLS_R_HS_ORDER",
     [(C, rec(22, CH13)), (S, rec(22, SH13 + CERT))], 1, 5 + len(SH13))
near("hp_ord_tls13_plain_cert_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT))])
fire("hp_ord_cert_after_shd", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SH + SHD + CERT))],
     1, 5 + len(SH + SHD))
near("hp_ord_cert_after_shd_near", [(C, rec(22, CH)), (S, rec(22, SHD_FL))])
fire("hp_ord_cke_before_shd", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT)), (C, rec(22, CKE))], 2, 5)
near("hp_ord_cke_before_shd_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT)), (S, rec(22, SHD)),
      (C, rec(22, CKE))])
fire("hp_ord_ccert_no_cr", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)), (C, rec(22, CERT + CKE))], 2, 5)
near("hp_ord_ccert_no_cr_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT + CR + SHD)),
      (C, rec(22, CERT + CKE))])
fire("hp_ord_cv_no_cert", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT + CR + SHD)),
      (C, rec(22, CKE + CV))], 2, 5 + len(CKE))
near("hp_ord_cv_no_cert_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT + CR + SHD)),
      (C, rec(22, CERT + CKE + CV))])
fire("hp_ord_nst_before_cfin", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)), (C, rec(22, CKE) + CCS),
      (S, rec(22, NST))], 3, 5)
near("hp_ord_nst_before_cfin_near",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)), (C, rec(22, CKE) + CCS + FIN),
      (S, rec(22, NST) + CCS + FIN)])
fire("hp_ord_s_ccs_before_cfin", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)), (C, rec(22, CKE)), (S, CCS)],
     3, 0)
near("hp_ord_s_ccs_before_cfin_near", full12)
fire("hp_ord_s_ccs_cfin_partial", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)),
      (C, rec(22, CKE) + CCS + FIN[:10]), (S, CCS)], 3, 0)
near("hp_ord_s_ccs_cfin_partial_near",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)),
      (C, rec(22, CKE) + CCS + FIN[:10]), (C, FIN[10:]), (S, CCS + FIN)])
fire("hp_ord_s_ccs_partial_flight", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT) + CCS)],
     1, 5 + len(SH + CERT))
near("hp_ord_s_ccs_partial_flight_near",
     [(C, rec(22, CHS)), (S, rec(22, SHS) + CCS + FIN), (C, CCS + FIN)])
near("hp_ord_abbr_ticket_near",
     [(C, rec(22, CHS)), (S, rec(22, SHS + NST) + CCS + FIN),
      (C, CCS + FIN + APP), (S, APP)])
fire("hp_ord_c_ccs_before_shd", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT)), (C, CCS)], 2, 0)
near("hp_ord_c_ccs_before_shd_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT)), (S, rec(22, SHD)),
      (C, rec(22, CKE) + CCS + FIN)])
fire("hp_ord_c_ccs_no_cert", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT + CR + SHD)),
      (C, rec(22, CKE) + CCS)], 2, 5 + len(CKE))
near("hp_ord_c_ccs_no_cert_near",
     [(C, rec(22, CH)), (S, rec(22, SH + CERT + CR + SHD)),
      (C, rec(22, CERT + CKE) + CCS + FIN), (S, CCS + FIN)])
# SSL 3.0 answers a CertificateRequest with a no_certificate alert
V30 = (3, 0)
near("hp_ord_c_ccs_no_cert_ssl3_near",
     [(C, rec(22, CH)),
      (S, rec(22, server_hello(ver=b"\x03\x00") + CERT + CR + SHD)),
      (C, rec(21, b"\x01\x29", V30) + rec(22, CKE, V30) +
       rec(20, b"\x01", V30) + rec(22, HI[:16], V30)),
      (S, rec(20, b"\x01", V30) + rec(22, HI[:16], V30))])
fire("hp_ord_abbr_c_ccs_early", "TLS_R_HS_ORDER",
     [(C, rec(22, CHS)), (S, rec(22, SHS) + CCS), (C, CCS)], 2, 0)
near("hp_ord_abbr_c_ccs_early_near",
     [(C, rec(22, CHS)), (S, rec(22, SHS) + CCS + FIN),
      (C, CCS + FIN + APP), (S, APP)])
fire("hp_ord_abbr_fin_partial", "TLS_R_HS_ORDER",
     [(C, rec(22, CHS)), (S, rec(22, SHS) + CCS + FIN[:10]), (C, CCS)], 2, 0)
near("hp_ord_abbr_fin_partial_near",
     [(C, rec(22, CHS)), (S, rec(22, SHS) + CCS + FIN[:10]), (S, FIN[10:]),
      (C, CCS)])
fire("hp_ord_s_app_plain_12", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL) + APP)], 1, 5 + len(SHD_FL))
near("hp_ord_s_app_plain_12_near", full12)
# False Start: the client's data after its Finished, before the server's
fire("hp_ord_c_app_plain_12", "TLS_R_HS_ORDER",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)), (C, rec(22, CKE) + APP)],
     2, 5 + len(CKE))
near("hp_ord_c_app_plain_12_near",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)),
      (C, rec(22, CKE) + CCS + FIN + APP), (S, CCS + FIN), (S, APP)])

# version_mismatch
fire("hp_ver_not_offered", "TLS_R_VERSION_MISMATCH",
     [(C, rec(22, CH10)), (S, rec(22, SH))], 1, 5 + len(SH) - 1)
near("hp_ver_not_offered_near", [(C, rec(22, CH)), (S, rec(22, SH))])
fire("hp_ver_13_not_offered", "TLS_R_VERSION_MISMATCH",
     [(C, rec(22, CH)), (S, rec(22, SH13))], 1, 5 + len(SH13) - 1)
near("hp_ver_13_not_offered_near", [(C, rec(22, CH13)), (S, rec(22, SH13))])
fire("hp_ver_client_record", "TLS_R_VERSION_MISMATCH",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)), (C, rec(22, CKE, (3, 1)))], 2, 2)
near("hp_ver_client_record_near",
     [(C, rec(22, CH)), (S, rec(22, SHD_FL)), (C, rec(22, CKE))])
fire("hp_ver_server_record", "TLS_R_VERSION_MISMATCH",
     [(C, rec(22, CH)), (S, rec(22, SH) + rec(22, CERT + SHD, (3, 1)))],
     1, 5 + len(SH) + 2)
near("hp_ver_server_record_near",
     [(C, rec(22, CH)), (S, rec(22, SH) + rec(22, CERT + SHD))])
HRR_NOSV = server_hello(ext(0x0033, b"\x00\x17"), rnd=HRR_RND)
fire("hp_ver_hrr_no_sv", "TLS_R_VERSION_MISMATCH",
     [(C, rec(22, CH13)), (S, rec(22, HRR_NOSV))], 1, 5 + len(HRR_NOSV) - 1)
near("hp_ver_hrr_no_sv_near", [(C, rec(22, CH13)), (S, rec(22, HRR))])

# downgrade: the RFC 8446 4.1.3 sentinel, a second HelloRetryRequest
fire("hp_dg_sentinel12", "TLS_R_DOWNGRADE",
     [(C, rec(22, CH13)), (S, rec(22, server_hello(rnd=DG, suite=b"\xc0\x2f")))],
     1, 5 + len(SH) - 1)
near("hp_dg_sentinel12_near",
     [(C, rec(22, CH)), (S, rec(22, server_hello(rnd=DG) + SHD))])
SV13_11 = ext(0x002b, b"\x06\x03\x04\x03\x03\x03\x02")
CH13_11 = client_hello(SV13_11 + KS, b"\x13\x01\xc0\x2f")
SH11 = server_hello(rnd=HI[:24] + b"DOWNGRD\x00", suite=b"\xc0\x2f",
                    ver=b"\x03\x02")
SH11_NEAR = server_hello(rnd=HI[:24] + b"DOWNGRD\x02", suite=b"\xc0\x2f",
                         ver=b"\x03\x02")
fire("hp_dg_sentinel11", "TLS_R_DOWNGRADE",
     [(C, rec(22, CH13_11)), (S, rec(22, SH11))], 1, 5 + len(SH11) - 1)
near("hp_dg_sentinel11_near", [(C, rec(22, CH13_11)), (S, rec(22, SH11_NEAR))])
fire("hp_dg_hrr_twice", "TLS_R_DOWNGRADE",
     [(C, rec(22, CH13)), (S, rec(22, HRR) + CCS),
      (C, CCS + rec(22, CH13)), (S, rec(22, HRR))], 3, 5 + len(HRR) - 1)
near("hp_dg_hrr_twice_near", hrr)

out = sys.stdout
out.write("/* SPDX-License-Identifier: GPL-2.0 */\n")
out.write("/* Generated by gen_hs.py: do not edit. */\n")
out.write("#ifndef HS_VECTOR_ROWS\n")
for name, steps, *_ in vectors:
    for i, (d, b) in enumerate(steps):
        out.write("static const u8 %s_%d[] = {" % (name, i))
        for j, x in enumerate(b):
            out.write(("\n\t" if j % 12 == 0 else " ") + "0x%02x," % x)
        out.write("\n};\n")
    out.write("static const struct tls_vec_step %s[] = {\n" % name)
    for i, (d, b) in enumerate(steps):
        out.write("\tSTEP(%s, %s_%d),\n" % ("C" if d == C else "S", name, i))
    out.write("};\n")
out.write("#else\n")
for name, steps, pol, reason, d, off in vectors:
    out.write('\tVEC("%s", %s, %s, %s, %s, %d),\n' %
              (name, name, pol, reason, "C" if d == C else "S", off))
out.write("#endif\n")
