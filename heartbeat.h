/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine-private declarations shared by tls_parse.c and heartbeat.c (and
 * the engine self-check used by the userspace tests).  Not part of the
 * public API: the glue includes tls_parse.h and tls_seq.h only.
 */
#ifndef _TLS_HEARTBEAT_H
#define _TLS_HEARTBEAT_H

#include "tls_parse.h"

/* RFC 6520 HeartbeatMessageType */
#define TLS_HB_REQUEST		1
#define TLS_HB_RESPONSE		2
/* type (1) + payload_length (2) + the minimum padding (16) */
#define TLS_HB_OVERHEAD		19

/*
 * At the content-type byte of a type-24 record sent by d (peer is the other
 * direction).  Applies the drop policy and the TLS 1.3 rule.
 */
enum tls_reason tls_hb_start(const struct tls_dir *d,
			     const struct tls_dir *peer,
			     const struct tls_policy *pol);

/*
 * At the last length byte of a heartbeat record of len bytes.  Plaintext:
 * only rejects records too short to hold type and payload_length.
 * Encrypted: pairs requests and responses by record length.
 */
enum tls_reason tls_hb_length(struct tls_dir *d, struct tls_dir *peer,
			      u16 len, const struct tls_policy *pol);

/* True if the body of d's current heartbeat record must be parsed. */
bool tls_hb_parse_body(const struct tls_dir *d, const struct tls_policy *pol);

/* Plaintext body byte 0: HeartbeatMessageType. */
enum tls_reason tls_hb_msg_type(u8 b);

/*
 * Plaintext body byte 2: payload_length pl of a message of type t is
 * complete; rest is the number of record body bytes after it.
 */
enum tls_reason tls_hb_payload(struct tls_dir *d, struct tls_dir *peer,
			       u8 t, u16 pl, u16 rest);

/*
 * Self-check for tests and fuzzers: 0 if every engine invariant holds for
 * f, else a small positive number naming the broken one.
 */
int tls_flow_check(const struct tls_flow *f);

#endif /* _TLS_HEARTBEAT_H */
