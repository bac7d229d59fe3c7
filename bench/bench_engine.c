// SPDX-License-Identifier: GPL-2.0
/*
 * Throughput of tls_feed() on the encrypted phase, next to a plain
 * read-and-sum of the same buffer in the same chunks, in the same run.
 *
 *   bench_engine                  timing table (1448- and 65536-byte chunks)
 *   bench_engine once MODE CHUNK  one pass, MODE engine or plain, for
 *                                 callgrind --toggle-collect (callgrind.sh)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tls_parse.h"
#include "plain_read.h"

#define BUF_SIZE	(32u << 20)
#define REC_LEN		16408	/* 2^14 plaintext + AES-GCM nonce and tag */

static const u8 prefix[] = {
	22, 3, 3, 0, 4, 1, 0, 0, 0,		/* ClientHello (stub) */
	20, 3, 3, 0, 1, 1,			/* ChangeCipherSpec */
	22, 3, 3, 0, 4, 0x80, 0x91, 0xa2, 0xb3,	/* Finished (protected) */
};

static u8 *buf;
static u32 buf_len;
static volatile u64 sink;

/* Appdata records of REC_LEN with uniformly random "ciphertext". */
static void build(u32 size)
{
	u32 x = 0x2545f491, i = 0, n;

	buf = malloc(size);
	while (i < size) {
		n = size - i - 5 < REC_LEN ? size - i - 5 : REC_LEN;
		if (size - i < 6)
			break;
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
}

static __attribute__((noinline)) int engine_pass(u32 chunk)
{
	struct tls_policy pol = {
		.lowrun_limit = TLS_LOWRUN_DEFAULT,
		.heartbeat = TLS_HB_VALIDATE,
	};
	struct tls_flow f;
	u32 i, n;

	tls_flow_init(&f);
	if (tls_feed(&f, 0, prefix, sizeof(prefix), &pol, NULL))
		return -1;
	for (i = 0; i < buf_len; i += n) {
		n = buf_len - i < chunk ? buf_len - i : chunk;
		if (tls_feed(&f, 0, buf + i, n, &pol, NULL))
			return -1;
	}
	return 0;
}

static __attribute__((noinline)) int plain_pass(u32 chunk)
{
	u64 s = 0;
	u32 i, n;

	for (i = 0; i < buf_len; i += n) {
		n = buf_len - i < chunk ? buf_len - i : chunk;
		s += sum_chunk(buf + i, n);
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

/* best of reps passes, in seconds */
static double best(int (*pass)(u32), u32 chunk, int reps)
{
	double b = 1e9, t;
	int r;

	for (r = 0; r < reps; r++) {
		t = now();
		if (pass(chunk)) {
			fprintf(stderr, "engine rejected the stream\n");
			exit(1);
		}
		t = now() - t;
		if (t < b)
			b = t;
	}
	return b;
}

int main(int argc, char **argv)
{
	static const u32 chunks[] = { 1448, 65536 };
	double te, tp, nchunks;
	unsigned int k, sz;

	if (argc == 4 && !strcmp(argv[1], "once")) {
		build(4u << 20);
		return (!strcmp(argv[2], "engine") ? engine_pass : plain_pass)
			((u32)atoi(argv[3])) ? 1 : 0;
	}
	for (sz = 0; sz < 2; sz++) {
	build(sz ? 256u << 10 : BUF_SIZE);
	printf("bench: %u bytes (%s) of %u-byte appdata records, random "
	       "ciphertext, lowrun limit %u\n", buf_len,
	       sz ? "cache-resident" : "memory-bound", REC_LEN,
	       TLS_LOWRUN_DEFAULT);
	printf("%-6s %12s %10s %12s %10s %7s\n", "chunk", "engine MB/s",
	       "ns/chunk", "plain MB/s", "ns/chunk", "ratio");
	for (k = 0; k < 2; k++) {
		/* interleave to share frequency and cache conditions */
		te = best(engine_pass, chunks[k], sz ? 400 : 7);
		tp = best(plain_pass, chunks[k], sz ? 400 : 7);
		nchunks = (double)buf_len / chunks[k];
		printf("%-6u %12.0f %10.1f %12.0f %10.1f %7.2f\n", chunks[k],
		       buf_len / te / 1e6, te / nchunks * 1e9,
		       buf_len / tp / 1e6, tp / nchunks * 1e9, tp / te);
	}
	free(buf);
	}
	return 0;
}
