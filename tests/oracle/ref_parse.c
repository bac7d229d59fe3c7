// SPDX-License-Identifier: GPL-2.0
/*
 * The buffered reference parser (ref_parse.h).  Rules derived from the
 * README, the engine's header comments and RFC 5246 6.2, RFC 8446 5,
 * RFC 6520 4, draft-hickman-netscape-ssl-00; written independently of
 * tls_parse.c.
 *
 * How it works: a record is read from its direction's buffer by offset
 * (type at o, version o+1..o+2, length o+3..o+4, body after).  Each rule
 * is a decision at one byte; a decision that reads the other direction
 * (heartbeat pairing, "has the peer spoken", SSLv2 session-id-hit) must
 * see the peer as it was when that byte arrived.  So both directions are
 * walked together, one decision at a time, always the one whose byte came
 * first in the transcript.  Decisions that read only their own direction
 * (a body's low-byte run) are computed at once over the buffer and turned
 * into one pending decision at the byte they name.
 *
 * The handshake layer (pol->handshake = 1) is modelled the same way: the
 * bodies of a direction's plaintext handshake records are appended to one
 * buffer (with the stream offset of each byte), and its messages are read
 * from that buffer: type, 24-bit length, and a hello parsed whole by
 * offset once its bytes are there.  The order across both directions is
 * a few flags of what each side's flights have shown (ServerHelloDone,
 * CertificateRequest, a client Certificate, a side's whole Finished:
 * fin_whole()), read when the other side's byte comes.
 *
 * A HelloRetryRequest (RFC 8446 4.1.4) is modelled: one, the second
 * ClientHello after it (also after the client's CCS), the server waiting
 * for it, both hellos then alone in their records.
 *
 * Not modelled (ref_outcome.unmodelled, with the byte from which on): a
 * rule set (pol->rules not zero), a draft ServerHello (switching the
 * layer off) while the other side is inside a handshake record, and a
 * HelloRetryRequest completing while the client is inside a protected
 * type-22 record.
 */
#include <stdlib.h>

#include "ref_parse.h"

#define T_CCS		20
#define T_ALERT		21
#define T_HANDSHAKE	22
#define T_APPDATA	23
#define T_HEARTBEAT	24

#define CH_MIN_LEN	41	/* version, random, empty sid, one suite, one method + lengths */
#define SH_MIN_LEN	38
#define HELLO_MAX	16384

/* what the next decision of a direction is */
enum ref_at {
	AT_TYPE,	/* first byte of a record */
	AT_VMAJ, AT_VMIN, AT_LEN,	/* TLS header bytes 1, 2, 4 */
	AT_CCS,		/* the plaintext CCS's byte */
	AT_HBTYPE, AT_HBPL,	/* plaintext heartbeat type, payload_length low */
	AT_V2LEN,	/* SSLv2 header: second byte */
	AT_V2PAD,	/* 3-byte header: padding length */
	AT_V2MSG, AT_V2B1, AT_V2B2,	/* plaintext SSLv2 body bytes 0-2 */
	AT_FAIL,	/* a violation found ahead (low-byte run) */
	AT_END,		/* last byte of a record body */
	AT_HS,		/* a handshake message decision (struct ref_dir.m) */
};

/* the next decision of a direction's handshake messages */
enum ref_m {
	M_TYPE,		/* message type */
	M_LEN,		/* last length byte */
	M_END,		/* last byte of the message */
	M_FAIL,		/* a hello field broken (m_reason) */
	M_STOP,		/* a draft ServerHello: the layer goes off */
};

struct ref_dir {
	const u8 *s;
	u32 n;
	const u32 *seg;
	u32 pos;	/* byte of the next decision */
	enum ref_at what;
	enum tls_reason pending;	/* AT_FAIL's reason */
	u32 rec;	/* this record's first byte */
	u32 body;	/* its first body byte */
	u32 end;	/* the byte after its body */
	u8 type;	/* content type, or SSLv2 message type (0xff: none) */
	bool spoke;	/* a record started */
	bool v2;	/* SSLv2 framing */
	bool enc;	/* protected */
	bool tls13;
	bool after_ccs;	/* the record after the plaintext CCS */
	bool alerts;	/* server: spoke first with an alert; alerts only now */
	bool v0;	/* this record's version major byte was 0 (alerts) */
	bool hb_pend;
	u32 hb_req;
	bool sid_hit;	/* server: SSLv2 SERVER-HELLO with session-id-hit */
	u32 run;	/* bytes < 0x80 in a row, scanned bodies only */
	/* handshake messages: the plaintext handshake bytes, concatenated */
	u8 *hb;
	u32 *hoff;	/* stream offset of each */
	u32 hlen;
	u32 mstart;	/* index in hb of the current message */
	enum ref_m m;
	u32 mat;	/* index in hb of m's byte */
	enum tls_reason m_reason;
	bool in_msg;	/* its type byte was read, its last byte not */
	u8 mtype;
	u32 mlen;
	u8 rank;	/* rank of the last message of the flight (TLS <= 1.2) */
};

struct ref {
	struct ref_dir d[2];
	const struct tls_policy *pol;
	u32 limit;
	bool hs;	/* the handshake layer is on */
	bool ch_done, sh_done, draft;
	bool hrr;	/* a whole HelloRetryRequest */
	bool ch2, ch2_done;	/* the second ClientHello began, ended */
	u8 offered, selected;	/* TLS_V_* bits */
	bool early;	/* the ClientHello had early_data (0-RTT may follow) */
	/* the flights of TLS <= 1.2 so far */
	bool shd, cr, ccert;	/* ServerHelloDone, CertificateRequest, client Certificate */
	bool unmod;	/* an unmodelled case was met at the current decision */
};

/* SSLv2 message types each side sends: 0 ERROR, 1-3 and 8 client, 4-7 server */
static bool v2_mine(unsigned int dir, u8 m)
{
	if (m == 0)
		return true;
	if (dir == TLS_DIR_CLIENT)
		return m == 1 || m == 2 || m == 3 || m == 8;
	return m >= 4 && m <= 7;
}

static bool parsed(const struct ref *r, const struct ref_dir *d,
		   unsigned int dir);

/* Low bytes of the body this record's reader must find random. */
static bool scanned(const struct ref *r, const struct ref_dir *d)
{
	if (!d->enc)
		return false;
	if (d->v2)
		return true;
	/*
	 * protected handshake records (Finished) only with the layer on:
	 * without it they cannot be told from a hello after a HRR
	 */
	if (d->type == T_HANDSHAKE)
		return r->hs && !parsed(r, d, d == &r->d[TLS_DIR_SERVER]);
	return d->type == T_APPDATA || d->type == T_ALERT ||
	       d->type == T_HEARTBEAT;
}

/*
 * After a HelloRetryRequest the second ClientHello and the ServerHello
 * are plaintext, also after their side's compatibility CCS (RFC 8446
 * D.4): until that hello is complete.
 */
static bool hrr_hello(const struct ref *r, unsigned int dir)
{
	return r->hrr && !(dir == TLS_DIR_CLIENT ? r->ch2_done : r->sh_done);
}

/* plaintext handshake record whose messages are read */
static bool parsed(const struct ref *r, const struct ref_dir *d,
		   unsigned int dir)
{
	return r->hs && !d->v2 && d->type == T_HANDSHAKE &&
	       (!d->enc || hrr_hello(r, dir));
}

/*
 * The side's Finished (TLS <= 1.2) is whole: it began a record after its
 * CCS, and that record is not a protected handshake record under way
 * (which may be the Finished, or hold its rest).
 */
static bool fin_whole(const struct ref_dir *d)
{
	return d->enc && !d->after_ccs && d->type != T_CCS &&
	       (d->type != T_HANDSHAKE || d->what == AT_TYPE);
}

static void rec_done(struct ref_dir *d, unsigned int dir)
{
	if (d->v2) {
		/*
		 * SSLv2: the server encrypts after its SERVER-HELLO, the
		 * client after its CLIENT-MASTER-KEY
		 */
		if (dir == TLS_DIR_SERVER || d->type == 2)
			d->enc = true;
	} else if (d->type == T_CCS && !d->enc) {
		d->enc = true;
		d->after_ccs = true;
	}
	d->pos = d->end;
	d->what = AT_TYPE;
}

/* the record's body goes on to its end with no decision but its last byte */
static void to_end(struct ref_dir *d, unsigned int dir, u32 p)
{
	if (p >= d->end) {
		rec_done(d, dir);
		return;
	}
	d->pos = d->end - 1;
	d->what = AT_END;
}

/*
 * The body from byte p on holds no decision but the low-byte run: scan
 * what the buffer has of it; its last byte ends the record.
 */
static void body_from(struct ref *r, unsigned int dir, u32 p)
{
	struct ref_dir *d = &r->d[dir];
	u32 stop = d->end < d->n ? d->end : d->n;
	u32 q;

	if (scanned(r, d)) {
		for (q = p; q < stop; q++) {
			if (!r->limit) {
				d->run = 0;
				continue;
			}
			if (d->s[q] >= 0x80) {
				d->run = 0;
				continue;
			}
			d->run++;
			if (d->run >= r->limit) {
				d->pos = q;
				d->what = AT_FAIL;
				d->pending = TLS_R_LOWRUN;
				return;
			}
		}
	}
	to_end(d, dir, p);
}

/* ---- handshake messages ---- */

static u8 version_bit(u16 v)
{
	u8 hi = v >> 8;

	/* TLS 1.3 drafts and experiments (0x7fNN, 0x7eNN, 0xfbNN) */
	if (hi == 0x7f || hi == 0x7e || hi == 0xfb)
		return TLS_V_TLS13;
	if (v < 0x0300 || v > 0x0304)
		return 0;
	return 1u << (v - 0x0300);
}

static const u8 hrr_magic[32] = {	/* RFC 8446 4.1.3 */
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* A hello read from its body m[0..mlen), of which avail bytes are here. */
struct hello {
	u32 at;		/* HP_FAIL, HP_STOP: index of the deciding byte */
	bool ends_well;	/* the message ends where a field may end */
	u16 ver;	/* legacy_version, or supported_versions' (server) */
	bool sv;	/* supported_versions present */
	bool hrr, dg;	/* HelloRetryRequest random, downgrade sentinel */
	bool early;	/* client: an early_data extension */
	u8 offered;	/* client */
};

enum { HP_MORE, HP_DONE, HP_FAIL, HP_STOP };

/* a hello being read: its body m[0..mlen), of which avail bytes are here */
struct hctx {
	const u8 *m;
	u32 avail, mlen;
	struct hello *h;
	int rc;		/* why hget() could not read */
};

/*
 * Byte i of the hello into *v; false if the buffer does not have it yet
 * (HP_MORE) or the message ended before it (HP_DONE): well if i is where
 * the extension block or an extension may start, otherwise the hello is
 * malformed at its last byte.
 */
static bool hget(struct hctx *c, u32 i, bool well, u8 *v)
{
	if (i >= c->mlen) {
		c->h->ends_well = well;
		c->rc = HP_DONE;
		return false;
	}
	if (i >= c->avail) {
		c->rc = HP_MORE;
		return false;
	}
	*v = c->m[i];
	return true;
}

static int hfail(struct hello *h, u32 i)
{
	h->at = i;
	return HP_FAIL;
}

/* one extension's body m[e..e + elen) */
static int hello_ext(struct hctx *c, bool ch, u16 type, u32 e, u32 elen,
		     u32 i3)
{
	struct hello *h = c->h;
	u32 end = e + elen, k, nlen;
	u8 a, b, t;

	if (ch && type == 0x0000 && elen) {	/* server_name, RFC 6066 3 */
		if (!hget(c, e, false, &a))
			return c->rc;
		if (e + 1 == end)
			return hfail(h, e);
		if (!hget(c, e + 1, false, &b))
			return c->rc;
		if (((u32)a << 8 | b) != end - (e + 2) || !(a | b))
			return hfail(h, e + 1);
		/* the entries: type, 2-byte length, name; each in the list */
		for (k = e + 2; k < end; k += 3 + nlen) {
			/* a type not host_name: length and bytes, no name */
			if (!hget(c, k, false, &t))
				return c->rc;
			if (k + 1 == end)
				return hfail(h, k);
			if (!hget(c, k + 1, false, &a))
				return c->rc;
			if (k + 2 == end)
				return hfail(h, k + 1);
			if (!hget(c, k + 2, false, &b))
				return c->rc;
			nlen = (u32)a << 8 | b;
			if ((!nlen && !t) || nlen > end - (k + 3))
				return hfail(h, k + 2);
		}
		return HP_DONE;
	}
	if (ch && type == 0x002a)	/* early_data, RFC 8446 4.2.10 */
		h->early = true;
	if (ch && type == 0x002b) {	/* supported_versions, RFC 8446 4.2.1 */
		if (h->sv || !elen)
			return hfail(h, i3);
		h->sv = true;
		if (!hget(c, e, false, &a))
			return c->rc;
		if (a != elen - 1 || (a & 1) || !a)
			return hfail(h, e);
		h->offered = 0;
		for (k = e + 1; k < end; k += 2) {
			if (!hget(c, k, false, &a))
				return c->rc;
			if (!hget(c, k + 1, false, &b))
				return c->rc;
			h->offered |= version_bit((u16)(a << 8 | b));
		}
		return HP_DONE;
	}
	if (!ch && type == 0x002b) {
		if (h->sv || elen != 2)
			return hfail(h, i3);
		h->sv = true;
		if (!hget(c, e, false, &a))
			return c->rc;
		if (!hget(c, e + 1, false, &b))
			return c->rc;
		h->ver = (u16)(a << 8 | b);
	}
	return HP_DONE;
}

static int hello_parse(const u8 *m, u32 avail, u32 mlen, bool ch,
		       struct hello *h)
{
	struct hctx ctx = { .m = m, .avail = avail, .mlen = mlen, .h = h };
	struct hctx *c = &ctx;
	u32 i, v, k, e;
	u8 a, b, t0, t1;
	int rc;

	__builtin_memset(h, 0, sizeof(*h));
	if (!hget(c, 0, false, &a))
		return c->rc;
	if (!hget(c, 1, false, &b))
		return c->rc;
	v = (u32)a << 8 | b;
	if (ch) {
		/* legacy negotiation: every version up to this one (1.2 at most) */
		k = version_bit(v > 0x0303 ? 0x0303 : (u16)v);
		h->offered = k ? (u8)((k << 1) - 1) : 0;
	} else if (v > 0x0303) {
		/* a draft ServerHello of another format */
		h->at = 1;
		return HP_STOP;
	}
	h->ver = (u16)v;
	for (k = 0; k < 32; k++) {
		if (!hget(c, 2 + k, false, &a))
			return c->rc;
	}
	h->hrr = !__builtin_memcmp(m + 2, hrr_magic, 32);
	h->dg = !__builtin_memcmp(m + 26, "DOWNGRD", 7) && m[33] <= 1;
	/* session id length */
	if (!hget(c, 34, false, &a))
		return c->rc;
	if (a > 32 || a > mlen - 35)
		return hfail(h, 34);
	i = 35 + a;
	if (ch) {
		if (!hget(c, i, false, &a))
			return c->rc;
		if (!hget(c, i + 1, false, &b))
			return c->rc;
		v = (u32)a << 8 | b;
		if (!v || (v & 1) || v > mlen - (i + 2))
			return hfail(h, i + 1);
		i += 2 + v;
		/* compression methods */
		if (!hget(c, i, false, &a))
			return c->rc;
		if (!a || a > mlen - (i + 1))
			return hfail(h, i);
		i += 1 + a;
	} else {
		if (!hget(c, i, false, &a))
			return c->rc;
		if (!hget(c, i + 1, false, &a))
			return c->rc;
		if (!hget(c, i + 2, false, &a))
			return c->rc;
		i += 3;
	}
	/* extensions length */
	if (!hget(c, i, true, &a))
		return c->rc;
	if (!hget(c, i + 1, false, &b))
		return c->rc;
	if (((u32)a << 8 | b) != mlen - (i + 2))
		return hfail(h, i + 1);
	i += 2;
	for (;;) {
		if (!hget(c, i, true, &t0))
			return c->rc;
		if (!hget(c, i + 1, false, &t1))
			return c->rc;
		if (!hget(c, i + 2, false, &a))
			return c->rc;
		if (!hget(c, i + 3, false, &b))
			return c->rc;
		v = (u32)a << 8 | b;
		if (v > mlen - (i + 4))
			return hfail(h, i + 3);
		e = i + 4;
		rc = hello_ext(c, ch, (u16)(t0 << 8 | t1), e, v, i + 3);
		if (rc != HP_DONE || h->ends_well)
			return rc;
		/* the extension's bytes must be here before the next one */
		i = e + v;
	}
}

/* rank of a message in its side's flight after the ServerHello (TLS <= 1.2) */
static u8 flight_rank(unsigned int dir, u8 t)
{
	static const u8 server[] = { [23] = 1, [11] = 2, [22] = 3, [12] = 4,
				     [13] = 5, [14] = 6, [4] = 7 };
	static const u8 client[] = { [23] = 1, [11] = 2, [21] = 2, [16] = 3,
				     [15] = 4 };

	if (dir == TLS_DIR_CLIENT)
		return t == 67 ? 5 : t < sizeof(client) ? client[t] : 0;
	return t < sizeof(server) ? server[t] : 0;
}

/*
 * A message of a TLS <= 1.2 flight answers what the peer's flight has
 * shown so far: the client's flight follows the server's
 * ServerHelloDone, a client Certificate a CertificateRequest, a
 * CertificateVerify a client Certificate; the server's ticket after a
 * ServerHelloDone follows the client's whole Finished.
 */
static enum tls_reason flight_answer(struct ref *r, unsigned int dir, u8 t)
{
	if (dir == TLS_DIR_SERVER) {
		if (t == 14)
			r->shd = true;
		if (t == 13)
			r->cr = true;
		if (t == 4 && r->shd && !fin_whole(&r->d[TLS_DIR_CLIENT]))
			return TLS_R_HS_ORDER;
		return TLS_OK;
	}
	if (!r->shd)
		return TLS_R_HS_ORDER;
	if (t == 11 || t == 21) {
		r->ccert = true;
		if (!r->cr)
			return TLS_R_HS_ORDER;
	}
	if (t == 15 && !r->ccert)
		return TLS_R_HS_ORDER;
	return TLS_OK;
}

/* type byte t of a message of dir: known, from the right side, in order */
static enum tls_reason msg_type(struct ref *r, unsigned int dir, u8 t)
{
	/* RFC 8446 4, RFC 5246 7.4 and extensions: who sends what */
	static const char side[32] = {
		[0] = 's', [1] = 'c', [2] = 's', [4] = 's', [5] = 'c',
		[8] = 's', [11] = 'b', [12] = 's', [13] = 's', [14] = 's',
		[15] = 'b', [16] = 'c', [20] = 'b', [21] = 'c', [22] = 's',
		[23] = 'b', [24] = 'b', [25] = 'b',
	};
	struct ref_dir *d = &r->d[dir];
	char me = dir == TLS_DIR_CLIENT ? 'c' : 's';
	u8 rk;

	if (t == 67) {		/* NextProtocol: client */
		if (dir != TLS_DIR_CLIENT)
			return TLS_R_HS_DIRECTION;
	} else {
		if (t >= 32 || !side[t])
			return TLS_R_HS_MALFORMED;
		if (side[t] != 'b' && side[t] != me)
			return TLS_R_HS_DIRECTION;
	}
	if (t == 1 && dir == TLS_DIR_CLIENT) {
		if (!r->ch_done)
			return TLS_OK;
		/* one more, after a HelloRetryRequest */
		if (!r->hrr || r->ch2)
			return TLS_R_HS_ORDER;
		r->ch2 = true;
		return TLS_OK;
	}
	/* after a HelloRetryRequest the server waits for the new hello */
	if (dir == TLS_DIR_SERVER && r->hrr && !r->ch2_done)
		return TLS_R_HS_ORDER;
	if (t == 2 && dir == TLS_DIR_SERVER)
		return r->sh_done ? TLS_R_HS_ORDER : TLS_OK;
	if (!r->sh_done || r->selected == TLS_V_TLS13)
		return TLS_R_HS_ORDER;
	rk = flight_rank(dir, t);
	if (!rk || rk <= d->rank)
		return TLS_R_HS_ORDER;
	d->rank = rk;
	return flight_answer(r, dir, t);
}

/*
 * Where the next message decision of dir is: at its byte if the buffer
 * has it (then within the current record), else at the record's end.
 */
static void hs_next(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir];
	struct hello h;
	bool ch;
	int rc;

	switch (d->m) {
	case M_TYPE:
		d->mat = d->mstart;
		break;
	case M_LEN:
		d->mat = d->mstart + 3;
		break;
	default:
		if (d->mtype != 1 && d->mtype != 2) {
			d->m = M_END;
			d->mat = d->mstart + 4 + d->mlen - 1;
			break;
		}
		ch = d->mtype == 1;
		rc = hello_parse(d->hb + d->mstart + 4, d->hlen - d->mstart - 4,
				 d->mlen, ch, &h);
		if (rc == HP_FAIL) {
			d->m = M_FAIL;
			d->m_reason = TLS_R_HS_MALFORMED;
			d->mat = d->mstart + 4 + h.at;
		} else if (rc == HP_STOP) {
			d->m = M_STOP;
			d->mat = d->mstart + 4 + h.at;
		} else {
			d->m = M_END;
			d->mat = d->mstart + 4 + d->mlen - 1;
		}
		break;
	}
	if (d->mat < d->hlen) {
		d->pos = d->hoff[d->mat];
		d->what = AT_HS;
	} else {
		to_end(d, dir, d->pos + 1);
	}
}

/* the hello of dir ends at this byte */
static enum tls_reason hello_end(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir];
	struct hello h;

	hello_parse(d->hb + d->mstart + 4, d->mlen, d->mlen, d->mtype == 1, &h);
	if (!h.ends_well)
		return TLS_R_HS_MALFORMED;
	if (dir == TLS_DIR_CLIENT) {
		if (!r->ch2) {
			r->offered = h.offered;
			r->early = h.early;	/* 0-RTT follows the first only */
		} else {
			/* its supported_versions, or what the first offered */
			if (h.sv)
				r->offered = h.offered;
			r->ch2_done = true;
		}
		return TLS_OK;
	}
	if (h.hrr) {
		const struct ref_dir *c = &r->d[TLS_DIR_CLIENT];

		/* RFC 8446 4.1.4: one HelloRetryRequest, for TLS 1.3 */
		if (r->hrr)
			return TLS_R_DOWNGRADE;
		if (!h.sv || version_bit(h.ver) != TLS_V_TLS13 ||
		    (r->offered && !(r->offered & TLS_V_TLS13)))
			return TLS_R_VERSION_MISMATCH;
		r->hrr = true;
		/*
		 * A protected type-22 record of the client under way: the
		 * engine reads its rest as the second hello.  Not modelled.
		 */
		if (c->enc && c->type == T_HANDSHAKE && c->what != AT_TYPE)
			r->unmod = true;
		return TLS_OK;
	}
	r->selected = version_bit(h.ver);
	r->draft = h.ver > 0x0304;
	r->sh_done = true;
	if (!r->selected || (r->offered && !(r->selected & r->offered)))
		return TLS_R_VERSION_MISMATCH;
	/* TLS 1.3 is selected through supported_versions, and only so */
	if (h.sv != (r->selected == TLS_V_TLS13))
		return TLS_R_VERSION_MISMATCH;
	if ((r->offered & TLS_V_TLS13) && r->selected != TLS_V_TLS13 && h.dg)
		return TLS_R_DOWNGRADE;
	return TLS_OK;
}

static enum tls_reason at_hs(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir];
	const u8 *mb = d->hb + d->mstart;
	enum tls_reason v;

	switch (d->m) {
	case M_TYPE:
		v = msg_type(r, dir, mb[0]);
		if (v)
			return v;
		d->mtype = mb[0];
		d->in_msg = true;
		d->m = M_LEN;
		hs_next(r, dir);
		return TLS_OK;
	case M_LEN:
		d->mlen = (u32)mb[1] << 16 | (u32)mb[2] << 8 | mb[3];
		if ((d->mtype == 0 || d->mtype == 5 || d->mtype == 14) && d->mlen)
			return TLS_R_HS_MALFORMED;
		if ((d->mtype == 1 || d->mtype == 2) && d->mlen > HELLO_MAX)
			return TLS_R_HS_MALFORMED;
		if ((d->mtype == 1 && d->mlen < CH_MIN_LEN) ||
		    (d->mtype == 2 && d->mlen < SH_MIN_LEN))
			return TLS_R_HS_MALFORMED;
		if (!d->mlen)
			break;	/* ends here */
		d->m = M_END;
		hs_next(r, dir);
		return TLS_OK;
	case M_FAIL:
		return d->m_reason;
	case M_STOP: {
		struct ref_dir *p = &r->d[dir ^ 1];

		/* the layer goes off: the rest of both records is not read */
		r->hs = false;
		if (p->what == AT_HS)
			to_end(p, dir ^ 1, p->pos);
		else if (p->type == T_HANDSHAKE && p->enc && p->pos < p->end &&
			 p->pos > p->rec + 4)
			r->unmod = true;	/* its scan would stop here */
		to_end(d, dir, d->pos + 1);
		return TLS_OK;
	}
	default:
		break;
	}
	/* M_END: the last byte of the message */
	if (d->mtype == 1 || d->mtype == 2) {
		/* after its side's CCS, a hello is its record's last message */
		bool alone = d->enc && hrr_hello(r, dir);

		v = hello_end(r, dir);
		if (d->mtype == 1)
			r->ch_done = true;
		if (!v && alone && d->pos + 1 < d->end)
			v = TLS_R_HS_ORDER;
		if (v || r->unmod)
			return v;
	}
	d->in_msg = false;
	d->mstart += 4 + d->mlen;
	d->m = M_TYPE;
	hs_next(r, dir);
	return TLS_OK;
}

/* a parsed handshake record's header is complete: its body joins the buffer */
static void hs_body(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir];
	u32 q, stop = d->end < d->n ? d->end : d->n;

	for (q = d->body; q < stop; q++) {
		d->hb[d->hlen] = d->s[q];
		d->hoff[d->hlen++] = q;
	}
	d->pos = d->body - 1;	/* hs_next's "after this byte" */
	hs_next(r, dir);
}

/* ---- records ---- */

static u32 tls_max(const struct ref_dir *d)
{
	if (!d->enc)
		return 16384;		/* RFC 5246 6.2.1 */
	return d->tls13 ? 16384 + 256 : 16384 + 2048;	/* RFC 8446 5.2, 5246 6.2.3 */
}

/*
 * The order of a record of type b of dir that is not a handshake record
 * (those are ordered by their messages), alerts and heartbeats aside.
 * Before the ServerHello: the server sends none, the client a CCS or
 * 0-RTT data only after a ClientHello offering TLS 1.3 (with early_data
 * for the data).  After a ServerHello of TLS <= 1.2: no plaintext
 * application data; a client CCS after its flight (and its Certificate
 * if one was requested) in a full handshake, after the server's whole
 * Finished in an abbreviated one; a server CCS after the client's whole
 * Finished in a full handshake, right after the ServerHello (or its
 * ticket) in an abbreviated one.
 */
static enum tls_reason rec_order(const struct ref *r, unsigned int dir, u8 b)
{
	const struct ref_dir *d = &r->d[dir];

	if (b == T_ALERT || b == T_HANDSHAKE || b == T_HEARTBEAT)
		return TLS_OK;
	if (!r->sh_done) {
		/* the server's compatibility CCS after its HelloRetryRequest */
		if (dir == TLS_DIR_SERVER)
			return b == T_CCS && !d->enc && r->hrr ? TLS_OK :
			       TLS_R_HS_ORDER;
		if (!r->ch_done || !(r->offered & TLS_V_TLS13))
			return TLS_R_HS_ORDER;
		return b == T_APPDATA && !r->early ? TLS_R_HS_ORDER : TLS_OK;
	}
	if (r->selected == TLS_V_TLS13 || d->enc)
		return TLS_OK;
	if (b == T_APPDATA)
		return TLS_R_HS_ORDER;
	if (dir == TLS_DIR_CLIENT) {
		if (!r->shd)
			return fin_whole(&r->d[TLS_DIR_SERVER]) ? TLS_OK :
			       TLS_R_HS_ORDER;
		return !r->cr || r->ccert || r->selected == TLS_V_SSL3 ?
		       TLS_OK : TLS_R_HS_ORDER;
	}
	if (r->shd)
		return fin_whole(&r->d[TLS_DIR_CLIENT]) ? TLS_OK : TLS_R_HS_ORDER;
	return !d->rank || d->rank == 7 ? TLS_OK : TLS_R_HS_ORDER;
}

/* the handshake layer's rules at a record's first byte (first: dir's first) */
static enum tls_reason hs_rec(struct ref *r, unsigned int dir, u8 b, bool first)
{
	struct ref_dir *d = &r->d[dir];
	const struct ref_dir *c = &r->d[TLS_DIR_CLIENT];

	if (!r->hs)
		return TLS_OK;
	if (dir == TLS_DIR_SERVER) {
		/*
		 * A server answers a whole ClientHello (an SSLv2 one is a
		 * record).  One that closes a connection on which the client
		 * said nothing yet starts with an alert, and sends alerts
		 * only from then on.
		 */
		if (d->alerts) {
			d->v0 = false;
			return !d->v2 && b == T_ALERT ? TLS_OK :
			       TLS_R_EARLY_SERVER;
		}
		if (!r->ch_done && !(c->v2 && c->spoke && c->what == AT_TYPE)) {
			if (!first || d->v2 || b != T_ALERT || c->spoke)
				return TLS_R_EARLY_SERVER;
			d->alerts = true;
			d->v0 = false;
			return TLS_OK;
		}
		r->ch_done = true;
	}
	if (d->v2)
		return TLS_OK;
	if (b != T_HANDSHAKE && d->in_msg)
		return TLS_R_HS_INTERLEAVE;
	/*
	 * TLS 1.3 (or a HelloRetryRequest: it will be) protects every
	 * handshake message after the side's CCS as application data, but
	 * the hello after a HelloRetryRequest
	 */
	if (b == T_HANDSHAKE && d->enc &&
	    (r->selected == TLS_V_TLS13 || r->hrr) && !hrr_hello(r, dir))
		return TLS_R_HS_ORDER;
	return rec_order(r, dir, b);
}

static enum tls_reason at_type(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir], *p = &r->d[dir ^ 1];
	u8 b = d->s[d->pos];
	bool after_ccs = d->after_ccs, first = !d->spoke;
	enum tls_reason v;

	d->rec = d->pos;
	d->after_ccs = false;
	/* a client that sent an SSLv2 hello waits for the server's framing */
	if (dir == TLS_DIR_CLIENT && d->v2 && d->spoke && !p->spoke)
		return TLS_R_SSLV2_EARLY;
	/* the server answered in TLS: the compatibility hello is over */
	if (d->v2 && p->spoke && !p->v2)
		d->v2 = false;
	if (!d->spoke && (b & 0x80))
		d->v2 = true;
	d->spoke = true;
	if (d->v2) {
		v = hs_rec(r, dir, b, first);
		if (v)
			return v;
		if (dir == TLS_DIR_CLIENT && p->sid_hit)
			d->enc = true;
		d->type = 0xff;
		d->pos = d->rec + 1;
		d->what = AT_V2LEN;
		return TLS_OK;
	}
	if (b < T_CCS || b > T_HEARTBEAT)
		return TLS_R_RECORD_TYPE;
	v = hs_rec(r, dir, b, first);
	if (v)
		return v;
	d->type = b;
	if (b == T_HEARTBEAT) {
		if (r->pol->heartbeat == TLS_HB_DROP)
			return TLS_R_HB_FORBIDDEN;
		if (r->pol->heartbeat == TLS_HB_VALIDATE && (d->tls13 || p->tls13))
			return TLS_R_HB_TLS13;
	}
	if (r->hs && r->sh_done) {
		/* the ServerHello said which version: application data is protected */
		if (b == T_APPDATA && !d->tls13 &&
		    (after_ccs || !d->enc || r->selected == TLS_V_TLS13)) {
			d->enc = true;
			d->tls13 = r->selected == TLS_V_TLS13;
		}
	} else if (b == T_APPDATA && (after_ccs || !d->enc)) {
		/* application data in the clear or first after the CCS: TLS 1.3 */
		d->enc = true;
		d->tls13 = true;
	}
	d->pos = d->rec + 1;
	d->what = AT_VMAJ;
	return TLS_OK;
}

static enum tls_reason at_len(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir], *p = &r->d[dir ^ 1];
	u32 len = (u32)d->s[d->rec + 3] << 8 | d->s[d->rec + 4];

	if (len > tls_max(d) || (!len && d->type != T_APPDATA))
		return TLS_R_RECORD_LENGTH;
	if (d->type == T_CCS && !d->enc && len != 1)
		return TLS_R_CCS;
	if (r->hs && d->alerts && len != 2)
		return TLS_R_EARLY_SERVER;
	d->body = d->rec + 5;
	d->end = d->body + len;
	if (d->type == T_HEARTBEAT && r->pol->heartbeat == TLS_HB_VALIDATE) {
		if (!d->enc) {
			if (len < 3)
				return TLS_R_HB_LENGTH;
			d->pos = d->body;
			d->what = AT_HBTYPE;
			return TLS_OK;
		}
		/* protected: paired by record length */
		if (p->hb_pend) {
			p->hb_pend = false;
			if (len > p->hb_req)
				return TLS_R_HB_LEAK;
		} else {
			if (d->hb_pend)
				return TLS_R_HB_INFLIGHT;
			d->hb_pend = true;
			d->hb_req = len;
		}
	}
	if (d->type == T_CCS && !d->enc) {
		d->pos = d->body;
		d->what = AT_CCS;
		return TLS_OK;
	}
	if (parsed(r, d, dir)) {
		hs_body(r, dir);
		return TLS_OK;
	}
	body_from(r, dir, d->body);
	return TLS_OK;
}

static enum tls_reason at_hbpl(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir], *p = &r->d[dir ^ 1];
	u8 t = d->s[d->body];
	u32 pl = (u32)d->s[d->body + 1] << 8 | d->s[d->body + 2];
	u32 len = d->end - d->body;

	/* RFC 6520 4: payload_length + 3 + 16 bytes of padding fit */
	if (pl + 3 + 16 > len)
		return TLS_R_HB_LENGTH;
	if (t == 1) {
		if (d->hb_pend)
			return TLS_R_HB_INFLIGHT;
		d->hb_pend = true;
		d->hb_req = pl;
	} else {
		if (!p->hb_pend || p->hb_req != pl)
			return TLS_R_HB_UNSOLICITED;
		p->hb_pend = false;
	}
	body_from(r, dir, d->body + 3);
	return TLS_OK;
}

static enum tls_reason at_v2(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir];
	u8 h0 = d->s[d->rec];
	u32 len;
	u8 m;

	switch (d->what) {
	case AT_V2LEN:
		len = (u32)(h0 & (h0 & 0x80 ? 0x7f : 0x3f)) << 8 | d->s[d->rec + 1];
		if (!len)
			return TLS_R_SSLV2_MALFORMED;
		d->body = d->rec + (h0 & 0x80 ? 2 : 3);
		d->end = d->body + len;
		if (!(h0 & 0x80)) {
			d->pos = d->rec + 2;
			d->what = AT_V2PAD;
			return TLS_OK;
		}
		break;
	case AT_V2PAD:
		/* padding is counted in the length: one data byte at least */
		if (d->s[d->rec + 2] >= d->end - d->body)
			return TLS_R_SSLV2_MALFORMED;
		break;
	case AT_V2MSG:
		m = d->s[d->body];
		if (m > 8)
			return TLS_R_SSLV2_MALFORMED;
		if (!v2_mine(dir, m))
			return TLS_R_SSLV2_DIRECTION;
		d->type = m;
		len = d->end - d->body;
		if (m == 1) {
			if (len < 3)
				return TLS_R_SSLV2_MALFORMED;
			d->pos = d->body + 2;	/* nothing decided at byte 1 */
			d->what = AT_V2B2;
			return TLS_OK;
		}
		if (m == 4) {
			if (!r->pol->allow_sslv2)
				return TLS_R_SSLV2_FORBIDDEN;
			if (len < 2)
				return TLS_R_SSLV2_MALFORMED;
			d->pos = d->body + 1;
			d->what = AT_V2B1;
			return TLS_OK;
		}
		body_from(r, dir, d->body + 1);
		return TLS_OK;
	case AT_V2B1:
		/* SERVER-HELLO session-id-hit: the client goes straight to ciphertext */
		if (d->s[d->body + 1])
			d->sid_hit = true;
		body_from(r, dir, d->body + 2);
		return TLS_OK;
	case AT_V2B2:
		/* CLIENT-HELLO version 0x0002: SSLv2 only */
		if (!r->pol->allow_sslv2 && d->s[d->body + 1] == 0 &&
		    d->s[d->body + 2] == 2)
			return TLS_R_SSLV2_FORBIDDEN;
		body_from(r, dir, d->body + 3);
		return TLS_OK;
	default:
		return TLS_R_MAX;	/* not reached */
	}
	/* header complete */
	if (d->enc) {
		body_from(r, dir, d->body);
	} else {
		d->pos = d->body;
		d->what = AT_V2MSG;
	}
	return TLS_OK;
}

/* The record version every record carries after the ServerHello */
static int sel_minor(const struct ref *r)
{
	if (!r->hs || !r->sh_done || r->draft || !r->selected)
		return -1;
	if (r->selected == TLS_V_TLS13)
		return 3;	/* RFC 8446 5.1: 0x0303 */
	return __builtin_ctz(r->selected);
}

/* The decision at d->pos of dir. */
static enum tls_reason decide(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir];
	u8 b = d->s[d->pos];

	switch (d->what) {
	case AT_TYPE:
		return at_type(r, dir);
	case AT_VMAJ:
		/* a server's early alerts may carry the version 0x0000 */
		d->v0 = !b && r->hs && d->alerts;
		if (b != 3 && !d->v0)
			return TLS_R_RECORD_VERSION;
		d->pos = d->rec + 2;
		d->what = AT_VMIN;
		return TLS_OK;
	case AT_VMIN:
		if (b > 4 || (d->v0 && b))
			return TLS_R_RECORD_VERSION;
		if (sel_minor(r) >= 0 && b != sel_minor(r))
			return TLS_R_VERSION_MISMATCH;
		d->pos = d->rec + 4;
		d->what = AT_LEN;
		return TLS_OK;
	case AT_LEN:
		return at_len(r, dir);
	case AT_CCS:
		if (b != 1)
			return TLS_R_CCS;
		rec_done(d, dir);
		return TLS_OK;
	case AT_HBTYPE:
		if (b != 1 && b != 2)
			return TLS_R_HB_TYPE;
		d->pos = d->body + 2;
		d->what = AT_HBPL;
		return TLS_OK;
	case AT_HBPL:
		return at_hbpl(r, dir);
	case AT_FAIL:
		return d->pending;
	case AT_END:
		rec_done(d, dir);
		return TLS_OK;
	case AT_HS:
		return at_hs(r, dir);
	default:
		return at_v2(r, dir);
	}
}

static bool rules_zero(const struct tls_rules *ru)
{
	return !ru->min_version && !ru->min_offer && !ru->ech && !ru->no_sni &&
	       !ru->sni_ip && !ru->sni_multi && !ru->sni_odd &&
	       !ru->cipher_deny && !ru->cipher_n;
}

static void ref_walk(struct ref *r, const struct ref_transcript *t,
		     struct ref_outcome *out);

void ref_run(const struct ref_transcript *t, const struct tls_policy *pol,
	     struct ref_outcome *out)
{
	struct ref r;
	unsigned int i;

	__builtin_memset(out, 0, sizeof(*out));
	__builtin_memset(&r, 0, sizeof(r));
	r.pol = pol;
	r.limit = pol->lowrun_limit > 65535 ? 65535 : pol->lowrun_limit;
	/* the layer is on from the flow's first record (the policy is fixed) */
	r.hs = pol->handshake;
	if (r.hs && !rules_zero(&pol->rules)) {
		out->unmodelled = true;
		out->seg = 0;
		return;
	}
	for (i = 0; i < 2; i++) {
		r.d[i].s = t->data[i];
		r.d[i].n = t->len[i];
		r.d[i].seg = t->seg[i];
		r.d[i].hb = malloc(t->len[i] + 1);
		r.d[i].hoff = malloc((t->len[i] + 1) * sizeof(u32));
		if (!r.d[i].hb || !r.d[i].hoff)
			abort();
	}
	ref_walk(&r, t, out);
	for (i = 0; i < 2; i++) {
		free(r.d[i].hb);
		free(r.d[i].hoff);
	}
}

static void ref_walk(struct ref *r, const struct ref_transcript *t,
		     struct ref_outcome *out)
{
	unsigned int dir;
	enum tls_reason v;

	for (;;) {
		bool a = r->d[0].pos < r->d[0].n, b = r->d[1].pos < r->d[1].n;
		u32 at;

		if (!a && !b)
			return;
		/* the decision whose byte arrived first */
		if (a && b)
			dir = r->d[1].seg[r->d[1].pos] < r->d[0].seg[r->d[0].pos];
		else
			dir = b;
		at = r->d[dir].pos;
		v = decide(r, dir);
		if (v) {
			out->reason = v;
			out->dir = dir;
			out->off = at;
			return;
		}
		if (r->unmod) {
			out->unmodelled = true;
			out->dir = dir;
			out->off = at;
			out->seg = t->seg[dir][at];
			return;
		}
	}
}

int ref_compare(const struct ref_transcript *t, const struct ref_outcome *ro,
		enum tls_reason reason, unsigned int dir, u32 off)
{
	bool before;

	if (!ro->unmodelled) {
		if (ro->reason != reason)
			return 0;
		return !reason || (ro->dir == dir && ro->off == off);
	}
	if (!reason)
		return -1;
	/* a verdict before the unmodelled byte: the reference had to see it */
	if (dir == ro->dir)
		before = off < ro->off;
	else
		before = t->seg[dir][off] < ro->seg;
	return before ? 0 : -1;
}
