// SPDX-License-Identifier: GPL-2.0
/*
 * tlsgen: traffic generator and sink for the VM benchmarks (bench/vm/run.sh).
 * Every client stream is a valid TLS record stream for the tls helper: a
 * TLS 1.3 ClientHello offering early_data, a ChangeCipherSpec
 * (0x14 0x03 0x03 0x00 0x01 0x01), then application-data records
 * (0x17 0x03 0x03 len) of uniformly random "ciphertext", so the helper parses
 * every header and scans every body byte (low-byte rule) and never fires.
 *
 *   tlsgen sink    [-B ADDR] -p PORT [-n CONNS] [-T SECS]
 *       accept connections, read everything of each and close it on EOF.
 *       With -n, exit once CONNS connections were served (or after SECS,
 *       default 120) printing "bytes=B secs=S conns=C" (S: first to last
 *       byte); without, serve until killed.
 *   tlsgen stream  -H HOST -p PORT -t SECS [-w WRITE] [-b BODY] [-c FLOWS]
 *                  [-P PROCS] [-N]
 *       FLOWS connections (default 1) spread over PROCS processes (default
 *       1); each writes WRITE bytes (default 65536) per send() of a stream
 *       of BODY-byte records (default 16401: 2^14 + TLS 1.3 type + tag) for
 *       SECS seconds, then shuts its side down and waits for the server's
 *       EOF, i.e. until the server has read every byte.  Prints
 *       "bytes=B secs=S" (B: record bytes sent after the handshake prefix,
 *       S: from the first to the server's last EOF).  -N sets TCP_NODELAY.
 *       With -b 100 -w 105 every send() is one 100-byte-body record.
 *   tlsgen accept  [-B ADDR] -p PORT
 *       accept connections and close them at once, until killed.
 *   tlsgen connect -H HOST -p PORT -t SECS [-P PROCS]
 *       connect, wait for the server's FIN, close, again, for SECS seconds
 *       in PROCS processes; print "conns=N secs=S failed=F".
 *   tlsgen syn     -s SRC -H HOST -p PORT -n COUNT [-o FIRST] [-q PACE]
 *       COUNT raw IPv4 TCP SYNs to HOST:PORT from distinct (address, port)
 *       pairs: flow i (from FIRST) comes from SRC + i / 50000, port
 *       10000 + i % 50000.  Every PACE packets (default 200) it sleeps
 *       1 ms so that the receive backlog of the veth peer does not overflow.
 *
 * Only for the namespaces the benchmark builds inside the test VM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RING_RECS_BYTES	(4u << 20)	/* ring of records, repeated forever */
#define MAX_WRITE	(1u << 20)
#define MAX_FLOWS	4096
#define SYN_PORTS	50000

static const char *host = "10.0.2.2", *src = "10.0.1.1", *bind_addr;
static int port = 443, secs = 5, write_sz = 65536, body = 16401;
static int flows = 1, procs = 1, nodelay, nconns, timeout_s = 120;
static long count = 100000, first, pace = 200;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static u_int32_t xs = 0x9e3779b9;

static u_int8_t rnd8(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 17;
	xs ^= xs << 5;
	return xs >> 24;
}

/*
 * The handshake prefix and a ring of records; ring + the first MAX_WRITE
 * bytes again, so that any write of up to MAX_WRITE bytes starting inside
 * the ring is contiguous.
 */
static u_int8_t pre[96];
static size_t pre_len;
static u_int8_t *ring;
static size_t ring_len;

static void build_stream(void)
{
	size_t rec = 5 + body, nrec, i, k, run = 0;
	u_int8_t *p;

	/*
	 * A TLS 1.3 ClientHello that offers early_data, the compatibility
	 * CCS, then 0-RTT application data: the one way a client may send
	 * records before the server's ServerHello (the sink never answers),
	 * so the handshake layer (handshake=1) passes it.
	 */
	static const u_int8_t hello_head[] = {
		0x16, 3, 1, 0, 58,		/* record: 4 + 54 */
		1, 0, 0, 54,			/* client_hello */
		3, 3,				/* legacy_version */
	};
	static const u_int8_t hello_tail[] = {
		0,				/* no session id */
		0, 2, 0x13, 0x01,		/* TLS_AES_128_GCM_SHA256 */
		1, 0,				/* null compression */
		0, 11,				/* extensions */
		0x00, 0x2b, 0, 3, 2, 3, 4,	/* supported_versions: 1.3 */
		0x00, 0x2a, 0, 0,		/* early_data */
		0x14, 3, 3, 0, 1, 1,		/* ChangeCipherSpec */
	};

	memcpy(pre, hello_head, sizeof(hello_head));
	for (i = 0; i < 32; i++)		/* random */
		pre[sizeof(hello_head) + i] = rnd8();
	memcpy(pre + sizeof(hello_head) + 32, hello_tail, sizeof(hello_tail));
	pre_len = sizeof(hello_head) + 32 + sizeof(hello_tail);

	nrec = RING_RECS_BYTES / rec;
	if (nrec < 1)
		nrec = 1;
	/* a write size that divides the stream keeps records aligned */
	ring_len = nrec * rec;
	ring = malloc(ring_len + MAX_WRITE);
	if (!ring)
		die("malloc");
	for (k = 0, p = ring; k < nrec; k++) {
		*p++ = 0x17; *p++ = 3; *p++ = 3;
		*p++ = body >> 8; *p++ = body & 0xff;
		for (i = 0; i < (size_t)body; i++, p++) {
			*p = rnd8();
			/* never a run of 64 bytes < 0x80 (limit is 128) */
			run = *p & 0x80 ? 0 : run + 1;
			if (run >= 64) {
				*p |= 0x80;
				run = 0;
			}
		}
	}
	for (i = 0; i < MAX_WRITE; i += ring_len)
		memcpy(ring + ring_len + i, ring,
		       MAX_WRITE - i < ring_len ? MAX_WRITE - i : ring_len);
}

static int tcp_connect(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (s < 0)
		die("socket");
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "tlsgen: bad address %s\n", host);
		exit(2);
	}
	if (nodelay)
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static int write_all(int s, const u_int8_t *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(s, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* One process: nf flows written round-robin until the deadline. */
static void stream_proc(int nf, double deadline, int outfd)
{
	int s[MAX_FLOWS], i, dead = 0;
	size_t off[MAX_FLOWS];
	unsigned long long sent = 0;
	double t0, t1;
	char line[128], c[4096];

	for (i = 0; i < nf; i++) {
		s[i] = tcp_connect();
		if (s[i] < 0)
			die("connect");
		if (write_all(s[i], pre, pre_len))
			die("send");
		off[i] = (size_t)i * 4099 % ring_len;
		off[i] -= off[i] % (5 + body);	/* start at a record */
	}
	t0 = now();
	while (!dead) {
		for (i = 0; i < nf; i++) {
			if (write_all(s[i], ring + off[i], write_sz)) {
				perror("send");
				dead = 1;
				break;
			}
			sent += write_sz;
			off[i] += write_sz;
			if (off[i] >= ring_len)
				off[i] -= ring_len;
		}
		if (now() >= deadline)
			break;
	}
	/* the server closes on EOF once it has read everything */
	for (i = 0; i < nf; i++)
		shutdown(s[i], SHUT_WR);
	for (i = 0; i < nf; i++) {
		while (read(s[i], c, sizeof(c)) > 0)
			;
		close(s[i]);
	}
	t1 = now();
	snprintf(line, sizeof(line), "%llu %d %.6f %.6f\n", sent, dead, t0, t1);
	if (write(outfd, line, strlen(line)) < 0)
		exit(1);
	exit(dead);
}

static int cmd_stream(void)
{
	int pfd[2], i, st, rc = 0, nf, dead;
	double deadline, a, b, t0 = 0, t1 = 0;
	unsigned long long total = 0, v;
	FILE *f;

	if (write_sz < 1 || (unsigned int)write_sz > MAX_WRITE || body < 1 ||
	    body > 18432 || flows < 1 || flows > MAX_FLOWS || procs < 1 ||
	    procs > flows) {
		fprintf(stderr, "tlsgen stream: bad arguments\n");
		return 2;
	}
	build_stream();
	if (pipe(pfd))
		die("pipe");
	deadline = now() + secs;
	for (i = 0; i < procs; i++) {
		nf = flows / procs + (i < flows % procs);
		if (fork() == 0) {
			close(pfd[0]);
			xs += i;
			stream_proc(nf, deadline, pfd[1]);
		}
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	while (fscanf(f, "%llu %d %lf %lf", &v, &dead, &a, &b) == 4) {
		total += v;
		if (!t0 || a < t0)
			t0 = a;
		if (b > t1)
			t1 = b;
	}
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			rc = 1;
	printf("bytes=%llu secs=%.6f writes=%llu\n", total, t1 - t0,
	       total / write_sz);
	return rc;
}

static int listen_on(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind_addr && inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "tlsgen: bad address %s\n", bind_addr);
		exit(2);
	}
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 4096))
		die("bind/listen");
	return s;
}

static int cmd_sink(void)
{
	static u_int8_t buf[1 << 18];
	struct epoll_event ev, evs[64];
	int ls = listen_on(), ep = epoll_create1(0), accepted = 0, open_ = 0;
	int i, n, fd;
	unsigned long long bytes = 0;
	double t_first = 0, t_last = 0, t_end = now() + timeout_s;
	ssize_t r;

	printf("listening\n");
	fflush(stdout);
	ev.events = EPOLLIN;
	ev.data.fd = ls;
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	while (!nconns || accepted < nconns || open_ > 0) {
		n = epoll_wait(ep, evs, 64, 1000);
		if (nconns && now() > t_end) {
			fprintf(stderr, "tlsgen sink: timeout\n");
			break;
		}
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == ls) {
				fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
				if (fd < 0)
					continue;
				accepted++;
				open_++;
				ev.events = EPOLLIN;
				ev.data.fd = fd;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				continue;
			}
			for (;;) {
				r = recv(fd, buf, sizeof(buf), 0);
				if (r > 0) {
					if (!bytes)
						t_first = now();
					bytes += r;
					t_last = now();
					continue;
				}
				if (r < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				open_--;
				break;
			}
		}
	}
	printf("bytes=%llu secs=%.6f conns=%d\n", bytes, t_last - t_first,
	       accepted);
	return accepted < nconns;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_accept(void)
{
	unsigned long n = 0;
	int ls, fd;
	struct sigaction sa = { .sa_handler = on_term };	/* no SA_RESTART */

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ls = listen_on();
	printf("listening\n");
	fflush(stdout);
	while (!stop) {
		fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		close(fd);
		n++;
	}
	printf("accepted=%lu\n", n);
	return 0;
}

static void connect_proc(double deadline, int outfd)
{
	unsigned long n = 0, fail = 0;
	char c, line[64];
	int s;

	while (now() < deadline) {
		s = tcp_connect();
		if (s < 0) {
			fail++;
			continue;
		}
		/* wait for the server's FIN, so that the server closes first */
		while (read(s, &c, 1) > 0)
			;
		close(s);
		n++;
	}
	snprintf(line, sizeof(line), "%lu %lu\n", n, fail);
	if (write(outfd, line, strlen(line)) < 0)
		exit(1);
	exit(0);
}

static int cmd_connect(void)
{
	int pfd[2], i, st;
	unsigned long n, f, total = 0, fails = 0;
	double t0, deadline;
	FILE *fp;

	if (pipe(pfd))
		die("pipe");
	t0 = now();
	deadline = t0 + secs;
	for (i = 0; i < procs; i++)
		if (fork() == 0) {
			close(pfd[0]);
			connect_proc(deadline, pfd[1]);
		}
	close(pfd[1]);
	fp = fdopen(pfd[0], "r");
	while (fscanf(fp, "%lu %lu", &n, &f) == 2) {
		total += n;
		fails += f;
	}
	while (wait(&st) > 0)
		;
	printf("conns=%lu secs=%.6f failed=%lu\n", total, now() - t0, fails);
	return fails > total / 100;
}

static u_int16_t csum(const void *p, size_t n, u_int32_t sum)
{
	const u_int8_t *b = p;

	for (; n > 1; n -= 2, b += 2)
		sum += (u_int32_t)b[0] << 8 | b[1];
	if (n)
		sum += (u_int32_t)b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static int cmd_syn(void)
{
	struct {
		struct iphdr ip;
		struct tcphdr tcp;
	} __attribute__((packed)) pkt;
	struct {
		u_int32_t saddr, daddr;
		u_int8_t zero, proto;
		u_int16_t len;
		struct tcphdr tcp;
	} __attribute__((packed)) ph;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	u_int32_t s0, d;
	long i;
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	if (s < 0)
		die("raw socket");
	if (inet_pton(AF_INET, src, &s0) != 1 ||
	    inet_pton(AF_INET, host, &d) != 1) {
		fprintf(stderr, "tlsgen syn: bad address\n");
		return 2;
	}
	sa.sin_addr.s_addr = d;
	for (i = first; i < first + count; i++) {
		memset(&pkt, 0, sizeof(pkt));
		pkt.ip.version = 4;
		pkt.ip.ihl = 5;
		pkt.ip.tot_len = htons(sizeof(pkt));
		pkt.ip.id = htons(i & 0xffff);
		pkt.ip.ttl = 64;
		pkt.ip.protocol = IPPROTO_TCP;
		pkt.ip.saddr = htonl(ntohl(s0) + i / SYN_PORTS);
		pkt.ip.daddr = d;
		pkt.ip.check = htons(csum(&pkt.ip, sizeof(pkt.ip), 0));
		pkt.tcp.source = htons(10000 + i % SYN_PORTS);
		pkt.tcp.dest = htons(port);
		pkt.tcp.seq = htonl(0x10000000u + (u_int32_t)i * 7919u);
		pkt.tcp.doff = 5;
		pkt.tcp.syn = 1;
		pkt.tcp.window = htons(64240);
		ph.saddr = pkt.ip.saddr;
		ph.daddr = d;
		ph.zero = 0;
		ph.proto = IPPROTO_TCP;
		ph.len = htons(sizeof(pkt.tcp));
		ph.tcp = pkt.tcp;
		pkt.tcp.check = htons(csum(&ph, sizeof(ph), 0));
		while (sendto(s, &pkt, sizeof(pkt), 0, (struct sockaddr *)&sa,
			      sizeof(sa)) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN)
				die("sendto");
			usleep(1000);
		}
		if (pace && (i - first + 1) % pace == 0)
			usleep(1000);
	}
	printf("sent=%ld\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int o;

	if (argc < 2) {
		fprintf(stderr, "usage: tlsgen sink|stream|accept|connect|syn [options]\n");
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((o = getopt(argc, argv, "B:H:p:t:w:b:c:P:Nn:T:s:o:q:")) != -1) {
		switch (o) {
		case 'B': bind_addr = optarg; break;
		case 'H': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'w': write_sz = atoi(optarg); break;
		case 'b': body = atoi(optarg); break;
		case 'c': flows = atoi(optarg); break;
		case 'P': procs = atoi(optarg); break;
		case 'N': nodelay = 1; break;
		case 'n': nconns = atoi(optarg); count = atol(optarg); break;
		case 'T': timeout_s = atoi(optarg); break;
		case 's': src = optarg; break;
		case 'o': first = atol(optarg); break;
		case 'q': pace = atol(optarg); break;
		default: return 2;
		}
	}
	if (!strcmp(cmd, "sink"))
		return cmd_sink();
	if (!strcmp(cmd, "stream"))
		return cmd_stream();
	if (!strcmp(cmd, "accept"))
		return cmd_accept();
	if (!strcmp(cmd, "connect"))
		return cmd_connect();
	if (!strcmp(cmd, "syn"))
		return cmd_syn();
	fprintf(stderr, "tlsgen: unknown command %s\n", cmd);
	return 2;
}
