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

#include "../vectors/tls_vectors.h"
#include "../../tls_parse.h"
#include "../../tls_seq.h"

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
/* Layout: the flow state must fit nf_conn_help.data. */

static void tls_flow_size_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct tls_dir), (size_t)16);
	KUNIT_EXPECT_LE(test, sizeof(struct tls_flow), (size_t)32);
	KUNIT_EXPECT_LE(test, sizeof(struct tls_flow),
			sizeof_field(struct nf_conn_help, data));
	/* nf_conn_help.data is __aligned(8): the flow must not need more. */
	KUNIT_EXPECT_LE(test, __alignof__(struct tls_flow), (size_t)8);
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
/* Sequence tracking around the 2^32 wrap. */

static void tls_seq_wrap_test(struct kunit *test)
{
	struct tls_flow f;
	enum tls_seq_action a;
	u32 skip;

	tls_flow_init(&f);

	/* SYN 8 bytes before the wrap: data starts at isn + 1 = 0xfffffff8. */
	skip = 0xdead;
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0xfffffff7, true, 0,
			    TLS_GAP_DROP, &skip);
	KUNIT_EXPECT_TRUE_MSG(test, a == TLS_SEQ_OLD || a == TLS_SEQ_NEW,
			      "pure SYN gave action %d", a);

	/* 32 bytes straddling the wrap: all new. */
	skip = 0xdead;
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0xfffffff8, false, 32,
			    TLS_GAP_DROP, &skip);
	KUNIT_ASSERT_EQ(test, a, TLS_SEQ_NEW);
	KUNIT_EXPECT_EQ(test, skip, 0U);
	tls_seq_advance(&f, TLS_DIR_CLIENT, 32);	/* next = 0x18 */

	/* Full retransmission from before the wrap: nothing new. */
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0xfffffff8, false, 32,
			    TLS_GAP_DROP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_OLD);

	/* Pure ACK at the current sequence number: nothing new. */
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0x18, false, 0,
			    TLS_GAP_DROP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_OLD);

	/* Overlap starting before the wrap, ending after next: skip 0x20. */
	skip = 0xdead;
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0xfffffff8, false, 0x30,
			    TLS_GAP_DROP, &skip);
	KUNIT_ASSERT_EQ(test, a, TLS_SEQ_NEW);
	KUNIT_EXPECT_EQ(test, skip, 0x20U);
	tls_seq_advance(&f, TLS_DIR_CLIENT, 0x30 - 0x20);	/* next = 0x28 */

	/* In order after the wrap. */
	skip = 0xdead;
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0x28, false, 10,
			    TLS_GAP_DROP, &skip);
	KUNIT_ASSERT_EQ(test, a, TLS_SEQ_NEW);
	KUNIT_EXPECT_EQ(test, skip, 0U);
	tls_seq_advance(&f, TLS_DIR_CLIENT, 10);	/* next = 0x32 */

	/* Beyond a hole, gap policy "drop": dropped, flow still tracked. */
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0x40, false, 10,
			    TLS_GAP_DROP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_GAP_DROP);
	skip = 0xdead;
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0x32, false, 10,
			    TLS_GAP_DROP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_NEW);
	KUNIT_EXPECT_EQ(test, skip, 0U);

	/* The other direction is independent: data before its SYN is pickup. */
	a = tls_seq_segment(&f, TLS_DIR_SERVER, 0x1000, false, 10,
			    TLS_GAP_DROP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_PICKUP);
	/* under gap "drop" a pickup does not stop the flow */
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0x32, false, 10,
			    TLS_GAP_DROP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_NEW);
	a = tls_seq_segment(&f, TLS_DIR_SERVER, 0x100a, false, 10,
			    TLS_GAP_STOP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_PICKUP);
	a = tls_seq_segment(&f, TLS_DIR_CLIENT, 0x32, false, 10,
			    TLS_GAP_DROP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_UNTRACKED);
}

static void tls_seq_gap_stop_test(struct kunit *test)
{
	static const u8 junk[4] = { 0xff, 0xff, 0xff, 0xff };
	struct tls_policy pol = { .lowrun_limit = TLS_LOWRUN_DEFAULT };
	struct tls_flow f;
	enum tls_seq_action a;
	u32 skip;

	tls_flow_init(&f);
	/* Server SYN right at the wrap: its data starts at 0. */
	tls_seq_segment(&f, TLS_DIR_SERVER, 0xffffffff, true, 0,
			TLS_GAP_STOP, &skip);
	skip = 0xdead;
	a = tls_seq_segment(&f, TLS_DIR_SERVER, 0, false, 5, TLS_GAP_STOP,
			    &skip);
	KUNIT_ASSERT_EQ(test, a, TLS_SEQ_NEW);
	KUNIT_EXPECT_EQ(test, skip, 0U);
	tls_seq_advance(&f, TLS_DIR_SERVER, 5);

	/* A segment "behind" by almost 2^31 is old, not a gap. */
	a = tls_seq_segment(&f, TLS_DIR_SERVER, 0x80000010, false, 5,
			    TLS_GAP_STOP, &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_OLD);

	/* A hole with gap policy "stop" stops the whole flow. */
	a = tls_seq_segment(&f, TLS_DIR_SERVER, 6, false, 5, TLS_GAP_STOP,
			    &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_GAP_STOP);
	a = tls_seq_segment(&f, TLS_DIR_SERVER, 5, false, 5, TLS_GAP_STOP,
			    &skip);
	KUNIT_EXPECT_EQ(test, a, TLS_SEQ_UNTRACKED);

	/* A stopped flow is no longer inspected: garbage is accepted. */
	KUNIT_EXPECT_EQ(test,
			tls_feed(&f, TLS_DIR_CLIENT, junk, sizeof(junk), &pol,
				 NULL),
			TLS_OK);
}

static struct kunit_case tls_kunit_cases[] = {
	KUNIT_CASE(tls_flow_size_test),
	KUNIT_CASE(tls_vectors_present_test),
	KUNIT_CASE_PARAM(tls_vector_test, tls_vec_gen_params),
	KUNIT_CASE(tls_reason_name_test),
	KUNIT_CASE(tls_seq_wrap_test),
	KUNIT_CASE(tls_seq_gap_stop_test),
	{}
};

static struct kunit_suite tls_kunit_suite = {
	.name = "nf_conntrack_tls",
	.test_cases = tls_kunit_cases,
};

kunit_test_suite(tls_kunit_suite);

MODULE_DESCRIPTION("KUnit tests for the nf_conntrack_tls engine");
MODULE_LICENSE("GPL");
