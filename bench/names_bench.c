// SPDX-License-Identifier: GPL-2.0
/*
 * The server-name matcher (tls_names.c): build time, memory per entry and
 * the cost of matching a name, with no entries and with 100,000 (plus
 * 1,000 and 10,000 in between), all in one run.
 *
 * Entries are random but name-like: 1-2 labels of syllables (some with a
 * digit or a dash) under a TLD from a small list, 60% exact, 40% suffix,
 * all on the deny list.  The names matched are a third entries, a third
 * below suffix entries (with one extra label), a third unknown names of
 * the same shape.  Every name goes through init, one step per byte, end.
 *
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), best of 3
 * or 5, so that a loaded host's other tasks do not count; their cache
 * traffic still does.
 *
 * Usage: names_bench [entries [names]]  (100000 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tls_names.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))	/* as tests/oracle */

static u32 rs = 0x9e3779b9U;

static u32 rnd(u32 n)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs % n;
}

static const char *const tlds[] = {
	"com", "net", "org", "de", "io", "co.uk", "fr", "ru", "cn", "info",
	"xn--p1ai", "com.br", "nl", "eu", "app",
};

static u32 label(char *b)
{
	static const char cons[] = "bcdfghjklmnprstvwxz", vow[] = "aeiouy";
	u32 i, n = 0, syl = 1 + rnd(4);

	for (i = 0; i < syl; i++) {
		b[n++] = cons[rnd(sizeof(cons) - 1)];
		b[n++] = vow[rnd(sizeof(vow) - 1)];
		if (rnd(3) == 0)
			b[n++] = cons[rnd(sizeof(cons) - 1)];
	}
	if (rnd(8) == 0)
		b[n++] = '0' + rnd(10);
	if (rnd(10) == 0) {
		b[n++] = '-';
		b[n++] = cons[rnd(sizeof(cons) - 1)];
		b[n++] = vow[rnd(sizeof(vow) - 1)];
	}
	return n;
}

/* "label[.label].tld" into b, NUL-terminated; its length */
static u32 domain(char *b)
{
	u32 n = label(b);
	const char *t;

	if (rnd(3) == 0) {
		b[n++] = '.';
		n += label(b + n);
	}
	t = tlds[rnd(ARRAY_SIZE(tlds))];
	b[n++] = '.';
	memcpy(b + n, t, strlen(t));
	n += strlen(t);
	b[n] = 0;
	return n;
}

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

static const struct tls_names_alloc ba = { b_alloc, b_free, NULL };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct names {
	char *buf;	/* NUL-separated */
	u32 *off, *len, n;
	size_t bytes;
};

/* ns per name over all of q, best of reps; *hits: names on a list */
static double match_ns(const struct tls_names *s, const struct names *q,
		       int reps, u32 *hits, int feed)
{
	double best = 1e30;
	int r;

	for (r = 0; r < reps; r++) {
		double t0 = now(), t;
		u32 i, h = 0;

		for (i = 0; i < q->n; i++) {
			const u8 *p = (const u8 *)q->buf + q->off[i];
			u32 st = tls_names_init(s), j, idx;

			if (feed)
				st = tls_names_feed(s, st, p, q->len[i]);
			else
				for (j = 0; j < q->len[i]; j++)
					st = tls_names_step(s, st, p[j]);
			h += tls_names_end(s, st, &idx) == TLS_NAME_DENIED;
		}
		t = (now() - t0) * 1e9 / q->n;
		if (t < best)
			best = t;
		*hits = h;
	}
	return best;
}

int main(int argc, char **argv)
{
	u32 n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	u32 nq = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000;
	static const u32 sizes[] = { 1000, 10000 };
	struct tls_name_entry *e = calloc(n, sizeof(*e));
	char *ebuf = malloc((size_t)n * 300);
	struct names q = { malloc((size_t)nq * 300), calloc(nq, 4),
			   calloc(nq, 4), nq, 0 };
	struct tls_names *s = NULL, *empty = NULL;
	double t0, build = 1e30, ns0, nsnull, nsn, nsk;
	size_t eb = 0, qb = 0;
	u32 i, hits, k, ebytes = 0;
	int rep, r, feed;

	if (!e || !ebuf || !q.buf || !q.off || !q.len)
		return 1;
	for (i = 0; i < n; i++) {
		char *b = ebuf + eb;
		u32 l;

		if (rnd(10) < 4) {	/* suffix */
			b[0] = '.';
			l = 1 + domain(b + 1);
		} else {
			l = domain(b);
		}
		e[i] = (struct tls_name_entry){ b, l, 0, i };
		eb += l + 1;
		ebytes += l;
	}
	for (i = 0; i < nq; i++) {
		char *b = q.buf + qb;
		const struct tls_name_entry *x = &e[rnd(n)];
		u32 l, kind = rnd(3);

		if (kind == 0 && x->name[0] != '.') {	/* an exact entry */
			memcpy(b, x->name, x->len);
			l = x->len;
		} else if (kind < 2) {		/* below the entry */
			l = label(b);
			if (x->name[0] != '.')
				b[l++] = '.';
			memcpy(b + l, x->name, x->len);
			l += x->len;
		} else {
			l = domain(b);
		}
		b[l] = 0;
		q.off[i] = qb;
		q.len[i] = l;
		qb += l + 1;
		q.bytes += l;
	}
	for (rep = 0; rep < 3; rep++) {
		tls_names_free(s, &ba);
		t0 = now();
		r = tls_names_build(e, n, 1, &ba, &s);
		t0 = now() - t0;
		if (r) {
			fprintf(stderr, "build: %d\n", r);
			return 1;
		}
		if (t0 < build)
			build = t0;
	}
	if (tls_names_build(NULL, 0, 2, &ba, &empty))
		return 1;
	printf("names-bench: %u entries (%u deny: %u distinct), %.1f bytes each on average\n",
	       n, n, s->ndeny, (double)ebytes / n);
	printf("  build (best of 3):       %.1f ms (%.2f us per entry)\n",
	       build * 1e3, build * 1e6 / n);
	printf("  set:                     %zu bytes, %u nodes: %.1f bytes per entry, %.1f per node\n",
	       s->size, s->nnodes, (double)s->size / n,
	       (double)s->size / s->nnodes);
	printf("  names matched:           %u, %.1f bytes each on average\n", nq,
	       (double)q.bytes / nq);
	for (feed = 0; feed < 2; feed++) {
		printf("  %s:\n", feed ? "tls_names_feed() over the name" :
		       "tls_names_step() per byte");
		nsnull = match_ns(NULL, &q, 5, &hits, feed);
		printf("    NULL set (no lists):   %6.1f ns per name\n", nsnull);
		ns0 = match_ns(empty, &q, 5, &hits, feed);
		printf("    0 entries:             %6.1f ns per name, %.2f ns per byte\n",
		       ns0, ns0 * nq / q.bytes);
		for (k = 0; k < ARRAY_SIZE(sizes) && sizes[k] < n; k++) {
			struct tls_names *sk;

			if (tls_names_build(e, sizes[k], 3, &ba, &sk))
				return 1;
			nsk = match_ns(sk, &q, 5, &hits, feed);
			printf("    %6u entries:       %6.1f ns per name, %.2f ns per byte (%u denied), set %zu bytes\n",
			       sizes[k], nsk, nsk * nq / q.bytes, hits, sk->size);
			tls_names_free(sk, &ba);
		}
		nsn = match_ns(s, &q, 5, &hits, feed);
		printf("    %6u entries:       %6.1f ns per name, %.2f ns per byte (%u denied)\n",
		       n, nsn, nsn * nq / q.bytes, hits);
		printf("    ratio %u entries / 0 entries: %.2f\n", n, nsn / ns0);
	}
	tls_names_free(s, &ba);
	tls_names_free(empty, &ba);
	free(e);
	free(ebuf);
	free(q.buf);
	free(q.off);
	free(q.len);
	return 0;
}
