// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nf_conntrack_tls": runs the pure-C engine (tls_parse.c,
 * heartbeat.c, tls_seq.c) inside the kernel, built with the kernel's own
 * compiler flags, against the shared test vectors of tests/vectors.
 *
 * Built by scripts/kunit.sh, which symlinks this file, the engine and the
 * vectors into a glue directory of an unpacked linux-source tree (see
 * tests/kunit/Kbuild) and runs tools/testing/kunit/kunit.py on UML.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/stddef.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "../vectors/seq_cases.h"
#include "../vectors/tls_vectors.h"
#include "../../tls_parse.h"
#include "../../tls_seq.h"
#include "../../tls_names.h"
#include <linux/slab.h>

/* ------------------------------------------------------------------------ */
/* Vectors: one parameter per entry of tls_vectors[0..tls_nvectors). */

/*
 * KUNIT_ARRAY_PARAM() needs an array whose size is known here (ARRAY_SIZE);
 * tls_vectors[] is an extern array of unknown size, so walk it by hand.
 */
static const void *tls_vec_gen_params(const void *prev, char *desc)
{
	const struct tls_vector *v = prev ? (const struct tls_vector *)prev + 1
					  : &tls_vectors[0];

	if (v - tls_vectors >= (ptrdiff_t)tls_nvectors)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", v->name ? v->name : "(null)");
	return v;
}

/* Pseudo-random chunkings: chunk sizes 1..max drawn from the seed. */
static const struct {
	int chunk;
	u32 seed;
} tls_vec_splits[] = {
	{ -2, 1 },
	{ -3, 0x9e3779b9 },
	{ -7, 42 },
	{ -16, 0xdeadbeef },
	{ -64, 7 },
	{ -1000, 12345 },
};

static void tls_vec_check(struct kunit *test, const struct tls_vector *v,
			  int chunk, u32 seed, struct tls_vec_outcome *out)
{
	memset(out, 0, sizeof(*out));
	tls_vec_run(v, chunk, seed, out);

	KUNIT_EXPECT_EQ_MSG(test, (int)out->reason, (int)v->expect,
			    "%s chunk=%d seed=%u: got %s, want %s", v->name,
			    chunk, seed, tls_reason_name(out->reason),
			    tls_reason_name(v->expect));
	if (v->expect == TLS_OK || out->reason != v->expect)
		return;
	KUNIT_EXPECT_EQ_MSG(test, out->dir, v->expect_dir,
			    "%s chunk=%d seed=%u: deciding direction", v->name,
			    chunk, seed);
	KUNIT_EXPECT_EQ_MSG(test, out->off, v->expect_off,
			    "%s chunk=%d seed=%u: deciding offset", v->name,
			    chunk, seed);
}

static void tls_vector_test(struct kunit *test)
{
	const struct tls_vector *v = test->param_value;
	struct tls_vec_outcome whole, out;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, v);

	/* Each step whole. */
	tls_vec_check(test, v, 0, 0, &whole);
	/* One byte per tls_feed() call. */
	tls_vec_check(test, v, 1, 0, &out);
	if (v->expect == TLS_OK)
		KUNIT_EXPECT_EQ_MSG(test, out.records, whole.records,
				    "%s: records, 1-byte chunks vs whole",
				    v->name);
	/* A few pseudo-random splits. */
	for (i = 0; i < ARRAY_SIZE(tls_vec_splits); i++) {
		tls_vec_check(test, v, tls_vec_splits[i].chunk,
			      tls_vec_splits[i].seed, &out);
		if (v->expect == TLS_OK)
			KUNIT_EXPECT_EQ_MSG(test, out.records, whole.records,
					    "%s: records, chunk=%d vs whole",
					    v->name, tls_vec_splits[i].chunk);
	}
}

static void tls_vectors_present_test(struct kunit *test)
{
	KUNIT_EXPECT_GT(test, tls_nvectors, 0U);
}

/* ------------------------------------------------------------------------ */
/*
 * Layout: the early state and a pointer to the flow's object must fit
 * nf_conn_help.data (nf_conntrack_tls_state.c).
 */
static void tls_flow_size_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct tls_dir), (size_t)16);
	KUNIT_EXPECT_EQ(test, sizeof(struct tls_flow_early), (size_t)24);
	KUNIT_EXPECT_LE(test, sizeof(void *) + sizeof(struct tls_flow_early),
			sizeof_field(struct nf_conn_help, data));
	/* the handshake layer: 72 bytes (tls_parse.h) */
	KUNIT_EXPECT_LE(test, sizeof(struct tls_flow), (size_t)72);
	/* nf_conn_help.data is __aligned(8): the early state must not need more. */
	KUNIT_EXPECT_LE(test, __alignof__(struct tls_flow_early), (size_t)8);
}

/* ------------------------------------------------------------------------ */
/* Reason names: never NULL, even out of range. */

static void tls_reason_name_test(struct kunit *test)
{
	struct tls_flow f;
	int r;

	for (r = TLS_OK; r <= TLS_R_MAX + 2; r++) {
		const char *n = tls_reason_name((enum tls_reason)r);

		KUNIT_ASSERT_NOT_NULL_MSG(test, n, "reason %d", r);
		KUNIT_EXPECT_NE_MSG(test, n[0], '\0', "reason %d", r);
	}

	tls_flow_init(&f);
	KUNIT_ASSERT_NOT_NULL(test, tls_flow_version_name(&f));
}

/* ------------------------------------------------------------------------ */
/* Sequence tracking: one parameter per case of tests/vectors/seq_cases.c. */

static const void *tls_seq_gen_params(const void *prev, char *desc)
{
	const struct tls_seq_case *c = prev ?
		(const struct tls_seq_case *)prev + 1 : &tls_seq_cases[0];

	if (c - tls_seq_cases >= (ptrdiff_t)tls_seq_ncases)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
	return c;
}

static void tls_seq_case_test(struct kunit *test)
{
	const struct tls_seq_case *c = test->param_value;
	const struct tls_seq_step *st;
	struct tls_seq_fail fail;

	KUNIT_ASSERT_NOT_NULL(test, c);
	if (tls_seq_case_run(c, &fail))
		return;
	st = &c->steps[fail.step];
	KUNIT_FAIL(test, "%s step %u (op %u dir %u seq %#x len %u): got %s value %#x, want %s skip %u",
		   c->name, fail.step, st->op, st->dir, st->seq, st->len,
		   tls_seq_action_name(fail.action), fail.value,
		   tls_seq_action_name(st->want), st->skip);
}

/* ------------------------------------------------------------------------ */
/* The server-name matcher in the kernel, kvmalloc'd, byte by byte. */

static void *tls_kunit_alloc(size_t size, void *ctx)
{
	return kvmalloc(size, GFP_KERNEL);
}

static void tls_kunit_free(void *p, void *ctx)
{
	kvfree(p);
}

static const struct tls_names_alloc tls_kunit_mem = {
	.alloc = tls_kunit_alloc,
	.free = tls_kunit_free,
};

static const struct tls_name_case {
	const char *name;
	enum tls_name_verdict want;
} tls_name_cases[] = {
	{ "www.example.com", TLS_NAME_DENIED },
	{ "WWW.Example.COM.", TLS_NAME_DENIED },
	{ "example.com", TLS_NAME_NOT_ALLOWED },
	{ "notexample.com", TLS_NAME_NOT_ALLOWED },
	{ "evil.test", TLS_NAME_DENIED },
	{ "www.evil.test", TLS_NAME_NOT_ALLOWED },
	{ "good.test", TLS_NAME_ALLOWED },
	{ "a.corp.test", TLS_NAME_ALLOWED },
	{ "corp.test", TLS_NAME_NOT_ALLOWED },
	{ "x.corp.test.example.com", TLS_NAME_DENIED },
	{ "bad\xff.corp.test", TLS_NAME_ALLOWED },
};

static void tls_name_desc(const struct tls_name_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(tls_name, tls_name_cases, tls_name_desc);

static void tls_name_test(struct kunit *test)
{
	static const struct tls_name_entry e[] = {
		{ ".example.com", 12, 0, 0 }, { "evil.test", 9, 0, 1 },
		{ "good.test", 9, 1, 2 }, { "*.corp.test", 11, 1, 3 },
	};
	const struct tls_name_case *c = test->param_value;
	struct tls_names *set = NULL;
	size_t i, n = strlen(c->name);
	u32 st, idx;

	KUNIT_ASSERT_EQ(test, tls_names_build(e, ARRAY_SIZE(e), 1,
					      &tls_kunit_mem, &set), 0);
	st = tls_names_init(set);
	for (i = 0; i < n; i++)
		st = tls_names_step(set, st, c->name[i]);
	KUNIT_EXPECT_EQ(test, tls_names_end(set, st, &idx), c->want);
	/* a state of another generation is never used */
	KUNIT_EXPECT_EQ(test, tls_names_end(set, st ^ (3U << 25), &idx),
			TLS_NAME_CHANGED);
	tls_names_free(set, &tls_kunit_mem);
}

static struct kunit_case tls_kunit_cases[] = {
	KUNIT_CASE_PARAM(tls_name_test, tls_name_gen_params),
	KUNIT_CASE(tls_flow_size_test),
	KUNIT_CASE(tls_vectors_present_test),
	KUNIT_CASE_PARAM(tls_vector_test, tls_vec_gen_params),
	KUNIT_CASE(tls_reason_name_test),
	KUNIT_CASE_PARAM(tls_seq_case_test, tls_seq_gen_params),
	{}
};

static struct kunit_suite tls_kunit_suite = {
	.name = "nf_conntrack_tls",
	.test_cases = tls_kunit_cases,
};

kunit_test_suite(tls_kunit_suite);

MODULE_DESCRIPTION("KUnit tests for the nf_conntrack_tls engine");
MODULE_LICENSE("GPL");
