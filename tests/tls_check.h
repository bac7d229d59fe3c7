/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine self-check for the tests and fuzzers (never in the module): built
 * only into the programs that call it.
 */
#ifndef _TLS_CHECK_H
#define _TLS_CHECK_H

#include "../tls_parse.h"
#include "../tls_seq.h"

/*
 * 0 if every engine invariant holds for f, else a small positive number
 * naming the broken one.
 */
int tls_flow_check(const struct tls_flow *f);

/*
 * One segment by the general path, as the module runs it when
 * tls_seg_fast() declines: tls_seg_begin(), tls_feed() of the new bytes
 * of payload[0..t->len), tls_seg_end().  *o is zeroed first (padding too:
 * callers compare fates with memcmp()).
 */
void tls_seg_general(struct tls_flow *f, unsigned int dir,
		     const struct tls_tcp *t, const u8 *payload,
		     const struct tls_policy *pol, struct tls_fate *o);

#endif /* _TLS_CHECK_H */
