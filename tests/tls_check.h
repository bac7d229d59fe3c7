/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine self-check for the tests and fuzzers (never in the module): built
 * only into the programs that call it.
 */
#ifndef _TLS_CHECK_H
#define _TLS_CHECK_H

#include "../tls_parse.h"

/*
 * 0 if every engine invariant holds for f, else a small positive number
 * naming the broken one.
 */
int tls_flow_check(const struct tls_flow *f);

#endif /* _TLS_CHECK_H */
