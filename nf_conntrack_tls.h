/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the glue files of the module (never seen by the engine):
 * the per-network-namespace configuration and counters.
 */
#ifndef _NF_CONNTRACK_TLS_H
#define _NF_CONNTRACK_TLS_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "tls_parse.h"
#include "tls_seq.h"
#include "tls_ciphers.h"

#define NF_CT_TLS_NAME	"tls"

/*
 * Run-time knobs of one network namespace (net.netfilter.nf_conntrack_tls_*),
 * one int per line of nf_conntrack_tls_knobs.h.
 */
struct nf_ct_tls_conf {
#define NF_CT_TLS_KNOB(name, min, max, def, desc) int name;
#include "nf_conntrack_tls_knobs.h"
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
	NF_CT_TLS_SYN_REJECTED,	/* SYN data the SYN-ACK refused: forgotten */
	NF_CT_TLS_ACK_RAISED,	/* new bytes whose old ACK was raised */
	NF_CT_TLS_FAST_PATH,	/* segments the fused path decided */
	NF_CT_TLS_DROP_WHY,	/* first of TLS_DROP_MAX - 1 per-rule drop counters */
	NF_CT_TLS_VIOLATION = NF_CT_TLS_DROP_WHY + TLS_DROP_MAX - 1,
				/* first of TLS_R_MAX - 1 per-reason counters */
	NF_CT_TLS_NCOUNTERS = NF_CT_TLS_VIOLATION + TLS_R_MAX - 1,
};

struct nf_ct_tls_stats {
	u64 c[NF_CT_TLS_NCOUNTERS];
};

/* nf_conntrack_tls_names.c: the server-name lists of one namespace */
struct nf_ct_tls_names_ver;
struct nf_ct_tls_names {
	struct mutex lock;	/* writers */
	struct nf_ct_tls_names_ver __rcu *cur;
	struct nf_ct_tls_names_ver __rcu *prev;	/* names begun under it end with it */
	u32 gen;		/* versions built so far */
	struct nf_ct_tls_names_file {
		struct nf_ct_tls_names *nn;
		unsigned int list;	/* 0 deny, 1 allow */
	} file[2];
};

/* nf_conntrack_tls_suites.c: the cipher-suite deny list of one namespace */
struct nf_ct_tls_suite_list;
struct nf_ct_tls_suites {
	struct mutex lock;	/* writers */
	struct nf_ct_tls_suite_list __rcu *cur;
};

struct nf_ct_tls_net {
	struct nf_ct_tls_conf conf;
	struct nf_ct_tls_stats __percpu *stats;
	struct ctl_table_header *sysctl;
	struct nf_ct_tls_names names;
	struct nf_ct_tls_suites suites;
};

int nf_ct_tls_suites_net_init(struct net *net, struct nf_ct_tls_suites *ns);
void nf_ct_tls_suites_net_exit(struct net *net, struct nf_ct_tls_suites *ns);
void nf_ct_tls_suites_get(struct nf_ct_tls_suites *ns, struct tls_rules *r);

int nf_ct_tls_names_net_init(struct net *net, struct nf_ct_tls_names *nn);
void nf_ct_tls_names_net_exit(struct net *net, struct nf_ct_tls_names *nn);
void nf_ct_tls_names_get(struct nf_ct_tls_names *nn, struct tls_rules *r);
bool nf_ct_tls_names_entry(struct nf_ct_tls_names *nn, u32 ent, char *buf);

/*
 * A local copy of the knobs for one packet: each read once, so a sysctl
 * write in the middle cannot give the packet two values of one knob.
 */
static inline void nf_ct_tls_conf_read(const struct nf_ct_tls_net *tn,
				       struct nf_ct_tls_conf *c)
{
	*c = (struct nf_ct_tls_conf){
#define NF_CT_TLS_KNOB(name, min, max, def, desc) .name = READ_ONCE(tn->conf.name),
#include "nf_conntrack_tls_knobs.h"
	};
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

/*
 * nf_conntrack_tls_state.c: where a flow's struct tls_flow lives.  get
 * and peek point *flow at it (peek without ct->lock, for a decision that
 * changes nothing; tmp holds an early flow); put keeps *tmp after an
 * EARLY get, under ct->lock, false when that needs memory it cannot
 * have: the segment is then dropped and *tmp forgotten.
 */
enum nf_ct_tls_view {
	NF_CT_TLS_EARLY,	/* in the entry, copied to tmp: put it back */
	NF_CT_TLS_OBJECT,	/* the flow's object */
	NF_CT_TLS_PASS,		/* entry deleted or module leaving: accept */
	NF_CT_TLS_DROP,		/* the same, for a killed flow: drop */
	NF_CT_TLS_DELETED,	/* deleted, not destroyed: no payload passes */
};

enum nf_ct_tls_view nf_ct_tls_peek(struct nf_conn *ct, struct tls_flow *tmp,
				   struct tls_flow **flow);
enum nf_ct_tls_view nf_ct_tls_get(struct nf_conn *ct, struct tls_flow *tmp,
				  struct tls_flow **flow);
bool nf_ct_tls_put(struct nf_conn *ct, const struct tls_flow *tmp);
/* After an OBJECT get, under ct->lock: keeps the dead mark of the entry. */
void nf_ct_tls_sync(struct nf_conn *ct, const struct tls_flow *flow);
void nf_ct_tls_destroy(struct nf_conn *ct);	/* helper->destroy */
/* helpers: the two registered helpers (filled in by the time of start) */
int nf_ct_tls_state_init(struct nf_conntrack_helper *const *helpers);
void nf_ct_tls_state_start(void);	/* after registering: the sweep */
void nf_ct_tls_state_detach_all(void);	/* before unregistering */
void nf_ct_tls_state_exit(void);
/* Module-wide: objects allocated now, and freed by the sweep. */
void nf_ct_tls_state_stats(u64 *objects, u64 *reclaimed);

/* nf_conntrack_tls_attach.c: the "ports" module parameter */
int nf_ct_tls_attach_init(struct nf_conntrack_helper *const *helpers);
void nf_ct_tls_attach_exit(void);

static inline void nf_ct_tls_count(struct nf_ct_tls_net *tn,
				   enum nf_ct_tls_counter c, u64 n)
{
	this_cpu_add(tn->stats->c[c], n);
}

#endif /* _NF_CONNTRACK_TLS_H */
