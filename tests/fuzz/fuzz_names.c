// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the server-name automaton (tls_names.c) against the
 * plain reference of tests/names_ref.h, and the list parser.
 *
 * Input: lines.  "+x" is a deny entry, "=x" an allow entry (invalid ones
 * are left out of both), any other line a name to match.  The automaton's
 * verdict and entry must be the reference's; a name fed to a set of
 * another generation must end TLS_NAME_CHANGED.  The whole input is also
 * given to tls_names_parse(), twice (the second time over the first
 * result): a list it returns is sorted, unique and normalised, and a
 * failed parse changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../names_ref.h"

#define MAX_ENTRIES	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *f_alloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void f_free(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

static const struct tls_names_alloc fa = { f_alloc, f_free, NULL };

static void check_list(const struct tls_name_list *l)
{
	char out[TLS_NAME_BUF];
	u32 i;

	for (i = 0; i < l->n; i++) {
		const char *s = l->names + l->ent[i].off;
		int r = tls_name_normalise(s, l->ent[i].len, 0, out);

		if (r != (int)l->ent[i].len || memcmp(out, s, r) || s[r])
			abort();	/* not normalised */
		if (i && (strcmp(l->names + l->ent[i - 1].off, s) >= 0))
			abort();	/* not sorted, or a duplicate */
		if (tls_name_list_find(l, s, l->ent[i].len) != (s32)i)
			abort();
	}
}

static void fuzz_parse(const uint8_t *data, size_t size)
{
	struct tls_name_list *l, *l2;
	u32 line, n;
	int r;

	r = tls_names_parse(NULL, (const char *)data, size, 16, 0, &fa, &l,
			    &line);
	if (r) {
		if (l || !line)
			abort();
		return;
	}
	check_list(l);
	n = l->n;
	if (n)
		l->hits[n - 1] = 42;
	r = tls_names_parse(l, (const char *)data, size, 16, 0, &fa, &l2,
			    &line);
	if (l->n != n || (n && l->hits[n - 1] != 42))
		abort();	/* old list touched */
	check_list(l);
	if (!r) {
		check_list(l2);
		tls_name_list_free(l2, &fa);
	} else if (l2 || !line) {
		abort();
	}
	tls_name_list_free(l, &fa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct names_ref_entry ref[MAX_ENTRIES];
	struct tls_name_entry e[MAX_ENTRIES];
	struct tls_names *s, *other;
	u32 n = 0, i, idx, ridx;
	size_t p, q;

	if (size > 16384)
		return 0;
	fuzz_parse(data, size);
	for (p = 0; p < size && n < MAX_ENTRIES; p = q + 1) {
		for (q = p; q < size && data[q] != '\n'; q++)
			;
		if (q - p < 1 || q - p > 300 || (data[p] != '+' && data[p] != '='))
			continue;
		if (!names_ref_entry(&ref[n], (const char *)data + p + 1,
				     q - p - 1, data[p] == '=', n))
			continue;
		e[n] = (struct tls_name_entry){ (const char *)data + p + 1,
						q - p - 1, data[p] == '=', n };
		n++;
	}
	if (tls_names_build(e, n, size, &fa, &s))
		abort();
	if (tls_names_build(e, n, size + 1, &fa, &other))
		abort();
	for (p = 0; p < size; p = q + 1) {
		enum tls_name_verdict va, vb;
		u32 st;

		for (q = p; q < size && data[q] != '\n'; q++)
			;
		if (q > p && (data[p] == '+' || data[p] == '='))
			continue;
		if (q - p > 1000)
			continue;
		va = names_run(s, data + p, q - p, &idx);
		vb = names_ref_match(ref, n, data + p, q - p, &ridx);
		if (va != vb || idx != ridx)
			abort();
		/* fed in two pieces, cut after the first byte of the name */
		st = tls_names_feed(s, tls_names_init(s), data + p,
				    q > p ? 1 : 0);
		st = tls_names_feed(s, st, data + p + (q > p), q - p - (q > p));
		if (tls_names_end(s, st, &idx) != va || idx != ridx)
			abort();
		/* the same name, the set swapped after its first byte */
		st = tls_names_init(s);
		for (i = 0; p + i < q; i++)
			st = tls_names_step(i ? other : s, st, data[p + i]);
		if (q > p && tls_names_end(other, st, &idx) != TLS_NAME_CHANGED)
			abort();
	}
	tls_names_free(s, &fa);
	tls_names_free(other, &fa);
	return 0;
}
