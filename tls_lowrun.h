/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The low-byte run scanner of the engine, engine-private: tls_parse.c
 * decides which bytes are scanned (the rule) and calls tls_lowrun_scan().
 * It finds the byte at which a run of bytes < 0x80 reaches a limit, fast.
 * Inline in this header, included by tls_parse.c and tls_seg_fast.h: as
 * an out-of-line call it cost 18-20 instructions per record body (+6-7% of
 * tls_feed() on 1448-byte segments and 100-byte records, callgrind).
 *
 * The scan reads one u64 at a time: a word with no high bit adds 8; for a
 * mixed word only its leading low bytes extend the run and its trailing low
 * bytes start the next one.  Runs strictly inside a word are at most 6
 * bytes long and the trailing run at most 7, so for limit > 8 this is exact;
 * smaller limits take the bytewise path, limits up to 14 the word path.
 * Limits of 15 and more take the sampled path (lowrun_sampled()): a run of
 * limit low bytes covers at least (limit - 7) / 8 whole words at multiples
 * of 8, so it is enough to look at one word in that many; only an all-low
 * sample (1 in 256 on ciphertext) is measured exactly, by walking to the
 * high bytes on both sides of it.  Same results as the bytewise scan, for limit 128
 * one load per 120 bytes of ciphertext.
 */
#ifndef _TLS_LOWRUN_H
#define _TLS_LOWRUN_H

#include "tls_types.h"

#define LOWRUN_HI_BITS		0x8080808080808080ULL

static inline u32 lowrun_bytes(const u8 *p, u32 n, u32 *runp, u32 limit)
{
	u32 run = *runp;
	u32 i;

	for (i = 0; i < n; i++) {
		if (p[i] & 0x80) {
			run = 0;
			continue;
		}
		if (++run >= limit) {
			*runp = run;
			return i;
		}
	}
	*runp = run;
	return n;
}

static inline u32 lowrun_lead(u64 m)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_ctzll(m) >> 3;
#else
	return __builtin_clzll(m) >> 3;
#endif
}

static inline u32 lowrun_trail(u64 m)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_clzll(m) >> 3;
#else
	return __builtin_ctzll(m) >> 3;
#endif
}

static inline u64 lowrun_load_hi(const u8 *p)
{
	u64 w;

	__builtin_memcpy(&w, p, sizeof(w));
	return w & LOWRUN_HI_BITS;
}

/*
 * A run of run bytes so far goes on into a low prefix that takes it to
 * limit: the offset in that prefix of the byte where it reaches limit (0
 * when run already has, after a lowered limit); sets *runp to the run at
 * that byte.
 */
static inline u32 lowrun_reach(u32 run, u32 limit, u32 *runp)
{
	u32 pos = run >= limit ? 0 : limit - run - 1;

	*runp = run + pos + 1;
	return pos;
}

/*
 * The last k = n - i < 8 bytes of p[0..n), n >= 8, for limit > 8, with the
 * run so far: one load of the word that ends at n instead of k byte
 * steps.  The tail is moved to the low end of the word and the bytes above
 * it are made high, so they end the run and never extend it.  A run inside
 * the tail is at most k - 2 < limit bytes: only the tail's leading run
 * (which extends run) and its trailing run (the new run) matter.  Same
 * results as lowrun_bytes() on the tail.
 */
static inline u32 lowrun_tail(const u8 *p, u32 n, u32 i, u32 *runp,
			      u32 run, u32 limit)
{
	u32 k = n - i;
	u64 w = lowrun_load_hi(p + n - 8);
	u64 fill, m;
	u32 pos;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	fill = LOWRUN_HI_BITS << (8 * k);
	m = (w >> (8 * (8 - k))) | fill;
#else
	fill = LOWRUN_HI_BITS >> (8 * k);
	m = (w << (8 * (8 - k))) | fill;
#endif
	/* the tail is all low: the run goes on */
	pos = m == fill ? k : lowrun_lead(m);
	if (pos && run + pos >= limit) {
		/* the run reaches limit inside the tail's low prefix */
		return i + lowrun_reach(run, limit, runp);
	}
	/* a high byte in the tail: the new run is the trailing low bytes */
	*runp = m == fill ? run + k : lowrun_trail(w);
	return n;
}

/* The index of the first high byte in p[i..n), or n. */
static inline u32 lowrun_next_high(const u8 *p, u32 n, u32 i)
{
	u64 m;

	for (; n - i >= 8; i += 8) {
		m = lowrun_load_hi(p + i);
		if (m)
			return i + lowrun_lead(m);
	}
	while (i < n && !(p[i] & 0x80))
		i++;
	return i;
}

/*
 * The start of the low run that ends at e (p[e - 1] is its last byte), not
 * below lo: p[lo - 1] is a high byte or lo is 0.
 */
static inline u32 lowrun_run_start(const u8 *p, u32 lo, u32 e)
{
	u64 m;

	for (; e - lo >= 8; e -= 8) {
		m = lowrun_load_hi(p + e - 8);
		if (m)
			return e - lowrun_trail(m);
	}
	while (e > lo && !(p[e - 1] & 0x80))
		e--;
	return e;
}

/* The sample step of lowrun_quick() and lowrun_sampled(), limit >= 15. */
static inline u32 lowrun_step(u32 limit)
{
	return (limit - 7) / 8 * 8;
}

/*
 * tls_lowrun_scan() for limit >= 15.  The leading run continues the run of
 * the bytes before p; every later run starts after a high byte inside p and
 * is found from a sampled all-low word.  Samples are the words at i, i +
 * step, ... from the first multiple of 8 after the last high byte seen: a run
 * of at least limit bytes covers step / 8 consecutive whole words there, so
 * one of them is a sample.  Runs are found in order, so the first one that
 * reaches limit is the one reported.
 */
static inline u32 lowrun_sampled(const u8 *p, u32 n, u32 *runp, u32 limit)
{
	u32 step = lowrun_step(limit);
	u32 run = *runp, lead, lo, i, s, e;

	lead = lowrun_next_high(p, n, 0);
	if (lead && run + lead >= limit)
		return lowrun_reach(run, limit, runp);
	if (lead == n) {
		*runp = run + n;
		return n;
	}
	lo = lead + 1;
	i = (lo + 7) & ~7u;
	while (i <= n && n - i >= 8) {
		if (lowrun_load_hi(p + i)) {
			i += step;
			continue;
		}
		s = lowrun_run_start(p, lo, i);
		e = lowrun_next_high(p, n, i + 8);
		if (e - s >= limit) {
			*runp = limit;
			return s + limit - 1;
		}
		if (e == n) {
			*runp = e - s;
			return n;
		}
		lo = e + 1;
		i = (lo + 7) & ~7u;
	}
	*runp = n - lowrun_run_start(p, lo, n);
	return n;
}

/*
 * The common case of lowrun_sampled() in one pass, for ciphertext: p[0..n),
 * n >= 16, has a high byte in its first and in its last 8 bytes, the run
 * so far plus the leading low bytes stays below limit, and every sample
 * of the lattice 8, 8 + step, ... (whole words of p) has a high byte.  A
 * later run of limit low bytes starts after a high byte, so at 1 or
 * later, and covers step / 8 consecutive whole words at multiples of 8
 * from 8 on, one of them a sample: there is none.  The run at the end is
 * then the trailing low bytes of the last word.  Returns false, changing
 * nothing, when any of this does not hold (about 1 in 256 per word
 * loaded, on ciphertext: 1 in ~85 bodies of 100 bytes, 4 in 10 of
 * 16 KiB): lowrun_sampled() decides those, from the start.  Even so
 * cheaper than lowrun_sampled() alone on the bodies of either size.
 */

static inline bool lowrun_quick(const u8 *p, u32 n, u32 *runp, u32 limit,
				u32 step)
{
	u64 first = lowrun_load_hi(p);
	u64 last = lowrun_load_hi(p + n - 8);
	u32 i;

	if (!first || !last)
		return false;
	/* the leading low bytes are at most 7 */
	if (*runp + 7 >= limit && lowrun_lead(first) &&
	    *runp + lowrun_lead(first) >= limit)
		return false;
	/* a run between two high bytes is at most n - 2 bytes long */
	if (n > limit + 1) {
		for (i = 8; i <= n - 8; i += step)
			if (!lowrun_load_hi(p + i))
				return false;
	}
	*runp = lowrun_trail(last);
	return true;
}

/*
 * Scan p[0..n) for a run of bytes < 0x80 reaching limit (>= 1); *runp is
 * the run of the bytes before p on entry and the run at the end of p (or at
 * the deciding byte) on return.  Returns the index of the byte at which the
 * run reaches limit, or n.  Same results as a bytewise walk.
 */
static inline u32 tls_lowrun_scan(const u8 *p, u32 n, u32 *runp,
				  u32 limit)
{
	u32 run = *runp;
	u32 i = 0;
	u32 pos;
	u64 m;

	if (limit <= 8)
		return lowrun_bytes(p, n, runp, limit);
	if (limit >= 15) {
		if (n >= 16 &&
		    lowrun_quick(p, n, runp, limit, lowrun_step(limit)))
			return n;
		return lowrun_sampled(p, n, runp, limit);
	}
	while (n - i >= 8) {
		m = lowrun_load_hi(p + i);
		if (!m) {
			if (run + 8 >= limit)
				goto hit;
			run += 8;
			i += 8;
			continue;
		}
		pos = lowrun_lead(m);
		if (pos && run + pos >= limit)
			goto hit;
		i += 8;
		run = lowrun_trail(m);
	}
	if (i < n && n >= 8)
		return lowrun_tail(p, n, i, runp, run, limit);
	pos = lowrun_bytes(p + i, n - i, &run, limit);
	*runp = run;
	return i + pos;
hit:
	/* the run reaches limit inside the low prefix of the word at i */
	return i + lowrun_reach(run, limit, runp);
}

#endif /* _TLS_LOWRUN_H */
