/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake message layer of the engine, on top of the record layer
 * of tls_parse.c: per direction, the plaintext handshake messages (type,
 * 24-bit length, body) of type-22 records, whatever their cut into
 * records and tls_feed() calls.  Pure C like the rest of the engine.
 *
 * tls_parse.c calls it at each record's content-type byte and with the
 * body bytes of every plaintext handshake record, when the policy asks
 * for it (struct tls_policy.handshake); its state is struct tls_hs_dir
 * and the hs_* fields of struct tls_flow (layout in tls_parse.h).
 */
#ifndef _TLS_HANDSHAKE_H
#define _TLS_HANDSHAKE_H

#include "tls_parse.h"

/*
 * The largest ClientHello accepted, in bytes of its body.  Hellos of
 * today are 0.2-0.6 KB; post-quantum hybrid key shares make them 1.6-2.1
 * KB (X25519MLKEM768), a few KB with several shares or a large PSK
 * ticket.  A hello of more than one full plaintext record (2^14) is no
 * client's: such a message only serves to make servers buffer it.
 */
#define TLS_HS_CH_MAX	16384

/* Facts of the hellos, for the rule set above the engine. */
struct tls_hs_facts {
	u8 offered;	/* TLS_V_* versions the ClientHello offered */
	u8 selected;	/* TLS_V_* version the ServerHello selected, 0: none */
	u16 cipher;	/* cipher suite the ServerHello selected */
	u8 facts;	/* TLS_HF_* */
	bool client_hello;	/* the ClientHello is complete */
	bool server_hello;	/* the ServerHello is complete */
};

/*
 * The facts of f so far; false if its handshake layer is off (the policy
 * was 0 at its first record, or it was packed early: tls_seq.h).
 */
bool tls_hs_get_facts(const struct tls_flow *f, struct tls_hs_facts *out);

/*
 * The list entry that decided the server-name verdict of the flow's last
 * ClientHello, for the log; 0 if none.  Otherwise TLS_HS_NAME_ENTRY is
 * set, bits 31..25 hold the generation tag of the set it comes from
 * (struct tls_names.gen) and bits 23..0 its idx (tls_names_build()).
 * Valid at the violation the ClientHello's last byte raised.
 */
#define TLS_HS_NAME_ENTRY	0x01000000U
#define TLS_HS_NAME_GEN(e)	((e) >> 25)
#define TLS_HS_NAME_IDX(e)	((e) & 0xffffffU)
u32 tls_hs_name_entry(const struct tls_flow *f);

/* Engine-private below: called by tls_parse.c and tls_seq.c only. */

/* Forget the handshake layer's state: the flow's bytes were forgotten. */
void tls_hs_reset(struct tls_flow *f);

/*
 * At the content-type byte b of a record of dir (v2: in SSLv2 framing),
 * after the record layer accepted it.  first: dir's first record.
 */
enum tls_reason tls_hs_rec_start(struct tls_flow *f, unsigned int dir,
				 u8 b, bool first, bool v2,
				 const struct tls_policy *pol);

/* The handshake layer is on for f. */
static inline bool tls_hs_on(const struct tls_flow *f)
{
	return (f->hs_flags & (TLS_HS_ON | TLS_HS_STOP)) == TLS_HS_ON;
}

/*
 * struct tls_hs_dir.state of a server that spoke before the client sent
 * anything, with an alert: servers close idle connections so.  From then
 * on that side may send alerts only, of 2 bytes (tls_parse.c checks the
 * length), and hs.acc says whether the current one has record version
 * 0x0000 (s2n and mbedTLS send it before a version is known).
 */
#define TLS_HS_ALERTS	5

/* Only 2-byte alerts may come from dir now (early_server otherwise). */
static inline bool tls_hs_alerts_only(const struct tls_flow *f,
				      unsigned int dir)
{
	return dir == TLS_DIR_SERVER && tls_hs_on(f) &&
	       f->hs[dir].state == TLS_HS_ALERTS;
}

/*
 * At the version major byte 0 of a record of dir: true, remembered for
 * the minor byte (tls_hs_v0_rec()), if it is such an alert, which may
 * carry the record version 0x0000 and no other.
 */
static inline bool tls_hs_v0(struct tls_flow *f, unsigned int dir)
{
	if (!tls_hs_alerts_only(f, dir))
		return false;
	f->hs[dir].acc = 1;
	return true;
}

/* The current record of dir has the version major byte 0 (tls_hs_v0()). */
static inline bool tls_hs_v0_rec(const struct tls_flow *f, unsigned int dir)
{
	return tls_hs_alerts_only(f, dir) && f->hs[dir].acc;
}

/*
 * After a HelloRetryRequest, the client's second ClientHello and the
 * server's ServerHello are plaintext type-22 records that may follow
 * the side's compatibility CCS (RFC 8446 D.4).
 */
static inline bool tls_hs_parsed_hrr(const struct tls_flow *f,
				     unsigned int dir)
{
	if (!(f->hs_flags & TLS_HS_HRR))
		return false;
	return !(f->hs_flags & (dir == TLS_DIR_CLIENT ? TLS_HS_CH2_DONE :
				TLS_HS_SH_DONE));
}

/* True if the body of dir's current record goes to tls_hs_body(). */
static inline bool tls_hs_parsed(const struct tls_flow *f, unsigned int dir)
{
	const struct tls_dir *d = &f->dir[dir];

	return tls_hs_on(f) && d->rec_type == 22 &&
	       !(d->flags & TLS_F_SSLV2) &&
	       (!(d->flags & TLS_F_ENCRYPTED) || tls_hs_parsed_hrr(f, dir));
}

/*
 * n body bytes p[0..n) of dir's current plaintext handshake record.
 * On a violation *at is the offset in p of the deciding byte.  pol's
 * rules apply at the last byte of each hello.
 */
enum tls_reason tls_hs_body(struct tls_flow *f, unsigned int dir,
			    const u8 *p, u32 n, u32 *at,
			    const struct tls_policy *pol);

#endif /* _TLS_HANDSHAKE_H */
