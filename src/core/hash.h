/* SPDX-License-Identifier: Apache-2.0 */
/* The one string hash of steward's in-memory tables (FNV-1a): caches of
 * statements, keys and the sweep's groups. Not for anything secret. */
#ifndef STEWARD_HASH_INT_H
#define STEWARD_HASH_INT_H

#include <stddef.h>
#include <stdint.h>

#define SW_HASH_SEED 2166136261u

/* Continues hash h over s and a field separator, so that hashing several
 * strings in turn tells "ab","c" from "a","bc". */
static inline uint32_t sw_hash_str(uint32_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return (h ^ 0x1f) * 16777619u;
}

/* Continues hash h over n bytes. */
static inline uint32_t sw_hash_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* A day number and a key class (the traffic day-key caches). */
static inline uint32_t sw_hash_day(int64_t day, const char *key_class)
{
    return sw_hash_str((uint32_t)((uint64_t)day * 2654435761u), key_class);
}

#endif
