// SPDX-License-Identifier: GPL-2.0
/* Write the test vectors as fuzz_engine inputs: mkcorpus DIR */
#include <stdio.h>
#include <string.h>

#include "../vectors/tls_vectors.h"

int main(int argc, char **argv)
{
	char path[512];
	unsigned int i, s;
	u32 len, pos, n;
	FILE *f;
	const struct tls_vector *v;
	u8 hdr[8];

	if (argc != 2)
		return 2;
	for (i = 0; i < tls_nvectors; i++) {
		v = &tls_vectors[i];
		snprintf(path, sizeof(path), "%s/%03u_%s", argv[1], i, v->name);
		f = fopen(path, "wb");
		if (!f)
			return 1;
		hdr[0] = v->pol.lowrun_limit & 0xff;
		hdr[1] = v->pol.lowrun_limit >> 8;
		hdr[2] = (v->pol.heartbeat == TLS_HB_VALIDATE ? 3 :
			  v->pol.heartbeat) | (v->pol.allow_sslv2 ? 4 : 0);
		hdr[3] = 7 + i % 200;
		hdr[4] = i + 1;
		hdr[5] = hdr[6] = hdr[7] = 0x5a;
		fwrite(hdr, 1, 8, f);
		for (s = 0; s < v->nsteps; s++) {
			len = v->steps[s].len;
			for (pos = 0; pos < len; pos += n) {
				n = len - pos > 32767 ? 32767 : len - pos;
				fputc((n >> 8) << 1 | v->steps[s].dir, f);
				fputc(n & 0xff, f);
				fwrite(v->steps[s].data + pos, 1, n, f);
			}
		}
		fclose(f);
	}
	return 0;
}
