/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequence-tracking cases (tls_seq.c) shared by the userspace unit tests
 * (tests/unit/test_seq.c) and the KUnit suite (one parameter per case).
 * Pure C data and a runner: includes only the engine's headers.
 */
#ifndef _TLS_SEQ_CASES_H
#define _TLS_SEQ_CASES_H

#include "../../tls_seq.h"

enum tls_seq_op {
	SEQ_OP_INIT,	/* start a new (zeroed) flow */
	SEQ_OP_SEG,	/* tls_seq_segment(): want action, and skip on NEW */
	SEQ_OP_ADV,	/* tls_seq_advance(dir, len) */
	SEQ_OP_NEXT,	/* dir's next sequence number must be seq */
	SEQ_OP_OFF,	/* len 1: both directions stopped; 0: neither */
	SEQ_OP_FEED_OK,	/* garbage fed to dir must be accepted (stopped flow) */
	SEQ_OP_FATE,	/* tls_seg_begin(), tls_feed() of payload pl, tls_seg_end() */
	SEQ_OP_QUIET,	/* tls_seg_quiet(tcp flags) must be len (0 or 1) */
};

/* SEQ_OP_FATE: the payloads a step may carry (tls_seq_step.pl). */
enum tls_seq_payload {
	PL_NONE,	/* len junk bytes (never fed in a passing case) */
	PL_HS,		/* a complete 10-byte plaintext handshake record */
	PL_HB,		/* a Heartbleed request record (8 bytes) */
	PL_HDR3,	/* the first 3 bytes of a handshake record header */
	PL_V2HELLO,	/* an SSLv2-format compatibility CLIENT-HELLO (11 bytes) */
	PL_MAX
};

/* SEQ_OP_FATE: expected outcome bits (tls_seq_step.out). */
#define FATE_DROP	0x01	/* tls_seg.drop */
#define FATE_KILL	0x02	/* tls_seg.kill */
#define FATE_REJ	0x04	/* tls_seg.syn_data_rejected */
#define FATE_NEW	0x08	/* tls_seg.new_flow */
#define FATE_RAISE	0x10	/* tls_seg.raise_ack */

struct tls_seq_step {
	u8 op;		/* enum tls_seq_op */
	u8 dir;
	u8 syn;
	u8 gap;		/* enum tls_gap_policy */
	u8 want;	/* enum tls_seq_action */
	u32 seq;
	u32 len;	/* FATE: ignored unless pl is PL_NONE */
	u32 skip;	/* SEG, FATE: skip on NEW; FATE: rcv_nxt on kill or dead */
	/* SEQ_OP_FATE only */
	u32 ack;
	u32 tsval;	/* with TLS_TCP_TS */
	u32 redge;	/* with TLS_TCP_REDGE */
	u16 tcp;	/* TLS_TCP_* */
	u8 ttl;		/* the segment's TTL (0 means 64) */
	u8 why;		/* enum tls_drop wanted */
	u8 out;		/* FATE_* wanted */
	u8 pl;		/* enum tls_seq_payload */
	u8 reason;	/* enum tls_reason the feed must give */
	u8 audit;	/* policy audit */
	u8 hs;		/* policy handshake (0: the record layer alone) */
};

struct tls_seq_case {
	const char *name;
	const struct tls_seq_step *steps;
	unsigned int nsteps;
};

extern const struct tls_seq_case tls_seq_cases[];
extern const unsigned int tls_seq_ncases;

/* What the first failing step of a case got. */
struct tls_seq_fail {
	unsigned int step;	/* index in steps[] */
	u32 action;		/* SEG: the action returned */
	u32 value;		/* SEG: skip; NEXT: next_seq; OFF: flags; FEED: reason;
				 * FATE: why << 24 | out << 16 | reason */
};

/* True if every step of c holds; else false and *fail says where. */
bool tls_seq_case_run(const struct tls_seq_case *c, struct tls_seq_fail *fail);

/* Short name of an action ("NEW", ...), never NULL. */
const char *tls_seq_action_name(u32 a);

#endif /* _TLS_SEQ_CASES_H */
