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

void run_seq_tests(void)
{
	t_cases();
}
