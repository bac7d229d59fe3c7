/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Weak classes of TLS cipher suites, by the suite number a ServerHello
 * selects: what BCP 195 (RFC 9325 4.1) tells implementations never to
 * negotiate.  Pure C like the rest of the engine; the rule set checks the
 * selected suite's classes against the classes a namespace denies.
 */
#ifndef _TLS_CIPHERS_H
#define _TLS_CIPHERS_H

#include "tls_types.h"

#define TLS_CC_NULL	0x01	/* no encryption (integrity only, or none) */
#define TLS_CC_EXPORT	0x02	/* export grade: 40- or 56-bit keys */
#define TLS_CC_ANON	0x04	/* no authentication of the server */
#define TLS_CC_RC4	0x08	/* RC4 (RFC 7465) */
#define TLS_CC_DES	0x10	/* DES, DES40 or 3DES (64-bit blocks: Sweet32) */
#define TLS_CC_ALL	0x1f

/*
 * The TLS_CC_* classes of cipher suite s; 0 for a suite in none (also
 * for unassigned numbers, which a ServerHello cannot rightly select).
 */
u8 tls_cipher_class(u16 s);

/* Suites a list may hold (about 350 are assigned) */
#define TLS_CIPHER_LIST_MAX	1024

/*
 * Apply the lines of buf/len to the sorted, duplicate-free list l[0..*n)
 * in place (l has room for TLS_CIPHER_LIST_MAX): "+S" adds suite S
 * (decimal, 0x hex, e.g. +0x000a; adding a present one does nothing),
 * "-S" removes it, "/" empties the list; blank lines and spaces, tabs,
 * '\r' around a line are ignored.  Returns 0, or -22 (EINVAL: a
 * malformed line) / -2 (ENOENT: removing an absent suite) / -28 (ENOSPC:
 * more than TLS_CIPHER_LIST_MAX suites) with *line the
 * 1-based number of that line; then l and *n may be half changed: apply
 * to a copy and keep it only on 0.
 */
int tls_cipher_list_apply(u16 *l, u32 *n, const char *buf, u32 len,
			  u32 *line);

#endif /* _TLS_CIPHERS_H */
