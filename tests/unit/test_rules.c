// SPDX-License-Identifier: GPL-2.0
/*
 * The rule set's decisions (tls_rules.c): each rule fires on a hello that
 * breaks it, and a near miss (the closest hello that keeps it, or the
 * same hello with the rule off) passes.
 */
#include <string.h>

#include "unit.h"
#include "../../tls_rules.h"
#include "../../tls_ciphers.h"
#include "../../tls_parse.h"

#define V12UP	(TLS_V_TLS12 | TLS_V_TLS13)
#define SNI	TLS_HF_SNI
/* a ClientHello's facts: offered, TLS_HF_*, names, odd, name verdict */
#define CH(o, f, n, odd_, nm)						\
	{ .offered = o, .facts = f, .names = n, .odd = odd_,		\
	  .name = TLS_NAME_##nm }

static const struct {
	const char *name;
	struct tls_rules r;
	struct tls_rules_ch ch;
	enum tls_rule want;
} ch_cases[] = {
	{ "denied name", {}, CH(V12UP, SNI, 1, false, DENIED),
	  TLS_RULE_SNI_DENY },
	{ "allowed name", {}, CH(V12UP, SNI, 1, false, ALLOWED),
	  TLS_RULE_NONE },
	{ "not on the allow list", {},
	  CH(V12UP, SNI, 1, false, NOT_ALLOWED), TLS_RULE_SNI_ALLOW },
	{ "no list", {}, CH(V12UP, SNI, 1, false, NONE),
	  TLS_RULE_NONE },
	{ "denied name beats no_sni/ech", { .no_sni = 1, .ech = 2 },
	  CH(V12UP, SNI, 1, false, DENIED), TLS_RULE_SNI_DENY },
	{ "no name, no_sni=1", { .no_sni = 1 }, CH(V12UP, 0, 0, false, NONE),
	  TLS_RULE_NO_SNI },
	{ "no name, no_sni=0", {}, CH(V12UP, 0, 0, false, NONE), TLS_RULE_NONE },
	{ "a name, no_sni=1", { .no_sni = 1 }, CH(V12UP, SNI, 1, false, NONE),
	  TLS_RULE_NONE },
	{ "IP literal, sni_ip=1", { .sni_ip = 1 },
	  CH(V12UP, SNI | TLS_HF_SNI_IP, 1, false, NONE), TLS_RULE_SNI_IP },
	{ "IP literal, sni_ip=0", {}, CH(V12UP, SNI | TLS_HF_SNI_IP, 1, false, NONE),
	  TLS_RULE_NONE },
	{ "host name, sni_ip=1", { .sni_ip = 1 }, CH(V12UP, SNI, 1, false, NONE),
	  TLS_RULE_NONE },
	{ "two names, sni_multi=1", { .sni_multi = 1 }, CH(V12UP, SNI, 2, false, NONE),
	  TLS_RULE_SNI_MULTI },
	{ "one name, sni_multi=1", { .sni_multi = 1 }, CH(V12UP, SNI, 1, false, NONE),
	  TLS_RULE_NONE },
	{ "odd bytes, sni_odd=1", { .sni_odd = 1 }, CH(V12UP, SNI, 1, true, NONE),
	  TLS_RULE_SNI_ODD },
	{ "odd bytes, sni_odd=0", {}, CH(V12UP, SNI, 1, true, NONE),
	  TLS_RULE_NONE },
	{ "ECH, ech=deny", { .ech = TLS_ECH_DENY },
	  CH(V12UP, SNI | TLS_HF_ECH, 1, false, NONE), TLS_RULE_ECH_DENY },
	{ "no ECH, ech=deny", { .ech = TLS_ECH_DENY }, CH(V12UP, SNI, 1, false, NONE),
	  TLS_RULE_NONE },
	{ "no ECH, ech=require", { .ech = TLS_ECH_REQUIRE },
	  CH(V12UP, SNI, 1, false, NONE), TLS_RULE_ECH_REQUIRE },
	{ "ECH, ech=require", { .ech = TLS_ECH_REQUIRE },
	  CH(V12UP, SNI | TLS_HF_ECH, 1, false, NONE), TLS_RULE_NONE },
	{ "ECH, ech=allow", {}, CH(V12UP, SNI | TLS_HF_ECH, 1, false, NONE),
	  TLS_RULE_NONE },
	{ "offers 1.0-1.1, floor 1.2 on offers",
	  { .min_version = TLS_V_TLS12, .min_offer = 1 },
	  CH(TLS_V_TLS10 | TLS_V_TLS11, SNI, 1, false, NONE), TLS_RULE_MIN_OFFER },
	{ "offers 1.0-1.2, floor 1.2 on offers",
	  { .min_version = TLS_V_TLS12, .min_offer = 1 },
	  CH(TLS_V_TLS10 | TLS_V_TLS11 | TLS_V_TLS12, SNI, 1, false, NONE),
	  TLS_RULE_NONE },
	{ "offers 1.0-1.1, floor 1.2 on the server only",
	  { .min_version = TLS_V_TLS12 },
	  CH(TLS_V_TLS10 | TLS_V_TLS11, SNI, 1, false, NONE), TLS_RULE_NONE },
	{ "offers nothing, floor on offers",
	  { .min_version = TLS_V_SSL3, .min_offer = 1 }, CH(0, SNI, 1, false, NONE),
	  TLS_RULE_MIN_OFFER },
};

static const u16 deny_list[] = { 0x002f, 0x009c, 0xc02f };

static const struct {
	const char *name;
	struct tls_rules r;
	u8 selected;
	u16 cipher;
	enum tls_rule want;
} sh_cases[] = {
	{ "1.1 below floor 1.2", { .min_version = TLS_V_TLS12 },
	  TLS_V_TLS11, 0xc013, TLS_RULE_MIN_VERSION },
	{ "1.2 at floor 1.2", { .min_version = TLS_V_TLS12 },
	  TLS_V_TLS12, 0xc02f, TLS_RULE_NONE },
	{ "1.3 above floor 1.2", { .min_version = TLS_V_TLS12 },
	  TLS_V_TLS13, 0x1301, TLS_RULE_NONE },
	{ "1.0, no floor", {}, TLS_V_TLS10, 0x002f, TLS_RULE_NONE },
	{ "3DES, DES denied", { .cipher_deny = TLS_CC_DES }, TLS_V_TLS12,
	  0x000a, TLS_RULE_CIPHER_CLASS },
	{ "AES128-SHA, DES denied", { .cipher_deny = TLS_CC_DES },
	  TLS_V_TLS12, 0x002f, TLS_RULE_NONE },
	{ "ECDHE-RSA-NULL-SHA, NULL denied", { .cipher_deny = TLS_CC_NULL },
	  TLS_V_TLS12, 0xc010, TLS_RULE_CIPHER_CLASS },
	{ "ECDHE-RSA-NULL-SHA, RC4 denied", { .cipher_deny = TLS_CC_RC4 },
	  TLS_V_TLS12, 0xc010, TLS_RULE_NONE },
	{ "ADH-AES128-SHA, anon denied", { .cipher_deny = TLS_CC_ANON },
	  TLS_V_TLS12, 0x0034, TLS_RULE_CIPHER_CLASS },
	{ "EXP-RC4-MD5, export denied", { .cipher_deny = TLS_CC_EXPORT },
	  TLS_V_TLS10, 0x0003, TLS_RULE_CIPHER_CLASS },
	{ "TLS_SHA256_SHA256 (1.3 integrity only), NULL denied",
	  { .cipher_deny = TLS_CC_NULL }, TLS_V_TLS13, 0xc0b4,
	  TLS_RULE_CIPHER_CLASS },
	{ "TLS_AES_128_GCM_SHA256, all classes denied",
	  { .cipher_deny = TLS_CC_ALL }, TLS_V_TLS13, 0x1301, TLS_RULE_NONE },
	{ "listed first", { .cipher_list = deny_list, .cipher_n = 3 },
	  TLS_V_TLS12, 0x002f, TLS_RULE_CIPHER_LIST },
	{ "listed last", { .cipher_list = deny_list, .cipher_n = 3 },
	  TLS_V_TLS12, 0xc02f, TLS_RULE_CIPHER_LIST },
	{ "between listed", { .cipher_list = deny_list, .cipher_n = 3 },
	  TLS_V_TLS12, 0xc030, TLS_RULE_NONE },
	{ "floor before class", { .min_version = TLS_V_TLS12,
	  .cipher_deny = TLS_CC_RC4 }, TLS_V_TLS10, 0x0005,
	  TLS_RULE_MIN_VERSION },
};

#define N(a)	(sizeof(a) / sizeof(*(a)))

/* The cipher-suite deny list's lines (tls_cipher_list_apply()) */
static void t_cipher_list(void)
{
	static const struct {
		const char *in;
		int rc;
		u32 line;
		const char *want;	/* the list after, if rc == 0 */
	} c[] = {
		{ "+0x000a\n+10\n+0XC02F\n", 0, 3, "0x000a 0xc02f" },
		{ " +0x0005 \r\n\n\t+4\n-5\n", 0, 4, "0x0004" },
		{ "+1\n/\n+2", 0, 3, "0x0002" },
		{ "+65535\n+0\n", 0, 2, "0x0000 0xffff" },
		{ "+65536\n", -22, 1, NULL },
		{ "+0x\n", -22, 1, NULL },
		{ "+1\n0x2\n", -22, 2, NULL },
		{ "+1\n+ 2\n", -22, 2, NULL },
		{ "+1\n+0x1g\n", -22, 2, NULL },
		{ "+1\n-2\n", -2, 2, NULL },
		{ "+1\n//\n", -22, 2, NULL },
	};
	struct unit_group g;
	u16 l[TLS_CIPHER_LIST_MAX];
	char got[64];
	u32 n, line, i, k, o;
	int rc;

	group_begin(&g, "rules: cipher-suite list lines");
	for (i = 0; i < N(c); i++) {
		n = 0;
		rc = tls_cipher_list_apply(l, &n, c[i].in, strlen(c[i].in),
					   &line);
		CHECK(&g, rc == c[i].rc && (rc ? line == c[i].line : 1),
		      "case %u: rc %d line %u, want %d line %u", i, rc, line,
		      c[i].rc, c[i].line);
		if (rc || !c[i].want)
			continue;
		for (k = 0, o = 0; k < n && o + 8 < sizeof(got); k++)
			o += snprintf(got + o, sizeof(got) - o, "%s0x%04x",
				      k ? " " : "", l[k]);
		got[o] = 0;
		CHECK(&g, !strcmp(got, c[i].want), "case %u: '%s', want '%s'",
		      i, got, c[i].want);
	}
	/* the limit */
	n = 0;
	for (i = 0; i < TLS_CIPHER_LIST_MAX; i++) {
		k = snprintf(got, sizeof(got), "+%u\n", i);
		if (tls_cipher_list_apply(l, &n, got, k, &line))
			break;
	}
	CHECK(&g, n == TLS_CIPHER_LIST_MAX, "%u suites fit, want %u", n,
	      TLS_CIPHER_LIST_MAX);
	CHECK(&g, tls_cipher_list_apply(l, &n, "+65535", 6, &line) == -28,
	      "one more than TLS_CIPHER_LIST_MAX accepted");
	group_end(&g);
}

void run_rules_tests(void)
{
	struct unit_group g;
	unsigned int i;
	enum tls_rule r;

	group_begin(&g, "rules: ClientHello");
	for (i = 0; i < N(ch_cases); i++) {
		r = tls_rules_client_hello(&ch_cases[i].r, &ch_cases[i].ch);
		CHECK(&g, r == ch_cases[i].want, "%s: %s, want %s",
		      ch_cases[i].name, tls_rule_name(r),
		      tls_rule_name(ch_cases[i].want));
	}
	group_end(&g);

	group_begin(&g, "rules: ServerHello");
	for (i = 0; i < N(sh_cases); i++) {
		r = tls_rules_server_hello(&sh_cases[i].r, sh_cases[i].selected,
					   sh_cases[i].cipher);
		CHECK(&g, r == sh_cases[i].want, "%s: %s, want %s",
		      sh_cases[i].name, tls_rule_name(r),
		      tls_rule_name(sh_cases[i].want));
	}
	group_end(&g);

	/* every rule has a name, and names stay distinct */
	group_begin(&g, "rules: names");
	for (i = 0; i < TLS_RULE_MAX; i++) {
		unsigned int j;

		CHECK(&g, tls_rule_name(i)[0] != '?', "rule %u has no name", i);
		for (j = 0; j < i; j++)
			CHECK(&g, __builtin_strcmp(tls_rule_name(i),
						   tls_rule_name(j)),
			      "rules %u and %u share a name", i, j);
	}
	CHECK(&g, tls_rule_name(TLS_RULE_MAX)[0] == '?', "past the end");
	group_end(&g);
	t_cipher_list();
}
