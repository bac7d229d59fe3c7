// SPDX-License-Identifier: GPL-2.0
/*
 * Print the weak classes tls_cipher_class() gives each cipher suite read
 * from stdin (one hex number per line): "0xc011 RC4".  For
 * check_ciphers.sh, which compares them with what OpenSSL and GnuTLS say
 * of the suites they know.
 */
#include <stdio.h>
#include <stdlib.h>
#include "../../tls_ciphers.h"

int main(void)
{
	static const char *const names[] = { "NULL", "EXPORT", "ANON", "RC4",
					     "DES" };
	char line[64];

	while (fgets(line, sizeof(line), stdin)) {
		char *end;
		unsigned long s = strtoul(line, &end, 16);
		unsigned int i;
		u8 c;

		if (end == line || s > 0xffff) {
			fprintf(stderr, "cipher_class: not a suite: %s", line);
			return 2;
		}
		c = tls_cipher_class((u16)s);
		printf("0x%04lx", s);
		for (i = 0; i < 5; i++)
			if (c & (1u << i))
				printf(" %s", names[i]);
		printf("\n");
	}
	return 0;
}
