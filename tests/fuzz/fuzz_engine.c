// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the record engine.
 *
 * Input layout:
 *   [0..1] lowrun limit (u16, little endian)
 *   [2]    bits 0-1 heartbeat policy (3 = validate), bit 2 allow_sslv2,
 *          bit 3 handshake layer off, bit 4 a server-name deny list,
 *          bit 5 an allow list too, bit 6 the no_sni, sni_ip, sni_multi,
 *          sni_odd rules
 *   [3]    largest chunk for the split run (0 = 256)
 *   [4..7] seed of the split points
 *   then segments: c0 c1 data..., direction c0 & 1, length
 *   ((c0 >> 1) << 8 | c1), cut short at the end of the input.
 *
 * The conversation is fed three times: each segment whole, in 1-byte
 * chunks, and in chunks chosen by the seed.  The verdicts, deciding byte
 * and record counts must agree and the engine invariants must hold after
 * every call; otherwise abort().  A fourth time as TCP segments of a flow
 * (SYNs with timestamps, then each segment in order, the seed's bits
 * making some of them odd: a flag, an old timestamp, a closed window),
 * through tls_seg_fast() first as the glue calls it and through the
 * general path alone: state, struct tls_seg, verdict and res must agree
 * after every segment.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tls_parse.h"
#include "../../tls_seq.h"
#include "../../tls_names.h"
#include "../tls_check.h"

static void *fz_alloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void fz_free(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

/* The server-name sets of bits 4 and 5, built once: [0] deny, [1] both */
static const struct tls_names *fz_names(unsigned int which)
{
	static const struct tls_name_entry e[] = {
		{ ".example.com", 12, 0, 0 }, { "evil.test", 9, 0, 1 },
		{ "a", 1, 0, 2 }, { "ok.test", 7, 1, 3 }, { ".b.c", 4, 1, 4 },
	};
	static const struct tls_names_alloc a = { fz_alloc, fz_free, NULL };
	static struct tls_names *set[2];

	if (!set[which] && tls_names_build(e, which ? 5 : 3, which + 1, &a,
					   &set[which]))
		abort();
	return set[which];
}

struct outcome {
	enum tls_reason reason;
	unsigned int dir;
	u32 off;
	u32 records;
};

static void run(const u8 *data, size_t size, const struct tls_policy *pol,
		int mode, u32 maxc, u32 seed, struct outcome *o)
{
	struct tls_flow f;
	struct tls_result res;
	u32 off[2] = { 0, 0 };
	size_t p = 8;
	u32 len, pos, n, dir;
	enum tls_reason r;

	tls_flow_init(&f);
	memset(o, 0, sizeof(*o));
	while (p + 2 <= size) {
		dir = data[p] & 1;
		len = (u32)(data[p] >> 1) << 8 | data[p + 1];
		p += 2;
		if (len > size - p)
			len = size - p;
		for (pos = 0; pos < len || !len; pos += n) {
			n = len - pos;
			if (mode == 1 && n > 1)
				n = 1;
			if (mode == 2 && n > 1) {
				seed ^= seed << 13;
				seed ^= seed >> 17;
				seed ^= seed << 5;
				n = 1 + seed % (n < maxc ? n : maxc);
			}
			r = tls_feed(&f, dir, data + p + pos, n, pol, &res);
			o->records += res.records;
			if (tls_flow_check(&f))
				abort();
			if (r) {
				if (res.at >= n)
					abort();
				o->reason = r;
				o->dir = dir;
				o->off = off[dir] + res.at;
				return;
			}
			off[dir] += n;
			if (!len)
				break;
		}
		p += len;
	}
}

static void seg_diff(const u8 *data, size_t size,
		     const struct tls_policy *pol, u32 seed)
{
	struct tls_flow a, b;
	struct tls_fate oa, ob;
	struct tls_tcp t;
	u32 next[2] = { 1000, 0x70000000 }, ts = 5;
	size_t p = 8;
	unsigned int dir;
	u32 len, x;

	tls_flow_init(&a);
	for (dir = 0; dir < 2; dir++) {
		t = (struct tls_tcp){ .seq = next[dir] - 1, .tsval = ts,
				      .ack = next[0], .ttl = 64,
				      .flags = TLS_TCP_SYN | TLS_TCP_TS |
					       (dir ? TLS_TCP_ACK : 0) };
		tls_seg_general(&a, dir, &t, data, pol, &oa);
	}
	b = a;
	while (p + 2 <= size) {
		dir = data[p] & 1;
		len = (u32)(data[p] >> 1) << 8 | data[p + 1];
		p += 2;
		if (len > size - p)
			len = size - p;
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		x = seed % 64;
		t = (struct tls_tcp){
			.seq = next[dir], .len = len, .ack = next[!dir],
			.tsval = ts += seed >> 31, .ttl = 64,
			.flags = TLS_TCP_ACK | TLS_TCP_TS | TLS_TCP_REDGE,
			.redge = next[dir] + len + (seed >> 8) % 65536,
		};
		if (x < 11)
			t.flags ^= 1u << x;
		if (x == 11)
			t.tsval -= 2;
		if (x == 12)
			t.redge = next[dir];
		if (x == 13)
			t.ttl = 1;
		tls_seg_general(&a, dir, &t, data + p, pol, &oa);
		memset(&ob, 0, sizeof(ob));
		if (!tls_seg_fast(&b, dir, &t, data + p, pol, &ob))
			tls_seg_general(&b, dir, &t, data + p, pol, &ob);
		if (memcmp(&a, &b, sizeof(a)) || memcmp(&oa, &ob, sizeof(oa)))
			abort();
		if (a.dir[dir].next_seq == next[dir] + len)
			next[dir] += len;
		p += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_policy pol;
	struct outcome a, b, c;
	u32 maxc, seed;

	if (size < 8)
		return 0;
	memset(&pol, 0, sizeof(pol));	/* every rule off */
	pol.lowrun_limit = data[0] | data[1] << 8;
	pol.heartbeat = (data[2] & 3) == 3 ? TLS_HB_VALIDATE : data[2] & 3;
	pol.allow_sslv2 = !!(data[2] & 4);
	pol.handshake = !(data[2] & 8);
	if (data[2] & 0x10)
		pol.rules.names = fz_names(!!(data[2] & 0x20));
	if (data[2] & 0x40) {
		pol.rules.no_sni = 1;
		pol.rules.sni_ip = 1;
		pol.rules.sni_multi = 1;
		pol.rules.sni_odd = 1;
	}
	maxc = data[3] ? data[3] : 256;
	seed = (u32)data[4] | data[5] << 8 | data[6] << 16 | (u32)data[7] << 24;
	if (!seed)
		seed = 1;
	run(data, size, &pol, 0, 0, 0, &a);
	run(data, size, &pol, 1, 0, 0, &b);
	run(data, size, &pol, 2, maxc, seed, &c);
	if (memcmp(&a, &b, sizeof(a)) || memcmp(&a, &c, sizeof(a)))
		abort();
	seg_diff(data, size, &pol, seed);
	return 0;
}
