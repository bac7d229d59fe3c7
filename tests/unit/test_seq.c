// SPDX-License-Identifier: GPL-2.0
/* Unit tests for tls_seq.c: TCP sequence classification. */
#include <string.h>

#include "unit.h"
#include "../../tls_seq.h"

static const char *act_name(enum tls_seq_action a)
{
	static const char *const n[] = { "NEW", "OLD", "GAP_DROP", "GAP_STOP",
					 "PICKUP", "UNTRACKED" };

	return (unsigned int)a < 6 ? n[a] : "?";
}

#define SEG(g, f, dir, seq, syn, len, gap, want, wskip)			\
	do {								\
		u32 sk_ = 0xdead;					\
		enum tls_seq_action a_ = tls_seq_segment(f, dir, seq, syn, \
							 len, gap, &sk_); \
		CHECK(g, a_ == (want) && (a_ != TLS_SEQ_NEW || sk_ == (wskip)), \
		      "line %d: got %s skip %u, want %s skip %u", __LINE__, \
		      act_name(a_), sk_, act_name(want), (u32)(wskip));	\
	} while (0)

/* Start both directions at the given initial sequence numbers. */
static void handshake(struct tls_flow *f, u32 cisn, u32 sisn)
{
	u32 sk;

	tls_flow_init(f);
	tls_seq_segment(f, 0, cisn, true, 0, TLS_GAP_DROP, &sk);
	tls_seq_segment(f, 1, sisn, true, 0, TLS_GAP_DROP, &sk);
}

static void t_basic(void)
{
	struct unit_group g;
	struct tls_flow f;

	group_begin(&g, "seq_basic");
	handshake(&f, 1000, 5000);
	CHECK(&g, f.dir[0].next_seq == 1001 && f.dir[1].next_seq == 5001,
	      "isn %u %u", f.dir[0].next_seq, f.dir[1].next_seq);
	SEG(&g, &f, 0, 1001, false, 0, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	SEG(&g, &f, 0, 1001, false, 100, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	tls_seq_advance(&f, 0, 100);
	SEG(&g, &f, 0, 1101, false, 50, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	tls_seq_advance(&f, 0, 50);
	/* the server direction is independent */
	SEG(&g, &f, 1, 5001, false, 10, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	CHECK(&g, f.dir[0].next_seq == 1151, "next %u", f.dir[0].next_seq);
	group_end(&g);
}

static void t_retransmit(void)
{
	struct unit_group g;
	struct tls_flow f;

	group_begin(&g, "seq_retransmit_overlap");
	handshake(&f, 1000, 5000);
	SEG(&g, &f, 0, 1001, false, 100, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	tls_seq_advance(&f, 0, 100);
	/* full retransmission, and one ending exactly at next_seq */
	SEG(&g, &f, 0, 1001, false, 100, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	SEG(&g, &f, 0, 1051, false, 50, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	SEG(&g, &f, 0, 1001, false, 1, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	/* partial overlap: 30 old, 20 new */
	SEG(&g, &f, 0, 1071, false, 50, TLS_GAP_DROP, TLS_SEQ_NEW, 30);
	/* one new byte */
	SEG(&g, &f, 0, 1001, false, 101, TLS_GAP_DROP, TLS_SEQ_NEW, 100);
	/* FIN without data: nothing to inspect */
	SEG(&g, &f, 0, 1101, false, 0, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	group_end(&g);
}

static void t_wrap(void)
{
	struct unit_group g;
	struct tls_flow f;

	group_begin(&g, "seq_wraparound");
	handshake(&f, 0xfffffff0u, 0xffffffffu);
	CHECK(&g, f.dir[1].next_seq == 0, "server isn+1 %u", f.dir[1].next_seq);
	SEG(&g, &f, 0, 0xfffffff1u, false, 100, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	tls_seq_advance(&f, 0, 100);
	CHECK(&g, f.dir[0].next_seq == 0x55, "next %#x", f.dir[0].next_seq);
	SEG(&g, &f, 0, 0xfffffff1u, false, 100, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	SEG(&g, &f, 0, 0xfffffff1u, false, 101, TLS_GAP_DROP, TLS_SEQ_NEW,
	    100);
	SEG(&g, &f, 0, 0xfffffffeu, false, 0x60, TLS_GAP_DROP, TLS_SEQ_NEW,
	    0x57);
	SEG(&g, &f, 0, 0x56, false, 10, TLS_GAP_DROP, TLS_SEQ_GAP_DROP, 0);
	SEG(&g, &f, 0, 0x55, false, 10, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	/* server: data right at 0 */
	SEG(&g, &f, 1, 0, false, 10, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	SEG(&g, &f, 1, 0xffffffffu, false, 1, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	/* far behind (half the space): old */
	SEG(&g, &f, 1, 0x80000001u, false, 10, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	group_end(&g);
}

static void t_gap(void)
{
	struct unit_group g;
	struct tls_flow f;

	group_begin(&g, "seq_gap_drop");
	handshake(&f, 1000, 5000);
	SEG(&g, &f, 0, 1002, false, 10, TLS_GAP_DROP, TLS_SEQ_GAP_DROP, 0);
	CHECK(&g, !(f.dir[0].flags & TLS_F_OFF), "drop stopped the flow");
	SEG(&g, &f, 0, 1001, false, 10, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	group_end(&g);

	group_begin(&g, "seq_gap_stop");
	handshake(&f, 1000, 5000);
	SEG(&g, &f, 0, 1001u + 0x7fffffffu, false, 1, TLS_GAP_STOP,
	    TLS_SEQ_GAP_STOP, 0);
	CHECK(&g, (f.dir[0].flags & TLS_F_OFF) && (f.dir[1].flags & TLS_F_OFF),
	      "flow not stopped");
	SEG(&g, &f, 0, 1001, false, 10, TLS_GAP_STOP, TLS_SEQ_UNTRACKED, 0);
	SEG(&g, &f, 1, 5001, false, 10, TLS_GAP_STOP, TLS_SEQ_UNTRACKED, 0);
	group_end(&g);
}

static void t_pickup(void)
{
	struct unit_group g;
	struct tls_flow f;

	group_begin(&g, "seq_pickup");
	tls_flow_init(&f);
	/* a pure ACK before any SYN is harmless */
	SEG(&g, &f, 0, 77, false, 0, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	/* gap "drop": every data segment stays a pickup (dropped by the glue) */
	SEG(&g, &f, 0, 77, false, 10, TLS_GAP_DROP, TLS_SEQ_PICKUP, 0);
	CHECK(&g, !(f.dir[0].flags & TLS_F_OFF), "flow stopped under gap drop");
	SEG(&g, &f, 0, 87, false, 10, TLS_GAP_DROP, TLS_SEQ_PICKUP, 0);
	/* gap "stop": the flow is no longer inspected */
	SEG(&g, &f, 0, 97, false, 10, TLS_GAP_STOP, TLS_SEQ_PICKUP, 0);
	CHECK(&g, (f.dir[0].flags & TLS_F_OFF) && (f.dir[1].flags & TLS_F_OFF),
	      "flow not stopped");
	SEG(&g, &f, 0, 107, false, 10, TLS_GAP_STOP, TLS_SEQ_UNTRACKED, 0);
	/* only the server's SYN was seen: client data is a pickup */
	tls_flow_init(&f);
	SEG(&g, &f, 1, 5000, true, 0, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	SEG(&g, &f, 0, 1, false, 10, TLS_GAP_DROP, TLS_SEQ_PICKUP, 0);
	/* invalid direction */
	tls_flow_init(&f);
	SEG(&g, &f, 2, 1, true, 10, TLS_GAP_DROP, TLS_SEQ_UNTRACKED, 0);
	group_end(&g);
}

static void t_syn_data(void)
{
	struct unit_group g;
	struct tls_flow f;

	group_begin(&g, "seq_syn_data");
	tls_flow_init(&f);
	/* TFO: payload on the SYN starts at seq + 1 */
	SEG(&g, &f, 0, 1000, true, 20, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	CHECK(&g, f.dir[0].next_seq == 1001, "next %u", f.dir[0].next_seq);
	tls_seq_advance(&f, 0, 20);
	/* SYN retransmitted with the same data: old */
	SEG(&g, &f, 0, 1000, true, 20, TLS_GAP_DROP, TLS_SEQ_OLD, 0);
	/* SYN retransmitted with more data: only the tail is new */
	SEG(&g, &f, 0, 1000, true, 30, TLS_GAP_DROP, TLS_SEQ_NEW, 20);
	SEG(&g, &f, 0, 1021, false, 5, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	/* SYN at the wrap */
	tls_flow_init(&f);
	SEG(&g, &f, 1, 0xffffffffu, true, 5, TLS_GAP_DROP, TLS_SEQ_NEW, 0);
	CHECK(&g, f.dir[1].next_seq == 0, "next %u", f.dir[1].next_seq);
	group_end(&g);
}

void run_seq_tests(void)
{
	t_basic();
	t_retransmit();
	t_wrap();
	t_gap();
	t_pickup();
	t_syn_data();
}
