/* SPDX-License-Identifier: GPL-2.0 */
/* Tiny test harness shared by the userspace unit tests. */
#ifndef _UNIT_H
#define _UNIT_H

#include <stdarg.h>
#include <stdio.h>

struct unit_group {
	const char *name;
	int failed;
	char detail[256];
};

extern int unit_passed, unit_failed;

static inline void group_begin(struct unit_group *g, const char *name)
{
	g->name = name;
	g->failed = 0;
	g->detail[0] = 0;
}

/* Record the first failure of a group; later ones are only counted. */
static inline void __attribute__((format(printf, 2, 3)))
group_fail(struct unit_group *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->failed) {
		va_start(ap, fmt);
		vsnprintf(g->detail, sizeof(g->detail), fmt, ap);
		va_end(ap);
	}
	g->failed++;
}

static inline void group_end(struct unit_group *g)
{
	if (g->failed) {
		printf("FAIL: %s: %s", g->name, g->detail);
		if (g->failed > 1)
			printf(" (+%d more)", g->failed - 1);
		printf("\n");
		unit_failed++;
	} else {
		printf("PASS: %s\n", g->name);
		unit_passed++;
	}
}

/* Elements of an array (the same definition as test_rules.c's) */
#define N(a)	(sizeof(a) / sizeof(*(a)))

#define CHECK(g, cond, ...)					\
	do {							\
		if (!(cond))					\
			group_fail(g, __VA_ARGS__);		\
	} while (0)

void run_engine_tests(void);
void run_seq_tests(void);
void run_rules_tests(void);

#endif
