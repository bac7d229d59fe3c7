// SPDX-License-Identifier: GPL-2.0
/*
 * Sequence-tracking cases and their runner (see seq_cases.h).  Pure C (no
 * libc): the userspace unit tests and the KUnit suite both build it.
 */
#include "seq_cases.h"

#define INIT		{ .op = SEQ_OP_INIT }
/* segment of dir at seq with len payload bytes, gap policy g */
#define SEG(d, s, l, g, w, k)						\
	{ .op = SEQ_OP_SEG, .dir = d, .seq = s, .len = l,		\
	  .gap = TLS_GAP_##g, .want = TLS_SEQ_##w, .skip = k }
#define SYN(d, s, l, g, w, k)						\
	{ .op = SEQ_OP_SEG, .dir = d, .syn = 1, .seq = s, .len = l,	\
	  .gap = TLS_GAP_##g, .want = TLS_SEQ_##w, .skip = k }
#define ADV(d, n)	{ .op = SEQ_OP_ADV, .dir = d, .len = n }
#define NEXT(d, s)	{ .op = SEQ_OP_NEXT, .dir = d, .seq = s }
#define OFF(yes)	{ .op = SEQ_OP_OFF, .len = yes }
#define FEED_OK(d)	{ .op = SEQ_OP_FEED_OK, .dir = d }
/* both directions start at the given initial sequence numbers */
#define HANDSHAKE(c, s)							\
	INIT, SYN(0, c, 0, DROP, OLD, 0), SYN(1, s, 0, DROP, OLD, 0)

static const struct tls_seq_step seq_basic[] = {
	HANDSHAKE(1000, 5000),
	NEXT(0, 1001), NEXT(1, 5001),
	SEG(0, 1001, 0, DROP, OLD, 0),
	SEG(0, 1001, 100, DROP, NEW, 0), ADV(0, 100),
	SEG(0, 1101, 50, DROP, NEW, 0), ADV(0, 50),
	/* the server direction is independent */
	SEG(1, 5001, 10, DROP, NEW, 0),
	NEXT(0, 1151),
};

static const struct tls_seq_step seq_retransmit[] = {
	HANDSHAKE(1000, 5000),
	SEG(0, 1001, 100, DROP, NEW, 0), ADV(0, 100),
	/* full retransmission, and one ending exactly at next_seq */
	SEG(0, 1001, 100, DROP, OLD, 0),
	SEG(0, 1051, 50, DROP, OLD, 0),
	SEG(0, 1001, 1, DROP, OLD, 0),
	/* partial overlap: 30 old, 20 new */
	SEG(0, 1071, 50, DROP, NEW, 30),
	/* one new byte */
	SEG(0, 1001, 101, DROP, NEW, 100),
	/* FIN without data: nothing to inspect */
	SEG(0, 1101, 0, DROP, OLD, 0),
};

static const struct tls_seq_step seq_wrap[] = {
	HANDSHAKE(0xfffffff0u, 0xffffffffu),
	NEXT(1, 0),
	SEG(0, 0xfffffff1u, 100, DROP, NEW, 0), ADV(0, 100),
	NEXT(0, 0x55),
	SEG(0, 0xfffffff1u, 100, DROP, OLD, 0),
	SEG(0, 0xfffffff1u, 101, DROP, NEW, 100),
	SEG(0, 0xfffffffeu, 0x60, DROP, NEW, 0x57),
	SEG(0, 0x56, 10, DROP, GAP_DROP, 0),
	SEG(0, 0x55, 10, DROP, NEW, 0),
	/* server: data right at 0 */
	SEG(1, 0, 10, DROP, NEW, 0),
	SEG(1, 0xffffffffu, 1, DROP, OLD, 0),
	/* far behind (half the space): old */
	SEG(1, 0x80000001u, 10, DROP, OLD, 0),
};

static const struct tls_seq_step seq_gap_drop[] = {
	HANDSHAKE(1000, 5000),
	SEG(0, 1002, 10, DROP, GAP_DROP, 0),
	OFF(0),
	SEG(0, 1001, 10, DROP, NEW, 0),
};

static const struct tls_seq_step seq_gap_stop[] = {
	HANDSHAKE(1000, 5000),
	SEG(0, 1001u + 0x7fffffffu, 1, STOP, GAP_STOP, 0),
	OFF(1),
	SEG(0, 1001, 10, STOP, UNTRACKED, 0),
	SEG(1, 5001, 10, STOP, UNTRACKED, 0),
};

static const struct tls_seq_step seq_pickup[] = {
	INIT,
	/* a pure ACK before any SYN is harmless */
	SEG(0, 77, 0, DROP, OLD, 0),
	/* gap "drop": every data segment stays a pickup (dropped by the glue) */
	SEG(0, 77, 10, DROP, PICKUP, 0),
	OFF(0),
	SEG(0, 87, 10, DROP, PICKUP, 0),
	/* gap "stop": the flow is no longer inspected */
	SEG(0, 97, 10, STOP, PICKUP, 0),
	OFF(1),
	SEG(0, 107, 10, STOP, UNTRACKED, 0),
	/* only the server's SYN was seen: client data is a pickup */
	INIT,
	SYN(1, 5000, 0, DROP, OLD, 0),
	SEG(0, 1, 10, DROP, PICKUP, 0),
	/* invalid direction */
	INIT,
	SYN(2, 1, 10, DROP, UNTRACKED, 0),
};

static const struct tls_seq_step seq_syn_data[] = {
	INIT,
	/* TFO: payload on the SYN starts at seq + 1 */
	SYN(0, 1000, 20, DROP, NEW, 0),
	NEXT(0, 1001), ADV(0, 20),
	/* SYN retransmitted with the same data: old */
	SYN(0, 1000, 20, DROP, OLD, 0),
	/* SYN retransmitted with more data: only the tail is new */
	SYN(0, 1000, 30, DROP, NEW, 20),
	SEG(0, 1021, 5, DROP, NEW, 0),
	/* SYN at the wrap */
	INIT,
	SYN(1, 0xffffffffu, 5, DROP, NEW, 0),
	NEXT(1, 0),
};

static const struct tls_seq_step seq_wrap_pickup[] = {
	INIT,
	/* SYN 8 bytes before the wrap: data starts at isn + 1 = 0xfffffff8 */
	SYN(0, 0xfffffff7u, 0, DROP, OLD, 0),
	/* 32 bytes straddling the wrap: all new */
	SEG(0, 0xfffffff8u, 32, DROP, NEW, 0), ADV(0, 32),
	NEXT(0, 0x18),
	/* full retransmission from before the wrap; pure ACK at next */
	SEG(0, 0xfffffff8u, 32, DROP, OLD, 0),
	SEG(0, 0x18, 0, DROP, OLD, 0),
	/* overlap starting before the wrap, ending after next */
	SEG(0, 0xfffffff8u, 0x30, DROP, NEW, 0x20), ADV(0, 0x10),
	/* in order after the wrap */
	SEG(0, 0x28, 10, DROP, NEW, 0), ADV(0, 10),
	/* beyond a hole, gap policy "drop": dropped, flow still tracked */
	SEG(0, 0x40, 10, DROP, GAP_DROP, 0),
	SEG(0, 0x32, 10, DROP, NEW, 0),
	/* the other direction: data before its SYN is a pickup */
	SEG(1, 0x1000, 10, DROP, PICKUP, 0),
	/* under gap "drop" a pickup does not stop the flow */
	SEG(0, 0x32, 10, DROP, NEW, 0),
	SEG(1, 0x100a, 10, STOP, PICKUP, 0),
	SEG(0, 0x32, 10, DROP, UNTRACKED, 0),
};

static const struct tls_seq_step seq_gap_stop_wrap[] = {
	INIT,
	/* server SYN right at the wrap: its data starts at 0 */
	SYN(1, 0xffffffffu, 0, STOP, OLD, 0),
	SEG(1, 0, 5, STOP, NEW, 0), ADV(1, 5),
	/* a segment "behind" by almost 2^31 is old, not a gap */
	SEG(1, 0x80000010u, 5, STOP, OLD, 0),
	/* a hole with gap policy "stop" stops the whole flow */
	SEG(1, 6, 5, STOP, GAP_STOP, 0),
	SEG(1, 5, 5, STOP, UNTRACKED, 0),
	/* a stopped flow is no longer inspected: garbage is accepted */
	FEED_OK(0),
};

#define SEQ_CASE(n, s)	{ n, s, sizeof(s) / sizeof((s)[0]) }

const struct tls_seq_case tls_seq_cases[] = {
	SEQ_CASE("seq_basic", seq_basic),
	SEQ_CASE("seq_retransmit_overlap", seq_retransmit),
	SEQ_CASE("seq_wraparound", seq_wrap),
	SEQ_CASE("seq_gap_drop", seq_gap_drop),
	SEQ_CASE("seq_gap_stop", seq_gap_stop),
	SEQ_CASE("seq_pickup", seq_pickup),
	SEQ_CASE("seq_syn_data", seq_syn_data),
	SEQ_CASE("seq_wrap_pickup", seq_wrap_pickup),
	SEQ_CASE("seq_gap_stop_wrap", seq_gap_stop_wrap),
};

const unsigned int tls_seq_ncases = sizeof(tls_seq_cases) /
				    sizeof(tls_seq_cases[0]);

const char *tls_seq_action_name(u32 a)
{
	static const char *const n[] = { "NEW", "OLD", "GAP_DROP", "GAP_STOP",
					 "PICKUP", "UNTRACKED" };

	return a < sizeof(n) / sizeof(n[0]) ? n[a] : "?";
}

/* One step; false on a mismatch, with what was got in *fail. */
static bool seq_step(struct tls_flow *f, const struct tls_seq_step *st,
		     struct tls_seq_fail *fail)
{
	static const u8 junk[4] = { 0xff, 0xff, 0xff, 0xff };
	struct tls_policy pol = { .lowrun_limit = TLS_LOWRUN_DEFAULT };
	u32 skip = 0xdead, off;
	enum tls_seq_action a;

	switch (st->op) {
	case SEQ_OP_INIT:
		tls_flow_init(f);
		return true;
	case SEQ_OP_SEG:
		a = tls_seq_segment(f, st->dir, st->seq, st->syn, st->len,
				    (enum tls_gap_policy)st->gap, &skip);
		fail->action = a;
		fail->value = skip;
		return a == st->want && (a != TLS_SEQ_NEW || skip == st->skip);
	case SEQ_OP_ADV:
		tls_seq_advance(f, st->dir, st->len);
		return true;
	case SEQ_OP_NEXT:
		fail->value = f->dir[st->dir & 1].next_seq;
		return fail->value == st->seq;
	case SEQ_OP_OFF:
		off = f->dir[0].flags & f->dir[1].flags & TLS_F_OFF;
		fail->value = (f->dir[0].flags | f->dir[1].flags) & TLS_F_OFF;
		return st->len ? off != 0 : fail->value == 0;
	case SEQ_OP_FEED_OK:
		fail->value = tls_feed(f, st->dir, junk, sizeof(junk), &pol,
				       NULL);
		return fail->value == TLS_OK;
	default:
		return false;
	}
}

bool tls_seq_case_run(const struct tls_seq_case *c, struct tls_seq_fail *fail)
{
	struct tls_flow f;
	unsigned int i;

	tls_flow_init(&f);
	for (i = 0; i < c->nsteps; i++) {
		fail->step = i;
		fail->action = 0;
		fail->value = 0;
		if (!seq_step(&f, &c->steps[i], fail))
			return false;
	}
	return true;
}
