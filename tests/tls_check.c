// SPDX-License-Identifier: GPL-2.0
/*
 * Engine self-check (tls_check.h): the invariants of tls_parse.c's state
 * comment, tested from outside after every call by the unit tests and the
 * fuzzer.
 */
#include <string.h>

#include "tls_check.h"
#include "../tls_engine.h"

int tls_flow_check(const struct tls_flow *f)
{
	const struct tls_dir *d;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		d = &f->dir[i];
		if (d->state >= ST_NSTATES)
			return 1;
		if (d->state == ST_DEAD) {
			if (!d->scratch || d->scratch >= TLS_R_MAX)
				return 2;
			continue;
		}
		if (d->rec_left > ((d->flags & TLS_F_SSLV2) ? 0x7fff : TLS_MAX_CIPHER))
			return 3;
		if (d->state >= ST_BODY && d->state < ST_DEAD &&
		    d->state != ST_V2_HDR3_LEN1 && d->state != ST_V2_HDR2_LEN1 &&
		    !d->rec_left)
			return 4;
		if ((d->flags & TLS_F_TLS13) && !(d->flags & TLS_F_ENCRYPTED))
			return 5;
	}
	return 0;
}

void tls_seg_general(struct tls_flow *f, unsigned int dir,
		     const struct tls_tcp *t, const u8 *payload,
		     const struct tls_policy *pol, struct tls_fate *o)
{
	memset(o, 0, sizeof(*o));
	if (tls_seg_begin(f, dir, t, pol, &o->seg)) {
		o->r = tls_feed(f, dir, payload + o->seg.skip,
				t->len - o->seg.skip, pol, &o->res);
		tls_seg_end(f, dir, t->len, o->r, pol, &o->seg);
	}
}
