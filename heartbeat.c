// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 6520 heartbeat checks, called by tls_parse.c at fixed bytes of a
 * type-24 record.  The parser owns framing; this file only decides.
 *
 * Plaintext heartbeats are read: type, payload_length and the rule
 * payload_length + 3 + 16 <= record length (the Heartbleed check).  A
 * request is remembered (payload_length in hb_req, TLS_F_HB_PEND) and the
 * peer's response must echo the same payload_length.
 *
 * Encrypted heartbeats cannot be read, so they are paired by record length:
 * a heartbeat from d while the peer has a request pending is the answer to
 * it and may not be longer than that request's record (a response carries
 * the same payload and padding of the same minimum size; Heartbleed
 * answers a 32-byte request with 16 KB).  Otherwise it is a request.
 *
 * Known limit: hb_req holds a payload_length for a plaintext request and a
 * record length for an encrypted one; a request sent in plaintext and
 * answered after the peer's ChangeCipherSpec would be judged by the
 * encrypted rule against the payload_length and look like a leak.  No
 * implementation sends heartbeats during the handshake.
 */
#include "tls_engine.h"

enum tls_reason tls_hb_start(const struct tls_dir *d,
			     const struct tls_dir *peer,
			     const struct tls_policy *pol)
{
	if (pol->heartbeat == TLS_HB_DROP)
		return TLS_R_HB_FORBIDDEN;
	if (pol->heartbeat != TLS_HB_VALIDATE)
		return TLS_OK;
	/* TLS 1.3 has no heartbeat extension: either side known 1.3 is enough */
	if ((d->flags | peer->flags) & TLS_F_TLS13)
		return TLS_R_HB_TLS13;
	return TLS_OK;
}

bool tls_hb_parse_body(const struct tls_dir *d, const struct tls_policy *pol)
{
	return pol->heartbeat == TLS_HB_VALIDATE &&
	       !(d->flags & TLS_F_ENCRYPTED);
}

enum tls_reason tls_hb_length(struct tls_dir *d, struct tls_dir *peer,
			      u16 len, const struct tls_policy *pol)
{
	if (pol->heartbeat != TLS_HB_VALIDATE)
		return TLS_OK;
	if (!(d->flags & TLS_F_ENCRYPTED)) {
		/*
		 * Too short to hold type and payload_length: decided here, at
		 * the last length byte, as no later byte could fix it.
		 */
		return len < 3 ? TLS_R_HB_LENGTH : TLS_OK;
	}
	if (peer->flags & TLS_F_HB_PEND) {
		bool leak = len > peer->hb_req;

		peer->flags &= ~TLS_F_HB_PEND;
		peer->hb_req = 0;	/* tls_seq.c reads it while not pending */
		return leak ? TLS_R_HB_LEAK : TLS_OK;
	}
	if (d->flags & TLS_F_HB_PEND)
		return TLS_R_HB_INFLIGHT;
	d->hb_req = len;
	d->flags |= TLS_F_HB_PEND;
	return TLS_OK;
}

enum tls_reason tls_hb_msg_type(u8 b)
{
	return b == TLS_HB_REQUEST || b == TLS_HB_RESPONSE ? TLS_OK :
	       TLS_R_HB_TYPE;
}

enum tls_reason tls_hb_payload(struct tls_dir *d, struct tls_dir *peer,
			       u8 t, u16 pl, u16 rest)
{
	/* rest = record length - 3, so this is pl + 3 + 16 > length */
	if ((u32)pl + 16 > rest)
		return TLS_R_HB_LENGTH;
	if (t == TLS_HB_REQUEST) {
		if (d->flags & TLS_F_HB_PEND)
			return TLS_R_HB_INFLIGHT;
		d->hb_req = pl;
		d->flags |= TLS_F_HB_PEND;
		return TLS_OK;
	}
	if (!(peer->flags & TLS_F_HB_PEND) || peer->hb_req != pl)
		return TLS_R_HB_UNSOLICITED;
	peer->flags &= ~TLS_F_HB_PEND;
	peer->hb_req = 0;
	return TLS_OK;
}
