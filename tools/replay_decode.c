// SPDX-License-Identifier: GPL-2.0
/*
 * tls-replay front end: from one captured frame (link layer header first)
 * to the TCP segment it carries.  Pure and bounded: every read is checked
 * against caplen, nothing is allocated, every loop has a fixed bound.
 *
 * Two lengths matter.  caplen is what the capture holds; wirelen is what
 * was on the wire.  The IP header says how long the packet really is, and
 * that (not the frame) gives the TCP payload length the kernel would see:
 * Ethernet padding of short frames is not payload.  A total length of 0
 * (IPv4) or a payload length of 0 (IPv6) comes from captures taken with
 * segmentation offload (or IPv6 jumbograms): the frame length is used
 * then.  When the snaplen cut the payload, caplen < len in struct tr_pkt.
 */
#include <string.h>

#include "replay.h"

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ETH_P_QINQ1	0x9100
#define ETH_P_QINQ2	0x9200
#define ETH_P_PPPOE	0x8864
#define ETH_P_MPLS	0x8847
#define ETH_P_MPLS_MC	0x8848

#define MAX_TAGS	8	/* VLAN tags / MPLS labels walked at most */
#define MAX_V6_EXT	16	/* IPv6 extension headers walked at most */

#define MAX_DEPTH	4	/* tunnels inside tunnels decoded at most */

#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define IPPROTO_IPIP_	4
#define IPPROTO_IPV6_	41
#define IPPROTO_GRE_	47

#define UDP_VXLAN	4789
#define UDP_GTPU	2152
#define ETH_P_TEB	0x6558	/* GRE: transparent Ethernet bridging */

static enum tr_decode_result ip_any(const u8 *data, u32 off, u32 caplen,
				    u32 wirelen, int want, int depth,
				    struct tr_pkt *p);
static enum tr_decode_result ether_type(const u8 *data, u32 off, u16 type,
					u32 caplen, u32 wirelen, int depth,
					struct tr_pkt *p);

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

bool tr_dlt_supported(int dlt)
{
	switch (dlt) {
	case TR_DLT_NULL:
	case TR_DLT_EN10MB:
	case TR_DLT_RAW:
	case TR_DLT_RAW_OBSD:
	case TR_DLT_LOOP:
	case TR_DLT_LINUX_SLL:
	case TR_DLT_IPV4:
	case TR_DLT_IPV6:
	case TR_DLT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

/*
 * The TCP header at data[off]: iplen is the length of the IP payload on the
 * wire (TCP header + data), cap the number of those bytes captured.
 */

/* The window scale option (kind 3, length 3) as conntrack reads it, or -1. */
static signed char tr_wscale(const u8 *opt, u32 len)
{
	u32 i = 0;

	while (i < len) {
		if (opt[i] == 0)
			break;
		if (opt[i] == 1) {
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
			break;
		if (opt[i] == 3 && opt[i + 1] == 3)
			return opt[i + 2] > 14 ? 14 : (signed char)opt[i + 2];
		i += opt[i + 1];
	}
	return -1;
}

static enum tr_decode_result tcp(const u8 *th, u32 iplen, u32 cap,
				 struct tr_pkt *p)
{
	u32 doff;

	if (cap < 20 || iplen < 20)
		return TR_PKT_SHORT;
	doff = (u32)(th[12] >> 4) * 4;
	if (doff < 20 || doff > iplen)
		return TR_PKT_SHORT;
	p->sport = get16(th);
	p->dport = get16(th + 2);
	p->seq = get32(th + 4);
	p->ack = get32(th + 8);
	p->flags = th[13] & (TR_FIN | TR_SYN | TR_RST | TR_ACK);
	p->tcp &= TLS_TCP_IPOPT;	/* set by the IP layer below */
	p->tcp |= (th[13] & TR_SYN ? TLS_TCP_SYN : 0) |
		  (th[13] & TR_ACK ? TLS_TCP_ACK : 0) |
		  (th[13] & TR_URG ? TLS_TCP_URG : 0) |
		  (th[13] & TR_FIN ? TLS_TCP_FIN : 0) |
		  (th[13] & TR_RST ? TLS_TCP_RST : 0);
	/* options cut by the snaplen cannot be judged: as the glue does */
	if (doff > 20 && cap < doff)
		p->tcp |= TLS_TCP_SIGOPT;
	else if (doff > 20)
		p->tcp |= tls_tcp_options(th + 20, doff - 20, &p->tsval);
	p->win = get16(th + 14);
	if (!p->win)
		p->tcp |= TLS_TCP_ZEROWIN;
	p->wscale = -1;
	if ((th[13] & TR_SYN) && doff > 20 && cap >= doff)
		p->wscale = tr_wscale(th + 20, doff - 20);
	p->len = iplen - doff;
	if (cap >= doff) {
		p->payload = th + doff;
		p->caplen = cap - doff;
		if (p->caplen > p->len)
			p->caplen = p->len;
	} else {
		/* options cut by the snaplen: no payload byte is present */
		p->payload = th;
		p->caplen = 0;
	}
	return TR_PKT_TCP;
}

/*
 * A payload carried in a tunnel: IP in IP, GRE, VXLAN, GTP-U.  The inner
 * flows are replayed as if the helper ran where the tunnel ends.  in points
 * to the tunnel's payload (cap bytes captured, wire on the wire).
 */
static enum tr_decode_result inner_ip(const u8 *in, u32 cap, u32 wire,
				      int want, int depth, struct tr_pkt *p)
{
	if (depth >= MAX_DEPTH)
		return TR_PKT_NOT_TCP;
	return ip_any(in, 0, cap, wire, want, depth + 1, p);
}

static enum tr_decode_result gre(const u8 *g, u32 cap, u32 wire, int depth,
				 struct tr_pkt *p)
{
	u32 hl = 4;
	u16 flags, type;

	if (cap < 4 || depth >= MAX_DEPTH)
		return TR_PKT_NOT_TCP;
	flags = get16(g);
	type = get16(g + 2);
	if (flags & 0x0007)		/* version 0 (not PPTP's 1) */
		return TR_PKT_NOT_TCP;
	if (flags & 0x8000)		/* checksum present */
		hl += 4;
	if (flags & 0x2000)		/* key */
		hl += 4;
	if (flags & 0x1000)		/* sequence number */
		hl += 4;
	if (cap < hl)
		return TR_PKT_SHORT;
	if (type == ETH_P_TEB) {
		if (cap < hl + 14)
			return TR_PKT_SHORT;
		return ether_type(g, hl + 14, get16(g + hl + 12), cap, wire,
				  depth + 1, p);
	}
	return ether_type(g, hl, type, cap, wire, depth + 1, p);
}

/* UDP: only as a tunnel (VXLAN, GTP-U); a TCP helper never sees UDP. */
static enum tr_decode_result udp(const u8 *u, u32 cap, u32 wire, int depth,
				 struct tr_pkt *p)
{
	u16 sport, dport;
	u32 hl;

	if (cap < 8 || depth >= MAX_DEPTH)
		return TR_PKT_NOT_TCP;
	sport = get16(u);
	dport = get16(u + 2);
	if (dport == UDP_VXLAN || sport == UDP_VXLAN) {
		/* 8-byte VXLAN header (I flag), then an Ethernet frame */
		if (cap < 8 + 8 + 14 || !(u[8] & 0x08))
			return TR_PKT_NOT_TCP;
		return ether_type(u, 8 + 8 + 14, get16(u + 8 + 8 + 12), cap,
				  wire, depth + 1, p);
	}
	if (dport == UDP_GTPU || sport == UDP_GTPU) {
		/* GTPv1-U G-PDU: 8 bytes, 4 more if E, S or PN, then ext. */
		if (cap < 8 + 8 || (u[8] >> 5) != 1 || !(u[8] & 0x10) ||
		    u[9] != 0xff)
			return TR_PKT_NOT_TCP;
		hl = 8 + 8;
		if (u[8] & 0x07) {
			hl += 4;
			if (cap < hl)
				return TR_PKT_SHORT;
			/* extension headers: length in 4-byte units, next type last */
			if (u[8] & 0x04) {
				u8 next = u[hl - 1];
				unsigned int i;

				for (i = 0; next && i < 8; i++) {
					if (cap < hl + 1 || !u[hl])
						return TR_PKT_SHORT;
					hl += (u32)u[hl] * 4;
					if (cap < hl)
						return TR_PKT_SHORT;
					next = u[hl - 1];
				}
				if (next)
					return TR_PKT_SHORT;
			}
		}
		if (cap <= hl)
			return TR_PKT_SHORT;
		return inner_ip(u + hl, cap - hl, wire - hl, 0, depth, p);
	}
	return TR_PKT_NOT_TCP;
}

/* The transport payload of an IP packet: TCP, or a tunnel. */
static enum tr_decode_result transport(u8 proto, const u8 *t, u32 cap,
				       u32 wire, int depth, struct tr_pkt *p)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return tcp(t, wire, cap, p);
	case IPPROTO_IPIP_:
		return inner_ip(t, cap, wire, 4, depth, p);
	case IPPROTO_IPV6_:
		return inner_ip(t, cap, wire, 6, depth, p);
	case IPPROTO_GRE_:
		return gre(t, cap, wire, depth, p);
	case IPPROTO_UDP_:
		return udp(t, cap, wire, depth, p);
	default:
		return TR_PKT_NOT_TCP;
	}
}

static enum tr_decode_result ipv4(const u8 *ip, u32 cap, u32 wire, int depth,
				  struct tr_pkt *p)
{
	u32 ihl, tot;

	if (cap < 20 || (ip[0] >> 4) != 4)
		return TR_PKT_SHORT;
	ihl = (u32)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || cap < ihl)
		return TR_PKT_SHORT;
	tot = get16(ip + 2);
	if (!tot)
		tot = wire;		/* TSO capture */
	/* the kernel drops a packet shorter than its total length */
	if (tot < ihl || tot > wire)
		return TR_PKT_SHORT;
	if (get16(ip + 6) & 0x3fff)	/* MF or fragment offset */
		return TR_PKT_FRAGMENT;
	if (cap > tot)
		cap = tot;
	if (ip[9] == IPPROTO_TCP_) {
		p->family = 4;
		memset(p->saddr, 0, sizeof(p->saddr));
		memset(p->daddr, 0, sizeof(p->daddr));
		memcpy(p->saddr, ip + 12, 4);
		memcpy(p->daddr, ip + 16, 4);
		p->ttl = ip[8];
		p->tcp = ihl > 20 ? TLS_TCP_IPOPT : 0;
	}
	return transport(ip[9], ip + ihl, cap - ihl, tot - ihl, depth, p);
}

static enum tr_decode_result ipv6(const u8 *ip, u32 cap, u32 wire, int depth,
				  struct tr_pkt *p)
{
	u32 plen, off = 40, hl, i;
	u8 nh;

	if (cap < 40 || (ip[0] >> 4) != 6)
		return TR_PKT_SHORT;
	plen = get16(ip + 4);
	if (!plen)
		plen = wire - 40;	/* jumbogram or TSO capture */
	if (plen > wire - 40)
		return TR_PKT_SHORT;
	if (cap > 40 + plen)
		cap = 40 + plen;
	nh = ip[6];
	for (i = 0; i < MAX_V6_EXT; i++) {
		switch (nh) {
		case 0:		/* hop-by-hop options */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 135:	/* mobility */
		case 139:	/* HIP */
		case 140:	/* shim6 */
			if (cap < off + 2)
				return TR_PKT_SHORT;
			hl = ((u32)ip[off + 1] + 1) * 8;
			break;
		case 51:	/* AH: length in 4-byte units, minus 2 */
			if (cap < off + 2)
				return TR_PKT_SHORT;
			hl = ((u32)ip[off + 1] + 2) * 4;
			break;
		case 44:	/* fragment */
			if (cap < off + 8)
				return TR_PKT_SHORT;
			/* an atomic fragment (offset 0, no M) is a whole packet */
			if (get16(ip + off + 2) & 0xfff9)
				return TR_PKT_FRAGMENT;
			hl = 8;
			break;
		default:	/* TCP, a tunnel, or ESP, UDP, ICMPv6, ... */
			if (nh == IPPROTO_TCP_) {
				p->family = 6;
				memcpy(p->saddr, ip + 8, 16);
				memcpy(p->daddr, ip + 24, 16);
				p->ttl = ip[7];
				p->tcp = off > 40 ? TLS_TCP_IPOPT : 0;
			}
			return transport(nh, ip + off, cap - off,
					 40 + plen - off, depth, p);
		}
		nh = ip[off];
		if (hl > 40 + plen - off)
			return TR_PKT_SHORT;
		off += hl;
		if (off > cap)
			return TR_PKT_SHORT;
	}
	return TR_PKT_SHORT;
}

/* IP packet at data[off], or a packet whose version nibble decides. */
static enum tr_decode_result ip_any(const u8 *data, u32 off, u32 caplen,
				    u32 wirelen, int want, int depth,
				    struct tr_pkt *p)
{
	u8 v;

	if (off >= caplen)
		return TR_PKT_SHORT;
	v = data[off] >> 4;
	if (want && v != want)
		return TR_PKT_SHORT;
	if (v == 4)
		return ipv4(data + off, caplen - off, wirelen - off, depth, p);
	if (v == 6)
		return ipv6(data + off, caplen - off, wirelen - off, depth, p);
	return TR_PKT_NOT_IP;
}

/* An EtherType at data[off - 2] followed by its payload at data[off]. */
static enum tr_decode_result ether_type(const u8 *data, u32 off, u16 type,
					u32 caplen, u32 wirelen, int depth,
					struct tr_pkt *p)
{
	unsigned int i;
	u16 ppp;

	for (i = 0; i < MAX_TAGS; i++) {
		switch (type) {
		case ETH_P_IP:
			return ip_any(data, off, caplen, wirelen, 4, depth, p);
		case ETH_P_IPV6:
			return ip_any(data, off, caplen, wirelen, 6, depth, p);
		case ETH_P_8021Q:
		case ETH_P_8021AD:
		case ETH_P_QINQ1:
		case ETH_P_QINQ2:
			if (caplen < off + 4)
				return TR_PKT_SHORT;
			type = get16(data + off + 2);
			off += 4;
			continue;
		case ETH_P_PPPOE:
			/* 6-byte PPPoE session header, then the PPP protocol */
			if (caplen < off + 8)
				return TR_PKT_SHORT;
			ppp = get16(data + off + 6);
			off += 8;
			if (ppp == 0x0021)
				return ip_any(data, off, caplen, wirelen, 4,
					      depth, p);
			if (ppp == 0x0057)
				return ip_any(data, off, caplen, wirelen, 6,
					      depth, p);
			return TR_PKT_NOT_IP;
		case ETH_P_MPLS:
		case ETH_P_MPLS_MC:
			/* labels up to the bottom of stack, then IP by version */
			for (; i < MAX_TAGS; i++) {
				if (caplen < off + 4)
					return TR_PKT_SHORT;
				off += 4;
				if (data[off - 2] & 0x01)
					return ip_any(data, off, caplen,
						      wirelen, 0, depth, p);
			}
			return TR_PKT_SHORT;
		default:
			return TR_PKT_NOT_IP;
		}
	}
	return TR_PKT_SHORT;
}

/* BSD loopback: an address family, 2 for IPv4, several values for IPv6. */
static enum tr_decode_result loopback(const u8 *data, u32 caplen, u32 wirelen,
				      bool net_order, struct tr_pkt *p)
{
	u32 af;

	if (caplen < 4)
		return TR_PKT_SHORT;
	if (net_order) {
		af = get32(data);
	} else {
		/* the capturing host's byte order: take whichever half is set */
		af = (u32)data[0] | (u32)data[1] << 8 | (u32)data[2] << 16 |
		     (u32)data[3] << 24;
		if (af > 0xffff)
			af = get32(data);
	}
	switch (af) {
	case 2:
		return ip_any(data, 4, caplen, wirelen, 4, 0, p);
	case 10: case 24: case 28: case 30:
		return ip_any(data, 4, caplen, wirelen, 6, 0, p);
	default:
		return TR_PKT_NOT_IP;
	}
}

enum tr_decode_result tr_decode(int dlt, const u8 *data, u32 caplen,
				u32 wirelen, struct tr_pkt *p)
{
	memset(p, 0, sizeof(*p));
	if (wirelen < caplen)
		wirelen = caplen;	/* broken record header: trust the data */
	switch (dlt) {
	case TR_DLT_EN10MB:
		if (caplen < 14)
			return TR_PKT_SHORT;
		return ether_type(data, 14, get16(data + 12), caplen, wirelen,
				  0, p);
	case TR_DLT_LINUX_SLL:
		if (caplen < 16)
			return TR_PKT_SHORT;
		return ether_type(data, 16, get16(data + 14), caplen, wirelen,
				  0, p);
	case TR_DLT_LINUX_SLL2:
		if (caplen < 20)
			return TR_PKT_SHORT;
		return ether_type(data, 20, get16(data), caplen, wirelen, 0, p);
	case TR_DLT_RAW:
	case TR_DLT_RAW_OBSD:
		return ip_any(data, 0, caplen, wirelen, 0, 0, p);
	case TR_DLT_IPV4:
		return ip_any(data, 0, caplen, wirelen, 4, 0, p);
	case TR_DLT_IPV6:
		return ip_any(data, 0, caplen, wirelen, 6, 0, p);
	case TR_DLT_NULL:
		return loopback(data, caplen, wirelen, false, p);
	case TR_DLT_LOOP:
		return loopback(data, caplen, wirelen, true, p);
	default:
		return TR_PKT_NOT_IP;
	}
}
