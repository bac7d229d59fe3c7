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
 * tls_seg_end(), which decide the drops and kills for both.  Segments
 * are taken in capture order.  Where the kernel drops a segment (GAP_DROP,
 * a pickup with --gap drop) the sender retransmits it, and in a capture
 * the retransmission is there, so capture order is the right model.  Two
 * limits of the model: a capture taken on an end host may show segments in
 * an order the router in between would not see (and the reverse), and a
 * hole the capture never fills (a segment the capture lost, or one the
 * receiver got but the capture missed) stalls the flow here where the
 * kernel would have seen the retransmission: such flows are reported as
 * state gap-stalled, with the frame of the first segment beyond the hole.
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
 * What nf_ct_tls_help() does with one segment of a tracked flow (the same
 * tls_seg_begin() and tls_seg_end()); true when the kernel drops the
 * segment (NF_DROP).
 */
static bool replay(struct tr_flow *f, unsigned int dir,
		   const struct tr_pkt *p, u64 frame, const struct tr_opts *o,
		   struct tr_stats *st)
{
	struct tls_tcp t = {
		.seq = p->seq, .ack = p->ack, .len = p->len, .flags = p->tcp,
		.tsval = p->tsval, .ttl = p->ttl,
	};
	struct tls_result res;
	struct tls_seg seg;
	enum tls_reason r;
	u32 n, avail;

	/*
	 * conntrack's highest ACK of this side (td_maxack), this packet's
	 * included: the glue's nf_ct_tls_old_ack().  The raised ACK of a
	 * passed segment equals it, so the maximum is unchanged.
	 */
	if (f->maxend_set[dir]) {
		t.redge = f->maxend[dir];
		t.flags |= TLS_TCP_REDGE;
	}
	tr_track_window(f, dir, p);
	if (p->flags & TR_ACK) {
		if (f->maxack_set[dir] && (s32)(p->ack - f->maxack[dir]) < 0) {
			t.flags |= TLS_TCP_OLDACK;
		} else {
			f->maxack[dir] = p->ack;
			f->maxack_set[dir] = true;
		}
	}
	if (tls_seg_begin(&f->tls, dir, &t, &o->pol, &seg)) {
		n = p->len - seg.skip;
		avail = p->caplen > seg.skip ? p->caplen - seg.skip : 0;
		if (avail > n)
			avail = n;
		f->gap_open[dir] = 0;
		keep_head(f, dir, p->payload + seg.skip, avail);
		r = tls_feed(&f->tls, dir, p->payload + seg.skip, avail,
			     &o->pol, &res);
		f->records += res.records;
		tls_seg_end(&f->tls, dir, p->len, r, &o->pol, &seg);
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
			tls_flow_stop(&f->tls);
			return false;
		}
		f->bytes[dir] += n;
		return false;
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
		if (p->len)
			f->retrans++;
		break;
	case TLS_SEQ_GAP_DROP:
		/* NF_DROP: the sender retransmits, the capture shows it */
		f->gap_drops++;
		if (!f->gap_first)
			f->gap_first = frame;
		if (!f->gap_open[dir])
			f->gap_open[dir] = frame;
		break;
	case TLS_SEQ_GAP_STOP:
		f->state = TR_ST_GAP_STOP;
		f->state_frame = frame;
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
		if (p->len)
			f->unjudged++;
		break;
	}
	return seg.drop;
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
			unlink_flow(t, f);
			f = NULL;
		} else {
			/* a new entry: the helper's state starts zeroed */
			tls_flow_init(&f->tls);
			creating = true;
		}
	} else if (f && reopens(f, p)) {
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
	dropped = replay(f, dir, p, frame, o, st);
	if (creating)
		f->unconfirmed = dropped;
}

/* End of the capture: flows still waiting for a hole to be filled. */
void tr_finish(struct tr_table *t)
{
	struct tr_flow *f;
	u64 g;
	u32 i;

	for (i = 0; i < t->nflows; i++) {
		f = &t->flows[i];
		if (f->state != TR_ST_INSPECTED)
			continue;
		g = f->gap_open[0];
		if (!g || (f->gap_open[1] && f->gap_open[1] < g))
			g = f->gap_open[1];
		if (g) {
			f->state = TR_ST_GAP_STALLED;
			f->state_frame = g;
		}
	}
}
