// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tls_seq.c: the sequence cases of tests/vectors (shared
 * with KUnit), one group each; the fate_* cases drive tls_seg_begin() and
 * tls_seg_end() as the kernel and the offline tool do.
 */
#include "unit.h"
#include "../vectors/seq_cases.h"

static void t_cases(void)
{
	const struct tls_seq_case *c;
	const struct tls_seq_step *st;
	struct tls_seq_fail fail;
	struct unit_group g;
	unsigned int i;

	for (i = 0; i < tls_seq_ncases; i++) {
		c = &tls_seq_cases[i];
		group_begin(&g, c->name);
		if (!tls_seq_case_run(c, &fail)) {
			st = &c->steps[fail.step];
			group_fail(&g, "step %u (op %u dir %u seq %#x len %u): got %s value %#x, want %s skip %u",
				   fail.step, st->op, st->dir, st->seq, st->len,
				   tls_seq_action_name(fail.action), fail.value,
				   tls_seq_action_name(st->want), st->skip);
		}
		group_end(&g);
	}
}

/* TCP options a receiver acts on (tls_tcp_options_ambiguous()). */
static void t_options(void)
{
	static const struct {
		const char *what;
		u8 opt[40];
		u32 len;
		bool want;
	} c[] = {
		{ "timestamps", { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 }, 12, false },
		{ "mss, sack, ws", { 2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 7 }, 10, false },
		{ "md5", { 1, 1, 19, 18 }, 20, true },
		{ "ao", { 29, 4, 0, 0 }, 4, true },
		{ "mptcp", { 30, 4, 0x20, 0x81 }, 4, true },
		{ "smc", { 1, 1, 254, 6, 0xe2, 0xd4, 0xc3, 0xd9 }, 8, true },
		{ "tfo experimental", { 254, 4, 0xf9, 0x89 }, 4, false },
		{ "md5 after eol", { 0, 19, 18 }, 20, false },
		{ "md5 after a zero length", { 8, 0, 19, 18 }, 20, false },
		{ "md5 cut off", { 1, 19, 18 }, 10, false },
		{ "lone kind", { 1, 1, 19 }, 3, false },
		{ "empty", { 0 }, 0, false },
	};
	struct unit_group g;
	unsigned int i;
	bool got;

	group_begin(&g, "seq_tcp_options");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		got = tls_tcp_options_ambiguous(c[i].opt, c[i].len);
		CHECK(&g, got == c[i].want, "%s: got %d", c[i].what, got);
	}
	group_end(&g);
}

/* The timestamp option as tcp_parse_options() takes it. */
static void t_timestamp(void)
{
	static const struct {
		const char *what;
		u8 opt[40];
		u32 len;
		u32 want;	/* tsval + 1, 0: none */
	} c[] = {
		{ "aligned", { 1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 9 }, 12, 0x01020305 },
		{ "after sack", { 4, 2, 8, 10, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0 }, 12, 0xffffffff },
		{ "length 8", { 8, 8, 1, 2, 3, 4, 5, 6 }, 8, 0 },
		{ "cut off", { 1, 1, 8, 10, 1, 2, 3, 4 }, 8, 0 },
		{ "after eol", { 0, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 }, 11, 0 },
		{ "after a zero length", { 2, 0, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 }, 12, 0 },
		{ "empty", { 0 }, 0, 0 },
	};
	struct unit_group g;
	unsigned int i;
	u32 ts = 0;
	bool got;

	group_begin(&g, "seq_tcp_timestamp");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		got = tls_tcp_timestamp(c[i].opt, c[i].len, &ts);
		CHECK(&g, got == (c[i].want != 0) && (!got || ts + 1 == c[i].want),
		      "%s: got %d %08x", c[i].what, got, ts);
	}
	group_end(&g);
}

void run_seq_tests(void)
{
	t_cases();
	t_options();
	t_timestamp();
}
