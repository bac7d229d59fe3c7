/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tls-replay: offline replay of packet captures through the nf_conntrack_tls
 * engine.  Three parts share this header:
 *
 *   replay_decode.c  link layer, IPv4/IPv6 and TCP headers -> struct tr_pkt
 *                    (pure: bytes in, struct out; no libpcap, no allocation)
 *   replay_flow.c    the flow table and, per TCP segment, exactly what the
 *                    kernel glue (nf_ct_tls_help) does with the engine
 *   replay_out.c     one text or JSON line per flow, and the summary
 *
 * tls-replay.c holds main(): options, the libpcap loop and the exit status.
 */
#ifndef _TR_REPLAY_H
#define _TR_REPLAY_H

#include <stdio.h>

#include "../tls_seq.h"

/* Link types this front end decodes (values of pcap_datalink()). */
#define TR_DLT_NULL		0	/* BSD loopback, host byte order AF */
#define TR_DLT_EN10MB		1	/* Ethernet, with 802.1Q / QinQ tags */
#define TR_DLT_RAW		12	/* raw IP (LINKTYPE_RAW 101 maps here) */
#define TR_DLT_RAW_OBSD		14	/* raw IP, OpenBSD's number */
#define TR_DLT_LOOP		108	/* OpenBSD loopback, network order AF */
#define TR_DLT_LINUX_SLL	113	/* Linux cooked v1 */
#define TR_DLT_IPV4		228	/* raw IPv4 */
#define TR_DLT_IPV6		229	/* raw IPv6 */
#define TR_DLT_LINUX_SLL2	276	/* Linux cooked v2 */

/* TCP flags of struct tr_pkt.flags */
#define TR_FIN	0x01
#define TR_SYN	0x02
#define TR_RST	0x04
#define TR_ACK	0x10
#define TR_URG	0x20

/* What the decoder did with a frame (counted in struct tr_stats). */
enum tr_decode_result {
	TR_PKT_TCP = 0,		/* a TCP segment: struct tr_pkt is filled */
	TR_PKT_NOT_IP,		/* link layer protocol is not IPv4/IPv6 */
	TR_PKT_NOT_TCP,		/* IP, but not TCP (UDP, ICMP, ...) */
	TR_PKT_FRAGMENT,	/* an IP fragment: ignored (counted) */
	TR_PKT_SHORT,		/* headers cut by the snaplen or malformed */
	TR_PKT_NDECODE
};

/* One decoded TCP segment; payload points into the captured frame. */
struct tr_pkt {
	u8 family;		/* 4 or 6 */
	u8 flags;		/* TR_FIN | TR_SYN | TR_RST | TR_ACK */
	u16 sport, dport;
	u8 saddr[16], daddr[16];	/* IPv4 uses the first 4 bytes */
	u32 seq;
	u32 ack;
	u16 tcp;		/* TLS_TCP_* (tls_seq.h): flags and header facts */
	u32 tsval;		/* with TLS_TCP_TS */
	u16 win;		/* the window field, unscaled */
	signed char wscale;		/* a SYN's window scale option, -1: none */
	u8 ttl;			/* TTL / hop limit as captured */
	const u8 *payload;
	u32 caplen;		/* payload bytes present in the capture */
	u32 len;		/* payload bytes on the wire (IP length) */
};

struct tr_stats {
	u64 frames;
	u64 decode[TR_PKT_NDECODE];
	u64 snap_truncated;	/* TCP segments whose payload was cut */
	u64 filtered;		/* segments of flows excluded by --port */
	u64 no_entry;		/* segments that make no conntrack entry */
	u64 flows_dropped;	/* segments of flows not tracked: table full */
	u64 flows_refused;	/* of these, SYNs without ACK (new flows) */
};

/* Options mirroring the module knobs. */
struct tr_opts {
	struct tls_policy pol;	/* gap and audit too (audit always 0) */
	u16 ports[64];
	unsigned int nports;
	unsigned int max_flows;
	u64 reorder_bytes;	/* per direction: stream bytes held; 0: no window */
	u64 reorder_total;	/* all flows: bytes of memory held */
	bool json;
	bool verbose;
};

/*
 * The offline reorder window (replay_flow.c): per direction, segments that
 * start beyond a hole are held (payload copied) instead of taking the gap
 * policy, and fed once the hole is filled, lowest sequence first.
 */
#define TR_REORDER_BYTES_DEFAULT	(1ull << 20)	/* 1 MiB per direction */
#define TR_REORDER_TOTAL_DEFAULT	(256ull << 20)	/* 256 MiB in all */
#define TR_REORDER_SEGS		4096	/* segments held per direction */

struct tr_held {
	struct tr_held *next;	/* sorted by sequence from the judged end */
	u64 frame;		/* the frame that carried it */
	struct tls_tcp t;	/* its TCP facts as captured (conntrack's too) */
	u32 caplen;		/* payload bytes kept (the capture's) */
	bool paws_ok;		/* its timestamp passed PAWS when it arrived */
	u8 data[];
};

/* Per-flow inspection state, beside the verdict. */
enum tr_state {
	TR_ST_INSPECTED = 0,	/* every byte seen was inspected */
	TR_ST_PICKUP,		/* joined mid-stream: not inspected */
	TR_ST_GAP_STOP,		/* hole with --gap stop: inspection stopped */
	TR_ST_GAP_STALLED,	/* --gap drop, hole never filled in the capture */
	TR_ST_SNAPLEN,		/* payload cut by the snaplen: inspection stopped */
	TR_ST_KILLED,		/* violation: packet dropped, the flow dead */
};

#define TR_HEAD 16		/* first bytes of each direction kept for -v */

struct tr_flow {
	struct tr_flow *next;	/* hash chain */
	u32 hash;
	u8 family;
	bool linked;		/* in the hash table (not replaced by a reopen) */
	bool syn_seen;		/* the client's SYN opened the flow */
	u8 fin;			/* bit per direction */
	bool rst;
	u8 addr[2][16];		/* [0] client (conntrack original), [1] server */
	u16 port[2];
	struct tls_flow tls;
	/* the flow's first host_name, as the engine read it (name_byte) */
	char sni[254];
	u8 sni_len;
	bool sni_seen;		/* a name began */
	bool sni_done;		/* a second began: the first is complete */
	enum tr_state state;
	u64 state_frame;	/* frame that caused state (0: none) */
	enum tls_reason verdict;
	u8 vdir;
	u64 vframe;
	u64 voffset;		/* offset of the deciding byte in vdir's stream */
	u64 first_frame, last_frame;
	u64 packets;
	u64 bytes[2];		/* payload bytes inspected and accepted */
	u64 records;
	u64 retrans;		/* segments with no new byte */
	u64 gap_drops;		/* segments the kernel drops beyond a hole */
	u64 gap_first;		/* frame of the first of them */
	u64 pickup_drops;	/* data segments dropped as pickup (gap drop) */
	u64 after_kill;		/* packets after the kill (all dropped: dead) */
	u64 why[TLS_DROP_MAX];	/* packets dropped before inspection, by rule */
	u64 syn_data_rejected;	/* SYN data the SYN-ACK refused */
	u64 ack_raised;		/* new bytes whose old ACK the kernel raises */
	u32 maxack[2];		/* per side: the highest ACK it sent (conntrack's) */
	bool maxack_set[2];
	/* per side: conntrack's td_maxend, the right edge of its data */
	u32 maxend[2];
	bool maxend_set[2];
	signed char wscale[2];		/* per side: its SYN's window scale, -1: none */
	bool unconfirmed;	/* the packet that made the entry was dropped */
	u64 invalid_data;	/* data segments then INVALID: no helper saw them */
	u64 unjudged;		/* data segments accepted uninspected (stopped) */
	u64 gap_open[2];	/* per direction: frame of an unfilled hole */
	u64 snap_frame;		/* first frame whose payload the snaplen cut */
	u8 head[2][TR_HEAD];
	u8 headlen[2];
	/* the reorder window, per direction */
	struct tr_held *held[2];
	u32 held_n[2];
	u64 held_len[2];	/* stream bytes held */
	bool no_hold[2];	/* window overflowed: gap policy until the hole fills */
	bool window_lost;	/* a hole filled after its window overflowed */
	u64 reordered;		/* segments held, then fed in sequence order */
	u64 reorder_flushed;	/* segments held, then given the gap policy */
	u64 reorder_overflows;	/* times a window was exceeded */
	/* what was not judged: per direction, stream positions */
	u32 hi[2];		/* end of the highest data byte captured */
	u32 lo[2];		/* first data byte captured */
	u32 judged[2];		/* end of the judged bytes */
	u32 gap_seq[2];		/* lowest start beyond the hole (gap_seq_set) */
	bool hi_set[2], judged_set[2], gap_seq_set[2];
	u64 lost_bytes;		/* holes the capture never filled */
	u64 unjudged_bytes;	/* set by tr_finish() */
};

struct tr_table {
	struct tr_flow **bucket;
	u32 nbuckets;		/* power of two */
	u32 seed;
	struct tr_flow *flows;	/* all flows in creation order */
	u32 nflows, cap;
	u64 held_mem;		/* bytes of memory the reorder windows hold */
	u64 held_peak;
};

/* replay_decode.c */
enum tr_decode_result tr_decode(int dlt, const u8 *data, u32 caplen,
				u32 wirelen, struct tr_pkt *p);
bool tr_dlt_supported(int dlt);

/* replay_flow.c */
int tr_table_init(struct tr_table *t, u32 cap);
void tr_table_free(struct tr_table *t);
void tr_packet(struct tr_table *t, const struct tr_pkt *p, u64 frame,
	       const struct tr_opts *o, struct tr_stats *st);
void tr_finish(struct tr_table *t, const struct tr_opts *o,
	       struct tr_stats *st);
const char *tr_unjudged_reason(const struct tr_flow *f);

/* replay_out.c */
const char *tr_state_name(enum tr_state s);
void tr_print_flow(FILE *out, const struct tr_flow *f, const struct tr_opts *o);
void tr_print_summary(FILE *out, const struct tr_table *t,
		      const struct tr_stats *st, const struct tr_opts *o,
		      const char *file, const char *truncated);

#endif /* _TR_REPLAY_H */
