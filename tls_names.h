/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server-name (SNI) lists (issue 17): a streaming matcher fed the
 * name's bytes one at a time, with a u32 of state per flow, and the
 * parser of the /proc/net list files.  Pure C like the rest of the engine.
 *
 * Entries.  An exact name ("example.com") or a label-aware suffix
 * ("*.example.com" and ".example.com" are the same entry): the suffix
 * matches every name below it ("a.example.com", "x.y.example.com"), never
 * "example.com" itself, never "notexample.com".  Case-insensitive
 * (ASCII), and one trailing dot of the name or of the entry is ignored
 * ("example.com." is "example.com", the DNS root written out).  Entries
 * are stored normalised: lowercase, no trailing dot, suffixes as
 * ".example.com".
 *
 * The compiled set.  Both lists, deny and allow, in one Aho-Corasick
 * automaton over the bytes of the name, read forwards: the exact entry
 * "example.com" is the pattern START "example.com", START a virtual
 * symbol fed once before the first byte, so it can only match the whole
 * name; the suffix ".example.com" is the pattern ".example.com",
 * unanchored.  At the end of the name, the patterns that end there are
 * exactly the entries that match the name, and the state's precomputed
 * outputs (its own pattern, else those of its fail link, recursively)
 * give the longest, i.e. most specific, deny entry and allow entry.
 *
 * Alphabet: 41 symbols, because a name's bytes are only compared with
 * entries of the hostname alphabet: a-z (A-Z folded), 0-9, '-', '_', '.',
 * START and OTHER (any other byte; no pattern holds it, so it sends the
 * automaton back to the root and only a suffix can match after it).
 *
 * Layout: one allocation: header, nodes, outputs.  A node is 12 bytes,
 * three u32: first child and number of children (24 + 8 bits), fail
 * link and the symbol of the edge into the node (24 + 8), output index.
 * The children of a node are one block of nodes in symbol order, so a
 * node needs no edge list and a goto is a binary search over the block
 * (at most 41, most often 1).  A node's block is placed when a
 * depth-first walk reaches the node, so along a chain of single
 * children (most of a set: the tails of the entries) the nodes are
 * consecutive memory and a name walks forwards through the cache instead
 * of taking a miss per byte, as a breadth-first order did (twice the
 * time per name at 100,000 entries).  Outputs: 8 bytes per distinct
 * entry string.  No 41-way table per node (164 bytes each); the root
 * alone has one, because fail links end there most of the time.
 * 100,000 name-like entries: 0.93 million nodes, 12 MB, 120 bytes per
 * entry (bench/names_bench.c); the build needs 17 bytes per node and
 * about 30 per entry more, for a while.
 *
 * State (u32 per flow, no name stored):
 *   bits 31..25  generation of the set (1..127; 0: no set)
 *   bit  24      pending dot: a '.' seen, applied when the next byte comes
 *                (so a single trailing dot is never fed: it is ignored)
 *   bits 23..0   node (so at most TLS_NAMES_NODE_MAX nodes)
 * A state of another generation (the set was swapped in the middle of a
 * name) is never used as an index: steps leave it as it is and
 * tls_names_end() says TLS_NAME_CHANGED, for the caller to fail safe.
 * The tag is 7 bits, so the set of 127 swaps later has the same tag: a
 * state that old is only wrong, never unsafe, because every node index
 * is checked against the set before any read.  A NULL set has state 0;
 * a set's states are never 0.
 *
 * Cost: amortised O(1) per byte (at most two gotos, a pending dot and
 * the byte, each a search of one block; fail links followed at most as
 * often as the depth grew), whatever the number of entries, which only
 * changes how much of the set is in the cache.  Build O(L log n) for n
 * entries of L bytes in all: heapsort, one pass per depth over the
 * entries still that long, the depth-first placement, the fail links
 * breadth first.  No recursion, no global state, memory from the
 * caller's callbacks (kvmalloc/kvfree in the kernel), under 500 bytes of
 * stack.
 */
#ifndef _TLS_NAMES_H
#define _TLS_NAMES_H

#include "tls_types.h"
#include "tls_rules.h"

/* Error codes: the kernel's -errno values, so the glue returns them as is. */
#define TLS_NAMES_ENOENT	(-2)	/* removing an entry not on the list */
#define TLS_NAMES_E2BIG		(-7)	/* more than TLS_NAMES_NODE_MAX nodes */
#define TLS_NAMES_ENOMEM	(-12)	/* an allocation failed */
#define TLS_NAMES_EINVAL	(-22)	/* an invalid entry or line */
#define TLS_NAMES_ENOSPC	(-28)	/* more entries than the limit */

#define TLS_NAME_MAX		253	/* a DNS name, no trailing dot */
#define TLS_NAME_LABEL_MAX	63
/* A normalised entry: '.' + 253 bytes + NUL */
#define TLS_NAME_BUF		256
#define TLS_NAMES_NODE_MAX	0xffffffU	/* 24 bits of state */
#define TLS_NAMES_NO_ENTRY	0xffffffffU	/* entry_idx when none matched */
#define TLS_NAMES_NSYM		41	/* the reduced alphabet */

/* Memory of the caller: kvmalloc/kvfree in the kernel, malloc/free else */
struct tls_names_alloc {
	void *(*alloc)(size_t size, void *ctx);
	void (*free)(void *p, void *ctx);
	void *ctx;
};

/*
 * Normalise one entry of in/len (exact, "*.x" or ".x"; one trailing dot
 * allowed) into out (TLS_NAME_BUF bytes, NUL-terminated): lowercase, no
 * trailing dot, a suffix as ".x".  The name without "*." or "." must be
 * 1..max_len bytes (max_len 0 or above 253: 253), of [a-zA-Z0-9-_.] only,
 * no empty label, no label above 63 bytes.  Returns the length of out, or
 * TLS_NAMES_EINVAL.
 */
int tls_name_normalise(const char *in, size_t len, u32 max_len, char *out);

/* One entry given to the builder; name need not be normalised. */
struct tls_name_entry {
	const char *name;
	u16 len;
	u8 allow;	/* 0: deny list, 1: allow list */
	u32 idx;	/* returned by tls_names_end() (hit counts) */
};

struct tls_names_node {
	u32 child;	/* bits 23..0 first child, 31..24 number of children */
	u32 fail;	/* bits 23..0 fail link, 31..24 symbol of the edge in */
	u32 out;	/* index in outs[]: 0 when no entry ends here */
};

struct tls_names_out {
	u32 deny;	/* idx of the longest deny entry, or TLS_NAMES_NO_ENTRY */
	u32 allow;	/* the same for the allow list */
};

/* The compiled set: immutable once built, one allocation. */
struct tls_names {
	u32 gen;	/* 1..127 */
	u32 nnodes;
	u32 nouts;
	u32 ndeny;	/* distinct entries of each list */
	u32 nallow;
	u32 start;	/* the state after START, without the generation */
	size_t size;	/* bytes of the allocation */
	void *owner;	/* the caller's, NULL from the builder (name_hit()) */
	const struct tls_names_node *node;
	const struct tls_names_out *outs;
	u32 root[TLS_NAMES_NSYM];	/* goto of the root, every symbol */
};

/*
 * Build the set of entries[0..n) (either list; duplicates are merged, the
 * lowest idx kept).  gen numbers the set among its predecessors (a counter
 * of the caller: the tag is gen % 127 + 1).  Returns 0 and *out, or
 * TLS_NAMES_EINVAL (an invalid entry), TLS_NAMES_ENOMEM, TLS_NAMES_E2BIG.
 * n == 0 builds an empty set (verdict NONE), which a NULL set also is.
 */
int tls_names_build(const struct tls_name_entry *entries, u32 n, u32 gen,
		    const struct tls_names_alloc *a, struct tls_names **out);
void tls_names_free(struct tls_names *set, const struct tls_names_alloc *a);

/* The streaming matcher.  set may be NULL (no list): verdict NONE. */
u32 tls_names_init(const struct tls_names *set);
u32 tls_names_step(const struct tls_names *set, u32 st, u8 byte);
/* tls_names_step() over p[0..len), checks once: for a name in one piece */
u32 tls_names_feed(const struct tls_names *set, u32 st, const u8 *p,
		   size_t len);
/*
 * The verdict for the name fed since init; *entry_idx (may be NULL) gets
 * the idx of the deciding entry (DENIED, ALLOWED) or TLS_NAMES_NO_ENTRY.
 * Deny wins; NOT_ALLOWED when the allow list is not empty and no entry of
 * it matched; TLS_NAME_CHANGED when st is not a state of this set.
 */
enum tls_name_verdict tls_names_end(const struct tls_names *set, u32 st,
				    u32 *entry_idx);

/*
 * One list file (deny or allow): its normalised entries sorted
 * (bytewise), NUL-terminated, with a hit counter each.  One allocation.
 */
struct tls_name_ent {
	u32 off;	/* in names[] */
	u32 len;
};

struct tls_name_list {
	u32 n;
	size_t size;	/* bytes of the allocation */
	u64 *hits;	/* n counters */
	const struct tls_name_ent *ent;
	const char *names;
};

/*
 * Apply the lines of buf/len to old (NULL: empty), in order, into a new
 * list *out (old is not touched: the caller swaps and frees it):
 *   +name   adds name (normalised; adding a present entry does nothing)
 *   -name   removes it (TLS_NAMES_ENOENT when it is not on the list)
 *   /       flushes the list
 * Spaces, tabs and '\r' around a line are ignored, and so are blank lines.
 * Counters move with surviving entries; a new, or removed and re-added,
 * entry (or any after a flush) starts at 0.  max_entries 0: no limit; a
 * list already above the limit is only refused more adds.  max_len
 * bounds names as for tls_name_normalise().  Atomic: on any error nothing
 * is allocated, *line gets the 1-based number of the offending line and
 * the function returns TLS_NAMES_EINVAL (malformed line or name),
 * TLS_NAMES_ENOENT, or TLS_NAMES_ENOSPC (the line that made the list
 * exceed max_entries); or TLS_NAMES_ENOMEM (*line 0).
 */
int tls_names_parse(const struct tls_name_list *old, const char *buf,
		    size_t len, u32 max_entries, u32 max_len,
		    const struct tls_names_alloc *a, struct tls_name_list **out,
		    u32 *line);
void tls_name_list_free(struct tls_name_list *list,
			const struct tls_names_alloc *a);
/* Index of normalised name in list (NULL: empty), or -1 */
s32 tls_name_list_find(const struct tls_name_list *list, const char *name,
		       u32 len);
/* Entries of list as builder entries, idx = position in list */
void tls_name_list_entries(const struct tls_name_list *list, u8 allow,
			   struct tls_name_entry *e);

#endif /* _TLS_NAMES_H */
