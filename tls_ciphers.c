// SPDX-License-Identifier: GPL-2.0
/*
 * The weak classes of the TLS cipher suites (tls_ciphers.h).  Facts from
 * the IANA TLS Cipher Suites registry (RFCs 2246, 2712, 4162, 4279, 4346,
 * 4785, 5054, 5288, 5469, 5487, 5489, 5932, 6209, 6367, 9150), the export
 * suites OpenSSL 0.9 numbered 0x0060-0x0066 (never assigned, once widely
 * deployed) and the pre-standard FIPS DES suites of private numbers
 * 0xfefe-0xfeff and 0xffe0-0xffe1.  Suites in no class are not listed.
 */
#include "tls_ciphers.h"

static const struct {
	u16 suite;
	u8 cls;
} tls_cipher_table[] = {
	{ 0x0000, TLS_CC_NULL | TLS_CC_ANON },
	{ 0x0001, TLS_CC_NULL },
	{ 0x0002, TLS_CC_NULL },
	{ 0x0003, TLS_CC_EXPORT | TLS_CC_RC4 },
	{ 0x0004, TLS_CC_RC4 },
	{ 0x0005, TLS_CC_RC4 },
	{ 0x0006, TLS_CC_EXPORT },
	{ 0x0008, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x0009, TLS_CC_DES },
	{ 0x000a, TLS_CC_DES },
	{ 0x000b, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x000c, TLS_CC_DES },
	{ 0x000d, TLS_CC_DES },
	{ 0x000e, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x000f, TLS_CC_DES },
	{ 0x0010, TLS_CC_DES },
	{ 0x0011, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x0012, TLS_CC_DES },
	{ 0x0013, TLS_CC_DES },
	{ 0x0014, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x0015, TLS_CC_DES },
	{ 0x0016, TLS_CC_DES },
	{ 0x0017, TLS_CC_EXPORT | TLS_CC_ANON | TLS_CC_RC4 },
	{ 0x0018, TLS_CC_ANON | TLS_CC_RC4 },
	{ 0x0019, TLS_CC_EXPORT | TLS_CC_ANON | TLS_CC_DES },
	{ 0x001a, TLS_CC_ANON | TLS_CC_DES },
	{ 0x001b, TLS_CC_ANON | TLS_CC_DES },
	{ 0x001e, TLS_CC_DES },
	{ 0x001f, TLS_CC_DES },
	{ 0x0020, TLS_CC_RC4 },
	{ 0x0022, TLS_CC_DES },
	{ 0x0023, TLS_CC_DES },
	{ 0x0024, TLS_CC_RC4 },
	{ 0x0026, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x0027, TLS_CC_EXPORT },
	{ 0x0028, TLS_CC_EXPORT | TLS_CC_RC4 },
	{ 0x0029, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x002a, TLS_CC_EXPORT },
	{ 0x002b, TLS_CC_EXPORT | TLS_CC_RC4 },
	{ 0x002c, TLS_CC_NULL },
	{ 0x002d, TLS_CC_NULL },
	{ 0x002e, TLS_CC_NULL },
	{ 0x0034, TLS_CC_ANON },
	{ 0x003a, TLS_CC_ANON },
	{ 0x003b, TLS_CC_NULL },
	{ 0x0046, TLS_CC_ANON },
	{ 0x0060, TLS_CC_EXPORT | TLS_CC_RC4 },
	{ 0x0061, TLS_CC_EXPORT },
	{ 0x0062, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x0063, TLS_CC_EXPORT | TLS_CC_DES },
	{ 0x0064, TLS_CC_EXPORT | TLS_CC_RC4 },
	{ 0x0065, TLS_CC_EXPORT | TLS_CC_RC4 },
	{ 0x0066, TLS_CC_RC4 },
	{ 0x006c, TLS_CC_ANON },
	{ 0x006d, TLS_CC_ANON },
	{ 0x0089, TLS_CC_ANON },
	{ 0x008a, TLS_CC_RC4 },
	{ 0x008b, TLS_CC_DES },
	{ 0x008e, TLS_CC_RC4 },
	{ 0x008f, TLS_CC_DES },
	{ 0x0092, TLS_CC_RC4 },
	{ 0x0093, TLS_CC_DES },
	{ 0x009b, TLS_CC_ANON },
	{ 0x00a6, TLS_CC_ANON },
	{ 0x00a7, TLS_CC_ANON },
	{ 0x00b0, TLS_CC_NULL },
	{ 0x00b1, TLS_CC_NULL },
	{ 0x00b4, TLS_CC_NULL },
	{ 0x00b5, TLS_CC_NULL },
	{ 0x00b8, TLS_CC_NULL },
	{ 0x00b9, TLS_CC_NULL },
	{ 0x00bf, TLS_CC_ANON },
	{ 0x00c5, TLS_CC_ANON },
	{ 0xc001, TLS_CC_NULL },
	{ 0xc002, TLS_CC_RC4 },
	{ 0xc003, TLS_CC_DES },
	{ 0xc006, TLS_CC_NULL },
	{ 0xc007, TLS_CC_RC4 },
	{ 0xc008, TLS_CC_DES },
	{ 0xc00b, TLS_CC_NULL },
	{ 0xc00c, TLS_CC_RC4 },
	{ 0xc00d, TLS_CC_DES },
	{ 0xc010, TLS_CC_NULL },
	{ 0xc011, TLS_CC_RC4 },
	{ 0xc012, TLS_CC_DES },
	{ 0xc015, TLS_CC_NULL | TLS_CC_ANON },
	{ 0xc016, TLS_CC_ANON | TLS_CC_RC4 },
	{ 0xc017, TLS_CC_ANON | TLS_CC_DES },
	{ 0xc018, TLS_CC_ANON },
	{ 0xc019, TLS_CC_ANON },
	{ 0xc01a, TLS_CC_DES },
	{ 0xc01b, TLS_CC_DES },
	{ 0xc01c, TLS_CC_DES },
	{ 0xc033, TLS_CC_RC4 },
	{ 0xc034, TLS_CC_DES },
	{ 0xc039, TLS_CC_NULL },
	{ 0xc03a, TLS_CC_NULL },
	{ 0xc03b, TLS_CC_NULL },
	{ 0xc046, TLS_CC_ANON },
	{ 0xc047, TLS_CC_ANON },
	{ 0xc05a, TLS_CC_ANON },
	{ 0xc05b, TLS_CC_ANON },
	{ 0xc084, TLS_CC_ANON },
	{ 0xc085, TLS_CC_ANON },
	{ 0xc0b4, TLS_CC_NULL },
	{ 0xc0b5, TLS_CC_NULL },
	{ 0xfefe, TLS_CC_DES },
	{ 0xfeff, TLS_CC_DES },
	{ 0xffe0, TLS_CC_DES },
	{ 0xffe1, TLS_CC_DES },
};

#define TLS_CIPHER_N	(sizeof(tls_cipher_table) / sizeof(*tls_cipher_table))

u8 tls_cipher_class(u16 s)
{
	u32 lo = 0, hi = TLS_CIPHER_N;

	/* binary search of the table, sorted by suite */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (tls_cipher_table[mid].suite == s)
			return tls_cipher_table[mid].cls;
		if (tls_cipher_table[mid].suite < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Index of s in l[0..n), or where it would go (l sorted) */
static u32 cl_find(const u16 *l, u32 n, u16 s)
{
	u32 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool cl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A suite number of p[0..len): decimal or 0x hex, 0..65535 */
static bool cl_number(const char *p, u32 len, u16 *out)
{
	u32 v = 0, base = 10, i = 0, d;

	if (len > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v * base + d;
		if (v > 0xffff)
			return false;
	}
	*out = (u16)v;
	return true;
}

int tls_cipher_list_apply(u16 *l, u32 *n, const char *buf, u32 len,
			  u32 *line)
{
	u32 pos = 0, end, a, b, k, i;
	u16 s;

	*line = 0;
	while (pos < len) {
		for (end = pos; end < len && buf[end] != '\n'; end++)
			;
		++*line;
		a = pos;
		b = end;
		pos = end + 1;
		while (a < b && cl_space(buf[a]))
			a++;
		while (b > a && cl_space(buf[b - 1]))
			b--;
		if (a == b)
			continue;
		if (buf[a] == '/' && b - a == 1) {
			*n = 0;
			continue;
		}
		if ((buf[a] != '+' && buf[a] != '-') ||
		    !cl_number(buf + a + 1, b - a - 1, &s))
			return -22;
		k = cl_find(l, *n, s);
		if (buf[a] == '+') {
			if (k < *n && l[k] == s)
				continue;
			if (*n >= TLS_CIPHER_LIST_MAX)
				return -28;
			for (i = *n; i > k; i--)
				l[i] = l[i - 1];
			l[k] = s;
			++*n;
		} else {
			if (k == *n || l[k] != s)
				return -2;
			for (i = k; i + 1 < *n; i++)
				l[i] = l[i + 1];
			--*n;
		}
	}
	return 0;
}
