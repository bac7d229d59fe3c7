// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the tls-replay front end (make tools-fuzz): the
 * frame decoder, the flow table and the per-segment replay, without
 * libpcap (whose file parsing is not ours to fuzz).
 *
 * Input: byte 0 picks the link type (bits 0-2), the reorder window (bits
 * 3-4: off, 3000 bytes so that it overflows, the default, 64 KiB; bit 5:
 * a 16 KiB bound on all windows) and --port 443 (bit 7), byte 1 the
 * policies and output options, then frames as
 * [2-byte big-endian caplen][2-byte wire length extra][caplen bytes]...
 * The table is small (8 flows) so that the "table full" path runs too.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static const int dlts[] = {
	TR_DLT_NULL, TR_DLT_EN10MB, TR_DLT_RAW, TR_DLT_LOOP,
	TR_DLT_LINUX_SLL, TR_DLT_IPV4, TR_DLT_IPV6, TR_DLT_LINUX_SLL2,
};

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static FILE *devnull;
	struct tr_table t;
	struct tr_stats st;
	struct tr_opts o;
	struct tr_pkt p;
	enum tr_decode_result d;
	size_t off = 2;
	u32 cap, extra, i;
	u64 frame = 0;
	int dlt;

	if (size < 2)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	dlt = dlts[(data[0] & 7) % (sizeof(dlts) / sizeof(dlts[0]))];
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.pol.lowrun_limit = (data[1] & 0x03) == 0 ? 0 :
			     (data[1] & 0x03) == 1 ? 9 : TLS_LOWRUN_DEFAULT;
	o.pol.heartbeat = (data[1] >> 2) % 3;
	o.pol.allow_sslv2 = (data[1] >> 4) & 1;
	o.pol.gap = (data[1] >> 5) & 1 ? TLS_GAP_STOP : TLS_GAP_DROP;
	o.json = (data[1] >> 6) & 1;
	o.verbose = data[1] >> 7;
	switch ((data[0] >> 3) & 3) {
	case 0:
		o.reorder_bytes = 0;
		break;
	case 1:
		o.reorder_bytes = 3000;
		break;
	case 2:
		o.reorder_bytes = TR_REORDER_BYTES_DEFAULT;
		break;
	default:
		o.reorder_bytes = 64 << 10;
	}
	o.reorder_total = data[0] & 0x20 ? 16 << 10 : TR_REORDER_TOTAL_DEFAULT;
	if (data[0] & 0x80) {
		o.ports[0] = 443;
		o.nports = 1;
	}
	if (tr_table_init(&t, 8))
		return 0;
	while (size - off >= 4) {
		cap = (u32)data[off] << 8 | data[off + 1];
		extra = (u32)data[off + 2] << 8 | data[off + 3];
		off += 4;
		if (cap > size - off)
			cap = size - off;
		/* a copy of exactly cap bytes: any over-read is caught */
		{
			u8 *buf = malloc(cap ? cap : 1);

			if (!buf)
				break;
			memcpy(buf, data + off, cap);
			frame++;
			d = tr_decode(dlt, buf, cap, cap + extra, &p);
			st.decode[d]++;
			if (d == TR_PKT_TCP)
				tr_packet(&t, &p, frame, &o, &st);
			free(buf);
		}
		off += cap;
	}
	st.frames = frame;
	tr_finish(&t, &o, &st);
	if (devnull) {
		for (i = 0; i < t.nflows; i++)
			tr_print_flow(devnull, &t.flows[i], &o);
		tr_print_summary(devnull, &t, &st, &o, "fuzz", NULL);
	}
	tr_table_free(&t);
	return 0;
}
