// SPDX-License-Identifier: GPL-2.0
/*
 * The optional action "reset" (knob nf_conntrack_tls_reset): after a
 * violation, besides dropping the packet and killing the conntrack entry,
 * send a TCP RST to each end so neither waits for a timeout.
 *
 * The RSTs are built and routed by the kernel's own REJECT code
 * (nf_send_reset / nf_send_reset6), which answers a packet to its sender:
 *
 *  - to the sender of the offending segment: its RST carries the segment's
 *    ACK number, the sender's next expected sequence number, exactly as
 *    the REJECT target does;
 *  - to the receiver: a header-only copy of the segment with source and
 *    destination swapped and with the ACK number set to the sequence number
 *    the receiver expects next (the first byte the helper did not let
 *    through), so the RST answering that copy lands exactly on the
 *    receiver's rcv_nxt and is accepted (RFC 5961 answers any other
 *    in-window RST with a challenge ACK only).
 *
 * Only ever called on the violation path, never per packet: per kill one
 * small GFP_ATOMIC allocation for the mirror header here and one for each
 * RST in the REJECT code.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>

#include "nf_conntrack_tls.h"

/*
 * The hook passed to the REJECT code: helpers run at POST_ROUTING (and
 * LOCAL_IN), where the packet already has its route; POST_ROUTING keeps
 * nf_send_reset from looking up a route or re-verifying a checksum that
 * conntrack and the stack already handled.
 */
#define NF_CT_TLS_RST_HOOK	NF_INET_POST_ROUTING

/*
 * A mirror of the offending segment's IP and TCP headers (no options, no
 * payload): from its receiver to its sender, ACK set, ACK number @rcv_nxt.
 * It carries the conntrack entry so that the RST answering it is attached
 * to the entry (as RELATED, which the helper ignores) like REJECT's own.
 */
static struct sk_buff *nf_ct_tls_mirror(const struct sk_buff *skb,
					const struct tcphdr *th,
					struct nf_conn *ct,
					enum ip_conntrack_info ctinfo,
					u32 rcv_nxt)
{
	struct sk_buff *m;
	struct tcphdr *mth;

	m = alloc_skb(sizeof(struct ipv6hdr) + sizeof(*mth), GFP_ATOMIC);
	if (!m)
		return NULL;

	skb_reset_network_header(m);
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);
		struct iphdr *miph = skb_put_zero(m, sizeof(*miph));

		miph->version = 4;
		miph->ihl = sizeof(*miph) / 4;
		miph->ttl = 64;
		miph->protocol = IPPROTO_TCP;
		miph->tot_len = htons(sizeof(*miph) + sizeof(*mth));
		miph->saddr = iph->daddr;
		miph->daddr = iph->saddr;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct ipv6hdr *mip6h = skb_put_zero(m, sizeof(*mip6h));

		mip6h->version = 6;
		mip6h->nexthdr = IPPROTO_TCP;
		mip6h->hop_limit = 64;
		mip6h->payload_len = htons(sizeof(*mth));
		mip6h->saddr = ip6h->daddr;
		mip6h->daddr = ip6h->saddr;
	}
	skb_set_transport_header(m, m->len);
	mth = skb_put_zero(m, sizeof(*mth));
	mth->source = th->dest;
	mth->dest = th->source;
	mth->seq = th->ack_seq;
	mth->ack_seq = htonl(rcv_nxt);
	mth->doff = sizeof(*mth) / 4;
	mth->ack = 1;

	m->protocol = skb->protocol;
	m->dev = skb->dev;
	m->mark = skb->mark;
	/* nothing to verify: the helper made this header itself */
	m->ip_summed = CHECKSUM_UNNECESSARY;
	/*
	 * Borrow the segment's route (the REJECT code needs one and only reads
	 * its flags and device); netfilter hooks run under rcu_read_lock().
	 */
	skb_dst_set_noref(m, skb_dst(skb));
	nf_ct_set(m, ct, CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL ?
		  IP_CT_ESTABLISHED_REPLY : IP_CT_ESTABLISHED);
	nf_conntrack_get(&ct->ct_general);
	return m;
}

static void nf_ct_tls_reset_one(struct net *net, struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		nf_send_reset(net, NULL, skb, NF_CT_TLS_RST_HOOK);
	else
		nf_send_reset6(net, NULL, skb, NF_CT_TLS_RST_HOOK);
}

void nf_ct_tls_send_resets(struct sk_buff *skb, unsigned int protoff,
			   struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			   u32 rcv_nxt)
{
	struct net *net = nf_ct_net(ct);
	const struct tcphdr *th;
	struct tcphdr _th;
	struct sk_buff *m;

	if (skb->protocol != htons(ETH_P_IP) &&
	    skb->protocol != htons(ETH_P_IPV6))
		return;
	if (!skb_dst(skb))
		return;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th || th->rst)
		return;

	/* to the sender of the offending segment */
	nf_ct_tls_reset_one(net, skb);

	/* to its receiver (an ACK number tells where to send its RST) */
	if (!th->ack)
		return;
	m = nf_ct_tls_mirror(skb, th, ct, ctinfo, rcv_nxt);
	if (!m)
		return;
	nf_ct_tls_reset_one(net, m);
	consume_skb(m);
}
