// SPDX-License-Identifier: GPL-2.0
/*
 * Replay one test vector through tls_feed() with a given chunking.  Pure C
 * (no libc): the userspace unit tests and the KUnit suite both build it.
 */
#include "tls_vectors.h"

/* xorshift32: deterministic chunk sizes for chunk < 0 */
static u32 vec_rand(u32 *s)
{
	u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

void tls_vec_run(const struct tls_vector *v, int chunk, u32 seed,
		 struct tls_vec_outcome *out)
{
	struct tls_flow flow;
	struct tls_result res;
	enum tls_reason r;
	u32 off[2] = { 0, 0 };
	u32 rng = seed ? seed : 0x9e3779b9u;
	u32 s, pos, n, max;
	const struct tls_vec_step *st;

	tls_flow_init(&flow);
	out->reason = TLS_OK;
	out->dir = 0;
	out->off = 0;
	out->records = 0;
	max = chunk < 0 ? (u32)-(chunk + 1) + 1 : (u32)chunk;
	for (s = 0; s < v->nsteps; s++) {
		st = &v->steps[s];
		pos = 0;
		do {
			n = st->len - pos;
			if (chunk > 0 && n > max)
				n = max;
			else if (chunk < 0 && n > 1)
				n = 1 + vec_rand(&rng) % (n < max ? n : max);
			r = tls_feed(&flow, st->dir & 1, st->data + pos, n,
				     &v->pol, &res);
			out->records += res.records;
			if (r) {
				out->reason = r;
				out->dir = st->dir & 1;
				out->off = off[st->dir & 1] + res.at;
				return;
			}
			off[st->dir & 1] += n;
			pos += n;
		} while (pos < st->len);
	}
}
