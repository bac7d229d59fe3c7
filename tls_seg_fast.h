/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fused per-segment path's hot case, inline in its caller: the glue's
 * packet path and the benchmark that stands for it take it without a call
 * (tls_seg_fast() is the same code behind one, for tls-replay and the
 * tests).  For one small record per segment the call was a quarter of
 * the cost: 201.8 instructions per segment through tls_seg_fast(), 149
 * with the same code inline in the caller, 140.9 with the hot case below
 * written for it (callgrind, seq_bench rec100), against 109 for a plain
 * read of the bytes.
 *
 * Engine code (no kernel header), like the files it comes from: the hot
 * case reads the parser's state, so this header pulls in the engine's
 * private ones; the glue includes it for this function only.
 */
#ifndef _TLS_SEG_FAST_H
#define _TLS_SEG_FAST_H

#include "tls_engine.h"
#include "tls_handshake.h"
#include "tls_lowrun.h"
#include "tls_seq.h"

/*
 * The record version minor every record must carry once the ServerHello
 * selected a version (handshake layer), or -1: no such rule yet.
 */
static __always_inline int rec_minor(const struct tls_flow *f)
{
	if (!tls_hs_on(f) ||
	    (f->hs_flags & (TLS_HS_SH_DONE | TLS_HS_DRAFT)) != TLS_HS_SH_DONE ||
	    !f->hs_selected)
		return -1;
	return f->hs_selected == TLS_V_TLS13 ? 3 :
	       __builtin_ctz(f->hs_selected);
}

/*
 * Whether d's next records may be taken by appdata_run() (tls_parse.c):
 * protected, TLS framing, and none of the handshake layer's rules at a
 * record start applies to an application-data record (they are left
 * bytewise).  The record version minors accepted as bits (bit v: minor v,
 * v <= 4), or 0: not eligible.
 */
static __always_inline u32 appdata_vmask(const struct tls_flow *f,
					 const struct tls_dir *d,
					 unsigned int dir)
{
	if ((d->flags & (TLS_F_ENCRYPTED | TLS_F_SSLV2)) != TLS_F_ENCRYPTED)
		return 0;
	if (!tls_hs_on(f))
		return 0x1f;
	if ((f->hs_selected == TLS_V_TLS13 && !(d->flags & TLS_F_TLS13)) ||
	    !(f->hs_flags & TLS_HS_SH_DONE) || f->hs[dir].state)
		return 0;
	return rec_minor(f) >= 0 ? 1u << rec_minor(f) : 0x1f;
}

/*
 * tls_seg_fast() past the hot case (tls_parse.c): any segment the fused
 * path takes, fed by tls_feed()'s own code; false, changing nothing, for
 * those it does not.
 */
bool tls_seg_warm(struct tls_flow *f, unsigned int dir,
		  const struct tls_tcp *t, const u8 *payload,
		  const struct tls_policy *pol, struct tls_fate *o);

/* The segment flags the hot case takes: an ACK, none with a rule of its own */
#define SEG_HOT_FLAGS	(TLS_TCP_SYN | TLS_TCP_ACK | TLS_TCP_URG | \
			 TLS_TCP_FIN | TLS_TCP_RST | TLS_TCP_IPOPT | \
			 TLS_TCP_SIGOPT | TLS_TCP_OLDACK | TLS_TCP_ZEROWIN)

/*
 * The hot case, decided before anything changes: the segment is one
 * whole protected application-data record of a side in ST_REC, whose
 * ciphertext body lowrun_quick() decides from its first and last word
 * (one small record per segment, of up to limit + 1 body bytes:
 * interactive traffic, TCP_NODELAY).  Its conditions are stricter than
 * the fused path's (tls_parse.c, seg_fast_ok()), some folded together, so
 * that it costs little: each one that fails sends the segment to
 * tls_seg_warm(), which checks again from the start.  Its effects are
 * those of tls_seg_begin() on such a segment, then what appdata_run()
 * does for that one record and feed_live() around it (version, the
 * length's high byte in scratch, rec_left 0, type and HDR_SEEN, the run,
 * one record), then seg_end()'s for TLS_OK.
 *
 * The TCP rules are those of tls_tcp_rules.h written out for such a
 * segment (an ACK with a window, no SYN, no old ACK, at next_seq; the
 * server's data only once the client's window is known), with the
 * segment's fields and f->tcp in locals: the helpers, with dir a
 * constant, cost twice as much here.  test_fast.c holds both to the
 * general path.
 */
static __always_inline bool seg_fast_hot(struct tls_flow *f,
					 unsigned int dir,
					 const struct tls_tcp *t,
					 const u8 *payload,
					 const struct tls_policy *pol,
					 struct tls_fate *o)
{
	struct tls_dir *d = &f->dir[dir];
	struct tls_dir *peer = &f->dir[dir ^ 1];
	u32 len = t->len, bl = len - 5, lim = pol->lowrun_limit, cap, run;
	u32 vmask = 0x1f, v, hdr;
	/* the server's window rule applies once the client's window is known */
	u8 want = dir == TLS_DIR_SERVER ? TLS_FT_WIN_SEEN(TLS_DIR_CLIENT) : 0;
	u64 first, last;
	bool ts_new = false;
	u16 fl = t->flags;
	u8 tcp;

	/* mid-record (bulk, records packed in segments): nothing hot */
	if (d->state != ST_REC)
		goto warm;
	/*
	 * An ACK (so win_note() takes its window, not zero) without a flag
	 * of its own rule, at the side's next byte; both sides known from
	 * their SYNs, neither stopped nor a pickup (TLS_F_PICKUP is the
	 * server's V2_SIDHIT, only ever set in SSLv2 framing, which this
	 * side may not be in: the same mask for both), this side at a
	 * record start of its protected TLS records (so not dead, not past
	 * its FIN), the other side not dead.
	 */
	if ((fl & SEG_HOT_FLAGS) != TLS_TCP_ACK || t->seq != d->next_seq ||
	    (d->flags & (TLS_F_SEQ_VALID | TLS_F_PICKUP | TLS_F_OFF |
			 TLS_F_ENCRYPTED | TLS_F_SSLV2)) !=
	    (TLS_F_SEQ_VALID | TLS_F_ENCRYPTED) ||
	    (peer->flags & (TLS_F_SEQ_VALID | TLS_F_PICKUP | TLS_F_OFF)) !=
	    TLS_F_SEQ_VALID || peer->state == ST_DEAD ||
	    t->ttl < pol->ttl_floor || lim - 15 > TLS_LOWRUN_MAX - 15)
		goto warm;
	/*
	 * One whole record, its body of 16 bytes or more (lowrun_quick()'s
	 * two words) and at most limit + 1 (so that they decide it) and the
	 * TLS 1.3 maximum (max_len(); a longer TLS 1.2 body goes the warm
	 * way); a length below 5 wraps bl round.
	 */
	cap = lim + 1 < TLS_MAX_CIPHER13 ? lim + 1 : TLS_MAX_CIPHER13;
	if (bl - 16 > cap - 16)
		goto warm;
	/* the header: type 23, major 3, minor v <= 4, the length bl */
	hdr = (u32)payload[1] << 24 | (u32)payload[2] << 16 |
	      (u32)payload[3] << 8 | payload[4];
	v = hdr >> 16 & 0xff;
	if (payload[0] != CT_APPDATA || (hdr & 0xff00ffff) != (0x03000000 | bl) ||
	    v > 4)
		goto warm;
	/*
	 * The handshake layer: off, or stopped for good (its STOP bit
	 * already set, as feed_live() would set it), or on with the knob
	 * on and appdata_vmask()'s rules.
	 */
	if ((f->hs_flags & (TLS_HS_ON | TLS_HS_STOP)) == TLS_HS_ON) {
		if (!pol->handshake)
			goto warm;
		vmask = appdata_vmask(f, d, dir);
	}
	if (!(vmask >> v & 1))
		goto warm;
	/*
	 * lowrun_quick() of a body of 16 to limit + 1 bytes: a high byte
	 * in the first and in the last word, the run so far plus the
	 * leading low bytes below limit; the run is then the last word's
	 * trailing low bytes.
	 */
	first = lowrun_load_hi(payload + 5);
	last = lowrun_load_hi(payload + len - 8);
	run = d->run;
	if (!first || !last ||
	    (run + 7 >= lim && run + lowrun_lead(first) >= lim))
		goto warm;
	/*
	 * beyond_window(): the receiver's window open (the server's data
	 * taken here only once the client's window is known), the bytes
	 * inside it
	 */
	tcp = f->tcp;
	if ((tcp & (TLS_FT_ZEROWIN(!dir) | want)) != want ||
	    ((fl & TLS_TCP_REDGE) && (s32)(t->seq + len - t->redge) > 0))
		goto warm;
	/* paws_drop(): a timestamp, not older than the side's by more than 1 */
	if (tcp & TLS_FT_TS_ON) {
		if (!(fl & TLS_TCP_TS))
			goto warm;
		ts_new = !(tcp & TLS_FT_TS_SEEN(dir));
		if (!ts_new) {
			if ((s32)(f->ts_max[dir] - t->tsval) > 1)
				goto warm;
			ts_new = (s32)(t->tsval - f->ts_max[dir]) > 0;
		}
	}

	/* tls_seg_begin(): the SYN-data length forgotten on client data */
	if (dir == TLS_DIR_CLIENT && !(peer->flags & TLS_F_HB_PEND))
		peer->hb_req = 0;
	/* ts_note(), win_note() */
	if (ts_new) {
		f->ts_max[dir] = t->tsval;
		tcp |= TLS_FT_TS_SEEN(dir);
	}
	f->tcp = (tcp | TLS_FT_WIN_SEEN(dir)) & ~TLS_FT_ZEROWIN(dir);
	/* appdata_run() */
	if (d->version < (0x30 | v))
		d->version = 0x30 | v;
	d->scratch = bl >> 8;
	d->rec_left = 0;
	d->flags |= TLS_F_HDR_SEEN;
	d->rec_type = CT_APPDATA;
	d->run = lowrun_trail(last);
	/* tls_seg_end() */
	d->next_seq += len;
	o->seg = (struct tls_seg){ .action = TLS_SEQ_NEW };
	o->res.at = 0;
	o->res.records = 1;
	o->r = TLS_OK;
	return true;
warm:
	return tls_seg_warm(f, dir, t, payload, pol, o);
}

/*
 * tls_seg_fast() (tls_seq.h) inline: seg_fast_hot() for each direction,
 * dir a constant in each
 */
static __always_inline bool tls_seg_fast_inline(struct tls_flow *f,
						unsigned int dir,
						const struct tls_tcp *t,
						const u8 *payload,
						const struct tls_policy *pol,
						struct tls_fate *o)
{
	if (dir == TLS_DIR_CLIENT)
		return seg_fast_hot(f, TLS_DIR_CLIENT, t, payload, pol, o);
	if (dir == TLS_DIR_SERVER)
		return seg_fast_hot(f, TLS_DIR_SERVER, t, payload, pol, o);
	return false;
}

#endif /* _TLS_SEG_FAST_H */
