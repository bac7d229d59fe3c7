// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake layer's reasons, case by case: for each, crafted
 * transcripts that fire it, each paired with the closest legitimate one
 * (its near miss), which must pass.  The bytes and the expected deciding
 * byte (direction, stream offset) come from tests/vectors/gen_hs.py,
 * which computes the offset from how it built the transcript, not from
 * the engine.  Every case is replayed whole, byte by byte, in fixed
 * chunks and in random splits: each must give the same verdict at the
 * same byte.
 */
#include <string.h>

#include "unit.h"
#include "../../tls_parse.h"
#include "../vectors/tls_vectors.h"

struct hs_pair {
	enum tls_reason reason;
	const char *fire;	/* a vector expecting reason */
	const char *near;	/* its near miss, expecting TLS_OK */
};

#define P(r, name)	{ TLS_R_##r, name, name "_near" }
#define PN(r, name, nm)	{ TLS_R_##r, name, nm }

static const struct hs_pair pairs[] = {
	/* a message of the other side's type */
	P(HS_DIRECTION, "hp_dir_sh_from_client"),
	P(HS_DIRECTION, "hp_dir_cr_from_client"),
	P(HS_DIRECTION, "hp_dir_cke_from_server"),
	P(HS_DIRECTION, "hp_dir_eoed_from_server"),
	/* unknown type, lengths that do not nest or bound */
	P(HS_MALFORMED, "hp_mal_type"),
	P(HS_MALFORMED, "hp_mal_shd_body"),
	PN(HS_MALFORMED, "hs_ch_too_big", "hs_ch_max"),
	P(HS_MALFORMED, "hp_mal_sid33"),
	P(HS_MALFORMED, "hp_mal_ext_block"),
	/* a CCS, an alert, application data inside a message */
	P(HS_INTERLEAVE, "hp_il_ccs_in_ch"),
	P(HS_INTERLEAVE, "hp_il_alert_in_sh"),
	P(HS_INTERLEAVE, "hp_il_app_in_cert"),
	/* E1, E2: the server before the ClientHello, its early alert */
	P(EARLY_SERVER, "hp_es_sh_first"),
	P(EARLY_SERVER, "hp_es_in_ch"),
	P(EARLY_SERVER, "hp_es_alert_in_ch"),
	P(EARLY_SERVER, "hp_es_alert_len3"),
	P(EARLY_SERVER, "hp_es_alert_then_sh"),
	P(EARLY_SERVER, "hp_es_v0_handshake"),
	P(EARLY_SERVER, "hp_es_heartbeat_first"),
	/* record version 0x0000: that alert's only */
	P(RECORD_VERSION, "hp_rv_v0_minor"),
	P(RECORD_VERSION, "hp_rv_v0_client"),
	P(RECORD_VERSION, "hp_rv_v0_after_ch"),
	P(RECORD_VERSION, "hp_rv_v0_layer_off"),
	/* C1-C4: the client before the ServerHello */
	P(HS_ORDER, "hp_ord_c_ccs_first"),
	P(HS_ORDER, "hp_ord_c_app_first"),
	P(HS_ORDER, "hp_ord_c_ccs_12"),
	P(HS_ORDER, "hp_ord_0rtt_no_ext"),
	P(HS_ORDER, "hp_ord_c_app_after_alert"),
	P(HS_ORDER, "hp_ord_ch2_no_hrr"),
	P(HS_ORDER, "hp_ord_ch2_hrr_partial"),
	/* S1, S2: the server before its ServerHello */
	P(HS_ORDER, "hp_ord_s_first_cert"),
	P(HS_ORDER, "hp_ord_s_sh_before_ch2"),
	P(HS_ORDER, "hp_ord_s_ccs_before_sh"),
	P(HS_ORDER, "hp_ord_s_app_before_sh"),
	P(HS_ORDER, "hp_ord_s_app_after_hrr"),
	/* T1: TLS 1.3 */
	P(HS_ORDER, "hp_ord_tls13_plain_cert"),
	/* F1-F6: the flights of TLS <= 1.2 */
	P(HS_ORDER, "hp_ord_cert_after_shd"),
	P(HS_ORDER, "hp_ord_cke_before_shd"),
	P(HS_ORDER, "hp_ord_ccert_no_cr"),
	P(HS_ORDER, "hp_ord_cv_no_cert"),
	P(HS_ORDER, "hp_ord_nst_before_cfin"),
	P(HS_ORDER, "hp_ord_s_ccs_before_cfin"),
	P(HS_ORDER, "hp_ord_s_ccs_cfin_partial"),
	P(HS_ORDER, "hp_ord_s_ccs_partial_flight"),
	PN(HS_ORDER, "hp_ord_s_ccs_partial_flight", "hp_ord_abbr_ticket_near"),
	P(HS_ORDER, "hp_ord_c_ccs_before_shd"),
	P(HS_ORDER, "hp_ord_c_ccs_no_cert"),
	PN(HS_ORDER, "hp_ord_c_ccs_no_cert", "hp_ord_c_ccs_no_cert_ssl3_near"),
	P(HS_ORDER, "hp_ord_abbr_c_ccs_early"),
	P(HS_ORDER, "hp_ord_abbr_fin_partial"),
	P(HS_ORDER, "hp_ord_s_app_plain_12"),
	P(HS_ORDER, "hp_ord_c_app_plain_12"),
	/* the selected version, record versions after it */
	P(VERSION_MISMATCH, "hp_ver_not_offered"),
	P(VERSION_MISMATCH, "hp_ver_13_not_offered"),
	P(VERSION_MISMATCH, "hp_ver_client_record"),
	P(VERSION_MISMATCH, "hp_ver_server_record"),
	P(VERSION_MISMATCH, "hp_ver_hrr_no_sv"),
	/* the RFC 8446 sentinel, a second HelloRetryRequest */
	P(DOWNGRADE, "hp_dg_sentinel12"),
	P(DOWNGRADE, "hp_dg_sentinel11"),
	P(DOWNGRADE, "hp_dg_hrr_twice"),
};

#define NPAIRS	(sizeof(pairs) / sizeof(struct hs_pair))

/* The reasons of the task: each needs at least this many pairs. */
static const enum tls_reason reasons[] = {
	TLS_R_HS_DIRECTION, TLS_R_HS_MALFORMED, TLS_R_HS_INTERLEAVE,
	TLS_R_EARLY_SERVER, TLS_R_HS_ORDER, TLS_R_VERSION_MISMATCH,
	TLS_R_DOWNGRADE,
};

#define NREASONS	(sizeof(reasons) / sizeof(enum tls_reason))
#define MIN_PAIRS	3

static const struct tls_vector *find(const char *name)
{
	unsigned int i;

	for (i = 0; i < tls_nvectors; i++)
		if (!strcmp(tls_vectors[i].name, name))
			return &tls_vectors[i];
	return NULL;
}

/* fixed chunk sizes (0: whole steps, 1: byte by byte), random splits */
#define NCHUNKS		11
#define NRANDOM		60

static u32 hs_rng = 0x2545f491;

static u32 hs_rnd(void)
{
	hs_rng ^= hs_rng << 13;
	hs_rng ^= hs_rng >> 17;
	hs_rng ^= hs_rng << 5;
	return hs_rng;
}

/*
 * v under every chunking: the verdict it expects, at its byte.  Returns
 * the number of runs that disagreed; the first is described in g.
 */
static int run_all(struct unit_group *g, const struct tls_vector *v)
{
	static const int chunks[NCHUNKS] = { 0, 1, 2, 3, 4, 5, 7, 9, 13, 64,
					     1448 };
	struct tls_vec_outcome o;
	unsigned int k;
	int bad = 0, c;
	u32 seed;

	for (k = 0; k < NCHUNKS + NRANDOM; k++) {
		if (k < NCHUNKS) {
			c = chunks[k];
			seed = 0;
		} else {
			c = -(int)(1 + hs_rnd() % (k & 1 ? 6 : 300));
			seed = hs_rnd();
		}
		tls_vec_run(v, c, seed, &o);
		if (o.reason == v->expect &&
		    (v->expect == TLS_OK ||
		     (o.dir == v->expect_dir && o.off == v->expect_off)))
			continue;
		if (!bad)
			group_fail(g, "%s chunk %d seed %u: %s %s@%u, want %s %s@%u",
				   v->name, c, seed, tls_reason_name(o.reason),
				   o.dir ? "server" : "client", o.off,
				   tls_reason_name(v->expect),
				   v->expect_dir ? "server" : "client",
				   v->expect_off);
		bad++;
	}
	return bad;
}

/* The table itself: names that exist, expectations that match it. */
static void t_pair_table(void)
{
	struct unit_group g;
	const struct tls_vector *fv, *nv;
	unsigned int i, k, n, listed;

	group_begin(&g, "handshake pairs: table vs gen_hs.py");
	for (i = 0; i < NPAIRS; i++) {
		fv = find(pairs[i].fire);
		nv = find(pairs[i].near);
		CHECK(&g, fv && nv, "missing %s or %s", pairs[i].fire,
		      pairs[i].near);
		if (!fv || !nv)
			continue;
		CHECK(&g, fv->expect == pairs[i].reason,
		      "%s expects %s, table says %s", fv->name,
		      tls_reason_name(fv->expect),
		      tls_reason_name(pairs[i].reason));
		CHECK(&g, nv->expect == TLS_OK, "%s is no near miss",
		      nv->name);
	}
	for (k = 0; k < NREASONS; k++) {
		for (i = n = 0; i < NPAIRS; i++)
			n += pairs[i].reason == reasons[k];
		CHECK(&g, n >= MIN_PAIRS, "%s: %u pairs",
		      tls_reason_name(reasons[k]), n);
	}
	/* every hp_ vector of gen_hs.py is in the table */
	for (i = 0; i < tls_nvectors; i++) {
		if (strncmp(tls_vectors[i].name, "hp_", 3))
			continue;
		for (k = listed = 0; k < NPAIRS; k++)
			listed |= !strcmp(pairs[k].fire, tls_vectors[i].name) ||
				  !strcmp(pairs[k].near, tls_vectors[i].name);
		CHECK(&g, listed, "%s not in the table", tls_vectors[i].name);
	}
	group_end(&g);
}

/* Each pair: the case fires at its byte, the near miss passes, always. */
static void t_pairs(void)
{
	struct unit_group g;
	const struct tls_vector *fv, *nv;
	unsigned int i, runs = 0;
	char name[128];

	for (i = 0; i < NPAIRS; i++) {
		fv = find(pairs[i].fire);
		nv = find(pairs[i].near);
		if (!fv || !nv)
			continue;	/* t_pair_table() failed already */
		snprintf(name, sizeof(name), "handshake pair %s: %s / %s",
			 tls_reason_name(pairs[i].reason), fv->name, nv->name);
		group_begin(&g, name);
		run_all(&g, fv);
		run_all(&g, nv);
		runs += 2;
		group_end(&g);
	}
	printf("handshake pairs: %u pairs, %u transcripts, %u runs each\n",
	       (unsigned int)NPAIRS, runs, NCHUNKS + NRANDOM);
}

void run_handshake_tests(void);	/* test_main.c */

void run_handshake_tests(void)
{
	t_pair_table();
	t_pairs();
}
