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
 * Not modelled (the caller skips): the handshake layer, pol->handshake.
 */
#include "ref_parse.h"

#define T_CCS		20
#define T_ALERT		21
#define T_HANDSHAKE	22
#define T_APPDATA	23
#define T_HEARTBEAT	24

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
	bool hb_pend;
	u32 hb_req;
	bool sid_hit;	/* server: SSLv2 SERVER-HELLO with session-id-hit */
	u32 run;	/* bytes < 0x80 in a row, scanned bodies only */
};

struct ref {
	struct ref_dir d[2];
	const struct tls_policy *pol;
	u32 limit;
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

/* Low bytes of the body this record's reader must find random. */
static bool scanned(const struct ref_dir *d)
{
	if (!d->enc)
		return false;
	if (d->v2)
		return true;
	/* protected handshake records are left alone without the layer */
	return d->type == T_APPDATA || d->type == T_ALERT ||
	       d->type == T_HEARTBEAT;
}

static void rec_done(struct ref_dir *d, unsigned int dir)
{
	if (d->v2) {
		/* SSLv2: the server encrypts after SERVER-HELLO, the client after CLIENT-MASTER-KEY */
		if (dir == TLS_DIR_SERVER || d->type == 2)
			d->enc = true;
	} else if (d->type == T_CCS && !d->enc) {
		d->enc = true;
		d->after_ccs = true;
	}
	d->pos = d->end;
	d->what = AT_TYPE;
}

/*
 * The body from byte p on holds no decision but the low-byte run: scan
 * what the buffer has of it, then go to the next record.
 */
static void body_from(struct ref *r, unsigned int dir, u32 p)
{
	struct ref_dir *d = &r->d[dir];
	u32 stop = d->end < d->n ? d->end : d->n;

	if (scanned(d)) {
		for (; p < stop; p++) {
			if (!r->limit) {
				d->run = 0;
				continue;
			}
			if (d->s[p] >= 0x80) {
				d->run = 0;
				continue;
			}
			d->run++;
			if (d->run >= r->limit) {
				d->pos = p;
				d->what = AT_FAIL;
				d->pending = TLS_R_LOWRUN;
				return;
			}
		}
	}
	rec_done(d, dir);
}

static u32 tls_max(const struct ref_dir *d)
{
	if (!d->enc)
		return 16384;		/* RFC 5246 6.2.1 */
	return d->tls13 ? 16384 + 256 : 16384 + 2048;	/* RFC 8446 5.2, 5246 6.2.3 */
}

static enum tls_reason at_type(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir], *p = &r->d[dir ^ 1];
	u8 b = d->s[d->pos];
	bool after_ccs = d->after_ccs;

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
		if (dir == TLS_DIR_CLIENT && p->sid_hit)
			d->enc = true;
		d->type = 0xff;
		d->pos = d->rec + 1;
		d->what = AT_V2LEN;
		return TLS_OK;
	}
	if (b < T_CCS || b > T_HEARTBEAT)
		return TLS_R_RECORD_TYPE;
	d->type = b;
	if (b == T_HEARTBEAT) {
		if (r->pol->heartbeat == TLS_HB_DROP)
			return TLS_R_HB_FORBIDDEN;
		if (r->pol->heartbeat == TLS_HB_VALIDATE && (d->tls13 || p->tls13))
			return TLS_R_HB_TLS13;
	}
	/* application data in the clear or first after the CCS: TLS 1.3 */
	if (b == T_APPDATA && (after_ccs || !d->enc)) {
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
		} else if (d->hb_pend) {
			return TLS_R_HB_INFLIGHT;
		} else {
			d->hb_pend = true;
			d->hb_req = len;
		}
	}
	if (d->type == T_CCS && !d->enc) {
		d->pos = d->body;
		d->what = AT_CCS;
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

/* The decision at d->pos of dir. */
static enum tls_reason decide(struct ref *r, unsigned int dir)
{
	struct ref_dir *d = &r->d[dir];
	u8 b = d->s[d->pos];

	switch (d->what) {
	case AT_TYPE:
		return at_type(r, dir);
	case AT_VMAJ:
		if (b != 3)
			return TLS_R_RECORD_VERSION;
		d->pos = d->rec + 2;
		d->what = AT_VMIN;
		return TLS_OK;
	case AT_VMIN:
		if (b > 4)
			return TLS_R_RECORD_VERSION;
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
	default:
		return at_v2(r, dir);
	}
}

void ref_run(const struct ref_transcript *t, const struct tls_policy *pol,
	     struct ref_outcome *out)
{
	struct ref r;
	unsigned int i, dir;
	enum tls_reason v;

	__builtin_memset(out, 0, sizeof(*out));
	if (pol->handshake) {
		out->unmodelled = true;
		return;
	}
	__builtin_memset(&r, 0, sizeof(r));
	r.pol = pol;
	r.limit = pol->lowrun_limit > 65535 ? 65535 : pol->lowrun_limit;
	for (i = 0; i < 2; i++) {
		r.d[i].s = t->data[i];
		r.d[i].n = t->len[i];
		r.d[i].seg = t->seg[i];
	}
	for (;;) {
		bool a = r.d[0].pos < r.d[0].n, b = r.d[1].pos < r.d[1].n;

		if (!a && !b)
			return;
		/* the decision whose byte arrived first */
		if (a && b)
			dir = r.d[1].seg[r.d[1].pos] < r.d[0].seg[r.d[0].pos];
		else
			dir = b;
		v = decide(&r, dir);
		if (v) {
			out->reason = v;
			out->dir = dir;
			out->off = r.d[dir].pos;
			return;
		}
	}
}
