// SPDX-License-Identifier: GPL-2.0
/*
 * Per-segment cost of what the module runs for each TCP segment of a flow:
 *
 *     tls_seg_fast(), or where it declines
 *     tls_seg_begin() + tls_feed() + tls_seg_end()
 *
 * on segments as the glue describes them (ACK, timestamps negotiated,
 * the receiver's right edge, a TTL), next to a plain read (sum of every
 * byte, 8 at a time) of the same bytes in the same segments, timed in the
 * same run and interleaved pass by pass.  The general path alone (gen)
 * and tls_feed() alone (feed) are timed too.
 * Four stream shapes:
 *
 *   1448    16408-byte appdata records (2^14 + nonce + tag, TLS 1.2 framing)
 *           cut into 1448-byte segments (one MSS)
 *   65536   the same stream cut into 64 KiB segments (a GSO/GRO skb)
 *   rec100  100-byte-body appdata records, one 105-byte record per segment
 *           (small writes with TCP_NODELAY)
 *   rec100m the same records packed into 1448-byte segments (small writes
 *           that TCP coalesced): the cost per record inside one call
 *
 * each cache-resident (256 KiB) and memory-bound (32 MiB).  The ciphertext
 * is uniformly random, so the low-byte rule (limit 128) judges every body
 * byte and never fires.
 *
 *   seq_bench [ROUNDS]             table; every figure is the median of ROUNDS
 *                                  rounds (default 5), each the best of several
 *                                  passes, with the min..max of the ratio
 *   seq_bench once MODE SHAPE      one pass over 4 MiB for callgrind
 *                                  --toggle-collect=MODE_pass; MODE is seq,
 *                                  gen, feed or plain; prints the segment
 *                                  count
 *
 * "ratio" is plain time / engine time: 1.0 means the engine costs no more
 * than reading the bytes once; the project's target is >= 0.8.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tls_parse.h"
#include "../tls_seg_fast.h"
#include "../tls_seq.h"
#include "plain_read.h"

#define BIG_SIZE	(32u << 20)
#define SMALL_SIZE	(256u << 10)
#define ONCE_SIZE	(4u << 20)
#define REC_LEN		16408
#define SMALL_BODY	100
#define MAX_ROUNDS	31

static const u8 prefix[] = {
	22, 3, 3, 0, 4, 1, 0, 0, 0,		/* ClientHello (stub) */
	20, 3, 3, 0, 1, 1,			/* ChangeCipherSpec */
	22, 3, 3, 0, 4, 0x80, 0x91, 0xa2, 0xb3,	/* Finished (protected) */
};

struct shape {
	const char *name;
	u32 body;	/* record body length */
	u32 seg;	/* segment size; 0 = one record per segment */
};

static const struct shape shapes[] = {
	{ "1448", REC_LEN, 1448 },
	{ "65536", REC_LEN, 65536 },
	{ "rec100", SMALL_BODY, 0 },
	{ "rec100m", SMALL_BODY, 1448 },
};

#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

static u8 *buf;
static u32 buf_len;
static u32 *segs;	/* segment lengths, in stream order */
static u32 nsegs;
static volatile u64 sink;

/* appdata records of body bytes each, uniformly random ciphertext */
static void build(u32 size, const struct shape *sh)
{
	u32 x = 0x2545f491, i = 0, n, k;

	buf = malloc(size);
	segs = malloc(sizeof(*segs) * (size / (sh->seg ? sh->seg : sh->body + 5) + 2));
	if (!buf || !segs) {
		perror("malloc");
		exit(1);
	}
	while (size - i >= sh->body + 5 || (sh->body == REC_LEN && size - i > 6)) {
		n = size - i - 5 < sh->body ? size - i - 5 : sh->body;
		buf[i++] = 23;
		buf[i++] = 3;
		buf[i++] = 3;
		buf[i++] = n >> 8;
		buf[i++] = n & 0xff;
		for (; n; n--) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i++] = x >> 24;
		}
	}
	buf_len = i;
	nsegs = 0;
	for (k = 0; k < buf_len; k += n) {
		n = sh->seg ? sh->seg : sh->body + 5;
		if (n > buf_len - k)
			n = buf_len - k;
		segs[nsegs++] = n;
	}
}

static const struct tls_policy pol = {
	.lowrun_limit = TLS_LOWRUN_DEFAULT,
	.heartbeat = TLS_HB_VALIDATE,
	.ttl_floor = TLS_TTL_FLOOR_DEFAULT,
};

#define ISN_C	999u
#define ISN_S	0x70000000u

/*
 * The flow up to its first data: the client's SYN and the server's
 * SYN-ACK, both with timestamps (PAWS on, as between Linux hosts), then
 * the client's prefix records.
 */
static int flow_start(struct tls_flow *f)
{
	struct tls_tcp t = { .seq = ISN_C, .flags = TLS_TCP_SYN | TLS_TCP_TS,
			     .tsval = 1, .ttl = 64 };
	struct tls_result res;
	struct tls_seg s;

	tls_flow_init(f);
	tls_seg_begin(f, 0, &t, &pol, &s);
	t = (struct tls_tcp){ .seq = ISN_S, .ack = ISN_C + 1, .tsval = 1,
			      .flags = TLS_TCP_SYN | TLS_TCP_ACK | TLS_TCP_TS,
			      .ttl = 64 };
	tls_seg_begin(f, 1, &t, &pol, &s);
	t = (struct tls_tcp){ .seq = ISN_C + 1, .ack = ISN_S + 1, .tsval = 2,
			      .len = sizeof(prefix), .redge = ISN_C + 65536,
			      .flags = TLS_TCP_ACK | TLS_TCP_TS | TLS_TCP_REDGE,
			      .ttl = 64 };
	if (!tls_seg_begin(f, 0, &t, &pol, &s) ||
	    tls_feed(f, 0, prefix, sizeof(prefix), &pol, &res))
		return -1;
	tls_seg_end(f, 0, t.len, TLS_OK, &pol, &s);
	return 0;
}

/*
 * The module's per-segment path: the fused entry, the general one where
 * it declines; fast 0: the general path alone (what the module ran
 * before tls_seg_fast()).
 */
static __always_inline int seg_run(bool fast)
{
	struct tls_fate o;
	struct tls_flow f;
	struct tls_tcp t = { .ack = ISN_S + 1, .tsval = 3, .ttl = 64,
			     .flags = TLS_TCP_ACK | TLS_TCP_TS | TLS_TCP_REDGE };
	u32 off = 0, k, records = 0;

	if (flow_start(&f))
		return -1;
	t.seq = ISN_C + 1 + sizeof(prefix);
	for (k = 0; k < nsegs; k++) {
		t.len = segs[k];
		t.redge = t.seq + t.len + 65536;
		if (!fast || !tls_seg_fast_inline(&f, 0, &t, buf + off, &pol,
						       &o)) {
			if (!tls_seg_begin(&f, 0, &t, &pol, &o.seg))
				return -1;
			o.r = tls_feed(&f, 0, buf + off + o.seg.skip,
				       t.len - o.seg.skip, &pol, &o.res);
			tls_seg_end(&f, 0, t.len, o.r, &pol, &o.seg);
		}
		if (o.r)
			return -1;
		records += o.res.records;
		t.seq += t.len;
		/* a millisecond clock: a newer timestamp every few segments */
		t.tsval += !(k & 7);
		off += t.len;
	}
	sink = records;
	return 0;
}

static __attribute__((__noinline__)) int seq_pass(void)
{
	return seg_run(true);
}

static __attribute__((__noinline__)) int gen_pass(void)
{
	return seg_run(false);
}

/* tls_feed alone, same segments. */
static __attribute__((__noinline__)) int feed_pass(void)
{
	struct tls_result res;
	struct tls_flow f;
	u32 off = 0, k;

	tls_flow_init(&f);
	if (tls_feed(&f, 0, prefix, sizeof(prefix), &pol, &res))
		return -1;
	for (k = 0; k < nsegs; k++) {
		if (tls_feed(&f, 0, buf + off, segs[k], &pol, &res))
			return -1;
		off += segs[k];
	}
	return 0;
}

/* Baseline: read every byte of every segment once. */
static __attribute__((__noinline__)) int plain_pass(void)
{
	u64 s = 0;
	u32 off = 0, k;

	for (k = 0; k < nsegs; k++) {
		s += sum_chunk(buf + off, segs[k]);
		off += segs[k];
	}
	sink = s;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double timed(int (*pass)(void))
{
	double t = now();

	if (pass()) {
		fprintf(stderr, "seq_bench: the engine rejected the stream\n");
		exit(1);
	}
	return now() - t;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int (*const passes[4])(void) = { seq_pass, feed_pass, plain_pass,
					 gen_pass };

int main(int argc, char **argv)
{
	double t[4][MAX_ROUNDS], ratio[MAX_ROUNDS], best[4], x, rmin, rmax;
	unsigned int s, z, m;
	int rounds = 5, r, p, reps;

	if (argc == 4 && !strcmp(argv[1], "once")) {
		for (s = 0; s < NSHAPES && strcmp(argv[3], shapes[s].name); s++)
			;
		if (s == NSHAPES)
			return 2;
		build(ONCE_SIZE, &shapes[s]);
		printf("segments %u bytes %u\n", nsegs, buf_len);
		if (!strcmp(argv[2], "seq"))
			return seq_pass() ? 1 : 0;
		if (!strcmp(argv[2], "gen"))
			return gen_pass() ? 1 : 0;
		if (!strcmp(argv[2], "feed"))
			return feed_pass() ? 1 : 0;
		return plain_pass() ? 1 : 0;
	}
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 5;

	printf("seq_bench: tls_seg_fast (or tls_seg_begin + tls_feed + tls_seg_end) per segment vs a plain read of the same bytes; gen: the general path alone\n");
	printf("seq_bench: median of %d rounds (each the best of several interleaved passes); ratio = plain/seq time (min..max over rounds)\n",
	       rounds);
	printf("%-6s %-6s %8s %9s %9s %9s %9s %9s %9s %6s %11s\n", "data",
	       "seg", "segs", "seq ns", "gen ns", "feed ns", "plain ns",
	       "seq MB/s", "plainMB/s", "ratio", "min..max");
	for (z = 0; z < 2; z++) {
		for (s = 0; s < NSHAPES; s++) {
			build(z ? BIG_SIZE : SMALL_SIZE, &shapes[s]);
			reps = z ? 5 : 60;
			for (r = 0; r < rounds; r++) {
				for (m = 0; m < 4; m++)
					best[m] = 1e9;
				for (p = 0; p < reps; p++) {
					/* interleave: same frequency, same cache */
					for (m = 0; m < 4; m++) {
						x = timed(passes[m]);
						if (x < best[m])
							best[m] = x;
					}
				}
				for (m = 0; m < 4; m++)
					t[m][r] = best[m];
				ratio[r] = best[2] / best[0];
			}
			rmin = rmax = ratio[0];
			for (r = 1; r < rounds; r++) {
				if (ratio[r] < rmin)
					rmin = ratio[r];
				if (ratio[r] > rmax)
					rmax = ratio[r];
			}
			for (m = 0; m < 4; m++)
				best[m] = median(t[m], rounds);
			x = median(ratio, rounds);
			printf("%-6s %-6s %8u %9.1f %9.1f %9.1f %9.1f %9.0f %9.0f %6.2f %5.2f..%.2f\n",
			       z ? "32MiB" : "256KiB", shapes[s].name, nsegs,
			       best[0] / nsegs * 1e9, best[3] / nsegs * 1e9,
			       best[1] / nsegs * 1e9,
			       best[2] / nsegs * 1e9, buf_len / best[0] / 1e6,
			       buf_len / best[2] / 1e6, x, rmin, rmax);
			/* machine-readable line for the report */
			printf("#seq data=%s shape=%s segs=%u seq_ns=%.2f gen_ns=%.2f feed_ns=%.2f plain_ns=%.2f ratio=%.3f ratio_min=%.3f ratio_max=%.3f\n",
			       z ? "32MiB" : "256KiB", shapes[s].name, nsegs,
			       best[0] / nsegs * 1e9, best[3] / nsegs * 1e9,
			       best[1] / nsegs * 1e9,
			       best[2] / nsegs * 1e9, x, rmin, rmax);
			free(buf);
			free(segs);
		}
	}
	return 0;
}
