// SPDX-License-Identifier: GPL-2.0
/*
 * The server-name lists through the handshake layer: ClientHellos with
 * crafted server_name lists fed to tls_feed() with a compiled set in the
 * policy, in every chunking, and the verdict (sni_deny / sni_allow at the
 * hello's last byte, or none), the entry that decided it, the hit
 * callback; a set swapped in the middle of a name (finished with the
 * previous set), swapped twice (fail safe), and the near misses.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "../../tls_parse.h"
#include "../../tls_handshake.h"
#include "../../tls_names.h"

static void *sa(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void sf(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

static const struct tls_names_alloc mem = { sa, sf, NULL };

/* A ClientHello record with the given host_names; returns its length. */
static u32 client_hello(u8 *out, const char *const *names, unsigned int n)
{
	u8 *p = out + 5 + 4;
	u32 i, len, list = 0, body, k;
	u8 t;

	*p++ = 3;
	*p++ = 3;
	for (i = 0; i < 32; i++)
		*p++ = 0x80 + i;
	*p++ = 0;		/* session id */
	*p++ = 0;
	*p++ = 2;
	*p++ = 0x13;
	*p++ = 0x01;
	*p++ = 1;		/* compression: null */
	*p++ = 0;
	for (i = 0; i < n; i++)
		list += 3 + strlen(names[i]) - ((u8)names[i][0] < ' ');
	if (n) {
		k = 4 + 2 + list;
		*p++ = k >> 8;		/* extensions length */
		*p++ = k & 0xff;
		*p++ = 0;		/* server_name */
		*p++ = 0;
		*p++ = (2 + list) >> 8;
		*p++ = (2 + list) & 0xff;
		*p++ = list >> 8;
		*p++ = list & 0xff;
		for (i = 0; i < n; i++) {
			/* a first byte below ' ': an entry of that type */
			t = (u8)names[i][0] < ' ' ? (u8)names[i][0] : 0;
			len = strlen(names[i]) - !!t;
			*p++ = t;
			*p++ = len >> 8;
			*p++ = len & 0xff;
			memcpy(p, names[i] + !!t, len);
			p += len;
		}
	} else {
		*p++ = 0;
		*p++ = 0;
	}
	body = p - (out + 9);
	out[5] = 1;
	out[6] = body >> 16;
	out[7] = body >> 8;
	out[8] = body;
	out[0] = 22;
	out[1] = 3;
	out[2] = 1;
	out[3] = (body + 4) >> 8;
	out[4] = (body + 4) & 0xff;
	return body + 9;
}

static unsigned int hits[2][8];

static void hit(void *owner, u32 idx)
{
	unsigned int l = owner ? 1 : 0;	/* which set: see make_set() */

	if ((idx & 0x7fffff) < 8)
		hits[l][idx & 0x7fffff]++;
}

/*
 * A set of deny and allow entries (NULL-terminated arrays); idx = the
 * position in each array, 0x800000 added for the allow list.
 */
static struct tls_names *make_set(const char *const *deny,
				  const char *const *allow, u32 gen,
				  void *owner)
{
	struct tls_name_entry e[16];
	struct tls_names *s = NULL;
	u32 n = 0, i;

	for (i = 0; deny && deny[i]; i++)
		e[n++] = (struct tls_name_entry){ deny[i], strlen(deny[i]), 0, i };
	for (i = 0; allow && allow[i]; i++)
		e[n++] = (struct tls_name_entry){ allow[i], strlen(allow[i]), 1,
						  0x800000 | i };
	if (tls_names_build(e, n, gen, &mem, &s))
		abort();
	s->owner = owner;
	return s;
}

/*
 * Feed rec (len bytes) as the client in chunks of `chunk` (0: whole, < 0:
 * random up to -chunk), the set swapped to `next` after byte `swap_at`
 * (0: never).  Returns the reason; *off the deciding byte, *ent the entry.
 */
static enum tls_reason run(const u8 *rec, u32 len, int chunk, u32 seed,
			   struct tls_policy *pol,
			   const struct tls_names *next, u32 swap_at,
			   u32 *off, u32 *ent)
{
	struct tls_flow f;
	struct tls_result res;
	enum tls_reason r;
	u32 pos = 0, n;

	tls_flow_init(&f);
	*off = 0;
	*ent = 0;
	while (pos < len) {
		if (chunk > 0) {
			n = (u32)chunk;
		} else if (chunk < 0) {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			n = 1 + seed % (u32)-chunk;
		} else {
			n = len;
		}
		if (swap_at && pos < swap_at && pos + n > swap_at)
			n = swap_at - pos;
		if (n > len - pos)
			n = len - pos;
		r = tls_feed(&f, TLS_DIR_CLIENT, rec + pos, n, pol, &res);
		if (r) {
			*off = pos + res.at;
			*ent = tls_hs_name_entry(&f);
			return r;
		}
		pos += n;
		if (swap_at && pos == swap_at) {
			pol->rules.names_prev = pol->rules.names;
			pol->rules.names = next;
		}
	}
	return TLS_OK;
}

static const int chunks[] = { 0, 1, 2, 7, -5, -300 };

struct sni_case {
	const char *what;
	const char *names[3];
	enum tls_reason want;
	int entry;	/* deciding entry (idx), -1: none */
};

static const char *const deny1[] = { ".example.com", "evil.test",
				     "*.bad.example.org", NULL };
static const char *const allow1[] = { "good.test", ".corp.test", NULL };

/* deny list only */
static const struct sni_case deny_cases[] = {
	{ "exact", { "evil.test" }, TLS_R_SNI_DENY, 1 },
	{ "exact, upper case, trailing dot", { "EVIL.Test." }, TLS_R_SNI_DENY, 1 },
	{ "suffix", { "www.example.com" }, TLS_R_SNI_DENY, 0 },
	{ "suffix, two labels down", { "a.b.example.com" }, TLS_R_SNI_DENY, 0 },
	{ "*. suffix", { "x.bad.example.org" }, TLS_R_SNI_DENY, 2 },
	{ "near miss: the suffix itself", { "example.com" }, TLS_OK, -1 },
	{ "near miss: label boundary", { "notexample.com" }, TLS_OK, -1 },
	{ "near miss: a longer exact name", { "evil.test.org" }, TLS_OK, -1 },
	{ "near miss: a shorter one", { "vil.test" }, TLS_OK, -1 },
	{ "near miss: punycode", { "xn--evil-test.org" }, TLS_OK, -1 },
	{ "two names, the second denied", { "ok.test", "evil.test" },
	  TLS_R_SNI_DENY, 1 },
	{ "no name", { NULL }, TLS_OK, -1 },
	/* servers that skip other name types read the host_name after */
	{ "a host_name after an entry of type 1", { "\001abc", "evil.test" },
	  TLS_R_SNI_DENY, 1 },
	{ "after an empty entry of type 2", { "\002", "evil.test" },
	  TLS_R_SNI_DENY, 1 },
	{ "near miss: the name in an entry of type 1", { "\001evil.test" },
	  TLS_OK, -1 },
};

/* deny and allow lists */
static const struct sni_case allow_cases[] = {
	{ "on the allow list", { "good.test" }, TLS_OK, -1 },
	{ "allow suffix", { "mail.corp.test" }, TLS_OK, -1 },
	{ "not on it", { "other.test" }, TLS_R_SNI_ALLOW, -1 },
	{ "the allow suffix itself", { "corp.test" }, TLS_R_SNI_ALLOW, -1 },
	{ "deny wins", { "evil.test" }, TLS_R_SNI_DENY, 1 },
	{ "no name: not on the allow list", { NULL }, TLS_R_SNI_ALLOW, -1 },
	{ "allowed, then one not", { "good.test", "x.test" },
	  TLS_R_SNI_ALLOW, -1 },
	{ "an entry of type 1, then one not allowed", { "\001good.test", "x.test" },
	  TLS_R_SNI_ALLOW, -1 },
	{ "an entry of type 1 only: no host_name", { "\001good.test" },
	  TLS_R_SNI_ALLOW, -1 },
	{ "allowed after an entry of type 1", { "\001x.test", "good.test" },
	  TLS_OK, -1 },
};

static unsigned int count(const char *const *names)
{
	unsigned int n = 0;

	while (n < 3 && names[n])
		n++;
	return n;
}

static void t_cases(const char *title, const struct sni_case *c,
		    unsigned int nc, struct tls_names *set)
{
	struct unit_group g;
	struct tls_policy pol;
	u8 rec[1024];
	unsigned int i, k;
	u32 len, off, ent;
	enum tls_reason r;

	group_begin(&g, title);
	for (i = 0; i < nc; i++) {
		len = client_hello(rec, c[i].names, count(c[i].names));
		for (k = 0; k < N(chunks); k++) {
			memset(&pol, 0, sizeof(pol));
			pol.handshake = 1;
			pol.rules.names = set;
			r = run(rec, len, chunks[k], 7 + i, &pol, NULL, 0,
				&off, &ent);
			CHECK(&g, r == c[i].want, "%s, chunk %d: %s, want %s",
			      c[i].what, chunks[k], tls_reason_name(r),
			      tls_reason_name(c[i].want));
			CHECK(&g, !r || off == len - 1,
			      "%s, chunk %d: at %u, want the hello's last byte %u",
			      c[i].what, chunks[k], off, len - 1);
			if (r == TLS_R_SNI_DENY && c[i].entry >= 0)
				CHECK(&g, (ent & TLS_HS_NAME_ENTRY) &&
				      TLS_HS_NAME_IDX(ent) == (u32)c[i].entry &&
				      TLS_HS_NAME_GEN(ent) == set->gen,
				      "%s, chunk %d: entry 0x%x, want idx %d",
				      c[i].what, chunks[k], ent, c[i].entry);
		}
	}
	group_end(&g);
}

/* Sets swapped in the middle of a name. */
static void t_swap(void)
{
	static const char *const deny_b[] = { "other.test", NULL };
	static const char *const names[] = { "www.example.com" };
	struct tls_names *a = make_set(deny1, NULL, 1, NULL);
	struct tls_names *b = make_set(deny_b, NULL, 2, &hits);
	struct tls_names *c = make_set(deny_b, NULL, 3, &hits);
	struct unit_group g;
	struct tls_policy pol;
	u8 rec[512];
	u32 len, off, ent, at;
	enum tls_reason r;

	group_begin(&g, "sni lists: a set swapped mid-name, twice, emptied");
	len = client_hello(rec, names, 1);
	/* the name starts at len - 15 ("www.example.com" ends the hello) */
	at = len - 8;
	memset(&pol, 0, sizeof(pol));
	pol.handshake = 1;
	pol.rules.names = a;
	r = run(rec, len, 0, 1, &pol, b, at, &off, &ent);
	CHECK(&g, r == TLS_R_SNI_DENY && off == len - 1,
	      "swap once: %s at %u, want sni_deny (the old set ends the name)",
	      tls_reason_name(r), off);
	CHECK(&g, TLS_HS_NAME_GEN(ent) == a->gen, "swap once: entry 0x%x", ent);
	/* the name passes under the old set: a fail safe would deny it */
	memset(&pol, 0, sizeof(pol));
	pol.handshake = 1;
	pol.rules.names = b;
	r = run(rec, len, 0, 1, &pol, c, at, &off, &ent);
	CHECK(&g, r == TLS_OK, "swap once, allowed by the old set: %s",
	      tls_reason_name(r));
	/* swapped twice: neither set knows the state; a list is loaded */
	memset(&pol, 0, sizeof(pol));
	pol.handshake = 1;
	pol.rules.names = a;
	{
		struct tls_flow f;
		struct tls_result res;

		tls_flow_init(&f);
		r = tls_feed(&f, TLS_DIR_CLIENT, rec, at, &pol, &res);
		pol.rules.names_prev = b;
		pol.rules.names = c;
		if (!r)
			r = tls_feed(&f, TLS_DIR_CLIENT, rec + at, len - at,
				     &pol, &res);
		CHECK(&g, r == TLS_R_SNI_DENY,
		      "swap twice: %s, want sni_deny (fail safe)",
		      tls_reason_name(r));
		/* the same with every list gone: nothing to deny against */
		tls_flow_init(&f);
		pol.rules.names = a;
		pol.rules.names_prev = NULL;
		r = tls_feed(&f, TLS_DIR_CLIENT, rec, at, &pol, &res);
		pol.rules.names = NULL;
		pol.rules.names_prev = NULL;
		if (!r)
			r = tls_feed(&f, TLS_DIR_CLIENT, rec + at, len - at,
				     &pol, &res);
		CHECK(&g, r == TLS_OK, "lists emptied twice mid-name: %s",
		      tls_reason_name(r));
	}
	/* the hit callback: once per name that matched, with its owner */
	memset(hits, 0, sizeof(hits));
	memset(&pol, 0, sizeof(pol));
	pol.handshake = 1;
	pol.rules.names = b;
	pol.rules.name_hit = hit;
	{
		static const char *const two[] = { "other.test", "OTHER.test." };

		len = client_hello(rec, two, 2);
		r = run(rec, len, 1, 1, &pol, NULL, 0, &off, &ent);
	}
	CHECK(&g, r == TLS_R_SNI_DENY && hits[1][0] == 2,
	      "hits: %s, %u hits, want sni_deny and 2", tls_reason_name(r),
	      hits[1][0]);
	group_end(&g);
	tls_names_free(a, &mem);
	tls_names_free(b, &mem);
	tls_names_free(c, &mem);
}

void run_sni_tests(void)
{
	struct tls_names *d = make_set(deny1, NULL, 1, NULL);
	struct tls_names *da = make_set(deny1, allow1, 2, NULL);

	t_cases("sni lists: deny list, every chunking, near misses",
		deny_cases, N(deny_cases), d);
	t_cases("sni lists: deny and allow lists, every chunking",
		allow_cases, N(allow_cases), da);
	t_cases("sni lists: no set, nothing denied", deny_cases + 5, 5, NULL);
	t_swap();
	tls_names_free(d, &mem);
	tls_names_free(da, &mem);
}
