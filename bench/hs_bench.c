// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of whole handshake transcripts (real OpenSSL and GnuTLS captures of
 * tests/vectors) through tls_feed(), with the handshake layer off
 * (handshake=0: the record layer only) and on (handshake=1), in the same
 * run.  Each capture step (one TCP payload) is fed whole, as the kernel
 * feeds a segment.
 *
 *   hs_bench                 timing table: ns per transcript, 0 vs 1
 *   hs_bench once NAME HS    one pass over vector NAME with handshake=HS,
 *                            for callgrind --toggle-collect=hs_pass
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/vectors/tls_vectors.h"

#define PASSES	64	/* transcripts per hs_pass() */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const names[] = {
	"real_ossl_tls12", "real_ossl_tls13",
	"real_gnutls_tls12", "real_gnutls_tls13",
};

static const struct tls_vector *find(const char *name)
{
	unsigned int i;

	for (i = 0; i < tls_nvectors; i++)
		if (!strcmp(tls_vectors[i].name, name))
			return &tls_vectors[i];
	return NULL;
}

/* bytes of both directions of v */
static unsigned long bytes_of(const struct tls_vector *v)
{
	unsigned long n = 0;
	u32 s;

	for (s = 0; s < v->nsteps; s++)
		n += v->steps[s].len;
	return n;
}

static __attribute__((noinline)) int hs_pass(const struct tls_vector *v,
					     int hs, int passes)
{
	struct tls_policy pol = v->pol;
	struct tls_flow f;
	u32 s;
	int p;

	pol.handshake = hs;
	for (p = 0; p < passes; p++) {
		tls_flow_init(&f);
		for (s = 0; s < v->nsteps; s++)
			if (tls_feed(&f, v->steps[s].dir, v->steps[s].data,
				     v->steps[s].len, &pol, NULL))
				return -1;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double best(const struct tls_vector *v, int hs)
{
	double b = 1e9, t;
	int r;

	for (r = 0; r < 400; r++) {
		t = now();
		if (hs_pass(v, hs, PASSES)) {
			fprintf(stderr, "hs_bench: %s rejected\n", v->name);
			exit(1);
		}
		t = (now() - t) / PASSES;
		if (t < b)
			b = t;
	}
	return b;
}

int main(int argc, char **argv)
{
	const struct tls_vector *v;
	double t0, t1;
	unsigned int i;

	if (argc == 4 && !strcmp(argv[1], "once")) {
		v = find(argv[2]);
		if (!v || (strcmp(argv[3], "0") && strcmp(argv[3], "1"))) {
			fprintf(stderr, "usage: hs_bench once VECTOR 0|1\n");
			return 2;
		}
		if (hs_pass(v, atoi(argv[3]), 1))
			return 1;
		printf("transcript %s bytes %lu steps %u\n", v->name,
		       bytes_of(v), v->nsteps);
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: hs_bench [once VECTOR 0|1]\n");
		return 2;
	}
	printf("hs_bench: whole handshake transcripts, each capture step fed "
	       "whole, best of 400 x %d\n", PASSES);
	printf("%-20s %7s %6s %12s %12s %7s\n", "transcript", "bytes", "steps",
	       "hs=0 ns", "hs=1 ns", "1/0");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		v = find(names[i]);
		if (!v) {
			fprintf(stderr, "hs_bench: no vector %s\n", names[i]);
			return 1;
		}
		/* interleaved, so both share frequency and cache conditions */
		t0 = best(v, 0);
		t1 = best(v, 1);
		printf("%-20s %7lu %6u %12.0f %12.0f %7.2f\n", v->name,
		       bytes_of(v), v->nsteps, t0 * 1e9, t1 * 1e9, t1 / t0);
	}
	return 0;
}
