/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TCP rules of one segment that tls_seg_begin() and tls_seg_end()
 * (tls_seq.c) apply and the fused in-order path tls_seg_fast()
 * (tls_parse.c) applies too:
 * engine-private, inline in this header so that both decide with the
 * same code.  PAWS and the receiver's window say whether the receiver
 * reads new bytes at all; the timestamp and window notes keep what the
 * next segments are judged against.
 */
#ifndef _TLS_TCP_RULES_H
#define _TLS_TCP_RULES_H

#include "tls_engine.h"
#include "tls_seq.h"

/*
 * PAWS (RFC 7323): the receiver keeps ts_recent, the timestamp of the
 * last segment at or below its rcv_wup, and drops a segment whose
 * timestamp is more than one below it (tcp_paws_discard()), RSTs aside.
 * The helper keeps per side the highest timestamp of the segments it
 * passed at or below next_seq (which is at least rcv_wup): never below
 * ts_recent.  The SYN's timestamp starts it; without timestamps on both
 * SYNs there is no PAWS.
 */
static __always_inline void ts_note(struct tls_flow *f, unsigned int dir,
				    const struct tls_tcp *t)
{
	if (!(t->flags & TLS_TCP_TS))
		return;
	if (t->flags & TLS_TCP_SYN) {
		if (dir == TLS_DIR_SERVER &&
		    (f->tcp & TLS_FT_TS_SEEN(TLS_DIR_CLIENT)))
			f->tcp |= TLS_FT_TS_ON;
		if (dir == TLS_DIR_SERVER && !(f->tcp & TLS_FT_TS_ON))
			return;
	} else if (!(f->tcp & TLS_FT_TS_ON) ||
		   (s32)(t->seq - f->dir[dir].next_seq) > 0) {
		return;
	}
	if (!(f->tcp & TLS_FT_TS_SEEN(dir)) ||
	    (s32)(t->tsval - f->ts_max[dir]) > 0) {
		f->ts_max[dir] = t->tsval;
		f->tcp |= TLS_FT_TS_SEEN(dir);
	}
}

/*
 * Whether dir's last window was zero.  Not from a SYN (an unscaled
 * window, no stream yet), nor from an ACK older than one the side sent
 * (reordered: the peer's TCP does not take its window either,
 * tcp_may_update_window()).
 */
static __always_inline void win_note(struct tls_flow *f, unsigned int dir,
				     const struct tls_tcp *t)
{
	if (!(t->flags & TLS_TCP_ACK) ||
	    (t->flags & (TLS_TCP_SYN | TLS_TCP_OLDACK)))
		return;
	f->tcp |= TLS_FT_WIN_SEEN(dir);
	if (t->flags & TLS_TCP_ZEROWIN)
		f->tcp |= TLS_FT_ZEROWIN(dir);
	else
		f->tcp &= ~TLS_FT_ZEROWIN(dir);
}

/*
 * New bytes past the receiver's window: a receiver drops every new byte
 * while its window is zero (tcp_data_queue(), TCP_ZEROWINDOW) and a
 * segment that starts past its right edge (tcp_sequence()); newer kernels
 * also one that ends past it.  Conntrack's right edge (td_maxend, the
 * highest SACK edge + window the receiver announced) is exact while the
 * receiver does not shrink its window and no segment beyond a hole
 * reached it (gap policy "drop").  A sender that honours the window never
 * sends such bytes.
 */
static __always_inline bool beyond_window(const struct tls_flow *f,
					  unsigned int dir,
					  const struct tls_tcp *t)
{
	if (!t->len)
		return false;
	if (f->tcp & TLS_FT_ZEROWIN(!dir))
		return true;
	/*
	 * The server's edge is conntrack's only from the client's first
	 * ACK on (before, td_maxend is the end of the SYN-ACK); the
	 * client's is set by the SYN-ACK's window.
	 */
	if (dir == TLS_DIR_SERVER &&
	    !(f->tcp & TLS_FT_WIN_SEEN(TLS_DIR_CLIENT)))
		return false;
	return (t->flags & TLS_TCP_REDGE) &&
	       (s32)(t->seq + t->len - t->redge) > 0;
}

/* New bytes the receiver's PAWS check would drop, or may (no timestamp) */
static __always_inline enum tls_drop paws_drop(const struct tls_flow *f,
					       unsigned int dir,
					       const struct tls_tcp *t)
{
	if (!(f->tcp & TLS_FT_TS_ON))
		return TLS_DROP_NONE;
	/*
	 * RFC 7323 3.2 lets a receiver drop a segment without one once they
	 * were negotiated; every stack that negotiates them sends them
	 */
	if (!(t->flags & TLS_TCP_TS))
		return TLS_DROP_NO_TS;
	if ((f->tcp & TLS_FT_TS_SEEN(dir)) &&
	    (s32)(f->ts_max[dir] - t->tsval) > 1)
		return TLS_DROP_PAWS;
	return TLS_DROP_NONE;
}

/*
 * What the verdict r on a fed segment of len bytes does (tls_seg_end()):
 * ok, the stream moves past its new bytes (tls_seq_advance()) and a FIN
 * ends the side; otherwise audit mode stops inspecting the flow, or the
 * segment is dropped and the flow killed, with the receiver's position
 * for the reset.
 */
static __always_inline void seg_end(struct tls_flow *f, unsigned int dir,
				    u32 len, enum tls_reason r,
				    const struct tls_policy *pol,
				    struct tls_seg *s)
{
	if (r == TLS_OK) {
		if (dir <= 1)
			f->dir[dir].next_seq += len - s->skip;
		if (s->fin)
			f->dir[dir].state = ST_FIN;
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

#endif /* _TLS_TCP_RULES_H */
