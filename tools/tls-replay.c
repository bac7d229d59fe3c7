// SPDX-License-Identifier: GPL-2.0
/*
 * tls-replay: run a packet capture through the nf_conntrack_tls engine,
 * offline, and say per TCP flow what the kernel helper would have done.
 *
 *   tls-replay [options] FILE        (pcap or pcapng; "-" reads stdin)
 *
 * Exit status: 0 no violation, 1 at least one flow violated the rules,
 * 2 bad arguments or a capture that cannot be read.  A capture that ends
 * in the middle of a packet (or is corrupt further on) is reported up to
 * that point with a message; the status is then 1 if a violation was found
 * in what was read, else 2.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "replay.h"
#include "../tls_ciphers.h"
#include "../tls_names.h"

#define TR_MAX_FLOWS_DEFAULT	65536
#define TR_MAX_FLOWS_MAX	(1u << 20)
#define TR_REORDER_BYTES_MAX	(1ull << 30)	/* 1 GiB: far below 2^31 */
#define TR_REORDER_TOTAL_MAX	(64ull << 30)

static const char *prog = "tls-replay";

static void usage(FILE *out)
{
	fprintf(out,
"usage: %s [options] FILE\n"
"Replay a pcap/pcapng capture (FILE, or - for stdin) through the\n"
"nf_conntrack_tls engine and print, per TCP flow, what the kernel helper\n"
"would do: client, server, TLS version, bytes inspected, records, verdict\n"
"(ok, or the reason, the direction and the frame where the kernel drops the\n"
"packet and kills the flow) and the inspection state (inspected, pickup,\n"
"gap-stop, gap-stalled, snaplen, killed).\n"
"\n"
"Policy (the module's knobs):\n"
"  --lowrun-limit N    run of bytes < 0x80 in encrypted records that is a\n"
"                      violation, 0 to 65535 (0 = off; default 128)\n"
"  --heartbeat P       validate | drop | allow (default validate)\n"
"  --gap P             drop | stop: a segment beyond a hole or of a flow\n"
"                      joined mid-stream is dropped / stops inspection\n"
"                      (default drop)\n"
"  --sslv2, --no-sslv2 allow real SSLv2 sessions or not (default no)\n"
"  --ttl-floor N       drop stream bytes captured with a lower TTL / hop\n"
"                      limit, 0 to 255 (0 = off; default 8)\n"
"  --handshake 0|1     1 = validate the handshake messages (default),\n"
"                      0 = record layer only\n"
"Handshake rules (the module's knobs of the same names; need --handshake 1):\n"
"  --min-version V     lowest version a ServerHello may select: 1.0, 1.1,\n"
"                      1.2, 1.3 (default: none)\n"
"  --min-offer         also judge the ClientHello's offer against it\n"
"  --ech P             allow | deny | require encrypted_client_hello\n"
"                      (default allow)\n"
"  --no-sni P, --sni-ip P, --sni-multi P, --sni-odd P\n"
"                      allow | deny hellos without a server name / with an\n"
"                      IP literal as name / with more than one name / with\n"
"                      a name byte outside [A-Za-z0-9.-_] (default allow)\n"
"  --cipher-deny LIST  classes a ServerHello may not select, comma-separated:\n"
"                      null, export, anon, rc4, des, all\n"
"  --cipher-list S,S   suite numbers a ServerHello may not select\n"
"                      (decimal or 0x hex, e.g. 0x000a,0xc02f)\n"
"  --sni-deny FILE, --sni-allow FILE\n"
"                      server-name lists in the format of the module's\n"
"                      /proc/net/nf_conntrack_tls_sni_{deny,allow}: lines\n"
"                      +name (exact), +.name or +*.name (below name)\n"
"Reorder window (offline only; the kernel has none):\n"
"  --reorder-bytes N   per flow direction, hold up to N stream bytes (and\n"
"                      %u segments) that start beyond a hole until it is\n"
"                      filled, then judge them in sequence order; 0 to\n"
"                      %llu (0 = off; default %llu)\n"
"  --reorder-total N   bytes of memory held by all windows, 1 to %llu\n"
"                      (default %llu); past it a window gives up\n"
"  --no-reorder        no window: segments in capture order, exactly the\n"
"                      kernel's path (for comparisons with the kernel)\n"
"Selection and output:\n"
"  --port N            only flows whose server port is N, 1 to 65535\n"
"                      (repeatable; flows joined mid-stream: either port)\n"
"  --max-flows N       flow table size, 1 to %u (default %u)\n"
"  --json              one JSON object per line per flow, then a summary\n"
"  -v, --verbose       also show the first bytes of each direction\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 no violation, 1 violation found, 2 bad input.\n",
		prog, TR_REORDER_SEGS, TR_REORDER_BYTES_MAX,
		TR_REORDER_BYTES_DEFAULT, TR_REORDER_TOTAL_MAX,
		TR_REORDER_TOTAL_DEFAULT, TR_MAX_FLOWS_MAX,
		TR_MAX_FLOWS_DEFAULT);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
bad_arg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(try %s --help)\n", prog);
	exit(2);
}

/* A decimal integer from lo to hi, or exit 2 naming the flag. */
static unsigned long num(const char *flag, const char *s, unsigned long lo,
			 unsigned long hi)
{
	unsigned long v;
	char *end;

	errno = 0;
	/* digits only: strtoul() would take leading spaces and signs */
	if (!s || *s < '0' || *s > '9')
		goto bad;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		goto bad;
	return v;
bad:
	bad_arg("%s: '%s' is not an integer from %lu to %lu", flag,
		s ? s : "", lo, hi);
}

static int word(const char *flag, const char *s, const char *const *words,
		unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, words[i]))
			return (int)i;
	/* the module's numbers work too */
	if (s[0] >= '0' && s[0] < (char)('0' + n) && !s[1])
		return s[0] - '0';
	if (n == 3)
		bad_arg("%s: '%s' is not one of %s, %s, %s", flag, s,
			words[0], words[1], words[2]);
	bad_arg("%s: '%s' is not one of %s, %s", flag, s, words[0], words[1]);
}

enum {
	O_LOWRUN = 256, O_HB, O_GAP, O_SSLV2, O_NOSSLV2, O_PORT, O_JSON,
	O_MAXFLOWS, O_TTLFLOOR, O_REORDER_BYTES, O_REORDER_TOTAL, O_NOREORDER,
	O_HANDSHAKE, O_MINVER, O_MINOFFER, O_ECH, O_NOSNI, O_SNIIP, O_CIPHERDENY,
	O_SNIMULTI, O_SNIODD, O_SNIDENY, O_SNIALLOW, O_CIPHERLIST,
};

static const struct option longopts[] = {
	{ "lowrun-limit", required_argument, NULL, O_LOWRUN },
	{ "heartbeat", required_argument, NULL, O_HB },
	{ "gap", required_argument, NULL, O_GAP },
	{ "sslv2", no_argument, NULL, O_SSLV2 },
	{ "no-sslv2", no_argument, NULL, O_NOSSLV2 },
	{ "ttl-floor", required_argument, NULL, O_TTLFLOOR },
	{ "handshake", required_argument, NULL, O_HANDSHAKE },
	{ "min-version", required_argument, NULL, O_MINVER },
	{ "min-offer", no_argument, NULL, O_MINOFFER },
	{ "ech", required_argument, NULL, O_ECH },
	{ "no-sni", required_argument, NULL, O_NOSNI },
	{ "sni-ip", required_argument, NULL, O_SNIIP },
	{ "sni-multi", required_argument, NULL, O_SNIMULTI },
	{ "sni-odd", required_argument, NULL, O_SNIODD },
	{ "sni-deny", required_argument, NULL, O_SNIDENY },
	{ "sni-allow", required_argument, NULL, O_SNIALLOW },
	{ "cipher-list", required_argument, NULL, O_CIPHERLIST },
	{ "cipher-deny", required_argument, NULL, O_CIPHERDENY },
	{ "port", required_argument, NULL, O_PORT },
	{ "max-flows", required_argument, NULL, O_MAXFLOWS },
	{ "reorder-bytes", required_argument, NULL, O_REORDER_BYTES },
	{ "reorder-total", required_argument, NULL, O_REORDER_TOTAL },
	{ "no-reorder", no_argument, NULL, O_NOREORDER },
	{ "json", no_argument, NULL, O_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * --min-version: 1.0 to 1.3, or the module's number (the minor byte of
 * the wire version, 1 to 4), as a TLS_V_* bit
 */
static u8 min_version(const char *s)
{
	static const char *const v[] = { "1.0", "1.1", "1.2", "1.3" };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, v[i]) || (s[0] == (char)('1' + i) && !s[1]))
			return 1u << (i + 1);
	bad_arg("--min-version: '%s' is not one of 1.0, 1.1, 1.2, 1.3", s);
}

/* --cipher-deny: a comma-separated list of class names, as TLS_CC_* bits */
static u8 cipher_classes(const char *s)
{
	static const char *const names[] = { "null", "export", "anon", "rc4",
					     "des" };
	const char *p = s;
	u8 m = 0;

	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned int i;

		if (n == 3 && !strncmp(p, "all", 3)) {
			m |= TLS_CC_ALL;
		} else {
			for (i = 0; i < 5; i++)
				if (strlen(names[i]) == n &&
				    !strncmp(p, names[i], n))
					break;
			if (i == 5)
				bad_arg("--cipher-deny: '%.*s' in '%s' is not one of null, export, anon, rc4, des, all",
					(int)n, p, s);
			m |= 1u << i;
		}
		if (!p[n])
			return m;
		p += n + 1;
	}
}

static void *mem_alloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void mem_free(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

static const struct tls_names_alloc mem = { mem_alloc, mem_free, NULL };

/*
 * --sni-deny / --sni-allow FILE: the lines of the module's list files
 * (+name, -name, /), so one file serves both; compiled into the policy.
 */
static void load_lists(struct tr_opts *o, const char *const files[2])
{
	static const char *const opt[2] = { "--sni-deny", "--sni-allow" };
	struct tls_name_list *list[2] = { NULL, NULL };
	struct tls_name_entry *e;
	struct tls_names *set;
	u32 n = 0, k, i, line;
	char *buf;
	long len;
	FILE *fp;
	int r;

	for (k = 0; k < 2; k++) {
		if (!files[k])
			continue;
		fp = fopen(files[k], "rb");
		if (!fp || fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 ||
		    fseek(fp, 0, SEEK_SET))
			bad_arg("%s: cannot read '%s': %s", opt[k], files[k],
				strerror(errno));
		buf = malloc(len + 1);
		if (!buf || fread(buf, 1, len, fp) != (size_t)len)
			bad_arg("%s: cannot read '%s'", opt[k], files[k]);
		fclose(fp);
		r = tls_names_parse(NULL, buf, len, 0, 0, &mem, &list[k], &line);
		free(buf);
		if (r)
			bad_arg("%s: %s: line %u: %s", opt[k], files[k], line,
				r == TLS_NAMES_ENOENT ? "no such entry to remove" :
				r == TLS_NAMES_ENOMEM ? "out of memory" :
				"not +name, -name or / (names: [A-Za-z0-9.-_], labels of 1-63 bytes, 253 at most)");
		n += list[k]->n;
	}
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		bad_arg("out of memory");
	for (k = 0, i = 0; k < 2; k++) {
		if (!list[k])
			continue;
		tls_name_list_entries(list[k], k, e + i);
		i += list[k]->n;
	}
	if (tls_names_build(e, n, 0, &mem, &set))
		bad_arg("%s: cannot build the name set", opt[!!files[1]]);
	free(e);
	/* the lists stay: the set's entries point at their names */
	o->pol.rules.names = set;
}

/* --cipher-list S,S...: the suites a ServerHello may not select */
static void cipher_list(struct tr_opts *o, const char *arg)
{
	static u16 l[TLS_CIPHER_LIST_MAX];
	static u32 n;
	const char *p = arg;
	char line[16];
	size_t k;
	u32 at;
	int len;

	/* each S is the list line "+S" */
	do {
		k = strcspn(p, ",");
		len = snprintf(line, sizeof(line), "+%.*s", (int)k, p);
		if (!k || k >= sizeof(line) - 1 ||
		    tls_cipher_list_apply(l, &n, line, len, &at))
			bad_arg("--cipher-list: '%s': suite numbers 0-65535 (decimal or 0x hex), comma-separated", arg);
		p += k;
	} while (*p++ == ',');
	o->pol.rules.cipher_list = l;
	o->pol.rules.cipher_n = n;
}

static void parse_args(int argc, char **argv, struct tr_opts *o,
		       const char **file)
{
	const char *lists[2] = { NULL, NULL };
	static const char *const hb[] = { "validate", "drop", "allow" };
	static const char *const gap[] = { "drop", "stop" };
	static const char *const ech[] = { "allow", "deny", "require" };
	static const char *const allow[] = { "allow", "deny" };
	int c;

	memset(o, 0, sizeof(*o));
	o->pol.lowrun_limit = TLS_LOWRUN_DEFAULT;
	o->pol.heartbeat = TLS_HB_VALIDATE;
	o->pol.allow_sslv2 = 0;
	o->pol.gap = TLS_GAP_DROP;
	o->pol.ttl_floor = TLS_TTL_FLOOR_DEFAULT;
	o->pol.handshake = TLS_HANDSHAKE_DEFAULT;
	o->max_flows = TR_MAX_FLOWS_DEFAULT;
	o->reorder_bytes = TR_REORDER_BYTES_DEFAULT;
	o->reorder_total = TR_REORDER_TOTAL_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		switch (c) {
		case O_LOWRUN:
			o->pol.lowrun_limit = num("--lowrun-limit", optarg, 0,
						  TLS_LOWRUN_MAX);
			break;
		case O_HB:
			o->pol.heartbeat = word("--heartbeat", optarg, hb, 3);
			break;
		case O_GAP:
			o->pol.gap = word("--gap", optarg, gap, 2);
			break;
		case O_SSLV2:
			o->pol.allow_sslv2 = 1;
			break;
		case O_NOSSLV2:
			o->pol.allow_sslv2 = 0;
			break;
		case O_TTLFLOOR:
			o->pol.ttl_floor = num("--ttl-floor", optarg, 0, 255);
			break;
		case O_HANDSHAKE:
			o->pol.handshake = num("--handshake", optarg, 0, 1);
			break;
		case O_MINVER:
			o->pol.rules.min_version = min_version(optarg);
			break;
		case O_MINOFFER:
			o->pol.rules.min_offer = 1;
			break;
		case O_ECH:
			o->pol.rules.ech = word("--ech", optarg, ech, 3);
			break;
		case O_NOSNI:
			o->pol.rules.no_sni = word("--no-sni", optarg, allow, 2);
			break;
		case O_SNIIP:
			o->pol.rules.sni_ip = word("--sni-ip", optarg, allow, 2);
			break;
		case O_SNIMULTI:
			o->pol.rules.sni_multi = word("--sni-multi", optarg,
						      allow, 2);
			break;
		case O_SNIODD:
			o->pol.rules.sni_odd = word("--sni-odd", optarg, allow, 2);
			break;
		case O_CIPHERLIST:
			cipher_list(o, optarg);
			break;
		case O_SNIDENY:
		case O_SNIALLOW:
			lists[c == O_SNIALLOW] = optarg;
			break;
		case O_CIPHERDENY:
			o->pol.rules.cipher_deny = cipher_classes(optarg);
			break;
		case O_PORT:
			if (o->nports >= sizeof(o->ports) / sizeof(o->ports[0]))
				bad_arg("--port: at most %zu ports",
					sizeof(o->ports) / sizeof(o->ports[0]));
			o->ports[o->nports++] = num("--port", optarg, 1, 65535);
			break;
		case O_MAXFLOWS:
			o->max_flows = num("--max-flows", optarg, 1,
					   TR_MAX_FLOWS_MAX);
			break;
		case O_REORDER_BYTES:
			o->reorder_bytes = num("--reorder-bytes", optarg, 0,
					       TR_REORDER_BYTES_MAX);
			break;
		case O_REORDER_TOTAL:
			o->reorder_total = num("--reorder-total", optarg, 1,
					       TR_REORDER_TOTAL_MAX);
			break;
		case O_NOREORDER:
			o->reorder_bytes = 0;
			break;
		case O_JSON:
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			bad_arg("%s: needs a value", argv[optind - 1]);
		default:
			if (optopt)
				bad_arg("unknown option '-%c'", optopt);
			bad_arg("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		bad_arg(optind >= argc ? "no capture file given" :
			"exactly one capture file expected");
	*file = argv[optind];
	if (lists[0] || lists[1])
		load_lists(o, lists);
}

/* Why pcap_open_offline() failed, in words a user can act on. */
static void open_error(const char *file, const char *err)
{
	unsigned char m[2] = { 0, 0 };
	FILE *fp = strcmp(file, "-") ? fopen(file, "rb") : NULL;

	if (fp) {
		if (fread(m, 1, 2, fp) == 2 && m[0] == 0x1f && m[1] == 0x8b) {
			fprintf(stderr, "%s: %s: gzip-compressed capture; "
				"run: gzip -dc '%s' | %s [options] -\n",
				prog, file, file, prog);
			fclose(fp);
			return;
		}
		fclose(fp);
	}
	fprintf(stderr, "%s: %s: cannot read capture: %s\n", prog, file, err);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	const char *file, *truncated = NULL;
	struct tr_table table;
	struct tr_stats st;
	struct tr_opts o;
	struct tr_pkt p;
	enum tr_decode_result d;
	bool violation = false;
	pcap_t *pc;
	int dlt, rc;
	u32 i;

	parse_args(argc, argv, &o, &file);
	memset(&st, 0, sizeof(st));
	err[0] = 0;
	pc = pcap_open_offline(file, err);
	if (!pc) {
		open_error(file, err);
		return 2;
	}
	dlt = pcap_datalink(pc);
	if (!tr_dlt_supported(dlt)) {
		fprintf(stderr, "%s: %s: link type %d (%s) is not supported "
			"(Ethernet, Linux cooked v1/v2, raw IP, loopback are)\n",
			prog, file, dlt,
			pcap_datalink_val_to_name(dlt) ?: "unknown");
		pcap_close(pc);
		return 2;
	}
	if (tr_table_init(&table, o.max_flows)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		pcap_close(pc);
		return 2;
	}
	while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1) {
		st.frames++;
		d = tr_decode(dlt, data, hdr->caplen, hdr->len, &p);
		st.decode[d]++;
		if (d == TR_PKT_TCP)
			tr_packet(&table, &p, st.frames, &o, &st);
	}
	if (rc == PCAP_ERROR) {
		snprintf(err, sizeof(err), "%s", pcap_geterr(pc));
		truncated = err;
		if (st.frames)
			fprintf(stderr, "%s: %s: capture truncated or corrupt "
				"after frame %" PRIu64 ": %s; the results cover "
				"frames 1 to %" PRIu64 " only\n", prog, file,
				st.frames, err, st.frames);
		else
			fprintf(stderr, "%s: %s: capture truncated or corrupt "
				"before its first frame: %s\n", prog, file, err);
	}
	tr_finish(&table, &o, &st);
	for (i = 0; i < table.nflows; i++) {
		tr_print_flow(stdout, &table.flows[i], &o);
		if (table.flows[i].verdict != TLS_OK)
			violation = true;
	}
	tr_print_summary(stdout, &table, &st, &o, file, truncated);
	if (st.flows_dropped)
		fprintf(stderr, "%s: %s: flow table full (%u flows): %" PRIu64
			" segments of %" PRIu64 "+ further flows not inspected "
			"(raise --max-flows)\n", prog, file, o.max_flows,
			st.flows_dropped, st.flows_refused);
	tr_table_free(&table);
	pcap_close(pc);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
		return 2;
	}
	if (violation)
		return 1;
	return truncated ? 2 : 0;
}
