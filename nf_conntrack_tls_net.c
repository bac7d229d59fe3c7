// SPDX-License-Identifier: GPL-2.0
/*
 * Per-network-namespace state of nf_conntrack_tls: the run-time knobs
 * (sysctl net.netfilter.nf_conntrack_tls_*), the counters (per CPU, summed
 * on read) and /proc/net/nf_conntrack_tls that shows them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/netns/generic.h>

#include "nf_conntrack_tls.h"
#include "nf_conntrack_tls_compat.h"
#include "tls_seq.h"

static unsigned int nf_ct_tls_net_id __read_mostly;

struct nf_ct_tls_net *nf_ct_tls_pernet(const struct net *net)
{
	return net_generic(net, nf_ct_tls_net_id);
}

static const char *const nf_ct_tls_counter_names[NF_CT_TLS_DROP_WHY] = {
	[NF_CT_TLS_FLOWS]	= "flows",
	[NF_CT_TLS_BYTES]	= "bytes",
	[NF_CT_TLS_RECORDS]	= "records",
	[NF_CT_TLS_DROPS]	= "drops",
	[NF_CT_TLS_AUDITED]	= "audited",
	[NF_CT_TLS_GAPS]	= "gaps",
	[NF_CT_TLS_GAP_STOPS]	= "gap_stops",
	[NF_CT_TLS_PICKUPS]	= "pickups",
	[NF_CT_TLS_RETRANS]	= "retransmits",
	[NF_CT_TLS_MAX_SKB]	= "largest_skb_payload",
	[NF_CT_TLS_SYN_REJECTED] = "syn_data_rejected",
	[NF_CT_TLS_ACK_RAISED] = "ack_raised",
	[NF_CT_TLS_FAST_PATH]	= "fast_path",
};

static int nf_ct_tls_proc_show(struct seq_file *s, void *v)
{
	struct nf_ct_tls_net *tn = nf_ct_tls_pernet(seq_file_single_net(s));
	u64 sum[NF_CT_TLS_NCOUNTERS] = {};
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct nf_ct_tls_stats *st = per_cpu_ptr(tn->stats, cpu);

		for (i = 0; i < NF_CT_TLS_NCOUNTERS; i++) {
			u64 val = READ_ONCE(st->c[i]);

			if (i != NF_CT_TLS_MAX_SKB)
				sum[i] += val;
			else if (val > sum[i])
				sum[i] = val;
		}
	}
	for (i = 0; i < NF_CT_TLS_DROP_WHY; i++)
		seq_printf(s, "%-24s %llu\n", nf_ct_tls_counter_names[i], sum[i]);
	for (i = 1; i < TLS_DROP_MAX; i++)
		seq_printf(s, "drop_%-19s %llu\n", tls_drop_name(i),
			   sum[NF_CT_TLS_DROP_WHY + i - 1]);
	for (i = 1; i < TLS_R_MAX; i++)
		seq_printf(s, "violation_%-14s %llu\n", tls_reason_name(i),
			   sum[NF_CT_TLS_VIOLATION + i - 1]);
	/* module-wide figures, shown in the initial namespace only */
	if (net_eq(seq_file_single_net(s), &init_net)) {
		u64 objects, reclaimed;

		nf_ct_tls_state_stats(&objects, &reclaimed);
		seq_printf(s, "%-24s %llu\n", "state_objects", objects);
		seq_printf(s, "%-24s %llu\n", "state_reclaimed", reclaimed);
	}
	return 0;
}

/*
 * The template, one entry per line of nf_conntrack_tls_knobs.h, its .data
 * pointing into nf_ct_tls_defaults; each namespace gets a copy rebased onto
 * its own struct nf_ct_tls_conf (as devinet does).  proc_dointvec_minmax
 * refuses out-of-range values with -EINVAL and leaves the knob unchanged.
 */
static const struct ctl_table nf_ct_tls_sysctl_template[] = {
#define NF_CT_TLS_KNOB(name, min, max, def, desc) {		\
	.procname	= "nf_conntrack_tls_" #name,		\
	.data		= &nf_ct_tls_defaults.name,		\
	.maxlen		= sizeof(int),				\
	.mode		= 0644,					\
	.proc_handler	= proc_dointvec_minmax,			\
	.extra1		= &(int){ min },			\
	.extra2		= &(int){ max },			\
},
#include "nf_conntrack_tls_knobs.h"
	{ }
};

static int __net_init nf_ct_tls_net_setup(struct net *net)
{
	struct nf_ct_tls_net *tn = nf_ct_tls_pernet(net);
	struct ctl_table *table;
	size_t i, n = ARRAY_SIZE(nf_ct_tls_sysctl_template);

	tn->conf = nf_ct_tls_defaults;
	tn->stats = alloc_percpu(struct nf_ct_tls_stats);
	if (!tn->stats)
		return -ENOMEM;

	table = kmemdup(nf_ct_tls_sysctl_template,
			sizeof(nf_ct_tls_sysctl_template), GFP_KERNEL);
	if (!table)
		goto err_stats;
	for (i = 0; i < n - 1; i++)
		table[i].data += (char *)&tn->conf - (char *)&nf_ct_tls_defaults;
	tn->sysctl = compat_register_net_sysctl(net, "net/netfilter", table,
						n - 1);
	if (!tn->sysctl)
		goto err_table;

	if (!proc_create_net_single("nf_conntrack_tls", 0444, net->proc_net,
				    nf_ct_tls_proc_show, NULL))
		goto err_sysctl;
	if (nf_ct_tls_names_net_init(net, &tn->names))
		goto err_proc;
	if (nf_ct_tls_suites_net_init(net, &tn->suites))
		goto err_names;
	return 0;

err_names:
	nf_ct_tls_names_net_exit(net, &tn->names);
err_proc:
	remove_proc_entry("nf_conntrack_tls", net->proc_net);
err_sysctl:
	unregister_net_sysctl_table(tn->sysctl);
err_table:
	kfree(table);
err_stats:
	free_percpu(tn->stats);
	return -ENOMEM;
}

/*
 * Pernet subsys exit runs after every device of the namespace is gone
 * (device ops exit first), so no packet can reach the counters any more.
 */
static void __net_exit nf_ct_tls_net_teardown(struct net *net)
{
	struct nf_ct_tls_net *tn = nf_ct_tls_pernet(net);
	const struct ctl_table *table = tn->sysctl->ctl_table_arg;

	nf_ct_tls_names_net_exit(net, &tn->names);
	nf_ct_tls_suites_net_exit(net, &tn->suites);
	remove_proc_entry("nf_conntrack_tls", net->proc_net);
	unregister_net_sysctl_table(tn->sysctl);
	kfree(table);
	free_percpu(tn->stats);
}

static struct pernet_operations nf_ct_tls_net_ops = {
	.init	= nf_ct_tls_net_setup,
	.exit	= nf_ct_tls_net_teardown,
	.id	= &nf_ct_tls_net_id,
	.size	= sizeof(struct nf_ct_tls_net),
};

int nf_ct_tls_net_init(void)
{
	return register_pernet_subsys(&nf_ct_tls_net_ops);
}

void nf_ct_tls_net_exit(void)
{
	unregister_pernet_subsys(&nf_ct_tls_net_ops);
}
