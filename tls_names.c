// SPDX-License-Identifier: GPL-2.0
/*
 * The server-name lists (tls_names.h): entry normalisation, the
 * Aho-Corasick builder, the streaming matcher and the list-file parser.
 */
#include "tls_names.h"

/* The reduced alphabet (tls_names.h): a-z 0..25, 0-9 26..35, then these */
#define SYM_DASH	36
#define SYM_UNDER	37
#define SYM_DOT		38
#define SYM_START	39
#define SYM_OTHER	40
#define NSYM		TLS_NAMES_NSYM

#define ST_GEN_SHIFT	25
#define ST_PENDING	(1U << 24)
#define ST_NODE		TLS_NAMES_NODE_MAX
#define NO_ENTRY	TLS_NAMES_NO_ENTRY

TLS_STATIC_ASSERT(SYM_OTHER + 1 == NSYM, "one root goto per symbol");
TLS_STATIC_ASSERT(ST_NODE < ST_PENDING, "node bits below the pending dot");

static u8 tls_names_sym(u8 b)
{
	if (b >= 'a' && b <= 'z')
		return b - 'a';
	if (b >= 'A' && b <= 'Z')
		return b - 'A';
	if (b >= '0' && b <= '9')
		return 26 + b - '0';
	if (b == '-')
		return SYM_DASH;
	if (b == '_')
		return SYM_UNDER;
	if (b == '.')
		return SYM_DOT;
	return SYM_OTHER;
}

static u8 tls_names_lower(u8 b)
{
	return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
}

int tls_name_normalise(const char *in, size_t len, u32 max_len, char *out)
{
	const u8 *p = (const u8 *)in;
	size_t i, label = 0;
	int o = 0;
	bool suffix = false;

	if (!max_len || max_len > TLS_NAME_MAX)
		max_len = TLS_NAME_MAX;
	if (len >= 2 && p[0] == '*' && p[1] == '.') {
		suffix = true;
		p += 2;
		len -= 2;
	} else if (len >= 1 && p[0] == '.') {
		suffix = true;
		p++;
		len--;
	}
	if (len && p[len - 1] == '.')
		len--;
	if (!len || len > max_len)
		return TLS_NAMES_EINVAL;
	if (suffix)
		out[o++] = '.';
	for (i = 0; i < len; i++) {
		u8 c = tls_names_lower(p[i]);

		if (c == '.') {
			if (!label)	/* "..", or a dot first */
				return TLS_NAMES_EINVAL;
			label = 0;
		} else {
			if (tls_names_sym(c) >= SYM_DOT)
				return TLS_NAMES_EINVAL;
			if (++label > TLS_NAME_LABEL_MAX)
				return TLS_NAMES_EINVAL;
		}
		out[o++] = c;
	}
	if (!label)		/* a second trailing dot */
		return TLS_NAMES_EINVAL;
	out[o] = 0;
	return o;
}

/* In-place heapsort of an index array: no recursion, no extra memory */
typedef int (*tls_names_cmp_fn)(const void *ctx, u32 x, u32 y);

static void tls_names_sift(u32 *v, u32 root, u32 n, tls_names_cmp_fn cmp,
			   const void *ctx)
{
	for (;;) {
		u32 child = 2 * root + 1, t;

		if (child >= n)
			return;
		if (child + 1 < n && cmp(ctx, v[child], v[child + 1]) < 0)
			child++;
		if (cmp(ctx, v[root], v[child]) >= 0)
			return;
		t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

static void tls_names_heapsort(u32 *v, u32 n, tls_names_cmp_fn cmp,
			       const void *ctx)
{
	u32 i, t;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		tls_names_sift(v, i, n, cmp, ctx);
	for (i = n - 1; i > 0; i--) {
		t = v[0];
		v[0] = v[i];
		v[i] = t;
		tls_names_sift(v, 0, i, cmp, ctx);
	}
}

/* Bytewise, then shorter first */
static int tls_names_bytecmp(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	u32 i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

/* The goto of the automaton, fail links included */
static u32 tls_names_go(const struct tls_names *s, u32 v, u8 c)
{
	for (;;) {
		u32 lo, hi;

		if (!v)
			return s->root[c];
		lo = s->node[v].child;
		hi = s->node[v + 1].child;
		while (lo < hi) {
			u32 mid = lo + (hi - lo) / 2;
			u8 m = s->sym[mid];

			if (m == c)
				return mid;
			if (m < c)
				lo = mid + 1;
			else
				hi = mid;
		}
		v = s->node[v].fail;
	}
}

/* A pattern of the builder: symbols pool[off..off + len) */
struct tls_names_bpat {
	u32 off;
	u16 len;
	u8 allow;
	u32 idx;
};

struct tls_names_bctx {
	const struct tls_names_bpat *pat;
	const u8 *pool;
};

/* Patterns by symbols, then deny first, then lowest idx first */
static int tls_names_bpat_cmp(const void *ctx, u32 x, u32 y)
{
	const struct tls_names_bctx *c = ctx;
	const struct tls_names_bpat *a = &c->pat[x], *b = &c->pat[y];
	int r = tls_names_bytecmp(c->pool + a->off, a->len,
				  c->pool + b->off, b->len);

	if (r)
		return r;
	if (a->allow != b->allow)
		return a->allow < b->allow ? -1 : 1;
	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	return 0;
}

/* Counts of the sorted patterns; 0 or TLS_NAMES_E2BIG */
static int tls_names_count(const struct tls_names_bpat *pat, const u8 *pool,
			   const u32 *ord, u32 n, struct tls_names *s)
{
	u64 nodes = 1;
	u32 j;

	s->nouts = 1;
	for (j = 0; j < n; j++) {
		const struct tls_names_bpat *p = &pat[ord[j]];
		const struct tls_names_bpat *q = j ? &pat[ord[j - 1]] : NULL;
		u32 lcp = 0;
		bool same;

		while (q && lcp < p->len && lcp < q->len &&
		       pool[p->off + lcp] == pool[q->off + lcp])
			lcp++;
		nodes += p->len - lcp;
		same = q && lcp == p->len && lcp == q->len;
		if (!same)
			s->nouts++;
		if (!same || q->allow != p->allow) {
			if (p->allow)
				s->nallow++;
			else
				s->ndeny++;
		}
	}
	if (nodes > TLS_NAMES_NODE_MAX)
		return TLS_NAMES_E2BIG;
	s->nnodes = nodes;
	return 0;
}

/*
 * The trie, one depth at a time: among the sorted patterns still at least
 * d long (act[], compacted as they end), equal prefixes of length d are
 * neighbours, so a new node starts where the parent or the symbol
 * changes.  Nodes come out breadth first, children of a node consecutive
 * and in symbol order: the layout tls_names_go() reads.
 */
static void tls_names_trie(struct tls_names *s, struct tls_names_node *node,
			   struct tls_names_out *outs, u8 *sym,
			   const struct tls_names_bpat *pat, const u8 *pool,
			   u32 *act, u32 *cur, u32 n)
{
	u32 j, d, v, next = 1, slot = 1, nact = n;

	for (j = 0; j < n; j++)
		cur[act[j]] = 0;
	outs[0].deny = NO_ENTRY;
	outs[0].allow = NO_ENTRY;
	for (d = 1; nact; d++) {
		u32 prev_parent = NO_ENTRY, prev_node = 0, w = 0;
		u8 prev_c = 0;

		for (j = 0; j < nact; j++) {
			u32 k = act[j], parent = cur[k];
			const struct tls_names_bpat *p = &pat[k];
			struct tls_names_out *o;
			u8 c;

			if (p->len < d)
				continue;
			c = pool[p->off + d - 1];
			if (parent != prev_parent || c != prev_c) {
				prev_node = next++;
				sym[prev_node] = c;
				if (!node[parent].child)
					node[parent].child = prev_node;
				prev_parent = parent;
				prev_c = c;
			}
			cur[k] = prev_node;
			if (p->len > d) {
				act[w++] = k;
				continue;
			}
			if (!node[prev_node].out) {
				node[prev_node].out = slot;
				outs[slot].deny = NO_ENTRY;
				outs[slot].allow = NO_ENTRY;
				slot++;
			}
			/* sorted by idx: the first of a kind has the lowest */
			o = &outs[node[prev_node].out];
			if (p->allow && o->allow == NO_ENTRY)
				o->allow = p->idx;
			else if (!p->allow && o->deny == NO_ENTRY)
				o->deny = p->idx;
		}
		nact = w;
	}
	/* a leaf's range is empty: it starts where the next node's does */
	node[s->nnodes].child = s->nnodes;
	for (v = s->nnodes; v-- > 0;)
		if (!node[v].child)
			node[v].child = node[v + 1].child;
}

/*
 * Fail links and outputs, breadth first: a node's fail link is shallower,
 * so its outputs are final when the node's are merged with them (its own
 * entry, if any, being longer, wins).
 */
static void tls_names_links(struct tls_names *s, struct tls_names_node *node,
			    struct tls_names_out *outs, const u8 *sym)
{
	u32 p, v, c;

	for (c = 0; c < NSYM; c++)
		s->root[c] = 0;
	for (v = node[0].child; v < node[1].child; v++)
		s->root[sym[v]] = v;
	for (p = 0; p < s->nnodes; p++) {
		for (v = node[p].child; v < node[p + 1].child; v++) {
			u32 f = p ? tls_names_go(s, node[p].fail, sym[v]) : 0;
			struct tls_names_out *o, *fo;

			node[v].fail = f;
			if (!node[v].out) {
				node[v].out = node[f].out;
				continue;
			}
			o = &outs[node[v].out];
			fo = &outs[node[f].out];
			if (o->deny == NO_ENTRY)
				o->deny = fo->deny;
			if (o->allow == NO_ENTRY)
				o->allow = fo->allow;
		}
	}
	s->start = s->root[SYM_START];
}

int tls_names_build(const struct tls_name_entry *e, u32 n, u32 gen,
		    const struct tls_names_alloc *a, struct tls_names **out)
{
	struct tls_names hdr, *s;
	struct tls_names_bctx ctx;
	struct tls_names_bpat *pat = NULL;
	struct tls_names_node *node;
	struct tls_names_out *outs;
	char buf[TLS_NAME_BUF];
	size_t pool_len = 0, size;
	u32 i, *act = NULL, *cur = NULL;
	u8 *pool = NULL, *sym;
	void *tmp = NULL;
	int l, err;

	*out = NULL;
	if (n >= TLS_NAMES_NODE_MAX)
		return TLS_NAMES_E2BIG;
	for (i = 0; i < n; i++) {
		l = tls_name_normalise(e[i].name, e[i].len, 0, buf);
		if (l < 0)
			return l;
		pool_len += l + (buf[0] != '.');
	}
	if (n) {
		tmp = a->alloc(n * (sizeof(*pat) + 2 * sizeof(u32)) + pool_len,
			       a->ctx);
		if (!tmp)
			return TLS_NAMES_ENOMEM;
		pat = tmp;
		act = (u32 *)(pat + n);
		cur = act + n;
		pool = (u8 *)(cur + n);
	}
	pool_len = 0;
	for (i = 0; i < n; i++) {
		u32 j;

		l = tls_name_normalise(e[i].name, e[i].len, 0, buf);
		pat[i].off = pool_len;
		if (buf[0] != '.')	/* exact: anchored at the start */
			pool[pool_len++] = SYM_START;
		for (j = 0; j < (u32)l; j++)
			pool[pool_len++] = tls_names_sym(buf[j]);
		pat[i].len = pool_len - pat[i].off;
		pat[i].allow = !!e[i].allow;
		pat[i].idx = e[i].idx;
		act[i] = i;
	}
	ctx.pat = pat;
	ctx.pool = pool;
	tls_names_heapsort(act, n, tls_names_bpat_cmp, &ctx);

	__builtin_memset(&hdr, 0, sizeof(hdr));
	err = tls_names_count(pat, pool, act, n, &hdr);
	if (err)
		goto out;
	size = sizeof(*s) + (hdr.nnodes + 1) * sizeof(*node) +
	       hdr.nouts * sizeof(*outs) + hdr.nnodes;
	s = a->alloc(size, a->ctx);
	err = TLS_NAMES_ENOMEM;
	if (!s)
		goto out;
	__builtin_memset(s, 0, size);
	node = (struct tls_names_node *)(s + 1);
	outs = (struct tls_names_out *)(node + hdr.nnodes + 1);
	sym = (u8 *)(outs + hdr.nouts);
	s->gen = gen % 127 + 1;
	s->nnodes = hdr.nnodes;
	s->nouts = hdr.nouts;
	s->ndeny = hdr.ndeny;
	s->nallow = hdr.nallow;
	s->size = size;
	s->node = node;
	s->outs = outs;
	s->sym = sym;
	tls_names_trie(s, node, outs, sym, pat, pool, act, cur, n);
	tls_names_links(s, node, outs, sym);
	*out = s;
	err = 0;
out:
	if (tmp)
		a->free(tmp, a->ctx);
	return err;
}

void tls_names_free(struct tls_names *set, const struct tls_names_alloc *a)
{
	if (set)
		a->free(set, a->ctx);
}

u32 tls_names_init(const struct tls_names *s)
{
	return s ? s->gen << ST_GEN_SHIFT | s->start : 0;
}

u32 tls_names_step(const struct tls_names *s, u32 st, u8 byte)
{
	u32 v;
	u8 c;

	/* a foreign state stays as it is, for tls_names_end() to see */
	if (!s || st >> ST_GEN_SHIFT != s->gen)
		return st;
	v = st & ST_NODE;
	if (v >= s->nnodes)
		return st;
	c = tls_names_sym(byte);
	if (st & ST_PENDING)
		v = tls_names_go(s, v, SYM_DOT);
	if (c == SYM_DOT)
		return s->gen << ST_GEN_SHIFT | ST_PENDING | v;
	/* no entry holds OTHER: back to the root, where suffixes restart */
	v = c == SYM_OTHER ? 0 : tls_names_go(s, v, c);
	return s->gen << ST_GEN_SHIFT | v;
}

enum tls_name_verdict tls_names_end(const struct tls_names *s, u32 st,
				    u32 *entry_idx)
{
	const struct tls_names_out *o;
	u32 v;

	if (entry_idx)
		*entry_idx = NO_ENTRY;
	if (!s)
		return st ? TLS_NAME_CHANGED : TLS_NAME_NONE;
	v = st & ST_NODE;
	if (st >> ST_GEN_SHIFT != s->gen || v >= s->nnodes ||
	    s->node[v].out >= s->nouts)
		return TLS_NAME_CHANGED;
	o = &s->outs[s->node[v].out];
	if (o->deny != NO_ENTRY) {
		if (entry_idx)
			*entry_idx = o->deny;
		return TLS_NAME_DENIED;
	}
	if (!s->nallow)
		return TLS_NAME_NONE;
	if (o->allow == NO_ENTRY)
		return TLS_NAME_NOT_ALLOWED;
	if (entry_idx)
		*entry_idx = o->allow;
	return TLS_NAME_ALLOWED;
}

/* The list parser */

struct tls_names_pop {
	u32 line;
	u32 cand;	/* name: candidate index; unused for a flush */
	u8 type;	/* '+', '-', '/' */
};

struct tls_names_pcand {
	const char *name;
	u32 len;
	u32 group;
};

struct tls_names_pgroup {
	u32 epoch;	/* of the last add: present only in the current one */
	u32 old;	/* index in the old list, or NO_ENTRY */
	u32 cand;	/* a candidate holding the name */
	u8 present;
	u8 removed;	/* removed once: its counter starts again */
};

static int tls_names_pcand_cmp(const void *ctx, u32 x, u32 y)
{
	const struct tls_names_pcand *c = ctx;
	int r = tls_names_bytecmp((const u8 *)c[x].name, c[x].len,
				  (const u8 *)c[y].name, c[y].len);

	if (r)
		return r;
	return x < y ? -1 : x > y;
}

/* Next line of buf[*pos..len), trimmed; false at the end */
static bool tls_names_line(const char *buf, size_t len, size_t *pos,
			   const char **l, size_t *ll)
{
	size_t b = *pos, e;

	if (b >= len)
		return false;
	e = b;
	while (e < len && buf[e] != '\n')
		e++;
	*pos = e + 1;
	while (b < e && (buf[b] == ' ' || buf[b] == '\t' || buf[b] == '\r'))
		b++;
	while (e > b && (buf[e - 1] == ' ' || buf[e - 1] == '\t' ||
			 buf[e - 1] == '\r'))
		e--;
	*l = buf + b;
	*ll = e - b;
	return true;
}

/*
 * One pass over the lines: validate them (fill == NULL) or fill ops[],
 * cands[] from n_old on, and names with the normalised names.
 */
static int tls_names_lines(const char *buf, size_t len, u32 max_len,
			   u32 *nops, size_t *pool, u32 *line,
			   struct tls_names_pop *ops,
			   struct tls_names_pcand *cands, u32 n_old,
			   char *names)
{
	char tmp[TLS_NAME_BUF];
	size_t pos = 0, ll;
	const char *l;
	u32 ln = 0;
	int r;

	*nops = 0;
	*pool = 0;
	while (tls_names_line(buf, len, &pos, &l, &ll)) {
		ln++;
		if (!ll)
			continue;
		if (ll == 1 && l[0] == '/') {
			r = 0;
		} else if (l[0] == '+' || l[0] == '-') {
			r = tls_name_normalise(l + 1, ll - 1, max_len, tmp);
			if (r < 0) {
				*line = ln;
				return r;
			}
		} else {
			*line = ln;
			return TLS_NAMES_EINVAL;
		}
		if (ops) {
			ops[*nops].line = ln;
			ops[*nops].type = l[0];
			ops[*nops].cand = n_old + *nops;
			cands[n_old + *nops].name = names + *pool;
			cands[n_old + *nops].len = r;
			__builtin_memcpy(names + *pool, tmp, r);
		}
		(*nops)++;
		*pool += r;
	}
	return 0;
}

/* Apply ops in order; the final count, or an error naming *line */
static int tls_names_apply(const struct tls_names_pop *ops, u32 nops,
			   struct tls_names_pcand *cands,
			   struct tls_names_pgroup *groups, u32 n_old,
			   u32 max_entries, u32 *epoch, u32 *line)
{
	u32 i, count = n_old;

	*epoch = 0;
	for (i = 0; i < nops; i++) {
		struct tls_names_pgroup *g = &groups[cands[ops[i].cand].group];
		bool here = g->present && g->epoch == *epoch;

		if (ops[i].type == '/') {
			(*epoch)++;
			count = 0;
		} else if (ops[i].type == '+') {
			if (here)
				continue;
			g->present = 1;
			g->epoch = *epoch;
			if (++count > max_entries && max_entries) {
				*line = ops[i].line;
				return TLS_NAMES_ENOSPC;
			}
		} else {
			if (!here) {
				*line = ops[i].line;
				return TLS_NAMES_ENOENT;
			}
			g->present = 0;
			g->removed = 1;
			count--;
		}
	}
	return count;
}

int tls_names_parse(const struct tls_name_list *old, const char *buf,
		    size_t len, u32 max_entries, u32 max_len,
		    const struct tls_names_alloc *a, struct tls_name_list **out,
		    u32 *line)
{
	u32 i, nops, n_old = old ? old->n : 0, ncand, ngroups, epoch, k;
	struct tls_names_pgroup *groups;
	struct tls_names_pcand *cands;
	struct tls_names_pop *ops;
	struct tls_name_list *nl;
	struct tls_name_ent *ent;
	size_t pool, size, off;
	char *names, *dst;
	u32 *ord;
	void *tmp;
	int r;

	*out = NULL;
	*line = 0;
	r = tls_names_lines(buf, len, max_len, &nops, &pool, line,
			    NULL, NULL, 0, NULL);
	if (r < 0)
		return r;
	ncand = n_old + nops;
	/* ops, cands, groups (at most one per candidate), ord, names */
	tmp = a->alloc(nops * sizeof(*ops) + ncand * (sizeof(*cands) +
		       sizeof(*groups) + sizeof(u32)) + pool + 1, a->ctx);
	if (!tmp)
		return TLS_NAMES_ENOMEM;
	cands = tmp;
	groups = (struct tls_names_pgroup *)(cands + ncand);
	ops = (struct tls_names_pop *)(groups + ncand);
	ord = (u32 *)(ops + nops);
	names = (char *)(ord + ncand);
	for (i = 0; i < n_old; i++) {
		cands[i].name = old->names + old->ent[i].off;
		cands[i].len = old->ent[i].len;
	}
	tls_names_lines(buf, len, max_len, &nops, &pool, line, ops, cands,
			n_old, names);
	/* a flush has no name: give it an empty one, a group of its own */
	for (i = 0; i < ncand; i++)
		ord[i] = i;
	tls_names_heapsort(ord, ncand, tls_names_pcand_cmp, cands);
	ngroups = 0;
	for (i = 0; i < ncand; i++) {
		struct tls_names_pcand *c = &cands[ord[i]];
		const struct tls_names_pcand *pc = i ? &cands[ord[i - 1]] : c;

		if (!i || tls_names_bytecmp((const u8 *)pc->name, pc->len,
					    (const u8 *)c->name, c->len)) {
			__builtin_memset(&groups[ngroups], 0, sizeof(*groups));
			groups[ngroups].old = NO_ENTRY;
			groups[ngroups].cand = ord[i];
			ngroups++;
		}
		c->group = ngroups - 1;
		if (ord[i] < n_old) {
			groups[ngroups - 1].old = ord[i];
			groups[ngroups - 1].present = 1;
		}
	}
	r = tls_names_apply(ops, nops, cands, groups, n_old, max_entries,
			    &epoch, line);
	if (r < 0)
		goto out;
	pool = 0;
	for (i = 0; i < ngroups; i++)
		if (groups[i].present && groups[i].epoch == epoch)
			pool += cands[groups[i].cand].len + 1;
	size = sizeof(*nl) + r * (sizeof(u64) + sizeof(*ent)) + pool;
	nl = a->alloc(size, a->ctx);
	if (!nl) {
		r = TLS_NAMES_ENOMEM;
		goto out;
	}
	__builtin_memset(nl, 0, size);
	nl->n = r;
	nl->size = size;
	nl->hits = (u64 *)(nl + 1);
	ent = (struct tls_name_ent *)(nl->hits + r);
	dst = (char *)(ent + r);
	nl->ent = ent;
	nl->names = dst;
	off = 0;
	for (i = 0, k = 0; i < ngroups; i++) {
		const struct tls_names_pgroup *g = &groups[i];
		const struct tls_names_pcand *c = &cands[g->cand];

		if (!g->present || g->epoch != epoch)
			continue;
		ent[k].off = off;
		ent[k].len = c->len;
		__builtin_memcpy(dst + off, c->name, c->len);
		off += c->len + 1;
		if (g->old != NO_ENTRY && !g->removed && !epoch)
			nl->hits[k] = old->hits[g->old];
		k++;
	}
	*out = nl;
	r = 0;
out:
	a->free(tmp, a->ctx);
	return r;
}

void tls_name_list_free(struct tls_name_list *list,
			const struct tls_names_alloc *a)
{
	if (list)
		a->free(list, a->ctx);
}

s32 tls_name_list_find(const struct tls_name_list *list, const char *name,
		       u32 len)
{
	u32 lo = 0, hi = list ? list->n : 0;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int r = tls_names_bytecmp((const u8 *)list->names +
					  list->ent[mid].off,
					  list->ent[mid].len,
					  (const u8 *)name, len);

		if (!r)
			return mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void tls_name_list_entries(const struct tls_name_list *list, u8 allow,
			   struct tls_name_entry *e)
{
	u32 i;

	for (i = 0; list && i < list->n; i++) {
		e[i].name = list->names + list->ent[i].off;
		e[i].len = list->ent[i].len;
		e[i].allow = allow;
		e[i].idx = i;
	}
}
