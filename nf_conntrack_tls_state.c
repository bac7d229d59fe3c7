// SPDX-License-Identifier: GPL-2.0
/*
 * Where a flow's engine state (struct tls_flow, 44 bytes) lives: it does
 * not fit nf_conn_help.data (32 bytes), so each flow gets one object from
 * a kmem_cache, pointed to from nf_conn_help.data.  The object is made
 * only for an entry conntrack has confirmed (in practice at the server's
 * SYN-ACK) and freed by the helper's destroy callback: conntrack calls it
 * when it deletes a confirmed entry, never for an unconfirmed one (a SYN
 * dropped later in the hooks, a clash), which would leak an object made
 * at the SYN.  Until then the entry holds what a flow can hold before the
 * SYN-ACK (struct tls_flow_early: the client's SYN and its data, or a
 * pickup) in the rest of nf_conn_help.data.  A SYN flood thus costs no
 * object; allocation failure drops the segment (fail closed).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "nf_conntrack_tls.h"
#include "tls_seq.h"

struct nf_ct_tls_obj {
	struct tls_flow flow;
	struct rcu_head rcu;
};

/* nf_conn_help.data */
struct nf_ct_tls_data {
	struct nf_ct_tls_obj *obj;	/* NULL: early; or NF_CT_TLS_GONE_* */
	struct tls_flow_early early;
};

/*
 * The entry was deleted (or the module is going) while packets holding
 * it may still come: they are passed, or dropped if the flow was killed.
 */
#define NF_CT_TLS_GONE_LIVE	((struct nf_ct_tls_obj *)1)
#define NF_CT_TLS_GONE_DEAD	((struct nf_ct_tls_obj *)2)

static struct kmem_cache *nf_ct_tls_cache __read_mostly;
static int nf_ct_tls_unloading;

static bool nf_ct_tls_gone(const struct nf_ct_tls_obj *obj)
{
	return obj == NF_CT_TLS_GONE_LIVE || obj == NF_CT_TLS_GONE_DEAD;
}

static enum nf_ct_tls_view nf_ct_tls_view(struct nf_ct_tls_obj *obj,
					  const struct nf_ct_tls_data *d,
					  struct tls_flow *tmp,
					  struct tls_flow **flow)
{
	if (obj == NF_CT_TLS_GONE_LIVE)
		return NF_CT_TLS_PASS;
	if (obj == NF_CT_TLS_GONE_DEAD)
		return NF_CT_TLS_DROP;
	if (obj) {
		*flow = &obj->flow;
		return NF_CT_TLS_OBJECT;
	}
	tls_flow_unpack_early(tmp, &d->early);
	*flow = tmp;
	return NF_CT_TLS_EARLY;
}

enum nf_ct_tls_view nf_ct_tls_peek(struct nf_conn *ct, struct tls_flow *tmp,
				   struct tls_flow **flow)
{
	const struct nf_ct_tls_data *d = nfct_help_data(ct);

	/* under the hook's RCU read lock: an object is freed after a grace period */
	return nf_ct_tls_view(READ_ONCE(d->obj), d, tmp, flow);
}

enum nf_ct_tls_view nf_ct_tls_get(struct nf_conn *ct, struct tls_flow *tmp,
				  struct tls_flow **flow)
{
	const struct nf_ct_tls_data *d = nfct_help_data(ct);

	lockdep_assert_held(&ct->lock);
	return nf_ct_tls_view(d->obj, d, tmp, flow);
}

bool nf_ct_tls_put(struct nf_conn *ct, const struct tls_flow *tmp)
{
	struct nf_ct_tls_data *d = nfct_help_data(ct);
	struct nf_ct_tls_obj *obj;

	lockdep_assert_held(&ct->lock);
	if (tls_flow_pack_early(tmp, &d->early))
		return true;
	if (!nf_ct_is_confirmed(ct) || READ_ONCE(nf_ct_tls_unloading))
		return false;
	obj = kmem_cache_alloc(nf_ct_tls_cache, GFP_ATOMIC);
	if (!obj)
		return false;
	obj->flow = *tmp;
	/* nf_ct_tls_peek() may read it without the lock */
	smp_store_release(&d->obj, obj);
	return true;
}

static void nf_ct_tls_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(nf_ct_tls_cache,
			container_of(head, struct nf_ct_tls_obj, rcu));
}

void nf_ct_tls_destroy(struct nf_conn *ct)
{
	struct nf_ct_tls_data *d = nfct_help_data(ct);
	struct nf_ct_tls_obj *obj;
	struct tls_flow tmp;
	bool dead;

	spin_lock_bh(&ct->lock);
	obj = d->obj;
	if (!nf_ct_tls_gone(obj)) {
		if (!obj)
			tls_flow_unpack_early(&tmp, &d->early);
		dead = tls_flow_dead(obj ? &obj->flow : &tmp);
		WRITE_ONCE(d->obj, dead ? NF_CT_TLS_GONE_DEAD :
			   NF_CT_TLS_GONE_LIVE);
	} else {
		obj = NULL;
	}
	spin_unlock_bh(&ct->lock);
	if (obj)
		call_rcu(&obj->rcu, nf_ct_tls_free_rcu);
}

static int nf_ct_tls_detach(struct nf_conn *ct, void *unused)
{
	struct nf_conn_help *help = nfct_help(ct);
	struct nf_conntrack_helper *h;

	if (!help)
		return 0;
	h = rcu_dereference_raw(help->helper);
	if (h && h->me == THIS_MODULE)
		nf_ct_tls_destroy(ct);
	return 0;	/* the entry stays */
}

int nf_ct_tls_state_init(void)
{
	NF_CT_HELPER_BUILD_BUG_ON(sizeof(struct nf_ct_tls_data));
	nf_ct_tls_cache = KMEM_CACHE(nf_ct_tls_obj, 0);
	return nf_ct_tls_cache ? 0 : -ENOMEM;
}

void nf_ct_tls_state_detach_all(void)
{
	/*
	 * Unregistering the helper clears help->helper without calling
	 * destroy: free every object first.  No object is made from now on;
	 * nf_ct_iterate_destroy() also makes entries still unconfirmed
	 * (whose first packet is in flight) fail their confirmation, and
	 * waits for RCU readers.
	 */
	WRITE_ONCE(nf_ct_tls_unloading, 1);
	nf_ct_iterate_destroy(nf_ct_tls_detach, NULL);
}

void nf_ct_tls_state_exit(void)
{
	rcu_barrier();	/* the nf_ct_tls_free_rcu() calls */
	kmem_cache_destroy(nf_ct_tls_cache);
}
