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
};

struct tls_seq_step {
	u8 op;		/* enum tls_seq_op */
	u8 dir;
	u8 syn;
	u8 gap;		/* enum tls_gap_policy */
	u8 want;	/* enum tls_seq_action */
	u32 seq;
	u32 len;
	u32 skip;
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
	u32 value;		/* SEG: skip; NEXT: next_seq; OFF: flags; FEED: reason */
};

/* True if every step of c holds; else false and *fail says where. */
bool tls_seq_case_run(const struct tls_seq_case *c, struct tls_seq_fail *fail);

/* Short name of an action ("NEW", ...), never NULL. */
const char *tls_seq_action_name(u32 a);

#endif /* _TLS_SEQ_CASES_H */
