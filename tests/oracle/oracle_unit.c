// SPDX-License-Identifier: GPL-2.0
/*
 * The reference parser (ref_parse.c) against the engine on every vector
 * of tests/vectors (hand-built, real captures, handshake vectors), each
 * under its own policy and under variants of it (heartbeat policy,
 * SSLv2, low-byte limits), the engine fed whole, byte by byte and in
 * random chunks, with the handshake layer on and off.  Both must give
 * the same verdict, direction and deciding byte; a run the reference
 * does not model (a rule set, the corner cases ref_parse.c lists) is
 * compared only up to that point (ref_compare()), the rest counted as
 * not comparable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_parse.h"
#include "../vectors/tls_vectors.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static unsigned int agreed, disagreed, skipped;

static void build(const struct tls_vector *v, struct ref_transcript *t)
{
	unsigned int s, d;
	u32 i;
	u8 *buf[2];
	u32 *seg[2];

	t->len[0] = 0;
	t->len[1] = 0;
	for (s = 0; s < v->nsteps; s++)
		t->len[v->steps[s].dir & 1] += v->steps[s].len;
	for (d = 0; d < 2; d++) {
		buf[d] = malloc(t->len[d] + 1);
		seg[d] = malloc((t->len[d] + 1) * sizeof(u32));
		if (!buf[d] || !seg[d])
			exit(2);
		t->len[d] = 0;
	}
	for (s = 0; s < v->nsteps; s++) {
		d = v->steps[s].dir & 1;
		memcpy(buf[d] + t->len[d], v->steps[s].data, v->steps[s].len);
		for (i = 0; i < v->steps[s].len; i++)
			seg[d][t->len[d] + i] = s;
		t->len[d] += v->steps[s].len;
	}
	for (d = 0; d < 2; d++) {
		t->data[d] = buf[d];
		t->seg[d] = seg[d];
	}
}

static void release(struct ref_transcript *t)
{
	unsigned int d;

	for (d = 0; d < 2; d++) {
		free((void *)t->data[d]);
		free((void *)t->seg[d]);
	}
}

static const char *rname(enum tls_reason r)
{
	return tls_reason_name(r);
}

static void compare(const struct tls_vector *v, const struct ref_transcript *t,
		    const char *variant)
{
	static const int chunks[] = { 0, 1, -7, -300 };
	struct tls_vec_outcome e;
	struct ref_outcome ro;
	unsigned int k;

	int c;

	ref_run(t, &v->pol, &ro);
	for (k = 0; k < ARRAY_SIZE(chunks); k++) {
		tls_vec_run(v, chunks[k], k + 1, &e);
		c = ref_compare(t, &ro, e.reason, e.dir, e.off);
		if (c < 0) {
			skipped++;
			continue;
		}
		if (c) {
			agreed++;
			continue;
		}
		disagreed++;
		printf("DISAGREE %s [%s] chunk %d: engine %s dir %u off %u, ",
		       v->name, variant, chunks[k], rname(e.reason), e.dir, e.off);
		printf("reference %s%s dir %u off %u\n",
		       ro.unmodelled ? "unmodelled from " : "",
		       rname(ro.reason), ro.dir, ro.off);
	}
}

int main(void)
{
	static const u32 limits[] = { 0, 1, 8, 15, 128 };
	struct ref_transcript t;
	struct tls_vector w;
	unsigned int i, k;
	char name[64];

	for (i = 0; i < tls_nvectors; i++) {
		build(&tls_vectors[i], &t);
		w = tls_vectors[i];
		compare(&w, &t, "own policy");
		w.pol.handshake = !w.pol.handshake;
		compare(&w, &t, "handshake flipped");
		/* 2 x 3 x 2 x 5 variants: handshake, heartbeat, sslv2, limit */
		for (k = 0; k < 60; k++) {
			w.pol.handshake = k % 2;
			w.pol.heartbeat = k / 2 % 3;
			w.pol.allow_sslv2 = k / 6 % 2;
			w.pol.lowrun_limit = limits[k / 12];
			snprintf(name, sizeof(name),
				 "handshake=%u hb=%u sslv2=%u lowrun=%u",
				 w.pol.handshake, w.pol.heartbeat,
				 w.pol.allow_sslv2, w.pol.lowrun_limit);
			compare(&w, &t, name);
		}
		release(&t);
	}
	printf("oracle: %u vectors, %u runs agreed, %u disagreed, ",
	       tls_nvectors, agreed, disagreed);
	printf("%u not comparable (unmodelled, engine verdict later or none)\n",
	       skipped);
	return disagreed ? 1 : 0;
}
