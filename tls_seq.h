/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP sequence tracking for the engine, pure C like tls_parse.c: decides,
 * for each segment of one direction, which of its payload bytes are new and
 * must be fed to tls_feed(), which were already inspected (retransmissions),
 * and what to do with a segment that starts beyond a hole.  Sequence numbers
 * wrap; all comparisons are modulo 2^32.
 */
#ifndef _TLS_SEQ_H
#define _TLS_SEQ_H

#include "tls_parse.h"

enum tls_gap_policy {
	TLS_GAP_DROP = 0,	/* drop a segment beyond a hole: the sender retransmits in order */
	TLS_GAP_STOP = 1,	/* stop inspecting the flow */
};

enum tls_seq_action {
	TLS_SEQ_NEW,		/* feed payload[skip..len) then call tls_seq_advance() */
	TLS_SEQ_OLD,		/* nothing new (pure ACK, retransmission, FIN): accept */
	TLS_SEQ_GAP_DROP,	/* segment starts beyond a hole: drop it */
	TLS_SEQ_GAP_STOP,	/* hole and gap policy "stop": flow is no longer inspected */
	TLS_SEQ_PICKUP,		/* data before any SYN (conntrack pickup); gap "stop" stops the flow */
	TLS_SEQ_UNTRACKED,	/* inspection was stopped earlier: accept */
};

/*
 * Classify a segment of direction dir: seq is the segment's sequence number,
 * syn whether the SYN flag is set, len its payload length.  On TLS_SEQ_NEW,
 * *skip is the number of leading payload bytes already inspected.  SYN sets
 * the initial sequence number (data on a SYN, as with TCP Fast Open, starts
 * at seq + 1).  GAP_STOP, and PICKUP under TLS_GAP_STOP, stop the flow.
 */
enum tls_seq_action tls_seq_segment(struct tls_flow *f, unsigned int dir,
				    u32 seq, bool syn, u32 len,
				    enum tls_gap_policy gap, u32 *skip);

/* n new bytes of direction dir were inspected and accepted. */
void tls_seq_advance(struct tls_flow *f, unsigned int dir, u32 n);

/*
 * The fate of one segment, the same in the kernel and the offline tool:
 * tls_seg_begin() classifies it; when it returns true the caller feeds
 * payload[skip..len) to tls_feed() (in as many calls as it likes) and
 * passes the verdict to tls_seg_end().  The caller then drops the segment
 * if drop, kills the flow if kill, and counts by action.
 */
struct tls_seg {
	u32 skip;	/* TLS_SEQ_NEW: leading payload bytes already inspected */
	u32 rcv_nxt;	/* kill: the sequence number the receiver expects next */
	u8 action;	/* enum tls_seq_action */
	bool new_flow;	/* the client's first SYN: a flow begins */
	bool drop;	/* drop the segment */
	bool kill;	/* a violation outside audit mode: kill the flow */
};

/*
 * Classify a segment of direction dir (as tls_seq_segment(), gap policy
 * pol->gap) and decide the drops that need no inspection: a segment beyond
 * a hole under the gap policy "drop", and a pickup under it.  True when
 * the new payload bytes must be fed (action TLS_SEQ_NEW).
 */
bool tls_seg_begin(struct tls_flow *f, unsigned int dir, u32 seq, bool syn,
		   u32 len, const struct tls_policy *pol, struct tls_seg *s);

/*
 * The new bytes of a TLS_SEQ_NEW segment of len payload bytes were fed
 * with verdict r: accept and advance, or, on a violation, stop inspecting
 * (pol->audit) or drop and kill.
 */
void tls_seg_end(struct tls_flow *f, unsigned int dir, u32 len,
		 enum tls_reason r, const struct tls_policy *pol,
		 struct tls_seg *s);

#endif /* _TLS_SEQ_H */
