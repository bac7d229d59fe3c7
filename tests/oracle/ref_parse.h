/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A buffered reference parser of the record layer, test-only: the
 * differential oracle of the streaming engine (tls_feed()).  It gets each
 * direction's whole byte stream at once and, per byte, the position in
 * the transcript of the segment that carried it, and judges the flow
 * from these buffers with random access: no code of the engine, no
 * streaming state machine.
 *
 * Scope (honest, see ref_parse.c): the record layer with every policy of
 * struct tls_policy, and the handshake layer (handshake = 1) without a
 * rule set, HelloRetryRequests included; what is not modelled is said in
 * struct ref_outcome.
 */
#ifndef _REF_PARSE_H
#define _REF_PARSE_H

#include "../../tls_parse.h"

/*
 * The transcript: data[d][0..len[d]) is direction d's stream; seg[d][i]
 * the transcript position (any increasing number, e.g. the segment index)
 * at which byte i of direction d was delivered.  Bytes of the two
 * directions never share a position.
 */
struct ref_transcript {
	const u8 *data[2];
	u32 len[2];
	const u32 *seg[2];
};

struct ref_outcome {
	/*
	 * The reference does not judge this flow from the byte (dir, off),
	 * delivered at transcript position seg, on: a verdict of the engine
	 * before it must still agree, a later one is not compared.
	 */
	bool unmodelled;
	u32 seg;
	enum tls_reason reason;	/* TLS_OK or the first violation */
	unsigned int dir;	/* its direction */
	u32 off;		/* its deciding byte, offset in dir's stream */
};

void ref_run(const struct ref_transcript *t, const struct tls_policy *pol,
	     struct ref_outcome *out);

/*
 * The engine's outcome (reason, and if not TLS_OK the deciding byte dir,
 * off) against the reference's: 1 agree, 0 disagree, -1 not comparable
 * (the engine decided at or after an unmodelled byte, or not at all).
 */
int ref_compare(const struct ref_transcript *t, const struct ref_outcome *ro,
		enum tls_reason reason, unsigned int dir, u32 off);

#endif /* _REF_PARSE_H */
