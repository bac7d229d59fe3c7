// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake message layer (tls_handshake.h): a push parser of the
 * plaintext handshake messages of each direction.
 *
 * Invariants, as in tls_parse.c (hold between any two calls):
 *
 *  - A direction's messages are parsed from its body bytes of plaintext
 *    type-22 records only, in stream order: the state does not depend on
 *    where records or calls cut the stream.  Every rule is decided at one
 *    fixed byte: a message's type byte (direction, known type), its last
 *    length byte (length bounds), its last byte (message end), or a
 *    record's content-type byte (interleaving, early server).
 *  - hs.state is HS_TYPE at a message boundary, HS_LEN0..HS_LEN2 inside
 *    the 3-byte length (left holds the length so far), HS_BODY inside a
 *    body (left > 0 body bytes to come).
 *  - The layer is on for a flow iff TLS_HS_ON is set and TLS_HS_STOP is
 *    not.  TLS_HS_ON is set only at the flow's first record, and only
 *    while the policy asks for it: a layer started mid-stream would read
 *    the middle of a message as its start.  A policy switched to 0 later
 *    sets TLS_HS_STOP for good (tls_feed()), for the same reason.
 *  - Only bits are added to hs_flags; no loop runs more than once per
 *    input byte.
 */
#include "tls_engine.h"
#include "tls_handshake.h"

#define CT_CCS		20
#define CT_HANDSHAKE	22

/* HandshakeType (RFC 8446 4, RFC 5246 7.4, RFC 6066, RFC 8879) */
#define HT_HELLO_REQUEST	0
#define HT_CLIENT_HELLO		1
#define HT_SERVER_HELLO		2
#define HT_NEW_SESSION_TICKET	4
#define HT_END_OF_EARLY_DATA	5
#define HT_ENCRYPTED_EXTENSIONS	8
#define HT_CERTIFICATE		11
#define HT_SERVER_KEY_EXCHANGE	12
#define HT_CERTIFICATE_REQUEST	13
#define HT_SERVER_HELLO_DONE	14
#define HT_CERTIFICATE_VERIFY	15
#define HT_CLIENT_KEY_EXCHANGE	16
#define HT_FINISHED		20
#define HT_CERTIFICATE_URL	21
#define HT_CERTIFICATE_STATUS	22
#define HT_SUPPLEMENTAL_DATA	23
#define HT_KEY_UPDATE		24
#define HT_COMPRESSED_CERT	25
#define HT_NEXT_PROTOCOL	67	/* NPN, draft-agl-tls-nextprotoneg */

#define B(t)	(1u << (t))
/* types below 32 only a client sends, only a server, and both */
#define HT_CLIENT_ONLY	(B(HT_CLIENT_HELLO) | B(HT_END_OF_EARLY_DATA) | \
			 B(HT_CLIENT_KEY_EXCHANGE) | B(HT_CERTIFICATE_URL))
#define HT_SERVER_ONLY	(B(HT_HELLO_REQUEST) | B(HT_SERVER_HELLO) | \
			 B(HT_NEW_SESSION_TICKET) | \
			 B(HT_ENCRYPTED_EXTENSIONS) | \
			 B(HT_SERVER_KEY_EXCHANGE) | \
			 B(HT_CERTIFICATE_REQUEST) | \
			 B(HT_SERVER_HELLO_DONE) | B(HT_CERTIFICATE_STATUS))
#define HT_BOTH		(B(HT_CERTIFICATE) | B(HT_CERTIFICATE_VERIFY) | \
			 B(HT_FINISHED) | B(HT_SUPPLEMENTAL_DATA) | \
			 B(HT_KEY_UPDATE) | B(HT_COMPRESSED_CERT))
/* messages whose body is empty */
#define HT_EMPTY	(B(HT_HELLO_REQUEST) | B(HT_END_OF_EARLY_DATA) | \
			 B(HT_SERVER_HELLO_DONE))

/*
 * The smallest hellos: legacy_version, random, session_id length, then
 * one cipher suite and one compression method (ClientHello: their list
 * lengths too).
 */
#define CH_MIN	(2 + 32 + 1 + 2 + 2 + 1 + 1)
#define SH_MIN	(2 + 32 + 1 + 2 + 1)

enum hs_state {
	HS_TYPE = 0,	/* message type (a zeroed state starts here) */
	HS_LEN0,	/* length, bits 23..16 */
	HS_LEN1,	/* bits 15..8 */
	HS_LEN2,	/* bits 7..0 */
	HS_BODY,	/* body bytes */
};

bool tls_hs_get_facts(const struct tls_flow *f, struct tls_hs_facts *out)
{
	if ((f->hs_flags & (TLS_HS_ON | TLS_HS_STOP)) != TLS_HS_ON)
		return false;
	out->offered = f->hs_offered;
	out->selected = f->hs_selected;
	out->cipher = f->hs_cipher;
	out->facts = f->hs_facts;
	out->client_hello = f->hs_flags & TLS_HS_CH_DONE;
	out->server_hello = f->hs_flags & TLS_HS_SH_DONE;
	return true;
}

/*
 * The client's ClientHello is complete: as a handshake message, or as
 * the whole first record of an SSLv2-format hello (the client may send
 * nothing else before the server answers, TLS_R_SSLV2_EARLY).
 */
static bool client_hello_done(const struct tls_flow *f)
{
	const struct tls_dir *c = &f->dir[TLS_DIR_CLIENT];

	if (f->hs_flags & TLS_HS_CH_DONE)
		return true;
	return (c->flags & (TLS_F_SSLV2 | TLS_F_HDR_SEEN)) ==
	       (TLS_F_SSLV2 | TLS_F_HDR_SEEN) && c->state == ST_REC;
}

enum tls_reason tls_hs_rec_start(struct tls_flow *f, unsigned int dir,
				 u8 b, bool first, bool v2,
				 const struct tls_policy *pol)
{
	const struct tls_dir *peer = &f->dir[dir ^ 1];

	/* the flow's first record: from here every message is seen whole */
	if (first && !(peer->flags & TLS_F_HDR_SEEN) && pol->handshake &&
	    !f->hs_flags)
		f->hs_flags = TLS_HS_ON;
	if ((f->hs_flags & (TLS_HS_ON | TLS_HS_STOP)) != TLS_HS_ON)
		return TLS_OK;
	/*
	 * A TLS server speaks only in answer to a whole ClientHello.  A
	 * server record before it is not TLS (a server-first protocol on a
	 * TLS port) or an attempt to be read before the client's rules.
	 */
	if (dir == TLS_DIR_SERVER) {
		if (!client_hello_done(f))
			return TLS_R_EARLY_SERVER;
		/* sticky: an SSLv2-format client switches to TLS framing */
		f->hs_flags |= TLS_HS_CH_DONE;
	}
	/*
	 * A message cut by another record: RFC 8446 5.1 forbids handshake
	 * messages to be interleaved with other record types, and one that
	 * spans a ChangeCipherSpec (a key change) too.
	 */
	if (!v2 && b != CT_HANDSHAKE && f->hs[dir].state != HS_TYPE)
		return TLS_R_HS_INTERLEAVE;
	return TLS_OK;
}

/* Type byte of a message of dir. */
static enum tls_reason hs_type(struct tls_flow *f, unsigned int dir, u8 t)
{
	u32 mine, theirs;

	if (t == HT_NEXT_PROTOCOL) {
		if (dir != TLS_DIR_CLIENT)
			return TLS_R_HS_DIRECTION;
	} else {
		if (t >= 32 || !((HT_CLIENT_ONLY | HT_SERVER_ONLY | HT_BOTH) &
				 B(t)))
			return TLS_R_HS_MALFORMED;
		mine = dir == TLS_DIR_CLIENT ? HT_CLIENT_ONLY : HT_SERVER_ONLY;
		theirs = dir == TLS_DIR_CLIENT ? HT_SERVER_ONLY :
			 HT_CLIENT_ONLY;
		if (theirs & B(t) && !(mine & B(t)))
			return TLS_R_HS_DIRECTION;
	}
	f->hs[dir].type = t;
	f->hs[dir].left = 0;
	f->hs[dir].off = 0;
	f->hs[dir].state = HS_LEN0;
	return TLS_OK;
}

/* The message of dir is complete (its last byte was read). */
static void hs_msg_end(struct tls_flow *f, unsigned int dir)
{
	struct tls_hs_dir *h = &f->hs[dir];

	if (h->type == HT_CLIENT_HELLO)
		f->hs_flags |= TLS_HS_CH_DONE;
	h->state = HS_TYPE;
}

/* Last length byte: the whole length is in h->left. */
static enum tls_reason hs_len_done(struct tls_flow *f, unsigned int dir)
{
	struct tls_hs_dir *h = &f->hs[dir];
	u32 len = h->left;

	if (h->type < 32 && (HT_EMPTY & B(h->type)) && len)
		return TLS_R_HS_MALFORMED;
	if (h->type == HT_CLIENT_HELLO && (len < CH_MIN || len > TLS_HS_CH_MAX))
		return TLS_R_HS_MALFORMED;
	if (h->type == HT_SERVER_HELLO && len < SH_MIN)
		return TLS_R_HS_MALFORMED;
	if (!len) {
		hs_msg_end(f, dir);
		return TLS_OK;
	}
	h->state = HS_BODY;
	return TLS_OK;
}

enum tls_reason tls_hs_body(struct tls_flow *f, unsigned int dir,
			    const u8 *p, u32 n, u32 *at)
{
	struct tls_hs_dir *h = &f->hs[dir];
	enum tls_reason r;
	u32 i = 0, k;

	while (i < n) {
		switch (h->state) {
		case HS_TYPE:
			r = hs_type(f, dir, p[i]);
			if (r)
				goto fail;
			i++;
			continue;
		case HS_LEN0:
		case HS_LEN1:
			h->left = h->left << 8 | p[i++];
			h->state++;
			continue;
		case HS_LEN2:
			h->left = h->left << 8 | p[i];
			r = hs_len_done(f, dir);
			if (r)
				goto fail;
			i++;
			continue;
		default:
			break;
		}
		/* HS_BODY */
		k = n - i;
		if (k > h->left)
			k = h->left;
		i += k;
		h->left -= k;
		h->off = h->off + k > 0xffff ? 0xffff : h->off + k;
		if (!h->left)
			hs_msg_end(f, dir);
	}
	return TLS_OK;
fail:
	*at = i;
	return r;
}
