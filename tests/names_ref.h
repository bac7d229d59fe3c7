/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only reference for the server-name matcher (tls_names.h): the
 * whole name normalised (ASCII lowercase, one trailing dot dropped), then
 * compared with every entry string directly.  Slow and obvious, for the
 * unit tests' differential test and tests/fuzz/fuzz_names.c.
 */
#ifndef _NAMES_REF_H
#define _NAMES_REF_H

#include <string.h>
#include "../tls_names.h"

struct names_ref_entry {
	char name[TLS_NAME_BUF];	/* normalised (tls_name_normalise) */
	u32 len;
	u8 allow;
	u32 idx;
};

/* Entry e from raw text; false when the text is not a valid entry */
static inline bool names_ref_entry(struct names_ref_entry *e, const char *s,
				   size_t len, u8 allow, u32 idx)
{
	int l = tls_name_normalise(s, len, 0, e->name);

	if (l < 0)
		return false;
	e->len = l;
	e->allow = allow;
	e->idx = idx;
	return true;
}

static inline enum tls_name_verdict
names_ref_match(const struct names_ref_entry *e, u32 n, const u8 *name,
		size_t len, u32 *idx)
{
	u8 norm[1024];
	u32 i, best_len[2] = { 0, 0 }, best_idx[2] = { TLS_NAMES_NO_ENTRY,
						       TLS_NAMES_NO_ENTRY };
	bool any_allow = false;
	size_t j;

	if (len > sizeof(norm))
		len = sizeof(norm);
	for (j = 0; j < len; j++)
		norm[j] = name[j] >= 'A' && name[j] <= 'Z' ? name[j] + 32 : name[j];
	if (len && norm[len - 1] == '.')
		len--;
	for (i = 0; i < n; i++) {
		u32 plen;
		bool hit;

		any_allow |= e[i].allow;
		if (e[i].name[0] == '.') {	/* suffix: ends with ".x" */
			hit = len >= e[i].len &&
			      !memcmp(norm + len - e[i].len, e[i].name, e[i].len);
			plen = e[i].len;
		} else {			/* exact */
			hit = len == e[i].len && !memcmp(norm, e[i].name, len);
			plen = e[i].len + 1;	/* the automaton's START */
		}
		if (!hit)
			continue;
		/* the longest (most specific) wins, then the lowest idx */
		if (plen > best_len[e[i].allow] ||
		    (plen == best_len[e[i].allow] &&
		     e[i].idx < best_idx[e[i].allow])) {
			best_len[e[i].allow] = plen;
			best_idx[e[i].allow] = e[i].idx;
		}
	}
	*idx = TLS_NAMES_NO_ENTRY;
	if (best_idx[0] != TLS_NAMES_NO_ENTRY) {
		*idx = best_idx[0];
		return TLS_NAME_DENIED;
	}
	if (!any_allow)
		return TLS_NAME_NONE;
	if (best_idx[1] == TLS_NAMES_NO_ENTRY)
		return TLS_NAME_NOT_ALLOWED;
	*idx = best_idx[1];
	return TLS_NAME_ALLOWED;
}

/* The automaton over name, byte by byte */
static inline enum tls_name_verdict
names_run(const struct tls_names *set, const u8 *name, size_t len, u32 *idx)
{
	u32 st = tls_names_init(set);
	size_t j;

	for (j = 0; j < len; j++)
		st = tls_names_step(set, st, name[j]);
	return tls_names_end(set, st, idx);
}

#endif /* _NAMES_REF_H */
