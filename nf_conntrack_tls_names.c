// SPDX-License-Identifier: GPL-2.0
/*
 * Server-name lists of one network namespace (issue "handshake rule set"):
 * /proc/net/nf_conntrack_tls_sni_deny and .../nf_conntrack_tls_sni_allow,
 * written like xt_recent's files ("+name" adds, "-name" removes, "/"
 * flushes; one write() is applied whole or not at all) and read as one
 * entry per line with its hit count.
 *
 * Both lists compile into one automaton (tls_names.c) that the packet
 * path reads under RCU: a write builds a new version and publishes it; a
 * hello whose name spans the swap finds the version its state came from
 * in the previous slot, kept until the next swap.  Writers are serialised
 * by a mutex; the packet path takes no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nf_conntrack_tls.h"
#include "tls_handshake.h"
#include "tls_names.h"

/* The idx of an entry in the automaton: its list and its position. */
#define NAMES_IDX_ALLOW	0x800000U
#define NAMES_PER_LIST	0x7fffffU	/* positions below NAMES_IDX_ALLOW */

static unsigned int sni_max_entries __read_mostly = 1000000;
static unsigned int sni_max_len __read_mostly = TLS_NAME_MAX;

static int names_param_set(const char *val, const struct kernel_param *kp,
			   unsigned int min, unsigned int max)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < min || v > max) {
		pr_err("parameter %s=%s: expected an integer from %u to %u\n",
		       kp->name, val, min, max);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static int names_set_max_entries(const char *val,
				 const struct kernel_param *kp)
{
	return names_param_set(val, kp, 1, NAMES_PER_LIST);
}

static int names_set_max_len(const char *val, const struct kernel_param *kp)
{
	return names_param_set(val, kp, 1, TLS_NAME_MAX);
}

static const struct kernel_param_ops names_max_entries_ops = {
	.set = names_set_max_entries,
	.get = param_get_uint,
};

static const struct kernel_param_ops names_max_len_ops = {
	.set = names_set_max_len,
	.get = param_get_uint,
};

module_param_cb(sni_max_entries, &names_max_entries_ops, &sni_max_entries, 0644);
MODULE_PARM_DESC(sni_max_entries, "Entries each server-name list file (sni_deny, sni_allow) may hold per namespace, 1-8388607 (default 1000000)");
module_param_cb(sni_max_len, &names_max_len_ops, &sni_max_len, 0644);
MODULE_PARM_DESC(sni_max_len, "Longest server name a list entry may have, 1-253 bytes (default 253)");

static void *names_alloc(size_t size, void *ctx)
{
	return kvmalloc(size, GFP_KERNEL_ACCOUNT);
}

static void names_free(void *p, void *ctx)
{
	kvfree(p);
}

static const struct tls_names_alloc names_mem = {
	.alloc = names_alloc,
	.free = names_free,
};

/* One published version: the compiled set, the lists it came from, hits */
struct nf_ct_tls_names_ver {
	struct rcu_head rcu;
	struct tls_names *set;		/* NULL: both lists empty */
	struct tls_name_list *list[2];	/* [0] deny, [1] allow; may be NULL */
	atomic64_t *hits[2];		/* per entry of each list */
};

static const char *const names_file[2] = {
	"nf_conntrack_tls_sni_deny", "nf_conntrack_tls_sni_allow",
};

static void names_ver_free(struct nf_ct_tls_names_ver *v)
{
	unsigned int i;

	if (!v)
		return;
	tls_names_free(v->set, &names_mem);
	for (i = 0; i < 2; i++) {
		tls_name_list_free(v->list[i], &names_mem);
		kvfree(v->hits[i]);
	}
	kfree(v);
}

/* Called by the engine at the end of each name that matched an entry. */
static void names_hit(void *owner, u32 idx)
{
	struct nf_ct_tls_names_ver *v = owner;
	unsigned int l = !!(idx & NAMES_IDX_ALLOW);
	u32 i = idx & NAMES_PER_LIST;

	if (v->list[l] && i < v->list[l]->n)
		atomic64_inc(&v->hits[l][i]);
}

/*
 * A version of lists deny and allow (taken over by it, even on error):
 * hit counters from the lists, the automaton of both.
 */
static int names_ver_make(struct nf_ct_tls_names *nn,
			  struct tls_name_list *deny,
			  struct tls_name_list *allow,
			  struct nf_ct_tls_names_ver **out)
{
	struct nf_ct_tls_names_ver *v;
	struct tls_name_entry *e = NULL;
	u32 n, i, k;
	int ret = -ENOMEM;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v) {
		tls_name_list_free(deny, &names_mem);
		tls_name_list_free(allow, &names_mem);
		return -ENOMEM;
	}
	v->list[0] = deny;
	v->list[1] = allow;
	n = 0;
	for (k = 0; k < 2; k++) {
		u32 m = v->list[k] ? v->list[k]->n : 0;

		v->hits[k] = kvcalloc(m ? m : 1, sizeof(atomic64_t),
				      GFP_KERNEL_ACCOUNT);
		if (!v->hits[k])
			goto err;
		for (i = 0; i < m; i++)
			atomic64_set(&v->hits[k][i], v->list[k]->hits[i]);
		n += m;
	}
	if (n) {
		e = kvcalloc(n, sizeof(*e), GFP_KERNEL);
		if (!e)
			goto err;
		i = 0;
		for (k = 0; k < 2; k++) {
			if (!v->list[k])
				continue;
			tls_name_list_entries(v->list[k], k, e + i);
			if (k)
				for (n = i; n < i + v->list[k]->n; n++)
					e[n].idx |= NAMES_IDX_ALLOW;
			i += v->list[k]->n;
		}
		ret = tls_names_build(e, i, ++nn->gen, &names_mem, &v->set);
		kvfree(e);
		if (ret)
			goto err;
		v->set->owner = v;
	}
	*out = v;
	return 0;
err:
	names_ver_free(v);
	return ret;
}

/* Fold the live hit counters of v into its lists (writer, mutex held). */
static void names_ver_sync_hits(struct nf_ct_tls_names_ver *v)
{
	unsigned int k;
	u32 i;

	for (k = 0; v && k < 2; k++)
		for (i = 0; v->list[k] && i < v->list[k]->n; i++)
			v->list[k]->hits[i] = atomic64_read(&v->hits[k][i]);
}

/*
 * Publish nv: the current version becomes the previous one (hellos whose
 * name began under it finish with it), the previous one is freed once no
 * reader can hold it.
 */
static void names_publish(struct nf_ct_tls_names *nn,
			  struct nf_ct_tls_names_ver *nv)
{
	struct nf_ct_tls_names_ver *cur, *old;

	cur = rcu_dereference_protected(nn->cur, lockdep_is_held(&nn->lock));
	old = rcu_dereference_protected(nn->prev, lockdep_is_held(&nn->lock));
	rcu_assign_pointer(nn->prev, cur);
	rcu_assign_pointer(nn->cur, nv);
	synchronize_rcu();
	names_ver_free(old);
}

/* Apply the lines of buf to list l of nn, or nothing; 0 or -errno. */
static int names_apply(struct nf_ct_tls_names *nn, unsigned int l,
		       const char *buf, size_t len)
{
	struct nf_ct_tls_names_ver *cur, *nv;
	struct tls_name_list *lists[2] = {};
	u32 line = 0, maxlen = READ_ONCE(sni_max_len);
	int ret;

	mutex_lock(&nn->lock);
	cur = rcu_dereference_protected(nn->cur, lockdep_is_held(&nn->lock));
	names_ver_sync_hits(cur);
	ret = tls_names_parse(cur ? cur->list[l] : NULL, buf, len,
			      READ_ONCE(sni_max_entries), maxlen, &names_mem,
			      &lists[l], &line);
	if (ret) {
		pr_info_ratelimited("%s: line %u: %s\n", names_file[l], line,
				    ret == TLS_NAMES_ENOENT ? "no such entry" :
				    ret == TLS_NAMES_ENOSPC ? "too many entries (sni_max_entries)" :
				    ret == TLS_NAMES_ENOMEM ? "out of memory" :
				    "invalid line or name");
		goto out;
	}
	/* the other list is copied, so that each version owns its lists */
	if (cur && cur->list[!l]) {
		ret = tls_names_parse(cur->list[!l], "", 0, U32_MAX, maxlen,
				      &names_mem, &lists[!l], &line);
		if (ret) {
			tls_name_list_free(lists[l], &names_mem);
			goto out;
		}
	}
	ret = names_ver_make(nn, lists[0], lists[1], &nv);
	if (ret) {
		pr_info_ratelimited("%s: cannot build the name set: %d\n",
				    names_file[l], ret);
		goto out;
	}
	names_publish(nn, nv);
out:
	mutex_unlock(&nn->lock);
	return ret;
}

/* The open file: which list, and a line cut by the end of a write(). */
struct names_file_state {
	struct nf_ct_tls_names *nn;
	unsigned int list;
	u32 carry_len;
	char carry[TLS_NAME_BUF + 8];
	/* seq_file iteration, under rcu_read_lock */
	struct nf_ct_tls_names_ver *ver;
};

static void *names_seq_start(struct seq_file *s, loff_t *pos)
	__acquires(RCU)
{
	struct names_file_state *st = s->private;
	struct nf_ct_tls_names_ver *v;

	rcu_read_lock();
	v = rcu_dereference(st->nn->cur);
	st->ver = v;
	if (!v || !v->list[st->list] || *pos >= v->list[st->list]->n)
		return NULL;
	return (void *)(uintptr_t)(*pos + 1);
}

static void *names_seq_next(struct seq_file *s, void *p, loff_t *pos)
{
	struct names_file_state *st = s->private;
	const struct tls_name_list *l = st->ver->list[st->list];

	++*pos;
	return *pos < l->n ? (void *)(uintptr_t)(*pos + 1) : NULL;
}

static void names_seq_stop(struct seq_file *s, void *p)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int names_seq_show(struct seq_file *s, void *p)
{
	struct names_file_state *st = s->private;
	const struct tls_name_list *l = st->ver->list[st->list];
	u32 i = (uintptr_t)p - 1;

	seq_printf(s, "%.*s hits=%lld\n", (int)l->ent[i].len,
		   l->names + l->ent[i].off,
		   (long long)atomic64_read(&st->ver->hits[st->list][i]));
	return 0;
}

static const struct seq_operations names_seq_ops = {
	.start	= names_seq_start,
	.next	= names_seq_next,
	.stop	= names_seq_stop,
	.show	= names_seq_show,
};

static int names_open(struct inode *inode, struct file *file)
{
	const struct nf_ct_tls_names_file *nf = pde_data(inode);
	struct names_file_state *st;

	st = __seq_open_private(file, &names_seq_ops, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->nn = nf->nn;
	st->list = nf->list;
	return 0;
}

/*
 * Whole lines of one write() are applied at once; a line cut by the end
 * of the buffer waits for the next write() (or close) of the same open
 * file: `cat` writes large files in pieces.
 */
static ssize_t names_write(struct file *file, const char __user *ubuf,
			   size_t size, loff_t *ppos)
{
	struct names_file_state *st =
		((struct seq_file *)file->private_data)->private;
	size_t max = (size_t)READ_ONCE(sni_max_entries) * (TLS_NAME_BUF + 2) +
		     PAGE_SIZE;
	size_t total, cut;
	char *buf;
	int ret;

	if (!size)
		return 0;
	if (size > max || size > (64U << 20))
		return -EFBIG;
	total = st->carry_len + size;
	buf = kvmalloc(total, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, st->carry, st->carry_len);
	if (copy_from_user(buf + st->carry_len, ubuf, size)) {
		kvfree(buf);
		return -EFAULT;
	}
	for (cut = total; cut && buf[cut - 1] != '\n'; cut--)
		;
	if (total - cut > sizeof(st->carry)) {
		kvfree(buf);
		pr_info_ratelimited("%s: a line longer than %zu bytes\n",
				    names_file[st->list], sizeof(st->carry));
		return -EINVAL;
	}
	ret = cut ? names_apply(st->nn, st->list, buf, cut) : 0;
	if (!ret) {
		memcpy(st->carry, buf + cut, total - cut);
		st->carry_len = total - cut;
	}
	kvfree(buf);
	return ret ? ret : size;
}

static int names_release(struct inode *inode, struct file *file)
{
	struct names_file_state *st =
		((struct seq_file *)file->private_data)->private;

	/* a last line without its newline; an error can only be logged */
	if (st->carry_len)
		names_apply(st->nn, st->list, st->carry, st->carry_len);
	return seq_release_private(inode, file);
}

static const struct proc_ops names_proc_ops = {
	.proc_open	= names_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_write	= names_write,
	.proc_release	= names_release,
};

int nf_ct_tls_names_net_init(struct net *net, struct nf_ct_tls_names *nn)
{
	unsigned int i;

	mutex_init(&nn->lock);
	RCU_INIT_POINTER(nn->cur, NULL);
	RCU_INIT_POINTER(nn->prev, NULL);
	for (i = 0; i < 2; i++) {
		nn->file[i].nn = nn;
		nn->file[i].list = i;
		if (!proc_create_data(names_file[i], 0600, net->proc_net,
				      &names_proc_ops, &nn->file[i])) {
			if (i)
				remove_proc_entry(names_file[0], net->proc_net);
			return -ENOMEM;
		}
	}
	return 0;
}

/* After every packet of the namespace (pernet exit): no reader left. */
void nf_ct_tls_names_net_exit(struct net *net, struct nf_ct_tls_names *nn)
{
	remove_proc_entry(names_file[0], net->proc_net);
	remove_proc_entry(names_file[1], net->proc_net);
	synchronize_rcu();
	names_ver_free(rcu_dereference_protected(nn->cur, 1));
	names_ver_free(rcu_dereference_protected(nn->prev, 1));
}

/* The sets the packet path matches names against (under rcu_read_lock). */
void nf_ct_tls_names_get(struct nf_ct_tls_names *nn, struct tls_rules *r)
{
	struct nf_ct_tls_names_ver *v = rcu_dereference(nn->cur);
	struct nf_ct_tls_names_ver *p = rcu_dereference(nn->prev);

	r->names = v ? v->set : NULL;
	r->names_prev = p ? p->set : NULL;
	r->name_hit = names_hit;
}

/*
 * The entry that decided a flow's name verdict (tls_hs_name_entry(): the
 * set's generation and the entry's idx), for the log: copies it
 * (NUL-terminated) into buf of TLS_NAME_BUF bytes; false if its version
 * is gone or there is none.  Under rcu_read_lock.
 */
bool nf_ct_tls_names_entry(struct nf_ct_tls_names *nn, u32 ent, char *buf)
{
	struct nf_ct_tls_names_ver *v = rcu_dereference(nn->cur);
	unsigned int l = !!(ent & NAMES_IDX_ALLOW);
	const struct tls_name_list *list;
	u32 i = ent & NAMES_PER_LIST;

	if (!(ent & TLS_HS_NAME_ENTRY) || !v || !v->set ||
	    v->set->gen != TLS_HS_NAME_GEN(ent))
		v = rcu_dereference(nn->prev);
	if (!v || !v->set || v->set->gen != TLS_HS_NAME_GEN(ent) ||
	    !v->list[l] || i >= v->list[l]->n)
		return false;
	list = v->list[l];
	snprintf(buf, TLS_NAME_BUF, "%.*s", (int)list->ent[i].len,
		 list->names + list->ent[i].off);
	return true;
}
