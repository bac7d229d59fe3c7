/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The baseline both benchmarks compare the engine against: read every byte
 * of a chunk (a u64 at a time) and sum it, so the compiler cannot drop the
 * reads.  One copy, so that every ratio is against the same loop.
 */
#ifndef _BENCH_PLAIN_READ_H
#define _BENCH_PLAIN_READ_H

#include <string.h>

#include "../tls_types.h"

static __attribute__((__noinline__)) u64 sum_chunk(const u8 *p, u32 n)
{
	u64 s = 0, w;
	u32 i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		s += w;
	}
	for (; i < n; i++)
		s += p[i];
	return s;
}

#endif /* _BENCH_PLAIN_READ_H */
