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

#endif /* _TLS_CIPHERS_H */
