// SPDX-License-Identifier: GPL-2.0
/*
 * Where a flow's engine state (struct tls_flow) lives: it does not fit
 * nf_conn_help.data (32 bytes), so each flow gets one object from a
 * kmem_cache, pointed to from nf_conn_help.data.  The object is made only
 * for an entry conntrack has confirmed (in practice at the server's
 * SYN-ACK) and freed by the helper's destroy callback: conntrack calls it
 * when it deletes a confirmed entry, never for an unconfirmed one (a SYN
 * dropped later in the hooks, a clash), which would leak an object made
 * at the SYN.  Until then the entry holds what a flow can hold before the
 * SYN-ACK (struct tls_flow_early: the client's SYN and its data, or a
 * pickup) in the rest of nf_conn_help.data.  A SYN flood thus costs no
 * object; allocation failure drops the segment (fail closed).
 *
 * One path loses the destroy callback: ctnetlink may clear a live entry's
 * helper (CTA_HELP with an empty name), after which conntrack calls no
 * helper code for that entry again.  So every object is also in one
 * module-wide table (nf_ct_tls_objs, keyed by the object's address), and
 * a sweep (nf_ct_tls_gc_work, every gc_interval seconds) walks conntrack's
 * hash: an object that no hashed entry with this helper points to in two
 * complete sweeps in a row is freed.  The sweep never dereferences an
 * object's entry (it may be long gone); destroy frees only an object it
 * finds in the table and made for its entry, so exactly one of the two
 * frees it.  An entry out of the hash but not yet destroyed (deleted while
 * packets still hold it) may thus lose its object early: the packet path
 * reads no object of a dying entry (nf_ct_tls_view()), only the dead mark
 * kept beside the pointer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "nf_conntrack_tls.h"
#include "tls_seq.h"

struct nf_ct_tls_obj {
	struct rhash_head node;	/* in nf_ct_tls_objs */
	const struct nf_conn *ct;	/* made for it; compared, never followed */
	u32 seen;		/* last sweep that found an entry owning it */
	struct tls_flow flow;
	struct rcu_head rcu;
};

/* nf_conn_help.data */
struct nf_ct_tls_data {
	/*
	 * NULL: early; NF_CT_TLS_GONE_*; or the object, its address ORed
	 * with NF_CT_TLS_DEAD once the flow is killed (nf_ct_tls_sync()),
	 * so that the mark and the pointer are read in one load.
	 */
	unsigned long obj;
	struct tls_flow_early early;	/* while obj is 0 */
};

/*
 * The entry was deleted (or the module is going) while packets holding
 * it may still come: they are passed, or dropped if the flow was killed.
 */
#define NF_CT_TLS_GONE_LIVE	1UL
#define NF_CT_TLS_GONE_DEAD	2UL
#define NF_CT_TLS_DEAD		1UL	/* on an object's address (aligned) */

static struct nf_ct_tls_obj *nf_ct_tls_obj_of(unsigned long v)
{
	return (struct nf_ct_tls_obj *)(v & ~NF_CT_TLS_DEAD);
}

static struct kmem_cache *nf_ct_tls_cache __read_mostly;
static int nf_ct_tls_unloading;
static struct nf_conntrack_helper *const *nf_ct_tls_helpers_reg;

/* The table hashes the object's address: the key is a pointer to it. */
static u32 nf_ct_tls_key_hash(const void *key, u32 len, u32 seed)
{
	return jhash(key, sizeof(void *), seed);
}

static u32 nf_ct_tls_obj_hash(const void *obj, u32 len, u32 seed)
{
	return jhash(&obj, sizeof(obj), seed);
}

static int nf_ct_tls_obj_cmp(struct rhashtable_compare_arg *arg,
			     const void *obj)
{
	return *(const void *const *)arg->key != obj;
}

static const struct rhashtable_params nf_ct_tls_objs_params = {
	.head_offset		= offsetof(struct nf_ct_tls_obj, node),
	.key_len		= sizeof(void *),
	.hashfn			= nf_ct_tls_key_hash,
	.obj_hashfn		= nf_ct_tls_obj_hash,
	.obj_cmpfn		= nf_ct_tls_obj_cmp,
	.automatic_shrinking	= true,
};

static struct rhashtable nf_ct_tls_objs;

/* Sweeps: the one running or last started, the last complete one. */
static u32 nf_ct_tls_gc_gen;
static u32 nf_ct_tls_gc_done;
static atomic_long_t nf_ct_tls_reclaimed;
static void nf_ct_tls_gc_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(nf_ct_tls_gc_work, nf_ct_tls_gc_work_fn);

static unsigned int nf_ct_tls_gc_interval = 60;
/* Whether the sweep may be queued: between state_start and detach_all. */
static bool nf_ct_tls_gc_on;
static DEFINE_MUTEX(nf_ct_tls_gc_lock);

static int nf_ct_tls_gc_interval_set(const char *val,
				     const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v > 3600) {
		/* a write through sysfs ends in a newline: not printed */
		pr_err("parameter gc_interval=%.*s: expected seconds from 0 to 3600\n",
		       (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	mutex_lock(&nf_ct_tls_gc_lock);
	WRITE_ONCE(nf_ct_tls_gc_interval, v);
	if (v && nf_ct_tls_gc_on)
		mod_delayed_work(system_power_efficient_wq, &nf_ct_tls_gc_work,
				 (unsigned long)v * HZ);
	mutex_unlock(&nf_ct_tls_gc_lock);
	return 0;
}

static const struct kernel_param_ops nf_ct_tls_gc_interval_ops = {
	.set = nf_ct_tls_gc_interval_set,
	.get = param_get_uint,
};
module_param_cb(gc_interval, &nf_ct_tls_gc_interval_ops,
		&nf_ct_tls_gc_interval, 0644);
MODULE_PARM_DESC(gc_interval,
		 "Seconds between sweeps that free the state of entries whose helper was removed over ctnetlink (default 60; 0 = no sweep, such state leaks)");

static bool nf_ct_tls_gone(unsigned long v)
{
	return v == NF_CT_TLS_GONE_LIVE || v == NF_CT_TLS_GONE_DEAD;
}

static enum nf_ct_tls_view nf_ct_tls_view(const struct nf_conn *ct,
					  unsigned long v,
					  const struct nf_ct_tls_data *d,
					  struct tls_flow *tmp,
					  struct tls_flow **flow)
{
	if (v == NF_CT_TLS_GONE_LIVE)
		return NF_CT_TLS_PASS;
	if (v == NF_CT_TLS_GONE_DEAD)
		return NF_CT_TLS_DROP;
	if (v) {
		/* the sweep may have freed a dying entry's object */
		if (unlikely(nf_ct_is_dying(ct)))
			return v & NF_CT_TLS_DEAD ? NF_CT_TLS_DROP :
				NF_CT_TLS_DELETED;
		*flow = &nf_ct_tls_obj_of(v)->flow;
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
	return nf_ct_tls_view(ct, READ_ONCE(d->obj), d, tmp, flow);
}

enum nf_ct_tls_view nf_ct_tls_get(struct nf_conn *ct, struct tls_flow *tmp,
				  struct tls_flow **flow)
{
	const struct nf_ct_tls_data *d = nfct_help_data(ct);

	lockdep_assert_held(&ct->lock);
	return nf_ct_tls_view(ct, d->obj, d, tmp, flow);
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
	obj->ct = ct;
	/* counts as seen by the sweep running now, if any */
	obj->seen = READ_ONCE(nf_ct_tls_gc_gen);
	obj->flow = *tmp;
	if (rhashtable_insert_fast(&nf_ct_tls_objs, &obj->node,
				   nf_ct_tls_objs_params)) {
		kmem_cache_free(nf_ct_tls_cache, obj);
		return false;
	}
	/* nf_ct_tls_peek() may read it without the lock */
	smp_store_release(&d->obj, (unsigned long)obj |
			  (tls_flow_dead(tmp) ? NF_CT_TLS_DEAD : 0));
	return true;
}

void nf_ct_tls_sync(struct nf_conn *ct, const struct tls_flow *flow)
{
	struct nf_ct_tls_data *d = nfct_help_data(ct);

	lockdep_assert_held(&ct->lock);
	if (tls_flow_dead(flow) && !(d->obj & NF_CT_TLS_DEAD))
		WRITE_ONCE(d->obj, d->obj | NF_CT_TLS_DEAD);
}

static void nf_ct_tls_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(nf_ct_tls_cache,
			container_of(head, struct nf_ct_tls_obj, rcu));
}

/* Takes obj out of the table and frees it, unless the sweep did. */
static void nf_ct_tls_release(struct nf_ct_tls_obj *obj,
			      const struct nf_conn *ct)
{
	struct nf_ct_tls_obj *o;

	rcu_read_lock();
	o = rhashtable_lookup(&nf_ct_tls_objs, &obj, nf_ct_tls_objs_params);
	/* o->ct: the address may already hold another entry's object */
	if (o && o->ct == ct &&
	    !rhashtable_remove_fast(&nf_ct_tls_objs, &o->node,
				    nf_ct_tls_objs_params))
		call_rcu(&o->rcu, nf_ct_tls_free_rcu);
	rcu_read_unlock();
}

void nf_ct_tls_destroy(struct nf_conn *ct)
{
	struct nf_ct_tls_data *d = nfct_help_data(ct);
	struct tls_flow tmp;
	unsigned long v;
	bool dead;

	spin_lock_bh(&ct->lock);
	v = d->obj;
	if (!nf_ct_tls_gone(v)) {
		if (!v) {
			tls_flow_unpack_early(&tmp, &d->early);
			dead = tls_flow_dead(&tmp);
		} else {
			dead = v & NF_CT_TLS_DEAD;
		}
		WRITE_ONCE(d->obj, dead ? NF_CT_TLS_GONE_DEAD :
			   NF_CT_TLS_GONE_LIVE);
	} else {
		v = 0;
	}
	spin_unlock_bh(&ct->lock);
	if (v)
		nf_ct_tls_release(nf_ct_tls_obj_of(v), ct);
}

static bool nf_ct_tls_is_ours(const struct nf_conn *ct)
{
	const struct nf_conn_help *help = nfct_help(ct);
	const struct nf_conntrack_helper *h;

	if (!help)
		return false;
	h = rcu_access_pointer(help->helper);
	return h && (h == nf_ct_tls_helpers_reg[0] ||
		     h == nf_ct_tls_helpers_reg[1]);
}

/*
 * Mark phase: every object a hashed entry with this helper points to.
 * Under the bucket lock an entry is not yet destroyed, and its object is
 * in the table.  False if the hash was resized meanwhile (entries move
 * between buckets: one could be missed).
 */
static bool nf_ct_tls_gc_mark(u32 gen)
{
	struct hlist_nulls_head *hash0;
	unsigned int size0, b;
	bool ok = true;

	rcu_read_lock();
	hash0 = READ_ONCE(nf_conntrack_hash);
	size0 = READ_ONCE(nf_conntrack_htable_size);
	for (b = 0; b < size0; b++) {
		const struct nf_conntrack_tuple_hash *h;
		const struct hlist_nulls_node *n;
		struct hlist_nulls_head *slot;
		spinlock_t *lock;	/* conntrack's lock of bucket b */

		if ((b & 255) == 255) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
		if (READ_ONCE(nf_conntrack_hash) != hash0 ||
		    READ_ONCE(nf_conntrack_htable_size) != size0) {
			ok = false;
			break;
		}
		slot = &hash0[b];
		if (hlist_nulls_empty(slot))
			continue;
		lock = &nf_conntrack_locks[b % CONNTRACK_LOCKS];
		local_bh_disable();
		nf_conntrack_lock(lock);
		if (nf_conntrack_hash != hash0) {
			spin_unlock(lock);
			local_bh_enable();
			ok = false;
			break;
		}
		hlist_nulls_for_each_entry(h, n, slot, hnnode) {
			const struct nf_conn *ct;
			const struct nf_ct_tls_data *d;
			unsigned long v;

			if (NF_CT_DIRECTION(h) != IP_CT_DIR_REPLY)
				continue;
			ct = nf_ct_tuplehash_to_ctrack(h);
			if (!nf_ct_tls_is_ours(ct))
				continue;
			d = nfct_help_data(ct);
			v = READ_ONCE(d->obj);
			if (v && !nf_ct_tls_gone(v))
				WRITE_ONCE(nf_ct_tls_obj_of(v)->seen, gen);
		}
		spin_unlock(lock);
		local_bh_enable();
	}
	rcu_read_unlock();
	return ok;
}

/* Sweep phase: free what neither the last complete sweep nor this one saw. */
static void nf_ct_tls_gc_sweep(u32 prev)
{
	struct rhashtable_iter iter;
	struct nf_ct_tls_obj *obj;
	unsigned int n = 0;

	rhashtable_walk_enter(&nf_ct_tls_objs, &iter);
	rhashtable_walk_start(&iter);
	while ((obj = rhashtable_walk_next(&iter))) {
		if (IS_ERR(obj)) {
			if (PTR_ERR(obj) == -EAGAIN)
				continue;	/* resized: some may wait a sweep */
			break;
		}
		if ((s32)(READ_ONCE(obj->seen) - prev) < 0 &&
		    !rhashtable_remove_fast(&nf_ct_tls_objs, &obj->node,
					    nf_ct_tls_objs_params)) {
			call_rcu(&obj->rcu, nf_ct_tls_free_rcu);
			atomic_long_inc(&nf_ct_tls_reclaimed);
		}
		if (++n % 1024 == 0) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static void nf_ct_tls_gc_work_fn(struct work_struct *work)
{
	unsigned int interval;
	u32 gen;

	if (atomic_read(&nf_ct_tls_objs.nelems)) {
		gen = nf_ct_tls_gc_gen + 1;
		WRITE_ONCE(nf_ct_tls_gc_gen, gen);
		synchronize_rcu();	/* objects made from now on have seen >= gen */
		if (nf_ct_tls_gc_mark(gen)) {
			nf_ct_tls_gc_sweep(nf_ct_tls_gc_done);
			nf_ct_tls_gc_done = gen;
		}
	}
	mutex_lock(&nf_ct_tls_gc_lock);
	interval = nf_ct_tls_gc_interval;
	if (interval && nf_ct_tls_gc_on)
		queue_delayed_work(system_power_efficient_wq,
				   &nf_ct_tls_gc_work, (unsigned long)interval * HZ);
	mutex_unlock(&nf_ct_tls_gc_lock);
}

void nf_ct_tls_state_stats(u64 *objects, u64 *reclaimed)
{
	*objects = atomic_read(&nf_ct_tls_objs.nelems);
	*reclaimed = atomic_long_read(&nf_ct_tls_reclaimed);
}

static int nf_ct_tls_detach(struct nf_conn *ct, void *unused)
{
	if (nf_ct_tls_is_ours(ct))
		nf_ct_tls_destroy(ct);
	return 0;	/* the entry stays */
}

int nf_ct_tls_state_init(struct nf_conntrack_helper *const *helpers)
{
	int ret;

	NF_CT_HELPER_BUILD_BUG_ON(sizeof(struct nf_ct_tls_data));
	nf_ct_tls_helpers_reg = helpers;
	ret = rhashtable_init(&nf_ct_tls_objs, &nf_ct_tls_objs_params);
	if (ret)
		return ret;
	nf_ct_tls_cache = KMEM_CACHE(nf_ct_tls_obj, 0);
	if (!nf_ct_tls_cache) {
		rhashtable_destroy(&nf_ct_tls_objs);
		return -ENOMEM;
	}
	return 0;
}

/* After the helpers are registered: the sweep compares entries with them. */
void nf_ct_tls_state_start(void)
{
	mutex_lock(&nf_ct_tls_gc_lock);
	nf_ct_tls_gc_on = true;
	if (nf_ct_tls_gc_interval)
		queue_delayed_work(system_power_efficient_wq, &nf_ct_tls_gc_work,
				   (unsigned long)nf_ct_tls_gc_interval * HZ);
	mutex_unlock(&nf_ct_tls_gc_lock);
}

void nf_ct_tls_state_detach_all(void)
{
	/*
	 * Unregistering the helper clears help->helper without calling
	 * destroy: free every object first.  No object is made from now on;
	 * nf_ct_iterate_destroy() also makes entries still unconfirmed
	 * (whose first packet is in flight) fail their confirmation, and
	 * waits for RCU readers.  What is left in the table after that
	 * belongs to no entry with this helper: nf_ct_tls_state_exit().
	 */
	WRITE_ONCE(nf_ct_tls_unloading, 1);
	mutex_lock(&nf_ct_tls_gc_lock);
	nf_ct_tls_gc_on = false;
	mutex_unlock(&nf_ct_tls_gc_lock);
	cancel_delayed_work_sync(&nf_ct_tls_gc_work);
	nf_ct_iterate_destroy(nf_ct_tls_detach, NULL);
}

static void nf_ct_tls_free_left(void *ptr, void *arg)
{
	kmem_cache_free(nf_ct_tls_cache, ptr);
}

/* The sweep is stopped: by detach_all, or never started (failed init). */
void nf_ct_tls_state_exit(void)
{
	rcu_barrier();	/* the nf_ct_tls_free_rcu() calls */
	rhashtable_free_and_destroy(&nf_ct_tls_objs, nf_ct_tls_free_left, NULL);
	kmem_cache_destroy(nf_ct_tls_cache);
}
