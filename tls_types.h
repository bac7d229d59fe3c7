/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only header the pure engine files include for their types.  Inside the
 * kernel it maps to <linux/types.h>; in userspace (unit tests, fuzzers,
 * benchmarks, the offline replay tool) to <stdint.h>.  Keep it tiny: the
 * engine must never depend on anything else from either world.
 */
#ifndef _TLS_TYPES_H
#define _TLS_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
#endif

/* Compile-time assertion usable in both worlds, at file or block scope. */
#define TLS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif /* _TLS_TYPES_H */
