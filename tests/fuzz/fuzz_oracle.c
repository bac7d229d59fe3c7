// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the streaming engine against the buffered reference
 * parser (tests/oracle/ref_parse.c) on the same transcript.
 *
 * Input layout: that of fuzz_engine.c (so its seeds, tests/fuzz/corpus,
 * serve here too): bit 3 of byte 2 set = handshake layer off.
 *
 * The engine gets each segment in chunks drawn from the seed; the
 * reference the two whole streams and the segment of each byte.  A
 * different verdict, direction or deciding byte aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tls_parse.h"
#include "../oracle/ref_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 buf[2][65536];
	static u32 seg[2][65536];
	struct ref_transcript t;
	struct ref_outcome ro;
	struct tls_policy pol;
	struct tls_flow f;
	struct tls_result res;
	enum tls_reason er = TLS_OK, r;
	unsigned int edir = 0, dir;
	u32 eoff = 0, off[2] = { 0, 0 };
	u32 maxc, seed, len, pos, n, nseg = 0;
	size_t p = 8;

	if (size < 8 || size > 65536)
		return 0;
	memset(&pol, 0, sizeof(pol));
	pol.lowrun_limit = data[0] | data[1] << 8;
	pol.heartbeat = (data[2] & 3) == 3 ? TLS_HB_VALIDATE : data[2] & 3;
	pol.allow_sslv2 = !!(data[2] & 4);
	pol.handshake = !(data[2] & 8);
	maxc = data[3] ? data[3] : 256;
	seed = (u32)data[4] | data[5] << 8 | data[6] << 16 | (u32)data[7] << 24;
	if (!seed)
		seed = 1;
	tls_flow_init(&f);
	while (p + 2 <= size) {
		dir = data[p] & 1;
		len = (u32)(data[p] >> 1) << 8 | data[p + 1];
		p += 2;
		if (len > size - p)
			len = size - p;
		/* the whole transcript for the reference */
		memcpy(buf[dir] + off[dir], data + p, len);
		for (pos = 0; pos < len; pos++)
			seg[dir][off[dir] + pos] = nseg;
		nseg++;
		/* the engine, chunked, until its first violation */
		for (pos = 0; pos < len && !er; pos += n) {
			n = len - pos;
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			n = 1 + seed % (n < maxc ? n : maxc);
			r = tls_feed(&f, dir, data + p + pos, n, &pol, &res);
			if (r) {
				er = r;
				edir = dir;
				eoff = off[dir] + pos + res.at;
			}
		}
		off[dir] += len;
		p += len;
	}
	t.data[0] = buf[0];
	t.data[1] = buf[1];
	t.len[0] = off[0];
	t.len[1] = off[1];
	t.seg[0] = seg[0];
	t.seg[1] = seg[1];
	ref_run(&t, &pol, &ro);
	if (!ref_compare(&t, &ro, er, edir, eoff)) {
		fprintf(stderr, "DISAGREE: engine %s dir %u off %u, reference %s dir %u off %u%s\n",
			tls_reason_name(er), edir, eoff, tls_reason_name(ro.reason),
			ro.dir, ro.off, ro.unmodelled ? " (unmodelled from there)" : "");
		abort();
	}
	return 0;
}
