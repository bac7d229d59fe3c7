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
/*
 * SEQ_OP_FATE: a segment of dir with TCP flags fl (TLS_TCP_*, SYN included),
 * sequence s, acknowledgement a, payload p (or len l of junk), TTL ttl, gap
 * policy g, audit aud; wanted: action w, drop reason y, FATE_* bits o,
 * feed verdict r, k the skip of a NEW segment or the rcv_nxt of a kill or
 * a dead drop.
 */
#define FATE(d, fl, s, a, l, p, ttl_, g, aud, w, y, o, r, k)		\
	{ .op = SEQ_OP_FATE, .dir = d, .tcp = fl, .seq = s, .ack = a,	\
	  .len = l, .pl = PL_##p, .ttl = ttl_, .gap = TLS_GAP_##g,	\
	  .audit = aud, .want = TLS_SEQ_##w, .why = TLS_DROP_##y,	\
	  .out = o, .reason = r, .skip = k }
/* accepted, with FATE_* bits o (FATE_NEW, FATE_REJ) */
#define ACC(d, fl, s, a, p, w, k, o)					\
	FATE(d, fl, s, a, 0, p, 0, DROP, 0, w, NONE, o, TLS_OK, k)
/* dropped before inspection for reason y; k: rcv_nxt of a dead drop */
#define DROPPED(d, fl, s, a, p, y, k)					\
	FATE(d, fl, s, a, 0, p, 0, DROP, 0, DROPPED, y, FATE_DROP,	\
	     TLS_OK, k)
/* fed, violation r: dropped and killed, the receiver's next byte k */
#define KILLED(d, fl, s, a, p, r, k)					\
	FATE(d, fl, s, a, 0, p, 0, DROP, 0, NEW, NONE,			\
	     FATE_DROP | FATE_KILL, r, k)
#define QUIET(fl, yes)	{ .op = SEQ_OP_QUIET, .tcp = fl, .len = yes }
/* as ACC and DROPPED, with timestamp value v */
#define ACC_TS(d, fl, s, a, v, p, w, k, o)				\
	{ .op = SEQ_OP_FATE, .dir = d, .tcp = (fl) | TLS_TCP_TS,	\
	  .seq = s, .ack = a, .tsval = v, .pl = PL_##p, .gap = TLS_GAP_DROP, \
	  .want = TLS_SEQ_##w, .why = TLS_DROP_NONE, .out = o,		\
	  .reason = TLS_OK, .skip = k }
#define DROPPED_TS(d, fl, s, a, v, p, y)				\
	{ .op = SEQ_OP_FATE, .dir = d, .tcp = (fl) | TLS_TCP_TS,	\
	  .seq = s, .ack = a, .tsval = v, .pl = PL_##p, .gap = TLS_GAP_DROP, \
	  .want = TLS_SEQ_DROPPED, .why = TLS_DROP_##y, .out = FATE_DROP, \
	  .reason = TLS_OK }
/* tls_seg_quiet() of a pure ACK of dir at s with timestamp v */
#define QUIET_TS(d, s, v, yes)						\
	{ .op = SEQ_OP_QUIET, .dir = d, .seq = s,			\
	  .tcp = TLS_TCP_ACK | TLS_TCP_TS, .tsval = v, .len = yes }
#define T_S	TLS_TCP_SYN
#define T_A	TLS_TCP_ACK
#define T_SA	(TLS_TCP_SYN | TLS_TCP_ACK)
/* the client's SYN at c, the server's SYN-ACK at s, no data on either */
#define OPEN(c, s)							\
	INIT, ACC(0, T_S, c, 0, NONE, OLD, 0, FATE_NEW),		\
	ACC(1, T_SA, s, (c) + 1, NONE, OLD, 0, 0)

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

/* tls_seg_begin()/tls_seg_end(): what the kernel and the offline tool do */
static const struct tls_seq_step fate_basic[] = {
	OPEN(1000, 5000),
	/* a retransmitted SYN is no new flow, nor is the server's */
	ACC(0, T_S, 1000, 0, NONE, OLD, 0, 0),
	ACC(0, T_A, 1001, 5001, HDR3, NEW, 0, 0),
	NEXT(0, 1004),
	/* overlap: only the tail is fed */
	ACC(0, T_A, 1001, 5001, HS, NEW, 3, 0),
	NEXT(0, 1011),
	ACC(0, T_A, 1001, 5001, HS, OLD, 0, 0),
	FATE(0, T_A, 1100, 5001, 10, NONE, 0, DROP, 0, GAP_DROP, NONE,
	     FATE_DROP, TLS_OK, 0),
	QUIET(T_A, 1),
	KILLED(0, T_A, 1011, 5001, HB, TLS_R_HB_LENGTH, 1011),
};

static const struct tls_seq_step fate_audit[] = {
	OPEN(1000, 5000),
	FATE(0, T_A, 1001, 5001, 0, HB, 0, DROP, 1, NEW, NONE, 0,
	     TLS_R_HB_LENGTH, 0),
	OFF(1),
	FATE(0, T_A, 1009, 5001, 0, HB, 0, DROP, 1, UNTRACKED, NONE, 0,
	     TLS_OK, 0),
	QUIET(T_A, 1),
};

/* killed: every later segment of both directions dropped, SYN included */
static const struct tls_seq_step fate_dead[] = {
	OPEN(1000, 5000),
	ACC(0, T_A, 1001, 5001, HS, NEW, 0, 0),
	KILLED(0, T_A, 1011, 5001, HB, TLS_R_HB_LENGTH, 1011),
	QUIET(T_A, 0),
	DROPPED(0, T_A, 1011, 5001, HB, DEAD, 1011),
	DROPPED(0, T_A, 1011, 5001, NONE, DEAD, 1011),
	DROPPED(1, T_A, 5001, 1011, HS, DEAD, 5001),
	DROPPED(1, T_A, 5001, 1011, NONE, DEAD, 5001),
	DROPPED(0, T_S, 7000, 0, NONE, DEAD, 1011),
	DROPPED(0, T_A | TLS_TCP_RST, 1011, 0, NONE, DEAD, 1011),
	/* a violation in the server's SYN-ACK-less flow: the SYN's data */
	INIT,
	FATE(0, T_S, 1000, 0, 0, HB, 0, DROP, 0, NEW, NONE,
	     FATE_DROP | FATE_KILL | FATE_NEW, TLS_R_HB_LENGTH, 1001),
	DROPPED(1, T_SA, 5000, 1001, NONE, DEAD, 0),
};

/* the urgent pointer, IP options, signature options */
static const struct tls_seq_step fate_ambiguous[] = {
	OPEN(1000, 5000),
	DROPPED(0, T_A | TLS_TCP_URG, 1001, 5001, HS, URGENT, 0),
	/* an urgent pointer announced by a pure ACK points into later data */
	QUIET(T_A | TLS_TCP_URG, 0),
	DROPPED(0, T_A | TLS_TCP_URG, 1001, 5001, NONE, URGENT, 0),
	DROPPED(0, T_A | TLS_TCP_IPOPT, 1001, 5001, HS, IP_OPTIONS, 0),
	DROPPED(1, T_A | TLS_TCP_SIGOPT, 5001, 1001, HS, TCP_OPTIONS, 0),
	/* without stream bytes options change nothing */
	ACC(0, T_A | TLS_TCP_IPOPT, 1001, 5001, NONE, OLD, 0, 0),
	ACC(0, T_A | TLS_TCP_SIGOPT, 1001, 5001, NONE, OLD, 0, 0),
	NEXT(0, 1001),
	ACC(0, T_A, 1001, 5001, HS, NEW, 0, 0),
};

/* as FATE, ACC and KILLED, with the handshake layer on */
#define FATE_HS(d, fl, s, a, p, w, y, o, r, k)				\
	{ .op = SEQ_OP_FATE, .dir = d, .tcp = fl, .seq = s, .ack = a,	\
	  .pl = PL_##p, .gap = TLS_GAP_DROP, .want = TLS_SEQ_##w,	\
	  .why = TLS_DROP_##y, .out = o, .reason = r, .skip = k, .hs = 1 }
#define ACC_HS(d, fl, s, a, p, w, k, o)					\
	FATE_HS(d, fl, s, a, p, w, NONE, o, TLS_OK, k)
#define KILLED_HS(d, fl, s, a, p, r, k)					\
	FATE_HS(d, fl, s, a, p, NEW, NONE, FATE_DROP | FATE_KILL, r, k)

/*
 * TCP Fast Open with the handshake layer on: the SYN's data is dropped
 * (its layer's state would not fit the early state), the client's plain
 * SYN that follows starts the flow and its data after the SYN-ACK is
 * inspected by the handshake layer (the 1-byte ClientHello body of PL_HS
 * is malformed).  With the layer off the SYN's data is taken
 * (fate_syn_data).
 */
static const struct tls_seq_step fate_fastopen[] = {
	INIT,
	FATE_HS(0, T_S, 1000, 0, HS, DROPPED, FASTOPEN, FATE_DROP, TLS_OK, 0),
	ACC_HS(0, T_S, 1000, 0, NONE, OLD, 0, FATE_NEW),
	ACC_HS(1, T_SA, 5000, 1001, NONE, OLD, 0, 0),
	NEXT(0, 1001),
	KILLED_HS(0, T_A, 1001, 5001, HS, TLS_R_HS_MALFORMED, 1001),
	/* a SYN without data is no Fast Open: never dropped */
	INIT,
	ACC_HS(0, T_S, 1000, 0, NONE, OLD, 0, FATE_NEW),
	/* the same SYN data with the layer off: taken */
	INIT,
	ACC(0, T_S, 1000, 0, HS, NEW, 0, FATE_NEW),
	NEXT(0, 1011),
};

/* data on the first SYN waits for the SYN-ACK */
static const struct tls_seq_step fate_syn_data[] = {
	/* refused (no TCP Fast Open): forgotten, the stream restarts */
	INIT,
	ACC(0, T_S, 1000, 0, HS, NEW, 0, FATE_NEW),
	NEXT(0, 1011),
	ACC(1, T_SA, 5000, 1001, NONE, OLD, 0, FATE_REJ),
	NEXT(0, 1001),
	KILLED(0, T_A, 1001, 5001, HB, TLS_R_HB_LENGTH, 1001),
	/* refused after a partial header: the parser starts afresh */
	INIT,
	ACC(0, T_S, 1000, 0, HDR3, NEW, 0, FATE_NEW),
	ACC(1, T_SA, 5000, 1001, NONE, OLD, 0, FATE_REJ),
	KILLED(0, T_A, 1001, 5001, HB, TLS_R_HB_LENGTH, 1001),
	/* taken (TCP Fast Open): kept, the heartbeat is a record's body */
	INIT,
	ACC(0, T_S, 1000, 0, HDR3, NEW, 0, FATE_NEW),
	ACC(1, T_SA, 5000, 1004, NONE, OLD, 0, 0),
	NEXT(0, 1004),
	ACC(0, T_A, 1004, 5001, HB, NEW, 0, 0),
	/* partly acknowledged, or no ACK: that SYN-ACK is dropped */
	INIT,
	ACC(0, T_S, 1000, 0, HS, NEW, 0, FATE_NEW),
	DROPPED(1, T_SA, 5000, 1005, NONE, SYN_ACK, 0),
	DROPPED(1, T_S, 5000, 0, NONE, SYN_ACK, 0),
	/* data before the SYN-ACK, the SYN again with data */
	DROPPED(0, T_A, 1011, 0, HS, EARLY, 0),
	DROPPED(1, T_A, 5001, 1011, HS, EARLY, 0),
	DROPPED(0, T_S, 1000, 0, HS, SYN_DATA, 0),
	ACC(1, T_SA, 5000, 1011, NONE, OLD, 0, 0),
	/* the SYN-ACK with data, a SYN on an established flow with data */
	DROPPED(1, T_SA, 5000, 1011, HS, SYN_DATA, 0),
	DROPPED(0, T_S, 1010, 0, HS, SYN_DATA, 0),
	/*
	 * The SYN-ACK that took the data lost after the router: the client
	 * repeats its SYN without data, at its ISN only, until it sends data
	 */
	ACC(0, T_S, 1000, 0, NONE, OLD, 0, 0),
	DROPPED(0, T_S, 1001, 0, NONE, SYN_AGAIN, 0),
	DROPPED(0, T_S, 999, 0, NONE, SYN_AGAIN, 0),
	/*
	 * the server sent data before its SYN-ACK was acknowledged and
	 * repeats it: up to its next byte, acknowledging the SYN data only
	 */
	ACC(1, T_A, 5001, 1011, HS, NEW, 0, 0),
	ACC(1, T_SA, 5000, 1011, NONE, OLD, 0, 0),
	ACC(1, T_SA, 5010, 1011, NONE, OLD, 0, 0),
	DROPPED(1, T_SA, 5011, 1011, NONE, SYN_AGAIN, 0),
	DROPPED(1, T_SA, 5000, 1001, NONE, SYN_AGAIN, 0),
	ACC(0, T_A, 1011, 5011, HS, NEW, 0, 0),
	DROPPED(0, T_S, 1000, 0, NONE, SYN_AGAIN, 0),
	DROPPED(1, T_SA, 5000, 1011, NONE, SYN_AGAIN, 0),
	NEXT(0, 1021),
};

/* a flow whose first segment is not the client's SYN is never seeded */
static const struct tls_seq_step fate_pickup[] = {
	INIT,
	ACC(0, T_A, 77, 5, NONE, PICKUP, 0, 0),
	QUIET(T_A, 1),
	ACC(0, T_S, 76, 0, NONE, PICKUP, 0, 0),
	FATE(0, T_A, 77, 5, 0, HS, 0, DROP, 0, PICKUP, NONE, FATE_DROP,
	     TLS_OK, 0),
	FATE(1, T_SA, 4, 77, 0, NONE, 0, DROP, 0, PICKUP, NONE, 0,
	     TLS_OK, 0),
	FATE(1, T_A, 5, 77, 0, HS, 0, DROP, 0, PICKUP, NONE, FATE_DROP,
	     TLS_OK, 0),
	/* gap "stop": the flow is not inspected at all */
	FATE(0, T_A, 77, 5, 0, HB, 0, STOP, 0, PICKUP, NONE, 0, TLS_OK, 0),
	OFF(1),
	/* the server's SYN-ACK first: a pickup too */
	INIT,
	ACC(1, T_SA, 5000, 1001, NONE, PICKUP, 0, 0),
	ACC(0, T_S, 1000, 0, NONE, PICKUP, 0, 0),
	FATE(0, T_A, 1001, 5001, 0, HS, 0, DROP, 0, PICKUP, NONE, FATE_DROP, TLS_OK, 0),
};

/* stream bytes arriving with a TTL below the floor (8) could die unread */
static const struct tls_seq_step fate_ttl[] = {
	INIT,
	FATE(0, T_S, 1000, 0, 0, NONE, 3, DROP, 0, DROPPED, LOW_TTL, FATE_DROP,
	     TLS_OK, 0),
	FATE(0, T_S, 1000, 0, 0, NONE, 8, DROP, 0, OLD, NONE, FATE_NEW,
	     TLS_OK, 0),
	ACC(1, T_SA, 5000, 1001, NONE, OLD, 0, 0),
	FATE(0, T_A, 1001, 5001, 0, HS, 7, DROP, 0, DROPPED, LOW_TTL,
	     FATE_DROP, TLS_OK, 0),
	FATE(0, T_A, 1001, 5001, 0, HS, 8, DROP, 0, NEW, NONE, 0, TLS_OK, 0),
	/* no stream byte, nothing to lose */
	FATE(0, T_A, 1011, 5001, 0, NONE, 1, DROP, 0, OLD, NONE, 0, TLS_OK, 0),
	NEXT(0, 1011),
};

/* the receiver never reads a RST's payload: not fed, not counted */
static const struct tls_seq_step fate_rst[] = {
	OPEN(1000, 5000),
	ACC(0, T_A | TLS_TCP_RST, 1001, 5001, HB, OLD, 0, 0),
	NEXT(0, 1001),
	KILLED(0, T_A, 1001, 5001, HB, TLS_R_HB_LENGTH, 1001),
};

/* a SYN again: only a retransmission before any data */
static const struct tls_seq_step fate_syn_again[] = {
	OPEN(1000, 5000),
	ACC(0, T_S, 1000, 0, NONE, OLD, 0, 0),
	ACC(1, T_SA, 5000, 1001, NONE, OLD, 0, 0),
	DROPPED(0, T_S, 900, 0, NONE, SYN_AGAIN, 0),
	ACC(0, T_A, 1001, 5001, HS, NEW, 0, 0),
	/* at the old ISN, or one that would start a stream at next_seq */
	DROPPED(0, T_S, 1000, 0, NONE, SYN_AGAIN, 0),
	DROPPED(0, T_S, 1010, 0, NONE, SYN_AGAIN, 0),
	NEXT(0, 1011),
	/* while SYN data is provisional: at the ISN */
	INIT,
	ACC(0, T_S, 1000, 0, HS, NEW, 0, FATE_NEW),
	ACC(0, T_S, 1000, 0, NONE, OLD, 0, 0),
	DROPPED(0, T_S, 1010, 0, NONE, SYN_AGAIN, 0),
	ACC(1, T_SA, 5000, 1011, NONE, OLD, 0, 0),
};

/* nothing of a side follows its FIN */
static const struct tls_seq_step fate_fin[] = {
	OPEN(1000, 5000),
	QUIET(T_A | TLS_TCP_FIN, 0),
	ACC(0, T_A | TLS_TCP_FIN, 1001, 5001, HS, NEW, 0, 0),
	DROPPED(0, T_A, 1011, 5001, HB, AFTER_FIN, 0),
	DROPPED(0, T_A, 1012, 5001, HB, AFTER_FIN, 0),
	/* its retransmission, and the other side, go on */
	ACC(0, T_A | TLS_TCP_FIN, 1001, 5001, HS, OLD, 0, 0),
	ACC(1, T_A, 5001, 1012, HS, NEW, 0, 0),
	/* a pure FIN at the end, and one inside what was sent (ignored) */
	OPEN(1000, 5000),
	ACC(0, T_A, 1001, 5001, HS, NEW, 0, 0),
	ACC(0, T_A | TLS_TCP_FIN, 1005, 5001, NONE, OLD, 0, 0),
	ACC(0, T_A, 1011, 5001, HDR3, NEW, 0, 0),
	ACC(0, T_A | TLS_TCP_FIN, 1014, 5001, NONE, OLD, 0, 0),
	DROPPED(0, T_A, 1014, 5001, HS, AFTER_FIN, 0),
};

/*
 * New bytes whose ACK went back below one the side already sent: the
 * ACK is raised; nothing to do for bytes already inspected or none.
 */
static const struct tls_seq_step fate_old_ack[] = {
	OPEN(1000, 5000),
	ACC(0, T_A | TLS_TCP_OLDACK, 1001, 4000, HS, NEW, 0, FATE_RAISE),
	ACC(0, T_A | TLS_TCP_OLDACK, 1001, 4000, HS, OLD, 0, 0),
	ACC(0, T_A | TLS_TCP_OLDACK, 1011, 4000, NONE, OLD, 0, 0),
	ACC(0, T_A, 1011, 5001, HS, NEW, 0, 0),
	/* beyond a hole it is dropped as any other */
	FATE(0, T_A | TLS_TCP_OLDACK, 1031, 4000, 0, HS, 0, DROP, 0, GAP_DROP,
	     NONE, FATE_DROP, TLS_OK, 0),
};

/*
 * PAWS: once both SYNs carried timestamps, new bytes whose timestamp is
 * more than one below the highest of their side (at or below next_seq)
 * are dropped, and new bytes without one.
 */
static const struct tls_seq_step fate_paws[] = {
	INIT,
	ACC_TS(0, T_S, 1000, 0, 100, NONE, OLD, 0, FATE_NEW),
	ACC_TS(1, T_SA, 5000, 1001, 0xfffffff0, NONE, OLD, 0, 0),
	DROPPED_TS(0, T_A, 1001, 5001, 98, HS, PAWS),
	ACC_TS(0, T_A, 1001, 5001, 99, HS, NEW, 0, 0),
	DROPPED(0, T_A, 1011, 5001, HS, NO_TS, 0),
	/* old bytes need no timestamp check, nor a pure ACK */
	ACC(0, T_A, 1001, 5001, HS, OLD, 0, 0),
	/* a pure ACK beyond next_seq does not move it; at next_seq it does */
	QUIET_TS(0, 1031, 500, 0),
	ACC_TS(0, T_A, 1031, 5001, 500, NONE, OLD, 0, 0),
	ACC_TS(0, T_A, 1011, 5001, 101, HS, NEW, 0, 0),
	QUIET_TS(0, 1021, 101, 1),
	QUIET_TS(0, 1021, 102, 0),
	ACC_TS(0, T_A, 1021, 5001, 102, NONE, OLD, 0, 0),
	QUIET_TS(0, 1021, 102, 1),
	DROPPED_TS(0, T_A, 1021, 5001, 100, HS, PAWS),
	/* the server's side is its own; across the wrap at 2^32 */
	ACC_TS(1, T_A, 5001, 1021, 0xffffffef, HS, NEW, 0, 0),
	ACC_TS(1, T_A, 5011, 1021, 5, NONE, OLD, 0, 0),
	DROPPED_TS(1, T_A, 5011, 1021, 0xfffffff6, HS, PAWS),
	ACC_TS(1, T_A, 5011, 1021, 4, HS, NEW, 0, 0),
	/* without timestamps on the SYN-ACK there is no PAWS */
	INIT,
	ACC_TS(0, T_S, 1000, 0, 100, NONE, OLD, 0, FATE_NEW),
	ACC(1, T_SA, 5000, 1001, NONE, OLD, 0, 0),
	ACC_TS(0, T_A, 1001, 5001, 5, HS, NEW, 0, 0),
	ACC(0, T_A, 1011, 5001, HS, NEW, 0, 0),
};

/*
 * New bytes must end within the receiver's window: at most conntrack's
 * right edge, none while the window is zero.
 */
#define ACC_W(d, fl, s, a, e, p, w, k)					\
	{ .op = SEQ_OP_FATE, .dir = d, .tcp = (fl) | TLS_TCP_REDGE,	\
	  .seq = s, .ack = a, .redge = e, .pl = PL_##p, .gap = TLS_GAP_DROP, \
	  .want = TLS_SEQ_##w, .why = TLS_DROP_NONE, .reason = TLS_OK, .skip = k }
#define DROPPED_W(d, fl, s, a, e, p)					\
	{ .op = SEQ_OP_FATE, .dir = d, .tcp = (fl) | TLS_TCP_REDGE,	\
	  .seq = s, .ack = a, .redge = e, .pl = PL_##p, .gap = TLS_GAP_DROP, \
	  .want = TLS_SEQ_DROPPED, .why = TLS_DROP_WINDOW, .out = FATE_DROP, \
	  .reason = TLS_OK }
static const struct tls_seq_step fate_window[] = {
	OPEN(1000, 5000),
	DROPPED_W(0, T_A, 1001, 5001, 1010, HS),
	ACC_W(0, T_A, 1001, 5001, 1011, HS, NEW, 0),
	/* old bytes beyond it: nothing new to judge */
	ACC_W(0, T_A, 1001, 5001, 1001, HS, OLD, 0),
	/* the server closes its window at 1011: conntrack says 1012 */
	QUIET(T_A | TLS_TCP_ZEROWIN, 0),
	FATE(1, T_A | TLS_TCP_ZEROWIN, 5001, 1011, 0, NONE, 0, DROP, 0, OLD,
	     NONE, 0, TLS_OK, 0),
	/* an older ACK with an open window is not the server's latest */
	FATE(1, T_A | TLS_TCP_OLDACK, 5001, 1001, 0, NONE, 0, DROP, 0, OLD,
	     NONE, 0, TLS_OK, 0),
	{ .op = SEQ_OP_FATE, .dir = 0, .tcp = T_A | TLS_TCP_REDGE, .seq = 1011,
	  .ack = 5001, .redge = 1012, .len = 1, .pl = PL_NONE,
	  .gap = TLS_GAP_DROP, .want = TLS_SEQ_DROPPED, .why = TLS_DROP_WINDOW,
	  .out = FATE_DROP, .reason = TLS_OK },
	/* and opens it again */
	FATE(1, T_A, 5001, 1011, 0, NONE, 0, DROP, 0, OLD, NONE, 0, TLS_OK, 0),
	ACC_W(0, T_A, 1011, 5001, 1014, HDR3, NEW, 0),
	/* without a known edge (a pickup's conntrack), not judged */
	ACC(0, T_A, 1014, 5001, HS, NEW, 0, 0),
	/* the server's edge counts from the client's first ACK on */
	OPEN(1000, 5000),
	ACC_W(1, T_A, 5001, 1001, 5001, HS, NEW, 0),
	ACC(0, T_A, 1001, 5011, NONE, OLD, 0, 0),
	DROPPED_W(1, T_A, 5011, 1001, 5011, HS),
};

/* after an SSLv2-format hello the client waits for the server */
static const struct tls_seq_step fate_sslv2_early[] = {
	OPEN(1000, 5000),
	ACC(0, T_A, 1001, 5001, V2HELLO, NEW, 0, 0),
	KILLED(0, T_A, 1012, 5001, HB, TLS_R_SSLV2_EARLY, 1012),
	/* once the server answered in TLS the client talks TLS */
	OPEN(1000, 5000),
	ACC(0, T_A, 1001, 5001, V2HELLO, NEW, 0, 0),
	ACC(1, T_A, 5001, 1012, HS, NEW, 0, 0),
	KILLED(0, T_A, 1012, 5011, HB, TLS_R_HB_LENGTH, 1012),
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
	SEQ_CASE("fate_basic", fate_basic),
	SEQ_CASE("fate_audit", fate_audit),
	SEQ_CASE("fate_dead", fate_dead),
	SEQ_CASE("fate_ambiguous", fate_ambiguous),
	SEQ_CASE("fate_syn_data", fate_syn_data),
	SEQ_CASE("fate_fastopen", fate_fastopen),
	SEQ_CASE("fate_pickup", fate_pickup),
	SEQ_CASE("fate_ttl", fate_ttl),
	SEQ_CASE("fate_rst", fate_rst),
	SEQ_CASE("fate_syn_again", fate_syn_again),
	SEQ_CASE("fate_fin", fate_fin),
	SEQ_CASE("fate_old_ack", fate_old_ack),
	SEQ_CASE("fate_sslv2_early", fate_sslv2_early),
	SEQ_CASE("fate_paws", fate_paws),
	SEQ_CASE("fate_window", fate_window),
};

const unsigned int tls_seq_ncases = sizeof(tls_seq_cases) /
				    sizeof(tls_seq_cases[0]);

const char *tls_seq_action_name(u32 a)
{
	static const char *const n[] = { "NEW", "OLD", "GAP_DROP", "GAP_STOP",
					 "PICKUP", "UNTRACKED", "DROPPED" };

	return a < sizeof(n) / sizeof(n[0]) ? n[a] : "?";
}

/* SEQ_OP_FATE payloads */
static const u8 pl_hs[] = { 0x16, 0x03, 0x01, 0x00, 0x05,
			    0x01, 0x00, 0x00, 0x01, 0x00 };
static const u8 pl_hb[] = { 0x18, 0x03, 0x02, 0x00, 0x03, 0x01, 0x40, 0x00 };
static const u8 pl_v2hello[] = { 0x80, 0x09, 0x01, 0x03, 0x01,
				 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

static const struct {
	const u8 *b;
	u32 n;
} payloads[PL_MAX] = {
	[PL_HS] = { pl_hs, sizeof(pl_hs) },
	[PL_HB] = { pl_hb, sizeof(pl_hb) },
	[PL_HDR3] = { pl_hs, 3 },
	[PL_V2HELLO] = { pl_v2hello, sizeof(pl_v2hello) },
};

/* One segment's fate, as the glue decides it; false on a mismatch. */
static bool fate_step(struct tls_flow *f, const struct tls_seq_step *st,
		      struct tls_seq_fail *fail)
{
	static const u8 junk[64];
	struct tls_policy pol = {
		.lowrun_limit = TLS_LOWRUN_DEFAULT,
		.gap = st->gap,
		.audit = st->audit,
		.ttl_floor = TLS_TTL_FLOOR_DEFAULT,
		.handshake = st->hs,
	};
	struct tls_tcp t = {
		.seq = st->seq, .ack = st->ack, .flags = st->tcp,
		.tsval = st->tsval, .redge = st->redge,
		.ttl = st->ttl ? st->ttl : 64,
	};
	enum tls_reason r = TLS_OK;
	struct tls_fate o;
	const u8 *buf = junk;
	struct tls_seg s;
	u8 out;

	if (st->pl && st->pl < PL_MAX) {
		buf = payloads[st->pl].b;
		t.len = payloads[st->pl].n;
	} else {
		t.len = st->len < sizeof(junk) ? st->len : sizeof(junk);
	}
	/* as the glue: the fused path first, the general one if it declines */
	if (tls_seg_fast(f, st->dir, &t, buf, &pol, &o)) {
		s = o.seg;
		r = o.r;
	} else if (tls_seg_begin(f, st->dir, &t, &pol, &s)) {
		r = tls_feed(f, st->dir, buf + s.skip, t.len - s.skip, &pol,
			     NULL);
		tls_seg_end(f, st->dir, t.len, r, &pol, &s);
	}
	out = (s.drop ? FATE_DROP : 0) | (s.kill ? FATE_KILL : 0) |
	      (s.syn_data_rejected ? FATE_REJ : 0) |
	      (s.raise_ack ? FATE_RAISE : 0) |
	      (s.new_flow ? FATE_NEW : 0);
	fail->action = s.action;
	fail->value = (u32)s.why << 24 | (u32)out << 16 | r;
	if (s.action != st->want || s.why != st->why || out != st->out ||
	    r != st->reason)
		return false;
	if (s.kill || s.why == TLS_DROP_DEAD)
		return s.rcv_nxt == st->skip;
	return s.action != TLS_SEQ_NEW || s.skip == st->skip;
}

/* One step; false on a mismatch, with what was got in *fail. */
static bool seq_step(struct tls_flow *f, const struct tls_seq_step *st,
		     struct tls_seq_fail *fail)
{
	static const u8 junk[4] = { 0xff, 0xff, 0xff, 0xff };
	struct tls_policy pol = { .lowrun_limit = TLS_LOWRUN_DEFAULT };
	u32 skip = 0xdead, off;
	enum tls_seq_action a;
	struct tls_tcp t;

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
	case SEQ_OP_FATE:
		return fate_step(f, st, fail);
	case SEQ_OP_QUIET:
		t = (struct tls_tcp){ .seq = st->seq, .flags = st->tcp,
				      .tsval = st->tsval };
		fail->value = tls_seg_quiet(f, st->dir, &t);
		return fail->value == st->len;
	case SEQ_OP_FEED_OK:
		fail->value = tls_feed(f, st->dir, junk, sizeof(junk), &pol,
				       NULL);
		return fail->value == TLS_OK;
	default:
		return false;
	}
}

/*
 * Each case runs twice: on one struct tls_flow, and as the kernel keeps
 * it, through struct tls_flow_early after every step while it fits
 * (fail->step counts on from nsteps in the second run).
 */
bool tls_seq_case_run(const struct tls_seq_case *c, struct tls_seq_fail *fail)
{
	struct tls_flow_early e;
	unsigned int i, run;
	struct tls_flow f;

	for (run = 0; run < 2; run++) {
		tls_flow_init(&f);
		for (i = 0; i < c->nsteps; i++) {
			fail->step = i + run * c->nsteps;
			fail->action = 0;
			fail->value = 0;
			if (!seq_step(&f, &c->steps[i], fail))
				return false;
			if (run && tls_flow_pack_early(&f, &e))
				tls_flow_unpack_early(&f, &e);
		}
	}
	return true;
}
