// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tls_seq.c: the sequence cases of tests/vectors (shared
 * with KUnit), one group each, and the segment fate of tls_seg_begin() and
 * tls_seg_end().
 */
#include "unit.h"
#include "../vectors/seq_cases.h"

static void t_cases(void)
{
	const struct tls_seq_case *c;
	const struct tls_seq_step *st;
	struct tls_seq_fail fail;
	struct unit_group g;
	unsigned int i;

	for (i = 0; i < tls_seq_ncases; i++) {
		c = &tls_seq_cases[i];
		group_begin(&g, c->name);
		if (!tls_seq_case_run(c, &fail)) {
			st = &c->steps[fail.step];
			group_fail(&g, "step %u (op %u dir %u seq %#x len %u): got %s value %#x, want %s skip %u",
				   fail.step, st->op, st->dir, st->seq, st->len,
				   tls_seq_action_name(fail.action), fail.value,
				   tls_seq_action_name(st->want), st->skip);
		}
		group_end(&g);
	}
}

/* What the kernel and the offline tool do with a segment. */
static void t_seg_fate(void)
{
	struct tls_policy pol = { .lowrun_limit = TLS_LOWRUN_DEFAULT };
	struct unit_group g;
	struct tls_flow f;
	struct tls_seg s;
	bool feed;

	group_begin(&g, "seq_segment_fate");
	tls_flow_init(&f);
	feed = tls_seg_begin(&f, 0, 1000, true, 0, &pol, &s);
	CHECK(&g, !feed && s.new_flow && !s.drop && s.action == TLS_SEQ_OLD,
	      "client SYN: feed %d new %d drop %d", feed, s.new_flow, s.drop);
	feed = tls_seg_begin(&f, 0, 1000, true, 0, &pol, &s);
	CHECK(&g, !s.new_flow, "retransmitted SYN counted as a new flow");
	tls_seg_begin(&f, 1, 5000, true, 0, &pol, &s);
	CHECK(&g, !s.new_flow, "server SYN counted as a new flow");
	/* in order: fed, accepted, advanced */
	feed = tls_seg_begin(&f, 0, 1001, false, 10, &pol, &s);
	CHECK(&g, feed && !s.drop && s.skip == 0, "new: feed %d", feed);
	tls_seg_end(&f, 0, 10, TLS_OK, &pol, &s);
	CHECK(&g, !s.drop && !s.kill && f.dir[0].next_seq == 1011,
	      "accepted: drop %d kill %d next %u", s.drop, s.kill,
	      f.dir[0].next_seq);
	/* overlap: only the tail is fed */
	feed = tls_seg_begin(&f, 0, 1006, false, 10, &pol, &s);
	CHECK(&g, feed && s.skip == 5, "overlap: skip %u", s.skip);
	tls_seg_end(&f, 0, 10, TLS_OK, &pol, &s);
	CHECK(&g, f.dir[0].next_seq == 1016, "next %u", f.dir[0].next_seq);
	/* beyond a hole, gap drop: dropped, not fed */
	feed = tls_seg_begin(&f, 0, 1100, false, 10, &pol, &s);
	CHECK(&g, !feed && s.drop && !s.kill && s.action == TLS_SEQ_GAP_DROP,
	      "gap drop: feed %d drop %d", feed, s.drop);
	/* violation: drop and kill, the receiver's next byte for a reset */
	feed = tls_seg_begin(&f, 0, 1016, false, 10, &pol, &s);
	tls_seg_end(&f, 0, 10, TLS_R_RECORD_TYPE, &pol, &s);
	CHECK(&g, feed && s.drop && s.kill && s.rcv_nxt == 1016,
	      "kill: drop %d kill %d rcv_nxt %u", s.drop, s.kill, s.rcv_nxt);
	/* audit: accepted, the flow stops */
	pol.audit = 1;
	tls_flow_init(&f);
	tls_seg_begin(&f, 0, 1000, true, 0, &pol, &s);
	feed = tls_seg_begin(&f, 0, 1001, false, 10, &pol, &s);
	tls_seg_end(&f, 0, 10, TLS_R_HB_LENGTH, &pol, &s);
	CHECK(&g, feed && !s.drop && !s.kill && (f.dir[1].flags & TLS_F_OFF),
	      "audit: drop %d kill %d", s.drop, s.kill);
	feed = tls_seg_begin(&f, 0, 1011, false, 10, &pol, &s);
	CHECK(&g, !feed && !s.drop && s.action == TLS_SEQ_UNTRACKED,
	      "after audit: feed %d", feed);
	/* pickup: dropped under gap drop, accepted (and stopped) under stop */
	pol.audit = 0;
	tls_flow_init(&f);
	feed = tls_seg_begin(&f, 0, 7, false, 10, &pol, &s);
	CHECK(&g, !feed && s.drop && s.action == TLS_SEQ_PICKUP,
	      "pickup, gap drop: drop %d", s.drop);
	pol.gap = TLS_GAP_STOP;
	feed = tls_seg_begin(&f, 0, 7, false, 10, &pol, &s);
	CHECK(&g, !feed && !s.drop && s.action == TLS_SEQ_PICKUP &&
	      (f.dir[0].flags & TLS_F_OFF), "pickup, gap stop: drop %d",
	      s.drop);
	/* hole under gap stop: accepted, counted as a stop */
	tls_flow_init(&f);
	tls_seg_begin(&f, 0, 1000, true, 0, &pol, &s);
	feed = tls_seg_begin(&f, 0, 1100, false, 10, &pol, &s);
	CHECK(&g, !feed && !s.drop && s.action == TLS_SEQ_GAP_STOP,
	      "gap stop: drop %d", s.drop);
	group_end(&g);
}

void run_seq_tests(void)
{
	t_cases();
	t_seg_fate();
}
