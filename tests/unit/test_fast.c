// SPDX-License-Identifier: GPL-2.0
/*
 * tls_seg_fast() against the general path it stands for: random
 * conversations (the test vectors' clean transcripts, real handshakes
 * among them, or a stub handshake, then random records of both sides),
 * cut into random segments with random TCP facts (timestamps, old ones,
 * windows, flags, TTLs, retransmissions, holes, FINs, pickups) under
 * random policies.  Each segment is decided twice from the same state:
 * by tls_seg_begin() + tls_feed() + tls_seg_end(), and by tls_seg_fast()
 * falling back to those.  The whole flow state, the struct tls_seg, the
 * verdict, res.at and res.records must be identical, and a declined
 * segment must have left the state untouched.  Fails too if the fast
 * path decided too few segments to test anything.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "../../tls_seq.h"
#include "../tls_check.h"
#include "../vectors/tls_vectors.h"

#define FAST_CONVS	8000
#define FAST_MAXB	(1u << 16)
#define FAST_PIECES	64

static u64 fast_rs = 0x9e3779b97f4a7c15ull;

static u32 frnd(void)
{
	fast_rs ^= fast_rs << 13;
	fast_rs ^= fast_rs >> 7;
	fast_rs ^= fast_rs << 17;
	return (u32)(fast_rs >> 11);
}

/* What one side sends, in pieces sent in order across both sides. */
struct fast_conv {
	u8 b[2][FAST_MAXB];
	u32 n[2];
	u32 fixed;	/* every record this long, header included (0: any) */
	u8 pdir[FAST_PIECES];
	u32 plen[FAST_PIECES];
	u32 npieces;
	struct tls_policy pol;
};

static void piece(struct fast_conv *cv, unsigned int dir, const u8 *p,
		  u32 len)
{
	if (cv->npieces == FAST_PIECES || cv->n[dir] + len > FAST_MAXB)
		return;
	memcpy(cv->b[dir] + cv->n[dir], p, len);
	cv->n[dir] += len;
	cv->pdir[cv->npieces] = dir;
	cv->plen[cv->npieces++] = len;
}

/* Random records: mostly whole appdata of ciphertext, some of all else */
static u32 records(u8 *b, u32 room, int lowbias, u8 minor, bool clean,
		   u32 fixed, u32 limit)
{
	u32 n = 0, len, k, pl, lead, trail;
	int type;

	while (n + 20 < room && frnd() % 12) {
		switch (frnd() % 6) {
		case 0:
			len = frnd() % 8;
			break;
		case 1:
			len = frnd() % 3000;
			break;
		case 2:
			len = 16384 + frnd() % 2300;
			break;
		default:
			len = 16 + frnd() % 200;
			break;
		}
		if (fixed)
			len = fixed - 5;
		if (len > room - n - 10)
			len = room - n - 10;
		type = clean || frnd() % 25 ? 23 : 20 + frnd() % 6;
		b[n++] = type;
		b[n++] = clean || frnd() % 40 ? 3 : frnd() % 5;
		b[n++] = clean || frnd() % 30 ? minor : frnd() % 6;
		b[n++] = len >> 8;
		b[n++] = len;
		if (type == 24 && len >= 3) {
			pl = frnd() % 2 ? len - 19 : frnd() % 300;
			b[n++] = 1 + frnd() % 2;
			b[n++] = pl >> 8;
			b[n++] = pl;
			len -= 3;
		}
		/*
		 * lowbias 5: lead low bytes, then ciphertext, then a trail
		 * of low bytes; trail + the next lead near the limit
		 */
		lead = frnd() % 8;
		trail = frnd() % 2 ? limit - 1 - frnd() % 7 : frnd() % 8;
		for (k = 0; k < len; k++) {
			u8 c = frnd() >> 24;

			if (lowbias == 5)
				c = k < lead || k + trail >= len ? c & 0x7f :
				    k == lead || k + trail + 1 == len ? c | 0x80 :
				    c;

			if (lowbias == 1 && frnd() % 4)
				c &= 0x7f;
			if (lowbias == 2 && k % 50 < 40)
				c &= 0x7f;
			/* runs of ~8 and ~20 that go on across records */
			if (lowbias == 3 && frnd() % 8)
				c &= 0x7f;
			if (lowbias == 4 && frnd() % 20)
				c &= 0x7f;
			b[n++] = c;
		}
		if (!clean && frnd() % 200 == 0)
			b[n - 1 - frnd() % (len + 1)] ^= 0x40;
	}
	return n;
}

static const u32 fast_limits[] = { 0, 5, 9, 14, 15, 16, 40, 128, 1000 };

static void conversation(struct fast_conv *cv)
{
	static const u8 stub[] = {
		22, 3, 3, 0, 4, 1, 0, 0, 0,		/* ClientHello (stub) */
		20, 3, 3, 0, 1, 1,			/* ChangeCipherSpec */
		22, 3, 3, 0, 4, 0x80, 0x91, 0xa2, 0xb3,	/* Finished */
	};
	static u8 tmp[FAST_MAXB];
	const struct tls_vector *v = NULL;
	unsigned int i, k, dir;
	u8 minor = 3;
	int lowbias;
	bool clean = frnd() % 3 != 0;
	u32 len;

	cv->n[0] = cv->n[1] = 0;
	cv->npieces = 0;
	memset(&cv->pol, 0, sizeof(cv->pol));
	/* a clean transcript of the vectors: handshakes with their policy */
	if (frnd() % 3) {
		for (k = 0; k < 50; k++) {
			v = &tls_vectors[frnd() % tls_nvectors];
			if (v->expect == TLS_OK && !v->pol.audit)
				break;
			v = NULL;
		}
	}
	if (v) {
		cv->pol = v->pol;
		for (i = 0; i < v->nsteps; i++)
			piece(cv, v->steps[i].dir, v->steps[i].data,
			      v->steps[i].len);
		/* the version the records carry after the hellos */
		for (i = 0; i < v->nsteps; i++)
			if (v->steps[i].dir == TLS_DIR_SERVER &&
			    v->steps[i].len >= 3 && v->steps[i].data[0] == 22)
				minor = v->steps[i].data[2];
	} else {
		cv->pol.lowrun_limit = TLS_LOWRUN_DEFAULT;
		if (frnd() % 4) {
			piece(cv, TLS_DIR_CLIENT, stub, sizeof(stub));
			piece(cv, TLS_DIR_SERVER, stub + 9, sizeof(stub) - 9);
		}
	}
	if (frnd() % 2)
		cv->pol.lowrun_limit = fast_limits[frnd() % N(fast_limits)];
	if (frnd() % 4 == 0)
		cv->pol.heartbeat = frnd() % 3;
	cv->pol.gap = frnd() % 4 == 0;
	cv->pol.audit = frnd() % 8 == 0;
	cv->pol.ttl_floor = frnd() % 2 ? TLS_TTL_FLOOR_DEFAULT : 0;
	/* small records of one length: segments of whole records */
	cv->fixed = frnd() % 3 == 0 ? 5 + frnd() % 300 : 0;
	lowbias = !clean && frnd() % 4 == 0 ? 1 + frnd() % 2 : 0;
	/*
	 * Low runs near a small limit, in records short enough for the
	 * hot case: a run carried from one record into the next one's
	 * leading bytes reaches the limit there.
	 */
	if (frnd() % 4 == 0) {
		lowbias = frnd() % 2 ? 5 : 3 + frnd() % 2;
		cv->pol.lowrun_limit = 15 + frnd() % 50;
		if (frnd() % 4)
			cv->fixed = 5 + 16 +
				    frnd() % (cv->pol.lowrun_limit - 14);
	}
	while (cv->npieces < FAST_PIECES && frnd() % 16) {
		dir = frnd() % 2;
		len = records(tmp, 20000, lowbias, minor, clean, cv->fixed,
			      cv->pol.lowrun_limit);
		piece(cv, dir, tmp, len);
	}
}

/* The TCP side of the conversation */
struct fast_tcp {
	u32 isn[2];
	u32 next[2];	/* next byte each side sends */
	u32 ts[2];
	u32 acked[2];
	bool ts_on;
	bool syn;	/* the SYNs are sent: else a pickup */
};

static struct tls_tcp seg_facts(struct fast_tcp *tc, unsigned int dir,
				u32 seq, u32 len)
{
	struct tls_tcp t = {
		.seq = seq, .len = len, .ack = tc->next[!dir],
		.flags = TLS_TCP_ACK, .ttl = 64,
	};
	u32 x = frnd();

	if (tc->ts_on && x % 50) {
		t.flags |= TLS_TCP_TS;
		tc->ts[dir] += frnd() % 3;
		t.tsval = tc->ts[dir];
		if (x % 97 == 0)
			t.tsval -= 2 + frnd() % 3;	/* older: PAWS */
	}
	if (x % 5) {
		t.flags |= TLS_TCP_REDGE;
		t.redge = seq + len + frnd() % 70000;
		if (x % 61 == 0)
			t.redge = seq + len - 1 - frnd() % 100;
	}
	x = frnd();
	if (x % 53 == 0)
		t.flags |= TLS_TCP_ZEROWIN;
	if (x % 59 == 0)
		t.flags |= TLS_TCP_OLDACK;
	if (x % 71 == 0)
		t.ttl = 1 + frnd() % 10;
	if (x % 211 == 0)
		t.flags |= 1u << (2 + frnd() % 9);	/* any other flag */
	if (x % 7 == 0)
		t.flags &= ~TLS_TCP_ACK;
	return t;
}

struct fast_stats {
	long segs, fast, bad;
};

/* One segment both ways from the same state; false on a difference. */
static bool fast_step(struct tls_flow *f, unsigned int dir,
		      const struct tls_tcp *t, const u8 *payload,
		      const struct tls_policy *pol, struct fast_stats *st,
		      struct unit_group *g)
{
	struct tls_result ra, rb;
	struct tls_seg sa, sb;
	enum tls_reason va, vb;
	struct tls_flow a = *f, b = *f;
	struct tls_fate o;
	bool taken;

	tls_seg_general(&a, dir, t, payload, pol, &o);
	sa = o.seg;
	va = o.r;
	ra = o.res;
	/* anything the fast path leaves unset differs from the general one */
	memset(&o, 0xa5, sizeof(o));
	taken = tls_seg_fast(&b, dir, t, payload, pol, &o);
	if (!taken) {
		if (memcmp(&b, f, sizeof(b))) {
			group_fail(g, "declined segment changed the state (dir %u seq %#x len %u)",
				   dir, t->seq, t->len);
			return false;
		}
		tls_seg_general(&b, dir, t, payload, pol, &o);
	}
	sb = o.seg;
	vb = o.r;
	rb = o.res;
	st->segs++;
	st->fast += taken;
	if (memcmp(&a, &b, sizeof(a)) || memcmp(&sa, &sb, sizeof(sa)) ||
	    va != vb || ra.at != rb.at || ra.records != rb.records) {
		group_fail(g, "%s dir %u seq %#x len %u flags %#x: verdict %d/%d at %u/%u records %u/%u action %u/%u drop %d/%d",
			   taken ? "fast" : "declined", dir, t->seq, t->len,
			   t->flags, va, vb, ra.at, rb.at, ra.records,
			   rb.records, sa.action, sb.action, sa.drop, sb.drop);
		return false;
	}
	*f = a;
	return true;
}

static void t_fast_vs_general(void)
{
	static struct fast_conv cv;
	struct fast_stats st = { 0 };
	struct unit_group g;
	struct fast_tcp tc;
	struct tls_flow f;
	struct tls_tcp t;
	struct tls_seg s;
	u32 at[2], end, pos, m, back;
	unsigned int p, dir, k;
	int mode, it;

	group_begin(&g, "seg_fast_vs_general");
	for (it = 0; it < FAST_CONVS && !g.failed; it++) {
		conversation(&cv);
		tls_flow_init(&f);
		tc = (struct fast_tcp){
			.isn = { frnd(), frnd() }, .ts = { frnd(), frnd() },
			.ts_on = frnd() % 4 != 0, .syn = frnd() % 30 != 0,
		};
		tc.next[0] = tc.isn[0] + 1;
		tc.next[1] = tc.isn[1] + 1;
		if (tc.syn) {
			t = (struct tls_tcp){ .seq = tc.isn[0],
					      .flags = TLS_TCP_SYN, .ttl = 64 };
			if (tc.ts_on) {
				t.flags |= TLS_TCP_TS;
				t.tsval = tc.ts[0];
			}
			tls_seg_begin(&f, 0, &t, &cv.pol, &s);
			t = (struct tls_tcp){ .seq = tc.isn[1], .ack = tc.next[0],
					      .flags = TLS_TCP_SYN | TLS_TCP_ACK,
					      .ttl = 64 };
			if (tc.ts_on) {
				t.flags |= TLS_TCP_TS;
				t.tsval = tc.ts[1];
			}
			tls_seg_begin(&f, 1, &t, &cv.pol, &s);
		}
		at[0] = at[1] = 0;
		mode = cv.fixed && frnd() % 4 ? 5 : frnd() % 5;
		for (p = 0; p < cv.npieces && !g.failed; p++) {
			dir = cv.pdir[p];
			end = at[dir] + cv.plen[p];
			while (at[dir] < end && !g.failed) {
				switch (mode) {
				case 0:
					m = 105;
					break;
				case 1:
					m = 1448;
					break;
				case 2:
					m = 1 + frnd() % 300;
					break;
				case 3:
					m = 1 + frnd() % 20000;
					break;
				case 4:
					m = frnd() % 2 ? 1 + frnd() % 8 :
					    1 + frnd() % 3000;
					break;
				default:
					/* whole records, one or a few */
					m = cv.fixed * (1 + frnd() % 3);
					break;
				}
				if (m > end - at[dir])
					m = end - at[dir];
				/* knobs change under live flows */
				if (frnd() % 200 == 0)
					cv.pol.lowrun_limit =
						fast_limits[frnd() % N(fast_limits)];
				if (cv.pol.handshake && frnd() % 100 == 0)
					cv.pol.handshake = 0;
				pos = at[dir];
				/* a hole: a later piece first, then in order */
				if (frnd() % 40 == 0 && end - pos > m + 10) {
					t = seg_facts(&tc, dir,
						      tc.isn[dir] + 1 + pos + 5,
						      m);
					fast_step(&f, dir, &t,
						  cv.b[dir] + pos + 5, &cv.pol,
						  &st, &g);
				}
				/* a retransmission of bytes sent, some new */
				if (frnd() % 30 == 0 && pos) {
					back = 1 + frnd() % (pos < 300 ? pos : 300);
					t = seg_facts(&tc, dir,
						      tc.isn[dir] + 1 + pos - back,
						      back + m);
					if (!fast_step(&f, dir, &t,
						       cv.b[dir] + pos - back,
						       &cv.pol, &st, &g))
						break;
				}
				/* a few segments of a killed flow, then the next one */
				if (tls_flow_dead(&f) && frnd() % 3 == 0)
					break;
				/*
				 * the sender repeats what was dropped; a
				 * stream that cannot go on ends the
				 * conversation
				 */
				for (k = 0; k < 4 && !g.failed; k++) {
					t = seg_facts(&tc, dir,
						      tc.isn[dir] + 1 + pos, m);
					if (frnd() % 300 == 0)
						t.flags |= TLS_TCP_FIN;
					fast_step(&f, dir, &t, cv.b[dir] + pos,
						  &cv.pol, &st, &g);
					if (f.dir[dir].next_seq ==
					    tc.isn[dir] + 1 + pos + m)
						break;
					/*
					 * killed or stopped: the sides go on
					 * sending, the flow drops or ignores
					 */
					if (tls_flow_dead(&f) ||
					    (f.dir[dir].flags & TLS_F_OFF))
						break;
				}
				if (k == 4)
					p = cv.npieces;
				if (k == 4)
					break;
				at[dir] += m;
				tc.next[dir] = tc.isn[dir] + 1 + at[dir];
			}
		}
	}
	CHECK(&g, st.fast * 5 > st.segs,
	      "fast path took only %ld of %ld segments", st.fast, st.segs);
	printf("seg_fast_vs_general: %d conversations, %ld segments, %ld by the fast path\n",
	       it, st.segs, st.fast);
	group_end(&g);
}

void run_fast_tests(void)
{
	t_fast_vs_general();
}
