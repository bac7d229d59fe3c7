// SPDX-License-Identifier: GPL-2.0
/*
 * The server-name lists (tls_names.c): entry normalisation, the matcher
 * on named cases, generations, and a differential test against the plain
 * reference of tests/names_ref.h; the list-file parser.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "../names_ref.h"

static int allocs_left = -1;	/* >= 0: that many allocations succeed */
static long allocs_live;

static void *t_alloc(size_t size, void *ctx)
{
	(void)ctx;
	if (allocs_left == 0)
		return NULL;
	if (allocs_left > 0)
		allocs_left--;
	allocs_live++;
	return malloc(size);
}

static void t_free(void *p, void *ctx)
{
	(void)ctx;
	allocs_live--;
	free(p);
}

static const struct tls_names_alloc ta = { t_alloc, t_free, NULL };

/* A set of NULL-terminated deny and allow lists, idx = position */
static struct tls_names *mk(const char *const *deny, const char *const *allow,
			    u32 gen)
{
	struct tls_name_entry e[64];
	struct tls_names *s;
	u32 n = 0, i;

	for (i = 0; deny && deny[i]; i++)
		e[n++] = (struct tls_name_entry){ deny[i], strlen(deny[i]), 0, i };
	for (i = 0; allow && allow[i]; i++)
		e[n++] = (struct tls_name_entry){ allow[i], strlen(allow[i]), 1, i };
	if (tls_names_build(e, n, gen, &ta, &s))
		return NULL;
	return s;
}

static enum tls_name_verdict run(const struct tls_names *s, const char *name,
				 u32 *idx)
{
	return names_run(s, (const u8 *)name, strlen(name), idx);
}

static const char *vname(enum tls_name_verdict v)
{
	static const char *const n[] = { "NONE", "DENIED", "ALLOWED",
					 "NOT_ALLOWED", "CHANGED" };

	return (unsigned int)v < N(n) ? n[v] : "?";
}

#define L(...)	((const char *const[]){ __VA_ARGS__, NULL })

static const struct {
	const char *what;
	const char *const *deny, *const *allow;
	const char *name;
	enum tls_name_verdict want;
	u32 idx;
} cases[] = {
	{ "exact", L("example.com"), NULL, "example.com", TLS_NAME_DENIED, 0 },
	{ "exact, not a subdomain", L("example.com"), NULL, "a.example.com",
	  TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "exact, shorter", L("example.com"), NULL, "example.co", TLS_NAME_NONE,
	  TLS_NAMES_NO_ENTRY },
	{ "exact, longer", L("example.com"), NULL, "example.comx", TLS_NAME_NONE,
	  TLS_NAMES_NO_ENTRY },
	{ "exact, prefixed", L("example.com"), NULL, "xexample.com",
	  TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "suffix *.x", L("x.org", "*.example.com"), NULL, "a.example.com",
	  TLS_NAME_DENIED, 1 },
	{ "suffix .x", L("x.org", ".example.com"), NULL, "a.example.com",
	  TLS_NAME_DENIED, 1 },
	{ "suffix, two labels below", L(".example.com"), NULL, "x.y.example.com",
	  TLS_NAME_DENIED, 0 },
	{ "suffix, not itself", L(".example.com"), NULL, "example.com",
	  TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "suffix, label boundary", L(".example.com"), NULL, "notexample.com",
	  TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "suffix, label boundary, exact entry", L("example.com"), NULL,
	  "notexample.com", TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "suffix, not a prefix", L(".example.com"), NULL,
	  "a.example.com.evil.org", TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "suffix, after a mismatch", L(".example.com"), NULL,
	  "example.example.com", TLS_NAME_DENIED, 0 },
	{ "case of the name", L("example.com"), NULL, "ExAmPlE.CoM",
	  TLS_NAME_DENIED, 0 },
	{ "case of the entry", L("*.EXAMPLE.Com"), NULL, "a.example.com",
	  TLS_NAME_DENIED, 0 },
	{ "trailing dot of the name", L("example.com"), NULL, "example.com.",
	  TLS_NAME_DENIED, 0 },
	{ "trailing dot of the entry", L("example.com."), NULL, "example.com",
	  TLS_NAME_DENIED, 0 },
	{ "trailing dot, suffix", L(".example.com."), NULL, "a.example.com.",
	  TLS_NAME_DENIED, 0 },
	{ "two trailing dots", L("example.com"), NULL, "example.com..",
	  TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "a dot alone", L("example.com"), NULL, ".", TLS_NAME_NONE,
	  TLS_NAMES_NO_ENTRY },
	{ "empty name, allow list", NULL, L("example.com"), "",
	  TLS_NAME_NOT_ALLOWED, TLS_NAMES_NO_ENTRY },
	{ "IDN exact", L("xn--bcher-kva.example"), NULL, "XN--BCHER-KVA.example",
	  TLS_NAME_DENIED, 0 },
	{ "IDN suffix", L(".xn--p1ai"), NULL, "xn--d1acufc.xn--p1ai",
	  TLS_NAME_DENIED, 0 },
	{ "IDN, not the ACE prefix alone", L(".xn--p1ai"), NULL, "xn--p1ai",
	  TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "underscore", L("_dmarc.example.com"), NULL, "_DMARC.example.com",
	  TLS_NAME_DENIED, 0 },
	{ "odd byte in an exact name", L("example.com"), NULL, "exa\x01mple.com",
	  TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "odd byte below a suffix", L(".example.com"), NULL,
	  "a\xff" "b.example.com", TLS_NAME_DENIED, 0 },
	{ "space below a suffix", L(".example.com"), NULL, "a b.example.com",
	  TLS_NAME_DENIED, 0 },
	{ "odd byte in the suffix", L(".example.com"), NULL, "a.exam\xc9le.com",
	  TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "non-ASCII is not folded (KELVIN SIGN)", L("k.com"), NULL,
	  "\xe2\x84\xaa.com", TLS_NAME_NONE, TLS_NAMES_NO_ENTRY },
	{ "star inside", L(".example.com"), NULL, "*.example.com",
	  TLS_NAME_DENIED, 0 },
	{ "deny wins", L(".example.com"), L("a.example.com"), "a.example.com",
	  TLS_NAME_DENIED, 0 },
	{ "allowed", L("bad.example.com"), L("example.com"), "example.com",
	  TLS_NAME_ALLOWED, 0 },
	{ "not allowed", L("bad.example.com"), L("example.com"), "other.org",
	  TLS_NAME_NOT_ALLOWED, TLS_NAMES_NO_ENTRY },
	{ "denied, allow list", L("bad.example.com"), L(".example.com"),
	  "bad.example.com", TLS_NAME_DENIED, 0 },
	{ "allow suffix", NULL, L("x.org", ".corp.example"), "h.corp.example",
	  TLS_NAME_ALLOWED, 1 },
	{ "allow suffix, not itself", NULL, L(".corp.example"), "corp.example",
	  TLS_NAME_NOT_ALLOWED, TLS_NAMES_NO_ENTRY },
	{ "deny list only, no match", L("a.b"), NULL, "c.d", TLS_NAME_NONE,
	  TLS_NAMES_NO_ENTRY },
	{ "most specific deny: exact", L(".com", ".example.com",
	  "a.example.com"), NULL, "a.example.com", TLS_NAME_DENIED, 2 },
	{ "most specific deny: suffix", L(".com", ".example.com",
	  "a.example.com"), NULL, "b.example.com", TLS_NAME_DENIED, 1 },
	{ "most specific deny: short", L(".com", ".example.com",
	  "a.example.com"), NULL, "a.com", TLS_NAME_DENIED, 0 },
	{ "most specific allow", NULL, L(".com", "www.example.com",
	  ".example.com"), "www.example.com", TLS_NAME_ALLOWED, 1 },
	{ "duplicate: lowest idx", L("a.com", ".a.com", "A.com.", "*.a.com"),
	  NULL, "a.com", TLS_NAME_DENIED, 0 },
	{ "duplicate suffix: lowest idx", L("a.com", ".a.com", "A.com.",
	  "*.a.com"), NULL, "x.a.com", TLS_NAME_DENIED, 1 },
	{ "both lists, same entry", L("a.com"), L("a.com"), "a.com",
	  TLS_NAME_DENIED, 0 },
	{ "allow entry, deny elsewhere", L("b.com"), L("a.com"), "a.com",
	  TLS_NAME_ALLOWED, 0 },
};

/* a name of len bytes, labels of 63 */
static void long_name(char *buf, u32 len, char c)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (i + 1) % 64 ? c : '.';
	if (len && buf[len - 1] == '.')
		buf[len - 1] = c;
	buf[len] = 0;
}

static void test_normalise(void)
{
	static const struct {
		const char *in;
		u32 max_len;
		const char *want;	/* NULL: invalid */
	} nc[] = {
		{ "example.com", 0, "example.com" },
		{ "Example.COM.", 0, "example.com" },
		{ "*.Example.com", 0, ".example.com" },
		{ ".example.com.", 0, ".example.com" },
		{ "a", 0, "a" },
		{ "-a_b-.c", 0, "-a_b-.c" },
		{ "xn--bcher-kva.example", 0, "xn--bcher-kva.example" },
		{ "abcdefghij", 10, "abcdefghij" },
		{ "*.abcdefghij", 10, ".abcdefghij" },
		{ "abcdefghijk", 10, NULL },
		{ "", 0, NULL },
		{ ".", 0, NULL },
		{ "*.", 0, NULL },
		{ "*", 0, NULL },
		{ "..", 0, NULL },
		{ "..a", 0, NULL },
		{ "a..b", 0, NULL },
		{ "a.b..", 0, NULL },
		{ "*.*.a", 0, NULL },
		{ "*a.b", 0, NULL },
		{ "a*.b", 0, NULL },
		{ "a b", 0, NULL },
		{ "a/b", 0, NULL },
		{ " a", 0, NULL },
		{ "a\xc3\xa9", 0, NULL },
	};
	char out[TLS_NAME_BUF], buf[300];
	struct unit_group g;
	unsigned int i;
	int r;

	group_begin(&g, "names: entry normalisation");
	for (i = 0; i < N(nc); i++) {
		r = tls_name_normalise(nc[i].in, strlen(nc[i].in), nc[i].max_len,
				       out);
		if (!nc[i].want)
			CHECK(&g, r == TLS_NAMES_EINVAL, "'%s': %d, want invalid",
			      nc[i].in, r);
		else
			CHECK(&g, r == (int)strlen(nc[i].want) &&
			      !strcmp(out, nc[i].want), "'%s': %d '%s', want '%s'",
			      nc[i].in, r, r >= 0 ? out : "", nc[i].want);
	}
	r = tls_name_normalise("a\0b", 3, 0, out);
	CHECK(&g, r == TLS_NAMES_EINVAL, "NUL inside: %d", r);
	/* labels: 63 is the most */
	memset(buf, 'a', 64);
	CHECK(&g, tls_name_normalise(buf, 63, 0, out) == 63, "label of 63");
	CHECK(&g, tls_name_normalise(buf, 64, 0, out) < 0, "label of 64");
	/* names: 253 is the most, with or without a trailing dot, "*." */
	long_name(buf, 253, 'a');
	CHECK(&g, tls_name_normalise(buf, 253, 0, out) == 253, "253 bytes");
	CHECK(&g, tls_name_normalise(buf, 253, 300, out) == 253,
	      "max_len above 253 is 253");
	buf[253] = '.';
	CHECK(&g, tls_name_normalise(buf, 254, 0, out) == 253,
	      "253 bytes and a trailing dot");
	CHECK(&g, tls_name_normalise(buf, 253, 252, out) < 0, "max_len 252");
	long_name(buf + 2, 253, 'a');
	buf[0] = '*';
	buf[1] = '.';
	CHECK(&g, tls_name_normalise(buf, 255, 0, out) == 254 && out[0] == '.',
	      "*. and 253 bytes");
	long_name(buf, 254, 'a');
	CHECK(&g, tls_name_normalise(buf, 254, 0, out) < 0, "254 bytes");
	group_end(&g);
}

static void test_cases(void)
{
	struct unit_group g;
	unsigned int i;

	group_begin(&g, "names: matcher cases");
	for (i = 0; i < N(cases); i++) {
		struct tls_names *s = mk(cases[i].deny, cases[i].allow, i);
		enum tls_name_verdict v;
		u32 idx;

		if (!s) {
			group_fail(&g, "%s: build failed", cases[i].what);
			continue;
		}
		v = run(s, cases[i].name, &idx);
		CHECK(&g, v == cases[i].want && idx == cases[i].idx,
		      "%s: %s idx %u, want %s idx %u", cases[i].what, vname(v),
		      idx, vname(cases[i].want), cases[i].idx);
		tls_names_free(s, &ta);
	}
	group_end(&g);
}

static void test_long(void)
{
	char e[300], nm[800];
	struct tls_names *s;
	struct unit_group g;
	u32 idx;

	group_begin(&g, "names: 253-byte names");
	long_name(e, 253, 'q');
	s = mk((const char *const[]){ e, ".com", NULL }, NULL, 0);
	CHECK(&g, s, "build");
	if (s) {
		CHECK(&g, run(s, e, &idx) == TLS_NAME_DENIED && idx == 0,
		      "253 bytes exact");
		strcpy(nm, e);
		strcat(nm, ".");
		CHECK(&g, run(s, nm, &idx) == TLS_NAME_DENIED && idx == 0,
		      "253 bytes and a dot");
		nm[0] = 'r';
		CHECK(&g, run(s, nm, &idx) == TLS_NAME_NONE, "a byte off");
		long_name(nm, 700, 'z');
		strcat(nm, ".com");
		CHECK(&g, run(s, nm, &idx) == TLS_NAME_DENIED && idx == 1,
		      "a 704-byte name below .com");
		tls_names_free(s, &ta);
	}
	long_name(e, 254, 'q');
	s = mk((const char *const[]){ e, NULL }, NULL, 0);
	CHECK(&g, !s, "254-byte entry built");
	tls_names_free(s, &ta);
	group_end(&g);
}

static void test_generations(void)
{
	struct tls_names *a, *b, *e;
	struct unit_group g;
	u32 st, st2, idx;
	const char *nm = "www.example.com";
	size_t i;

	group_begin(&g, "names: generations, NULL and empty sets");
	a = mk(L(".example.com"), NULL, 1);
	b = mk(L(".example.com"), NULL, 2);
	e = mk(NULL, NULL, 3);
	if (!a || !b || !e) {
		group_fail(&g, "build");
		goto out;
	}
	CHECK(&g, a->ndeny == 1 && !a->nallow, "counts %u %u", a->ndeny,
	      a->nallow);
	/* root, '.', e x a m p l e, '.', c o m: 13 nodes of 12 bytes */
	CHECK(&g, a->nnodes == 13 && a->size == sizeof(*a) + 13 * 12 + 2 * 8,
	      "%u nodes, %zu bytes", a->nnodes, a->size);
	/* NULL: no lists at all */
	st = tls_names_init(NULL);
	for (i = 0; nm[i]; i++)
		st = tls_names_step(NULL, st, nm[i]);
	CHECK(&g, tls_names_end(NULL, st, &idx) == TLS_NAME_NONE &&
	      idx == TLS_NAMES_NO_ENTRY, "NULL set");
	CHECK(&g, run(e, nm, &idx) == TLS_NAME_NONE, "empty set");
	/* swapped in the middle of the name: a's state on b */
	st = tls_names_init(a);
	for (i = 0; i < 4; i++)
		st = tls_names_step(a, st, nm[i]);
	st2 = st;
	for (; nm[i]; i++)
		st2 = tls_names_step(b, st2, nm[i]);
	CHECK(&g, st2 == st, "b stepped a's state");
	CHECK(&g, tls_names_feed(b, st, (const u8 *)nm, 3) == st &&
	      tls_names_feed(NULL, st, (const u8 *)nm, 3) == st,
	      "b or NULL fed a's state");
	CHECK(&g, tls_names_end(b, st2, &idx) == TLS_NAME_CHANGED &&
	      idx == TLS_NAMES_NO_ENTRY, "a's state ended on b: %s",
	      vname(tls_names_end(b, st2, &idx)));
	CHECK(&g, tls_names_end(NULL, st, &idx) == TLS_NAME_CHANGED,
	      "a's state, lists removed");
	CHECK(&g, tls_names_end(a, tls_names_init(NULL), &idx) ==
	      TLS_NAME_CHANGED, "no set's state, lists loaded");
	/* a state of the right generation but another size */
	st = (st & ~TLS_NAMES_NODE_MAX) | TLS_NAMES_NODE_MAX;
	CHECK(&g, tls_names_step(a, st, 'a') == st &&
	      tls_names_feed(a, st, (const u8 *)"ab", 2) == st,
	      "hostile node stepped");
	CHECK(&g, tls_names_end(a, st, &idx) == TLS_NAME_CHANGED,
	      "hostile node ended");
	st = (st & ~TLS_NAMES_NODE_MAX) | a->nnodes;
	CHECK(&g, tls_names_end(a, st, &idx) == TLS_NAME_CHANGED,
	      "node nnodes ended");
	CHECK(&g, tls_names_end(a, st | 1U << 24, &idx) == TLS_NAME_CHANGED,
	      "pending bit and a bad node");
	CHECK(&g, run(a, nm, &idx) == TLS_NAME_DENIED, "a itself");
	/* the tag: gen % 127 + 1, never 0 */
	CHECK(&g, a->gen == 2 && b->gen == 3 && e->gen == 4, "tags %u %u %u",
	      a->gen, b->gen, e->gen);
out:
	tls_names_free(a, &ta);
	tls_names_free(b, &ta);
	tls_names_free(e, &ta);
	group_end(&g);
}

static void test_nomem(void)
{
	struct tls_name_list *l = NULL;
	struct tls_names *s;
	struct unit_group g;
	long live = allocs_live;
	u32 line;
	int k, r;

	group_begin(&g, "names: allocation failures");
	for (k = 0; k < 3; k++) {
		struct tls_name_entry e = { "a.com", 5, 0, 0 };

		allocs_left = k;
		r = tls_names_build(&e, 1, 0, &ta, &s);
		CHECK(&g, r == TLS_NAMES_ENOMEM && !s, "build, alloc %d: %d", k, r);
		allocs_left = k;
		if (k == 2)
			continue;
		r = tls_names_parse(NULL, "+a.com\n", 7, 0, 0, &ta, &l, &line);
		CHECK(&g, r == TLS_NAMES_ENOMEM && !l && !line,
		      "parse, alloc %d: %d", k, r);
	}
	allocs_left = -1;
	CHECK(&g, allocs_live == live, "%ld allocations leaked",
	      allocs_live - live);
	r = tls_names_build(NULL, TLS_NAMES_NODE_MAX, 0, &ta, &s);
	CHECK(&g, r == TLS_NAMES_E2BIG && !s, "2^24 entries: %d", r);
	{
		struct tls_name_entry e = { "a..com", 6, 0, 0 };

		r = tls_names_build(&e, 1, 0, &ta, &s);
		CHECK(&g, r == TLS_NAMES_EINVAL && !s, "invalid entry: %d", r);
	}
	group_end(&g);
}

/* xorshift32: the same cases every run */
static u32 rnd_state = 2463534242U;

static u32 rnd(u32 n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

/* labels that share prefixes and suffixes, for near misses */
static const char *const labels[] = {
	"a", "b", "ab", "ba", "aa", "com", "xcom", "co", "m", "xn--a", "-", "_",
};

static u32 rnd_name(char *buf, u32 max_labels)
{
	u32 i, n = 0, k = 1 + rnd(max_labels);

	for (i = 0; i < k; i++) {
		const char *l = labels[rnd(N(labels))];

		if (i)
			buf[n++] = '.';
		memcpy(buf + n, l, strlen(l));
		n += strlen(l);
	}
	buf[n] = 0;
	return n;
}

static void test_differential(void)
{
	static struct names_ref_entry ref[40];
	struct tls_name_entry e[40];
	char en[40][64], nm[128];
	struct unit_group g;
	u32 round, names = 0, hits = 0, i, k;

	group_begin(&g, "names: differential vs reference");
	for (round = 0; round < 3000; round++) {
		struct tls_names *s;
		u32 n = rnd(40), nr = 0;

		for (i = 0; i < n; i++) {
			u32 l = 0, form = rnd(4);
			u8 allow = rnd(3) == 0;

			if (form == 1)
				l = sprintf(en[i], "*.");
			else if (form == 2)
				l = sprintf(en[i], ".");
			l += rnd_name(en[i] + l, 3);
			if (rnd(8) == 0)
				en[i][l++] = '.';
			if (rnd(8) == 0)
				en[i][0] = en[i][0] >= 'a' && en[i][0] <= 'z' ?
					   en[i][0] - 32 : en[i][0];
			e[i] = (struct tls_name_entry){ en[i], l, allow, i };
			if (names_ref_entry(&ref[nr], en[i], l, allow, i))
				nr++;
		}
		if (nr != n) {
			group_fail(&g, "round %u: %u entries, %u valid", round,
				   n, nr);
			continue;
		}
		if (tls_names_build(e, n, round, &ta, &s)) {
			group_fail(&g, "round %u: build failed", round);
			continue;
		}
		for (k = 0; k < 100; k++) {
			u32 l = rnd_name(nm, 5), ia, ib;
			enum tls_name_verdict va, vb;

			if (rnd(6) == 0)
				nm[l++] = '.';
			if (rnd(10) == 0)
				nm[rnd(l)] = "A\x80 *\0"[rnd(5)];
			if (rnd(10) == 0)
				nm[rnd(l)] = 'B';
			va = names_run(s, (u8 *)nm, l, &ia);
			vb = names_ref_match(ref, nr, (u8 *)nm, l, &ib);
			/* in two pieces, split anywhere: the same state */
			{
				u32 cut = rnd(l + 1), st, sf, j;

				st = tls_names_init(s);
				for (j = 0; j < l; j++)
					st = tls_names_step(s, st, nm[j]);
				sf = tls_names_feed(s, tls_names_init(s),
						    (u8 *)nm, cut);
				sf = tls_names_feed(s, sf, (u8 *)nm + cut,
						    l - cut);
				CHECK(&g, st == sf, "feed split %u of '%.*s'",
				      cut, (int)l, nm);
			}
			names++;
			hits += va == TLS_NAME_DENIED || va == TLS_NAME_ALLOWED;
			CHECK(&g, va == vb && ia == ib,
			      "round %u name '%.*s': %s %u, reference %s %u",
			      round, (int)l, nm, vname(va), ia, vname(vb), ib);
		}
		tls_names_free(s, &ta);
	}
	printf("  differential: %u names, %u matched an entry\n", names, hits);
	CHECK(&g, hits > names / 10, "only %u of %u names matched", hits, names);
	group_end(&g);
}

/* Two flows stepping on one set, interleaved: a state is all there is */
static void test_interleave(void)
{
	static const char *const nm[] = { "a.example.com", "example.com.",
					  "EXAMPLE.COM", "b.c.example.com",
					  "example.org" };
	struct unit_group g;
	struct tls_names *s;
	unsigned int i, j, split;

	group_begin(&g, "names: every split, interleaved flows");
	s = mk(L(".example.com"), L("example.com", "example.org"), 0);
	if (!s) {
		group_fail(&g, "build");
		group_end(&g);
		return;
	}
	for (i = 0; i < N(nm); i++)
		for (j = 0; j < N(nm); j++) {
			size_t la = strlen(nm[i]), lb = strlen(nm[j]);

			for (split = 0; split <= la; split++) {
				u32 sa = tls_names_init(s), sb = tls_names_init(s);
				u32 ia, ib, ra, rb;
				size_t p;

				/* a's first split bytes, all of b, the rest of a */
				for (p = 0; p < split; p++)
					sa = tls_names_step(s, sa, nm[i][p]);
				for (p = 0; p < lb; p++)
					sb = tls_names_step(s, sb, nm[j][p]);
				for (p = split; p < la; p++)
					sa = tls_names_step(s, sa, nm[i][p]);
				CHECK(&g, tls_names_end(s, sa, &ia) ==
				      run(s, nm[i], &ra) && ia == ra &&
				      tls_names_end(s, sb, &ib) ==
				      run(s, nm[j], &rb) && ib == rb,
				      "%s split %u with %s", nm[i], split, nm[j]);
			}
		}
	tls_names_free(s, &ta);
	group_end(&g);
}

/* The list parser */

static struct tls_name_list *plist(const struct tls_name_list *old,
				   const char *text, u32 max, int *r, u32 *line)
{
	struct tls_name_list *l;

	*r = tls_names_parse(old, text, strlen(text), max, 0, &ta, &l, line);
	return l;
}

/* "a,b,c": the list's entries in order */
static void list_str(const struct tls_name_list *l, char *buf, size_t size)
{
	size_t n = 0;
	u32 i;

	buf[0] = 0;
	for (i = 0; l && i < l->n; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? "," : "",
			      l->names + l->ent[i].off);
}

static void test_parse(void)
{
	static const struct {
		const char *text;
		int err;
		u32 line;
	} bad[] = {
		{ "+x.com\n\nexample.com\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n+\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n-\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n+a..b\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n+*\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n+*.\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n+ a.com\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n+a\xff.com\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n//\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n/ x\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n*a.com\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n#comment\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n+abcdefghijklmnopq.com\n", TLS_NAMES_EINVAL, 3 },
		{ "+x.com\n\n-missing.com\n", TLS_NAMES_ENOENT, 3 },
		{ "+x.com\n\n-y.com\n+y.com\n", TLS_NAMES_ENOENT, 3 },
		{ "+x.com\n/\n-a.com\n", TLS_NAMES_ENOENT, 3 },
		{ "+x.com\n-a.com\n-a.com\n", TLS_NAMES_ENOENT, 3 },
		{ "+x.com\n+y.com\n+z.com\n", TLS_NAMES_ENOSPC, 3 },
		{ "+x.com\n\n+y.com\n+x.com\n/\n+v.com\n+w.com\n+q.com\n"
		  "+r.com\n+s.com", TLS_NAMES_ENOSPC, 10 },
	};
	struct tls_name_list *old, *l, *l2;
	char buf[512], before[512];
	struct unit_group g;
	unsigned int i;
	u32 line;
	int r;

	group_begin(&g, "names: list parser");
	/* old: a.com, .b.com (max 4, max_len 16 for the bad cases) */
	old = plist(NULL, "+a.com\n+*.B.com.\n", 0, &r, &line);
	list_str(old, before, sizeof(before));
	CHECK(&g, !r && !strcmp(before, ".b.com,a.com"), "old: %d '%s'", r,
	      before);
	if (!old)
		goto out;
	old->hits[0] = 7;
	old->hits[1] = 9;
	for (i = 0; i < N(bad); i++) {
		r = tls_names_parse(old, bad[i].text, strlen(bad[i].text), 4, 16,
				    &ta, &l, &line);
		list_str(old, buf, sizeof(buf));
		CHECK(&g, r == bad[i].err && line == bad[i].line && !l &&
		      !strcmp(buf, before) && old->hits[0] == 7,
		      "bad %u: %d line %u, want %d line %u", i, r, line,
		      bad[i].err, bad[i].line);
		tls_name_list_free(l, &ta);
	}
	/* add, idempotent add, sorted, counters kept */
	l = plist(old, "+c.com\r\n  +a.com  \n\t\n+C.COM.", 0, &r, &line);
	list_str(l, buf, sizeof(buf));
	CHECK(&g, !r && !strcmp(buf, ".b.com,a.com,c.com"), "add: %d '%s'", r,
	      buf);
	CHECK(&g, l && l->hits[0] == 7 && l->hits[1] == 9 && l->hits[2] == 0,
	      "add: counters");
	CHECK(&g, l && tls_name_list_find(l, "c.com", 5) == 2 &&
	      tls_name_list_find(l, ".b.com", 6) == 0 &&
	      tls_name_list_find(l, "b.com", 5) == -1 &&
	      tls_name_list_find(NULL, "b.com", 5) == -1, "find");
	/* remove, remove and add again (counter restarts) */
	l2 = plist(l, "-a.com\n-.b.com\n+*.b.com\n", 0, &r, &line);
	list_str(l2, buf, sizeof(buf));
	CHECK(&g, !r && !strcmp(buf, ".b.com,c.com") && l2->hits[0] == 0,
	      "remove: %d '%s'", r, buf);
	tls_name_list_free(l2, &ta);
	/* flush, then adds */
	l2 = plist(l, "+d.com\n/\n+e.com\n+a.com\n", 0, &r, &line);
	list_str(l2, buf, sizeof(buf));
	CHECK(&g, !r && !strcmp(buf, "a.com,e.com") && !l2->hits[0],
	      "flush: %d '%s'", r, buf);
	tls_name_list_free(l2, &ta);
	l2 = plist(l, "/", 0, &r, &line);
	CHECK(&g, !r && l2 && !l2->n, "flush alone: %d", r);
	tls_name_list_free(l2, &ta);
	/* nothing: a copy */
	l2 = plist(l, "\n\n", 0, &r, &line);
	list_str(l2, buf, sizeof(buf));
	CHECK(&g, !r && !strcmp(buf, ".b.com,a.com,c.com") && l2->hits[1] == 9,
	      "blank lines: %d '%s'", r, buf);
	tls_name_list_free(l2, &ta);
	/* the limit counts the result, not the lines */
	l2 = plist(l, "-a.com\n+x.com\n+a.com\n", 4, &r, &line);
	CHECK(&g, !r && l2 && l2->n == 4, "limit: %d", r);
	tls_name_list_free(l2, &ta);
	l2 = plist(l, "-a.com\n+x.com\n+a.com\n", 3, &r, &line);
	CHECK(&g, r == TLS_NAMES_ENOSPC && line == 3 && !l2, "limit 3: %d %u",
	      r, line);
	/* a list feeds the builder */
	{
		struct tls_name_entry e[8];
		struct tls_names *s;
		u32 idx;

		tls_name_list_entries(l, 1, e);
		r = tls_names_build(e, l->n, 0, &ta, &s);
		CHECK(&g, !r && run(s, "x.b.com", &idx) == TLS_NAME_ALLOWED &&
		      idx == 0 && run(s, "c.com", &idx) == TLS_NAME_ALLOWED &&
		      idx == 2 && run(s, "b.com", &idx) == TLS_NAME_NOT_ALLOWED,
		      "list to set");
		tls_names_free(s, &ta);
	}
	tls_name_list_free(l, &ta);
out:
	tls_name_list_free(old, &ta);
	CHECK(&g, allocs_live == 0, "%ld allocations leaked", allocs_live);
	group_end(&g);
}

void run_names_tests(void)
{
	test_normalise();
	test_cases();
	test_long();
	test_generations();
	test_nomem();
	test_interleave();
	test_differential();
	test_parse();
}
