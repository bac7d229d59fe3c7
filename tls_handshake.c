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
 *
 * The order rules, across both directions (RFC 5246 7.3, 7.4; RFC 5077
 * 3.1; RFC 8446 2, 4.1.4, 4.2.10, D.4).  Each is decided at one byte and
 * reads only what the helper has seen of the peer so far: a side cannot
 * answer what the router has not yet forwarded.  "Seen" is about whole
 * messages or records where noted.  Alerts and heartbeats (heartbeat.c
 * has their rules) are never ordered, only kept out of a handshake
 * message (hs_interleave) and from a server before the ClientHello
 * (early_server, E1, E2).  The reason is hs_order
 * unless noted; t = the message type byte, r = the record content-type
 * byte, of the side named.
 *
 *  E1 (early_server, r) A server record before the client's ClientHello
 *     is complete (an SSLv2-format hello: its first record), except:
 *  E2 (r) a server that has sent nothing, to a client that has sent
 *     nothing (not one record byte), may send an alert record; from then
 *     on that side sends only alert records of length 2 (early_server
 *     otherwise, at r or at the last length byte), also after a later
 *     ClientHello.  Only they may have the record version 0x0000
 *     (record_version otherwise, at the version byte that differs).
 *  Before the ServerHello is complete:
 *  C1 (r) No client CCS or application data before the end of its
 *     first ClientHello (inside it: hs_interleave).
 *  C2 (t) The client's first message is a ClientHello; until the
 *     ServerHello it sends no other but, after a whole
 *     HelloRetryRequest, one more ClientHello.
 *  C3 (r) A client CCS only if the ClientHello offered TLS 1.3 (the
 *     compatibility CCS, before or after the HelloRetryRequest).
 *  C4 (r) Client application data (0-RTT) only if the ClientHello offered
 *     TLS 1.3 with the early_data extension.  Early data sent before a
 *     HelloRetryRequest may still be in flight after it: not ordered.
 *  S1 (t) The server's first message is a ServerHello (or a
 *     HelloRetryRequest); after a HelloRetryRequest it sends no message
 *     until the second ClientHello is complete.
 *  S2 (r) A server CCS only after a whole HelloRetryRequest (its
 *     compatibility CCS); no server application data.
 *  After the ServerHello, TLS 1.3 (or a draft) selected:
 *  T1 (t) No plaintext handshake message from either side, but the
 *     second ClientHello after a HelloRetryRequest; none in a type-22
 *     record after the side's CCS (r).  Everything else (EncryptedExtensions,
 *     Finished, NewSessionTicket, KeyUpdate, EndOfEarlyData) is encrypted:
 *     its order is not seen.
 *  After the ServerHello, TLS <= 1.2 selected (renegotiation, after the
 *  CCS, is encrypted and not seen):
 *  F1 (t) Each side's plaintext messages in the order of rank(), each
 *     at most once: server Certificate, CertificateStatus,
 *     ServerKeyExchange, CertificateRequest, ServerHelloDone,
 *     NewSessionTicket; client SupplementalData, Certificate (or
 *     CertificateURL), ClientKeyExchange, CertificateVerify.
 *  F2 (t) Any client message only after the server's ServerHelloDone
 *     (full handshake); a client Certificate only after a
 *     CertificateRequest; a CertificateVerify only after a client
 *     Certificate.
 *  F3 (t) A server NewSessionTicket after a ServerHelloDone only once the
 *     client's Finished (the record after its CCS) is whole; without a
 *     ServerHelloDone it is the abbreviated handshake's, right after the
 *     ServerHello.
 *  F4 (r) The client's CCS: in a full handshake (ServerHelloDone seen)
 *     after its Certificate if one was requested (TLS 1.0 and up; SSL
 *     3.0 sends an alert instead), its ClientKeyExchange is not required
 *     (client_ccs_ok()); otherwise (abbreviated) only once the server's
 *     CCS and Finished are whole.
 *  F5 (r) The server's CCS: in a full handshake only once the client's
 *     CCS and Finished are whole; otherwise right after the ServerHello or
 *     its NewSessionTicket (abbreviated), not after a partial flight.
 *  F6 (r) No application data from a side before its CCS.  After it,
 *     application data is free: False Start (client data after its
 *     Finished, before the server's) is legitimate.
 * "Whole Finished": the side began a record after its CCS and is not
 * inside a protected handshake record, which may be the Finished or hold
 * its rest (finished_seen()); a FIN after it counts too.
 */
#include "tls_engine.h"
#include "tls_handshake.h"
#include "tls_names.h"

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
/* a ServerHello is bounded like a ClientHello (an HRR cookie is small) */
#define SH_MIN	(2 + 32 + 1 + 2 + 1)

/* RFC 8446 4.1.3: the random of a HelloRetryRequest */
static const u8 hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* and its downgrade sentinel: the last 8 bytes of ServerHello.random */
static const u8 downgrade_sentinel[7] = {
	0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44,	/* "DOWNGRD" */
};	/* then 0x01 (TLS 1.2 selected) or 0x00 (older) */

/* Extensions read (RFC 6066, 7301, 8446; draft-ietf-tls-esni) */
#define EXT_SERVER_NAME		0x0000
#define EXT_ALPN		0x0010
#define EXT_EARLY_DATA		0x002a
#define EXT_SUPPORTED_VERSIONS	0x002b
#define EXT_ECH			0xfe0d
#define SCSV_FALLBACK		0x5600

/* struct tls_flow.hs_sub, for the hello being parsed */
#define SUB_HRR		0x01	/* the random matches the HRR one so far */
#define SUB_DG		0x02	/* its last 8 bytes match the sentinel so far */
#define SUB_SV		0x04	/* a supported_versions extension was read */
#define SUB_IP		0x08	/* the host_name so far is digits and dots */
#define SUB_COLON	0x10	/* the host_name holds a ':' */
/* kept across hellos (hs_type()): the first ClientHello had early_data */
#define SUB_EARLY	0x20
#define SUB_NAME	0x40	/* this hello had a host_name */

/*
 * struct tls_flow.hello.spare, TLS <= 1.2 once the ServerHello is complete
 * (no hello is parsed after it): what the flights held so far
 */
#define FL_SHD		0x01	/* the server's ServerHelloDone */
#define FL_CR		0x02	/* the server's CertificateRequest */
#define FL_CCERT	0x04	/* the client's Certificate (or URL) */

/* ranks of rank() that the order rules name */
#define RANK_CERT	2	/* client Certificate, CertificateURL */
#define RANK_CV		4
#define RANK_CR		5
#define RANK_SHD	6
#define RANK_NST	7

/* struct tls_hello.field: the field of a hello at the next byte */
enum hello_field {
	F_VER0 = 0, F_VER1, F_RANDOM, F_SIDLEN, F_SID,
	F_CSLEN0, F_CSLEN1, F_CS0, F_CS1,	/* ClientHello: the suites */
	F_COMPLEN, F_COMP,
	F_SCS0, F_SCS1, F_SCOMP,		/* ServerHello: its suite */
	F_EXTLEN0, F_EXTLEN1,
	F_ETYPE0, F_ETYPE1, F_ELEN0, F_ELEN1,
	F_EDATA,			/* extension bytes skipped */
	F_SVLEN, F_SV0, F_SV1,		/* ClientHello supported_versions */
	F_SSV0, F_SSV1,			/* ServerHello supported_versions */
	F_SNILEN0, F_SNILEN1, F_SNITYPE, F_SNINLEN0, F_SNINLEN1, F_SNINAME,
	F_SNIOLEN0, F_SNIOLEN1, F_SNIOTHER,	/* an entry not a host_name */
};

enum hs_state {
	HS_TYPE = 0,	/* message type (a zeroed state starts here) */
	HS_LEN0,	/* length, bits 23..16 */
	HS_LEN1,	/* bits 15..8 */
	HS_LEN2,	/* bits 7..0 */
	HS_BODY,	/* body bytes */
	HS_ALERTS = TLS_HS_ALERTS,	/* server: alerts only (E2) */
};

bool tls_hs_get_facts(const struct tls_flow *f, struct tls_hs_facts *out)
{
	if (!tls_hs_on(f))
		return false;
	out->offered = f->hs_offered;
	out->selected = f->hs_selected;
	out->cipher = f->hs_cipher;
	out->facts = f->hs_facts;
	out->client_hello = f->hs_flags & TLS_HS_CH_DONE;
	out->server_hello = f->hs_flags & TLS_HS_SH_DONE;
	return true;
}

void tls_hs_reset(struct tls_flow *f)
{
	f->hs_flags = 0;
	f->hs_offered = 0;
	f->hs_selected = 0;
	__builtin_memset(f->hs, 0, sizeof(f->hs));
	f->hs_cipher = 0;
	f->hs_facts = 0;
	f->hs_sub = 0;
	__builtin_memset(&f->hello, 0, sizeof(f->hello));
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

/*
 * dir sent its CCS and the record after it, its Finished (TLS <= 1.2), is
 * whole: a later record of another type began (appdata_run() keeps
 * rec_type too), or the side is at a record boundary.  Or it sent its
 * FIN (ST_FIN): clients half-close right after their Finished (nDPI's
 * anydesk.pcapng, reddit.pcap); a FIN that cut the Finished leaves no
 * byte to hide, and the server could not verify it.
 */
static bool finished_seen(const struct tls_flow *f, unsigned int dir)
{
	const struct tls_dir *d = &f->dir[dir];

	if (!(d->flags & TLS_F_ENCRYPTED) || d->state == ST_REC_PROT ||
	    d->rec_type == CT_CCS)
		return false;
	return d->rec_type != CT_HANDSHAKE || d->state == ST_REC ||
	       d->state == ST_FIN;
}

/*
 * The client's CCS, TLS <= 1.2 (F4): after its flight in a full
 * handshake, after the server's Finished in an abbreviated one.
 */
static bool client_ccs_ok(const struct tls_flow *f)
{
	u8 fl = f->hello.spare;

	if (!(fl & FL_SHD))
		return finished_seen(f, TLS_DIR_SERVER);
	/*
	 * A CCS without a ClientKeyExchange is not ordered: the server
	 * fails it (no premaster secret) and what follows is scanned as
	 * ciphertext (the crafted captures of tests/data have none).
	 */
	return !(fl & FL_CR) || (fl & FL_CCERT) ||
	       f->hs_selected == TLS_V_SSL3;
}

/* The server's CCS, TLS <= 1.2 (F5). */
static bool server_ccs_ok(const struct tls_flow *f)
{
	u8 mine = f->hello.cnt & 0xff;

	if (f->hello.spare & FL_SHD)
		return finished_seen(f, TLS_DIR_CLIENT);
	return !mine || mine == RANK_NST;
}

/*
 * Order at the content-type byte b of a TLS-framed record of dir, once
 * the client's hello is complete for the server (E1): C1, C3, C4, S2,
 * F4-F6.  Handshake records are ordered at their messages' type bytes.
 */
static enum tls_reason rec_order(const struct tls_flow *f, unsigned int dir,
				 u8 b)
{
	const struct tls_dir *d = &f->dir[dir];
	bool enc = d->flags & TLS_F_ENCRYPTED;
	u8 fl = f->hs_flags;

	/* heartbeats have their own rules (heartbeat.c) */
	if (b == CT_ALERT || b == CT_HANDSHAKE || b == CT_HEARTBEAT)
		return TLS_OK;
	if (!(fl & TLS_HS_SH_DONE)) {
		if (dir == TLS_DIR_SERVER)	/* S2 */
			return b == CT_CCS && !enc && (fl & TLS_HS_HRR) ?
			       TLS_OK : TLS_R_HS_ORDER;
		/* a CCS or application data (C1, C3, C4) */
		if (!(fl & TLS_HS_CH_DONE) || !(f->hs_offered & TLS_V_TLS13))
			return TLS_R_HS_ORDER;
		return b == CT_APPDATA && !(f->hs_sub & SUB_EARLY) ?
		       TLS_R_HS_ORDER : TLS_OK;
	}
	if (f->hs_selected == TLS_V_TLS13 || enc)
		return TLS_OK;
	if (b == CT_APPDATA)
		return TLS_R_HS_ORDER;		/* F6 */
	if (b != CT_CCS)
		return TLS_OK;
	if (dir == TLS_DIR_CLIENT)
		return client_ccs_ok(f) ? TLS_OK : TLS_R_HS_ORDER;
	return server_ccs_ok(f) ? TLS_OK : TLS_R_HS_ORDER;
}

enum tls_reason tls_hs_rec_start(struct tls_flow *f, unsigned int dir,
				 u8 b, bool first, bool v2,
				 const struct tls_policy *pol)
{
	const struct tls_dir *peer = &f->dir[dir ^ 1];
	struct tls_hs_dir *h = &f->hs[dir];

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
	 * But servers close idle connections, before the client sent a
	 * byte, with an alert (E2): then alerts are all that side may send.
	 */
	if (dir == TLS_DIR_SERVER) {
		if (h->state == HS_ALERTS) {
			h->acc = 0;	/* no version 0x0000 seen (yet) */
			return !v2 && b == CT_ALERT ? TLS_OK :
			       TLS_R_EARLY_SERVER;
		}
		if (!client_hello_done(f)) {
			if (!first || v2 || b != CT_ALERT ||
			    (peer->flags & TLS_F_HDR_SEEN))
				return TLS_R_EARLY_SERVER;
			h->state = HS_ALERTS;
			h->acc = 0;
			return TLS_OK;
		}
		/* sticky: an SSLv2-format client switches to TLS framing */
		f->hs_flags |= TLS_HS_CH_DONE;
	}
	/*
	 * A message cut by another record: RFC 8446 5.1 forbids handshake
	 * messages to be interleaved with other record types, and one that
	 * spans a ChangeCipherSpec (a key change) too.
	 */
	if (!v2 && b != CT_HANDSHAKE && h->state != HS_TYPE)
		return TLS_R_HS_INTERLEAVE;
	if (v2)
		return TLS_OK;
	/*
	 * Once TLS 1.3 is selected (or a HelloRetryRequest says it will be)
	 * every handshake record after a side's CCS is protected as type
	 * 23: a type-22 record there is a plaintext message after the key
	 * change.  The hellos after a
	 * HelloRetryRequest are the exception (tls_hs_parsed()).
	 */
	if (b == CT_HANDSHAKE && (f->dir[dir].flags & TLS_F_ENCRYPTED) &&
	    (f->hs_selected == TLS_V_TLS13 || (f->hs_flags & TLS_HS_HRR)) &&
	    !tls_hs_parsed_hrr(f, dir))
		return TLS_R_HS_ORDER;
	return rec_order(f, dir, b);
}

/*
 * A version as a TLS_V_* bit; the TLS 1.3 drafts (0x7fNN, Google's
 * experiments 0x7eNN, Facebook's 0xfbNN) count as TLS 1.3: their later
 * hellos have the final format.
 */
static u8 version_bit(u16 v)
{
	if ((v >> 8) == 0x7f || (v >> 8) == 0x7e || (v >> 8) == 0xfb)
		return TLS_V_TLS13;
	if (v < 0x0300 || v > 0x0304)
		return 0;	/* SSLv2, GREASE: not a version here */
	return 1u << (v - 0x0300);
}

/*
 * The plaintext messages after the ServerHello, TLS <= 1.2 (RFC 5246
 * 7.3, RFC 4680, RFC 6066 8, RFC 5077 3.3): the rank of each in its
 * side's flight, 0 for a message that has no place there.  Ranks only
 * grow (F1).  In TLS 1.3 everything after the ServerHello is encrypted.
 */

static u8 rank(unsigned int dir, u8 t)
{
	if (dir == TLS_DIR_SERVER) {
		switch (t) {
		case HT_SUPPLEMENTAL_DATA:	return 1;
		case HT_CERTIFICATE:		return 2;
		case HT_CERTIFICATE_STATUS:	return 3;
		case HT_SERVER_KEY_EXCHANGE:	return 4;
		case HT_CERTIFICATE_REQUEST:	return RANK_CR;
		case HT_SERVER_HELLO_DONE:	return RANK_SHD;
		case HT_NEW_SESSION_TICKET:	return RANK_NST;
		default:			return 0;
		}
	}
	switch (t) {
	case HT_SUPPLEMENTAL_DATA:	return 1;
	case HT_CERTIFICATE:
	case HT_CERTIFICATE_URL:	return RANK_CERT;
	case HT_CLIENT_KEY_EXCHANGE:	return 3;
	case HT_CERTIFICATE_VERIFY:	return RANK_CV;
	case HT_NEXT_PROTOCOL:		return 5;
	default:			return 0;
	}
}

/*
 * The cross-direction part of F2 and F3 for a message of rank r of dir;
 * notes what the later rules need in hello.spare.
 */
static bool flight_answers(struct tls_flow *f, unsigned int dir, u8 r)
{
	u8 *fl = &f->hello.spare;

	if (dir == TLS_DIR_SERVER) {
		if (r == RANK_SHD)
			*fl |= FL_SHD;
		else if (r == RANK_CR)
			*fl |= FL_CR;
		else if (r == RANK_NST && (*fl & FL_SHD))
			return finished_seen(f, TLS_DIR_CLIENT);
		return true;
	}
	if (!(*fl & FL_SHD))
		return false;
	if (r == RANK_CERT) {
		*fl |= FL_CCERT;
		return *fl & FL_CR;
	}
	return r != RANK_CV || (*fl & FL_CCERT);
}

/*
 * The ranks so far live in the hello area, free once the ServerHello is
 * complete (a second hello follows only a HelloRetryRequest, TLS 1.3):
 * hello.cnt, low byte the server's, high byte the client's.
 */
static enum tls_reason flight_order(struct tls_flow *f, unsigned int dir,
				    u8 t)
{
	u16 ranks = f->hello.cnt;
	u8 mine = dir == TLS_DIR_SERVER ? ranks & 0xff : ranks >> 8;
	u8 r = rank(dir, t);

	if (f->hs_selected == TLS_V_TLS13 || !r || r <= mine ||
	    !flight_answers(f, dir, r))
		return TLS_R_HS_ORDER;
	f->hello.cnt = dir == TLS_DIR_SERVER ? (ranks & 0xff00) | r :
		       (ranks & 0xff) | (u16)r << 8;
	return TLS_OK;
}

/*
 * Order at a message's type byte t of dir (C2, S1, T1, F1-F3): the
 * client starts with a ClientHello and sends a second one only after a
 * HelloRetryRequest; the server starts with a ServerHello and waits for
 * that second ClientHello.  Until the ServerHello the client sends no
 * other plaintext message.  Renegotiation is encrypted: a plaintext
 * hello after the handshake is not one.
 */
static enum tls_reason hs_order(struct tls_flow *f, unsigned int dir, u8 t)
{
	u8 fl = f->hs_flags;

	if (dir == TLS_DIR_CLIENT) {
		if (t == HT_CLIENT_HELLO) {
			if (!(fl & TLS_HS_CH_DONE))
				return TLS_OK;	/* the first one */
			if ((fl & (TLS_HS_HRR | TLS_HS_CH2)) != TLS_HS_HRR)
				return TLS_R_HS_ORDER;
			f->hs_flags |= TLS_HS_CH2;
			return TLS_OK;
		}
		if (!(fl & TLS_HS_SH_DONE))
			return TLS_R_HS_ORDER;
		return flight_order(f, dir, t);
	}
	/* after a HelloRetryRequest the server waits for the new hello */
	if ((fl & TLS_HS_HRR) && !(fl & TLS_HS_CH2_DONE))
		return TLS_R_HS_ORDER;
	if (t == HT_SERVER_HELLO)
		return fl & TLS_HS_SH_DONE ? TLS_R_HS_ORDER : TLS_OK;
	if (!(fl & TLS_HS_SH_DONE))
		return TLS_R_HS_ORDER;
	return flight_order(f, dir, t);
}

/*
 * The server-name lists' matcher state of the name being read: the
 * server's message layer is idle while a ClientHello is parsed (it may
 * send alerts only before the first, nothing but a CCS before the
 * second: early_server, hs_order), so its length word carries it.  Once
 * the name is read the word holds the entry that decided it
 * (tls_hs_name_entry()), and hello.spare the verdict so far.
 */
static u32 *name_word(struct tls_flow *f)
{
	return &f->hs[TLS_DIR_SERVER].left;
}

u32 tls_hs_name_entry(const struct tls_flow *f)
{
	u32 e = f->hs[TLS_DIR_SERVER].left;

	return tls_hs_on(f) && (e & TLS_HS_NAME_ENTRY) ? e : 0;
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
	if (hs_order(f, dir, t))
		return TLS_R_HS_ORDER;
	f->hs[dir].type = t;
	f->hs[dir].left = 0;
	f->hs[dir].acc = 0;
	f->hs[dir].state = HS_LEN0;
	if (t == HT_CLIENT_HELLO || t == HT_SERVER_HELLO) {
		__builtin_memset(&f->hello, 0, sizeof(f->hello));
		f->hs_sub = SUB_HRR | SUB_DG | (f->hs_sub & SUB_EARLY);
	}
	/*
	 * The facts, and the rules on them, are those of each ClientHello
	 * on its own: a second one (after a HelloRetryRequest) is judged
	 * for what it says, not for what the first said.
	 */
	if (t == HT_CLIENT_HELLO) {
		f->hs_facts = 0;
		*name_word(f) = 0;
	}
	return TLS_OK;
}

/* A hello is parsed field by field: its type is a hello one. */
static bool is_hello(const struct tls_hs_dir *h)
{
	return h->type == HT_CLIENT_HELLO || h->type == HT_SERVER_HELLO;
}

/*
 * The hello of dir ended (its last byte was read): the fields must have
 * ended with it, then the version and downgrade rules of the ServerHello.
 */
static enum tls_reason hello_end(struct tls_flow *f, unsigned int dir)
{
	struct tls_hello *p = &f->hello;
	bool hrr = f->hs_sub & SUB_HRR;
	u8 off13 = f->hs_offered & TLS_V_TLS13;
	bool is13;

	/* no extension block, or between two extensions */
	if (p->field != F_EXTLEN0 && p->field != F_ETYPE0)
		return TLS_R_HS_MALFORMED;
	if (dir == TLS_DIR_CLIENT) {
		if (f->hs_flags & TLS_HS_CH2)
			f->hs_flags |= TLS_HS_CH2_DONE;
		return TLS_OK;
	}
	if (hrr) {
		/* RFC 8446 4.1.4: at most one HelloRetryRequest */
		if (f->hs_flags & TLS_HS_HRR)
			return TLS_R_DOWNGRADE;
		if (!(f->hs_sub & SUB_SV) || version_bit(p->cnt) != TLS_V_TLS13 ||
		    (f->hs_offered && !off13))
			return TLS_R_VERSION_MISMATCH;
		f->hs_flags |= TLS_HS_HRR;
		return TLS_OK;
	}
	/* p->cnt holds the selected version (F_VER1, F_SSV1) */
	f->hs_selected = version_bit(p->cnt);
	if (p->cnt > 0x0304)
		f->hs_flags |= TLS_HS_DRAFT;
	p->cnt = 0;	/* from now on the flights' ranks (flight_order()) */
	f->hs_flags |= TLS_HS_SH_DONE;
	if (!f->hs_selected || (f->hs_offered &&
				!(f->hs_selected & f->hs_offered)))
		return TLS_R_VERSION_MISMATCH;
	/* the selected version is 1.3 only through supported_versions */
	is13 = f->hs_selected == TLS_V_TLS13;
	if (is13 != !!(f->hs_sub & SUB_SV))
		return TLS_R_VERSION_MISMATCH;
	if (off13 && f->hs_selected != TLS_V_TLS13 && (f->hs_sub & SUB_DG))
		return TLS_R_DOWNGRADE;
	return TLS_OK;
}

/* The body of an extension of type p->etype begins (p->elen bytes). */
static enum tls_reason ext_begin(struct tls_flow *f, unsigned int dir)
{
	struct tls_hello *p = &f->hello;

	p->field = F_EDATA;
	if (dir == TLS_DIR_CLIENT) {
		switch (p->etype) {
		case EXT_SERVER_NAME:
			f->hs_facts |= TLS_HF_SNI;
			/* an empty one is the server's acknowledgment only */
			if (p->elen)
				p->field = F_SNILEN0;
			break;
		case EXT_ALPN:
			f->hs_facts |= TLS_HF_ALPN;
			break;
		case EXT_ECH:
			f->hs_facts |= TLS_HF_ECH;
			break;
		case EXT_EARLY_DATA:
			/* 0-RTT may follow (C4); a second hello has none */
			if (!(f->hs_flags & TLS_HS_CH2))
				f->hs_sub |= SUB_EARLY;
			break;
		case EXT_SUPPORTED_VERSIONS:
			if (f->hs_sub & SUB_SV)
				return TLS_R_HS_MALFORMED;
			f->hs_sub |= SUB_SV;
			f->hs_offered = 0;
			p->field = F_SVLEN;
			break;
		}
	} else if (p->etype == EXT_SUPPORTED_VERSIONS) {
		if (f->hs_sub & SUB_SV || p->elen != 2)
			return TLS_R_HS_MALFORMED;
		f->hs_sub |= SUB_SV;
		p->field = F_SSV0;
	}
	if (!p->elen && p->field == F_EDATA)
		p->field = F_ETYPE0;
	else if (!p->elen)
		return TLS_R_HS_MALFORMED;
	return TLS_OK;
}

/* A byte of the hostname alphabet (RFC 952, 1123; '_' is common in use) */
static bool host_byte(u8 b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
	       (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_';
}

/* One byte of an extension's body: elen counts it off. */
/* The set a matcher state belongs to: the current one or the one before */
static const struct tls_names *names_of(const struct tls_rules *r, u32 st)
{
	const struct tls_names *p = r->names_prev;

	if (p && st >> 25 == p->gen && (!r->names || r->names->gen != p->gen))
		return p;
	return r->names;
}

/* Verdicts of several names: the worst wins (every name must pass). */
static u8 name_rank(u8 v)
{
	switch (v) {
	case TLS_NAME_DENIED:		return 4;
	case TLS_NAME_CHANGED:		return 3;
	case TLS_NAME_NOT_ALLOWED:	return 2;
	case TLS_NAME_ALLOWED:		return 1;
	default:			return 0;
	}
}

/*
 * The last byte of a host_name: its verdict joins the hello's, and the
 * word holds the entry that decided it if that verdict is the hello's
 * now (a later name of a verdict no worse leaves none).
 */
static void name_end(struct tls_flow *f, const struct tls_rules *r)
{
	u32 st = *name_word(f), idx;
	const struct tls_names *set = names_of(r, st);
	u8 v = tls_names_end(set, st, &idx);

	*name_word(f) = 0;
	if (!set && !st)
		return;		/* no list when the name began, none now */
	if (set && idx != TLS_NAMES_NO_ENTRY && r->name_hit)
		r->name_hit(set->owner, idx);
	if (name_rank(v) <= name_rank(f->hello.spare))
		return;
	f->hello.spare = v;
	if (set && idx != TLS_NAMES_NO_ENTRY && idx <= TLS_HS_NAME_IDX(~0U))
		*name_word(f) = (u32)set->gen << 25 | TLS_HS_NAME_ENTRY | idx;
}

static enum tls_reason ext_byte(struct tls_flow *f, unsigned int dir, u8 b,
				const struct tls_policy *pol)
{
	struct tls_hello *p = &f->hello;
	struct tls_hs_dir *h = &f->hs[dir];
	u8 next = p->field;

	p->elen--;
	switch (p->field) {
	case F_SVLEN:
		/* the list fills the extension, 2 bytes per version */
		if (b != p->elen || (b & 1) || !b)
			return TLS_R_HS_MALFORMED;
		next = F_SV0;
		break;
	case F_SV0:
		h->acc = b;
		next = F_SV1;
		break;
	case F_SV1:
		f->hs_offered |= version_bit((u16)(h->acc << 8 | b));
		next = F_SV0;
		break;
	case F_SSV0:
		h->acc = b;
		next = F_SSV1;
		break;
	case F_SSV1:
		p->cnt = (u16)(h->acc << 8 | b);
		break;
	case F_SNILEN0:
		h->acc = b;
		next = F_SNILEN1;
		break;
	case F_SNILEN1:
		if ((u16)(h->acc << 8 | b) != p->elen || !p->elen)
			return TLS_R_HS_MALFORMED;
		next = F_SNITYPE;
		break;
	case F_SNITYPE:
		/*
		 * Only host_name (0) is defined (RFC 6066 3 allows one name
		 * of a type: sni_multi).  Servers that skip other types read
		 * them as a 2-byte length and bytes (Go, GnuTLS, NSS), and
		 * then the entries after them: so does this, or a host_name
		 * behind such an entry would never meet the lists.
		 */
		if (b) {
			f->hs_facts |= TLS_HF_SNI_ODD;
			next = F_SNIOLEN0;
			break;
		}
		if (f->hs_sub & SUB_NAME)
			f->hs_facts |= TLS_HF_SNI_MULTI;
		next = F_SNINLEN0;
		break;
	case F_SNIOLEN0:
		h->acc = b;
		next = F_SNIOLEN1;
		break;
	case F_SNIOLEN1:
		p->cnt = (u16)(h->acc << 8 | b);
		if (p->cnt > p->elen)
			return TLS_R_HS_MALFORMED;
		next = p->cnt ? F_SNIOTHER : p->elen ? F_SNITYPE : F_EDATA;
		break;
	case F_SNIOTHER:
		if (!--p->cnt)
			next = p->elen ? F_SNITYPE : F_EDATA;
		break;
	case F_SNINLEN0:
		h->acc = b;
		next = F_SNINLEN1;
		break;
	case F_SNINLEN1:
		p->cnt = (u16)(h->acc << 8 | b);
		if (!p->cnt || p->cnt > p->elen)
			return TLS_R_HS_MALFORMED;
		f->hs_sub |= SUB_IP;
		*name_word(f) = tls_names_init(pol->rules.names);
		if (pol->rules.name_byte)
			pol->rules.name_byte(pol->rules.name_ctx, -1);
		next = F_SNINAME;
		break;
	case F_SNINAME:
		/* the name itself is not kept: only whether it is an address */
		if (b == ':')
			f->hs_sub |= SUB_COLON;
		else if (b != '.' && (b < '0' || b > '9'))
			f->hs_sub &= ~SUB_IP;
		if (!host_byte(b))
			f->hs_facts |= TLS_HF_SNI_ODD;
		if (pol->rules.name_byte)
			pol->rules.name_byte(pol->rules.name_ctx, b);
		*name_word(f) = tls_names_step(names_of(&pol->rules,
							*name_word(f)),
					       *name_word(f), b);
		if (!--p->cnt) {
			if (f->hs_sub & (SUB_IP | SUB_COLON))
				f->hs_facts |= TLS_HF_SNI_IP;
			f->hs_sub |= SUB_NAME;
			name_end(f, &pol->rules);
			/* the next entry of the list, if any */
			next = p->elen ? F_SNITYPE : F_EDATA;
		}
		break;
	default:
		break;
	}
	if (!p->elen) {
		/* a list that ends before its extension, or a name cut */
		if (next != F_EDATA && next != F_SV0 && p->field != F_SSV1)
			return TLS_R_HS_MALFORMED;
		next = F_ETYPE0;
	}
	p->field = next;
	return TLS_OK;
}

/*
 * One body byte b of the hello of dir; rem is h->left after it: the
 * length rules compare each field's length with what is left of the
 * message, so lengths that do not nest fail at their last length byte.
 * Before the extensions, elen counts the bytes of the random.
 */
static enum tls_reason hello_byte(struct tls_flow *f, unsigned int dir,
				  u8 b, u32 rem, const struct tls_policy *pol)
{
	struct tls_hello *p = &f->hello;
	struct tls_hs_dir *h = &f->hs[dir];
	bool ch = h->type == HT_CLIENT_HELLO;
	u16 v = (u16)(h->acc << 8 | b);

	switch (p->field) {
	case F_VER0:
		h->acc = b;
		p->field = F_VER1;
		return TLS_OK;
	case F_VER1:
		if (ch && !(f->hs_flags & TLS_HS_CH2)) {
			/* legacy negotiation: every version up to this one */
			if (v > 0x0303)
				v = 0x0303;
			f->hs_offered = version_bit(v) ?
					(u8)((version_bit(v) << 1) - 1) : 0;
		}
		/*
		 * A ServerHello of a TLS 1.3 draft before 22 names the draft
		 * (or 0x0304) here and has another format (no session id, no
		 * compression): not parsed, the flow keeps the record layer.
		 * The final format always says 0x0303 (RFC 8446 4.1.3).
		 */
		if (!ch && v > 0x0303) {
			f->hs_flags |= TLS_HS_STOP;
			return TLS_OK;
		}
		p->cnt = v;	/* a ServerHello's selection, unless extended */
		p->field = F_RANDOM;
		return TLS_OK;
	case F_RANDOM:
		if (b != hrr_random[p->elen])
			f->hs_sub &= ~SUB_HRR;
		if (p->elen >= 24 && (p->elen < 31 ?
				      b != downgrade_sentinel[p->elen - 24] :
				      b > 1))
			f->hs_sub &= ~SUB_DG;
		if (++p->elen == 32) {
			p->elen = 0;
			p->field = F_SIDLEN;
		}
		return TLS_OK;
	case F_SIDLEN:
		if (b > 32 || b > rem)
			return TLS_R_HS_MALFORMED;
		p->elen = b;
		p->field = b ? F_SID : ch ? F_CSLEN0 : F_SCS0;
		return TLS_OK;
	case F_SID:
		if (!--p->elen)
			p->field = ch ? F_CSLEN0 : F_SCS0;
		return TLS_OK;
	case F_CSLEN0:
	case F_SCS0:
	case F_EXTLEN0:
	case F_ETYPE0:
	case F_ELEN0:
		h->acc = b;
		p->field++;
		return TLS_OK;
	case F_CSLEN1:
		if (!v || (v & 1) || v > rem)
			return TLS_R_HS_MALFORMED;
		p->elen = v;
		p->field = F_CS0;
		return TLS_OK;
	case F_CS0:
		h->acc = b;
		p->field = F_CS1;
		p->elen--;
		return TLS_OK;
	case F_CS1:
		if (v == SCSV_FALLBACK)
			f->hs_facts |= TLS_HF_SCSV;
		p->field = --p->elen ? F_CS0 : F_COMPLEN;
		return TLS_OK;
	case F_COMPLEN:
		if (!b || b > rem)
			return TLS_R_HS_MALFORMED;
		p->elen = b;
		p->field = F_COMP;
		return TLS_OK;
	case F_COMP:
		if (!--p->elen)
			p->field = F_EXTLEN0;
		return TLS_OK;
	case F_SCS1:
		f->hs_cipher = v;
		p->field = F_SCOMP;
		return TLS_OK;
	case F_SCOMP:
		p->field = F_EXTLEN0;
		return TLS_OK;
	case F_EXTLEN1:
		/* the extension block ends with the message */
		if (v != rem)
			return TLS_R_HS_MALFORMED;
		p->field = F_ETYPE0;
		return TLS_OK;
	case F_ETYPE1:
		p->etype = v;
		p->field = F_ELEN0;
		return TLS_OK;
	case F_ELEN1:
		if (v > rem)
			return TLS_R_HS_MALFORMED;
		p->elen = v;
		return ext_begin(f, dir);
	default:
		return ext_byte(f, dir, b, pol);
	}
}

/*
 * The rule set (tls_rules.h) on a hello of dir that just ended well: at
 * its last byte, before the peer can answer it.  Every ClientHello (the
 * second after a HelloRetryRequest too: it may say other things), and
 * the ServerHello, not a HelloRetryRequest.
 */
static enum tls_reason hello_rules(const struct tls_flow *f,
				   const struct tls_hs_dir *h,
				   const struct tls_policy *pol)
{
	const struct tls_names *set = pol->rules.names;
	struct tls_rules_ch ch;

	if (h->type == HT_CLIENT_HELLO) {
		ch = (struct tls_rules_ch){
			.offered = f->hs_offered,
			.facts = f->hs_facts,
			.names = f->hs_facts & TLS_HF_SNI_MULTI ? 2 :
				 f->hs_sub & SUB_NAME ? 1 : 0,
			.odd = f->hs_facts & TLS_HF_SNI_ODD,
			.name = f->hello.spare,
		};
		/* a non-empty allow list: a hello needs a name on it */
		if (!ch.names && set && set->nallow)
			ch.name = TLS_NAME_NOT_ALLOWED;
		/*
		 * The lists changed twice while a name was read: it cannot be
		 * matched again (it is not kept), so it is denied if a list
		 * is loaded now, and let through if none is.
		 */
		if (ch.name == TLS_NAME_CHANGED)
			ch.name = set && (set->ndeny || set->nallow) ?
				  TLS_NAME_DENIED : TLS_NAME_NONE;
		return tls_rule_reason(tls_rules_client_hello(&pol->rules, &ch));
	}
	if (f->hs_flags & TLS_HS_SH_DONE)
		return tls_rule_reason(tls_rules_server_hello(&pol->rules,
							      f->hs_selected,
							      f->hs_cipher));
	return TLS_OK;
}

/* The message of dir is complete (its last byte was read). */
static enum tls_reason hs_msg_end(struct tls_flow *f, unsigned int dir,
				  const struct tls_policy *pol)
{
	struct tls_hs_dir *h = &f->hs[dir];
	enum tls_reason r = TLS_OK;

	if (is_hello(h)) {
		r = hello_end(f, dir);
		if (!r)
			r = hello_rules(f, h, pol);
	}
	if (h->type == HT_CLIENT_HELLO)
		f->hs_flags |= TLS_HS_CH_DONE;
	h->state = HS_TYPE;
	return r;
}

/*
 * The last byte of a message, at p[i] of tls_hs_body(): it ends.
 * A hello after a HelloRetryRequest that follows its side's CCS is the
 * one plaintext message allowed there (tls_hs_parsed_hrr()); the record
 * that holds it must end with it.  Bytes after it in that record would
 * be parsed or scanned depending on where a tls_feed() call began (the
 * choice is made per call): a violation at the hello's last byte.  The
 * caller lowers rec_left only after the call: the record has
 * rec_left - i - 1 bytes after this one.
 */
static enum tls_reason msg_last_byte(struct tls_flow *f, unsigned int dir,
				     u32 i, const struct tls_policy *pol)
{
	bool after_ccs = (f->dir[dir].flags & TLS_F_ENCRYPTED) &&
			 tls_hs_parsed_hrr(f, dir);
	enum tls_reason r = hs_msg_end(f, dir, pol);

	if (!r && after_ccs && f->dir[dir].rec_left > i + 1)
		r = TLS_R_HS_ORDER;
	return r;
}

/* Last length byte: the whole length is in h->left. */
static enum tls_reason hs_len_done(struct tls_flow *f, unsigned int dir,
				   const struct tls_policy *pol)
{
	struct tls_hs_dir *h = &f->hs[dir];
	u32 len = h->left;

	if (h->type < 32 && (HT_EMPTY & B(h->type)) && len)
		return TLS_R_HS_MALFORMED;
	if (is_hello(h) && len > TLS_HS_CH_MAX)
		return TLS_R_HS_MALFORMED;
	if (h->type == HT_CLIENT_HELLO && len < CH_MIN)
		return TLS_R_HS_MALFORMED;
	if (h->type == HT_SERVER_HELLO && len < SH_MIN)
		return TLS_R_HS_MALFORMED;
	if (!len)
		return hs_msg_end(f, dir, pol);
	h->state = HS_BODY;
	return TLS_OK;
}

enum tls_reason tls_hs_body(struct tls_flow *f, unsigned int dir,
			    const u8 *p, u32 n, u32 *at,
			    const struct tls_policy *pol)
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
			r = hs_len_done(f, dir, pol);
			if (r)
				goto fail;
			i++;
			continue;
		default:
			break;
		}
		/* HS_BODY */
		if (is_hello(h) && f->hello.field != F_EDATA) {
			h->left--;
			r = hello_byte(f, dir, p[i], h->left, pol);
			if (!tls_hs_on(f))
				return TLS_OK;	/* stopped: a draft hello */
			if (!r && !h->left)
				r = msg_last_byte(f, dir, i, pol);
			if (r)
				goto fail;
			i++;
			continue;
		}
		k = n - i;
		if (k > h->left)
			k = h->left;
		/* skipped extension bytes: up to the extension's end */
		if (is_hello(h) && k > f->hello.elen)
			k = f->hello.elen;
		if (!k) {
			/* not reachable: F_EDATA always has elen > 0 */
			r = TLS_R_HS_MALFORMED;
			goto fail;
		}
		i += k;
		h->left -= k;
		if (is_hello(h)) {
			f->hello.elen -= k;
			if (!f->hello.elen)
				f->hello.field = F_ETYPE0;
		}
		if (!h->left) {
			r = msg_last_byte(f, dir, i - 1, pol);
			if (r) {
				i--;
				goto fail;
			}
		}
	}
	return TLS_OK;
fail:
	*at = i;
	return r;
}
