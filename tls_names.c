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
#define ST_PENDING	0x1000000U	/* bit 24 */
#define ST_NODE		TLS_NAMES_NODE_MAX
#define NO_ENTRY	TLS_NAMES_NO_ENTRY

TLS_STATIC_ASSERT(SYM_OTHER + 1 == NSYM, "one root goto per symbol");
TLS_STATIC_ASSERT(ST_NODE < ST_PENDING, "node bits below the pending dot");

/*
 * The symbol of each byte: a-z and A-Z 0..25, 0-9 26..35, '-' 36, '_' 37,
 * '.' 38, anything else OTHER (40).  A table, not comparisons: names mix
 * letters, digits and dots unpredictably, and each mispredicted branch
 * costs more than the lookup.
 */
static const u8 tls_names_symtab[256] = {
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 36, 38, 40,
	26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 40, 40, 40, 40, 40, 40,
	40, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 40, 40, 40, 40, 37,
	40, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
	40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
};

static u8 tls_names_sym(u8 b)
{
	return tls_names_symtab[b];
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

/* The fields of a node (tls_names.h) */
#define NODE_CHILD(n)	((n)->child & ST_NODE)
#define NODE_NCHILD(n)	((n)->child >> 24)
#define NODE_FAIL(n)	((n)->fail & ST_NODE)
#define NODE_SYM(n)	((n)->fail >> 24)

/*
 * The goto of the automaton, fail links included.  The search of a block
 * is branch-free (the last child whose symbol is <= c, then one compare):
 * the wide blocks near the root would mispredict a branchy one.
 */
static u32 tls_names_go(const struct tls_names *s, u32 v, u32 c)
{
	for (;;) {
		const struct tls_names_node *n;
		u32 cnt, base;

		if (!v)
			return s->root[c];
		n = &s->node[v];
		cnt = NODE_NCHILD(n);
		if (cnt) {
			base = NODE_CHILD(n);
			while (cnt > 1) {
				u32 half = cnt / 2;

				base = NODE_SYM(&s->node[base + half]) <= c ?
				       base + half : base;
				cnt -= half;
			}
			if (NODE_SYM(&s->node[base]) == c)
				return base;
		}
		v = NODE_FAIL(n);
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

struct tls_names_counts {
	u32 nnodes;
	u32 nouts;
	u32 ndeny;
	u32 nallow;
};

/* Counts of the sorted patterns; 0 or TLS_NAMES_E2BIG */
static int tls_names_count(const struct tls_names_bpat *pat, const u8 *pool,
			   const u32 *ord, u32 n, struct tls_names_counts *s)
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
 * The breadth-first trie (temporary: bfs[] with plain child indexes and
 * own outputs, sym[]), one depth at a time: among the sorted patterns
 * still at least d long (act[], compacted as they end), equal prefixes of
 * length d are neighbours, so a new node starts where the parent or the
 * symbol changes.  Children of a node come out consecutive and in symbol
 * order, bfs[i].child .. bfs[i + 1].child - 1.
 */
static void tls_names_trie(struct tls_names_node *bfs, u8 *sym, u32 nnodes,
			   struct tls_names_out *outs,
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
				if (!bfs[parent].child)
					bfs[parent].child = prev_node;
				prev_parent = parent;
				prev_c = c;
			}
			cur[k] = prev_node;
			if (p->len > d) {
				act[w++] = k;
				continue;
			}
			if (!bfs[prev_node].out) {
				bfs[prev_node].out = slot;
				outs[slot].deny = NO_ENTRY;
				outs[slot].allow = NO_ENTRY;
				slot++;
			}
			/* sorted by idx: the first of a kind has the lowest */
			o = &outs[bfs[prev_node].out];
			if (p->allow && o->allow == NO_ENTRY)
				o->allow = p->idx;
			else if (!p->allow && o->deny == NO_ENTRY)
				o->deny = p->idx;
		}
		nact = w;
	}
	/* a leaf's range is empty: it starts where the next node's does */
	bfs[nnodes].child = nnodes;
	for (v = nnodes; v-- > 0;)
		if (!bfs[v].child)
			bfs[v].child = bfs[v + 1].child;
}

/*
 * The final numbering, map[bfs id]: each node's children stay one block
 * in symbol order (a goto is a binary search over it), and the blocks
 * are laid out depth first, a node's block right after its parent's
 * siblings: a chain of single children, most of a set, is consecutive
 * memory, where the breadth-first order put each step a depth apart.
 * An explicit stack of (node, next child), at most a pattern deep.
 */
struct tls_names_frame {
	u32 v;
	u32 i;
};

static void tls_names_layout(const struct tls_names_node *bfs, u32 *map,
			     struct tls_names_frame *stack)
{
	u32 pos = 1, sp = 1, x;

	map[0] = 0;
	for (x = bfs[0].child; x < bfs[1].child; x++)
		map[x] = pos++;
	stack[0].v = 0;
	stack[0].i = 0;
	while (sp) {
		struct tls_names_frame *f = &stack[sp - 1];
		u32 c = bfs[f->v].child + f->i;

		if (c >= bfs[f->v + 1].child) {
			sp--;
			continue;
		}
		f->i++;
		for (x = bfs[c].child; x < bfs[c + 1].child; x++)
			map[x] = pos++;
		if (bfs[c].child < bfs[c + 1].child) {
			stack[sp].v = c;
			stack[sp].i = 0;
			sp++;
		}
	}
}

/*
 * The nodes in their final places, then fail links and outputs in
 * breadth-first order (the bfs ids): a node's fail link is shallower, so
 * its outputs are final when the node's are merged with them (its own
 * entry, if any, being longer, wins).
 */
static void tls_names_links(struct tls_names *s, struct tls_names_node *node,
			    struct tls_names_out *outs,
			    const struct tls_names_node *bfs, const u8 *sym,
			    const u32 *map)
{
	u32 p, v, c;

	for (v = 0; v < s->nnodes; v++) {
		struct tls_names_node *nv = &node[map[v]];
		u32 nc = bfs[v + 1].child - bfs[v].child;

		nv->child = nc ? map[bfs[v].child] | nc << 24 : 0;
		nv->fail = (u32)sym[v] << 24;
		nv->out = bfs[v].out;
	}
	for (c = 0; c < NSYM; c++)
		s->root[c] = 0;
	for (v = bfs[0].child; v < bfs[1].child; v++)
		s->root[sym[v]] = map[v];
	for (p = 0; p < s->nnodes; p++) {
		for (v = bfs[p].child; v < bfs[p + 1].child; v++) {
			struct tls_names_node *nv = &node[map[v]];
			u32 f = 0;
			struct tls_names_out *o, *fo;

			if (p)
				f = tls_names_go(s, NODE_FAIL(&node[map[p]]),
						 sym[v]);
			nv->fail |= f;
			if (!nv->out) {
				nv->out = node[f].out;
				continue;
			}
			o = &outs[nv->out];
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
	struct tls_names_counts hdr;
	struct tls_names *s;
	struct tls_names_bctx ctx;
	struct tls_names_bpat *pat = NULL;
	struct tls_names_node *node, *bfs;
	struct tls_names_frame *stack;
	struct tls_names_out *outs;
	char buf[TLS_NAME_BUF];
	size_t pool_len = 0, size;
	u32 i, *act = NULL, *cur = NULL, *map;
	u8 *pool = NULL, *sym;
	void *tmp = NULL, *tmp2 = NULL;
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
	/* bfs[nnodes + 1], sym[nnodes], map[nnodes], stack: 17 bytes/node */
	tmp2 = a->alloc((hdr.nnodes + 1) * sizeof(*bfs) + hdr.nnodes *
			(1 + sizeof(u32)) + (TLS_NAME_BUF + 1) * sizeof(*stack),
			a->ctx);
	err = TLS_NAMES_ENOMEM;
	if (!tmp2)
		goto out;
	bfs = tmp2;
	stack = (struct tls_names_frame *)(bfs + hdr.nnodes + 1);
	map = (u32 *)(stack + TLS_NAME_BUF + 1);
	sym = (u8 *)(map + hdr.nnodes);
	__builtin_memset(bfs, 0, (hdr.nnodes + 1) * sizeof(*bfs));
	size = sizeof(*s) + hdr.nnodes * sizeof(*node) +
	       hdr.nouts * sizeof(*outs);
	s = a->alloc(size, a->ctx);
	if (!s)
		goto out;
	__builtin_memset(s, 0, size);
	node = (struct tls_names_node *)(s + 1);
	outs = (struct tls_names_out *)(node + hdr.nnodes);
	s->gen = gen % 127 + 1;
	s->nnodes = hdr.nnodes;
	s->nouts = hdr.nouts;
	s->ndeny = hdr.ndeny;
	s->nallow = hdr.nallow;
	s->size = size;
	s->node = node;
	s->outs = outs;
	tls_names_trie(bfs, sym, hdr.nnodes, outs, pat, pool, act, cur, n);
	tls_names_layout(bfs, map, stack);
	tls_names_links(s, node, outs, bfs, sym, map);
	*out = s;
	err = 0;
out:
	if (tmp2)
		a->free(tmp2, a->ctx);
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

/* One byte from node v; *dot: the pending dot */
static u32 tls_names_next(const struct tls_names *s, u32 v, u32 *dot, u8 byte)
{
	u32 c = tls_names_sym(byte);

	if (*dot)
		v = tls_names_go(s, v, SYM_DOT);
	*dot = c == SYM_DOT;
	if (*dot)
		return v;
	/* no entry holds OTHER: back to the root, where suffixes restart */
	return c == SYM_OTHER ? 0 : tls_names_go(s, v, c);
}

u32 tls_names_step(const struct tls_names *s, u32 st, u8 byte)
{
	u32 v, dot;

	/* a foreign state stays as it is, for tls_names_end() to see */
	if (!s || st >> ST_GEN_SHIFT != s->gen)
		return st;
	v = st & ST_NODE;
	if (v >= s->nnodes)
		return st;
	dot = st & ST_PENDING;
	v = tls_names_next(s, v, &dot, byte);
	return s->gen << ST_GEN_SHIFT | (dot ? ST_PENDING : 0) | v;
}

u32 tls_names_feed(const struct tls_names *s, u32 st, const u8 *p,
		   size_t len)
{
	u32 v, dot;
	size_t i;

	if (!s || st >> ST_GEN_SHIFT != s->gen)
		return st;
	v = st & ST_NODE;
	if (v >= s->nnodes)
		return st;
	dot = st & ST_PENDING;
	for (i = 0; i < len; i++)
		v = tls_names_next(s, v, &dot, p[i]);
	return s->gen << ST_GEN_SHIFT | (dot ? ST_PENDING : 0) | v;
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
