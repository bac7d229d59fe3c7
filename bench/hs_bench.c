// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of whole handshake transcripts (real OpenSSL and GnuTLS captures of
 * tests/vectors) through tls_feed(), with the handshake layer off
 * (handshake=0: the record layer only) and on (handshake=1), and on with
 * a server-name deny list of 100,000 entries (2), in the same run.  Each capture step (one TCP payload) is fed whole, as the kernel
 * feeds a segment.
 *
 *   hs_bench                 timing table: ns per transcript, 0 vs 1
 *   hs_bench once NAME HS    one pass over vector NAME with HS 0, 1, 2,
 *                            for callgrind --toggle-collect=hs_pass
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/vectors/tls_vectors.h"
#include "../tls_names.h"

#define PASSES	64	/* transcripts per hs_pass() */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const vec_names[] = {
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

/* hs 2: handshake=1 with a deny list of 100,000 names (none matches) */
static const struct tls_names *names;

static void *b_alloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void b_free(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

static void build_names(void)
{
	static const struct tls_names_alloc a = { b_alloc, b_free, NULL };
	static char buf[100000][24];
	static struct tls_name_entry e[100000];
	struct tls_names *set;
	u32 x = 0x2545f491, i, k, n;

	for (i = 0; i < 100000; i++) {
		n = 0;
		if (i % 3 == 0)
			buf[i][n++] = '.';
		for (k = 0; k < 8 + i % 7; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i][n++] = 'a' + x % 26;
		}
		memcpy(buf[i] + n, ".test", 5);
		n += 5;
		e[i] = (struct tls_name_entry){ buf[i], n, 0, i };
	}
	if (tls_names_build(e, 100000, 1, &a, &set)) {
		fprintf(stderr, "hs_bench: cannot build the names\n");
		exit(1);
	}
	names = set;
}

static __attribute__((noinline)) int hs_pass(const struct tls_vector *v,
					     int hs, int passes)
{
	struct tls_policy pol = v->pol;
	struct tls_flow f;
	u32 s;
	int p;

	pol.handshake = !!hs;
	if (hs == 2)
		pol.rules.names = names;
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
	double t0, t1, t2;
	unsigned int i;

	if (argc == 4 && !strcmp(argv[1], "once")) {
		v = find(argv[2]);
		if (!v || (strcmp(argv[3], "0") && strcmp(argv[3], "1") &&
			   strcmp(argv[3], "2"))) {
			fprintf(stderr, "usage: hs_bench once VECTOR 0|1|2\n");
			return 2;
		}
		if (!strcmp(argv[3], "2"))
			build_names();
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
	build_names();
	printf("%-20s %7s %6s %10s %10s %6s %14s %6s\n", "transcript", "bytes",
	       "steps", "hs=0 ns", "hs=1 ns", "1/0", "+100k names ns", "2/1");
	for (i = 0; i < ARRAY_SIZE(vec_names); i++) {
		v = find(vec_names[i]);
		if (!v) {
			fprintf(stderr, "hs_bench: no vector %s\n", vec_names[i]);
			return 1;
		}
		/* interleaved, so both share frequency and cache conditions */
		t0 = best(v, 0);
		t1 = best(v, 1);
		t2 = best(v, 2);
		printf("%-20s %7lu %6u %10.0f %10.0f %6.2f %14.0f %6.2f\n",
		       v->name, bytes_of(v), v->nsteps, t0 * 1e9, t1 * 1e9,
		       t1 / t0, t2 * 1e9, t2 / t1);
	}
	return 0;
}
