/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's private header, shared by its files (tls_parse.c,
 * heartbeat.c) and by the engine self-check of the tests (tests/tls_check.c):
 * parser states, record limits, the heartbeat checks.  Not part of the
 * public API: the glue includes tls_parse.h, tls_seq.h and, for its
 * inline fast path, tls_seg_fast.h.
 */
#ifndef _TLS_ENGINE_H
#define _TLS_ENGINE_H

#include "tls_parse.h"

/* The kernel's compiler attributes, for the userspace builds. */
#ifndef noinline
#define noinline	__attribute__((__noinline__))
#endif
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif

/* Parser states (struct tls_dir.state); invariants in tls_parse.c. */
enum tls_state {
	ST_REC = 0,	/* first header byte (zeroed flow starts here) */
	ST_REC_PROT,	/* same, first record after a plaintext CCS */
	ST_VMAJ,	/* TLS header: version major */
	ST_VMIN,	/* version minor */
	ST_LEN0,	/* length, high byte */
	ST_LEN1,	/* length, low byte */
	ST_BODY,	/* body bytes, scanned if encrypted */
	ST_CCS_BODY,	/* plaintext ChangeCipherSpec: the byte 1 */
	ST_HB_TYPE,	/* plaintext heartbeat: message type */
	ST_HB_PL0,	/* payload_length, high byte */
	ST_HB_PL1,	/* payload_length, low byte */
	ST_V2_HDR2_LEN1,	/* SSLv2 2-byte header, second byte */
	ST_V2_HDR3_LEN1,	/* SSLv2 3-byte header, second byte */
	ST_V2_HDR3_PAD,	/* SSLv2 3-byte header, padding length */
	ST_V2_MSG,	/* plaintext SSLv2 body: message type */
	ST_V2_B1,	/* body byte 1 (CLIENT-HELLO version hi, SID hit) */
	ST_V2_B2,	/* body byte 2 (CLIENT-HELLO version lo) */
	ST_DEAD,	/* violation; reason in scratch */
	ST_FIN,		/* this side's FIN passed: no stream byte follows (tls_seq.c) */
	ST_NSTATES
};

/* TLS ContentType (RFC 8446 B.1, RFC 6520) */
#define CT_CCS		20
#define CT_ALERT	21
#define CT_HANDSHAKE	22
#define CT_APPDATA	23
#define CT_HEARTBEAT	24

/* The largest record lengths accepted. */
#define TLS_MAX_PLAIN	16384		/* 2^14 */
#define TLS_MAX_CIPHER	(16384 + 2048)	/* TLS <= 1.2 protected record */
#define TLS_MAX_CIPHER13	(16384 + 256)	/* TLS 1.3 protected record */

/* RFC 6520 HeartbeatMessageType */
#define TLS_HB_REQUEST		1
#define TLS_HB_RESPONSE		2

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

#endif /* _TLS_ENGINE_H */
