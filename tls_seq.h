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

#endif /* _TLS_SEQ_H */
