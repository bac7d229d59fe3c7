/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The low-byte run scanner (tls_lowrun.c), engine-private: tls_parse.c
 * decides which bytes are scanned and calls it.
 */
#ifndef _TLS_LOWRUN_H
#define _TLS_LOWRUN_H

#include "tls_types.h"

/*
 * Scan p[0..n) for a run of bytes < 0x80 reaching limit (>= 1); *runp is
 * the run of the bytes before p on entry and the run at the end of p (or at
 * the deciding byte) on return.  Returns the index of the byte at which the
 * run reaches limit, or n.  Same results as a bytewise walk.
 */
u32 tls_lowrun_scan(const u8 *p, u32 n, u32 *runp, u32 limit);

#endif /* _TLS_LOWRUN_H */
