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
	TLS_SEQ_PICKUP,		/* flow joined mid-stream; gap "stop" stops the flow */
	TLS_SEQ_UNTRACKED,	/* inspection was stopped earlier: accept */
	TLS_SEQ_DROPPED,	/* dropped before classification: see tls_seg.why */
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
 * What the engine needs to know of one TCP segment besides its payload,
 * filled by the glue from the skb and by the offline tool from a capture.
 */
struct tls_tcp {
	u32 seq;	/* sequence number */
	u32 ack;	/* acknowledgment number (TLS_TCP_ACK) */
	u32 len;	/* payload bytes */
	u32 tsval;	/* TCP timestamp value (TLS_TCP_TS) */
	u32 redge;	/* the receiver's right edge, as conntrack saw it (TLS_TCP_REDGE) */
	u16 flags;	/* TLS_TCP_* */
	u8 ttl;		/* IPv4 TTL or IPv6 hop limit as the segment leaves */
};

#define TLS_TCP_SYN	0x01
#define TLS_TCP_ACK	0x02
#define TLS_TCP_URG	0x04
#define TLS_TCP_FIN	0x08
#define TLS_TCP_RST	0x10
#define TLS_TCP_IPOPT	0x20	/* IPv4 options or IPv6 extension headers */
#define TLS_TCP_SIGOPT	0x40	/* TCP-MD5, TCP-AO, MPTCP or SMC option */
#define TLS_TCP_OLDACK	0x80	/* ACK below one this side already sent */
#define TLS_TCP_TS	0x100	/* a timestamp option (tsval) */
#define TLS_TCP_ZEROWIN	0x200	/* the segment announces a zero window */
/* redge holds the receiver's right edge (conntrack's td_maxend of this side) */
#define TLS_TCP_REDGE	0x400

/*
 * Why a segment is dropped without being fed (struct tls_seg.why): each a
 * segment the receiver might read differently from the helper.  Stable
 * numbers: the glue counts each as drop_<name>.
 */
enum tls_drop {
	TLS_DROP_NONE = 0,
	TLS_DROP_DEAD,		/* the flow was killed: every segment, both ways */
	TLS_DROP_URGENT,	/* URG set: the receiver takes a byte out of the stream */
	TLS_DROP_SYN_DATA,	/* data on a SYN whose direction already has its ISN */
	TLS_DROP_SYN_ACK,	/* SYN-ACK that acknowledges part of the SYN's data */
	TLS_DROP_EARLY,		/* data before the server's SYN-ACK */
	TLS_DROP_IP_OPTIONS,	/* IPv4 options or IPv6 extension headers */
	TLS_DROP_TCP_OPTIONS,	/* TCP-MD5, TCP-AO, MPTCP or SMC option */
	TLS_DROP_SYN_AGAIN,	/* a SYN that would restart a started stream */
	TLS_DROP_AFTER_FIN,	/* new data after this side's FIN */
	TLS_DROP_OLD_ACK,	/* glue only: an old ACK that could not be raised */
	TLS_DROP_LOW_TTL,	/* TTL / hop limit below the floor: could die unread */
	TLS_DROP_PAWS,		/* a timestamp older than the side's: PAWS drops it */
	TLS_DROP_NO_TS,		/* no timestamp on a flow that negotiated them */
	TLS_DROP_NO_MEMORY,	/* glue only: no memory for the flow's state */
	TLS_DROP_WINDOW,	/* new bytes past the receiver's window */
	TLS_DROP_FASTOPEN,	/* data on the client's first SYN, handshake layer on */
	TLS_DROP_MAX
};

/* Short stable name of a drop reason ("dead", ...), never NULL. */
const char *tls_drop_name(enum tls_drop w);

/*
 * True if the TCP options opt[0..len) hold one that makes the receiver
 * read the segment otherwise than in plain sequence: TCP-MD5 (19) or
 * TCP-AO (29), whose segments a receiver without the key drops; MPTCP
 * (30), whose mappings rearrange the stream the application reads; SMC
 * (experimental 254 with its magic), which moves the data off TCP.  Reads
 * only inside opt; a malformed list is walked as far as it is well formed,
 * as the receiving stack does.
 */
bool tls_tcp_options_ambiguous(const u8 *opt, u32 len);

/*
 * The timestamp option (kind 8, length 10) of the options opt[0..len), as
 * the receiving stack reads it: *tsval and true if there is one.  Reads
 * only inside opt.
 */
bool tls_tcp_timestamp(const u8 *opt, u32 len, u32 *tsval);

/*
 * Both in one walk of the options, as tcp_parse_options() walks them
 * (to EOL or the first malformed length): TLS_TCP_SIGOPT and, with *tsval
 * from the first timestamp option, TLS_TCP_TS.
 */
u16 tls_tcp_options(const u8 *opt, u32 len, u32 *tsval);

/*
 * The fate of one segment, the same in the kernel and the offline tool:
 * tls_seg_begin() classifies it; when it returns true the caller feeds
 * payload[skip..len) to tls_feed() (in as many calls as it likes) and
 * passes the verdict to tls_seg_end().  The caller then drops the segment
 * if drop, marks the flow killed if kill, and counts by action and why.
 * If raise_ack and the segment is not dropped, the caller sets its ACK
 * to the highest this side has sent (and shrinks the window by as much):
 * a receiver may drop data whose ACK is old, never one at that value.
 */
struct tls_seg {
	u32 skip;	/* TLS_SEQ_NEW: leading payload bytes already inspected */
	u32 rcv_nxt;	/* kill, dead: the sequence number the receiver expects next */
	u8 action;	/* enum tls_seq_action */
	u8 why;		/* enum tls_drop: dropped before any inspection */
	bool new_flow;	/* the client's first SYN: a flow begins */
	bool fin;	/* FIN set: once its bytes are accepted, the side is closed */
	bool syn_data_rejected;	/* the SYN-ACK refused the SYN's data: forgotten */
	bool raise_ack;	/* TLS_SEQ_NEW: raise the ACK to the side's highest first */
	bool drop;	/* drop the segment */
	bool kill;	/* a violation outside audit mode: the flow is now dead */
};

/*
 * Decide the segment t of direction dir: whether it is one the receiver
 * reads exactly as the helper would (else it is dropped, why says which
 * rule), then classify it (tls_seq_segment(), gap policy pol->gap).  True
 * when the new payload bytes must be fed (action TLS_SEQ_NEW).
 *
 * The rules besides the sequence: a killed flow drops every segment of
 * both directions; a flow whose first segment was not the client's SYN is
 * a pickup for good (no later SYN seeds it); data on the client's first
 * SYN is fed but provisional until the SYN-ACK, whose acknowledgment
 * number says whether the server took it (TCP Fast Open) or not (it is
 * then forgotten and the stream restarts at ISN + 1).
 */
bool tls_seg_begin(struct tls_flow *f, unsigned int dir,
		   const struct tls_tcp *t, const struct tls_policy *pol,
		   struct tls_seg *s);

/*
 * The new bytes of a TLS_SEQ_NEW segment of len payload bytes were fed
 * with verdict r: accept and advance, or, on a violation, stop inspecting
 * (pol->audit) or drop and kill.
 */
void tls_seg_end(struct tls_flow *f, unsigned int dir, u32 len,
		 enum tls_reason r, const struct tls_policy *pol,
		 struct tls_seg *s);

/* What tls_seg_fast() decided, as the general path would have left it */
struct tls_fate {
	struct tls_seg seg;	/* tls_seg_begin(), tls_seg_end() */
	struct tls_result res;	/* tls_feed() of the new bytes */
	enum tls_reason r;	/* its verdict */
};

/*
 * The fused in-order path, one call for the whole fate of the common
 * segment: for a segment whose new payload[0..t->len) is contiguous,
 * true if it decided it, having left f and *o exactly as
 * tls_seg_begin(), tls_feed() of payload[skip..t->len) and tls_seg_end()
 * would have; false, changing nothing, when the segment needs the
 * general path (the caller then calls those three).  It takes a segment
 * of a flow whose both sides began with a SYN, not stopped, not dead,
 * not past this side's FIN, that starts at the next expected byte,
 * carries no SYN, FIN, RST, URG, IP or signature option nor an ACK to
 * raise, has a TTL at the floor or above, and passes PAWS and the
 * receiver's window.  tls-replay calls it first; the kernel calls
 * tls_seg_fast_inline() (tls_seg_fast.h), the same code with its hot case
 * inline in the caller.
 */
bool tls_seg_fast(struct tls_flow *f, unsigned int dir,
		  const struct tls_tcp *t, const u8 *payload,
		  const struct tls_policy *pol, struct tls_fate *o);

/*
 * A segment without payload, SYN, FIN or URG (a pure ACK or RST) that
 * needs no tls_seg_begin(): the flow has begun and is not dead.  About
 * half the packets of a bulk flow, so the glue asks this without the
 * flow's lock; a stale answer lets at most that one payload-less segment
 * of a flow being killed through.
 */
bool tls_seg_quiet(const struct tls_flow *f, unsigned int dir,
		   const struct tls_tcp *t);

/*
 * What a flow can hold before its server side is known (the client's
 * SYN, with its data, and anything of a pickup): the kernel keeps this in
 * the conntrack entry and allocates the whole struct tls_flow only later,
 * for an entry conntrack has confirmed (tls_flow_pack_early() fails once
 * the state outgrows it).  24 bytes.
 */
struct tls_flow_early {
	struct tls_dir client;
	u32 ts_client;		/* tls_flow.ts_max[client] */
	u16 syn_data;		/* the server's next_seq before its SYN-ACK */
	u8 tcp;			/* tls_flow.tcp */
	u8 server_flags;	/* the server's flags: TLS_F_OFF at most */
};

TLS_STATIC_ASSERT(sizeof(struct tls_flow_early) == 24,
		  "tls_flow_early must leave 8 bytes of nf_conn_help.data");

/* f as early state in *e; false (e untouched) if f holds more. */
bool tls_flow_pack_early(const struct tls_flow *f, struct tls_flow_early *e);
void tls_flow_unpack_early(struct tls_flow *f, const struct tls_flow_early *e);

#endif /* _TLS_SEQ_H */
