/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test vectors shared by the userspace unit tests (tests/unit) and the KUnit
 * suite (tests/kunit).  Pure C data: includes only the engine's headers.
 *
 * A vector is a conversation: steps of bytes, each sent by one direction, in
 * order.  tls_vec_run() replays it through tls_feed() with a chunking chosen
 * by the caller and reports the first violation; every chunking must give
 * the vector's expected reason, direction and stream offset.
 */
#ifndef _TLS_VECTORS_H
#define _TLS_VECTORS_H

#include "../../tls_parse.h"

struct tls_vec_step {
	u8 dir;			/* TLS_DIR_CLIENT or TLS_DIR_SERVER */
	u32 len;
	const u8 *data;
};

struct tls_vector {
	const char *name;
	const struct tls_vec_step *steps;
	u32 nsteps;
	struct tls_policy pol;
	enum tls_reason expect;	/* TLS_OK, or the reason of the first violation */
	u8 expect_dir;		/* direction whose byte decided it */
	u32 expect_off;		/* offset of that byte in that direction's stream */
};

extern const struct tls_vector tls_vectors[];
extern const unsigned int tls_nvectors;

/*
 * How tls_vec_run() cuts each step into tls_feed() calls: chunk == 0 feeds
 * each step whole; chunk > 0 feeds chunks of that size; chunk < 0 feeds
 * pseudo-random chunk sizes from 1 to -chunk, drawn from seed.
 */
struct tls_vec_outcome {
	enum tls_reason reason;
	u8 dir;
	u32 off;		/* stream offset in dir of the deciding byte */
	u32 records;		/* record headers completed, both directions */
};

void tls_vec_run(const struct tls_vector *v, int chunk, u32 seed,
		 struct tls_vec_outcome *out);

#endif /* _TLS_VECTORS_H */
