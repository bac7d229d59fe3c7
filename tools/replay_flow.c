// SPDX-License-Identifier: GPL-2.0
/*
 * tls-replay flow table and per-segment replay.
 *
 * A flow is a TCP 5-tuple, both directions.  As in conntrack, direction 0
 * (the client, IP_CT_DIR_ORIGINAL) is the sender of the packet that created
 * the entry: the first SYN without ACK when the capture holds it.  A flow
 * whose first packet is anything else was joined mid-stream (conntrack
 * pickup); its direction 0 is the sender of the first packet that makes a
 * conntrack entry (see creates_entry()), and the engine stops at its first
 * data segment.
 *
 * tr_packet() does per segment exactly what nf_ct_tls_help() does, with the
 * same engine calls: tls_seg_begin(), tls_feed() on the new bytes and
 * tls_seg_end(), which decide the drops and kills for both.  With
 * --no-reorder, segments are taken in capture order.  Where the kernel
 * drops a segment (GAP_DROP, a pickup with --gap drop) the sender
 * retransmits it, and in a capture
 * the retransmission is there, so capture order is the right model.  Two
 * limits of the model: a capture taken on an end host may show segments in
 * an order the router in between would not see (and the reverse), and a
 * hole the capture never fills (a segment the capture lost, or one the
 * receiver got but the capture missed) stalls the flow here where the
 * kernel would have seen the retransmission: such flows are reported as
 * state gap-stalled, with the frame of the first segment beyond the hole.
 *
 * By default a bounded reorder window per direction (tools/README.md)
 * holds a segment that starts beyond a hole (decided by the engine on a
 * trial copy of the flow state, which stays untouched) and feeds it once
 * the hole is filled, lowest sequence first; the gap policy applies only
 * when the window overflows or the flow ends with the hole still open.
 *
 * Not modelled: conntrack's own TCP window checks (out-of-window packets
 * are INVALID and never reach a helper), checksum validation, timeouts,
 * and IP fragment reassembly (fragments are counted and ignored).
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

static u32 mix(u32 h, u32 v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 15);
}

static u32 hash_ep(u32 h, const u8 *a, u16 port)
{
	unsigned int i;
	u32 w;

	for (i = 0; i < 16; i += 4) {
		memcpy(&w, a + i, 4);
		h = mix(h, w);
	}
	return mix(h, port);
}

static int ep_cmp(const u8 *a1, u16 p1, const u8 *a2, u16 p2)
{
	int c = memcmp(a1, a2, 16);

	if (c)
		return c;
	return (int)p1 - (int)p2;
}

/* Direction-independent hash of the segment's 5-tuple. */
static u32 pkt_hash(const struct tr_table *t, const struct tr_pkt *p)
{
	u32 h = mix(t->seed, p->family);

	if (ep_cmp(p->saddr, p->sport, p->daddr, p->dport) <= 0) {
		h = hash_ep(h, p->saddr, p->sport);
		return hash_ep(h, p->daddr, p->dport);
	}
	h = hash_ep(h, p->daddr, p->dport);
	return hash_ep(h, p->saddr, p->sport);
}

int tr_table_init(struct tr_table *t, u32 cap)
{
	u32 n = 1024;

	memset(t, 0, sizeof(*t));
	while (n < cap && n < (1u << 24))
		n <<= 1;
	t->bucket = calloc(n, sizeof(*t->bucket));
	/* calloc of a large block maps zero pages: untouched flows cost nothing */
	t->flows = calloc(cap ? cap : 1, sizeof(*t->flows));
	if (!t->bucket || !t->flows) {
		free(t->bucket);
		free(t->flows);
		return -1;
	}
	t->nbuckets = n;
	t->cap = cap;
	/* a fixed seed: the output never depends on it, only the speed */
	t->seed = 0x5eed1e55u;
	return 0;
}

void tr_table_free(struct tr_table *t)
{
	struct tr_held *h;
	unsigned int d;
	u32 i;

	for (i = 0; t->flows && i < t->nflows; i++)
		for (d = 0; d < 2; d++)
			while ((h = t->flows[i].held[d])) {
				t->flows[i].held[d] = h->next;
				free(h);
			}
	free(t->bucket);
	free(t->flows);
	memset(t, 0, sizeof(*t));
}

/* The flow of p and the direction of p in it, or NULL. */
static struct tr_flow *lookup(struct tr_table *t, const struct tr_pkt *p,
			      u32 h, unsigned int *dir)
{
	struct tr_flow *f;

	for (f = t->bucket[h & (t->nbuckets - 1)]; f; f = f->next) {
		if (f->hash != h || f->family != p->family)
			continue;
		if (!ep_cmp(f->addr[0], f->port[0], p->saddr, p->sport) &&
		    !ep_cmp(f->addr[1], f->port[1], p->daddr, p->dport)) {
			*dir = TLS_DIR_CLIENT;
			return f;
		}
		if (!ep_cmp(f->addr[1], f->port[1], p->saddr, p->sport) &&
		    !ep_cmp(f->addr[0], f->port[0], p->daddr, p->dport)) {
			*dir = TLS_DIR_SERVER;
			return f;
		}
	}
	return NULL;
}

static void unlink_flow(struct tr_table *t, struct tr_flow *f)
{
	struct tr_flow **pp = &t->bucket[f->hash & (t->nbuckets - 1)];

	while (*pp && *pp != f)
		pp = &(*pp)->next;
	if (*pp)
		*pp = f->next;
	f->next = NULL;
	f->linked = false;
}

static bool port_wanted(const struct tr_opts *o, u16 port)
{
	unsigned int i;

	for (i = 0; i < o->nports; i++)
		if (o->ports[i] == port)
			return true;
	return false;
}

/* --port: the server port of a SYN; either port of a flow joined later. */
static bool flow_wanted(const struct tr_opts *o, const struct tr_pkt *p)
{
	if (!o->nports)
		return true;
	if ((p->flags & (TR_SYN | TR_ACK)) == TR_SYN)
		return port_wanted(o, p->dport);
	return port_wanted(o, p->sport) || port_wanted(o, p->dport);
}

static struct tr_flow *create(struct tr_table *t, const struct tr_pkt *p,
			      u32 h, u64 frame)
{
	struct tr_flow *f;
	u32 b = h & (t->nbuckets - 1);

	if (t->nflows >= t->cap)
		return NULL;
	f = &t->flows[t->nflows++];
	memset(f, 0, sizeof(*f));
	f->hash = h;
	f->family = p->family;
	memcpy(f->addr[0], p->saddr, 16);
	memcpy(f->addr[1], p->daddr, 16);
	f->port[0] = p->sport;
	f->port[1] = p->dport;
	f->syn_seen = (p->flags & (TR_SYN | TR_ACK)) == TR_SYN;
	f->first_frame = frame;
	tls_flow_init(&f->tls);
	f->next = t->bucket[b];
	t->bucket[b] = f;
	f->linked = true;
	return f;
}

/*
 * Whether conntrack makes a new entry for a packet of an unknown flow
 * (nf_conntrack_proto_tcp.c, state NONE): a SYN without ACK, or, with
 * nf_conntrack_tcp_loose (default 1), a segment whose flags index is
 * "ack" (no RST, SYN or FIN).  A SYN/ACK, FIN, RST or flagless first
 * packet is INVALID: no entry, so no helper ever sees it.
 */
static bool creates_entry(const struct tr_pkt *p)
{
	if (p->flags & TR_RST)
		return false;
	if (p->flags & TR_SYN)
		return !(p->flags & TR_ACK);
	return !(p->flags & TR_FIN) && (p->flags & TR_ACK);
}

/*
 * A SYN without ACK on a closed (RST, or FIN both ways) flow opens a new
 * connection on the same 5-tuple: conntrack deletes the old
 * entry and creates a new one (TCP reopen), so the tool does too.
 */
static bool reopens(const struct tr_flow *f, const struct tr_pkt *p)
{
	if ((p->flags & (TR_SYN | TR_ACK)) != TR_SYN)
		return false;
	return f->rst || f->fin == 3;
}

static void keep_head(struct tr_flow *f, unsigned int dir, const u8 *buf,
		      u32 n)
{
	u32 room = TR_HEAD - f->headlen[dir];

	if (n > room)
		n = room;
	memcpy(f->head[dir] + f->headlen[dir], buf, n);
	f->headlen[dir] += n;
}

/*
 * conntrack's td_maxend per side (tcp_in_window()): a SYN starts its
 * side's at its end; an ACK of side d moves the other side's to the
 * highest ACK + window (scaled unless on a SYN, and only if both SYNs
 * offered scaling; one more for a zero window).  SACK edges, which
 * conntrack uses instead of the ACK, are left out: with the gap policy
 * "drop" they do not pass the ACK.  Valid for a side once the other
 * side's SYN was seen.
 */
static void tr_track_window(struct tr_flow *f, unsigned int dir,
			    const struct tr_pkt *p)
{
	unsigned int peer = !dir;
	u32 win = p->win, edge;

	if (p->flags & TR_SYN) {
		f->wscale[dir] = p->wscale;
		if (!(p->flags & TR_ACK)) {
			f->maxend[dir] = p->seq + 1 + p->len;
			if (dir == 0)
				f->wscale[1] = -1;
		}
	} else if (f->wscale[0] >= 0 && f->wscale[1] >= 0) {
		win <<= f->wscale[dir];
	}
	if (!(p->flags & TR_ACK) || !f->syn_seen)
		return;
	edge = p->ack + win + !win;
	if (!f->maxend_set[peer] || (s32)(edge - f->maxend[peer]) > 0)
		f->maxend[peer] = edge;
	f->maxend_set[peer] = true;
}

/*
 * conntrack's facts of segment p, taken when conntrack sees it (capture
 * order, held or not): the receiver's right edge, and whether its ACK is
 * older than the highest of its side (td_maxack, the glue's
 * nf_ct_tls_old_ack(); the raised ACK of a passed segment equals it, so
 * the maximum is unchanged).
 */
static void seg_facts(struct tr_flow *f, unsigned int dir,
		      const struct tr_pkt *p, struct tls_tcp *t)
{
	*t = (struct tls_tcp){
		.seq = p->seq, .ack = p->ack, .len = p->len, .flags = p->tcp,
		.tsval = p->tsval, .ttl = p->ttl,
	};
	if (f->maxend_set[dir]) {
		t->redge = f->maxend[dir];
		t->flags |= TLS_TCP_REDGE;
	}
	tr_track_window(f, dir, p);
	if (p->flags & TR_ACK) {
		if (f->maxack_set[dir] && (s32)(p->ack - f->maxack[dir]) < 0) {
			t->flags |= TLS_TCP_OLDACK;
		} else {
			f->maxack[dir] = p->ack;
			f->maxack_set[dir] = true;
		}
	}
}

/* The largest TCP window (scale 14): no hole of a stream is wider. */
#define TR_SEQ_FAR	(1 << 30)

/* The stream bytes the capture shows (for unjudged_bytes), until a kill. */
static void note_span(struct tr_flow *f, unsigned int dir,
		      const struct tr_pkt *p)
{
	u32 start = p->seq + !!(p->flags & TR_SYN), end = start + p->len;

	if (!p->len || f->state == TR_ST_KILLED || (p->flags & TR_RST))
		return;
	/* past any TCP window: not this stream's (a new ISN, garbage) */
	if (f->judged_set[dir] && (s32)(end - f->judged[dir]) > TR_SEQ_FAR)
		return;
	if (!f->hi_set[dir]) {
		f->lo[dir] = start;
		f->hi[dir] = end;
		f->hi_set[dir] = true;
	} else if ((s32)(end - f->hi[dir]) > 0) {
		f->hi[dir] = end;
	}
}

/* The engine's decision on a copy of the flow state (nothing mutated). */
struct trial {
	struct tls_flow tls;
	struct tls_seg seg;
	bool feed;
	bool fast;		/* tls_seg_fast() decided all: fed, ended */
	struct tls_fate fate;	/* its outcome */
};

static void try_seg(const struct tr_flow *f, unsigned int dir,
		    const struct tls_tcp *t, const struct tr_opts *o,
		    struct trial *tr)
{
	tr->tls = f->tls;
	tr->fast = false;
	tr->feed = tls_seg_begin(&tr->tls, dir, t, &o->pol, &tr->seg);
}

static void tr_name_byte(void *ctx, int b);

/*
 * The kernel's fused path first, as nf_ct_tls_help() takes it: the whole
 * fate of a steady in-order segment, fed and ended, on the trial copy.
 * Only while nothing is held: must_wait() is then false for every
 * segment it takes (new, in order, no FIN), so the trial is committed
 * and its name bytes (tr_name_byte(), the real flow's) are seen once.
 * Not for a payload the snaplen cut.
 */
static bool try_fast(struct tr_flow *f, unsigned int dir,
		     const struct tls_tcp *t, const struct tr_pkt *p,
		     const struct tr_opts *o, struct trial *tr)
{
	struct tls_policy pol = o->pol;

	if (f->held[0] || f->held[1] || p->caplen < t->len)
		return false;
	pol.rules.name_byte = tr_name_byte;
	pol.rules.name_ctx = f;
	tr->tls = f->tls;
	tr->fast = tls_seg_fast(&tr->tls, dir, t, p->payload, &pol, &tr->fate);
	tr->feed = tr->fast;
	tr->seg = tr->fate.seg;
	return tr->fast;
}

/*
 * The peer's held segments wait for a hole and t acknowledges bytes beyond
 * it: the sender of t had those bytes, so in the router's order the hole
 * was filled before t.  Feeding t now would judge it against a peer state
 * that lags (a heartbeat response before its request), so t waits too.
 */
static bool peer_blocked(const struct tr_flow *f, unsigned int dir,
			 const struct tls_tcp *t)
{
	const struct tr_held *h = f->held[!dir];
	u32 next = f->tls.dir[!dir].next_seq;

	if (!h || !t->len || !(t->flags & TLS_TCP_ACK))
		return false;
	/* only behind a hole of the peer's own: no two sides wait on each other */
	if ((s32)(h->t.seq - next) <= 0)
		return false;
	return (s32)(t->ack - next) > 0;
}

/*
 * Whether segment t must wait in the reorder window: it starts beyond a
 * hole (the engine says GAP on the trial), it needs the peer's hole filled
 * first (peer_blocked()), or it is a FIN beyond held bytes.
 */
static bool must_wait(const struct tr_flow *f, unsigned int dir,
		      const struct tls_tcp *t, const struct trial *tr)
{
	u8 a = tr->seg.action;

	if (a == TLS_SEQ_GAP_DROP || a == TLS_SEQ_GAP_STOP)
		return (s32)(t->seq - f->tls.dir[dir].next_seq) <= TR_SEQ_FAR;
	if (tr->feed && peer_blocked(f, dir, t))
		return true;
	return a == TLS_SEQ_OLD && !t->len && (t->flags & TLS_TCP_FIN) &&
	       f->held[dir] &&
	       (s32)(t->seq - f->tls.dir[dir].next_seq) > 0;
}

static void held_free(struct tr_table *tb, struct tr_flow *f,
		      unsigned int dir, struct tr_held *h)
{
	f->held_n[dir]--;
	f->held_len[dir] -= h->t.len;
	tb->held_mem -= sizeof(*h) + h->caplen;
	free(h);
}

/* A killed flow: what is held is never judged (the flow's bytes are dropped) */
static void held_discard(struct tr_table *tb, struct tr_flow *f)
{
	struct tr_held *h;
	unsigned int d;

	for (d = 0; d < 2; d++)
		while ((h = f->held[d])) {
			f->held[d] = h->next;
			f->reorder_flushed++;
			held_free(tb, f, d, h);
		}
}

static void drain(struct tr_table *tb, struct tr_flow *f,
		  const struct tr_opts *o, struct tr_stats *st);

/* The engine's host_name bytes (struct tls_rules.name_byte): keep the first */
static void tr_name_byte(void *ctx, int b)
{
	struct tr_flow *f = ctx;

	if (b < 0) {
		f->sni_done = f->sni_seen;
		f->sni_seen = true;
		return;
	}
	if (!f->sni_done && f->sni_len < sizeof(f->sni) - 1)
		f->sni[f->sni_len++] = (char)b;
}

/*
 * What nf_ct_tls_help() does with one segment of a tracked flow (the same
 * tls_seg_begin() and tls_seg_end()), given the engine's decision on a
 * trial copy of the state, which it makes the flow's; true when the kernel
 * drops the segment (NF_DROP).  *fed: new bytes were accepted.
 */
static bool commit(struct tr_table *tb, struct tr_flow *f, unsigned int dir,
		   const struct tls_tcp *tt, const u8 *payload, u32 caplen,
		   u64 frame, const struct tr_opts *o, struct tr_stats *st,
		   struct trial *tr, bool *fed)
{
	struct tls_seg seg = tr->seg;
	struct tls_policy pol;
	struct tls_result res;
	enum tls_reason r;
	u32 n, avail;

	*fed = false;
	f->tls = tr->tls;
	if (tr->feed) {
		n = tt->len - seg.skip;
		avail = caplen > seg.skip ? caplen - seg.skip : 0;
		if (avail > n)
			avail = n;
		f->gap_open[dir] = 0;
		f->gap_seq_set[dir] = false;
		/* filled after the window gave up: what it flushed is gone */
		if (f->no_hold[dir])
			f->window_lost = true;
		f->no_hold[dir] = false;
		keep_head(f, dir, payload + seg.skip, avail);
		if (tr->fast) {
			/* fed and ended by tls_seg_fast() */
			r = tr->fate.r;
			res = tr->fate.res;
		} else {
			pol = o->pol;
			pol.rules.name_byte = tr_name_byte;
			pol.rules.name_ctx = f;
			r = tls_feed(&f->tls, dir, payload + seg.skip, avail,
				     &pol, &res);
		}
		f->records += res.records;
		if (!tr->fast)
			tls_seg_end(&f->tls, dir, tt->len, r, &o->pol, &seg);
		/* the glue raises the ACK of a segment it passes */
		if (seg.raise_ack && !seg.drop)
			f->ack_raised++;
		if (r != TLS_OK) {
			f->verdict = r;
			f->vdir = dir;
			f->vframe = frame;
			f->voffset = f->bytes[dir] + res.at;
			if (seg.kill) {
				/* NF_DROP; the entry stays, dead */
				f->state = TR_ST_KILLED;
				f->state_frame = frame;
				f->judged[dir] = f->tls.dir[dir].next_seq + n;
				f->judged_set[dir] = true;
				held_discard(tb, f);
			}
			return seg.drop;
		}
		if (avail < n) {
			/*
			 * The snaplen cut the payload: the kernel saw bytes
			 * the capture lacks.  Nothing after them can be
			 * judged, so inspection of the flow stops here.
			 */
			st->snap_truncated++;
			f->bytes[dir] += avail;
			f->snap_frame = frame;
			f->state = TR_ST_SNAPLEN;
			f->state_frame = frame;
			f->judged[dir] = f->tls.dir[dir].next_seq - (n - avail);
			f->judged_set[dir] = true;
			tls_flow_stop(&f->tls);
			return false;
		}
		f->bytes[dir] += n;
		*fed = true;
		goto judged;
	}
	if (seg.syn_data_rejected)
		f->syn_data_rejected++;
	switch (seg.action) {
	case TLS_SEQ_DROPPED:
		f->why[seg.why < TLS_DROP_MAX ? seg.why : 0]++;
		if (seg.why == TLS_DROP_DEAD)
			f->after_kill++;
		break;
	case TLS_SEQ_OLD:
		if (tt->len)
			f->retrans++;
		break;
	case TLS_SEQ_GAP_DROP:
	case TLS_SEQ_GAP_STOP:
		if (!f->gap_seq_set[dir] ||
		    (s32)(tt->seq - f->gap_seq[dir]) < 0)
			f->gap_seq[dir] = tt->seq;
		f->gap_seq_set[dir] = true;
		if (seg.action == TLS_SEQ_GAP_STOP) {
			f->state = TR_ST_GAP_STOP;
			f->state_frame = frame;
			break;
		}
		/* NF_DROP: the sender retransmits, the capture shows it */
		f->gap_drops++;
		/* the earliest frame: held segments are flushed later */
		if (!f->gap_first || frame < f->gap_first)
			f->gap_first = frame;
		if (!f->gap_open[dir] || frame < f->gap_open[dir])
			f->gap_open[dir] = frame;
		break;
	case TLS_SEQ_PICKUP:
		/* with --gap drop the kernel drops this segment */
		f->state = TR_ST_PICKUP;
		f->state_frame = frame;
		if (seg.drop)
			f->pickup_drops++;
		break;
	case TLS_SEQ_UNTRACKED:
		/* accepted without inspection */
		if (tt->len)
			f->unjudged++;
		break;
	}
judged:
	if (f->state == TR_ST_INSPECTED &&
	    (f->tls.dir[dir].flags & TLS_F_SEQ_VALID)) {
		f->judged[dir] = f->tls.dir[dir].next_seq;
		f->judged_set[dir] = true;
	}
	return seg.drop;
}

/* Judge now, whatever the window says (the gap policy where there is a hole) */
static bool judge(struct tr_table *tb, struct tr_flow *f, unsigned int dir,
		  const struct tls_tcp *tt, const u8 *payload, u32 caplen,
		  u64 frame, const struct tr_opts *o, struct tr_stats *st,
		  bool *fed)
{
	struct trial tr;

	try_seg(f, dir, tt, o, &tr);
	return commit(tb, f, dir, tt, payload, caplen, frame, o, st, &tr, fed);
}

/* Take the head of dir's window out and judge it; true if bytes were fed */
static bool release(struct tr_table *tb, struct tr_flow *f, unsigned int dir,
		    const struct tr_opts *o, struct tr_stats *st,
		    struct trial *tr, bool flush)
{
	struct tr_held *h = f->held[dir];
	bool fed;

	f->held[dir] = h->next;
	if (tr)
		commit(tb, f, dir, &h->t, h->data, h->caplen, h->frame, o, st,
		       tr, &fed);
	else
		judge(tb, f, dir, &h->t, h->data, h->caplen, h->frame, o, st,
		      &fed);
	if (flush && !fed)
		f->reorder_flushed++;
	else
		f->reordered++;
	held_free(tb, f, dir, h);
	return fed;
}

/*
 * A held segment's timestamp passed the receiver's PAWS check when it
 * arrived (capture order); a hole filled since by a retransmission with a
 * newer timestamp must not make it fail now: it is taken at the side's
 * highest, which changes nothing else (ts_note() keeps the maximum).
 */
static void paws_arrival(const struct tr_flow *f, unsigned int dir,
			 struct tr_held *h)
{
	if (h->paws_ok && (h->t.flags & TLS_TCP_TS) &&
	    (f->tls.tcp & TLS_FT_TS_SEEN(dir)) &&
	    (s32)(f->tls.ts_max[dir] - h->t.tsval) > 0)
		h->t.tsval = f->tls.ts_max[dir];
}

/* Feed, lowest sequence first, the held segments that no longer wait. */
static void drain(struct tr_table *tb, struct tr_flow *f,
		  const struct tr_opts *o, struct tr_stats *st)
{
	struct trial tr;
	bool progress = true;
	unsigned int d;

	while (progress) {
		progress = false;
		for (d = 0; d < 2; d++)
			while (f->held[d]) {
				paws_arrival(f, d, f->held[d]);
				try_seg(f, d, &f->held[d]->t, o, &tr);
				if (must_wait(f, d, &f->held[d]->t, &tr))
					break;
				release(tb, f, d, o, st, &tr, false);
				progress = true;
			}
	}
}

/* Give up waiting in dir: its held segments take the gap policy now. */
static void flush_dir(struct tr_table *tb, struct tr_flow *f, unsigned int dir,
		      const struct tr_opts *o, struct tr_stats *st)
{
	bool fed = false;

	while (f->held[dir]) {
		paws_arrival(f, dir, f->held[dir]);
		fed |= release(tb, f, dir, o, st, NULL, true);
	}
	if (fed)
		drain(tb, f, o, st);
}

/*
 * Hold segment t in dir's window; false (nothing held) when the window
 * would exceed its bounds: it is then flushed, and dir waits no more until
 * its hole is filled.
 */
static bool hold(struct tr_table *tb, struct tr_flow *f, unsigned int dir,
		 const struct tls_tcp *t, const struct tr_pkt *p, u64 frame,
		 const struct tr_opts *o, struct tr_stats *st)
{
	u32 next = f->tls.dir[dir].next_seq;
	s32 key = (s32)(t->seq - next);
	size_t mem = sizeof(struct tr_held) + p->caplen;
	struct tr_held *h = NULL, **pp;

	if (f->held_n[dir] < TR_REORDER_SEGS &&
	    f->held_len[dir] + t->len <= o->reorder_bytes &&
	    tb->held_mem + mem <= o->reorder_total)
		h = malloc(mem);
	if (!h) {
		f->reorder_overflows++;
		f->no_hold[dir] = true;
		flush_dir(tb, f, dir, o, st);
		return false;
	}
	h->frame = frame;
	h->t = *t;
	/* the receiver's PAWS check is made on arrival, against then */
	h->paws_ok = !(t->flags & TLS_TCP_TS) ||
		     !(f->tls.tcp & TLS_FT_TS_SEEN(dir)) ||
		     (s32)(f->tls.ts_max[dir] - t->tsval) <= 1;
	h->caplen = p->caplen;
	memcpy(h->data, p->payload, p->caplen);
	/* sorted by distance from the judged end (sequence numbers wrap) */
	for (pp = &f->held[dir]; *pp && (s32)((*pp)->t.seq - next) <= key;
	     pp = &(*pp)->next)
		;
	h->next = *pp;
	*pp = h;
	f->held_n[dir]++;
	f->held_len[dir] += t->len;
	tb->held_mem += mem;
	if (tb->held_mem > tb->held_peak)
		tb->held_peak = tb->held_mem;
	return true;
}

/* One captured segment of a tracked flow; true when the kernel drops it. */
static bool replay(struct tr_table *tb, struct tr_flow *f, unsigned int dir,
		   const struct tr_pkt *p, u64 frame, const struct tr_opts *o,
		   struct tr_stats *st)
{
	struct tls_tcp t;
	struct trial tr;
	bool dropped, fed;

	seg_facts(f, dir, p, &t);
	note_span(f, dir, p);
	if (try_fast(f, dir, &t, p, o, &tr))
		return commit(tb, f, dir, &t, p->payload, p->caplen, frame, o,
			      st, &tr, &fed);
	try_seg(f, dir, &t, o, &tr);
	if (o->reorder_bytes && !f->no_hold[dir] && must_wait(f, dir, &t, &tr) &&
	    hold(tb, f, dir, &t, p, frame, o, st))
		return false;
	if (f->no_hold[dir])
		try_seg(f, dir, &t, o, &tr);	/* a flush moved the state */
	dropped = commit(tb, f, dir, &t, p->payload, p->caplen, frame, o, st,
			 &tr, &fed);
	if (fed && (f->held[0] || f->held[1]))
		drain(tb, f, o, st);
	return dropped;
}

/*
 * The flow ends (capture end, or its 5-tuple reopened): the holes its
 * windows still wait for were never filled; the held segments take the
 * gap policy.  lost_bytes: the holes between the judged end and the
 * highest held byte (without held segments: the first hole).
 */
static void end_flow(struct tr_table *tb, struct tr_flow *f,
		     const struct tr_opts *o, struct tr_stats *st)
{
	const struct tr_held *h;
	bool walked[2] = { false, false };
	unsigned int d;
	u32 pos, end;

	for (d = 0; d < 2; d++) {
		h = f->held[d];
		if (!h || (s32)(h->t.seq - f->tls.dir[d].next_seq) <= 0)
			continue;
		walked[d] = true;
		pos = f->tls.dir[d].next_seq;
		for (; h; h = h->next) {
			if ((s32)(h->t.seq - pos) > 0)
				f->lost_bytes += h->t.seq - pos;
			end = h->t.seq + h->t.len;
			if ((s32)(end - pos) > 0)
				pos = end;
		}
	}
	for (d = 0; d < 2; d++)
		flush_dir(tb, f, d, o, st);
	for (d = 0; d < 2; d++)
		if (!walked[d] && !f->window_lost && f->gap_seq_set[d] &&
		    f->judged_set[d] &&
		    (s32)(f->gap_seq[d] - f->judged[d]) > 0 &&
		    (s32)(f->gap_seq[d] - f->judged[d]) <= TR_SEQ_FAR &&
		    f->gap_open[d])
			f->lost_bytes += f->gap_seq[d] - f->judged[d];
}

void tr_packet(struct tr_table *t, const struct tr_pkt *p, u64 frame,
	       const struct tr_opts *o, struct tr_stats *st)
{
	struct tr_flow *f;
	unsigned int dir = TLS_DIR_CLIENT;
	u32 h = pkt_hash(t, p);
	bool creating = false, dropped;

	f = lookup(t, p, h, &dir);
	if (f && f->unconfirmed) {
		/*
		 * The kernel dropped the packet that made this entry, so
		 * nf_confirm() never confirmed it: the connection has no
		 * entry again.  The next packet that can make one does (a
		 * new pickup, counted in the same flow; a SYN opens a new
		 * flow); any other is INVALID and never reaches the helper.
		 * Conntrack itself lets INVALID packets pass: only a
		 * "ctstate INVALID drop" rule stops them (README).
		 */
		if (!creates_entry(p)) {
			if (p->len)
				f->invalid_data++;
			st->no_entry++;
			return;
		}
		if (p->flags & TR_SYN) {
			end_flow(t, f, o, st);
			unlink_flow(t, f);
			f = NULL;
		} else {
			/* a new entry: the helper's state starts zeroed */
			tls_flow_init(&f->tls);
			creating = true;
		}
	} else if (f && reopens(f, p)) {
		end_flow(t, f, o, st);
		unlink_flow(t, f);
		f = NULL;
	}
	if (!f) {
		if (!creates_entry(p)) {
			st->no_entry++;
			return;
		}
		if (!flow_wanted(o, p)) {
			st->filtered++;
			return;
		}
		f = create(t, p, h, frame);
		if (!f) {
			/* table full: count segments, and flows by their SYN */
			st->flows_dropped++;
			if ((p->flags & (TR_SYN | TR_ACK)) == TR_SYN)
				st->flows_refused++;
			return;
		}
		dir = TLS_DIR_CLIENT;
		creating = true;
	}
	f->packets++;
	f->last_frame = frame;
	if (p->flags & TR_FIN)
		f->fin |= 1u << dir;
	if (p->flags & TR_RST)
		f->rst = true;
	dropped = replay(t, f, dir, p, frame, o, st);
	if (creating)
		f->unconfirmed = dropped;
}

/*
 * End of the capture: the windows give up, flows still waiting for a hole
 * to be filled are stalled, and what was not judged is counted.
 */
void tr_finish(struct tr_table *t, const struct tr_opts *o,
	       struct tr_stats *st)
{
	struct tr_flow *f;
	unsigned int d;
	u64 g;
	u32 i;
	s32 n;

	for (i = 0; i < t->nflows; i++) {
		f = &t->flows[i];
		if (f->linked)
			end_flow(t, f, o, st);
		if (f->state == TR_ST_INSPECTED) {
			g = f->gap_open[0];
			if (!g || (f->gap_open[1] && f->gap_open[1] < g))
				g = f->gap_open[1];
			if (g) {
				f->state = TR_ST_GAP_STALLED;
				f->state_frame = g;
			}
		}
		f->unjudged_bytes = 0;
		for (d = 0; d < 2; d++) {
			if (!f->hi_set[d])
				continue;
			n = f->judged_set[d] ? (s32)(f->hi[d] - f->judged[d]) :
			    (s32)(f->hi[d] - f->lo[d]);
			if (n > 0)
				f->unjudged_bytes += (u32)n;
		}
	}
}

/* Why unjudged_bytes is not 0 (NULL when it is). */
const char *tr_unjudged_reason(const struct tr_flow *f)
{
	if (!f->unjudged_bytes)
		return NULL;
	switch (f->state) {
	case TR_ST_GAP_STALLED:
		return f->window_lost ? "window" : "lost";
	case TR_ST_GAP_STOP:
		return "gap-stop";
	case TR_ST_PICKUP:
		return "pickup";
	case TR_ST_SNAPLEN:
		return "snaplen";
	case TR_ST_KILLED:
		return "killed";
	case TR_ST_INSPECTED:
		break;
	}
	return "dropped";
}
