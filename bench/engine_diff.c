// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test of two versions of the record engine: for optimisations
 * and refactorings of the engine that must not change any outcome.
 *
 *   make engine-diff [ENGINE_DIFF_REF=REV] [ENGINE_DIFF_N=200000]
 *
 * The reference engine (another revision's engine files, linked into one
 * object with its global symbols renamed ref_*, see mk/bench.mk) is fed the
 * same bytes as the current engine: random conversations of both
 * directions, interleaved call by call, cut into random chunks (1 byte, a few bytes, one MSS, up to
 * 70000 bytes), under a random policy whose low-byte limit also changes
 * between calls.  After every call the verdict, res.at, res.records and the
 * whole flow state must be identical; the first difference is printed and
 * the exit status is 1.
 *
 * Then each conversation again as TCP segments, re-cut, through the whole
 * per-segment path of the module: the reference's tls_seg_begin() +
 * tls_feed() + tls_seg_end(), against the current one as the glue calls
 * it (tls_seg_fast() first, those three where it declines), with
 * timestamps, receiver edges and now and then a flag, an old timestamp,
 * a low TTL, a closed window or an edge too short (a dropped segment is
 * sent again).  struct tls_seg must be identical too.
 *
 * The streams are mostly well-formed (TLS 1.2 and 1.3 handshakes, SSLv2
 * framing, heartbeats, zero-length and maximal records) with mutations
 * (wrong types, versions, lengths, garbage) and low-byte bodies of several
 * densities, so that most calls run long stretches of valid records and
 * every rule fires somewhere.
 *
 *   engine_diff [CONVERSATIONS [SEED]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tls_parse.h"
#include "../tls_seq.h"

enum tls_reason ref_tls_feed(struct tls_flow *f, unsigned int dir,
			     const u8 *buf, u32 len,
			     const struct tls_policy *pol,
			     struct tls_result *res);
bool ref_tls_seg_begin(struct tls_flow *f, unsigned int dir,
		       const struct tls_tcp *t, const struct tls_policy *pol,
		       struct tls_seg *s);
void ref_tls_seg_end(struct tls_flow *f, unsigned int dir, u32 len,
		     enum tls_reason r, const struct tls_policy *pol,
		     struct tls_seg *s);

#define MAXB	(1u << 17)

static u64 rs = 88172645463325252ull;
static u8 stream[2][MAXB];

static u32 rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (u32)(rs >> 11);
}

static u32 put(u8 *b, u32 n, const u8 *s, u32 k)
{
	if (n + k <= MAXB) {
		memcpy(b + n, s, k);
		n += k;
	}
	return n;
}

/* len body bytes; lowbias picks how often bytes < 0x80 come in runs */
static u32 body(u8 *b, u32 n, u32 len, int lowbias)
{
	u32 k;
	u8 c;

	for (k = 0; k < len && n < MAXB; k++) {
		c = rnd() >> 24;
		if (lowbias == 1 && rnd() % 4)
			c &= 0x7f;
		if (lowbias == 2 && rnd() % 64)
			c &= 0x7f;
		if (lowbias == 3 && (k / 7) % 3 == 0)
			c &= 0x7f;
		if (lowbias == 4 && k % 9 < 8)
			c &= 0x7f;
		if (lowbias == 5)
			c = k % 13 ? c & 0x7f : c | 0x80;
		b[n++] = c;
	}
	return n;
}

static u32 build_v2(u8 *b, int dir, int lowbias)
{
	const u8 hello[] = { 0x80, 0x10, dir ? 4 : 1, 0, 2 };
	u32 n = 0, len;

	n = put(b, n, hello, sizeof(hello));
	n = body(b, n, 13, 0);
	while (n < MAXB - 40000 && rnd() % 30) {
		len = 1 + rnd() % 2000;
		if (rnd() % 2) {
			b[n++] = 0x80 | len >> 8;
			b[n++] = len;
		} else {
			b[n++] = (len >> 8) & 0x3f;
			b[n++] = len;
			b[n++] = rnd() % 4;
		}
		n = body(b, n, len, lowbias);
	}
	return n;
}

static u32 build(u8 *b, int dir)
{
	const u8 hs[] = { 22, 3, 1, 0, 4, 1, 0, 0, 0 };
	const u8 ccs[] = { 20, 3, 3, 0, 1, 1 };
	const u8 fin[] = { 22, 3, 3, 0, 4, 0x80, 0x91, 0xa2, 0xb3 };
	int style = rnd() % 10, lowbias = rnd() % 6, clean = rnd() % 3 == 0;
	int lenmode = rnd() % 5;
	u32 n = 0, len, pl;
	u8 h[5];

	if (style == 0)
		return build_v2(b, dir, lowbias);
	if (style != 1) {
		n = put(b, n, hs, sizeof(hs));
		if (rnd() % 6)
			n = put(b, n, ccs, sizeof(ccs));
		/* a protected Finished: <= 1.2; none: appdata decides 1.3 */
		if (style < 5)
			n = put(b, n, fin, sizeof(fin));
	}
	while (n < MAXB - 40000 && rnd() % 60) {
		switch (lenmode) {
		case 0:
			len = rnd() % 120;
			break;
		case 1:
			len = rnd() % 8;
			break;
		case 2:
			len = rnd() % 3000;
			break;
		case 3:
			len = 16384 + rnd() % 2300;
			break;
		default:
			len = rnd() % 40;
			break;
		}
		h[0] = clean || rnd() % 20 ? 23 : 19 + rnd() % 7;
		h[1] = clean || rnd() % 30 ? 3 : rnd() % 5;
		h[2] = clean || rnd() % 10 ? 3 : rnd() % 7;
		if (!clean && rnd() % 15 == 0)
			len = rnd() % 65536;
		h[3] = len >> 8;
		h[4] = len;
		n = put(b, n, h, sizeof(h));
		if (h[0] == 24 && rnd() % 2 && n + 3 <= MAXB) {
			/* heartbeat: type, payload_length (fitting or not) */
			pl = rnd() % 2 ? len - 19 : rnd() % 65536;
			b[n++] = 1 + rnd() % 3;
			b[n++] = pl >> 8;
			b[n++] = pl;
			len = len > 3 ? len - 3 : 0;
		}
		n = body(b, n, len > 20000 ? rnd() % 3000 : len, lowbias);
		if (!clean && rnd() % 300 == 0)
			n = body(b, n, rnd() % 30, 0);
	}
	return n;
}

static u32 chunk(int mode)
{
	switch (mode) {
	case 0:
		return 1;
	case 1:
		return 1 + rnd() % 8;
	case 2:
		return 1 + rnd() % 200;
	case 3:
		return 1448;
	case 4:
		return 1 + rnd() % 70000;
	default:
		if (rnd() % 4 == 0)
			return 1 + rnd() % 16;
		return 1 + rnd() % (rnd() % 2 ? 200 : 5000);
	}
}

static const u32 limits[] = {
	0, 1, 2, 5, 7, 8, 9, 10, 13, 14, 15, 16, 17, 20, 23, 64, 127, 128,
	129, 1000, 65535, 70000,
};

#define NLIMITS (sizeof(limits) / sizeof(limits[0]))

static long seg_calls, seg_fast;

/* The TCP facts of a segment of dir at seq, mostly those of a clean flow */
static struct tls_tcp seg_tcp(u32 seq, u32 len, u32 *ts)
{
	struct tls_tcp t = {
		.seq = seq, .len = len, .ttl = 64, .tsval = (*ts += rnd() % 2),
		.flags = TLS_TCP_ACK | TLS_TCP_TS | TLS_TCP_REDGE,
		.redge = seq + len + rnd() % 65536,
	};
	u32 x = rnd() % 1000;

	if (x < 10)
		t.flags &= ~TLS_TCP_TS;
	else if (x < 20)
		t.tsval -= 2 + rnd() % 5;
	else if (x < 30)
		t.redge = seq + len - 1 - rnd() % 50;
	else if (x < 40)
		t.flags |= TLS_TCP_ZEROWIN;
	else if (x < 50)
		t.flags |= TLS_TCP_OLDACK;
	else if (x < 60)
		t.ttl = rnd() % 8;
	else if (x < 65)
		t.flags |= 1u << (rnd() % 11);
	else if (x < 70)
		t.flags &= ~TLS_TCP_ACK;
	return t;
}

/*
 * Conversation it once more, as segments through the module's whole path;
 * false after printing the first difference.
 */
static bool seg_conv(long it, const u32 *n, int mode,
		     const struct tls_policy *pol)
{
	struct tls_result ra, rb;
	struct tls_seg sa, sb;
	struct tls_flow a, b;
	struct tls_fate o;
	struct tls_tcp t;
	enum tls_reason va, vb;
	u32 isn[2] = { rnd(), rnd() }, ts[2] = { rnd(), rnd() };
	u32 at[2] = { 0, 0 }, m, c, want;
	unsigned int dir, k;
	int done[2] = { !n[0], !n[1] };
	bool fast;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (dir = 0; dir < 2; dir++) {
		t = (struct tls_tcp){ .seq = isn[dir], .tsval = ts[dir],
				      .ack = isn[0] + 1, .ttl = 64,
				      .flags = TLS_TCP_SYN | TLS_TCP_TS |
					       (dir ? TLS_TCP_ACK : 0) };
		ref_tls_seg_begin(&a, dir, &t, pol, &sa);
		tls_seg_begin(&b, dir, &t, pol, &sb);
	}
	while (!done[0] || !done[1]) {
		dir = rnd() % 2;
		if (done[dir])
			dir ^= 1;
		m = chunk(mode);
		/*
		 * mode 6: one TLS record per segment where the stream has
		 * a header here (a small record whole: the fused path's
		 * hot case), else a chunk of mode 5
		 */
		if (mode == 6 && n[dir] - at[dir] >= 5)
			m = 5 + ((u32)stream[dir][at[dir] + 3] << 8 |
				 stream[dir][at[dir] + 4]);
		if (m > n[dir] - at[dir])
			m = n[dir] - at[dir];
		want = isn[dir] + 1 + at[dir] + m;
		for (k = 0; k < 4; k++) {
			t = seg_tcp(isn[dir] + 1 + at[dir], m, &ts[dir]);
			memset(&ra, 0, sizeof(ra));
			memset(&rb, 0, sizeof(rb));
			va = vb = TLS_OK;
			if (ref_tls_seg_begin(&a, dir, &t, pol, &sa)) {
				va = ref_tls_feed(&a, dir, stream[dir] + at[dir] +
						  sa.skip, m - sa.skip, pol, &ra);
				ref_tls_seg_end(&a, dir, m, va, pol, &sa);
			}
			fast = tls_seg_fast(&b, dir, &t, stream[dir] + at[dir],
					    pol, &o);
			if (fast) {
				sb = o.seg;
				vb = o.r;
				rb = o.res;
			} else if (tls_seg_begin(&b, dir, &t, pol, &sb)) {
				vb = tls_feed(&b, dir, stream[dir] + at[dir] +
					      sb.skip, m - sb.skip, pol, &rb);
				tls_seg_end(&b, dir, m, vb, pol, &sb);
			}
			seg_calls++;
			seg_fast += fast;
			if (va != vb || ra.at != rb.at ||
			    ra.records != rb.records ||
			    memcmp(&sa, &sb, sizeof(sa)) ||
			    memcmp(&a, &b, sizeof(a))) {
				printf("MISMATCH (segments, %s) conversation %ld dir %u offset %u len %u flags %#x: verdict %d/%d at %u/%u records %u/%u action %u/%u drop %d/%d\nstate ref/new:",
				       fast ? "fast" : "general", it, dir,
				       at[dir], m, t.flags, va, vb, ra.at, rb.at,
				       ra.records, rb.records, sa.action,
				       sb.action, sa.drop, sb.drop);
				for (c = 0; c < sizeof(a); c++)
					printf(" %02x/%02x", ((u8 *)&a)[c],
					       ((u8 *)&b)[c]);
				printf("\n");
				return false;
			}
			if (b.dir[dir].next_seq == want)
				break;
		}
		at[dir] += m;
		/* dropped four times, killed, stopped: the side is done */
		if (k == 4 || at[dir] == n[dir] || va)
			done[dir] = 1;
	}
	return true;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000;
	long it, calls = 0, viol = 0, bytes = 0;
	struct tls_result ra, rb;
	struct tls_flow a, b;
	struct tls_policy pol;
	enum tls_reason va, vb;
	u32 n[2], at[2], m, c;
	unsigned int dir;
	int mode, done[2];

	if (argc > 2)
		rs ^= strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ull;
	for (it = 0; it < iters; it++) {
		memset(&pol, 0, sizeof(pol));	/* every rule off */
		pol.lowrun_limit = limits[rnd() % NLIMITS];
		pol.heartbeat = rnd() % 3;
		pol.allow_sslv2 = rnd() % 2;
		/* the record layer: a reference may predate the handshake one */
		pol.handshake = 0;
		n[0] = build(stream[0], 0);
		n[1] = build(stream[1], 1);
		at[0] = 0;
		at[1] = 0;
		done[0] = !n[0];
		done[1] = !n[1];
		mode = rnd() % 6;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		while (!done[0] || !done[1]) {
			dir = rnd() % 2;
			if (done[dir])
				dir ^= 1;
			m = chunk(mode);
			if (m > n[dir] - at[dir])
				m = n[dir] - at[dir];
			if (rnd() % 100 == 0)
				pol.lowrun_limit = limits[rnd() % NLIMITS];
			va = ref_tls_feed(&a, dir, stream[dir] + at[dir], m, &pol,
					  &ra);
			vb = tls_feed(&b, dir, stream[dir] + at[dir], m, &pol, &rb);
			calls++;
			bytes += m;
			if (va != vb || ra.at != rb.at ||
			    ra.records != rb.records || memcmp(&a, &b, sizeof(a))) {
				printf("MISMATCH conversation %ld dir %u offset %u len %u limit %u: verdict %d/%d at %u/%u records %u/%u\nstate ref/new:",
				       it, dir, at[dir], m, pol.lowrun_limit, va,
				       vb, ra.at, rb.at, ra.records, rb.records);
				for (c = 0; c < sizeof(a); c++)
					printf(" %02x/%02x", ((u8 *)&a)[c],
					       ((u8 *)&b)[c]);
				printf("\n");
				return 1;
			}
			at[dir] += m;
			if (va) {
				viol++;
				done[dir] = 1;
			} else if (at[dir] == n[dir]) {
				done[dir] = 1;
			}
		}
		if (!seg_conv(it, n, rnd() % 7, &pol))
			return 1;
	}
	printf("engine_diff: %ld conversations, %ld calls, %ld MiB, %ld violations, 0 differences\n",
	       iters, calls, bytes >> 20, viol);
	printf("engine_diff: segments: %ld, %ld of them by tls_seg_fast(), 0 differences\n",
	       seg_calls, seg_fast);
	return 0;
}
