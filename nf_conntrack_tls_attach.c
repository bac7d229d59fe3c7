// SPDX-License-Identifier: GPL-2.0
/*
 * Optional automatic attachment (module parameter "ports", empty by
 * default): the helper is attached to every new TCP flow to or from one of
 * the listed ports, in every network namespace, without a CT rule.
 *
 * The kernel's own automatic assignment by port is gone (and per-port
 * helper registration is being removed), so this does what an nftables
 * "ct helper set" rule does: a hook right after conntrack gives each new,
 * unconfirmed entry the helper extension.  Both ports count, so an entry
 * that conntrack picks up mid-stream from the server's side gets the helper
 * too (see README, "Attaching").  A flow that already has a helper (from a
 * CT rule, for example) keeps it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netns/generic.h>

#include "nf_conntrack_tls.h"
#include "nf_conntrack_tls_compat.h"

#define NF_CT_TLS_MAX_PORTS	8

static unsigned short nf_ct_tls_ports[NF_CT_TLS_MAX_PORTS];
static unsigned int nf_ct_tls_nports;

static int nf_ct_tls_ports_set(const char *val, const struct kernel_param *kp)
{
	unsigned short ports[NF_CT_TLS_MAX_PORTS];
	unsigned int n = 0;
	char buf[64], *s, *tok;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		goto bad;
	s = strim(buf);
	if (!*s)
		s = NULL;	/* "" clears the list; "443," is refused */
	while ((tok = strsep(&s, ",")) != NULL) {
		if (n == NF_CT_TLS_MAX_PORTS || kstrtou16(tok, 10, &ports[n]) ||
		    !ports[n])
			goto bad;
		n++;
	}
	memcpy(nf_ct_tls_ports, ports, n * sizeof(ports[0]));
	nf_ct_tls_nports = n;
	return 0;
bad:
	pr_err("parameter %s=%s: expected up to %d comma-separated TCP ports from 1 to 65535\n",
	       kp->name, val, NF_CT_TLS_MAX_PORTS);
	return -EINVAL;
}

static int nf_ct_tls_ports_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < nf_ct_tls_nports; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? "," : "",
				     nf_ct_tls_ports[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static const struct kernel_param_ops nf_ct_tls_ports_ops = {
	.set = nf_ct_tls_ports_set,
	.get = nf_ct_tls_ports_get,
};

module_param_cb(ports, &nf_ct_tls_ports_ops, NULL, 0444);
MODULE_PARM_DESC(ports,
		 "Attach the helper to every new TCP flow to or from these ports, in every network namespace, without a CT rule (comma-separated, up to 8; default none: attach with iptables -j CT --helper tls or nft ct helper)");

static bool nf_ct_tls_port_listed(__be16 port)
{
	u16 p = ntohs(port);
	unsigned int i;

	for (i = 0; i < nf_ct_tls_nports; i++)
		if (nf_ct_tls_ports[i] == p)
			return true;
	return false;
}

static struct nf_conntrack_helper *const *nf_ct_tls_attach_helpers;

static unsigned int nf_ct_tls_attach_hook(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	const struct nf_conntrack_tuple *t;
	struct nf_conntrack_helper *h;
	enum ip_conntrack_info ctinfo;
	struct nf_conn_help *help;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct) || nf_ct_is_template(ct) ||
	    nf_ct_protonum(ct) != IPPROTO_TCP || nfct_help(ct))
		return NF_ACCEPT;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	if (!nf_ct_tls_port_listed(t->dst.u.tcp.port) &&
	    !nf_ct_tls_port_listed(t->src.u.tcp.port))
		return NF_ACCEPT;

	h = nf_ct_tls_attach_helpers[nf_ct_l3num(ct) == NFPROTO_IPV6];
	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help)
		return NF_ACCEPT;	/* the flow simply goes uninspected */
	compat_helper_get_for_ct(h);
	rcu_assign_pointer(help->helper, h);
	set_bit(IPS_HELPER_BIT, &ct->status);
	return NF_ACCEPT;
}

/* Right after conntrack, on packets from outside and from local sockets. */
static const struct nf_hook_ops nf_ct_tls_attach_ops[] = {
	{
		.hook		= nf_ct_tls_attach_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook		= nf_ct_tls_attach_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook		= nf_ct_tls_attach_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
	{
		.hook		= nf_ct_tls_attach_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
};

/*
 * Conntrack only runs in a namespace that asked for it (a CT rule does so
 * through nf_ct_netns_get()); automatic attachment asks for it too.
 */
static int __net_init nf_ct_tls_attach_net_init(struct net *net)
{
	int ret;

	ret = nf_ct_netns_get(net, NFPROTO_INET);
	if (ret)
		return ret;
	ret = nf_register_net_hooks(net, nf_ct_tls_attach_ops,
				    ARRAY_SIZE(nf_ct_tls_attach_ops));
	if (ret)
		nf_ct_netns_put(net, NFPROTO_INET);
	return ret;
}

static void __net_exit nf_ct_tls_attach_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, nf_ct_tls_attach_ops,
				ARRAY_SIZE(nf_ct_tls_attach_ops));
	nf_ct_netns_put(net, NFPROTO_INET);
}

static struct pernet_operations nf_ct_tls_attach_net_ops = {
	.init	= nf_ct_tls_attach_net_init,
	.exit	= nf_ct_tls_attach_net_exit,
};

int nf_ct_tls_attach_init(struct nf_conntrack_helper *const *helpers)
{
	int ret;

	if (!nf_ct_tls_nports)
		return 0;
	nf_ct_tls_attach_helpers = helpers;
	ret = register_pernet_subsys(&nf_ct_tls_attach_net_ops);
	if (ret)
		pr_err("cannot set up automatic attachment: %d\n", ret);
	else
		pr_info("attached automatically to TCP flows on %u port(s)\n",
			nf_ct_tls_nports);
	return ret;
}

void nf_ct_tls_attach_exit(void)
{
	if (nf_ct_tls_nports)
		unregister_pernet_subsys(&nf_ct_tls_attach_net_ops);
}
