// SPDX-License-Identifier: GPL-2.0
/*
 * TLS / SSLv2 record-stream engine: an incremental push parser.
 *
 * State invariants (hold between any two calls, for any input):
 *
 *  - Each direction is parsed on its own; the only coupling is explicit
 *    (peer flags read at a record start, heartbeat pending bits).  The
 *    verdict depends only on the byte sequence of each direction and the
 *    order of the calls between directions, never on where a direction's
 *    stream is cut: every header byte is consumed and validated in the
 *    state machine the moment it arrives (no header buffer), and every rule
 *    is decided at one fixed byte of the stream.  res->at names that byte.
 *  - state is one of enum tls_state (tls_engine.h).  ST_REC/ST_REC_PROT
 *    wait for the first byte of a record header; ST_VMAJ..ST_LEN1 and
 *    ST_V2_HDR2_LEN1..ST_V2_HDR3_PAD are inside a header; ST_BODY and the
 *    named body states are inside a record body; ST_DEAD is final.
 *  - In a header, scratch holds the header's first length byte; rec_left is
 *    only written once the whole length is known and checked.  In a body,
 *    rec_left > 0 is the number of body bytes still to come.  So rec_left
 *    never exceeds the largest length accepted (18432 for TLS, 0x7fff for
 *    SSLv2) and a record end is detected when it reaches 0.
 *  - In ST_DEAD, scratch holds the enum tls_reason of the violation; the
 *    direction is never read again.
 *  - run counts consecutive bytes < 0x80 of scanned bodies (see
 *    tls_lowrun_scan()); it is only changed by body bytes of encrypted
 *    records.
 *  - flags only gain bits, except TLS_F_SSLV2 (cleared once, at a record
 *    boundary, by the compatibility-hello switch) and TLS_F_HB_PEND.
 *  - Every loop consumes at least one input byte per iteration or walks a
 *    bounded prefix of buf: the work of a call is O(len).
 */
#include "tls_engine.h"
#include "tls_handshake.h"
#include "tls_lowrun.h"
#include "tls_seg_fast.h"
#include "tls_tcp_rules.h"

/* SSLv2 message types (draft-hickman-netscape-ssl-00) */
#define V2_CLIENT_HELLO	1
#define V2_CLIENT_MKEY	2
#define V2_SERVER_HELLO	4
#define V2_MSG_MAX	8
#define V2_CLIENT_MSGS	((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 8))
#define V2_SERVER_MSGS	((1u << 0) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7))
#define V2_NOTYPE	0xff		/* rec_type of an encrypted SSLv2 record */

static const struct tls_policy default_policy = {
	.lowrun_limit = TLS_LOWRUN_DEFAULT,
	.heartbeat = TLS_HB_VALIDATE,
	.allow_sslv2 = 0,
	.handshake = TLS_HANDSHAKE_DEFAULT,
};

void tls_flow_init(struct tls_flow *f)
{
	__builtin_memset(f, 0, sizeof(*f));
}

void tls_flow_stop(struct tls_flow *f)
{
	f->dir[0].flags |= TLS_F_OFF;
	f->dir[1].flags |= TLS_F_OFF;
}

bool tls_flow_dead(const struct tls_flow *f)
{
	/* audit mode stops the flow after a violation: stopped, not dead */
	if (f->dir[0].flags & TLS_F_OFF)
		return false;
	return f->dir[0].state == ST_DEAD || f->dir[1].state == ST_DEAD;
}

/*
 * Low-byte run rule.  Ciphertext is uniformly random, so a long run of bytes
 * below 0x80 in a protected record means plaintext tunnelled through port
 * 443 (or a broken peer).  Decisions:
 *
 *  - Scanned: the bodies of protected application data, alert and
 *    heartbeat records, and of every protected SSLv2 record.  Not scanned:
 *    CCS (TLS 1.3's compatibility CCS is the plaintext byte 1).  Protected
 *    handshake records (TLS <= 1.2 Finished, renegotiation) are scanned
 *    only with the handshake layer on, which knows the exception: after a
 *    TLS 1.3 HelloRetryRequest the client sends a compatibility CCS and
 *    then its second ClientHello in plaintext (zero padding, cipher
 *    lists), parsed and not scanned.  Without the layer that hello cannot
 *    be told from ciphertext, so no handshake record is scanned.
 *  - The run continues across record boundaries of the encrypted phase:
 *    header bytes and unscanned bodies neither count nor reset it, so
 *    a long plaintext run cannot be hidden by cutting it into many small
 *    records.  Runs across calls count too: run lives in the flow state.
 *  - limit 0 turns the rule off: bodies are not scanned and run is reset to
 *    0, so a limit switched on later counts from the next scanned byte.
 *  - A violation is the byte at which run reaches the limit, checked with
 *    >= so that a limit lowered at run time fires at the next low byte.
 *    Limits above TLS_LOWRUN_MAX are clamped to it (run saturates there).
 *
 * The scan itself is tls_lowrun_scan() (tls_lowrun.h).
 */
static bool lowrun_scanned(const struct tls_flow *f, const struct tls_dir *d,
			   unsigned int dir)
{
	if (!(d->flags & TLS_F_ENCRYPTED))
		return false;
	if (d->flags & TLS_F_SSLV2)
		return true;
	if (d->rec_type == CT_HANDSHAKE)
		return tls_hs_on(f) && !tls_hs_parsed_hrr(f, dir);
	return d->rec_type == CT_APPDATA || d->rec_type == CT_ALERT ||
	       d->rec_type == CT_HEARTBEAT;
}

/* The largest record length d may announce now. */
static u32 max_len(const struct tls_dir *d)
{
	if (!(d->flags & TLS_F_ENCRYPTED))
		return TLS_MAX_PLAIN;
	return d->flags & TLS_F_TLS13 ? TLS_MAX_CIPHER13 : TLS_MAX_CIPHER;
}

/* rec_left just reached 0: the record is complete. */
static void rec_end(struct tls_dir *d, unsigned int dir)
{
	d->state = ST_REC;
	if (d->flags & TLS_F_SSLV2) {
		/*
		 * SSLv2 has no CCS: the client is in clear up to and including
		 * CLIENT-MASTER-KEY, the server for its SERVER-HELLO only.
		 */
		if (dir == TLS_DIR_SERVER || d->rec_type == V2_CLIENT_MKEY)
			d->flags |= TLS_F_ENCRYPTED;
		return;
	}
	if (d->rec_type == CT_CCS && !(d->flags & TLS_F_ENCRYPTED)) {
		d->flags |= TLS_F_ENCRYPTED;
		/* the next record's type tells TLS 1.3 from <= 1.2 */
		d->state = ST_REC_PROT;
	}
}

/* One body byte of a byte-wise body state was consumed. */
static void body_next(struct tls_dir *d, unsigned int dir)
{
	if (!d->rec_left)
		rec_end(d, dir);
	else
		d->state = ST_BODY;
}

/* First header byte while in SSLv2 framing. */
static void v2_start(struct tls_dir *d, const struct tls_dir *peer,
		     unsigned int dir, u8 b)
{
	/*
	 * After a SERVER-HELLO with session-id-hit the client sends no
	 * CLIENT-MASTER-KEY: everything it sends next is encrypted.
	 */
	if (dir == TLS_DIR_CLIENT && (peer->flags & TLS_F_V2_SIDHIT))
		d->flags |= TLS_F_ENCRYPTED;
	d->rec_type = V2_NOTYPE;
	d->scratch = b;
	d->state = b & 0x80 ? ST_V2_HDR2_LEN1 : ST_V2_HDR3_LEN1;
}

/* SSLv2 header complete (length in rec_left, > 0). */
static void v2_hdr_done(struct tls_dir *d)
{
	d->state = d->flags & TLS_F_ENCRYPTED ? ST_BODY : ST_V2_MSG;
}

/* Plaintext SSLv2 message type (first body byte). */
static enum tls_reason v2_msg(struct tls_dir *d, unsigned int dir, u8 b,
			      const struct tls_policy *pol)
{
	u32 mine = dir == TLS_DIR_CLIENT ? V2_CLIENT_MSGS : V2_SERVER_MSGS;

	if (b > V2_MSG_MAX)
		return TLS_R_SSLV2_MALFORMED;
	if (!(mine & (1u << b)))
		return TLS_R_SSLV2_DIRECTION;
	d->rec_type = b;
	d->rec_left--;
	if (b == V2_CLIENT_HELLO) {
		/* version (2 bytes) follows; shorter is no CLIENT-HELLO */
		if (d->rec_left < 2)
			return TLS_R_SSLV2_MALFORMED;
		d->state = ST_V2_B1;
		return TLS_OK;
	}
	if (b == V2_SERVER_HELLO) {
		/* only SSLv2 servers answer in SSLv2: a real v2 session */
		if (!pol->allow_sslv2)
			return TLS_R_SSLV2_FORBIDDEN;
		if (d->rec_left < 1)
			return TLS_R_SSLV2_MALFORMED;
		d->state = ST_V2_B1;
		return TLS_OK;
	}
	body_next(d, dir);
	return TLS_OK;
}

/* First byte of a record header (states ST_REC and ST_REC_PROT). */
static enum tls_reason rec_start(struct tls_flow *f, struct tls_dir *d,
				 struct tls_dir *peer, unsigned int dir, u8 b,
				 const struct tls_policy *pol)
{
	bool prot = d->state == ST_REC_PROT;
	bool first = !(d->flags & TLS_F_HDR_SEEN);
	enum tls_reason r;

	/*
	 * After its SSLv2-format hello the client's framing depends on the
	 * server's answer (SSLv2, or TLS for a compatibility hello): a record
	 * sent before the server said anything could be framed either way.
	 * Neither protocol lets the client speak again before that.
	 */
	if (dir == TLS_DIR_CLIENT &&
	    (d->flags & (TLS_F_SSLV2 | TLS_F_HDR_SEEN)) ==
	    (TLS_F_SSLV2 | TLS_F_HDR_SEEN) && !(peer->flags & TLS_F_HDR_SEEN))
		return TLS_R_SSLV2_EARLY;
	/*
	 * Compatibility hello: an old client sends its ClientHello in SSLv2
	 * format, then talks TLS once the server has answered in TLS.
	 */
	if ((d->flags & TLS_F_SSLV2) && (peer->flags & TLS_F_HDR_SEEN) &&
	    !(peer->flags & TLS_F_SSLV2))
		d->flags &= ~TLS_F_SSLV2;
	/* only a direction's first record may switch it to SSLv2 framing */
	if (!(d->flags & TLS_F_HDR_SEEN) && (b & 0x80)) {
		d->flags |= TLS_F_SSLV2;
		if (d->version < 0x02)
			d->version = 0x02;
	}
	d->flags |= TLS_F_HDR_SEEN;
	if (d->flags & TLS_F_SSLV2) {
		r = tls_hs_rec_start(f, dir, b, first, true, pol);
		if (r)
			return r;
		v2_start(d, peer, dir, b);
		return TLS_OK;
	}
	if (b < CT_CCS || b > CT_HEARTBEAT)
		return TLS_R_RECORD_TYPE;
	r = tls_hs_rec_start(f, dir, b, first, false, pol);
	if (r)
		return r;
	d->rec_type = b;
	if (b == CT_HEARTBEAT) {
		r = tls_hb_start(d, peer, pol);
		if (r)
			return r;
	}
	/*
	 * TLS 1.3 has no plaintext application data and protects everything
	 * as type 23; in <= 1.2 the first protected record is the Finished
	 * (type 22).  So type 23 in the clear, or right after the plaintext
	 * CCS, means TLS 1.3 and encryption.
	 */
	if (tls_hs_on(f) && (f->hs_flags & TLS_HS_SH_DONE)) {
		/* the ServerHello said which: no guess */
		if (b == CT_APPDATA && !(d->flags & TLS_F_TLS13) &&
		    (prot || !(d->flags & TLS_F_ENCRYPTED) ||
		     f->hs_selected == TLS_V_TLS13))
			d->flags |= TLS_F_ENCRYPTED |
				    (f->hs_selected == TLS_V_TLS13 ?
				     TLS_F_TLS13 : 0);
	} else if (b == CT_APPDATA && (prot || !(d->flags & TLS_F_ENCRYPTED))) {
		d->flags |= TLS_F_ENCRYPTED | TLS_F_TLS13;
	}
	d->state = ST_VMAJ;
	return TLS_OK;
}

/* Last byte of a TLS record header: all length rules are decided here. */
static enum tls_reason tls_len_done(struct tls_dir *d, struct tls_dir *peer,
				    unsigned int dir, u8 b,
				    const struct tls_policy *pol)
{
	u32 len = (u32)d->scratch << 8 | b;
	bool enc = d->flags & TLS_F_ENCRYPTED;
	enum tls_reason r;

	/* generic length rules first, then the per-type ones */
	if (len > max_len(d) || (!len && d->rec_type != CT_APPDATA))
		return TLS_R_RECORD_LENGTH;
	if (d->rec_type == CT_CCS && !enc && len != 1)
		return TLS_R_CCS;
	if (d->rec_type == CT_HEARTBEAT) {
		r = tls_hb_length(d, peer, len, pol);
		if (r)
			return r;
	}
	d->rec_left = len;
	if (!len) {
		rec_end(d, dir);
		return TLS_OK;
	}
	if (d->rec_type == CT_CCS && !enc)
		d->state = ST_CCS_BODY;
	else if (d->rec_type == CT_HEARTBEAT && tls_hb_parse_body(d, pol))
		d->state = ST_HB_TYPE;
	else
		d->state = ST_BODY;
	return TLS_OK;
}

/*
 * The body pass of tls_feed() over p[0..n), n > 0, of a scanned record,
 * for the bodies lowrun_quick() leaves, out of line: the run at the end
 * (or at the deciding byte) in the upper half, the offset of the deciding
 * byte or n in the lower one.
 */
static noinline u64 lowrun_body(const u8 *p, u32 n, u32 run, u32 limit)
{
	u32 at = n;

	if (!limit) {
		run = 0;
	} else {
		at = tls_lowrun_scan(p, n, &run, limit);
		if (run > TLS_LOWRUN_MAX)
			run = TLS_LOWRUN_MAX;
	}
	return (u64)run << 32 | at;
}

/*
 * The common case at once: protected TLS application data records in
 * state ST_REC (not ST_REC_PROT, whose first type decides TLS 1.3), the
 * bulk of every protected stream, and of interactive traffic (HTTP/2,
 * gRPC) one small record after the other.  While the next 5 bytes of buf
 * are a valid header of such a record it is taken with direct loads and
 * the part of its body in buf scanned at once, without a pass through
 * tls_feed()'s loop per header and per body; what the run of records
 * changes in d is written once (flags, type, run) or with a store per
 * record (version, scratch, rec_left).
 *
 * Has exactly the effects of the step() calls and body passes of
 * tls_feed() it replaces (rec_start() reads the peer only in SSLv2
 * framing, excluded here): a header it does not take is left to step(),
 * byte by byte, with d in ST_REC, so a violation names the same byte; a
 * body cut by the end of buf leaves d in ST_BODY.  What makes a header
 * eligible besides its own bytes is read once: the record layer's flags,
 * max_len() and the handshake layer's rules at a record start (a record
 * version, the TLS 1.3 flag, a message cut by this record, any record
 * before the ServerHello: the order of early data) change only through
 * records this loop does not take.  The bodies are scanned as the body
 * pass of tls_feed() scans them, by tls_lowrun_scan(), run carried from
 * one body to the next as it is in d->run.
 *
 * Returns the offset in buf where it stopped, i if it took nothing.  On a
 * low-byte run reaching limit, sets *rp and returns the deciding byte,
 * with d as the body pass leaves it (rec_left the body not consumed).
 */
static __always_inline u32 appdata_run(const struct tls_flow *f,
				       struct tls_dir *d, unsigned int dir,
				       const u8 *buf, u32 len, u32 i,
				       u32 limit, u32 *records,
				       enum tls_reason *rp)
{
	u32 maxl, bl, n, at, run, step, nrec = 0;
	/* bit v: record version minor v is accepted (v <= 4) */
	u32 vmask = appdata_vmask(f, d, dir);
	const u8 *h;
	u64 ra;

	if (!vmask)
		return i;
	/* max_len() of a protected record */
	maxl = d->flags & TLS_F_TLS13 ? TLS_MAX_CIPHER13 : TLS_MAX_CIPHER;
	run = d->run;
	/* lowrun_quick() takes limits of 15 and more */
	step = limit >= 15 ? lowrun_step(limit) : 0;
	do {
		h = buf + i;
		bl = (u32)h[3] << 8 | h[4];
		if (h[0] != CT_APPDATA || h[1] != 3 || h[2] > 4 ||
		    !(vmask >> h[2] & 1) || bl > maxl)
			break;
		nrec++;
		d->scratch = h[3];
		if (d->version < (0x30 | h[2]))
			d->version = 0x30 | h[2];
		i += 5;
		if (bl > len - i)
			goto cut;
		if (step && bl >= 16 &&
		    lowrun_quick(buf + i, bl, &run, limit, step)) {
			/* ciphertext */
		} else if (bl) {
			ra = lowrun_body(buf + i, bl, run, limit);
			run = ra >> 32;
			at = (u32)ra;
			if (at < bl) {
				d->rec_left = bl;
				i += at;
				*rp = TLS_R_LOWRUN;
				goto out;
			}
		}
		i += bl;
	} while (len - i >= 5);
	if (nrec)
		d->rec_left = 0;
	goto out;
cut:
	/* the last record goes on in the next call */
	n = len - i;
	d->state = ST_BODY;
	d->rec_left = bl - n;
	if (n) {
		ra = lowrun_body(buf + i, n, run, limit);
		run = ra >> 32;
		at = (u32)ra;
		if (at < n) {
			d->rec_left = bl;
			i += at;
			*rp = TLS_R_LOWRUN;
			goto out;
		}
	}
	i += n;
out:
	if (nrec) {
		*records += nrec;
		d->flags |= TLS_F_HDR_SEEN;
		d->rec_type = CT_APPDATA;
		d->run = run;
	}
	return i;
}

/*
 * One byte in an SSLv2 framing state: the 2- and 3-byte headers and the
 * first plaintext body bytes.  *records as for step().
 */
static enum tls_reason v2_step(struct tls_dir *d, unsigned int dir, u8 b,
			       const struct tls_policy *pol, u32 *records)
{
	u32 len;

	switch (d->state) {
	case ST_V2_HDR2_LEN1:
		len = (u32)(d->scratch & 0x7f) << 8 | b;
		if (!len)
			return TLS_R_SSLV2_MALFORMED;
		d->rec_left = len;
		(*records)++;
		v2_hdr_done(d);
		return TLS_OK;
	case ST_V2_HDR3_LEN1:
		len = (u32)(d->scratch & 0x3f) << 8 | b;
		if (!len)
			return TLS_R_SSLV2_MALFORMED;
		d->rec_left = len;
		d->state = ST_V2_HDR3_PAD;
		return TLS_OK;
	case ST_V2_HDR3_PAD:
		/* the padding is part of the length: at least one data byte */
		if (b >= d->rec_left)
			return TLS_R_SSLV2_MALFORMED;
		(*records)++;
		v2_hdr_done(d);
		return TLS_OK;
	case ST_V2_MSG:
		return v2_msg(d, dir, b, pol);
	case ST_V2_B1:
		d->rec_left--;
		if (d->rec_type == V2_CLIENT_HELLO) {
			d->scratch = b;
			d->state = ST_V2_B2;
			return TLS_OK;
		}
		/* SERVER-HELLO: session-id-hit */
		if (b)
			d->flags |= TLS_F_V2_SIDHIT;
		body_next(d, dir);
		return TLS_OK;
	case ST_V2_B2:
		d->rec_left--;
		/*
		 * CLIENT-HELLO version 0x0002 offers only SSLv2; 0x0300 and
		 * up is a TLS client using the compatible hello format.
		 */
		if (!pol->allow_sslv2 && d->scratch == 0 && b == 2)
			return TLS_R_SSLV2_FORBIDDEN;
		body_next(d, dir);
		return TLS_OK;
	default:
		/* not reachable while the invariants hold */
		return TLS_R_RECORD_TYPE;
	}
}

/*
 * One byte in any state but ST_BODY and ST_DEAD.  *records is incremented
 * when a record header is complete and valid.
 */
static enum tls_reason step(struct tls_flow *f, struct tls_dir *d,
			    struct tls_dir *peer, unsigned int dir, u8 b,
			    const struct tls_policy *pol, u32 *records)
{
	enum tls_reason r;

	switch (d->state) {
	case ST_REC:
	case ST_REC_PROT:
		return rec_start(f, d, peer, dir, b, pol);
	case ST_VMAJ:
		/* 0: a server's alert before the hello (tls_hs_v0()) */
		if (b != 3 && (b || !tls_hs_v0(f, dir)))
			return TLS_R_RECORD_VERSION;
		d->state = ST_VMIN;
		return TLS_OK;
	case ST_VMIN:
		if (b > 4)
			return TLS_R_RECORD_VERSION;
		/*
		 * After the ServerHello every record carries the version it
		 * selected (0x0303 for TLS 1.3: RFC 8446 5.1); the drafts and
		 * experiments of TLS 1.3 used others (0x0301).
		 */
		if (rec_minor(f) >= 0 && b != rec_minor(f))
			return TLS_R_VERSION_MISMATCH;
		if (tls_hs_v0_rec(f, dir)) {
			if (b)
				return TLS_R_RECORD_VERSION;
		} else if (d->version < (0x30 | b)) {
			d->version = 0x30 | b;
		}
		d->state = ST_LEN0;
		return TLS_OK;
	case ST_LEN0:
		d->scratch = b;
		d->state = ST_LEN1;
		return TLS_OK;
	case ST_LEN1:
		r = tls_len_done(d, peer, dir, b, pol);
		if (!r && tls_hs_alerts_only(f, dir) && d->rec_left != 2)
			r = TLS_R_EARLY_SERVER;
		if (!r)
			(*records)++;
		return r;
	case ST_CCS_BODY:
		if (b != 1)
			return TLS_R_CCS;
		d->rec_left = 0;
		rec_end(d, dir);
		return TLS_OK;
	case ST_HB_TYPE:
		r = tls_hb_msg_type(b);
		if (r)
			return r;
		d->scratch = (u16)b << 8;
		d->rec_left--;
		d->state = ST_HB_PL0;
		return TLS_OK;
	case ST_HB_PL0:
		d->scratch |= b;
		d->rec_left--;
		d->state = ST_HB_PL1;
		return TLS_OK;
	case ST_HB_PL1:
		d->rec_left--;
		r = tls_hb_payload(d, peer, d->scratch >> 8,
				   (u16)((d->scratch & 0xff) << 8 | b),
				   d->rec_left);
		if (r)
			return r;
		/* payload_length + 16 <= rec_left: the body goes on */
		d->state = ST_BODY;
		return TLS_OK;
	default:
		/* the SSLv2 states, and any other (not reachable) */
		return v2_step(d, dir, b, pol, records);
	}
}

/* Where feed_loop() is in buf, and the record headers it completed. */
struct feed_pos {
	u32 i;
	u32 records;
};

/*
 * The general loop of tls_feed() from buf[pos->i] on: any state, byte by
 * byte in headers, a pass per body.  Out of line, so that the common case
 * of tls_feed() (appdata_run() alone) does not pay for its registers.  On
 * a violation pos->i is the deciding byte.
 */
static noinline enum tls_reason feed_loop(struct tls_flow *f,
					  unsigned int dir, const u8 *buf,
					  u32 len, const struct tls_policy *pol,
					  struct feed_pos *pos)
{
	struct tls_dir *d = &f->dir[dir];
	struct tls_dir *peer = &f->dir[dir ^ 1];
	enum tls_reason r = TLS_OK;
	u32 records = 0;
	u32 i = pos->i;
	u32 limit = pol->lowrun_limit;
	u32 n, at, run;

	if (limit > TLS_LOWRUN_MAX)
		limit = TLS_LOWRUN_MAX;

	while (i < len) {
		if (d->state != ST_BODY) {
			if (d->state == ST_REC && len - i >= 5) {
				i = appdata_run(f, d, dir, buf, len, i, limit,
						&records, &r);
				if (r)
					break;
				/* else at a header it does not take: step() */
				if (i == len)
					break;
			}
			r = step(f, d, peer, dir, buf[i], pol, &records);
			if (r)
				break;
			i++;
			continue;
		}
		n = len - i;
		if (n > d->rec_left)
			n = d->rec_left;
		if (lowrun_scanned(f, d, dir)) {
			if (!limit) {
				d->run = 0;
			} else {
				run = d->run;
				at = tls_lowrun_scan(buf + i, n, &run, limit);
				d->run = run > TLS_LOWRUN_MAX ? TLS_LOWRUN_MAX :
					 run;
				if (at < n) {
					i += at;
					r = TLS_R_LOWRUN;
					break;
				}
			}
		} else if (tls_hs_parsed(f, dir)) {
			r = tls_hs_body(f, dir, buf + i, n, &at, pol);
			if (r) {
				i += at;
				break;
			}
		}
		i += n;
		d->rec_left -= n;
		if (!d->rec_left)
			rec_end(d, dir);
	}
	pos->i = i;
	pos->records = records;
	return r;
}

/*
 * tls_feed() past its checks of the direction: d is neither stopped, dead
 * nor past its FIN, pol is set, res is zeroed (or NULL).  Inline in both
 * tls_feed() and tls_seg_fast(), so that the two take the records with
 * one code.
 */
static __always_inline enum tls_reason feed_live(struct tls_flow *f,
						 unsigned int dir,
						 const u8 *buf, u32 len,
						 const struct tls_policy *pol,
						 struct tls_result *res)
{
	struct tls_dir *d = &f->dir[dir];
	enum tls_reason r = TLS_OK;
	u32 records = 0;
	u32 i = 0;
	u32 limit;

	/* read once per call: the glue may change it between calls */
	limit = pol->lowrun_limit;
	if (limit > TLS_LOWRUN_MAX)
		limit = TLS_LOWRUN_MAX;
	/* a layer switched off mid-flow cannot find its messages again */
	if ((f->hs_flags & TLS_HS_ON) && !pol->handshake)
		f->hs_flags |= TLS_HS_STOP;

	/* whole small records, one or more per call: the loop not needed */
	if (d->state == ST_REC && len >= 5) {
		i = appdata_run(f, d, dir, buf, len, 0, limit, &records, &r);
		if (r)
			goto fail;
	}
	if (i < len) {
		struct feed_pos pos = { .i = i };

		r = feed_loop(f, dir, buf, len, pol, &pos);
		records += pos.records;
		i = pos.i;
		if (r)
			goto fail;
	}
	if (res)
		res->records = records;
	return TLS_OK;
fail:
	d->state = ST_DEAD;
	d->scratch = r;
	if (res) {
		res->at = i;
		res->records = records;
	}
	return r;
}

enum tls_reason tls_feed(struct tls_flow *f, unsigned int dir, const u8 *buf,
			 u32 len, const struct tls_policy *pol,
			 struct tls_result *res)
{
	struct tls_dir *d;

	if (res) {
		res->at = 0;
		res->records = 0;
	}
	/* conntrack directions are 0 and 1; anything else is not ours */
	if (dir > 1)
		return TLS_OK;
	d = &f->dir[dir];
	if (d->flags & TLS_F_OFF)
		return TLS_OK;
	if (d->state == ST_DEAD)
		return d->scratch < TLS_R_MAX ? d->scratch : TLS_R_RECORD_TYPE;
	/* tls_seg_begin() feeds nothing after a FIN; nothing to read here */
	if (d->state == ST_FIN)
		return TLS_OK;
	if (!pol)
		pol = &default_policy;
	return feed_live(f, dir, buf, len, pol, res);
}

/*
 * The fused per-segment path (tls_seq.h).  What tls_seg_begin() decides
 * for a segment is, but for a few facts of the segment and of the flow,
 * always the same: a new in-order segment to feed whole.  Those facts are
 * checked first (seg_fast_ok()), before anything changes; each one that
 * does not hold sends the segment to the general path.  Then the effects
 * of tls_seg_begin() on such a segment (seg_fast_note()), of tls_feed()
 * and of tls_seg_end() (seg_end(), tls_tcp_rules.h), in that order.
 */
static __always_inline bool seg_fast_ok(const struct tls_flow *f,
					unsigned int dir,
					const struct tls_tcp *t,
					const struct tls_policy *pol)
{
	const struct tls_dir *c = &f->dir[TLS_DIR_CLIENT];
	const struct tls_dir *sv = &f->dir[TLS_DIR_SERVER];
	const struct tls_dir *d = &f->dir[dir];

	/*
	 * The segment: no flag with a rule of its own (SYN, FIN, RST, URG,
	 * IP or signature options, an old ACK to raise), a TTL at the floor
	 * or above, payload that tls_seq_segment() takes as new (a length
	 * of 2^31 or more would be old), starting at the next byte: skip 0.
	 */
	if ((t->flags & (TLS_TCP_SYN | TLS_TCP_FIN | TLS_TCP_RST |
			 TLS_TCP_URG | TLS_TCP_IPOPT | TLS_TCP_SIGOPT |
			 TLS_TCP_OLDACK)) ||
	    (s32)t->len <= 0 || t->ttl < pol->ttl_floor ||
	    t->seq != d->next_seq)
		return false;
	/*
	 * The flow: both sides' streams known from their SYNs, not a pickup,
	 * not stopped, neither side dead (tls_flow_dead()), this side not
	 * past its FIN.
	 */
	if ((c->flags & (TLS_F_SEQ_VALID | TLS_F_PICKUP | TLS_F_OFF)) !=
	    TLS_F_SEQ_VALID ||
	    (sv->flags & (TLS_F_SEQ_VALID | TLS_F_OFF)) != TLS_F_SEQ_VALID ||
	    c->state == ST_DEAD || sv->state == ST_DEAD || d->state == ST_FIN)
		return false;
	/* the receiver takes the bytes: PAWS and its window */
	return paws_drop(f, dir, t) == TLS_DROP_NONE &&
	       !beyond_window(f, dir, t);
}

/* What tls_seg_begin() does to the flow for a segment seg_fast_ok() took */
static __always_inline void seg_fast_note(struct tls_flow *f,
					  unsigned int dir,
					  const struct tls_tcp *t,
					  struct tls_fate *o)
{
	struct tls_dir *sv = &f->dir[TLS_DIR_SERVER];

	if (dir == TLS_DIR_CLIENT && !(sv->flags & TLS_F_HB_PEND))
		sv->hb_req = 0;
	ts_note(f, dir, t);
	win_note(f, dir, t);
	o->seg = (struct tls_seg){ .action = TLS_SEQ_NEW };
	o->res.at = 0;
	o->res.records = 0;
}

/* A segment seg_fast_ok() took, fed by feed_live(): any record, any state */
static __always_inline bool seg_fast_feed(struct tls_flow *f,
					  unsigned int dir,
					  const struct tls_tcp *t,
					  const u8 *payload,
					  const struct tls_policy *pol,
					  struct tls_fate *o)
{
	seg_fast_note(f, dir, t, o);
	o->r = feed_live(f, dir, payload, t->len, pol, &o->res);
	seg_end(f, dir, t->len, o->r, pol, &o->seg);
	return true;
}

/* seg_fast_ok(), and if it holds seg_fast_feed(): any segment, out of line */
noinline bool tls_seg_warm(struct tls_flow *f, unsigned int dir,
			   const struct tls_tcp *t, const u8 *payload,
			   const struct tls_policy *pol, struct tls_fate *o)
{
	if (!seg_fast_ok(f, dir, t, pol))
		return false;
	return seg_fast_feed(f, dir, t, payload, pol, o);
}

/* tls_seg_fast.h's inline entry, for the callers that take a call */
bool tls_seg_fast(struct tls_flow *f, unsigned int dir,
		  const struct tls_tcp *t, const u8 *payload,
		  const struct tls_policy *pol, struct tls_fate *o)
{
	return tls_seg_fast_inline(f, dir, t, payload, pol, o);
}

const char *tls_reason_name(enum tls_reason r)
{
	static const char *const names[TLS_R_MAX] = {
		[TLS_OK] = "ok",
		[TLS_R_RECORD_TYPE] = "record_type",
		[TLS_R_RECORD_VERSION] = "record_version",
		[TLS_R_RECORD_LENGTH] = "record_length",
		[TLS_R_CCS] = "ccs",
		[TLS_R_HB_FORBIDDEN] = "hb_forbidden",
		[TLS_R_HB_TYPE] = "hb_type",
		[TLS_R_HB_LENGTH] = "hb_length",
		[TLS_R_HB_INFLIGHT] = "hb_inflight",
		[TLS_R_HB_UNSOLICITED] = "hb_unsolicited",
		[TLS_R_HB_LEAK] = "hb_leak",
		[TLS_R_HB_TLS13] = "hb_tls13",
		[TLS_R_LOWRUN] = "lowrun",
		[TLS_R_SSLV2_DIRECTION] = "sslv2_direction",
		[TLS_R_SSLV2_FORBIDDEN] = "sslv2_forbidden",
		[TLS_R_SSLV2_MALFORMED] = "sslv2_malformed",
		[TLS_R_SSLV2_EARLY] = "sslv2_early",
		[TLS_R_HS_DIRECTION] = "hs_direction",
		[TLS_R_HS_MALFORMED] = "hs_malformed",
		[TLS_R_HS_INTERLEAVE] = "hs_interleave",
		[TLS_R_EARLY_SERVER] = "early_server",
		[TLS_R_HS_ORDER] = "hs_order",
		[TLS_R_VERSION_MISMATCH] = "version_mismatch",
		[TLS_R_DOWNGRADE] = "downgrade",
	};

	if (r >= TLS_R_SNI_DENY && r < TLS_R_MAX)
		return tls_rule_name(TLS_RULE_SNI_DENY + (r - TLS_R_SNI_DENY));

	/* unsigned compare: also rejects negative values of the enum */
	if ((unsigned int)r >= TLS_R_MAX || !names[r])
		return "unknown";
	return names[r];
}

const char *tls_flow_version_name(const struct tls_flow *f)
{
	u8 v = f->dir[0].version;

	if ((f->dir[0].flags | f->dir[1].flags) & TLS_F_TLS13)
		return "TLS1.3";
	if (f->dir[1].version > v)
		v = f->dir[1].version;
	switch (v) {
	case 0x02:
		return "SSLv2";
	case 0x30:
		return "SSLv3";
	case 0x31:
		return "TLS1.0";
	case 0x32:
		return "TLS1.1";
	case 0x33:
		return "TLS1.2";
	case 0x34:
		return "TLS1.3";
	default:
		return "-";
	}
}
