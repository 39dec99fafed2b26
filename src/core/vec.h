/* SPDX-License-Identifier: Apache-2.0 */
/* A growable array of fixed-size elements, for rows collected from a
 * backend before they are worked on. */
#ifndef STEWARD_VEC_INT_H
#define STEWARD_VEC_INT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sw_vec {
    void *v;
    size_t n, cap, size;
    bool nomem; /* a push ran out of memory: sticky */
} sw_vec;

#define SW_VEC(type)                                                           \
    {                                                                          \
        NULL, 0, 0, sizeof(type), false                                        \
    }
#define SW_VEC_AT(vec, type, i) (&((type *)(vec)->v)[i])

/* A zeroed new element at the end, or NULL (and nomem set). */
void *sw_vec_push(sw_vec *vec);
/* Frees the elements; the vector is empty and reusable. */
void sw_vec_release(sw_vec *vec);

#endif
