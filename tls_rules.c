// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake rule set's decisions (tls_rules.h).  No state: the facts
 * of one hello and the rules in, the denying rule out.
 */
#include "tls_rules.h"
#include "tls_ciphers.h"
#include "tls_parse.h"

const char *tls_rule_name(enum tls_rule r)
{
	static const char *const names[TLS_RULE_MAX] = {
		[TLS_RULE_NONE] = "none",
		[TLS_RULE_SNI_DENY] = "sni_deny",
		[TLS_RULE_SNI_ALLOW] = "sni_allow",
		[TLS_RULE_NO_SNI] = "no_sni",
		[TLS_RULE_SNI_IP] = "sni_ip",
		[TLS_RULE_SNI_MULTI] = "sni_multi",
		[TLS_RULE_SNI_ODD] = "sni_odd",
		[TLS_RULE_ECH_DENY] = "ech_deny",
		[TLS_RULE_ECH_REQUIRE] = "ech_require",
		[TLS_RULE_MIN_OFFER] = "min_offer",
		[TLS_RULE_MIN_VERSION] = "min_version",
		[TLS_RULE_CIPHER_CLASS] = "cipher_class",
		[TLS_RULE_CIPHER_LIST] = "cipher_list",
	};

	return (unsigned int)r < TLS_RULE_MAX ? names[r] : "?";
}

enum tls_rule tls_rules_client_hello(const struct tls_rules *r,
				     const struct tls_rules_ch *ch)
{
	bool sni = ch->facts & TLS_HF_SNI;

	if (ch->name == TLS_NAME_DENIED)
		return TLS_RULE_SNI_DENY;
	/* a non-empty allow list denies a hello without a name too */
	if (ch->name == TLS_NAME_NOT_ALLOWED)
		return TLS_RULE_SNI_ALLOW;
	if (r->no_sni && !sni)
		return TLS_RULE_NO_SNI;
	if (r->sni_ip && sni && (ch->facts & TLS_HF_SNI_IP))
		return TLS_RULE_SNI_IP;
	if (r->sni_multi && sni && ch->names > 1)
		return TLS_RULE_SNI_MULTI;
	if (r->sni_odd && sni && ch->odd)
		return TLS_RULE_SNI_ODD;
	if (r->ech == TLS_ECH_DENY && (ch->facts & TLS_HF_ECH))
		return TLS_RULE_ECH_DENY;
	if (r->ech == TLS_ECH_REQUIRE && !(ch->facts & TLS_HF_ECH))
		return TLS_RULE_ECH_REQUIRE;
	/*
	 * The highest bit offered is the best version the client can have:
	 * below the floor, no ServerHello could pass it.
	 */
	if (r->min_version && r->min_offer && ch->offered < r->min_version)
		return TLS_RULE_MIN_OFFER;
	return TLS_RULE_NONE;
}

/* True if suite s is in the sorted list l[0..n) */
static bool cipher_listed(const u16 *l, u32 n, u16 s)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (l[mid] == s)
			return true;
		if (l[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

enum tls_rule tls_rules_server_hello(const struct tls_rules *r, u8 selected,
				     u16 cipher)
{
	if (r->min_version && selected < r->min_version)
		return TLS_RULE_MIN_VERSION;
	if (r->cipher_deny && (tls_cipher_class(cipher) & r->cipher_deny))
		return TLS_RULE_CIPHER_CLASS;
	if (r->cipher_list && cipher_listed(r->cipher_list, r->cipher_n, cipher))
		return TLS_RULE_CIPHER_LIST;
	return TLS_RULE_NONE;
}
