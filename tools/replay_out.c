// SPDX-License-Identifier: GPL-2.0
/*
 * tls-replay output: one line per flow, as key=value text or as a JSON
 * object (JSON lines), then one summary line (text: starts with '#').
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <sys/socket.h>

#include "replay.h"
#include "../tls_handshake.h"

const char *tr_state_name(enum tr_state s)
{
	switch (s) {
	case TR_ST_INSPECTED:
		return "inspected";
	case TR_ST_PICKUP:
		return "pickup";
	case TR_ST_GAP_STOP:
		return "gap-stop";
	case TR_ST_GAP_STALLED:
		return "gap-stalled";
	case TR_ST_SNAPLEN:
		return "snaplen";
	case TR_ST_KILLED:
		return "killed";
	}
	return "?";
}

static const char *dir_name(unsigned int dir)
{
	return dir == TLS_DIR_CLIENT ? "client" : "server";
}

/* "1.2.3.4:443" or "[2001:db8::1]:443" */
static void endpoint(char *buf, size_t size, u8 family, const u8 *addr,
		     u16 port)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (family == 4)
		snprintf(buf, size, "%s:%u", a, port);
	else
		snprintf(buf, size, "[%s]:%u", a, port);
}

static void hex(FILE *out, const u8 *p, unsigned int n, const char *sep)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fprintf(out, "%s%02x", i ? sep : "", p[i]);
}

/* A JSON string; the input is a file name or a libpcap message. */
static void jstr(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/*
 * The handshake layer's facts of the hellos (tls_hs_get_facts()), once
 * the ClientHello is complete: text " hs=..." or JSON ",\"hs\":{...}".
 */
static void print_hs(FILE *out, const struct tls_flow *tf, bool json)
{
	static const char *const vname[] = {
		"SSLv3", "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3",
	};
	static const char *const fname[] = {
		"sni", "sni_ip", "alpn", "ech", "scsv", "sni_multi", "sni_odd",
	};
	struct tls_hs_facts hf;
	const char *sep = "";
	unsigned int i;

	if (!tls_hs_get_facts(tf, &hf) || !hf.client_hello) {
		if (json)
			fputs(",\"hs\":null", out);
		return;
	}
	fputs(json ? ",\"hs\":{\"offered\":[" : " hs_offered=", out);
	for (i = 0; i < 5; i++)
		if (hf.offered & (1u << i)) {
			fprintf(out, json ? "%s\"%s\"" : "%s%s", sep, vname[i]);
			sep = ",";
		}
	if (!*sep && !json)
		fputs("-", out);
	for (i = 0; i < 5 && !(hf.selected & (1u << i)); i++)
		;
	if (json)
		fprintf(out, "],\"selected\":%s%s%s,\"cipher\":%u,\"facts\":[",
			i < 5 ? "\"" : "", i < 5 ? vname[i] : "null",
			i < 5 ? "\"" : "", hf.server_hello ? hf.cipher : 0);
	else
		fprintf(out, " hs_selected=%s hs_cipher=0x%04x hs_facts=",
			i < 5 ? vname[i] : "-", hf.server_hello ? hf.cipher : 0);
	sep = "";
	for (i = 0; i < sizeof(fname) / sizeof(fname[0]); i++)
		if (hf.facts & (1u << i)) {
			fprintf(out, json ? "%s\"%s\"" : "%s%s", sep, fname[i]);
			sep = ",";
		}
	if (json)
		fputs("]}", out);
	else if (!*sep)
		fputs("-", out);
}

/*
 * The first host_name: bytes outside printable ASCII (and the quote and
 * backslash) as \xHH in text, \u00HH in JSON; nothing without a name.
 */
static void print_sni(FILE *out, const struct tr_flow *f, bool json)
{
	unsigned int i;
	u8 c;

	if (!f->sni_seen)
		return;
	fputs(json ? ",\"sni\":\"" : " sni=", out);
	for (i = 0; i < f->sni_len; i++) {
		c = (u8)f->sni[i];
		if (c > 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, out);
		else
			fprintf(out, json ? "\\u%04x" : "\\x%02x", c);
	}
	if (json)
		fputc('"', out);
}

static void print_json(FILE *out, const struct tr_flow *f,
		       const struct tr_opts *o, const char *c, const char *s)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned int d;

	fprintf(out, "{\"type\":\"flow\",\"client\":\"%s\",\"server\":\"%s\"",
		c, s);
	for (d = 0; d < 2; d++) {
		if (!inet_ntop(f->family == 4 ? AF_INET : AF_INET6,
			       f->addr[d], ip, sizeof(ip)))
			snprintf(ip, sizeof(ip), "?");
		fprintf(out, ",\"%s_ip\":\"%s\",\"%s_port\":%u",
			dir_name(d), ip, dir_name(d), f->port[d]);
	}
	fprintf(out, ",\"version\":\"%s\",\"bytes\":%" PRIu64
		",\"bytes_client\":%" PRIu64 ",\"bytes_server\":%" PRIu64
		",\"records\":%" PRIu64 ",\"verdict\":\"%s\"",
		tls_flow_version_name(&f->tls), f->bytes[0] + f->bytes[1],
		f->bytes[0], f->bytes[1], f->records,
		tls_reason_name(f->verdict));
	if (f->verdict != TLS_OK)
		fprintf(out, ",\"dir\":\"%s\",\"frame\":%" PRIu64
			",\"offset\":%" PRIu64, dir_name(f->vdir), f->vframe,
			f->voffset);
	else
		fprintf(out, ",\"dir\":null,\"frame\":null,\"offset\":null");
	print_hs(out, &f->tls, true);
	print_sni(out, f, true);
	fprintf(out, ",\"state\":\"%s\"", tr_state_name(f->state));
	if (f->state_frame)
		fprintf(out, ",\"state_frame\":%" PRIu64, f->state_frame);
	else
		fprintf(out, ",\"state_frame\":null");
	fprintf(out, ",\"syn\":%s,\"first_frame\":%" PRIu64
		",\"last_frame\":%" PRIu64 ",\"packets\":%" PRIu64
		",\"retrans\":%" PRIu64 ",\"gap_drops\":%" PRIu64
		",\"pickup_drops\":%" PRIu64 ",\"unjudged\":%" PRIu64
		",\"after_kill\":%" PRIu64 ",\"invalid_data\":%" PRIu64
		",\"syn_data_rejected\":%" PRIu64 ",\"ack_raised\":%" PRIu64,
		f->syn_seen ? "true" : "false", f->first_frame, f->last_frame,
		f->packets, f->retrans, f->gap_drops, f->pickup_drops,
		f->unjudged, f->after_kill, f->invalid_data,
		f->syn_data_rejected, f->ack_raised);
	for (d = 1; d < TLS_DROP_MAX; d++)
		fprintf(out, ",\"drop_%s\":%" PRIu64, tls_drop_name(d),
			f->why[d]);
	fprintf(out, ",\"unjudged_bytes\":%" PRIu64 ",\"lost_bytes\":%" PRIu64
		",\"unjudged_reason\":", f->unjudged_bytes, f->lost_bytes);
	if (tr_unjudged_reason(f))
		fprintf(out, "\"%s\"", tr_unjudged_reason(f));
	else
		fputs("null", out);
	fprintf(out, ",\"reordered\":%" PRIu64 ",\"reorder_flushed\":%" PRIu64
		",\"reorder_overflows\":%" PRIu64, f->reordered,
		f->reorder_flushed, f->reorder_overflows);
	if (o->verbose)
		for (d = 0; d < 2; d++) {
			fprintf(out, ",\"%s_head\":\"", dir_name(d));
			hex(out, f->head[d], f->headlen[d], "");
			fputc('"', out);
		}
	fputs("}\n", out);
}

void tr_print_flow(FILE *out, const struct tr_flow *f, const struct tr_opts *o)
{
	char c[INET6_ADDRSTRLEN + 10], s[INET6_ADDRSTRLEN + 10];
	unsigned int d;

	endpoint(c, sizeof(c), f->family, f->addr[0], f->port[0]);
	endpoint(s, sizeof(s), f->family, f->addr[1], f->port[1]);
	if (o->json) {
		print_json(out, f, o, c, s);
		return;
	}
	fprintf(out, "%s -> %s version=%s bytes=%" PRIu64 " records=%" PRIu64
		" verdict=%s", c, s, tls_flow_version_name(&f->tls),
		f->bytes[0] + f->bytes[1], f->records,
		tls_reason_name(f->verdict));
	if (f->verdict != TLS_OK)
		fprintf(out, " dir=%s frame=%" PRIu64 " offset=%" PRIu64,
			dir_name(f->vdir), f->vframe, f->voffset);
	print_hs(out, &f->tls, false);
	print_sni(out, f, false);
	fprintf(out, " state=%s", tr_state_name(f->state));
	if (f->state_frame && f->state != TR_ST_KILLED)
		fprintf(out, " state_frame=%" PRIu64, f->state_frame);
	if (!f->syn_seen)
		fputs(" nosyn", out);
	fprintf(out, " packets=%" PRIu64, f->packets);
	if (f->retrans)
		fprintf(out, " retrans=%" PRIu64, f->retrans);
	if (f->gap_drops)
		fprintf(out, " gap_drops=%" PRIu64 " gap_first=%" PRIu64,
			f->gap_drops, f->gap_first);
	if (f->pickup_drops)
		fprintf(out, " pickup_drops=%" PRIu64, f->pickup_drops);
	if (f->unjudged)
		fprintf(out, " unjudged=%" PRIu64, f->unjudged);
	if (f->after_kill)
		fprintf(out, " after_kill=%" PRIu64, f->after_kill);
	if (f->invalid_data)
		fprintf(out, " invalid_data=%" PRIu64, f->invalid_data);
	for (d = 1; d < TLS_DROP_MAX; d++)
		if (f->why[d])
			fprintf(out, " drop_%s=%" PRIu64, tls_drop_name(d),
				f->why[d]);
	if (f->syn_data_rejected)
		fprintf(out, " syn_data_rejected=%" PRIu64,
			f->syn_data_rejected);
	if (f->ack_raised)
		fprintf(out, " ack_raised=%" PRIu64, f->ack_raised);
	if (f->unjudged_bytes)
		fprintf(out, " unjudged_bytes=%" PRIu64 " lost_bytes=%" PRIu64
			" unjudged_reason=%s", f->unjudged_bytes, f->lost_bytes,
			tr_unjudged_reason(f));
	if (f->reordered)
		fprintf(out, " reordered=%" PRIu64, f->reordered);
	if (f->reorder_flushed)
		fprintf(out, " reorder_flushed=%" PRIu64, f->reorder_flushed);
	if (f->reorder_overflows)
		fprintf(out, " reorder_overflows=%" PRIu64,
			f->reorder_overflows);
	fputc('\n', out);
	if (o->verbose)
		for (d = 0; d < 2; d++) {
			fprintf(out, "  %s head (%u bytes): ", dir_name(d),
				f->headlen[d]);
			hex(out, f->head[d], f->headlen[d], " ");
			fputc('\n', out);
		}
}

void tr_print_summary(FILE *out, const struct tr_table *t,
		      const struct tr_stats *st, const struct tr_opts *o,
		      const char *file, const char *truncated)
{
	u64 n[TR_ST_KILLED + 1] = { 0 };
	u64 unj = 0, lost = 0, ro = 0, rf = 0, rv = 0;
	u32 i;

	for (i = 0; i < t->nflows; i++) {
		n[t->flows[i].state]++;
		unj += t->flows[i].unjudged_bytes;
		lost += t->flows[i].lost_bytes;
		ro += t->flows[i].reordered;
		rf += t->flows[i].reorder_flushed;
		rv += t->flows[i].reorder_overflows;
	}
	if (o->json) {
		fputs("{\"type\":\"summary\",\"file\":", out);
		jstr(out, file);
	} else {
		fprintf(out, "# file=%s", file);
	}
#define FIELD(name, v)							\
	fprintf(out, o->json ? ",\"%s\":%" PRIu64 : " %s=%" PRIu64,	\
		name, (u64)(v))
	FIELD("frames", st->frames);
	FIELD("tcp", st->decode[TR_PKT_TCP]);
	FIELD("flows", t->nflows);
	FIELD("violations", n[TR_ST_KILLED]);
	FIELD("pickups", n[TR_ST_PICKUP]);
	FIELD("gap_stops", n[TR_ST_GAP_STOP]);
	FIELD("gap_stalled", n[TR_ST_GAP_STALLED]);
	FIELD("snaplen_stops", n[TR_ST_SNAPLEN]);
	FIELD("snaplen_segments", st->snap_truncated);
	FIELD("not_ip", st->decode[TR_PKT_NOT_IP]);
	FIELD("not_tcp", st->decode[TR_PKT_NOT_TCP]);
	FIELD("fragments", st->decode[TR_PKT_FRAGMENT]);
	FIELD("malformed", st->decode[TR_PKT_SHORT]);
	FIELD("filtered", st->filtered);
	FIELD("no_conntrack", st->no_entry);
	FIELD("table_full_segments", st->flows_dropped);
	FIELD("table_full_flows", st->flows_refused);
	FIELD("unjudged_bytes", unj);
	FIELD("lost_bytes", lost);
	FIELD("reorder_bytes", o->reorder_bytes);
	FIELD("reordered", ro);
	FIELD("reorder_flushed", rf);
	FIELD("reorder_overflows", rv);
	FIELD("reorder_peak_mem", t->held_peak);
#undef FIELD
	if (o->json) {
		fputs(",\"truncated\":", out);
		if (truncated)
			jstr(out, truncated);
		else
			fputs("null", out);
		fputs("}\n", out);
	} else {
		if (truncated)
			fprintf(out, " truncated=yes");
		fputc('\n', out);
	}
}
