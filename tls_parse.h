/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS/SSLv2 record-stream engine: a push parser for both directions of
 * one TCP flow.  Pure C: it includes nothing but tls_types.h, so the same
 * object code runs in the kernel module, the userspace tests, the fuzzer,
 * the benchmark, the offline replay tool and KUnit.
 *
 * Direction 0 is the side that opened the TCP connection (the client,
 * conntrack's IP_CT_DIR_ORIGINAL); direction 1 is the server (IP_CT_DIR_REPLY).
 *
 * The whole per-flow state is struct tls_flow, 72 bytes; what of it a flow
 * holds before the server's SYN-ACK fits 24 (struct tls_flow_early,
 * tls_seq.h), which the kernel keeps in nf_conn_help.data (32 bytes)
 * beside a pointer to the whole state.  Build-time assertions keep both.
 */
#ifndef _TLS_PARSE_H
#define _TLS_PARSE_H

#include "tls_types.h"
#include "tls_rules.h"

#define TLS_DIR_CLIENT	0
#define TLS_DIR_SERVER	1

/* Why a flow was judged hostile.  Stable numbers: counters and logs use them. */
enum tls_reason {
	TLS_OK = 0,
	TLS_R_RECORD_TYPE,	/* unknown record content type */
	TLS_R_RECORD_VERSION,	/* record version is not SSL 3.0 / TLS 1.0-1.3 */
	TLS_R_RECORD_LENGTH,	/* record over the RFC limit, or empty where forbidden */
	TLS_R_CCS,		/* plaintext ChangeCipherSpec other than the byte 1 */
	TLS_R_HB_FORBIDDEN,	/* heartbeat record while the policy drops them all */
	TLS_R_HB_TYPE,		/* plaintext heartbeat neither request nor response */
	TLS_R_HB_LENGTH,	/* payload_length + 3 + 16 > record length: Heartbleed */
	TLS_R_HB_INFLIGHT,	/* a second request while one is outstanding */
	TLS_R_HB_UNSOLICITED,	/* response with no outstanding request, or not matching it */
	TLS_R_HB_LEAK,		/* encrypted response longer than the request it answers */
	TLS_R_HB_TLS13,		/* heartbeat record on a TLS 1.3 flow */
	TLS_R_LOWRUN,		/* run of bytes < 0x80 reached the limit in encrypted data */
	TLS_R_SSLV2_DIRECTION,	/* SSLv2 message sent by the wrong side */
	TLS_R_SSLV2_FORBIDDEN,	/* real SSLv2 session while SSLv2 is not allowed */
	TLS_R_SSLV2_MALFORMED,	/* SSLv2 header, padding or message type invalid */
	TLS_R_SSLV2_EARLY,	/* client record after its SSLv2 hello, before the server spoke */
	/* the handshake layer (tls_handshake.c), policy handshake = 1 */
	TLS_R_HS_DIRECTION,	/* handshake message type the sender's side never sends */
	TLS_R_HS_MALFORMED,	/* unknown message type, length that does not nest or bound */
	TLS_R_HS_INTERLEAVE,	/* other record (CCS too) inside a handshake message */
	TLS_R_EARLY_SERVER,	/* server record before the client's ClientHello is complete */
	TLS_R_HS_ORDER,		/* handshake message out of order (RFC 5246, RFC 8446) */
	TLS_R_VERSION_MISMATCH,	/* version selected or used that the hellos did not agree */
	TLS_R_DOWNGRADE,	/* RFC 8446 4.1.3 downgrade sentinel, a second HelloRetryRequest */
	/*
	 * The rule set (tls_rules.h, struct tls_policy.rules), at the last
	 * byte of a hello: the rules of enum tls_rule, in its order
	 */
	TLS_R_SNI_DENY,
	TLS_R_SNI_ALLOW,
	TLS_R_NO_SNI,
	TLS_R_SNI_IP,
	TLS_R_SNI_MULTI,
	TLS_R_SNI_ODD,
	TLS_R_ECH_DENY,
	TLS_R_ECH_REQUIRE,
	TLS_R_MIN_OFFER,
	TLS_R_MIN_VERSION,
	TLS_R_CIPHER_CLASS,
	TLS_R_CIPHER_LIST,
	TLS_R_MAX
};

enum tls_hb_policy {
	TLS_HB_VALIDATE = 0,	/* check every heartbeat against RFC 6520 */
	TLS_HB_DROP = 1,	/* any heartbeat record is a violation */
	TLS_HB_ALLOW = 2,	/* heartbeats are not checked at all */
};

/*
 * Run-time knobs, read on every call so that changes apply to live flows.
 * The glue fills this from sysctl; tests and tools from their arguments.
 */
struct tls_policy {
	u32 lowrun_limit;	/* 0 = off; violation when a run reaches it (max 65535) */
	u8 heartbeat;		/* enum tls_hb_policy */
	u8 allow_sslv2;		/* 0: an SSLv2 session is a violation */
	u8 gap;			/* enum tls_gap_policy (tls_seq.h) */
	u8 audit;		/* 1: a violation stops inspection, never drops */
	u8 ttl_floor;		/* 0 = off; drop stream bytes arriving with a lower TTL */
	/*
	 * 1: validate the plaintext handshake messages (tls_handshake.c); 0:
	 * record layer only.  Zero in a zeroed policy, so tests that build
	 * one field by field get the record layer alone; the glue and the
	 * replay tool default to 1 (TLS_HANDSHAKE_DEFAULT).
	 */
	u8 handshake;
	/* the handshake rule set; zeroed: no rule (needs handshake = 1) */
	struct tls_rules rules;
};

/* The reason of a rule of the rule set */
static inline enum tls_reason tls_rule_reason(enum tls_rule r)
{
	return r == TLS_RULE_NONE ? TLS_OK :
	       (enum tls_reason)(TLS_R_SNI_DENY + r - TLS_RULE_SNI_DENY);
}

TLS_STATIC_ASSERT(TLS_R_MAX - TLS_R_SNI_DENY == TLS_RULE_MAX - TLS_RULE_SNI_DENY,
		  "one reason per rule");

#define TLS_HANDSHAKE_DEFAULT	1

#define TLS_TTL_FLOOR_DEFAULT	8

#define TLS_LOWRUN_DEFAULT	128
#define TLS_LOWRUN_MAX		65535

/* Per-direction flags (struct tls_dir.flags). */
#define TLS_F_ENCRYPTED	0x01	/* this side's records are protected */
#define TLS_F_TLS13	0x02	/* this side speaks TLS 1.3 */
#define TLS_F_SSLV2	0x04	/* this side uses SSLv2 record framing */
#define TLS_F_HB_PEND	0x08	/* this side has a heartbeat request outstanding */
#define TLS_F_SEQ_VALID	0x10	/* next_seq holds the next expected sequence number */
#define TLS_F_V2_SIDHIT	0x20	/* server only: SSLv2 SERVER-HELLO said session-id-hit */
/*
 * Client only, the same bit: the flow's first segment was not the
 * client's SYN (conntrack picked it up mid-stream), so no later SYN may
 * set its sequence start (tls_seq.c).  The parser never sets V2_SIDHIT on
 * the client side: a SERVER-HELLO from the client is a violation.
 */
#define TLS_F_PICKUP	0x20
#define TLS_F_OFF	0x40	/* inspection stopped for this flow (not a violation) */
#define TLS_F_HDR_SEEN	0x80	/* at least one record header started on this side */

/*
 * One direction's state: 16 bytes.  Invariants (the engine keeps them for
 * any input): state is always a valid parser state; rec_left never exceeds
 * the largest record length accepted; nothing in here is ever used as an
 * array index.  Fields are private to the engine except where noted.
 */
struct tls_dir {
	u32 next_seq;	/* tls_seq.c: next TCP sequence number to inspect */
	u16 rec_left;	/* body bytes left in this record (length while in header) */
	u16 run;	/* current run of bytes < 0x80, saturating */
	u16 scratch;	/* partial heartbeat/SSLv2 field; the reason once dead */
	u16 hb_req;	/* outstanding request: payload_length or record length */
	u8 state;	/* parser state (private enum in tls_parse.c) */
	u8 rec_type;	/* content type (or SSLv2 message type) of this record */
	u8 flags;	/* TLS_F_* */
	u8 version;	/* highest version seen: 0x02 SSLv2, 0x30 SSL3, 0x31..0x34 TLS */
};

/*
 * One direction's handshake message layer (tls_handshake.c): 8 bytes.
 * Used only while the flow's handshake layer is on (TLS_HS_ON).
 */
struct tls_hs_dir {
	u32 left;	/* body bytes left of this message; the length so far in it */
	u16 acc;	/* hellos: the 2-byte field being read */
	u8 state;	/* private enum in tls_handshake.c; 0 = at a message start */
	u8 type;	/* HandshakeType of the current message */
};

/*
 * Both directions, and the TCP facts tls_seq.c keeps besides next_seq:
 * per side the highest timestamp value that may have reached the
 * receiver's ts_recent (PAWS).  The kernel keeps this in a per-flow
 * object once the server's SYN-ACK is seen, and the part a flow can
 * hold before that in nf_conn_help.data (struct tls_flow_early).
 *
 * Layout, 72 bytes (44 before the handshake layer):
 *    0  dir[2]      record layer, 16 bytes per side
 *   32  ts_max[2]   tls_seq.c
 *   40  tcp         tls_seq.c
 *   41  hs_flags    TLS_HS_*: handshake layer progress, both sides
 *   42  hs_offered  TLS_V_* versions the ClientHello offered
 *   43  hs_selected TLS_V_* version the ServerHello selected (0: none yet)
 *   44  hs[2]       handshake message layer, 8 bytes per side
 *   60  hs_cipher   cipher suite the ServerHello selected
 *   62  hs_facts    TLS_HF_* facts of the hellos
 *   63  hs_sub      hello being parsed: match bits of its random, SNI
 *   64  hello       the fields of the hello being parsed, 8 bytes
 * One hello area serves both sides: the ClientHello is parsed while the
 * server may not send (early_server), the ServerHello after it, the
 * second ClientHello after a HelloRetryRequest while the server may send
 * no handshake message (hs_order).
 * The record layer's fields keep their offsets of the 44-byte layout, so
 * with the handshake layer off the state is byte for byte the old one
 * (make engine-diff against a revision before it).  A flow that has not
 * passed its server's SYN-ACK holds only struct tls_flow_early, which has
 * no handshake fields: see tls_flow_pack_early().
 */
struct tls_flow {
	struct tls_dir dir[2];
	u32 ts_max[2];	/* valid per side with TLS_FT_TS_SEEN(dir) */
	u8 tcp;		/* TLS_FT_* */
	u8 hs_flags;	/* TLS_HS_* */
	u8 hs_offered;	/* TLS_V_* bits */
	u8 hs_selected;	/* one TLS_V_* bit, or 0 */
	struct tls_hs_dir hs[2];
	u16 hs_cipher;
	u8 hs_facts;	/* TLS_HF_* */
	u8 hs_sub;	/* private bits of tls_handshake.c */
	struct tls_hello {
		u16 cnt;	/* bytes left of the current field or list */
		u16 elen;	/* bytes left of the current extension */
		u16 etype;	/* its type */
		u8 field;	/* private enum in tls_handshake.c */
		u8 spare;
	} hello;
};

/* struct tls_flow.hs_flags */
#define TLS_HS_ON	0x01	/* the layer is on: handshake = 1 at the client's first record */
#define TLS_HS_STOP	0x02	/* switched off for good (policy turned 0 mid-flow) */
#define TLS_HS_CH_DONE	0x04	/* the client's first ClientHello is complete */
#define TLS_HS_SH_DONE	0x08	/* a ServerHello (not a HelloRetryRequest) is complete */
#define TLS_HS_HRR	0x10	/* the server sent a HelloRetryRequest */
#define TLS_HS_CH2	0x20	/* the client's second ClientHello began */
#define TLS_HS_CH2_DONE	0x40	/* and is complete */
#define TLS_HS_DRAFT	0x80	/* a TLS 1.3 draft or experiment was selected */

/* Versions as bits (hs_offered, hs_selected) */
#define TLS_V_SSL3	0x01
#define TLS_V_TLS10	0x02
#define TLS_V_TLS11	0x04
#define TLS_V_TLS12	0x08
#define TLS_V_TLS13	0x10

/* struct tls_flow.hs_facts */
#define TLS_HF_SNI	0x01	/* server_name extension */
#define TLS_HF_SNI_IP	0x02	/* a host_name that is an IPv4/IPv6 literal */
#define TLS_HF_ALPN	0x04	/* application_layer_protocol_negotiation */
#define TLS_HF_ECH	0x08	/* encrypted_client_hello (0xfe0d) */
#define TLS_HF_SCSV	0x10	/* TLS_FALLBACK_SCSV (0x5600) in the cipher suites */
#define TLS_HF_SNI_MULTI 0x20	/* more than one host_name in server_name */
/* a name type other than host_name, or a byte outside [A-Za-z0-9.-_] */
#define TLS_HF_SNI_ODD	0x40

#define TLS_FT_TS_SEEN(dir)	(1U << (dir))	/* ts_max[dir] holds a value */
#define TLS_FT_TS_ON		0x04	/* both SYNs carried timestamps */
#define TLS_FT_ZEROWIN(dir)	(0x08U << (dir))	/* dir's last window was 0 */
#define TLS_FT_WIN_SEEN(dir)	(0x20U << (dir))	/* dir announced a window past its SYN */

TLS_STATIC_ASSERT(sizeof(struct tls_dir) == 16, "tls_dir must stay 16 bytes");
TLS_STATIC_ASSERT(sizeof(struct tls_hs_dir) == 8, "tls_hs_dir must stay 8 bytes");
TLS_STATIC_ASSERT(sizeof(struct tls_flow) <= 72,
		  "tls_flow must stay one small slab object");

/* What one tls_feed() call found, besides its verdict. */
struct tls_result {
	u32 at;		/* on a violation: offset in buf of the deciding byte */
	u32 records;	/* record headers completed during this call */
};

/* A zeroed struct tls_flow is a valid new flow; this is just explicit. */
void tls_flow_init(struct tls_flow *f);

/*
 * Feed the next len bytes of direction dir (0 client, 1 server).  Returns
 * TLS_OK or the reason of the first violation; once a direction has failed
 * the reason is sticky and later calls return it without reading buf.  The
 * verdict and the byte that decided it do not depend on how the stream is
 * split into calls.  res may be NULL.  Never allocates, never recurses,
 * never reads outside buf[0..len).
 */
enum tls_reason tls_feed(struct tls_flow *f, unsigned int dir, const u8 *buf,
			 u32 len, const struct tls_policy *pol,
			 struct tls_result *res);

/* Stop inspecting the flow (not a violation): later feeds return TLS_OK. */
void tls_flow_stop(struct tls_flow *f);

/* A direction had a violation and inspection was not stopped: killed. */
bool tls_flow_dead(const struct tls_flow *f);

/* Short stable identifier of a reason ("hb_length", ...), never NULL. */
const char *tls_reason_name(enum tls_reason r);

/* Version seen on the flow as text ("TLS1.2", "SSLv2", "-"), never NULL. */
const char *tls_flow_version_name(const struct tls_flow *f);

#endif /* _TLS_PARSE_H */
