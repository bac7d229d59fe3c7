// SPDX-License-Identifier: GPL-2.0
/*
 * The explicit cipher-suite deny list of one network namespace:
 * /proc/net/nf_conntrack_tls_cipher_deny, written like the server-name
 * lists ("+0x000a" adds suite 0x000a, "-10" removes it, "/" empties the
 * list; one write() applied whole or not at all) and read as one suite
 * per line.  A ServerHello selecting a listed suite is killed
 * (cipher_list).  The packet path reads the list under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nf_conntrack_tls.h"
#include "tls_ciphers.h"

#define SUITES_FILE	"nf_conntrack_tls_cipher_deny"
/* a write: every suite as "+0xNNNN\n", and then some */
#define SUITES_WRITE_MAX	(TLS_CIPHER_LIST_MAX * 16)

struct nf_ct_tls_suite_list {
	struct rcu_head rcu;
	u32 n;
	u16 s[];	/* sorted, no duplicates */
};

static int suites_show(struct seq_file *s, void *v)
{
	struct nf_ct_tls_suites *ns = s->private;
	const struct nf_ct_tls_suite_list *l;
	u32 i;

	rcu_read_lock();
	l = rcu_dereference(ns->cur);
	for (i = 0; l && i < l->n; i++)
		seq_printf(s, "0x%04x\n", l->s[i]);
	rcu_read_unlock();
	return 0;
}

static int suites_open(struct inode *inode, struct file *file)
{
	return single_open(file, suites_show, pde_data(inode));
}

static ssize_t suites_write(struct file *file, const char __user *ubuf,
			    size_t size, loff_t *ppos)
{
	struct nf_ct_tls_suites *ns =
		((struct seq_file *)file->private_data)->private;
	struct nf_ct_tls_suite_list *old, *nl;
	u32 line, n;
	char *buf;
	int ret;

	if (!size)
		return 0;
	if (size > SUITES_WRITE_MAX)
		return -EFBIG;
	buf = memdup_user(ubuf, size);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	nl = kvmalloc(struct_size(nl, s, TLS_CIPHER_LIST_MAX),
		      GFP_KERNEL_ACCOUNT);
	if (!nl) {
		kfree(buf);
		return -ENOMEM;
	}
	mutex_lock(&ns->lock);
	old = rcu_dereference_protected(ns->cur, lockdep_is_held(&ns->lock));
	n = old ? old->n : 0;
	if (n)
		memcpy(nl->s, old->s, n * sizeof(nl->s[0]));
	ret = tls_cipher_list_apply(nl->s, &n, buf, size, &line);
	if (ret) {
		pr_info_ratelimited("%s: line %u: %s\n", SUITES_FILE, line,
				    ret == -ENOENT ? "no such suite" :
				    ret == -ENOSPC ? "too many suites" :
				    "not +SUITE, -SUITE or / (SUITE: 0-65535, decimal or 0x hex)");
		kvfree(nl);
	} else {
		nl->n = n;
		rcu_assign_pointer(ns->cur, nl);
		synchronize_rcu();
		kvfree(old);
	}
	mutex_unlock(&ns->lock);
	kfree(buf);
	return ret ? ret : size;
}

static const struct proc_ops suites_proc_ops = {
	.proc_open	= suites_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_write	= suites_write,
	.proc_release	= single_release,
};

int nf_ct_tls_suites_net_init(struct net *net, struct nf_ct_tls_suites *ns)
{
	mutex_init(&ns->lock);
	RCU_INIT_POINTER(ns->cur, NULL);
	if (!proc_create_data(SUITES_FILE, 0600, net->proc_net,
			      &suites_proc_ops, ns))
		return -ENOMEM;
	return 0;
}

/* After every packet of the namespace (pernet exit): no reader left. */
void nf_ct_tls_suites_net_exit(struct net *net, struct nf_ct_tls_suites *ns)
{
	remove_proc_entry(SUITES_FILE, net->proc_net);
	kvfree(rcu_dereference_protected(ns->cur, 1));
}

/* The list for one packet's rules (under rcu_read_lock). */
void nf_ct_tls_suites_get(struct nf_ct_tls_suites *ns, struct tls_rules *r)
{
	const struct nf_ct_tls_suite_list *l = rcu_dereference(ns->cur);

	r->cipher_list = l && l->n ? l->s : NULL;
	r->cipher_n = l ? l->n : 0;
}
