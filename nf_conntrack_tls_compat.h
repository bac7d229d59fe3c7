/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, and only those.  Feature probes of the
 * target's headers (see Kbuild) define COMPAT_* macros; version numbers are
 * used only to fence the supported range.
 */
#ifndef _NF_CONNTRACK_TLS_COMPAT_H
#define _NF_CONNTRACK_TLS_COMPAT_H

#include <linux/version.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack_helper.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "nf_conntrack_tls supports Linux 6.1 and newer"
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(8, 0, 0)
#error "nf_conntrack_tls has not been ported to Linux 8 yet"
#endif

/* 6.5 added register_net_sysctl_sz() and made the table size explicit. */
#ifdef COMPAT_HAVE_REGISTER_NET_SYSCTL_SZ
#define compat_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define compat_register_net_sysctl(net, path, table, n) \
	({ (void)(n); register_net_sysctl(net, path, table); })
#endif

/* 6.11 made ctl_table handlers take a const table. */
#ifdef COMPAT_CONST_CTL_TABLE
#define compat_ctl_table const struct ctl_table
#else
#define compat_ctl_table struct ctl_table
#endif

/*
 * Linux 7.x registers a kernel-allocated copy of each helper (refcounted by
 * the conntrack entries that use it, freed after an RCU grace period) and
 * hands back pointers to the copies; unregistering takes those pointers.
 * Before, the module's own structs were registered in place.  Either way
 * @ptrs ends up pointing at the registered helpers (n entries).
 */
static inline int compat_helpers_register(struct nf_conntrack_helper *helpers,
					  unsigned int n,
					  struct nf_conntrack_helper **ptrs)
{
#ifdef COMPAT_HELPER_REGISTER_COPIES
	return nf_conntrack_helpers_register(helpers, n, ptrs);
#else
	unsigned int i;

	for (i = 0; i < n; i++)
		ptrs[i] = &helpers[i];
	return nf_conntrack_helpers_register(helpers, n);
#endif
}

static inline void compat_helpers_unregister(struct nf_conntrack_helper *helpers,
					     unsigned int n,
					     struct nf_conntrack_helper **ptrs)
{
#ifdef COMPAT_HELPER_REGISTER_COPIES
	nf_conntrack_helpers_unregister(ptrs, n);
#else
	nf_conntrack_helpers_unregister(helpers, n);
#endif
}

/*
 * A conntrack entry given one of those copies holds a reference on it,
 * dropped when the entry goes (nf_ct_help_put()).
 */
static inline void compat_helper_get_for_ct(struct nf_conntrack_helper *h)
{
#ifdef COMPAT_HELPER_REGISTER_COPIES
	refcount_inc(&h->ct_refcnt);
#endif
}

/* Newer kernels dropped the unused skb argument of nf_ct_refresh(). */
#ifdef COMPAT_NF_CT_REFRESH_NO_SKB
#define compat_nf_ct_refresh(ct, skb, jiffies) \
	({ (void)(skb); nf_ct_refresh(ct, jiffies); })
#else
#define compat_nf_ct_refresh(ct, skb, jiffies) nf_ct_refresh(ct, skb, jiffies)
#endif

#endif /* _NF_CONNTRACK_TLS_COMPAT_H */
