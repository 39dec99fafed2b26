/* SPDX-License-Identifier: Apache-2.0 */
/* Arena allocator: many small allocations freed together (policy models). */
#ifndef STEWARD_ARENA_INT_H
#define STEWARD_ARENA_INT_H

#include <stddef.h>

typedef struct sw_arena sw_arena;

/* A new arena, or NULL when out of memory. */
sw_arena *sw_arena_new(void);
/* Frees every block; NULL is a no-op. */
void sw_arena_free(sw_arena *a);
/* n zeroed bytes aligned for any type, or NULL when out of memory. Valid
 * until sw_arena_free(). */
void *sw_arena_alloc(sw_arena *a, size_t n);
/* A copy of s[0..len) with a NUL, or NULL when out of memory. */
char *sw_arena_strndup(sw_arena *a, const char *s, size_t len);

#endif
