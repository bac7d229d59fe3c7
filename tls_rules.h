/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake rule set's decisions (issue "handshake rule set"): given
 * the facts of a complete ClientHello or ServerHello (tls_handshake.h) and
 * a namespace's rules, the rule that denies the flow, or none.  Pure C
 * like the rest of the engine: the glue and tls-replay call the very same
 * functions, at the last byte of each hello.
 *
 * The server-name lists are matched elsewhere (a streaming matcher fed
 * the SNI bytes); its outcome comes in as enum tls_name_verdict.
 */
#ifndef _TLS_RULES_H
#define _TLS_RULES_H

#include "tls_types.h"

struct tls_names;	/* tls_names.h */

/* What the server-name lists said of a ClientHello's name */
enum tls_name_verdict {
	TLS_NAME_NONE = 0,	/* no name, or no list is loaded */
	TLS_NAME_DENIED,	/* on the deny list (deny wins) */
	TLS_NAME_ALLOWED,	/* on the allow list, not on the deny list */
	TLS_NAME_NOT_ALLOWED,	/* the allow list is not empty, the name not on it */
	/*
	 * The lists were swapped while the name was read (tls_names.h): the
	 * state is not one of the new set.  The glue decides (fail safe);
	 * tls_rules_client_hello() treats it as NONE.
	 */
	TLS_NAME_CHANGED,
};

enum tls_ech_policy {
	TLS_ECH_ALLOW = 0,	/* default */
	TLS_ECH_DENY = 1,	/* a hello with encrypted_client_hello is denied */
	TLS_ECH_REQUIRE = 2,	/* a hello without it is denied */
};

/*
 * The rules of one namespace, read at each hello.  Zeroed: every rule
 * off.  Versions are TLS_V_* bits (tls_parse.h), which grow with the
 * version, so "below the floor" is a plain comparison.
 */
struct tls_rules {
	u8 min_version;	/* lowest version a ServerHello may select; 0: off */
	u8 min_offer;	/* 1: the client's highest offer too, at its hello */
	u8 ech;		/* enum tls_ech_policy */
	u8 no_sni;	/* 1: deny a ClientHello without a server name */
	u8 sni_ip;	/* 1: deny an IP literal as server name */
	u8 sni_multi;	/* 1: deny more than one name in server_name */
	/* 1: deny a name with bytes outside the hostname alphabet, or of
	 * a type other than host_name
	 */
	u8 sni_odd;
	u8 cipher_deny;	/* TLS_CC_* classes (tls_ciphers.h) a ServerHello may not select */
	const u16 *cipher_list;	/* suites it may not select, sorted ascending */
	u32 cipher_n;
	/*
	 * The server-name lists (tls_names.h), NULL when both are empty: the
	 * current set, and the one before it, with which a name that began
	 * before the last change is finished.  name_hit(set->owner, idx), if
	 * set, counts each entry that decided a name.
	 */
	const struct tls_names *names;
	const struct tls_names *names_prev;
	void (*name_hit)(void *owner, u32 idx);
	/*
	 * If set, gets each host_name byte as it is parsed, -1 before each
	 * name (tls-replay prints the name; the kernel keeps none).
	 */
	void (*name_byte)(void *ctx, int b);
	void *name_ctx;
};

/* Which rule denied a hello; stable numbers (counters rule_<name>). */
enum tls_rule {
	TLS_RULE_NONE = 0,
	TLS_RULE_SNI_DENY,	/* the name is on the deny list */
	TLS_RULE_SNI_ALLOW,	/* the allow list is not empty, the name not on it */
	TLS_RULE_NO_SNI,	/* no server name */
	TLS_RULE_SNI_IP,	/* an IP literal as server name */
	TLS_RULE_SNI_MULTI,	/* more than one name */
	TLS_RULE_SNI_ODD,	/* bytes outside the hostname alphabet */
	TLS_RULE_ECH_DENY,	/* encrypted_client_hello present, ech=deny */
	TLS_RULE_ECH_REQUIRE,	/* encrypted_client_hello absent, ech=require */
	TLS_RULE_MIN_OFFER,	/* the client offers nothing at or above the floor */
	TLS_RULE_MIN_VERSION,	/* the server selected a version below the floor */
	TLS_RULE_CIPHER_CLASS,	/* the selected suite is in a denied class */
	TLS_RULE_CIPHER_LIST,	/* the selected suite is on the deny list */
	TLS_RULE_MAX
};

/* Short stable name of a rule ("sni_deny", ...), never NULL. */
const char *tls_rule_name(enum tls_rule r);

/* What a complete ClientHello tells the rules */
struct tls_rules_ch {
	u8 offered;	/* TLS_V_* bits */
	u8 facts;	/* TLS_HF_* (tls_parse.h) */
	u8 names;	/* host_name entries in server_name (2 = two or more) */
	bool odd;	/* a name has a byte outside [A-Za-z0-9.-_] */
	enum tls_name_verdict name;
};

/*
 * The rule that denies a complete ClientHello, or TLS_RULE_NONE.  Rules
 * are tried in the order of enum tls_rule: the name lists first (what
 * users of SNI filtering ask for), then the odd-name policies, ECH, the
 * version offer.
 */
enum tls_rule tls_rules_client_hello(const struct tls_rules *r,
				     const struct tls_rules_ch *ch);

/*
 * The rule that denies a complete ServerHello selecting version bit
 * selected and suite cipher, or TLS_RULE_NONE.
 */
enum tls_rule tls_rules_server_hello(const struct tls_rules *r, u8 selected,
				     u16 cipher);

#endif /* _TLS_RULES_H */
