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
#define EXT_SUPPORTED_VERSIONS	0x002b
#define EXT_ECH			0xfe0d
#define SCSV_FALLBACK		0x5600

/* struct tls_flow.hs_sub, for the hello being parsed */
#define SUB_HRR		0x01	/* the random matches the HRR one so far */
#define SUB_DG		0x02	/* its last 8 bytes match the sentinel so far */
#define SUB_SV		0x04	/* a supported_versions extension was read */
#define SUB_IP		0x08	/* the host_name so far is digits and dots */
#define SUB_COLON	0x10	/* the host_name holds a ':' */

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
};

enum hs_state {
	HS_TYPE = 0,	/* message type (a zeroed state starts here) */
	HS_LEN0,	/* length, bits 23..16 */
	HS_LEN1,	/* bits 15..8 */
	HS_LEN2,	/* bits 7..0 */
	HS_BODY,	/* body bytes */
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
	/*
	 * Once TLS 1.3 is selected (or a HelloRetryRequest says it will be)
	 * every handshake record after a side's CCS is protected as type
	 * 23: a type-22 record there is a plaintext message after the key
	 * change.  The hellos after a
	 * HelloRetryRequest are the exception (tls_hs_parsed()).
	 */
	if (!v2 && b == CT_HANDSHAKE &&
	    (f->dir[dir].flags & TLS_F_ENCRYPTED) &&
	    (f->hs_selected == TLS_V_TLS13 || (f->hs_flags & TLS_HS_HRR)) &&
	    !tls_hs_parsed_hrr(f, dir))
		return TLS_R_HS_ORDER;
	return TLS_OK;
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
 * grow.  That the client's flight follows the server's ServerHelloDone
 * is not checked: a replayed capture with a hole in the server's stream
 * would break it (a real helper passes the ServerHelloDone first).  In
 * TLS 1.3 everything after the ServerHello is encrypted.
 */
#define RANK_SHD	6

static u8 rank(unsigned int dir, u8 t)
{
	if (dir == TLS_DIR_SERVER) {
		switch (t) {
		case HT_SUPPLEMENTAL_DATA:	return 1;
		case HT_CERTIFICATE:		return 2;
		case HT_CERTIFICATE_STATUS:	return 3;
		case HT_SERVER_KEY_EXCHANGE:	return 4;
		case HT_CERTIFICATE_REQUEST:	return 5;
		case HT_SERVER_HELLO_DONE:	return RANK_SHD;
		case HT_NEW_SESSION_TICKET:	return 7;
		default:			return 0;
		}
	}
	switch (t) {
	case HT_SUPPLEMENTAL_DATA:	return 1;
	case HT_CERTIFICATE:
	case HT_CERTIFICATE_URL:	return 2;
	case HT_CLIENT_KEY_EXCHANGE:	return 3;
	case HT_CERTIFICATE_VERIFY:	return 4;
	case HT_NEXT_PROTOCOL:		return 5;
	default:			return 0;
	}
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

	if (f->hs_selected == TLS_V_TLS13 || !r || r <= mine)
		return TLS_R_HS_ORDER;
	f->hello.cnt = dir == TLS_DIR_SERVER ? (ranks & 0xff00) | r :
		       (ranks & 0xff) | (u16)r << 8;
	return TLS_OK;
}

/*
 * Order at a message's type byte t of dir (RFC 5246 7.3, RFC 8446 2 and
 * 4.1.4): the client starts with a ClientHello and sends a second one
 * only after a HelloRetryRequest; the server starts with a ServerHello
 * and waits for that second ClientHello.  Until the ServerHello the
 * client sends no other plaintext message.  Renegotiation is encrypted:
 * a plaintext hello after the handshake is not one.
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
		f->hs_sub = SUB_HRR | SUB_DG;
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

/* One byte of an extension's body: elen counts it off. */
static enum tls_reason ext_byte(struct tls_flow *f, unsigned int dir, u8 b)
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
		/* only host_name (0) is defined: skip anything else */
		next = b ? F_EDATA : F_SNINLEN0;
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
		next = F_SNINAME;
		break;
	case F_SNINAME:
		/* the name itself is not kept: only whether it is an address */
		if (b == ':')
			f->hs_sub |= SUB_COLON;
		else if (b != '.' && (b < '0' || b > '9'))
			f->hs_sub &= ~SUB_IP;
		if (!--p->cnt) {
			if (f->hs_sub & (SUB_IP | SUB_COLON))
				f->hs_facts |= TLS_HF_SNI_IP;
			next = F_EDATA;
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
				  u8 b, u32 rem)
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
		return ext_byte(f, dir, b);
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
	struct tls_rules_ch ch;

	if (h->type == HT_CLIENT_HELLO) {
		ch = (struct tls_rules_ch){
			.offered = f->hs_offered,
			.facts = f->hs_facts,
			.names = f->hs_facts & TLS_HF_SNI ? 1 : 0,
		};
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
			r = hello_byte(f, dir, p[i], h->left);
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
