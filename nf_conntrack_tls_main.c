// SPDX-License-Identifier: GPL-2.0
/*
 * nf_conntrack_tls: a conntrack helper named "tls" that follows the TLS
 * (and SSLv2) record stream of both directions of a TCP flow and drops and
 * kills flows that break the engine's rules (Heartbleed-style heartbeats,
 * plaintext runs inside encrypted records, SSLv2 messages from the wrong
 * side).  Attach it explicitly:
 *
 *   iptables -t raw -A PREROUTING -p tcp --dport 443 -j CT --helper tls
 *   nft: ct helper tls-443 { type "tls" protocol tcp; } ... ct helper set "tls-443"
 *
 * This file is the glue: TCP header, sequence tracking, walking the payload
 * of the skb without linearising it, verdicts and logs.  The parsing lives
 * in the pure engine (tls_parse.c, heartbeat.c, tls_seq.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "nf_conntrack_tls.h"
#include "nf_conntrack_tls_compat.h"
#include "tls_seq.h"
#include "tls_seg_fast.h"
#include "tls_handshake.h"
#include "tls_names.h"
#include "version.h"

struct nf_ct_tls_conf nf_ct_tls_defaults = {
#define NF_CT_TLS_KNOB(name, min, max, def, desc) .name = (def),
#include "nf_conntrack_tls_knobs.h"
};

/* Every default lies in its knob's range. */
#define NF_CT_TLS_KNOB(name, min, max, def, desc) \
	static_assert((min) <= (def) && (def) <= (max));
#include "nf_conntrack_tls_knobs.h"

/*
 * Module parameters set the defaults of every network namespace created
 * after loading (init_net included); sysctl changes one namespace at run
 * time.  A value out of range refuses the load with a message.
 */
static int nf_ct_tls_param_set(const char *val, const struct kernel_param *kp,
			       int min, int max)
{
	int v, ret;

	ret = kstrtoint(val, 0, &v);
	if (ret || v < min || v > max) {
		pr_err("parameter %s=%s: expected an integer from %d to %d\n",
		       kp->name, val, min, max);
		return -EINVAL;
	}
	*(int *)kp->arg = v;
	return 0;
}

/* Per knob: a set function with its range, the parameter, its description. */
#define NF_CT_TLS_KNOB(name, min, max, def, desc)				\
static int nf_ct_tls_set_##name(const char *val,				\
				const struct kernel_param *kp)			\
{										\
	return nf_ct_tls_param_set(val, kp, min, max);				\
}										\
static const struct kernel_param_ops nf_ct_tls_ops_##name = {			\
	.set = nf_ct_tls_set_##name,						\
	.get = param_get_int,							\
};										\
module_param_cb(name, &nf_ct_tls_ops_##name, &nf_ct_tls_defaults.name, 0444);	\
MODULE_PARM_DESC(name, desc);
#include "nf_conntrack_tls_knobs.h"

/*
 * The server name for the log line: the first host_name whose bytes the
 * engine parsed in this segment (struct tls_rules.name_byte), bounded and
 * with anything outside printable ASCII, '"' and '\\' shown as '?'.  A
 * name begun in an earlier segment shows the part this one carried after
 * "..." (none if it ended in an earlier one): the kernel keeps no name
 * beyond the segment.
 */
#define NF_CT_TLS_LOG_NAME	64

struct nf_ct_tls_seen_name {
	u8 len;
	bool begun;	/* the name's first byte is in this segment */
	bool cut;	/* longer than buf */
	bool done;	/* a second name began: the first is kept */
	char buf[NF_CT_TLS_LOG_NAME];
};

static void nf_ct_tls_name_byte(void *ctx, int b)
{
	struct nf_ct_tls_seen_name *s = ctx;

	if (s->done)
		return;
	if (b < 0) {
		if (s->begun || s->len)
			s->done = true;
		else
			s->begun = true;
	} else if (s->len < sizeof(s->buf)) {
		s->buf[s->len++] = b < 0x20 || b > 0x7e || b == '"' ||
				   b == '\\' ? '?' : b;
	} else {
		s->cut = true;
	}
}

/*
 * One line per violation; with name_ent (tls_hs_name_entry()) the
 * server-name list entry that decided it (sni_deny), with seen (NULL
 * while no name rule is on) the server name this segment carried.
 */
static noinline void nf_ct_tls_log(struct nf_ct_tls_net *tn,
				   const struct nf_conn *ct, unsigned int dir,
				   enum tls_reason reason, bool dropped,
				   u32 name_ent,
				   const struct nf_ct_tls_seen_name *seen)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	const char *what = dropped ? "dropped" : "audit";
	const char *side = dir == TLS_DIR_CLIENT ? "client" : "server";
	char entry[TLS_NAME_BUF] = "";
	char name[NF_CT_TLS_LOG_NAME + 16] = "";
	const char *pre, *post;

	if (!net_ratelimit())
		return;
	if (name_ent && !nf_ct_tls_names_entry(&tn->names, name_ent, entry))
		entry[0] = 0;
	pre = *entry ? " (entry " : "";
	post = *entry ? ")" : "";
	if (seen && (seen->begun || seen->len))
		snprintf(name, sizeof(name), " name \"%s%.*s%s\"",
			 seen->begun ? "" : "...", seen->len, seen->buf,
			 seen->cut ? "..." : "");
	if (nf_ct_l3num(ct) == NFPROTO_IPV6)
		pr_info("%s: %s from %s: [%pI6c]:%u -> [%pI6c]:%u%s%s%s%s\n",
			what, tls_reason_name(reason), side,
			&t->src.u3.in6, ntohs(t->src.u.tcp.port),
			&t->dst.u3.in6, ntohs(t->dst.u.tcp.port),
			name, pre, entry, post);
	else
		pr_info("%s: %s from %s: %pI4:%u -> %pI4:%u%s%s%s%s\n",
			what, tls_reason_name(reason), side,
			&t->src.u3.ip, ntohs(t->src.u.tcp.port),
			&t->dst.u3.ip, ntohs(t->dst.u.tcp.port),
			name, pre, entry, post);
}

/*
 * Feed payload bytes [off, skb->len) to the engine, reading paged and
 * frag-list data in place (skb_seq_read maps each fragment in turn), so
 * GRO/BIG TCP skbs of any size are walked without a copy.
 */
static enum tls_reason nf_ct_tls_feed_skb(struct sk_buff *skb, unsigned int off,
					  struct tls_flow *flow, unsigned int dir,
					  const struct tls_policy *pol,
					  u32 *records)
{
	struct skb_seq_state st;
	struct tls_result res;
	enum tls_reason r = TLS_OK;
	unsigned int consumed = 0, len;
	const u8 *data;

	*records = 0;
	skb_prepare_seq_read(skb, off, skb->len, &st);
	while ((len = skb_seq_read(consumed, &data, &st)) != 0) {
		r = tls_feed(flow, dir, data, len, pol, &res);
		*records += res.records;
		if (r != TLS_OK) {
			skb_abort_seq_read(&st);
			break;
		}
		consumed += len;
	}
	return r;
}

/*
 * The payload [off, off + len) where it lies in one piece the CPU reads
 * directly, or NULL.  A forwarded segment often has its payload in one
 * page fragment and only the headers in the linear part: TCP senders
 * build skbs so (veth passes them on as they are), and so do NIC drivers
 * that pull only the headers into the head.  NULL for a payload spread
 * over several pieces (GRO skbs), in a frag list, in high memory or not
 * readable at all (net_iov, device memory: skb_frag_page() is NULL): the
 * general path walks those with skb_seq_read().
 */
static const u8 *nf_ct_tls_payload(const struct sk_buff *skb,
				   unsigned int off, unsigned int len)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int head = skb_headlen(skb), start, i;
	const skb_frag_t *frag;
	struct page *page;

	if (off + len <= head)
		return skb->data + off;
	if (off < head || skb_has_frag_list(skb))
		return NULL;
	start = head;
	for (i = 0; i < sh->nr_frags; i++) {
		frag = &sh->frags[i];
		if (off - start < skb_frag_size(frag)) {
			page = skb_frag_page(frag);
			if (len > skb_frag_size(frag) - (off - start) || !page ||
			    PageHighMem(page))
				return NULL;
			return (const u8 *)page_address(page) +
			       skb_frag_off(frag) + (off - start);
		}
		start += skb_frag_size(frag);
	}
	return NULL;
}

/* The counters of one segment, outside the lock. */
static void nf_ct_tls_account(struct nf_ct_tls_net *tn,
			      const struct tls_seg *seg, u32 plen,
			      enum tls_reason r, u32 records)
{
	if (seg->new_flow)
		nf_ct_tls_count(tn, NF_CT_TLS_FLOWS, 1);
	switch (seg->action) {
	case TLS_SEQ_NEW:
		if (r == TLS_OK)
			nf_ct_tls_count(tn, NF_CT_TLS_BYTES, plen - seg->skip);
		break;
	case TLS_SEQ_OLD:
		if (plen)
			nf_ct_tls_count(tn, NF_CT_TLS_RETRANS, 1);
		break;
	case TLS_SEQ_GAP_DROP:
		nf_ct_tls_count(tn, NF_CT_TLS_GAPS, 1);
		break;
	case TLS_SEQ_GAP_STOP:
		nf_ct_tls_count(tn, NF_CT_TLS_GAPS, 1);
		nf_ct_tls_count(tn, NF_CT_TLS_GAP_STOPS, 1);
		break;
	case TLS_SEQ_PICKUP:
		if (plen)
			nf_ct_tls_count(tn, NF_CT_TLS_PICKUPS, 1);
		break;
	case TLS_SEQ_DROPPED:
		if (seg->why > TLS_DROP_NONE && seg->why < TLS_DROP_MAX)
			nf_ct_tls_count(tn, NF_CT_TLS_DROP_WHY + seg->why - 1,
					1);
		break;
	default:
		break;
	}
	if (seg->syn_data_rejected)
		nf_ct_tls_count(tn, NF_CT_TLS_SYN_REJECTED, 1);
	if (records)
		nf_ct_tls_count(tn, NF_CT_TLS_RECORDS, records);
	if (r != TLS_OK) {
		nf_ct_tls_count(tn, NF_CT_TLS_VIOLATION + r - 1, 1);
		nf_ct_tls_count(tn, seg->drop ? NF_CT_TLS_DROPS :
				NF_CT_TLS_AUDITED, 1);
	}
}

/*
 * Under ct->lock, what conntrack knows of the segment's side: whether it
 * acknowledges less than the side already did (conntrack's highest ACK of
 * the side, which includes this one; conntrack lets such a segment
 * through, at worst as IGNORE, still handed to the helper, but the
 * receiver drops one that is too old), and the receiver's right edge
 * (td_maxend, once the receiver's window is known).  *to is that highest
 * ACK, *wscale the side's window scale.
 */
static void nf_ct_tls_ct_facts(const struct nf_conn *ct, unsigned int dir,
			       struct tls_tcp *t, u32 *to, u8 *wscale)
{
	const struct ip_ct_tcp_state *s = &ct->proto.tcp.seen[dir];

	*to = s->td_maxack;
	*wscale = s->td_scale;
	if ((t->flags & TLS_TCP_ACK) &&
	    (s->flags & IP_CT_TCP_FLAG_MAXACK_SET) &&
	    (s32)(t->ack - s->td_maxack) < 0)
		t->flags |= TLS_TCP_OLDACK;
	if (ct->proto.tcp.seen[!dir].td_maxwin) {
		t->redge = s->td_maxend;
		t->flags |= TLS_TCP_REDGE;
	}
}

/*
 * Raise the segment's ACK to @to (tls_seg.raise_ack) and shrink its
 * window by as much, so that the right edge it announces does not move;
 * the checksum follows as in nf_conntrack_seqadj.  The header was made
 * writable (skb_ensure_writable()) before the bytes were fed.
 */
static void nf_ct_tls_raise_ack(struct sk_buff *skb, unsigned int protoff,
				u32 to, u8 wscale)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + protoff);
	u32 delta = to - ntohl(th->ack_seq), units = 0;
	__be16 win;

	if (wscale <= TCP_MAX_WSCALE)
		units = (delta >> wscale) + !!(delta & ((1U << wscale) - 1));
	win = htons(ntohs(th->window) > units ? ntohs(th->window) - units : 0);
	inet_proto_csum_replace4(&th->check, skb, th->ack_seq, htonl(to), false);
	inet_proto_csum_replace2(&th->check, skb, th->window, win, false);
	th->ack_seq = htonl(to);
	th->window = win;
}

/*
 * An IPv6 GRO skb over 64 KiB (BIG TCP) carries a hop-by-hop header
 * with only the jumbo payload option, which the stack adds itself: not
 * an extension header of the wire.
 */
static bool nf_ct_tls_bigtcp_jumbo(const struct sk_buff *skb,
				   unsigned int protoff)
{
	unsigned int off = skb_network_offset(skb) + sizeof(struct ipv6hdr);
	u8 _hbh[8];
	const u8 *hbh;

	if (!skb_is_gso(skb) || protoff != off + sizeof(_hbh) ||
	    ipv6_hdr(skb)->nexthdr != NEXTHDR_HOP)
		return false;
	hbh = skb_header_pointer(skb, off, sizeof(_hbh), _hbh);
	/* next header TCP, length 0 (8 bytes), option 0xc2 of 4 bytes */
	return hbh && hbh[0] == IPPROTO_TCP && hbh[1] == 0 &&
	       hbh[2] == IPV6_TLV_JUMBO && hbh[3] == 4;
}

/*
 * The engine's view of the segment: sequence and acknowledgment numbers,
 * flags, and the header facts a receiver may act on that a plain in-order
 * reader would not (IP options, IPv6 extension headers, TCP signature
 * options), its timestamp, and the TTL it leaves with (helpers run after
 * routing).
 */
static void nf_ct_tls_tcp(const struct sk_buff *skb, unsigned int protoff,
			  const struct tcphdr *th, u32 plen, bool ipv4,
			  struct tls_tcp *t)
{
	unsigned int optlen = th->doff * 4 - sizeof(*th);
	u8 _opt[MAX_TCP_OPTION_SPACE];
	const u8 *opt;

	t->seq = ntohl(th->seq);
	t->ack = ntohl(th->ack_seq);
	t->len = plen;
	t->flags = (th->syn ? TLS_TCP_SYN : 0) | (th->ack ? TLS_TCP_ACK : 0) |
		   (th->urg ? TLS_TCP_URG : 0) | (th->fin ? TLS_TCP_FIN : 0) |
		   (th->rst ? TLS_TCP_RST : 0) |
		   (th->window ? 0 : TLS_TCP_ZEROWIN);
	if (ipv4) {
		t->ttl = ip_hdr(skb)->ttl;
		if (ip_hdr(skb)->ihl > 5)
			t->flags |= TLS_TCP_IPOPT;
	} else {
		t->ttl = ipv6_hdr(skb)->hop_limit;
		if (protoff != skb_network_offset(skb) + sizeof(struct ipv6hdr) &&
		    !nf_ct_tls_bigtcp_jumbo(skb, protoff))
			t->flags |= TLS_TCP_IPOPT;
	}
	if (!optlen)
		return;
	opt = skb_header_pointer(skb, protoff + sizeof(*th), optlen, _opt);
	if (!opt) {
		t->flags |= TLS_TCP_SIGOPT;	/* cannot be read: not taken */
		return;
	}
	t->flags |= tls_tcp_options(opt, optlen, &t->tsval);
}

/*
 * A killed flow keeps its conntrack entry, so that conntrack cannot pick
 * its next packets up as a new flow: each packet of it is dropped and sets
 * the entry's timeout to dead_timeout seconds, after which it expires.
 */
static void nf_ct_tls_dead(struct sk_buff *skb, unsigned int protoff,
			   struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			   const struct nf_ct_tls_conf *conf, u32 rcv_nxt)
{
	compat_nf_ct_refresh(ct, skb, (u32)conf->dead_timeout * HZ);
	if (conf->reset)
		nf_ct_tls_send_resets(skb, protoff, ct, ctinfo, rcv_nxt);
}

/*
 * An entry with no flow state to read (deleted, or the module going):
 * a killed flow's packets are dropped; of a deleted entry's, those that
 * carry stream bytes (an RST's payload is no stream byte), which could no
 * longer be inspected.
 */
static int nf_ct_tls_view_verdict(enum nf_ct_tls_view view, u32 plen,
				  const struct tcphdr *th)
{
	if (view == NF_CT_TLS_DROP ||
	    (view == NF_CT_TLS_DELETED && plen && !th->rst))
		return NF_DROP;
	return NF_ACCEPT;
}

static int nf_ct_tls_help(struct sk_buff *skb, unsigned int protoff,
			  struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct nf_ct_tls_net *tn = nf_ct_tls_pernet(nf_ct_net(ct));
	bool ipv4 = nf_ct_l3num(ct) == NFPROTO_IPV4;
	unsigned int dir = CTINFO2DIR(ctinfo);
	const struct tcphdr *th;
	struct tcphdr _th;
	struct nf_ct_tls_conf conf;
	struct tls_policy pol;
	struct tls_flow *flow, tmp;
	enum nf_ct_tls_view view;
	struct tls_tcp tcp;
	struct tls_seg seg;
	struct tls_fate fate;
	enum tls_reason r = TLS_OK;
	unsigned int dataoff;
	u32 plen, records = 0, max_ack, name_ent = 0;
	const u8 *payload;
	bool fast = false;
	struct nf_ct_tls_seen_name seen;
	u8 wscale;

	/* ICMP errors about the flow carry no stream bytes. */
	if (ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY)
		return NF_ACCEPT;

	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	dataoff = protoff + th->doff * 4;
	if (th->doff < 5 || dataoff > skb->len)
		return NF_ACCEPT;	/* conntrack already judged the header */
	plen = skb->len - dataoff;
	nf_ct_tls_tcp(skb, protoff, th, plen, ipv4, &tcp);
	/*
	 * Pure ACKs and RSTs of a live flow carry no stream byte and change
	 * no state (unless a newer timestamp): about half the packets of a
	 * bulk flow, so skip the lock for them.
	 */
	view = nf_ct_tls_peek(ct, &tmp, &flow);
	if (view >= NF_CT_TLS_PASS)
		return nf_ct_tls_view_verdict(view, plen, th);
	if (!plen && tls_seg_quiet(flow, dir, &tcp))
		return NF_ACCEPT;

	nf_ct_tls_conf_read(tn, &conf);
	pol.lowrun_limit = conf.lowrun_limit;
	pol.heartbeat = conf.heartbeat;
	pol.allow_sslv2 = conf.sslv2;
	pol.gap = conf.gap;
	pol.audit = conf.audit;
	pol.ttl_floor = conf.ttl_floor;
	pol.handshake = conf.handshake;
	pol.rules = (struct tls_rules){
		.min_version = conf.min_version ? 1u << conf.min_version : 0,
		.min_offer = conf.min_offer,
		.ech = conf.ech,
		.no_sni = conf.no_sni,
		.sni_ip = conf.sni_ip,
		.sni_multi = conf.sni_multi,
		.sni_odd = conf.sni_odd,
		.cipher_deny = conf.cipher_deny,
	};
	nf_ct_tls_names_get(&tn->names, &pol.rules);
	nf_ct_tls_suites_get(&tn->suites, &pol.rules);
	/* a call per name byte, only while a rule on names may log one */
	if (conf.log && (pol.rules.names || conf.sni_ip || conf.sni_odd ||
			 conf.sni_multi)) {
		seen = (struct nf_ct_tls_seen_name){};
		pol.rules.name_byte = nf_ct_tls_name_byte;
		pol.rules.name_ctx = &seen;
	}

	/*
	 * Both directions of a flow may be handled on two CPUs at once; the
	 * per-conntrack spinlock (the one TCP tracking uses) serialises them
	 * without any global lock.
	 */
	spin_lock_bh(&ct->lock);
	view = nf_ct_tls_get(ct, &tmp, &flow);
	if (view >= NF_CT_TLS_PASS) {
		spin_unlock_bh(&ct->lock);
		return nf_ct_tls_view_verdict(view, plen, th);
	}
	nf_ct_tls_ct_facts(ct, dir, &tcp, &max_ack, &wscale);
	/*
	 * An in-order segment of a flow in its steady state, its payload in
	 * one piece: the engine's fused path decides it in one call,
	 * exactly as the three below would (tls-replay takes it too), its
	 * hot case inline here.  It declines, changing nothing, anything
	 * else, an ACK to raise too.
	 */
	payload = plen ? nf_ct_tls_payload(skb, dataoff, plen) : NULL;
	if (payload &&
	    tls_seg_fast_inline(flow, dir, &tcp, payload, &pol, &fate)) {
		seg = fate.seg;
		r = fate.r;
		records = fate.res.records;
		fast = true;
	} else if (tls_seg_begin(flow, dir, &tcp, &pol, &seg) &&
		   seg.raise_ack &&
		   skb_ensure_writable(skb, protoff + sizeof(*th))) {
		/* no memory to raise the ACK: not fed, dropped */
		seg.action = TLS_SEQ_DROPPED;
		seg.why = TLS_DROP_OLD_ACK;
		seg.drop = true;
	} else if (seg.action == TLS_SEQ_NEW) {
		r = nf_ct_tls_feed_skb(skb, dataoff + seg.skip, flow, dir,
				       &pol, &records);
		tls_seg_end(flow, dir, plen, r, &pol, &seg);
	}
	if (seg.action == TLS_SEQ_NEW) {
		if (plen > __this_cpu_read(tn->stats->c[NF_CT_TLS_MAX_SKB]))
			__this_cpu_write(tn->stats->c[NF_CT_TLS_MAX_SKB], plen);
		if (r == TLS_R_SNI_DENY)
			name_ent = tls_hs_name_entry(flow);
	}
	if (view == NF_CT_TLS_OBJECT) {
		nf_ct_tls_sync(ct, flow);
	} else if (!nf_ct_tls_put(ct, &tmp)) {
		/* no memory for the flow's state: dropped, forgotten */
		seg = (struct tls_seg){ .action = TLS_SEQ_DROPPED,
					.why = TLS_DROP_NO_MEMORY,
					.drop = true };
		r = TLS_OK;
		records = 0;
		fast = false;
	}
	spin_unlock_bh(&ct->lock);

	if (seg.raise_ack && !seg.drop) {
		nf_ct_tls_raise_ack(skb, protoff, max_ack, wscale);
		nf_ct_tls_count(tn, NF_CT_TLS_ACK_RAISED, 1);
	}
	nf_ct_tls_account(tn, &seg, plen, r, records);
	if (fast)
		nf_ct_tls_count(tn, NF_CT_TLS_FAST_PATH, 1);
	if (r != TLS_OK && conf.log)
		nf_ct_tls_log(tn, ct, dir, r, seg.drop, name_ent,
			      pol.rules.name_ctx);
	if (seg.kill || seg.why == TLS_DROP_DEAD)
		nf_ct_tls_dead(skb, protoff, ct, ctinfo, &conf, seg.rcv_nxt);
	return seg.drop ? NF_DROP : NF_ACCEPT;
}

/* The helper expects no related connections. */
static const struct nf_conntrack_expect_policy nf_ct_tls_exp_policy = {
	.max_expected	= 0,
	.timeout	= 0,
};

static struct nf_conntrack_helper nf_ct_tls_helpers[2] __read_mostly;
/* The registered helpers: copies on kernels that make them (compat header). */
static struct nf_conntrack_helper *nf_ct_tls_helper_ptrs[2] __read_mostly;

static int __init nf_ct_tls_init(void)
{
	int ret;

	ret = nf_ct_tls_state_init(nf_ct_tls_helper_ptrs);
	if (ret)
		return ret;
	ret = nf_ct_tls_net_init();
	if (ret)
		goto err_net;

	/*
	 * Port 0: the helper is only ever attached explicitly by name (CT
	 * target, nft ct helper objects), never by port.
	 */
	nf_ct_helper_init(&nf_ct_tls_helpers[0], AF_INET, IPPROTO_TCP,
			  NF_CT_TLS_NAME, 0, 0, 0, &nf_ct_tls_exp_policy, 0,
			  nf_ct_tls_help, NULL, THIS_MODULE);
	nf_ct_helper_init(&nf_ct_tls_helpers[1], AF_INET6, IPPROTO_TCP,
			  NF_CT_TLS_NAME, 0, 0, 0, &nf_ct_tls_exp_policy, 0,
			  nf_ct_tls_help, NULL, THIS_MODULE);
	nf_ct_tls_helpers[0].destroy = nf_ct_tls_destroy;
	nf_ct_tls_helpers[1].destroy = nf_ct_tls_destroy;
	ret = compat_helpers_register(nf_ct_tls_helpers,
				      ARRAY_SIZE(nf_ct_tls_helpers),
				      nf_ct_tls_helper_ptrs);
	if (ret) {
		pr_err("cannot register helper \"%s\": %d\n", NF_CT_TLS_NAME, ret);
		goto err_register;
	}
	nf_ct_tls_state_start();
	ret = nf_ct_tls_attach_init(nf_ct_tls_helper_ptrs);
	if (ret)
		goto err_attach;
	pr_info("version %s loaded\n", NF_CT_TLS_VERSION);
	return 0;

err_attach:
	nf_ct_tls_state_detach_all();
	compat_helpers_unregister(nf_ct_tls_helpers,
				  ARRAY_SIZE(nf_ct_tls_helpers),
				  nf_ct_tls_helper_ptrs);
err_register:
	nf_ct_tls_net_exit();
err_net:
	nf_ct_tls_state_exit();
	return ret;
}

static void __exit nf_ct_tls_exit(void)
{
	/*
	 * Unregistering detaches the helper from every conntrack entry and
	 * waits for RCU readers, so no packet runs nf_ct_tls_help() when the
	 * per-namespace data goes away.  Automatic attachment stops first;
	 * the flows' objects are freed before (unregistering does not call
	 * destroy).
	 */
	nf_ct_tls_attach_exit();
	nf_ct_tls_state_detach_all();
	compat_helpers_unregister(nf_ct_tls_helpers,
				  ARRAY_SIZE(nf_ct_tls_helpers),
				  nf_ct_tls_helper_ptrs);
	nf_ct_tls_net_exit();
	nf_ct_tls_state_exit();
}

module_init(nf_ct_tls_init);
module_exit(nf_ct_tls_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The nf_conntrack_tls developers");
MODULE_DESCRIPTION("Conntrack helper that enforces TLS record-layer rules (Heartbleed, plaintext in encrypted records, SSLv2 direction)");
MODULE_VERSION(NF_CT_TLS_VERSION);
MODULE_ALIAS_NFCT_HELPER(NF_CT_TLS_NAME);
