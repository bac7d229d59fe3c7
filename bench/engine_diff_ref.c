// SPDX-License-Identifier: GPL-2.0
/*
 * The reference engine for bench/engine_diff.c: another version's
 * tls_parse.c (mk/bench.mk extracts it from git into a directory that comes
 * first on the include path) with its public symbols renamed ref_*, so that
 * both versions link into one program.  heartbeat.c is shared.
 */
#define tls_feed ref_tls_feed
#define tls_flow_init ref_tls_flow_init
#define tls_flow_stop ref_tls_flow_stop
#define tls_reason_name ref_tls_reason_name
#define tls_flow_version_name ref_tls_flow_version_name
#define tls_flow_check ref_tls_flow_check
#include <tls_parse.c>
