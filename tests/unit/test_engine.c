// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the record engine: every vector under many chunkings,
 * the word-at-a-time low-byte scan against a bytewise reference, state
 * invariants after every call, and reads bounded by a PROT_NONE page.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unit.h"
#include "../../tls_parse.h"
#include "../../tls_seq.h"
#include "../../tls_handshake.h"
#include "../tls_check.h"
#include "../vectors/tls_vectors.h"

static u32 rng_state = 0x12345678;

static u32 rnd(void)
{
	u32 x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

static int same(const struct tls_vec_outcome *a,
		const struct tls_vec_outcome *b)
{
	return a->reason == b->reason && a->dir == b->dir &&
	       a->off == b->off && a->records == b->records;
}

/* Every vector: expected verdict, identical under every chunking. */
static void t_vectors(void)
{
	static const int chunks[] = { 1, 2, 3, 5, 7, 16, 1448 };
	struct tls_vec_outcome base, o;
	struct unit_group g;
	unsigned int i, k;
	char name[96];
	const struct tls_vector *v;

	for (i = 0; i < tls_nvectors; i++) {
		v = &tls_vectors[i];
		snprintf(name, sizeof(name), "vector %s", v->name);
		group_begin(&g, name);
		tls_vec_run(v, 0, 0, &base);
		CHECK(&g, base.reason == v->expect &&
		      (v->expect == TLS_OK ||
		       (base.dir == v->expect_dir && base.off == v->expect_off)),
		      "whole: got %s dir %u off %u, want %s dir %u off %u",
		      tls_reason_name(base.reason), base.dir, base.off,
		      tls_reason_name(v->expect), v->expect_dir,
		      v->expect_off);
		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			tls_vec_run(v, chunks[k], 0, &o);
			CHECK(&g, same(&o, &base),
			      "chunk %d: %s dir %u off %u rec %u vs %s %u %u %u",
			      chunks[k], tls_reason_name(o.reason), o.dir, o.off,
			      o.records, tls_reason_name(base.reason),
			      base.dir, base.off, base.records);
		}
		for (k = 0; k < 50; k++) {
			int c = -(int)(1 + rnd() % (k < 25 ? 8 : 2000));
			u32 seed = rnd();

			tls_vec_run(v, c, seed, &o);
			CHECK(&g, same(&o, &base),
			      "random %d seed %u: %s off %u vs %s off %u", c,
			      seed, tls_reason_name(o.reason), o.off,
			      tls_reason_name(base.reason), base.off);
		}
		group_end(&g);
	}
}

/*
 * Replay a vector in chunks of c (0 = whole steps) from buffers placed by
 * place(), checking the engine invariants after every call.  Returns the
 * outcome like tls_vec_run().
 */
typedef const u8 *(*place_fn)(const u8 *src, u32 n);

static const u8 *place_copy(const u8 *src, u32 n)
{
	return src;
	(void)n;
}

static int replay(const struct tls_vector *v, u32 c, place_fn place,
		  struct tls_vec_outcome *out, int *bad)
{
	struct tls_flow f;
	struct tls_result res;
	u32 off[2] = { 0, 0 };
	u32 s, pos, n;
	enum tls_reason r;
	const struct tls_vec_step *st;
	int err;

	tls_flow_init(&f);
	memset(out, 0, sizeof(*out));
	*bad = 0;
	for (s = 0; s < v->nsteps; s++) {
		st = &v->steps[s];
		for (pos = 0; pos < st->len; pos += n) {
			n = st->len - pos;
			if (c && n > c)
				n = c;
			r = tls_feed(&f, st->dir, place(st->data + pos, n), n,
				     &v->pol, &res);
			out->records += res.records;
			err = tls_flow_check(&f);
			if (err && !*bad)
				*bad = err;
			if (r) {
				out->reason = r;
				out->dir = st->dir;
				out->off = off[st->dir] + res.at;
				/* sticky: again, without reading */
				if (tls_feed(&f, st->dir, NULL, 100, &v->pol,
					     &res) != r || res.at)
					*bad = 100;
				return 0;
			}
			off[st->dir] += n;
		}
	}
	return 0;
}

static void t_invariants(void)
{
	static const u32 chunks[] = { 0, 1, 3, 1448 };
	struct tls_vec_outcome base, o;
	struct unit_group g;
	unsigned int i, k;
	int bad;

	group_begin(&g, "state invariants after every call");
	for (i = 0; i < tls_nvectors; i++) {
		tls_vec_run(&tls_vectors[i], 0, 0, &base);
		for (k = 0; k < 4; k++) {
			replay(&tls_vectors[i], chunks[k], place_copy, &o, &bad);
			CHECK(&g, !bad && same(&o, &base),
			      "%s chunk %u: check %d, %s off %u",
			      tls_vectors[i].name, chunks[k], bad,
			      tls_reason_name(o.reason), o.off);
		}
	}
	group_end(&g);
}

/* ---- guard page: input flush against a PROT_NONE page ---- */
static u8 *guard_end;	/* first byte of the PROT_NONE page */

static const u8 *place_guard(const u8 *src, u32 n)
{
	memcpy(guard_end - n, src, n);
	return guard_end - n;
}

static void t_guard(void)
{
	static const u32 chunks[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 1448 };
	long pg = sysconf(_SC_PAGESIZE);
	struct tls_vec_outcome base, o;
	struct unit_group g;
	unsigned int i, k;
	u32 max = 0, s;
	u8 *m;
	int bad;

	group_begin(&g, "guard page (PROT_NONE after input)");
	for (i = 0; i < tls_nvectors; i++)
		for (s = 0; s < tls_vectors[i].nsteps; s++)
			if (tls_vectors[i].steps[s].len > max)
				max = tls_vectors[i].steps[s].len;
	max = (max + 2 * pg - 1) / pg * pg;
	m = mmap(NULL, max + pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m + max, pg, PROT_NONE)) {
		group_fail(&g, "mmap/mprotect failed");
		group_end(&g);
		return;
	}
	guard_end = m + max;
	for (i = 0; i < tls_nvectors; i++) {
		tls_vec_run(&tls_vectors[i], 0, 0, &base);
		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			replay(&tls_vectors[i], chunks[k], place_guard, &o,
			       &bad);
			CHECK(&g, !bad && same(&o, &base), "%s chunk %u",
			      tls_vectors[i].name, chunks[k]);
		}
	}
	munmap(m, max + pg);
	group_end(&g);
}

/* ---- low-byte scan against a bytewise reference ---- */

/* Prefix that puts the client into the TLS 1.2 encrypted phase. */
static const u8 enc_prefix[] = {
	22, 3, 3, 0, 4, 1, 0, 0, 0,
	20, 3, 3, 0, 1, 1,
	22, 3, 3, 0, 4, 0x80, 0x81, 0x82, 0x83,
};

/*
 * Build a stream of appdata records from body bytes (record sizes random),
 * feed it in random chunks and compare the verdict with a bytewise model
 * of the run over the body bytes.
 */
static void t_scan_random(void)
{
	static u8 body[70000], stream[80000];
	struct unit_group g;
	struct tls_policy pol = { .lowrun_limit = 0,
				  .heartbeat = TLS_HB_VALIDATE };
	struct tls_flow f;
	struct tls_result res;
	u32 iter, n, i, sn, bi, rl, limit, run, want, wantpos, pos, c;
	u32 p;
	enum tls_reason r, wr;
	static u32 map[80000];

	group_begin(&g, "lowrun word scan vs bytewise reference");
	for (iter = 0; iter < 4000; iter++) {
		n = 1 + rnd() % (iter < 3000 ? 600 : 65000);
		p = rnd() % 5;	/* low-byte probability class */
		for (i = 0; i < n; i++) {
			u32 x = rnd();

			switch (p) {
			case 0: body[i] = x; break;
			case 1: body[i] = (x % 16) ? x & 0x7f : x | 0x80; break;
			case 2: body[i] = (x % 256) ? x & 0x7f : 0x80; break;
			case 3: body[i] = (x % 4096) ? 0x7f : 0xff; break;
			default: body[i] = x; break;
			}
		}
		switch (rnd() % 5) {
		case 0: limit = 1 + rnd() % 20; break;
		case 1: limit = 1 + rnd() % 300; break;
		case 2: limit = TLS_LOWRUN_DEFAULT; break;
		case 3: limit = 1 + rnd() % 70000; break;
		default: limit = 8 + rnd() % 16; break;
		}
		/*
		 * class 4: runs of limit - 2 .. limit + 1 low bytes planted at
		 * random offsets, framed by high bytes: every alignment of a
		 * run just short of, at and just past the limit
		 */
		for (c = 0; p == 4 && c < 8; c++) {
			u32 len = limit + rnd() % 4, at = rnd() % n;

			len = len > 2 ? len - 2 : 1;
			for (i = 0; i < len + 2 && at + i < n; i++)
				body[at + i] = i && i <= len ? rnd() & 0x7f :
							       0x80 | rnd();
		}
		pol.lowrun_limit = limit;
		/* reference: bytewise over the body bytes */
		run = 0;
		want = TLS_OK;
		wantpos = 0;
		for (i = 0; i < n && limit; i++) {
			run = body[i] & 0x80 ? 0 : run + 1;
			if (run >= (limit > 65535 ? 65535 : limit)) {
				want = TLS_R_LOWRUN;
				wantpos = i;
				break;
			}
		}
		/* records of random sizes */
		memcpy(stream, enc_prefix, sizeof(enc_prefix));
		sn = sizeof(enc_prefix);
		for (bi = 0; bi < n; bi += rl) {
			rl = 1 + rnd() % (rnd() % 2 ? 40 : 16000);
			if (rl > n - bi)
				rl = n - bi;
			stream[sn++] = 23;
			stream[sn++] = 3;
			stream[sn++] = 3;
			stream[sn++] = rl >> 8;
			stream[sn++] = rl;
			for (i = 0; i < rl; i++) {
				map[sn] = bi + i;
				stream[sn++] = body[bi + i];
			}
		}
		tls_flow_init(&f);
		r = TLS_OK;
		for (pos = 0; pos < sn; pos += c) {
			c = 1 + rnd() % (rnd() % 2 ? 9 : 3000);
			if (c > sn - pos)
				c = sn - pos;
			r = tls_feed(&f, 0, stream + pos, c, &pol, &res);
			if (r)
				break;
		}
		wr = want;
		if (r != wr || (r && map[pos + res.at] != wantpos)) {
			group_fail(&g, "iter %u n %u limit %u: got %s at %u, want %s at %u",
				   iter, n, limit, tls_reason_name(r),
				   r ? map[pos + res.at] : 0,
				   tls_reason_name(wr), wantpos);
		}
	}
	group_end(&g);
}

/*
 * Small protected records after a real handshake, handshake layer on: the
 * run of whole records tls_feed() takes at once (appdata_run()) must give
 * the verdict and deciding byte of a bytewise feed, for a low-byte run
 * spread over three records, a record version other than the selected
 * one, and an alert among the records; and the same state when all pass.
 */
static void t_small_records_hs(void)
{
	static const char *const names[] = {
		"real_ossl_tls12_hs", "real_ossl_tls13_hs",
	};
	static const int chunks[] = { 0, 1, 2, 3, 5, 7, 25, 105, 1448, -40 };
	static u8 stream[6000];
	struct unit_group g;
	struct tls_flow hs, f, base;
	struct tls_policy pol;
	struct tls_result res;
	const struct tls_vector *v;
	u32 k, sn, i, pos, c, rec, seed;
	u32 want_at, at;
	unsigned int n, ci, s, kind;
	enum tls_reason want, r;

	group_begin(&g, "small records after a handshake, whole and bytewise");
	for (n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		v = NULL;
		for (k = 0; k < tls_nvectors; k++)
			if (!strcmp(tls_vectors[k].name, names[n]))
				v = &tls_vectors[k];
		CHECK(&g, v, "no vector %s", names[n]);
		if (!v)
			continue;
		pol = v->pol;
		pol.lowrun_limit = 40;
		tls_flow_init(&hs);
		for (s = 0; s < v->nsteps; s++)
			tls_feed(&hs, v->steps[s].dir, v->steps[s].data,
				 v->steps[s].len, &pol, &res);
		CHECK(&g, (hs.hs_flags & TLS_HS_SH_DONE) && !tls_flow_dead(&hs),
		      "%s: handshake not done", v->name);
		/* 0: all pass, 1: low run, 2: version 0x0301, 3: alert first */
		for (kind = 0; kind < 4; kind++) {
			sn = 0;
			want = TLS_OK;
			want_at = 0;
			for (rec = 0; rec < 40; rec++) {
				u32 bl = 20;

				if (kind == 3 && rec == 3) {
					stream[sn++] = 21;
				} else {
					stream[sn++] = 23;
				}
				stream[sn++] = 3;
				stream[sn++] = kind == 2 && rec == 30 ? 1 : 3;
				if (kind == 2 && rec == 30 && !want) {
					want = TLS_R_VERSION_MISMATCH;
					want_at = sn - 1;
				}
				stream[sn++] = 0;
				stream[sn++] = bl;
				for (i = 0; i < bl; i++) {
					/* 10 + 20 + 10 low bytes: records 11-13 */
					bool low = kind == 1 &&
						   ((rec == 11 && i >= 10) ||
						    rec == 12 ||
						    (rec == 13 && i < 10));

					stream[sn] = low ? rnd() & 0x7f :
						     0x80 | rnd();
					if (low && rec == 13 && i == 9) {
						want = TLS_R_LOWRUN;
						want_at = sn;
					}
					sn++;
				}
			}
			for (ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]);
			     ci++) {
				f = hs;
				seed = 7 + ci;
				r = TLS_OK;
				at = 0;
				for (pos = 0; pos < sn && !r; pos += c) {
					c = sn - pos;
					if (chunks[ci] > 0 && c > (u32)chunks[ci])
						c = chunks[ci];
					if (chunks[ci] < 0) {
						seed = seed * 1103515245 + 12345;
						c = 1 + (seed >> 8) %
							(c < 40 ? c : 40);
					}
					r = tls_feed(&f, TLS_DIR_CLIENT,
						     stream + pos, c, &pol,
						     &res);
					at = pos + res.at;
				}
				CHECK(&g, r == want && (!r || at == want_at),
				      "%s kind %u chunk %d: %s at %u, want %s at %u",
				      v->name, kind, chunks[ci],
				      tls_reason_name(r), at,
				      tls_reason_name(want), want_at);
				if (!ci)
					base = f;
				else if (!want)
					CHECK(&g, !memcmp(&f, &base, sizeof(f)),
					      "%s kind %u chunk %d: state",
					      v->name, kind, chunks[ci]);
			}
		}
	}
	group_end(&g);
}

/* limit changes between calls apply at once; 0 switches the rule off */
static void t_limit_runtime(void)
{
	static const u8 body[] = { 23, 3, 3, 0, 40 };
	u8 low[40];
	struct tls_policy pol = { .lowrun_limit = 100,
				  .heartbeat = TLS_HB_VALIDATE };
	struct unit_group g;
	struct tls_flow f;
	struct tls_result res;
	enum tls_reason r;

	group_begin(&g, "lowrun limit changed at run time");
	memset(low, 0x10, sizeof(low));
	tls_flow_init(&f);
	tls_feed(&f, 0, enc_prefix, sizeof(enc_prefix), &pol, &res);
	tls_feed(&f, 0, body, sizeof(body), &pol, &res);
	r = tls_feed(&f, 0, low, 30, &pol, &res);
	CHECK(&g, r == TLS_OK && f.dir[0].run == 30, "run %u", f.dir[0].run);
	pol.lowrun_limit = 20;	/* already beyond: next low byte fires */
	r = tls_feed(&f, 0, low, 5, &pol, &res);
	CHECK(&g, r == TLS_R_LOWRUN && res.at == 0, "lowered: %s at %u",
	      tls_reason_name(r), res.at);
	tls_flow_init(&f);
	pol.lowrun_limit = 0;
	tls_feed(&f, 0, enc_prefix, sizeof(enc_prefix), &pol, &res);
	tls_feed(&f, 0, body, sizeof(body), &pol, &res);
	r = tls_feed(&f, 0, low, 30, &pol, &res);
	CHECK(&g, r == TLS_OK && f.dir[0].run == 0, "off: run %u",
	      f.dir[0].run);
	pol.lowrun_limit = 5;
	r = tls_feed(&f, 0, low, 10, &pol, &res);
	CHECK(&g, r == TLS_R_LOWRUN && res.at == 4, "on again: %s at %u",
	      tls_reason_name(r), res.at);
	/* limits above the maximum are clamped to it */
	tls_flow_init(&f);
	pol.lowrun_limit = 0xffffffff;
	r = tls_feed(&f, 0, enc_prefix, sizeof(enc_prefix), &pol, &res);
	CHECK(&g, r == TLS_OK, "clamp prefix");
	group_end(&g);
}

static void t_api(void)
{
	static const u8 bad[] = { 22, 3, 3, 0, 4, 1, 0, 0, 0, 99 };
	static const u8 ok[] = { 22, 3, 3, 0, 4, 1, 0, 0, 0 };
	static const u8 tls13[] = { 22, 3, 1, 0, 1, 1, 23, 3, 3, 0, 1, 0xff };
	static const u8 v2[] = { 0x80, 0x03, 0, 0, 1 };
	struct tls_policy pol = { .lowrun_limit = 128,
				  .heartbeat = TLS_HB_VALIDATE };
	struct unit_group g;
	struct tls_flow f;
	struct tls_result res;
	enum tls_reason r;
	int i;

	group_begin(&g, "api: sticky, stop, names, bounds");
	tls_flow_init(&f);
	r = tls_feed(&f, 0, bad, sizeof(bad), &pol, &res);
	CHECK(&g, r == TLS_R_RECORD_TYPE && res.at == 9 && res.records == 1,
	      "bad: %s at %u rec %u", tls_reason_name(r), res.at,
	      res.records);
	r = tls_feed(&f, 0, ok, sizeof(ok), &pol, &res);
	CHECK(&g, r == TLS_R_RECORD_TYPE && res.at == 0 && !res.records,
	      "not sticky");
	r = tls_feed(&f, 0, ok, sizeof(ok), &pol, NULL);
	CHECK(&g, r == TLS_R_RECORD_TYPE, "NULL res");
	/* the other direction is unaffected */
	r = tls_feed(&f, 1, ok, sizeof(ok), &pol, &res);
	CHECK(&g, r == TLS_OK && res.records == 1, "peer");
	tls_flow_stop(&f);
	r = tls_feed(&f, 0, bad, sizeof(bad), &pol, &res);
	CHECK(&g, r == TLS_OK, "stopped flow");
	tls_flow_init(&f);
	r = tls_feed(&f, 2, bad, sizeof(bad), &pol, &res);
	CHECK(&g, r == TLS_OK, "dir 2");
	r = tls_feed(&f, 0, ok, 0, &pol, &res);
	CHECK(&g, r == TLS_OK && !res.records, "len 0");
	/* the default policy validates handshakes: ok is a 0-byte hello */
	r = tls_feed(&f, 0, ok, sizeof(ok), NULL, &res);
	CHECK(&g, r == TLS_R_HS_MALFORMED && res.at == 8, "NULL policy %s",
	      tls_reason_name(r));
	CHECK(&g, !strcmp(tls_flow_version_name(&f), "TLS1.2"), "ver %s",
	      tls_flow_version_name(&f));
	tls_flow_init(&f);
	CHECK(&g, !strcmp(tls_flow_version_name(&f), "-"), "ver none");
	tls_feed(&f, 0, tls13, sizeof(tls13), &pol, &res);
	CHECK(&g, !strcmp(tls_flow_version_name(&f), "TLS1.3"), "ver13 %s",
	      tls_flow_version_name(&f));
	tls_flow_init(&f);
	tls_feed(&f, 0, v2, sizeof(v2), &pol, &res);
	CHECK(&g, !strcmp(tls_flow_version_name(&f), "SSLv2"), "v2 %s",
	      tls_flow_version_name(&f));
	CHECK(&g, !strcmp(tls_reason_name(TLS_OK), "ok"), "ok");
	CHECK(&g, !strcmp(tls_reason_name(TLS_R_HB_LENGTH), "hb_length"),
	      "hb_length");
	CHECK(&g, !strcmp(tls_reason_name(TLS_R_MAX), "unknown"), "max");
	CHECK(&g, !strcmp(tls_reason_name((enum tls_reason)-1), "unknown"),
	      "-1");
	for (i = 0; i < TLS_R_MAX; i++)
		CHECK(&g, strcmp(tls_reason_name(i), "unknown"), "name %d", i);
	CHECK(&g, sizeof(struct tls_flow) == 72, "flow size");
	CHECK(&g, sizeof(struct tls_flow_early) == 24, "early flow size");
	group_end(&g);
}

/* Every reason code is produced by at least one vector. */
/*
 * The handshake layer across the early state (tls_seq.h): a ClientHello
 * started on the SYN (TCP Fast Open) turns the layer off for the flow;
 * one started after the SYN-ACK keeps it.  Knob changes: on only from a
 * flow's first record, off for good once the policy says 0.
 */
static void t_handshake_state(void)
{
	/* a 45-byte ClientHello with one suite, record and message */
	static const u8 ch[] = {
		22, 3, 1, 0, 45, 1, 0, 0, 41, 3, 3,
		0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
		0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
		0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
		0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
		0, 0, 2, 0x13, 1, 1, 0,
	};
	/* a ClientHello from the server: hs_direction when the layer is on */
	static const u8 bad[] = { 22, 3, 3, 0, 4, 1, 0, 0, 0 };
	struct tls_policy on = { .lowrun_limit = 128, .handshake = 1 };
	struct tls_policy off = { .lowrun_limit = 128, .handshake = 0 };
	struct tls_hs_facts hf;
	struct tls_flow_early e;
	struct unit_group g;
	struct tls_flow f;
	enum tls_reason r;

	group_begin(&g, "handshake layer: early state, knob changes");
	/* the whole hello after the SYN-ACK: the layer stays on */
	tls_flow_init(&f);
	r = tls_feed(&f, 0, ch, sizeof(ch), &on, NULL);
	CHECK(&g, r == TLS_OK && tls_hs_get_facts(&f, &hf) && hf.client_hello,
	      "hello: %s", tls_reason_name(r));
	r = tls_feed(&f, 1, bad, sizeof(bad), &on, NULL);
	CHECK(&g, r == TLS_R_HS_DIRECTION, "on: %s", tls_reason_name(r));
	/* the first 20 bytes on the SYN, packed early: the layer is off */
	tls_flow_init(&f);
	r = tls_feed(&f, 0, ch, 20, &on, NULL);
	CHECK(&g, r == TLS_OK && f.hs_flags == TLS_HS_ON, "syn part");
	CHECK(&g, tls_flow_pack_early(&f, &e), "pack");
	tls_flow_unpack_early(&f, &e);
	CHECK(&g, !tls_hs_get_facts(&f, &hf), "facts after unpack");
	r = tls_feed(&f, 0, ch + 20, sizeof(ch) - 20, &on, NULL);
	CHECK(&g, r == TLS_OK, "rest: %s", tls_reason_name(r));
	r = tls_feed(&f, 1, bad, sizeof(bad), &on, NULL);
	CHECK(&g, r == TLS_OK, "off after unpack: %s", tls_reason_name(r));
	/* a policy of 0 at the first record: off for the flow */
	tls_flow_init(&f);
	tls_feed(&f, 0, ch, 10, &off, NULL);
	tls_feed(&f, 0, ch + 10, sizeof(ch) - 10, &on, NULL);
	r = tls_feed(&f, 1, bad, sizeof(bad), &on, NULL);
	CHECK(&g, r == TLS_OK && !f.hs_flags, "knob on later: %s",
	      tls_reason_name(r));
	/* on, then 0 in the middle of the hello: off for good */
	tls_flow_init(&f);
	tls_feed(&f, 0, ch, 10, &on, NULL);
	tls_feed(&f, 0, ch + 10, 10, &off, NULL);
	tls_feed(&f, 0, ch + 20, sizeof(ch) - 20, &on, NULL);
	r = tls_feed(&f, 1, bad, sizeof(bad), &on, NULL);
	CHECK(&g, r == TLS_OK && !tls_hs_get_facts(&f, &hf),
	      "knob off mid-hello: %s", tls_reason_name(r));
	group_end(&g);
}

/* Replay vector nm whole into f; false if there is none of that name. */
static bool replay_named(const char *nm, struct tls_flow *f)
{
	const struct tls_vector *v;
	unsigned int i, k;

	for (i = 0; i < tls_nvectors; i++) {
		v = &tls_vectors[i];
		if (strcmp(v->name, nm))
			continue;
		tls_flow_init(f);
		for (k = 0; k < v->nsteps; k++)
			tls_feed(f, v->steps[k].dir, v->steps[k].data,
				 v->steps[k].len, &v->pol, NULL);
		return true;
	}
	return false;
}

/* The facts of the hellos (tls_hs_get_facts()) after whole handshakes. */
static void t_handshake_facts(void)
{
	struct tls_hs_facts hf;
	struct unit_group g;
	struct tls_flow f;

	group_begin(&g, "handshake layer: facts of the hellos");
	CHECK(&g, replay_named("hs_tls13_full", &f) &&
	      tls_hs_get_facts(&f, &hf), "tls13 vector");
	CHECK(&g, hf.client_hello && hf.server_hello, "hellos done");
	CHECK(&g, hf.offered == (TLS_V_TLS13 | TLS_V_TLS12), "offered %#x",
	      hf.offered);
	CHECK(&g, hf.selected == TLS_V_TLS13 && hf.cipher == 0x1301,
	      "selected %#x cipher %#x", hf.selected, hf.cipher);
	CHECK(&g, hf.facts == (TLS_HF_SNI | TLS_HF_ALPN), "facts %#x",
	      hf.facts);
	CHECK(&g, !strcmp(tls_flow_version_name(&f), "TLS1.3"), "name %s",
	      tls_flow_version_name(&f));
	CHECK(&g, replay_named("hs_sni_ip_scsv", &f) &&
	      tls_hs_get_facts(&f, &hf), "ip vector");
	CHECK(&g, hf.facts == (TLS_HF_SNI | TLS_HF_SNI_IP | TLS_HF_SCSV),
	      "ip facts %#x", hf.facts);
	CHECK(&g, hf.selected == TLS_V_TLS12 && hf.cipher == 0xc02f &&
	      hf.offered == 0x0f, "ip: %#x %#x %#x", hf.selected, hf.cipher,
	      hf.offered);
	/* a HelloRetryRequest: the second hello and the ServerHello count */
	CHECK(&g, replay_named("hs_hrr", &f) && tls_hs_get_facts(&f, &hf) &&
	      hf.selected == TLS_V_TLS13 && (f.hs_flags & TLS_HS_HRR) &&
	      (f.hs_flags & TLS_HS_CH2_DONE), "hrr %#x", f.hs_flags);
	CHECK(&g, (f.dir[0].flags & TLS_F_TLS13) &&
	      (f.dir[1].flags & TLS_F_TLS13), "hrr tls13 flags");
	/* real OpenSSL: a HelloRetryRequest; a 2 KB hello in five records */
	CHECK(&g, replay_named("real_ossl_hrr_hs", &f) &&
	      tls_hs_get_facts(&f, &hf) && hf.selected == TLS_V_TLS13 &&
	      (f.hs_flags & TLS_HS_CH2_DONE) && (hf.facts & TLS_HF_SNI),
	      "real hrr %#x %#x", f.hs_flags, hf.selected);
	CHECK(&g, replay_named("real_ossl_bighello_hs", &f) &&
	      tls_hs_get_facts(&f, &hf) && hf.selected == TLS_V_TLS13 &&
	      (hf.facts & (TLS_HF_SNI | TLS_HF_ALPN)) ==
	      (TLS_HF_SNI | TLS_HF_ALPN), "real big hello %#x", hf.facts);
	/* TLS 1.2: no TLS 1.3 guess from the record types */
	CHECK(&g, replay_named("hs_tls12_full", &f) &&
	      tls_hs_get_facts(&f, &hf) && hf.selected == TLS_V_TLS12 &&
	      !((f.dir[0].flags | f.dir[1].flags) & TLS_F_TLS13),
	      "tls12 %#x", hf.selected);
	/* the layer off: no facts */
	CHECK(&g, replay_named("hs_tls13_full_off", &f) &&
	      !tls_hs_get_facts(&f, &hf), "off");
	group_end(&g);
}

static void t_coverage(void)
{
	struct unit_group g;
	unsigned long long seen = 0;
	unsigned int i;

	_Static_assert(TLS_R_MAX <= 64, "seen has a bit per reason");
	group_begin(&g, "vectors cover every reason code");
	for (i = 0; i < tls_nvectors; i++)
		seen |= 1ull << tls_vectors[i].expect;
	/*
	 * The server-name lists need a compiled set, which a static vector
	 * cannot hold: tests/unit/test_sni.c fires them.
	 */
	seen |= 1ull << TLS_R_SNI_DENY | 1ull << TLS_R_SNI_ALLOW;
	for (i = 0; i < TLS_R_MAX; i++)
		CHECK(&g, seen & (1ull << i), "no vector for %s",
		      tls_reason_name(i));
	group_end(&g);
}

void run_engine_tests(void)
{
	t_vectors();
	t_coverage();
	t_invariants();
	t_guard();
	t_scan_random();
	t_limit_runtime();
	t_small_records_hs();
	t_api();
	t_handshake_state();
	t_handshake_facts();
}
