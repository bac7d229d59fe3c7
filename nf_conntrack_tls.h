/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the glue files of the module (never seen by the engine):
 * the per-network-namespace configuration and counters.
 */
#ifndef _NF_CONNTRACK_TLS_H
#define _NF_CONNTRACK_TLS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "tls_parse.h"

#define NF_CT_TLS_NAME	"tls"

/* Run-time knobs of one network namespace (net.netfilter.nf_conntrack_tls_*). */
struct nf_ct_tls_conf {
	int lowrun_limit;	/* TLS_LOWRUN_DEFAULT; 0 = off */
	int heartbeat;		/* enum tls_hb_policy */
	int gap;		/* enum tls_gap_policy */
	int audit;		/* 1: log and count, never drop */
	int sslv2;		/* 1: SSLv2 sessions allowed */
	int log;		/* 1: rate-limited log line per violation */
	int reset;		/* 1: also send a TCP RST to both ends on a kill */
};

/* Counter indices; names in nf_ct_tls_counter_names[]. */
enum nf_ct_tls_counter {
	NF_CT_TLS_FLOWS,	/* flows whose SYN the helper saw */
	NF_CT_TLS_BYTES,	/* payload bytes inspected */
	NF_CT_TLS_RECORDS,	/* record headers parsed */
	NF_CT_TLS_DROPS,	/* packets dropped on a violation */
	NF_CT_TLS_AUDITED,	/* violations let through in audit mode */
	NF_CT_TLS_GAPS,		/* segments beyond a hole */
	NF_CT_TLS_GAP_STOPS,	/* flows no longer inspected after a hole */
	NF_CT_TLS_PICKUPS,	/* flows joined mid-stream */
	NF_CT_TLS_RETRANS,	/* segments with nothing new (retransmissions) */
	NF_CT_TLS_MAX_SKB,	/* largest payload of one skb walked (a maximum) */
	NF_CT_TLS_VIOLATION,	/* first of TLS_R_MAX - 1 per-reason counters */
	NF_CT_TLS_NCOUNTERS = NF_CT_TLS_VIOLATION + TLS_R_MAX - 1,
};

struct nf_ct_tls_stats {
	u64 c[NF_CT_TLS_NCOUNTERS];
};

struct nf_ct_tls_net {
	struct nf_ct_tls_conf conf;
	struct nf_ct_tls_stats __percpu *stats;
	struct ctl_table_header *sysctl;
};

/* All knobs of a namespace at once: one consistent read per packet. */
static inline void nf_ct_tls_conf_read(const struct nf_ct_tls_net *tn,
				       struct nf_ct_tls_conf *c)
{
	c->lowrun_limit = READ_ONCE(tn->conf.lowrun_limit);
	c->heartbeat = READ_ONCE(tn->conf.heartbeat);
	c->gap = READ_ONCE(tn->conf.gap);
	c->audit = READ_ONCE(tn->conf.audit);
	c->sslv2 = READ_ONCE(tn->conf.sslv2);
	c->log = READ_ONCE(tn->conf.log);
	c->reset = READ_ONCE(tn->conf.reset);
}

/* Defaults for new namespaces, from the module parameters. */
extern struct nf_ct_tls_conf nf_ct_tls_defaults;

struct nf_ct_tls_net *nf_ct_tls_pernet(const struct net *net);
int nf_ct_tls_net_init(void);
void nf_ct_tls_net_exit(void);

/* nf_conntrack_tls_reset.c */
void nf_ct_tls_send_resets(struct sk_buff *skb, unsigned int protoff,
			   struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			   u32 rcv_nxt);

/* nf_conntrack_tls_attach.c: the "ports" module parameter */
int nf_ct_tls_attach_init(struct nf_conntrack_helper *const *helpers);
void nf_ct_tls_attach_exit(void);

static inline void nf_ct_tls_count(struct nf_ct_tls_net *tn,
				   enum nf_ct_tls_counter c, u64 n)
{
	this_cpu_add(tn->stats->c[c], n);
}

#endif /* _NF_CONNTRACK_TLS_H */
