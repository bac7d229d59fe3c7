// SPDX-License-Identifier: GPL-2.0
/*
 * TCP sequence tracking for the engine (see tls_seq.h).  Per direction the
 * flow keeps next_seq, the sequence number of the first byte not yet
 * inspected, valid once that direction's SYN was seen (TLS_F_SEQ_VALID).
 * All comparisons use the signed 32-bit difference, so they are correct
 * across the wrap at 2^32 as long as the two numbers are within 2^31 of
 * each other, which TCP's window guarantees.
 */
#include "tls_engine.h"
#include "tls_seq.h"
#include "tls_handshake.h"
#include "tls_tcp_rules.h"

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

const char *tls_drop_name(enum tls_drop w)
{
	static const char *const names[TLS_DROP_MAX] = {
		[TLS_DROP_NONE] = "none",
		[TLS_DROP_DEAD] = "dead",
		[TLS_DROP_URGENT] = "urgent",
		[TLS_DROP_SYN_DATA] = "syn_data",
		[TLS_DROP_SYN_ACK] = "syn_ack",
		[TLS_DROP_EARLY] = "early",
		[TLS_DROP_IP_OPTIONS] = "ip_options",
		[TLS_DROP_TCP_OPTIONS] = "tcp_options",
		[TLS_DROP_SYN_AGAIN] = "syn_again",
		[TLS_DROP_AFTER_FIN] = "after_fin",
		[TLS_DROP_OLD_ACK] = "old_ack",
		[TLS_DROP_LOW_TTL] = "low_ttl",
		[TLS_DROP_PAWS] = "paws",
		[TLS_DROP_NO_TS] = "no_timestamp",
		[TLS_DROP_NO_MEMORY] = "no_memory",
		[TLS_DROP_WINDOW] = "window",
		[TLS_DROP_FASTOPEN] = "fastopen",
	};

	return (unsigned int)w < TLS_DROP_MAX ? names[w] : "?";
}

#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCPOPT_MD5	19
#define TCPOPT_AO	29
#define TCPOPT_MPTCP	30
#define TCPOPT_EXP	254	/* RFC 6994 experimental; SMC's magic below */

#define TCPOPT_TIMESTAMP	8
#define TCPOLEN_TIMESTAMP	10

u16 tls_tcp_options(const u8 *opt, u32 len, u32 *tsval)
{
	u32 i = 0, olen;
	u16 found = 0;

	while (i < len && opt[i] != TCPOPT_EOL) {
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			break;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			break;
		if (opt[i] == TCPOPT_MD5 || opt[i] == TCPOPT_AO ||
		    opt[i] == TCPOPT_MPTCP)
			found |= TLS_TCP_SIGOPT;
		/* SMC-R/SMC-D: ExID 0xe2d4c3d9 ("SMC" in EBCDIC) */
		if (opt[i] == TCPOPT_EXP && olen >= 6 && opt[i + 2] == 0xe2 &&
		    opt[i + 3] == 0xd4 && opt[i + 4] == 0xc3 && opt[i + 5] == 0xd9)
			found |= TLS_TCP_SIGOPT;
		/* tcp_parse_options() takes only this exact length */
		if (opt[i] == TCPOPT_TIMESTAMP && olen == TCPOLEN_TIMESTAMP &&
		    !(found & TLS_TCP_TS)) {
			*tsval = (u32)opt[i + 2] << 24 | (u32)opt[i + 3] << 16 |
				 (u32)opt[i + 4] << 8 | opt[i + 5];
			found |= TLS_TCP_TS;
		}
		i += olen;
	}
	return found;
}

bool tls_tcp_options_ambiguous(const u8 *opt, u32 len)
{
	u32 tsval;

	return tls_tcp_options(opt, len, &tsval) & TLS_TCP_SIGOPT;
}

bool tls_tcp_timestamp(const u8 *opt, u32 len, u32 *tsval)
{
	return tls_tcp_options(opt, len, tsval) & TLS_TCP_TS;
}

/* t's timestamp is newer than the highest of its side: ts_note() wants it */
static bool ts_newer(const struct tls_flow *f, unsigned int dir,
		     const struct tls_tcp *t)
{
	return (f->tcp & TLS_FT_TS_ON) && (t->flags & TLS_TCP_TS) &&
	       (!(f->tcp & TLS_FT_TS_SEEN(dir)) ||
		(s32)(t->tsval - f->ts_max[dir]) > 0);
}

bool tls_seg_quiet(const struct tls_flow *f, unsigned int dir,
		   const struct tls_tcp *t)
{
	const struct tls_dir *c = &f->dir[TLS_DIR_CLIENT];

	if (dir > 1 || t->len ||
	    (t->flags & (TLS_TCP_SYN | TLS_TCP_FIN | TLS_TCP_URG)))
		return false;
	/* the flow's first segment decides seeding or pickup */
	if (!(c->flags & (TLS_F_SEQ_VALID | TLS_F_PICKUP | TLS_F_OFF)))
		return false;
	/* a newer timestamp may move the receiver's ts_recent: noted */
	if (!(t->flags & TLS_TCP_RST) && ts_newer(f, dir, t))
		return false;
	/* so may a window that closes or opens */
	if (!(t->flags & TLS_TCP_RST) && (t->flags & TLS_TCP_ACK) &&
	    !(t->flags & TLS_TCP_ZEROWIN) != !(f->tcp & TLS_FT_ZEROWIN(dir)))
		return false;
	return !tls_flow_dead(f);
}

/*
 * The handshake layer's fields (hs_*) are not packed: a flow packed early
 * with any of them set (the client's SYN carried its first handshake
 * bytes: TCP Fast Open) comes back with the layer off, for good
 * (TLS_HS_ON is only set at a flow's first record), and is inspected at
 * the record layer alone.  Failing instead would drop the SYN and its
 * data (no_memory): the client would retransmit a SYN without data and
 * TCP Fast Open would never work through the helper.  The layer's state
 * (up to a whole ClientHello being parsed) cannot fit in the 24 bytes.
 */
bool tls_flow_pack_early(const struct tls_flow *f, struct tls_flow_early *e)
{
	const struct tls_dir *sv = &f->dir[TLS_DIR_SERVER];

	if (sv->next_seq > 0xffff || (sv->flags & ~TLS_F_OFF) ||
	    sv->rec_left || sv->run || sv->scratch || sv->hb_req ||
	    sv->state || sv->rec_type || sv->version || f->ts_max[1] ||
	    (f->tcp & ~(TLS_FT_TS_SEEN(TLS_DIR_CLIENT) |
			TLS_FT_ZEROWIN(TLS_DIR_CLIENT) |
			TLS_FT_WIN_SEEN(TLS_DIR_CLIENT))))
		return false;
	e->client = f->dir[TLS_DIR_CLIENT];
	e->ts_client = f->ts_max[TLS_DIR_CLIENT];
	e->syn_data = sv->next_seq;
	e->tcp = f->tcp;
	e->server_flags = sv->flags;
	return true;
}

void tls_flow_unpack_early(struct tls_flow *f, const struct tls_flow_early *e)
{
	tls_flow_init(f);	/* padding too: states are compared whole */
	f->dir[TLS_DIR_CLIENT] = e->client;
	f->dir[TLS_DIR_SERVER].next_seq = e->syn_data;
	f->dir[TLS_DIR_SERVER].flags = e->server_flags;
	f->ts_max[TLS_DIR_CLIENT] = e->ts_client;
	f->tcp = e->tcp;
}

/* Drop segment s before any inspection, for reason w. */
static bool seg_drop(struct tls_seg *s, enum tls_drop w)
{
	s->action = TLS_SEQ_DROPPED;
	s->why = w;
	s->drop = true;
	return false;
}

/*
 * The length of the client's SYN data while a retransmission of that SYN
 * may still come (0: none).  Until the SYN-ACK, the server's next_seq
 * holds it (the server's ISN is unknown).  A SYN-ACK that took the data
 * may be lost after the router, and the client then repeats its SYN
 * without data: from the SYN-ACK until the client sends data, the
 * server's hb_req keeps the length (hb_req is unused until the server
 * sends a heartbeat request, TLS_F_HB_PEND, and zeroed after one).
 */
static u32 syn_data_len(const struct tls_flow *f)
{
	const struct tls_dir *sv = &f->dir[TLS_DIR_SERVER];

	if (!(sv->flags & TLS_F_SEQ_VALID))
		return sv->next_seq;
	return sv->flags & TLS_F_HB_PEND ? 0 : sv->hb_req;
}

/*
 * The server's SYN-ACK decides the client's SYN data (syn_data_len()):
 * the SYN-ACK acknowledges all of it (TCP Fast Open took it), or none:
 * the server dropped it, so the client's stream restarts at ISN + 1 and
 * its parser from scratch.  Anything in between cannot be modelled: that
 * SYN-ACK is dropped.
 */
static bool syn_data_decided(struct tls_flow *f, const struct tls_tcp *t,
			     struct tls_seg *s)
{
	struct tls_dir *c = &f->dir[TLS_DIR_CLIENT];
	u32 prov = syn_data_len(f);

	if (!prov)
		return true;
	if (!(t->flags & TLS_TCP_ACK))
		return false;
	if (t->ack == c->next_seq) {
		/* kept for a repeated SYN; one longer fails closed */
		f->dir[TLS_DIR_SERVER].hb_req = prov <= 0xffff ? prov : 0;
		return true;
	}
	if (t->ack != c->next_seq - prov)
		return false;
	*c = (struct tls_dir){ .next_seq = t->ack, .flags = TLS_F_SEQ_VALID };
	/* the handshake layer forgets the SYN's bytes too (the server sent none) */
	tls_hs_reset(f);
	s->syn_data_rejected = true;
	return true;
}

/*
 * A SYN of a direction whose ISN is known: a retransmission of the first
 * one is fine, any other SYN would restart the stream somewhere else (the
 * receiver discards it, but conntrack may resynchronise on the new
 * connection that follows, with bytes the helper would take as old).
 * Retransmissions come before any data: at next_seq, or, after the
 * client's SYN data, at next_seq minus its length.  A Fast Open server
 * may send data before its SYN-ACK is acknowledged and then repeat the
 * SYN-ACK: while the client has sent nothing but its SYN data, and the
 * SYN-ACK acknowledges exactly that, it may lie anywhere up to the
 * server's next byte (the server's ISN is not kept; one beyond would
 * make conntrack start the server's stream anew).
 */
static bool syn_retransmitted(const struct tls_flow *f, unsigned int dir,
			      const struct tls_tcp *t)
{
	const struct tls_dir *d = &f->dir[dir];
	const struct tls_dir *c = &f->dir[TLS_DIR_CLIENT];
	u32 prov = syn_data_len(f);

	if (prov && dir == TLS_DIR_CLIENT)
		return t->seq + 1 + prov == d->next_seq;
	if (prov && (t->flags & TLS_TCP_ACK) && t->ack == c->next_seq)
		return (s32)(t->seq + 1 - d->next_seq) <= 0;
	return !(d->flags & TLS_F_HDR_SEEN) && t->seq + 1 == d->next_seq;
}

/* A FIN at the end of what this side sent: no stream byte may follow. */
static void fin_passed(struct tls_flow *f, unsigned int dir,
		       const struct tls_tcp *t)
{
	struct tls_dir *d = &f->dir[dir];

	if (d->state != ST_DEAD && t->seq + t->len == d->next_seq)
		d->state = ST_FIN;
}

static bool seg_decide(struct tls_flow *f, unsigned int dir,
		       const struct tls_tcp *t, const struct tls_policy *pol,
		       struct tls_seg *s)
{
	enum tls_gap_policy gap = pol->gap == TLS_GAP_STOP ? TLS_GAP_STOP :
			   TLS_GAP_DROP;
	bool syn = t->flags & TLS_TCP_SYN;
	struct tls_dir *c, *sv;

	*s = (struct tls_seg){ .action = TLS_SEQ_OLD };
	if (dir > 1 || (f->dir[dir].flags & TLS_F_OFF)) {
		s->action = TLS_SEQ_UNTRACKED;
		return false;
	}
	c = &f->dir[TLS_DIR_CLIENT];
	sv = &f->dir[TLS_DIR_SERVER];
	if (tls_flow_dead(f)) {
		if (f->dir[dir].flags & TLS_F_SEQ_VALID)
			s->rcv_nxt = f->dir[dir].next_seq;
		return seg_drop(s, TLS_DROP_DEAD);
	}
	/*
	 * Segments a receiver reads differently from a plain in-order
	 * reader, which TLS never needs: the urgent pointer (a byte leaves
	 * the stream, even one announced by a pure ACK), IP options and IPv6
	 * extension headers, signature options without the receiver's key.
	 */
	if (t->flags & TLS_TCP_URG)
		return seg_drop(s, TLS_DROP_URGENT);
	if (t->len || syn) {
		if (t->flags & TLS_TCP_IPOPT)
			return seg_drop(s, TLS_DROP_IP_OPTIONS);
		if (t->flags & TLS_TCP_SIGOPT)
			return seg_drop(s, TLS_DROP_TCP_OPTIONS);
		/*
		 * A segment whose TTL could run out between the router and
		 * the receiver is a decoy the receiver may never read.
		 */
		if (t->ttl < pol->ttl_floor)
			return seg_drop(s, TLS_DROP_LOW_TTL);
	}
	/* the receiver never reads a RST's payload */
	if (t->flags & TLS_TCP_RST)
		return false;

	/* the first segment: the client's SYN starts a flow, else a pickup */
	if (!(c->flags & (TLS_F_SEQ_VALID | TLS_F_PICKUP))) {
		if (dir == TLS_DIR_CLIENT &&
		    (t->flags & (TLS_TCP_SYN | TLS_TCP_ACK)) == TLS_TCP_SYN) {
			/*
			 * Data on the SYN (TCP Fast Open) reaches a Fast Open
			 * server's application at once, but the handshake
			 * layer's state (a ClientHello being parsed) does not
			 * fit the early state (tls_flow_pack_early()): taken,
			 * it would be inspected at the record layer only.
			 * Dropped, the client retransmits its SYN without the
			 * data and sends it after the SYN-ACK (Linux: one SYN
			 * timeout, and Fast Open to that server is disabled
			 * after repeated losses).
			 */
			if (t->len && pol->handshake)
				return seg_drop(s, TLS_DROP_FASTOPEN);
			s->new_flow = true;
			sv->next_seq = t->len;	/* provisional SYN data */
		} else {
			c->flags |= TLS_F_PICKUP;
		}
	}
	if (c->flags & TLS_F_PICKUP) {
		/*
		 * Record boundaries unknown, and the sequence start is never
		 * set later: a SYN on a picked-up entry (which conntrack
		 * ignores) need not be one the server accepts.  Gap policy
		 * "drop" drops the data, "stop" stops inspecting.
		 */
		s->action = TLS_SEQ_PICKUP;
		if (gap == TLS_GAP_STOP)
			tls_flow_stop(f);
		else
			s->drop = t->len != 0;
		return false;
	}
	if (syn && !s->new_flow) {
		if (f->dir[dir].flags & TLS_F_SEQ_VALID) {
			if (t->len)
				return seg_drop(s, TLS_DROP_SYN_DATA);
			if (!syn_retransmitted(f, dir, t))
				return seg_drop(s, TLS_DROP_SYN_AGAIN);
			return false;
		}
		/* the server's first SYN: SYN-ACK, or simultaneous open */
		if (t->len)
			return seg_drop(s, TLS_DROP_SYN_DATA);
		if (!syn_data_decided(f, t, s))
			return seg_drop(s, TLS_DROP_SYN_ACK);
		sv->next_seq = 0;
	} else if (!syn && t->len && !(sv->flags & TLS_F_SEQ_VALID)) {
		/* no side sends data before the SYN-ACK (conntrack: INVALID) */
		return seg_drop(s, TLS_DROP_EARLY);
	}
	if (f->dir[dir].state == ST_FIN) {
		/* the receiver takes no byte after the FIN */
		if (t->len && (s32)(t->seq + t->len - f->dir[dir].next_seq) > 0)
			return seg_drop(s, TLS_DROP_AFTER_FIN);
		return false;
	}

	/* the client sends data once it has the SYN-ACK: no SYN follows */
	if (dir == TLS_DIR_CLIENT && t->len && (sv->flags & TLS_F_SEQ_VALID) &&
	    !(sv->flags & TLS_F_HB_PEND))
		sv->hb_req = 0;
	s->action = tls_seq_segment(f, dir, t->seq, syn, t->len, gap,
				    &s->skip);
	s->fin = (t->flags & TLS_TCP_FIN) != 0;
	/*
	 * Beyond a hole the gap policy "drop" drops the data: the sender
	 * retransmits in order.
	 */
	s->drop = s->action == TLS_SEQ_GAP_DROP;
	/*
	 * New bytes whose ACK is older than one this side already sent: a
	 * receiver drops such a segment when the ACK is too old (RFC 5961
	 * 5.2), by a margin the helper cannot know, so the ACK is raised to
	 * that highest one (at most what the receiver sent, at least its
	 * snd_una) and the receiver takes what the helper reads.  Reordered
	 * segments of a bidirectional exchange carry such ACKs every day.
	 */
	s->raise_ack = s->action == TLS_SEQ_NEW &&
		       (t->flags & TLS_TCP_OLDACK);
	if (s->action == TLS_SEQ_NEW) {
		enum tls_drop w = paws_drop(f, dir, t);

		if (w == TLS_DROP_NONE && !(t->flags & TLS_TCP_SYN) &&
		    beyond_window(f, dir, t))
			w = TLS_DROP_WINDOW;
		if (w != TLS_DROP_NONE) {
			s->raise_ack = false;
			s->skip = 0;
			return seg_drop(s, w);
		}
	}
	if (s->action == TLS_SEQ_OLD && (t->flags & TLS_TCP_FIN))
		fin_passed(f, dir, t);
	return s->action == TLS_SEQ_NEW;
}

bool tls_seg_begin(struct tls_flow *f, unsigned int dir,
		   const struct tls_tcp *t, const struct tls_policy *pol,
		   struct tls_seg *s)
{
	bool feed = seg_decide(f, dir, t, pol, s);

	/* every segment passed may move the receiver's ts_recent */
	if (!s->drop && s->action != TLS_SEQ_UNTRACKED &&
	    s->action != TLS_SEQ_PICKUP && !(t->flags & TLS_TCP_RST)) {
		ts_note(f, dir, t);
		win_note(f, dir, t);
	}
	return feed;
}

void tls_seg_end(struct tls_flow *f, unsigned int dir, u32 len,
		 enum tls_reason r, const struct tls_policy *pol,
		 struct tls_seg *s)
{
	seg_end(f, dir, len, r, pol, s);
}
