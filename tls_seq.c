// SPDX-License-Identifier: GPL-2.0
/*
 * TCP sequence tracking for the engine (see tls_seq.h).  Per direction the
 * flow keeps next_seq, the sequence number of the first byte not yet
 * inspected, valid once that direction's SYN was seen (TLS_F_SEQ_VALID).
 * All comparisons use the signed 32-bit difference, so they are correct
 * across the wrap at 2^32 as long as the two numbers are within 2^31 of
 * each other, which TCP's window guarantees.
 */
#include "tls_seq.h"

enum tls_seq_action tls_seq_segment(struct tls_flow *f, unsigned int dir,
				    u32 seq, bool syn, u32 len,
				    enum tls_gap_policy gap, u32 *skip)
{
	struct tls_dir *d;
	s32 diff;

	*skip = 0;
	if (dir > 1)
		return TLS_SEQ_UNTRACKED;
	d = &f->dir[dir];
	if (d->flags & TLS_F_OFF)
		return TLS_SEQ_UNTRACKED;
	/* the SYN occupies seq; its payload (TCP Fast Open) starts at seq + 1 */
	if (syn) {
		seq++;
		/*
		 * Only the first SYN sets the ISN: a retransmitted SYN with
		 * data must not make already inspected bytes look new.
		 */
		if (!(d->flags & TLS_F_SEQ_VALID)) {
			d->next_seq = seq;
			d->flags |= TLS_F_SEQ_VALID;
		}
	}
	if (!len)
		return TLS_SEQ_OLD;
	if (!(d->flags & TLS_F_SEQ_VALID)) {
		/*
		 * Picked up mid-stream: record boundaries are unknown.  With
		 * the gap policy "drop" every such segment stays a pickup (and
		 * is dropped), so a flow killed after a violation cannot come
		 * back through conntrack's pickup of its retransmissions.
		 */
		if (gap == TLS_GAP_STOP)
			tls_flow_stop(f);
		return TLS_SEQ_PICKUP;
	}
	diff = (s32)(seq - d->next_seq);
	if (diff > 0) {
		if (gap == TLS_GAP_STOP) {
			tls_flow_stop(f);
			return TLS_SEQ_GAP_STOP;
		}
		return TLS_SEQ_GAP_DROP;
	}
	/* seq + len <= next_seq: a retransmission of inspected bytes only */
	if ((s32)(seq + len - d->next_seq) <= 0)
		return TLS_SEQ_OLD;
	*skip = d->next_seq - seq;
	return TLS_SEQ_NEW;
}

void tls_seq_advance(struct tls_flow *f, unsigned int dir, u32 n)
{
	if (dir > 1)
		return;
	f->dir[dir].next_seq += n;
}

bool tls_seg_begin(struct tls_flow *f, unsigned int dir, u32 seq, bool syn,
		   u32 len, const struct tls_policy *pol, struct tls_seg *s)
{
	enum tls_gap_policy gap = pol->gap == TLS_GAP_STOP ? TLS_GAP_STOP :
			   TLS_GAP_DROP;
	enum tls_seq_action act;

	s->new_flow = syn && dir == TLS_DIR_CLIENT &&
		      !(f->dir[TLS_DIR_CLIENT].flags & TLS_F_SEQ_VALID);
	s->rcv_nxt = 0;
	s->kill = false;
	act = tls_seq_segment(f, dir, seq, syn, len, gap, &s->skip);
	s->action = act;
	/*
	 * Beyond a hole, and in a flow joined mid-stream (record boundaries
	 * unknown), the gap policy "drop" drops the data: the sender
	 * retransmits in order, and a flow the helper killed cannot come
	 * back through conntrack's pickup.
	 */
	s->drop = act == TLS_SEQ_GAP_DROP ||
		  (act == TLS_SEQ_PICKUP && gap == TLS_GAP_DROP);
	return act == TLS_SEQ_NEW;
}

void tls_seg_end(struct tls_flow *f, unsigned int dir, u32 len,
		 enum tls_reason r, const struct tls_policy *pol,
		 struct tls_seg *s)
{
	if (r == TLS_OK) {
		tls_seq_advance(f, dir, len - s->skip);
		return;
	}
	if (pol->audit) {
		/* counted once; the flow is not inspected further */
		tls_flow_stop(f);
		return;
	}
	s->drop = true;
	s->kill = true;
	/* where the receiver's stream stands, for a reset */
	if (dir <= 1)
		s->rcv_nxt = f->dir[dir].next_seq;
}
